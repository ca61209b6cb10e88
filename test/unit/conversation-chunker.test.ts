import { describe, expect, it } from 'vitest';
import { chunkDocument, chunkingSignature, estimateTokens, TURN_SEPARATOR } from '../../shared/core/chunker.ts';
import { mulberry32 } from '../../examples/generate-corpus.ts';

const WORDS = 'deploy rollback ticket customer invoice refund outage latency queue retry webhook index'.split(' ');

function turns(count: number, seed: number): string[] {
  const rand = mulberry32(seed);
  return Array.from({ length: count }, (_, i) => {
    const words = Array.from({ length: 4 + Math.floor(rand() * 40) }, () => WORDS[Math.floor(rand() * WORDS.length)]);
    return `user${i % 3}: ${words.join(' ')}`;
  });
}

const conversation = (list: readonly string[]): string => list.join(TURN_SEPARATOR);
const options = { targetTokens: 120, maxTokens: 300 };

describe('conversation chunking', () => {
  it('packs whole turns in order, never splitting one, within the budget', () => {
    // Arrange
    const list = turns(200, 1);

    // Act
    const chunks = chunkDocument(conversation(list), 'conversation', options);

    // Assert
    expect(chunks.map((c) => c.index)).toEqual(chunks.map((_, i) => i));
    expect(chunks.flatMap((c) => c.text.split('\n'))).toEqual(list);
    for (const c of chunks) expect(c.tokens).toBeLessThanOrEqual(options.maxTokens);
    expect(chunks.length).toBeGreaterThan(10);
    expect(chunks.map((c) => c.text).join('')).not.toContain(TURN_SEPARATOR);
  });

  it('appending a message changes at most the last chunk (or adds one)', () => {
    for (let seed = 1; seed <= 40; seed++) {
      // Arrange
      const list = turns(30 + seed, seed);
      const before = chunkDocument(conversation(list), 'conversation', options);

      // Act
      const after = chunkDocument(conversation([...list, ...turns(1, 1000 + seed)]), 'conversation', options);

      // Assert
      const stable = before.length - 1;
      expect(after.slice(0, stable).map((c) => c.hash)).toEqual(before.slice(0, stable).map((c) => c.hash));
      expect(after.length - before.length).toBeLessThanOrEqual(1);
    }
  });

  it('with overlapTurns, each later chunk starts with the previous chunk\'s last turns, and appends stay local', () => {
    // Arrange
    const list = turns(120, 7);
    const overlap = { ...options, overlapTurns: 2 };

    // Act
    const chunks = chunkDocument(conversation(list), 'conversation', overlap);
    const appended = chunkDocument(conversation([...list, 'late: one more message']), 'conversation', overlap);

    // Assert
    for (let i = 1; i < chunks.length; i++) {
      const previous = chunks[i - 1]!.text.split('\n');
      expect(chunks[i]!.text.split('\n').slice(0, 2)).toEqual(previous.slice(-2));
    }
    expect(appended.slice(0, chunks.length - 1).map((c) => c.hash)).toEqual(chunks.slice(0, -1).map((c) => c.hash));
    expect(chunkingSignature(overlap)).not.toBe(chunkingSignature(options));
    expect(chunkingSignature({ ...options, overlapTurns: 0 })).toBe(chunkingSignature(options));
  });

  it('cuts a turn longer than maxTokens on its own, and drops empty turns', () => {
    // Arrange
    const long = `bot: ${'word '.repeat(2000).trim()}`;
    const text = conversation(['a: hi', '  ', long, 'b: bye']);

    // Act
    const chunks = chunkDocument(text, 'conversation', options);

    // Assert
    expect(chunks[0]!.text).toBe('a: hi');
    expect(chunks.at(-1)!.text).toBe('b: bye');
    expect(chunks.length).toBeGreaterThan(3);
    for (const c of chunks) expect(estimateTokens(c.text)).toBeLessThanOrEqual(options.maxTokens);
  });

  it('rejects a negative overlap', () => {
    expect(() => chunkDocument('a', 'conversation', { overlapTurns: -1 })).toThrow(/overlapTurns/);
  });
});
