/**
 * The chunker's settings: the size knobs and their defaults, the signature a ledger records, and
 * the limits in characters that the rest of the chunker works with.
 */
import { CHARS_PER_TOKEN } from './chunk.ts';

/** Size knobs for {@link chunkDocument}. All values are in {@link estimateTokens} tokens. */
export interface ChunkingOptions {
  /** Chunks are packed up to about this many tokens. @default 300 */
  targetTokens: number;
  /** Hard upper bound; longer paragraphs are split at sentence, then word boundaries. @default 800 */
  maxTokens: number;
  /** `conversation` format only: turns repeated at the start of the next chunk. @default 0 */
  overlapTurns?: number;
  /**
   * `conversation` format only: how turns become chunks (see `strategies.ts`). Absent or
   * `packed`: whole turns packed to the target.
   */
  strategy?: 'packed' | 'message' | 'sliding' | 'temporal' | 'token-aware' | undefined;
  /** `sliding` only: turns per window. @default 6 */
  windowTurns?: number | undefined;
  /** `temporal` only: a gap between two turns longer than this starts a new chunk. @default 30 */
  gapMinutes?: number | undefined;
}

/** Defaults used for every option `chunkDocument` is not given. */
export const DEFAULT_CHUNKING: ChunkingOptions = Object.freeze({ targetTokens: 300, maxTokens: 800 });

/**
 * Identifies the chunker and its settings. The ledger records it per document, so a change
 * of settings (or of the algorithm: bump the version) re-chunks every document on the next
 * pass, while the embedding cache spares chunk texts that come out the same.
 */
export function chunkingSignature(options: Partial<ChunkingOptions> = {}): string {
  const o = { ...DEFAULT_CHUNKING, ...options };
  const overlap = o.overlapTurns ?? 0;
  // Overlap only changes conversation chunks; leaving it out at 0 keeps existing ledgers valid.
  // md2: chunks carry their title and heading path (`context`), embedded with them.
  const base = `md2/${o.targetTokens}/${o.maxTokens}${overlap > 0 ? `/o${overlap}` : ''}`;
  // Likewise the strategies: without one (or `packed`) the signature is what it always was.
  if (o.strategy === undefined || o.strategy === 'packed') return base;
  const knobs = o.strategy === 'sliding' ? `/w${o.windowTurns ?? 6}` : o.strategy === 'temporal' ? `/g${o.gapMinutes ?? 30}` : '';
  return `${base}/${o.strategy}${knobs}`;
}

/** The size knobs as character budgets. */
export interface Limits {
  /** Greedy packing stops before a chunk exceeds this many characters. */
  readonly targetChars: number;
  /** No chunk is ever longer than this many characters. */
  readonly maxChars: number;
}

/** @throws RangeError if an option is not a positive integer. */
export function resolveLimits(options: Partial<ChunkingOptions>): Limits {
  // `??` rather than spread: a caller bypassing exactOptionalPropertyTypes may pass `undefined`.
  const maxTokens = options.maxTokens ?? DEFAULT_CHUNKING.maxTokens;
  const requestedTarget = options.targetTokens ?? DEFAULT_CHUNKING.targetTokens;
  for (const [name, value] of [['maxTokens', maxTokens], ['targetTokens', requestedTarget]] as const) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new RangeError(`chunking option ${name} must be a positive integer, got ${String(value)}`);
    }
  }
  // A target above the hard bound can never be reached; the bound wins.
  const targetTokens = Math.min(requestedTarget, maxTokens);
  return { targetChars: targetTokens * CHARS_PER_TOKEN, maxChars: maxTokens * CHARS_PER_TOKEN };
}
