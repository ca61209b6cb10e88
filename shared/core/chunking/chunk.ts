/**
 * A chunk and its measures: the token estimate every limit is computed in, and the hash that
 * identifies a chunk's text.
 */
import { createHash } from 'node:crypto';

/** One chunk of a document, ready to embed. */
export interface Chunk {
  /** Position in the document, contiguous from 0. */
  index: number;
  /** Chunk text: never empty, no trailing whitespace, LF line endings. */
  text: string;
  /** `chunkHash(text)`: lets the sync engine skip re-embedding unchanged chunks. */
  hash: string;
  /** `estimateTokens(text)`; never above `maxTokens`. */
  tokens: number;
}

/**
 * Characters per token of {@link estimateTokens}. A character ratio (rather than 0.75 words per
 * token) is used because it bounds the size of *any* text, including code, URLs and languages
 * without spaces, and because it lets the packer budget in string lengths with no re-counting.
 */
export const CHARS_PER_TOKEN = 4;

/**
 * Approximate token count: one token per 4 characters (UTF-16 code units), rounded up.
 * This is the usual rule of thumb for English with BPE tokenizers; it is deliberately a pure
 * function of the length so that limits computed from it are exact and cheap to enforce.
 */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

/** sha256 hex digest of the chunk text (UTF-8). */
export function chunkHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
