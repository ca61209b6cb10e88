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
import { chunkHash, estimateTokens, type Chunk } from './chunking/chunk.ts';
import { markdownSections } from './chunking/markdown-sections.ts';
import { resolveLimits, type ChunkingOptions, type Limits } from './chunking/options.ts';
import { chunkSection } from './chunking/packing.ts';
import { textSections } from './chunking/sections.ts';

export { chunkHash, estimateTokens, type Chunk } from './chunking/chunk.ts';
export { DEFAULT_CHUNKING, chunkingSignature, type ChunkingOptions } from './chunking/options.ts';

/**
 * Separates the turns of a `conversation` document's text (ASCII record separator). Connectors
 * join turns with it; the chunker packs whole turns, and chunk texts join them with a newline,
 * so the separator never reaches an index.
 */
export const TURN_SEPARATOR = '\u001e';

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
 * @throws RangeError if an option is not a positive integer.
 */
export function chunkDocument(
  text: string,
  format: 'markdown' | 'text' | 'conversation',
  options: Partial<ChunkingOptions> = {},
): Chunk[] {
  const limits = resolveLimits(options);
  if (format === 'conversation') return conversationChunks(text, limits, options.overlapTurns ?? 0);
  // Normalise line endings (CRLF and lone CR) and a leading BOM, which would hide a first heading.
  const normalised = text.replace(/\r\n?/g, '\n').replace(/^\uFEFF/, '');
  if (!/\S/.test(normalised)) return [];

  const sections = format === 'markdown' ? markdownSections(normalised) : textSections(normalised);
  const chunks: Chunk[] = [];
  for (const section of sections) {
    for (const chunkText of chunkSection(section, limits)) {
      chunks.push({ index: chunks.length, text: chunkText, hash: chunkHash(chunkText), tokens: estimateTokens(chunkText) });
    }
  }
  return chunks;
}

/**
 * `conversation`: whole turns (split on {@link TURN_SEPARATOR}) packed greedily, in order, up to
 * `targetTokens`; a turn above `maxTokens` is chunked alone as plain text. Packing runs from the
 * first turn, so a chunk's text depends only on the turns from its start up to its end: appending
 * a message changes at most the last chunk (or adds one), and editing a message changes only the
 * chunk(s) holding it and the ones after it whose boundaries shift. With `overlapTurns` > 0, each
 * chunk after the first starts with that many of the previous chunk's last turns (a sliding window);
 * every chunk still holds at least one new turn.
 */
function conversationChunks(text: string, limits: Limits, overlapTurns: number): Chunk[] {
  if (!Number.isSafeInteger(overlapTurns) || overlapTurns < 0) {
    throw new RangeError(`chunking option overlapTurns must be a non-negative integer, got ${String(overlapTurns)}`);
  }
  const turns = text.split(TURN_SEPARATOR)
    .map((t) => t.replace(/\r\n?/g, '\n').replace(/[ \t]+$/gm, '').replace(/^\n+|\s+$/g, ''))
    .filter((t) => /\S/.test(t));
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
  return texts.map((t, index) => ({ index, text: t, hash: chunkHash(t), tokens: estimateTokens(t) }));
}
