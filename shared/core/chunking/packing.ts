/**
 * Packing: a section's blocks cut into units and packed greedily into chunk texts, each one
 * starting with the section's heading.
 */
import type { Limits } from './options.ts';
import type { Section } from './sections.ts';
import { cutIndex, splitOversize, type Unit } from './units.ts';

const BLOCK_SEP = '\n\n';

/** The chunk texts of one section, which depend on nothing but the section and the limits. */
export function chunkSection(section: Section, limits: Limits): string[] {
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
