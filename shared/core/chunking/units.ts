/**
 * Units: the pieces a block above the hard limit is cut into, at line, sentence, word, then
 * character boundaries.
 */

/** A piece of a section that is never split again, and the separator that preceded it. */
export interface Unit {
  readonly text: string;
  readonly sep: string;
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
export function splitOversize(text: string, firstSep: string, budget: number, level: number, out: Unit[]): void {
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
export function cutIndex(text: string, start: number, length: number): number {
  const end = start + length;
  if (end >= text.length) return text.length;
  const last = text.charCodeAt(end - 1);
  return last >= 0xd800 && last <= 0xdbff && length > 1 ? end - 1 : end;
}
