/**
 * Structure-aware chunker.
 *
 * The point of Tributary is that an edit re-embeds as few chunks as possible, so the chunker is
 * built around one property: **locality**. A document is first cut into sections (Markdown ATX
 * headings, or runs of 2+ blank lines in plain text), and each section is chunked on its own,
 * looking at nothing but its own text and the options. Editing a section can therefore only change
 * that section's chunks; every other chunk keeps byte-identical text and hash (its index shifts
 * only when the edited section gains or loses chunks).
 *
 * Pipeline per section: blocks (blank-line separated; fenced code, lists and tables kept whole)
 * → blocks above the hard limit are cut into units at line (for multi-line blocks such as code,
 * lists and tables), sentence, word, then character boundaries → units are packed greedily up to
 * `targetTokens`, never across a section boundary. Everything is a single linear
 * pass over lines and units, so a 5,000-word document takes on the order of a millisecond.
 */
import { chunkContext, chunkHash, embeddingText, estimateTokens, type Chunk } from './chunking/chunk.ts';
import { conversationChunks } from './chunking/conversation.ts';
import { markdownSections } from './chunking/markdown-sections.ts';
import { chunkingSignature, resolveLimits, type ChunkingOptions } from './chunking/options.ts';
import { chunkSection } from './chunking/packing.ts';
import type { ChunkPayload } from '../ports/index.ts';
import { textSections } from './chunking/sections.ts';
import { strategyChunks } from './chunking/strategies.ts';

export { MAX_CONTEXT_CHARS, chunkContext, chunkHash, embeddingText, estimateTokens, type Chunk } from './chunking/chunk.ts';
export { TURN_SEPARATOR } from './chunking/conversation.ts';
export { CONVERSATION_STRATEGIES, type ConversationStrategy } from './chunking/strategies.ts';
export { DEFAULT_CHUNKING, chunkingSignature, type ChunkingOptions } from './chunking/options.ts';

/**
 * Splits a document into chunks.
 *
 * - `markdown`: sections start at ATX headings (`#`..`######`) outside fenced code blocks and
 *   YAML front matter; text before the first heading is its own section. A section that is only
 *   headings (e.g. `# Title` directly followed by `## Intro`) is merged into the following section,
 *   so no chunk is a bare heading unless the document ends with one. Setext headings are treated
 *   as ordinary text.
 * - `text`: sections are separated by two or more blank lines (the whole text is one section if
 *   there are none); paragraphs are separated by one blank line.
 *
 * Chunks never span sections. In Markdown, every chunk of a section starts with the section's
 * heading line(s) followed by a blank line, so each chunk is self-describing. (A heading longer
 * than a quarter of `targetTokens` appears whole only in the first chunk; later chunks repeat
 * it truncated with `…`.)
 *
 * Each chunk's `context` is the document's `title` and (Markdown) the section's heading path,
 * `Title > Section > Subsection`: embedded and indexed with the chunk (its hash covers it), kept
 * out of its text. A section's chunks so depend on its ancestors' headings and the title too:
 * renaming a `##` heading re-embeds the chunks of the sections under it.
 *
 * @throws RangeError if an option is not a positive integer.
 */
export function chunkDocument(
  text: string,
  format: 'markdown' | 'text' | 'conversation',
  options: Partial<ChunkingOptions> = {},
  document: { readonly title?: string | undefined } = {},
): Chunk[] {
  const limits = resolveLimits(options);
  if (format === 'conversation') {
    const strategy = options.strategy ?? 'packed';
    const chunks = strategy === 'packed' ? conversationChunks(text, limits, options.overlapTurns ?? 0) : strategyChunks(text, strategy, limits, options);
    return withContext(chunks, chunkContext(document.title));
  }
  // Normalise line endings (CRLF and lone CR) and a leading BOM, which would hide a first heading.
  const normalised = text.replace(/\r\n?/g, '\n').replace(/^\uFEFF/, '');
  if (!/\S/.test(normalised)) return [];

  const sections = format === 'markdown' ? markdownSections(normalised) : textSections(normalised);
  const chunks: Chunk[] = [];
  for (const section of sections) {
    const context = chunkContext(document.title, section.path);
    for (const chunkText of chunkSection(section, limits)) {
      const chunk: Chunk = { index: chunks.length, text: chunkText, hash: '', tokens: estimateTokens(chunkText), ...(context !== undefined ? { context } : {}) };
      chunk.hash = chunkHash(embeddingText(chunk));
      chunks.push(chunk);
    }
  }
  return chunks;
}

/** Chunks given one context (a conversation's title), their hashes recomputed over it. */
function withContext(chunks: Chunk[], context: string | undefined): Chunk[] {
  if (context === undefined) return chunks;
  return chunks.map((c) => {
    const chunk: Chunk = { ...c, context };
    chunk.hash = chunkHash(embeddingText(chunk));
    return chunk;
  });
}

/** A chunk as an embed task carries it. */
export function chunkPayload(chunk: Chunk): ChunkPayload {
  return { index: chunk.index, hash: chunk.hash, text: chunk.text, ...(chunk.context !== undefined ? { context: chunk.context } : {}) };
}

/**
 * What the ledger records as a document's `chunker`: the chunking's signature and, for an
 * index profile with its own model, that model (so changing it re-indexes the profile; a source
 * without profiles records the chunking alone, as ever).
 */
export function ledgerChunker(settings: { readonly chunking?: Partial<ChunkingOptions> | undefined; readonly embedding?: string | undefined } | undefined): string {
  const base = chunkingSignature(settings?.chunking);
  return settings?.embedding !== undefined ? `${base}+${settings.embedding}` : base;
}

/** Whether two ledger chunker signatures were embedded with the same model: their vectors of equal texts are interchangeable. */
export function sameEmbedding(a: string | undefined, b: string | undefined): boolean {
  const model = (signature: string | undefined): string => (signature?.includes('+') ? signature.slice(signature.indexOf('+') + 1) : '');
  return model(a) === model(b);
}
