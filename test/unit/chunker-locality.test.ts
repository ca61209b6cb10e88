import { describe, it, expect } from 'vitest';
import { chunkDocument } from '../../shared/core/chunker.ts';
import type { Chunk, ChunkingOptions } from '../../shared/core/chunker.ts';
import { mulberry32 } from '../../examples/generate-corpus.ts';
import { VOCABULARY, assertInvariants, belongsTo, longDocument, paragraph, pick, sectionRange, sentence } from '../support/chunker-fixtures.ts';

describe('chunkDocument: locality', () => {
  const options = { targetTokens: 60, maxTokens: 120 };

  /** Asserts that only the chunks of `heading`'s section differ between `before` and `after`. */
  function assertOnlySectionChanged(before: readonly Chunk[], after: readonly Chunk[], heading: string): void {
    const [startBefore, endBefore] = sectionRange(before, heading);
    const [startAfter, endAfter] = sectionRange(after, heading);
    const hashes = (chunks: readonly Chunk[]): string[] => chunks.map((c) => c.hash);

    // Everything before the section: same hashes, same indexes.
    expect(startAfter).toBe(startBefore);
    expect(hashes(after.slice(0, startAfter))).toEqual(hashes(before.slice(0, startBefore)));
    // Everything after the section: same hash sequence (indexes shift only by the count change).
    expect(hashes(after.slice(endAfter))).toEqual(hashes(before.slice(endBefore)));
    // And the section itself did change.
    expect(hashes(after.slice(startAfter, endAfter))).not.toEqual(hashes(before.slice(startBefore, endBefore)));
    // Every new hash belongs to the edited section.
    const old = new Set(hashes(before));
    const fresh = after.filter((c) => !old.has(c.hash));
    expect(fresh.length).toBeGreaterThan(0);
    for (const chunk of fresh) expect(belongsTo(chunk, heading)).toBe(true);
  }

  it('a word edit in a middle section changes only that section\'s chunks', () => {
    // Prepare
    const { doc, headings, sections } = longDocument(20, 21);
    const target = 10;
    const section = sections[target]!;
    // Same-length edit (upper-casing the first sentence's last word) so the packing is unchanged.
    const edited = doc.replace(section, section.replace(/\b(\w+)\.\s/, (m) => m.toUpperCase()));
    expect(edited).not.toBe(doc);

    // Act
    const before = chunkDocument(doc, 'markdown', options);
    const after = chunkDocument(edited, 'markdown', options);

    // Assess
    expect(before.length).toBeGreaterThan(25);
    assertOnlySectionChanged(before, after, headings[target]!);
    expect(after.length).toBe(before.length);
  });

  it('appending a paragraph to one section changes only that section\'s chunks', () => {
    // Prepare
    const { doc, headings, sections } = longDocument(20, 34);
    const target = 6;
    const section = sections[target]!;
    const extra = paragraph(mulberry32(99), 12);
    const edited = doc.replace(section, `${section}\n\n${extra}`);

    // Act
    const before = chunkDocument(doc, 'markdown', options);
    const after = chunkDocument(edited, 'markdown', options);

    // Assess
    assertOnlySectionChanged(before, after, headings[target]!);
    expect(after.length).toBeGreaterThan(before.length);
    const [start, end] = sectionRange(after, headings[target]!);
    // Indexes of later sections shift exactly by the number of added chunks.
    const shift = after.length - before.length;
    for (const chunk of after.slice(end)) expect(before[chunk.index - shift]!.hash).toBe(chunk.hash);
    expect(start).toBeGreaterThan(0);
  });

  it('plain text: a document chunks as the concatenation of its sections, so edits stay local', () => {
    // Prepare
    const rand = mulberry32(55);
    const parts = Array.from({ length: 12 }, (_, i) =>
      [`Part ${i} begins here.`, ...Array.from({ length: 3 }, () => paragraph(rand))].join('\n\n'));
    const doc = parts.join('\n\n\n');
    const editedParts = parts.map((part, i) => (i === 4 ? `${part}\n\n${paragraph(rand, 10)}` : part));
    const edited = editedParts.join('\n\n\n');
    const perPart = (ps: readonly string[]): string[][] => ps.map((p) => chunkDocument(p, 'text', options).map((c) => c.hash));

    // Act
    const before = chunkDocument(doc, 'text', options).map((c) => c.hash);
    const after = chunkDocument(edited, 'text', options).map((c) => c.hash);

    // Assess
    const beforeParts = perPart(parts);
    const afterParts = perPart(editedParts);
    expect(before).toEqual(beforeParts.flat());
    expect(after).toEqual(afterParts.flat());
    expect(afterParts[4]).not.toEqual(beforeParts[4]);
    for (const i of [0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11]) expect(afterParts[i]).toEqual(beforeParts[i]);
  });
});

describe('chunkDocument: generated documents (property test)', () => {
  function generate(rand: () => number): string {
    const lines: string[] = [];
    if (rand() < 0.3) lines.push(paragraph(rand), '');
    const sectionCount = 1 + Math.floor(rand() * 8);
    for (let s = 0; s < sectionCount; s++) {
      // Mostly short headings, sometimes one too long for the context prefix.
      const headingWords = rand() < 0.1 ? 20 + Math.floor(rand() * 80) : 3;
      if (rand() < 0.9) lines.push(`${'#'.repeat(1 + Math.floor(rand() * 6))} ${sentence(rand, headingWords)}`, '');
      const blockCount = Math.floor(rand() * 6);
      for (let b = 0; b < blockCount; b++) {
        const kind = rand();
        if (kind < 0.5) lines.push(paragraph(rand));
        else if (kind < 0.6) lines.push('```', `# ${sentence(rand, 3)}`, '', sentence(rand), '```');
        else if (kind < 0.7) lines.push(...Array.from({ length: 2 + Math.floor(rand() * 4) }, () => `- ${sentence(rand, 4)}`));
        else if (kind < 0.8) lines.push('| a | b |', '|---|---|', `| ${pick(rand, VOCABULARY)} | ${pick(rand, VOCABULARY)} |`);
        else if (kind < 0.9) lines.push(paragraph(rand, 20 + Math.floor(rand() * 60))); // oversize
        else lines.push(Array.from({ length: 50 + Math.floor(rand() * 200) }, () => pick(rand, VOCABULARY)).join(' ')); // no sentences
        lines.push(...Array.from({ length: 1 + Math.floor(rand() * 3) }, () => (rand() < 0.2 ? '  ' : '')));
      }
    }
    const text = lines.join('\n');
    return rand() < 0.3 ? text.replace(/\n/g, '\r\n') : text;
  }

  it('holds the invariants for 50 seeded random documents', () => {
    const rand = mulberry32(20240607);
    for (let run = 0; run < 50; run++) {
      // Prepare
      const doc = generate(rand);
      // Mostly realistic sizes; sometimes tiny ones that force hard cuts and drop the prefix.
      const tiny = rand() < 0.15;
      const targetTokens = tiny ? 1 + Math.floor(rand() * 8) : 20 + Math.floor(rand() * 180);
      const options: ChunkingOptions = { targetTokens, maxTokens: targetTokens + Math.floor(rand() * 2 * targetTokens) };
      const format = rand() < 0.75 ? 'markdown' : 'text';

      // Act
      const chunks = chunkDocument(doc, format, options);

      // Assess
      expect(chunks.length).toBeGreaterThan(0);
      assertInvariants(chunks, doc, options, !tiny);
      expect(chunkDocument(doc, format, options)).toEqual(chunks);
    }
  });
});
