import { describe, expect, it } from 'vitest';
import { HashingEmbedder } from '../../shared/adapters/local/hashing-embedder.ts';

function cosine(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] ?? 0) * (b[i] ?? 0);
  return sum;
}

describe('HashingEmbedder', () => {
  it('scores a query closer to the text that shares its words', async () => {
    // Prepare
    const embedder = new HashingEmbedder();
    const query = 'rotate database credentials';
    const credentials = 'Rotating database credentials: the on-call engineer rotates the Postgres credentials every 90 days and updates the secret store.';
    const expenses = 'Expense policy: employees may claim meals and travel up to the monthly limit, with receipts attached.';

    // Act
    const { vectors } = await embedder.embed([query, credentials, expenses]);
    const [q, onTopic, offTopic] = vectors as [Float32Array, Float32Array, Float32Array];

    // Assess
    expect(cosine(q, onTopic)).toBeGreaterThan(cosine(q, offTopic) + 0.2);
  });

  it('is reproducible across instances and defaults to 384 dimensions', async () => {
    // Prepare
    const a = new HashingEmbedder();
    const b = new HashingEmbedder({ model: 'other-name' });

    // Act
    const [va] = (await a.embed(['Same text, same vector.'])).vectors;
    const [vb] = (await b.embed(['same TEXT same vector'])).vectors;

    // Assess: case and punctuation are not features.
    expect(a.dimensions).toBe(384);
    expect(a.model).toBe('tributary-hashing-v1');
    expect(Array.from(vb!)).toEqual(Array.from(va!));
  });

  it('maps texts without words to the fixed unit vector e0', async () => {
    // Prepare
    const embedder = new HashingEmbedder({ dimensions: 8 });

    // Act
    const { vectors, tokens } = await embedder.embed(['', '  ...  !? ']);

    // Assess
    expect(Array.from(vectors[0]!)).toEqual([1, 0, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(vectors[1]!)).toEqual([1, 0, 0, 0, 0, 0, 0, 0]);
    expect(tokens).toBe(0);
  });

  it('counts calls, texts and words in stats', async () => {
    // Prepare
    const embedder = new HashingEmbedder();

    // Act
    const first = await embedder.embed(['one two three', 'four']);
    await embedder.embed([]);
    const second = await embedder.embed(['five six']);

    // Assess
    expect(first).toMatchObject({ tokens: 4, calls: 1 });
    expect(second).toMatchObject({ tokens: 2, calls: 1 });
    expect(embedder.stats).toEqual({ calls: 2, texts: 3, tokens: 6 });
  });

  it('rejects a non-positive dimension count', () => {
    // Prepare / Act / Assess
    expect(() => new HashingEmbedder({ dimensions: 0 })).toThrow('dimensions must be a positive integer');
  });
});

/**
 * The feature counting was rewritten for speed (hashes computed incrementally, no feature
 * strings); embeddings cached under `tributary-hashing-v1` stay valid only if every vector is
 * bit-for-bit what the original string-keyed version produced. This is that version.
 */
function referenceVector(text: string, dimensions = 384): Float32Array {
  const words = text.normalize('NFKC').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const fnv = (s: string): number => {
    let h = 0x811c9dc5;
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
    return h >>> 0;
  };
  const fmix = (value: number): number => {
    let h = value;
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    return h >>> 0;
  };
  const counts = new Map<string, { weight: number; count: number }>();
  const add = (feature: string, weight: number): void => {
    const entry = counts.get(feature);
    if (entry) entry.count += 1;
    else counts.set(feature, { weight, count: 1 });
  };
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    add(`w\u0001${word}`, 1);
    const next = words[i + 1];
    if (next !== undefined) add(`b\u0001${word}\u0002${next}`, 0.7);
    const padded = `\u0003${word}\u0003`;
    for (let j = 0; j + 3 <= padded.length; j++) add(`c\u0001${padded.slice(j, j + 3)}`, 0.25);
  }
  const sums = new Float64Array(dimensions);
  for (const [feature, { weight, count }] of counts) {
    const hash = fmix(fnv(feature));
    const bucket = (hash >>> 1) % dimensions;
    sums[bucket] = sums[bucket]! + ((hash & 1) === 0 ? 1 : -1) * weight * (1 + Math.log(count));
  }
  let norm = 0;
  for (const value of sums) norm += value * value;
  norm = Math.sqrt(norm);
  const vector = new Float32Array(dimensions);
  if (norm < 1e-12) {
    vector[0] = 1;
    return vector;
  }
  for (let i = 0; i < dimensions; i++) vector[i] = sums[i]! / norm;
  return vector;
}

