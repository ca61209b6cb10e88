import { describe, it, expect } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { countWords, generateCorpus, writeCorpus } from '../../examples/generate-corpus.ts';
import type { CorpusOptions, GeneratedDoc } from '../../examples/generate-corpus.ts';

const DEFAULTS: CorpusOptions = { count: 300, seed: 42 };

function titleOf(doc: GeneratedDoc): string {
  return (doc.text.split('\n')[0] ?? '').replace(/^# /, '');
}

describe('generateCorpus', () => {
  it('returns identical documents for the same seed', () => {
    // Prepare
    const options: CorpusOptions = { count: 120, seed: 7 };

    // Act
    const first = generateCorpus(options);
    const second = generateCorpus({ ...options });

    // Assess
    expect(second).toEqual(first);
  });

  it('returns different documents for a different seed', () => {
    // Prepare
    const count = 60;

    // Act
    const a = generateCorpus({ count, seed: 1 });
    const b = generateCorpus({ count, seed: 2 });

    // Assess
    expect(b.map((doc) => doc.text)).not.toEqual(a.map((doc) => doc.text));
    expect(b.map((doc) => doc.path)).not.toEqual(a.map((doc) => doc.path));
  });

  it('returns exactly the requested number of documents, including none', () => {
    // Prepare
    const counts = [0, 1, 17, 300];

    // Act
    const lengths = counts.map((count) => generateCorpus({ count, seed: 3 }).length);

    // Assess
    expect(lengths).toEqual(counts);
  });

  it('rejects a count that is not a non-negative integer', () => {
    // Prepare
    const bad: CorpusOptions[] = [{ count: -1, seed: 1 }, { count: 2.5, seed: 1 }, { count: 3, seed: Number.NaN }];

    // Act
    const attempts = bad.map((options) => () => generateCorpus(options));

    // Assess
    for (const attempt of attempts) expect(attempt).toThrow(RangeError);
  });

  it('gives unique, relative POSIX paths ending in .md, spread over several nested folders', () => {
    // Prepare
    const docs = generateCorpus(DEFAULTS);

    // Act
    const paths = docs.map((doc) => doc.path);
    const topLevel = new Set(paths.map((path) => path.split('/')[0]));
    const nested = paths.filter((path) => path.split('/').length >= 3);

    // Assess
    expect(new Set(paths).size).toBe(paths.length);
    for (const path of paths) {
      expect(path).toMatch(/^[a-z0-9][a-z0-9-]*(\/[a-z0-9][a-z0-9-]*)*\.md$/);
      expect(path.split('/')).not.toContain('..');
    }
    expect(topLevel.size).toBeGreaterThanOrEqual(8);
    expect(nested.length).toBeGreaterThan(docs.length / 2);
  });

  it('covers short, medium and long documents in realistic proportions', () => {
    // Prepare
    const docs = generateCorpus(DEFAULTS);

    // Act
    const words = docs.map((doc) => countWords(doc.text));
    const short = words.filter((n) => n < 60).length;
    const medium = words.filter((n) => n >= 200 && n <= 1500).length;
    const long = words.filter((n) => n >= 2000 && n <= 5000).length;

    // Assess
    expect(short).toBeGreaterThanOrEqual(3);
    expect(short).toBeLessThanOrEqual(30);
    expect(medium / docs.length).toBeGreaterThan(0.7);
    expect(long / docs.length).toBeGreaterThan(0.04);
    expect(long / docs.length).toBeLessThan(0.2);
    expect(Math.max(...words)).toBeLessThanOrEqual(5000);
  });

  it('starts every document with an H1 title and gives longer ones ## and ### sections', () => {
    // Prepare
    const docs = generateCorpus(DEFAULTS);

    // Act
    const untitled = docs.filter((doc) => !doc.text.startsWith('# '));
    const sectioned = docs.filter((doc) => countWords(doc.text) >= 200);
    const unstructured = sectioned.filter((doc) => !/^## /m.test(doc.text) || !/^### /m.test(doc.text));

    // Assess
    expect(untitled).toEqual([]);
    expect(sectioned.length).toBeGreaterThan(docs.length * 0.8);
    expect(unstructured.map((doc) => doc.path)).toEqual([]);
  });

  it('includes code blocks and tables somewhere in the corpus', () => {
    // Prepare
    const docs = generateCorpus(DEFAULTS);

    // Act
    const withCode = docs.filter((doc) => doc.text.includes('\n```'));
    const withTable = docs.filter((doc) => /^\| --- \|/m.test(doc.text));

    // Assess
    expect(withCode.length).toBeGreaterThan(20);
    expect(withTable.length).toBeGreaterThan(20);
  });

  it('contains documents about each of the demo search topics', () => {
    // Prepare
    const docs = generateCorpus(DEFAULTS);
    const topics = [/rotate database credentials/i, /on-call escalation/i, /expense policy/i, /postmortem/i, /vector index/i];

    // Act
    const matches = topics.map((topic) => docs.filter((doc) => topic.test(titleOf(doc))).length);

    // Assess
    for (const count of matches) expect(count).toBeGreaterThanOrEqual(1);
  });

  it('fills every template placeholder', () => {
    // Prepare
    const docs = generateCorpus({ count: 400, seed: 11 });

    // Act
    const leftovers = docs.filter((doc) => /\{[A-Za-z]+\}/.test(doc.text)).map((doc) => doc.path);

    // Assess
    expect(leftovers).toEqual([]);
  });

  it('keeps the default corpus under 3 MB', () => {
    // Prepare
    const docs = generateCorpus(DEFAULTS);

    // Act
    const bytes = docs.reduce((sum, doc) => sum + Buffer.byteLength(doc.text, 'utf8'), 0);

    // Assess
    expect(bytes).toBeLessThan(3 * 1024 * 1024);
  });
});

describe('writeCorpus', () => {
  it('writes every document under the target folder, creating nested folders', async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), 'corpus-test-'));
    const docs = generateCorpus({ count: 25, seed: 5 });

    try {
      // Act
      await writeCorpus(dir, docs);
      const written = await Promise.all(docs.map((doc) => readFile(join(dir, ...doc.path.split('/')), 'utf8')));

      // Assess
      expect(written).toEqual(docs.map((doc) => doc.text));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses paths that would escape the target folder', async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), 'corpus-test-'));
    const docs: GeneratedDoc[] = [{ path: '../escape.md', text: '# Nope\n' }];

    try {
      // Act
      const attempt = writeCorpus(dir, docs);

      // Assess
      await expect(attempt).rejects.toThrow(/unsafe path/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
