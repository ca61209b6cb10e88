import { describe, it, expect } from 'vitest';
import { DEFAULT_CHUNKING, chunkDocument, chunkHash, estimateTokens } from '../../shared/core/chunker.ts';
import { mulberry32 } from '../../examples/generate-corpus.ts';
import { assertInvariants, belongsTo, longDocument, paragraph, sentence } from '../support/chunker-fixtures.ts';

describe('estimateTokens / chunkHash', () => {
  it('counts about four characters per token, rounding up', () => {
    // Prepare
    const samples = ['', 'a', 'abcd', 'abcde', 'x'.repeat(400)];

    // Act
    const tokens = samples.map(estimateTokens);

    // Assess
    expect(tokens).toEqual([0, 1, 1, 2, 100]);
  });

  it('hashes the chunk text with sha256 hex', () => {
    // Prepare
    const text = 'abc';

    // Act
    const hash = chunkHash(text);

    // Assess
    expect(hash).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('exposes the documented defaults', () => {
    // Assess
    expect(DEFAULT_CHUNKING).toEqual({ targetTokens: 300, maxTokens: 800 });
  });
});

describe('chunkDocument: structure', () => {
  it('returns no chunks for empty or whitespace-only input', () => {
    // Prepare
    const inputs = ['', '   ', '\n\n\r\n\t \n'];

    // Act
    const results = inputs.flatMap((input) => [chunkDocument(input, 'markdown'), chunkDocument(input, 'text')]);

    // Assess
    for (const result of results) expect(result).toEqual([]);
  });

  it('splits Markdown into sections at headings and keeps the preamble separate', () => {
    // Prepare
    const doc = 'Intro line.\n\n# One\n\nAlpha.\n\n## Two\nBeta.\n\n###### Six\n\nGamma.\n';

    // Act
    const chunks = chunkDocument(doc, 'markdown');

    // Assess
    expect(chunks.map((c) => c.text)).toEqual(['Intro line.', '# One\n\nAlpha.', '## Two\n\nBeta.', '###### Six\n\nGamma.']);
    expect(chunks.map((c) => c.index)).toEqual([0, 1, 2, 3]);
  });

  it('does not treat # lines inside fenced code (``` or ~~~) or indented 4+ spaces as headings', () => {
    // Prepare
    const doc = [
      '# Setup',
      '',
      '```bash',
      '# install the tool',
      '',
      'npm ci',
      '```',
      '',
      '~~~~python',
      '## not a heading',
      '~~~',
      '# still code: a closing fence must be at least as long',
      '~~~~',
      '',
      '    # indented code',
      '',
      '#hashtag is not a heading either',
      '',
      '# Next',
      '',
      'Done.',
    ].join('\n');

    // Act
    const chunks = chunkDocument(doc, 'markdown');

    // Assess
    expect(chunks).toHaveLength(2);
    expect(chunks[0]!.text.startsWith('# Setup\n')).toBe(true);
    expect(chunks[0]!.text).toContain('# install the tool\n\nnpm ci');
    expect(chunks[0]!.text).toContain('# still code');
    expect(chunks[0]!.text).toContain('#hashtag');
    expect(chunks[1]!.text).toBe('# Next\n\nDone.');
  });

  it('ignores # comments inside YAML front matter', () => {
    // Prepare
    const doc = '---\ntitle: Guide\n# a yaml comment\n---\n\n# Guide\n\nBody.';

    // Act
    const chunks = chunkDocument(doc, 'markdown');

    // Assess
    expect(chunks.map((c) => c.text)).toEqual(['---\ntitle: Guide\n# a yaml comment\n---', '# Guide\n\nBody.']);
  });

  it('merges heading-only sections into the following section and drops empty sections', () => {
    // Prepare
    const doc = '\n\n# Title\n\n## Intro\n\nHello.\n\n## Trailing\n';

    // Act
    const chunks = chunkDocument(doc, 'markdown');

    // Assess
    expect(chunks.map((c) => c.text)).toEqual(['# Title\n## Intro\n\nHello.', '## Trailing']);
  });

  it('keeps fenced code blocks, lists and tables whole when they fit', () => {
    // Prepare
    const code = '```ts\nconst a = 1;\n\nconst b = 2;\n```';
    const list = '- first item\n- second item\n\n- third item after a blank line\n  continued';
    const table = '| a | b |\n|---|---|\n| 1 | 2 |';
    const filler = paragraph(mulberry32(7), 4);
    const doc = `## S\n\n${filler}\n\n${code}\n\n${filler}\n\n${list}\n\n${filler}\n\n${table}\n\n${filler}`;
    // Small target: every block lands in its own chunk, so a split block would show up.
    const options = { targetTokens: 10, maxTokens: 200 };

    // Act
    const chunks = chunkDocument(doc, 'markdown', options);

    // Assess
    const texts = chunks.map((c) => c.text);
    expect(texts).toContain(`## S\n\n${code}`);
    expect(texts).toContain(`## S\n\n${list}`);
    expect(texts).toContain(`## S\n\n${table}`);
  });

  it('packs consecutive blocks of a section up to targetTokens and never across sections', () => {
    // Prepare
    const rand = mulberry32(42);
    const paragraphs = Array.from({ length: 30 }, () => sentence(rand, 8));
    const doc = `# A\n\n${paragraphs.join('\n\n')}\n\n# B\n\nShort.`;
    const options = { targetTokens: 60, maxTokens: 120 };

    // Act
    const chunks = chunkDocument(doc, 'markdown', options);

    // Assess
    const sectionA = chunks.filter((c) => belongsTo(c, '# A'));
    expect(sectionA.length).toBeGreaterThan(2);
    for (const chunk of sectionA) expect(chunk.tokens).toBeLessThanOrEqual(options.targetTokens);
    // Greedy: no chunk could have taken the next paragraph without exceeding the target.
    for (const [i, chunk] of sectionA.slice(0, -1).entries()) {
      const nextParagraph = sectionA[i + 1]!.text.slice('# A\n\n'.length).split('\n\n')[0]!;
      expect(estimateTokens(`${chunk.text}\n\n${nextParagraph}`)).toBeGreaterThan(options.targetTokens);
    }
    // Section B stands alone even though it would fit into A's last chunk.
    expect(chunks.at(-1)!.text).toBe('# B\n\nShort.');
  });

  it('repeats the heading line as context at the start of every later chunk of a section', () => {
    // Prepare
    const rand = mulberry32(3);
    const doc = `### Deep heading\n\n${Array.from({ length: 12 }, () => paragraph(rand)).join('\n\n')}`;

    // Act
    const chunks = chunkDocument(doc, 'markdown', { targetTokens: 50, maxTokens: 100 });

    // Assess
    expect(chunks.length).toBeGreaterThan(3);
    for (const chunk of chunks) expect(chunk.text.startsWith('### Deep heading\n\n')).toBe(true);
  });

  it('truncates a heading too long for the context prefix, keeping it whole in the first chunk', () => {
    // Prepare
    const rand = mulberry32(17);
    const heading = `## ${sentence(rand, 30)}`;
    const doc = `${heading}\n\n${Array.from({ length: 10 }, () => paragraph(rand)).join('\n\n')}`;
    const options = { targetTokens: 60, maxTokens: 120 };

    // Act
    const chunks = chunkDocument(doc, 'markdown', options);

    // Assess
    expect(chunks[0]!.text.startsWith(`${heading}\n\n`)).toBe(true);
    const prefix = chunks[1]!.text.split('\n\n')[0]!;
    expect(prefix.endsWith('…')).toBe(true);
    expect(heading.startsWith(prefix.slice(0, -1))).toBe(true);
    expect(estimateTokens(prefix)).toBeLessThanOrEqual(options.targetTokens / 4);
    for (const chunk of chunks.slice(1)) expect(chunk.text.startsWith(`${prefix}\n\n`)).toBe(true);
    assertInvariants(chunks, doc, options);
  });

  it('splits an oversize paragraph at sentence boundaries within maxTokens', () => {
    // Prepare
    const rand = mulberry32(11);
    const long = Array.from({ length: 60 }, () => sentence(rand, 10)).join(' ');
    const doc = `## Big\n\n${long}`;
    const options = { targetTokens: 80, maxTokens: 150 };

    // Act
    const chunks = chunkDocument(doc, 'markdown', options);

    // Assess
    expect(estimateTokens(long)).toBeGreaterThan(options.maxTokens);
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) {
      expect(chunk.tokens).toBeLessThanOrEqual(options.maxTokens);
      expect(chunk.text).toMatch(/[.!?]$/); // Every piece ends at a sentence end.
    }
    expect(chunks.map((c) => c.text.slice('## Big\n\n'.length)).join(' ')).toBe(long);
  });

  it('falls back to word and then hard splits when there are no sentence boundaries', () => {
    // Prepare
    const wordy = Array.from({ length: 400 }, (_, i) => `word${i}`).join(' ');
    const blob = 'z'.repeat(5000);
    const options = { targetTokens: 30, maxTokens: 40 };

    // Act
    const wordChunks = chunkDocument(wordy, 'text', options);
    const blobChunks = chunkDocument(blob, 'text', options);

    // Assess
    for (const chunk of [...wordChunks, ...blobChunks]) expect(chunk.tokens).toBeLessThanOrEqual(options.maxTokens);
    expect(wordChunks.map((c) => c.text).join(' ')).toBe(wordy);
    expect(blobChunks.map((c) => c.text).join('')).toBe(blob);
    expect(blobChunks.length).toBeGreaterThan(1);
  });

  it('splits plain text into sections at 2+ blank lines and into paragraphs at one', () => {
    // Prepare
    const doc = 'Para one.\n\nPara two.\n\n\nSection two.\n \n\t\n\nSection three.';

    // Act
    const chunks = chunkDocument(doc, 'text');

    // Assess
    expect(chunks.map((c) => c.text)).toEqual(['Para one.\n\nPara two.', 'Section two.', 'Section three.']);
  });

  it('keeps indexes contiguous from 0 and tokens/hash consistent', () => {
    // Prepare
    const { doc } = longDocument(20, 5);
    const options = { targetTokens: 40, maxTokens: 90 };

    // Act
    const chunks = chunkDocument(doc, 'markdown', options);

    // Assess
    expect(chunks.length).toBeGreaterThan(20);
    assertInvariants(chunks, doc, options);
  });

  it('is deterministic', () => {
    // Prepare
    const { doc } = longDocument(10, 9);

    // Act
    const first = chunkDocument(doc, 'markdown', { targetTokens: 50 });
    const second = chunkDocument(doc, 'markdown', { targetTokens: 50 });

    // Assess
    expect(second).toEqual(first);
  });

  it('gives identical chunks for CRLF and LF input', () => {
    // Prepare
    const { doc } = longDocument(8, 13);
    const crlf = doc.replace(/\n/g, '\r\n');

    // Act
    const fromLf = chunkDocument(doc, 'markdown', { targetTokens: 40 });
    const fromCrlf = chunkDocument(crlf, 'markdown', { targetTokens: 40 });
    const textLf = chunkDocument(doc, 'text', { targetTokens: 40 });
    const textCrlf = chunkDocument(crlf, 'text', { targetTokens: 40 });

    // Assess
    expect(fromCrlf).toEqual(fromLf);
    expect(textCrlf).toEqual(textLf);
  });

  it('rejects options that are not positive integers and clamps target to max', () => {
    // Act / Assess
    expect(() => chunkDocument('x', 'text', { targetTokens: 0 })).toThrow(RangeError);
    expect(() => chunkDocument('x', 'text', { maxTokens: Number.NaN })).toThrow(RangeError);
    expect(() => chunkDocument('x', 'text', { targetTokens: 1.5 })).toThrow(RangeError);
    const clamped = chunkDocument(paragraph(mulberry32(1), 40), 'text', { targetTokens: 500, maxTokens: 50 });
    for (const chunk of clamped) expect(chunk.tokens).toBeLessThanOrEqual(50);
  });
});