describe('HashingEmbedder: vectors unchanged by the faster feature counting', () => {
  it('gives bit-identical vectors to the original implementation on a generated corpus and edge cases', async () => {
    // Prepare: 300 handbook documents' chunks (the benchmark's generator), plus texts that stress the feature code.
    const { generateCorpus } = await import('../../examples/generate-corpus.ts');
    const { chunkDocument, DEFAULT_CHUNKING } = await import('../../shared/core/chunker.ts');
    const texts = generateCorpus({ count: 300, seed: 5 })
      .flatMap((doc) => chunkDocument(doc.text, 'markdown', DEFAULT_CHUNKING).map((c) => c.text));
    texts.push(
      '', '   ', '!!! ??? ...', 'a', 'a a a a a', 'ab ab ab ba ba', 'Ünïcödé naïve café Ｆｕｌｌｗｉｄｔｈ ﬁ',
      '日本語のテキスト 中文 한국어', 'emoji 🎉 party 🎉 party', 'x'.repeat(5000), 'word '.repeat(2000),
      'the the the cat the cat sat', 'I II III IV 1 22 333 4444',
    );
    const embedder = new HashingEmbedder({ dimensions: 384 });
    const small = new HashingEmbedder({ dimensions: 7 });

    // Act
    const { vectors } = await embedder.embed(texts);
    const { vectors: tiny } = await small.embed(texts.slice(0, 200));

    // Assess
    expect(texts.length).toBeGreaterThan(1000);
    texts.forEach((text, i) => expect([...vectors[i]!], `text ${i}`).toEqual([...referenceVector(text)]));
    texts.slice(0, 200).forEach((text, i) => expect([...tiny[i]!], `text ${i} at 7 dimensions`).toEqual([...referenceVector(text, 7)]));
  });
});

describe('HashingEmbedder feature counting', () => {
  it('counts every distinct feature apart even when all of them share a few map keys', async () => {
    const { countFeatures, wordsOf } = await import('../../shared/adapters/local/hashing-embedder.ts');
    const words = wordsOf('the cat sat on the mat; the cat ate the rat and the mat sat still, cat cat');
    const wide = countFeatures(words);
    // 16 keys for ~100 distinct features: nearly every one collides with another.
    const narrow = countFeatures(words, 0xf);
    const strip = (f: { hash: number; weight: number; count: number }) => ({ hash: f.hash, weight: f.weight, count: f.count });
    expect(narrow.map(strip)).toEqual(wide.map(strip));
    // The counts are those of the feature strings: "the" 5 times, "cat" 4, "the cat" twice, trigram "cat"'s middle once per "cat".
    const total = wide.reduce((n, f) => n + f.count, 0);
    const trigrams = words.reduce((n, w) => n + w.length, 0);
    expect(total).toBe(words.length + (words.length - 1) + trigrams);
    expect(wide.find((f) => f.kind === 0 && f.first === 'the')?.count).toBe(5);
    expect(wide.find((f) => f.kind === 0 && f.first === 'cat')?.count).toBe(4);
    expect(wide.find((f) => f.kind === 1 && f.first === 'the' && f.second === 'cat')?.count).toBe(2);
    expect(new Set(wide.map((f) => `${f.kind}|${f.first}|${f.second}`)).size).toBe(wide.length);
  });
});
