/**
 * Conversations: whole turns packed in order, so appending a message changes at most the last
 * chunk.
 */
import { chunkHash, estimateTokens, type Chunk } from './chunk.ts';
import type { Limits } from './options.ts';
import { chunkSection } from './packing.ts';
import { textSections } from './sections.ts';

/**
 * Separates the turns of a `conversation` document's text (ASCII record separator). Connectors
 * join turns with it; the chunker packs whole turns, and chunk texts join them with a newline,
 * so the separator never reaches an index.
 */
export const TURN_SEPARATOR = '\u001e';

/**
 * `conversation`: whole turns (split on {@link TURN_SEPARATOR}) packed greedily, in order, up to
 * `targetTokens`; a turn above `maxTokens` is chunked alone as plain text. Packing runs from the
 * first turn, so a chunk's text depends only on the turns from its start up to its end: appending
 * a message changes at most the last chunk (or adds one), and editing a message changes only the
 * chunk(s) holding it and the ones after it whose boundaries shift. With `overlapTurns` > 0, each
 * chunk after the first starts with that many of the previous chunk's last turns (a sliding window);
 * every chunk still holds at least one new turn.
 */
export function conversationChunks(text: string, limits: Limits, overlapTurns: number): Chunk[] {
  if (!Number.isSafeInteger(overlapTurns) || overlapTurns < 0) {
    throw new RangeError(`chunking option overlapTurns must be a non-negative integer, got ${String(overlapTurns)}`);
  }
  return packTurns(conversationTurns(text), limits, overlapTurns)
    .map((t, index) => ({ index, text: t, hash: chunkHash(t), tokens: estimateTokens(t) }));
}

/** The turns of a conversation document: split on {@link TURN_SEPARATOR}, normalised, blank ones dropped. */
export function conversationTurns(text: string): string[] {
  return text.split(TURN_SEPARATOR)
    .map((t) => t.replace(/\r\n?/g, '\n').replace(/[ \t]+$/gm, '').replace(/^\n+|\s+$/g, ''))
    .filter((t) => /\S/.test(t));
}

/** Whole turns packed greedily, in order, up to the target (see {@link conversationChunks}); the chunk texts. */
export function packTurns(turns: readonly string[], limits: Limits, overlapTurns: number): string[] {
  const texts: string[] = [];
  let current: string[] = [];
  let currentChars = 0;
  let fresh = 0; // turns in `current` not carried over from the previous chunk
  const flush = (): void => {
    if (fresh === 0) return;
    texts.push(current.join('\n'));
    current = overlapTurns > 0 ? current.slice(-overlapTurns) : [];
    currentChars = current.reduce((n, t) => n + t.length + 1, 0);
    fresh = 0;
  };
  for (const turn of turns) {
    if (turn.length > limits.maxChars) {
      flush();
      current = [];
      currentChars = 0;
      for (const section of textSections(turn)) texts.push(...chunkSection(section, limits));
      continue;
    }
    if (fresh > 0 && currentChars + turn.length > limits.targetChars) flush();
    // Carried-over turns give way when they would push a chunk past the hard bound.
    while (current.length > 0 && fresh === 0 && currentChars + turn.length > limits.maxChars) {
      currentChars -= current.shift()!.length + 1;
    }
    current.push(turn);
    currentChars += turn.length + 1;
    fresh += 1;
  }
  flush();
  return texts;
}
