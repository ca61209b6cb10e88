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
