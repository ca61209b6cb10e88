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
import { textSections, type Section } from './chunking/sections.ts';

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

// ---------------------------------------------------------------------------------------------
// Packing

/** A piece of a section that is never split again, and the separator that preceded it. */
interface Unit {
  readonly text: string;
  readonly sep: string;
}

const BLOCK_SEP = '\n\n';

function chunkSection(section: Section, limits: Limits): string[] {
  const headingText = section.headings.join('\n');
  if (section.blocks.length === 0) return splitToChunks([headingText], '', false, limits);
  const prefix = contextPrefix(section.headings, limits);
  // Normal case: the heading fits the prefix whole, so it *is* the prefix of every chunk,
  // including the first. That keeps a short heading from ending up alone in a chunk when the
  // first paragraph is large. Otherwise (a heading too long for the prefix) the full heading is
  // the first block and later chunks carry the truncated prefix (or none, for tiny targets).
  if (headingText === '' || prefix === headingText + BLOCK_SEP) {
    return splitToChunks(section.blocks, prefix, true, limits);
  }
  return splitToChunks([headingText, ...section.blocks], prefix, false, limits, true);
}

/**
 * Cuts blocks into units and packs them greedily into chunk texts. `prefix` starts every chunk
 * after the first, and the first one too when `prefixFirst`. With `firstIsHeading`, the first
 * block is a (long) heading that should not end up alone in a chunk.
 */
function splitToChunks(
  blocks: readonly string[],
  prefix: string,
  prefixFirst: boolean,
  limits: Limits,
  firstIsHeading = false,
): string[] {
  // Units must leave room for the prefix. Using the same limits for every unit, wherever it
  // falls, keeps the cut independent of the packing.
  const unitBudget = limits.targetChars - prefix.length;
  const blockLimit = limits.maxChars - prefix.length;
  const units: Unit[] = [];
  let headingUnits = 0;
  for (const [i, block] of blocks.entries()) {
    if (i === 1 && firstIsHeading) headingUnits = units.length;
    if (block.length <= blockLimit) {
      units.push({ text: block, sep: BLOCK_SEP });
    } else {
      splitOversize(block, BLOCK_SEP, unitBudget, 0, units);
    }
  }

  // Greedy packing. A unit longer than the target (but within the hard limit) gets a chunk of
  // its own; several units together never exceed the target.
  const bodies: string[] = [];
  let parts: string[] = [];
  let length = 0;
  for (const [i, unit] of units.entries()) {
    // The first body unit may stretch the heading's chunk up to the hard limit rather than leave
    // the heading alone in a chunk. The heading-only chunk has no prefix.
    const joinsHeading = i === headingUnits && i > 0 && bodies.length === 0;
    const budget = joinsHeading ? limits.maxChars : bodies.length === 0 && !prefixFirst ? limits.targetChars : unitBudget;
    if (parts.length > 0 && length + unit.sep.length + unit.text.length > budget) {
      bodies.push(parts.join(''));
      parts = [];
      length = 0;
    }
    if (parts.length > 0) {
      parts.push(unit.sep);
      length += unit.sep.length;
    }
    parts.push(unit.text);
    length += unit.text.length;
  }
  if (parts.length > 0) bodies.push(parts.join(''));
  return bodies.map((body, i) => (i === 0 && !prefixFirst ? body : prefix + body).trimEnd());
}

/**
 * The heading context repeated at the start of a section's chunks. Capped at a quarter of
 * the target so it can never crowd out the content; a heading too long for that is truncated
 * (deterministically), and if even a stub would not fit there is no prefix.
 */
function contextPrefix(headings: readonly string[], limits: Limits): string {
  if (headings.length === 0) return '';
  const cap = Math.floor(limits.targetChars / 4) - BLOCK_SEP.length;
  if (cap < 8) return '';
  let heading = headings.join('\n');
  if (heading.length > cap) heading = `${heading.slice(0, cutIndex(heading, 0, cap - 1)).trimEnd()}…`;
  return heading + BLOCK_SEP;
}

/** Split levels for a block above the hard limit, coarsest first. */
const SPLIT_LEVELS = ['lines', 'sentences', 'words'] as const;
/** Sentence ends: terminal punctuation, optional closing quotes/brackets, then whitespace. */
const SENTENCE_BREAK = /(?<=[.!?…。！？]["'”’)\]]*)\s+/u;

/**
 * Cuts `text` into units no longer than `budget`, appending them to `out`. Tries line, then
 * sentence, then word boundaries, and finally hard cuts; each level only refines the pieces that
 * are still too long. Line breaks (and blank lines inside code) are kept as unit separators;
 * spacing between sentences or words is normalised to one space.
 */
function splitOversize(text: string, firstSep: string, budget: number, level: number, out: Unit[]): void {
  if (text.length <= budget) {
    out.push({ text, sep: firstSep });
    return;
  }
  for (let l = level; l < SPLIT_LEVELS.length; l++) {
    const pieces = splitAt(text, SPLIT_LEVELS[l]!);
    if (pieces.length > 1) {
      pieces.forEach((piece, i) => splitOversize(piece.text, i === 0 ? firstSep : piece.sep, budget, l + 1, out));
      return;
    }
  }
  // No boundary left (one huge "word"): hard cuts. Leading indentation is dropped first so no
  // piece can be whitespace only.
  const word = text.trim();
  for (let start = 0; start < word.length; ) {
    const end = cutIndex(word, start, budget);
    out.push({ text: word.slice(start, end), sep: start === 0 ? firstSep : '' });
    start = end;
  }
}

function splitAt(text: string, level: (typeof SPLIT_LEVELS)[number]): Unit[] {
  if (level === 'lines') {
    // Blank lines (e.g. inside code) become part of the next line's separator, not units.
    const units: Unit[] = [];
    let sep = '';
    for (const line of text.split('\n')) {
      const trimmed = line.trimEnd();
      if (trimmed === '') {
        sep += '\n';
      } else {
        units.push({ text: trimmed, sep: units.length === 0 ? '' : `\n${sep}` });
        sep = '';
      }
    }
    return units;
  }
  const pattern = level === 'sentences' ? SENTENCE_BREAK : /\s+/;
  return text
    .split(pattern)
    .filter((piece) => piece !== '')
    .map((piece) => ({ text: piece, sep: ' ' }));
}

/**
 * End of a cut of at most `length` code units starting at `start`, backing off one so a
 * surrogate pair is never cut in half (unless that would leave the cut empty).
 */
function cutIndex(text: string, start: number, length: number): number {
  const end = start + length;
  if (end >= text.length) return text.length;
  const last = text.charCodeAt(end - 1);
  return last >= 0xd800 && last <= 0xdbff && length > 1 ? end - 1 : end;
}
