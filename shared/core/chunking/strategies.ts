/**
 * Conversation strategies besides whole-turn packing (`conversationChunks`), for profiles that
 * keep one chat corpus under several chunkings:
 *
 * - `message`: one turn per chunk.
 * - `sliding`: windows of `windowTurns` turns, each starting `windowTurns - overlapTurns` turns
 *   after the one before.
 * - `temporal`: a new chunk wherever two consecutive turns are more than `gapMinutes` apart
 *   (the time is read from the start of each turn, e.g. a `[2024-05-01 10:02] alice: …` template);
 *   a window longer than the target is packed like a conversation.
 * - `token-aware`: whole turns packed to `targetTokens` counted with the cl100k tokenizer (the
 *   OpenAI embedding models'), not estimated from the length.
 *
 * Each depends only on the turns from a chunk's start to its end, so appending a message changes
 * at most the last chunk or two; no chunk exceeds `maxTokens` (estimated), a turn above it is cut
 * as plain text.
 */
import { countTokens } from 'gpt-tokenizer/encoding/cl100k_base';
import { chunkHash, estimateTokens, type Chunk } from './chunk.ts';
import { conversationTurns, packTurns } from './conversation.ts';
import type { ChunkingOptions, Limits } from './options.ts';
import { chunkSection } from './packing.ts';
import { textSections } from './sections.ts';

export const CONVERSATION_STRATEGIES = ['packed', 'message', 'sliding', 'temporal', 'token-aware'] as const;
export type ConversationStrategy = (typeof CONVERSATION_STRATEGIES)[number];

/** Defaults of the strategies' own knobs. */
export const DEFAULT_WINDOW_TURNS = 6;
export const DEFAULT_GAP_MINUTES = 30;

/** A leading date-time in a turn: `2024-05-01T10:02:03Z`, `2024-05-01 10:02`, optionally bracketed. */
const TURN_TIME = /^\W{0,2}(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})?/;

export function strategyChunks(text: string, strategy: Exclude<ConversationStrategy, 'packed'>, limits: Limits, options: Partial<ChunkingOptions>): Chunk[] {
  const turns = cutLongTurns(conversationTurns(text), limits);
  const overlap = options.overlapTurns ?? 0;
  let texts: string[];
  if (strategy === 'message') texts = turns;
  else if (strategy === 'sliding') texts = slidingWindows(turns, limits, options.windowTurns ?? DEFAULT_WINDOW_TURNS, overlap);
  else if (strategy === 'temporal') texts = timeWindows(turns, (options.gapMinutes ?? DEFAULT_GAP_MINUTES) * 60_000).flatMap((w) => packTurns(w, limits, overlap));
  else texts = packByTokens(turns, limits, options.targetTokens ?? 300);
  return texts.map((t, index) => ({ index, text: t, hash: chunkHash(t), tokens: estimateTokens(t) }));
}

/** Turns above the hard bound become several plain-text pieces, each then a turn of its own. */
function cutLongTurns(turns: readonly string[], limits: Limits): string[] {
  return turns.flatMap((turn) => (turn.length <= limits.maxChars ? [turn] : textSections(turn).flatMap((s) => chunkSection(s, limits))));
}

function slidingWindows(turns: readonly string[], limits: Limits, windowTurns: number, overlap: number): string[] {
  if (!Number.isSafeInteger(windowTurns) || windowTurns < 1) throw new RangeError(`chunking option windowTurns must be a positive integer, got ${String(windowTurns)}`);
  if (overlap >= windowTurns) throw new RangeError(`chunking option overlapTurns (${overlap}) must be less than windowTurns (${windowTurns})`);
  const texts: string[] = [];
  for (let start = 0; start < turns.length;) {
    let chars = 0;
    let end = start;
    // A window stops early rather than pass the hard bound; it always holds one turn.
    while (end < turns.length && end - start < windowTurns && (end === start || chars + turns[end]!.length + 1 <= limits.maxChars)) {
      chars += turns[end]!.length + 1;
      end += 1;
    }
    texts.push(turns.slice(start, end).join('\n'));
    if (end >= turns.length) break;
    start += Math.max(1, end - start - overlap);
  }
  return texts;
}

/** The epoch ms a turn starts with, if it starts with a date-time. */
export function turnTime(turn: string): number | undefined {
  const m = TURN_TIME.exec(turn);
  if (!m) return undefined;
  const at = Date.parse(`${m[1]}T${m[2]}${m[3] ?? 'Z'}`);
  return Number.isNaN(at) ? undefined : at;
}

/** Runs of turns with no gap above `gapMs` between consecutive timed turns (an untimed turn joins the run). */
function timeWindows(turns: readonly string[], gapMs: number): string[][] {
  const windows: string[][] = [];
  let current: string[] = [];
  let last: number | undefined;
  for (const turn of turns) {
    const at = turnTime(turn);
    if (at !== undefined && last !== undefined && at - last > gapMs && current.length > 0) {
      windows.push(current);
      current = [];
    }
    if (at !== undefined) last = at;
    current.push(turn);
  }
  if (current.length > 0) windows.push(current);
  return windows;
}

/** Whole turns packed up to `targetTokens` cl100k tokens (and never past the hard bound in characters). */
function packByTokens(turns: readonly string[], limits: Limits, targetTokens: number): string[] {
  const texts: string[] = [];
  let current: string[] = [];
  let tokens = 0;
  let chars = 0;
  for (const turn of turns) {
    const t = countTokens(turn) + 1;
    if (current.length > 0 && (tokens + t > targetTokens || chars + turn.length + 1 > limits.maxChars)) {
      texts.push(current.join('\n'));
      current = [];
      tokens = 0;
      chars = 0;
    }
    current.push(turn);
    tokens += t;
    chars += turn.length + 1;
  }
  if (current.length > 0) texts.push(current.join('\n'));
  return texts;
}
