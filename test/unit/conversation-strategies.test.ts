import { describe, expect, it } from 'vitest';
import { countTokens } from 'gpt-tokenizer/encoding/cl100k_base';
import { chunkDocument, chunkingSignature, TURN_SEPARATOR } from '../../shared/core/chunker.ts';
import { turnTime } from '../../shared/core/chunking/strategies.ts';

const at = (minute: number) => `2024-05-01 ${String(10 + Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
const turns = (minutes: number[]) => minutes.map((m, i) => `[${at(m)}] ${i % 2 === 0 ? 'alice' : 'bob'}: message ${i} about the release plan`);
const doc = (list: string[]) => list.join(TURN_SEPARATOR);
const texts = (text: string, options: Parameters<typeof chunkDocument>[2]) => chunkDocument(text, 'conversation', options).map((c) => c.text);

describe('conversation strategies', () => {
  it('message: one turn per chunk', () => {
    // Prepare
    const list = turns([0, 1, 2]);

    // Act
    const out = texts(doc(list), { strategy: 'message' });

    // Assess
    expect(out).toEqual(list);
  });

  it('sliding: windows of N turns, each overlapping the one before by the overlap', () => {
    // Prepare
    const list = turns([0, 1, 2, 3, 4, 5, 6]);

    // Act
    const out = texts(doc(list), { strategy: 'sliding', windowTurns: 3, overlapTurns: 1 });

    // Assess
    expect(out).toEqual([list.slice(0, 3), list.slice(2, 5), list.slice(4, 7)].map((w) => w.join('\n')));
    expect(() => texts(doc(list), { strategy: 'sliding', windowTurns: 2, overlapTurns: 2 })).toThrow(RangeError);
  });

  it('temporal: a new chunk at every gap longer than gapMinutes; appending a turn changes only the last chunk', () => {
    // Prepare
    const list = turns([0, 5, 10, 100, 104, 300]);

    // Act
    const out = texts(doc(list), { strategy: 'temporal', gapMinutes: 30 });
    const appended = texts(doc([...list, `[${at(302)}] bob: one more`]), { strategy: 'temporal', gapMinutes: 30 });

    // Assess
    expect(out).toEqual([list.slice(0, 3), list.slice(3, 5), list.slice(5)].map((w) => w.join('\n')));
    expect(appended.slice(0, 2)).toEqual(out.slice(0, 2));
    expect(turnTime('[2024-05-01T10:02:03Z] a: b')).toBe(Date.parse('2024-05-01T10:02:03Z'));
    expect(turnTime('alice: no time here')).toBeUndefined();
  });

  it('token-aware: whole turns packed to the target counted with the cl100k tokenizer', () => {
    // Prepare
    const list = turns(Array.from({ length: 30 }, (_, i) => i));

    // Act
    const out = texts(doc(list), { strategy: 'token-aware', targetTokens: 40, maxTokens: 200 });

    // Assess
    expect(out.length).toBeGreaterThan(3);
    for (const chunk of out.slice(0, -1)) expect(countTokens(chunk)).toBeLessThanOrEqual(40);
    expect(out.join('\n')).toBe(list.join('\n'));
  });

  it('keeps the signature of packed chunking, and gives each strategy its own', () => {
    expect(chunkingSignature({ targetTokens: 300, maxTokens: 800 })).toBe('md2/300/800');
    expect(chunkingSignature({ targetTokens: 300, maxTokens: 800, strategy: 'packed' })).toBe('md2/300/800');
    const signatures = new Set(['message', 'sliding', 'temporal', 'token-aware'].map((strategy) => chunkingSignature({ strategy: strategy as 'message' })));
    expect(signatures.size).toBe(4);
  });
});
