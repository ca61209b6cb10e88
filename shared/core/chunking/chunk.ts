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
  /** `chunkHash(embeddingText(chunk))`: lets the sync engine skip re-embedding unchanged chunks. */
  hash: string;
  /** `estimateTokens(text)`; never above `maxTokens`. */
  tokens: number;
  /**
   * Where the chunk sits: the document's title and the chunk's heading path
   * (`Title > Section > Subsection`), embedded and full-text indexed with the text but not
   * part of it (the text is what search shows). Absent when the document has neither.
   */
  context?: string;
}

/** Separates a chunk's context from its text in what is embedded and indexed. */
const CONTEXT_SEPARATOR = '\n\n';
/** Context longer than this is cut (with `…`): it frames the chunk, it must not outweigh it. */
export const MAX_CONTEXT_CHARS = 200;

/** What is embedded (and hashed) for a chunk: its context, a blank line, its text. */
export function embeddingText(chunk: { readonly text: string; readonly context?: string | undefined }): string {
  return chunk.context ? `${chunk.context}${CONTEXT_SEPARATOR}${chunk.text}` : chunk.text;
}

/**
 * A chunk's context: the title, then the heading path (its first entry dropped when it repeats
 * the title, as a Markdown file's `# Title` does), joined by ` > `, at most
 * {@link MAX_CONTEXT_CHARS}; undefined when there is nothing to say.
 */
export function chunkContext(title: string | undefined, path: readonly string[] = []): string | undefined {
  const head = title?.replace(/\s+/g, ' ').trim();
  const rest = head && path[0]?.toLowerCase() === head.toLowerCase() ? path.slice(1) : path;
  const parts = [...(head ? [head] : []), ...rest];
  if (parts.length === 0) return undefined;
  const joined = parts.join(' > ');
  return joined.length <= MAX_CONTEXT_CHARS ? joined : `${joined.slice(0, MAX_CONTEXT_CHARS - 1)}…`;
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
