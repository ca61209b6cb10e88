/**
 * Generated Markdown and the invariants every chunking must satisfy, shared by the chunker's
 * structure, locality and property tests.
 */
import { expect } from 'vitest';
import { chunkHash, embeddingText, estimateTokens } from '../../shared/core/chunker.ts';
import type { Chunk, ChunkingOptions } from '../../shared/core/chunker.ts';
import { mulberry32 } from '../../examples/generate-corpus.ts';

export const VOCABULARY = (
  'river delta source index vector embed chunk sync lease epoch tide current basin bank ' +
  'stream flow gauge sediment channel estuary meander levee spring brook creek harbor ' +
  'quay lock weir dam reservoir aquifer runoff watershed confluence tributary'
).split(' ');

export function pick<T>(rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)]!;
}

export function sentence(rand: () => number, words = 6 + Math.floor(rand() * 12)): string {
  const body = Array.from({ length: words }, () => pick(rand, VOCABULARY)).join(' ');
  return `${body[0]!.toUpperCase()}${body.slice(1)}${pick(rand, ['.', '.', '!', '?'])}`;
}

export function paragraph(rand: () => number, sentences = 1 + Math.floor(rand() * 5)): string {
  return Array.from({ length: sentences }, () => sentence(rand)).join(' ');
}

/** A long Markdown document whose section `i` has the unique heading `## Topic i`. */
export function longDocument(sectionCount: number, seed: number): { doc: string; headings: string[]; sections: string[] } {
  const rand = mulberry32(seed);
  const headings: string[] = [];
  const sections: string[] = [];
  for (let i = 0; i < sectionCount; i++) {
    const heading = `## Topic ${String(i).padStart(2, '0')}`;
    const paragraphs = Array.from({ length: 2 + Math.floor(rand() * 5) }, () => paragraph(rand));
    headings.push(heading);
    sections.push([heading, ...paragraphs].join('\n\n'));
  }
  return { doc: `# Handbook\n\nPreamble text about the handbook.\n\n${sections.join('\n\n')}\n`, headings, sections };
}

/** Chunks of the section with this heading: its first chunk and every chunk carrying its prefix. */
export function belongsTo(chunk: Chunk, heading: string): boolean {
  return chunk.text === heading || chunk.text.startsWith(`${heading}\n`);
}

/** Index range [start, end) of a section's chunks, asserting they are contiguous. */
export function sectionRange(chunks: readonly Chunk[], heading: string): [number, number] {
  const indexes = chunks.filter((c) => belongsTo(c, heading)).map((c) => c.index);
  expect(indexes.length).toBeGreaterThan(0);
  const start = indexes[0]!;
  expect(indexes).toEqual(indexes.map((_, i) => start + i));
  return [start, start + indexes.length];
}

export function words(text: string): string[] {
  return text.split(/\s+/).filter((w) => w !== '');
}

/** Whether `needle` occurs in order (not necessarily adjacent) within `haystack`. */
export function isSubsequence(needle: readonly string[], haystack: readonly string[]): boolean {
  let j = 0;
  for (const word of haystack) {
    if (j < needle.length && word === needle[j]) j++;
  }
  return j === needle.length;
}

/**
 * Invariants every chunking must satisfy. `wholeWords`: the input's words survive intact (true
 * unless the target is so small that words themselves must be cut).
 */
export function assertInvariants(chunks: readonly Chunk[], input: string, options: ChunkingOptions, wholeWords = true): void {
  // Collected rather than asserted one by one: the property test checks thousands of chunks.
  const problems: string[] = [];
  chunks.forEach((chunk, i) => {
    if (chunk.index !== i) problems.push(`chunk ${i}: index ${chunk.index}`);
    if (chunk.text.trim() === '') problems.push(`chunk ${i}: empty`);
    if (chunk.text !== chunk.text.trimEnd()) problems.push(`chunk ${i}: trailing whitespace`);
    if (chunk.text.includes('\r')) problems.push(`chunk ${i}: CR`);
    if (chunk.tokens !== estimateTokens(chunk.text)) problems.push(`chunk ${i}: tokens ${chunk.tokens}`);
    if (chunk.tokens > options.maxTokens) problems.push(`chunk ${i}: ${chunk.tokens} > maxTokens`);
    if (chunk.hash !== chunkHash(embeddingText(chunk))) problems.push(`chunk ${i}: hash`);
  });
  const output = chunks.map((c) => c.text).join('\n');
  // Repeated heading prefixes only add words, so the input's words must be a subsequence...
  if (wholeWords && !isSubsequence(words(input), words(output))) problems.push('input words lost or reordered');
  // ...and in any case every non-whitespace character survives, in order.
  if (!isSubsequence([...input.replace(/\s/g, '')], [...output.replace(/\s/g, '')])) problems.push('input characters lost');
  expect(problems).toEqual([]);
}

// ---------------------------------------------------------------------------------------------
