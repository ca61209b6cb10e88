import { describe, expect, it } from 'vitest';
import type { Embedder } from '../../shared/ports/index.ts';

/**
 * The behaviour every Embedder adapter must have, as a vitest suite: run it once per adapter
 * (the local hashing embedder here; OpenAI against its emulator later). Each test gets a
 * fresh embedder from `make`.
 */
export function embedderContract(name: string, make: () => Promise<Embedder>): void {
  describe(`Embedder contract: ${name}`, () => {
    it('returns one unit vector of `dimensions` entries per text, in order', async () => {
      // Prepare
      const embedder = await make();
      const texts = ['Rotate the database credentials every 90 days.', 'Expense policy: meals up to $50.', 'ünïcødé 日本語 text', 'x'];

      // Act
      const result = await embedder.embed(texts);

      // Assess
      expect(result.vectors).toHaveLength(texts.length);
      for (const vector of result.vectors) {
        expect(vector).toHaveLength(embedder.dimensions);
        expect(Math.abs(norm(vector) - 1)).toBeLessThan(1e-3);
        expect(vector.every(Number.isFinite)).toBe(true);
      }
      expect(result.tokens).toBeGreaterThan(0);
      expect(result.calls).toBeGreaterThanOrEqual(1);
    });

    it('is deterministic for the same text, within a batch and across calls', async () => {
      // Prepare
      const embedder = await make();
      const text = 'How do I rotate database credentials?';

      // Act
      const first = await embedder.embed([text, 'something else', text]);
      const second = await embedder.embed([text]);

      // Assess
      // Remote providers may differ in the last bits between requests; cosine ≈ 1 is the promise.
      expect(dot(first.vectors[2]!, first.vectors[0]!)).toBeGreaterThan(0.9999);
      expect(dot(second.vectors[0]!, first.vectors[0]!)).toBeGreaterThan(0.9999);
    });

    it('gives different texts different vectors', async () => {
      // Prepare
      const embedder = await make();

      // Act
      const { vectors } = await embedder.embed(['the quarterly expense policy', 'rotate database credentials', 'the quarterly expense policies']);

      // Assess
      const [a, b, c] = vectors as [Float32Array, Float32Array, Float32Array];
      expect(dot(a, b)).toBeLessThan(0.999);
      expect(dot(a, c)).toBeLessThan(0.999);
      expect(Array.from(a)).not.toEqual(Array.from(c));
    });

    it('returns no vectors for no texts', async () => {
      // Prepare
      const embedder = await make();

      // Act
      const result = await embedder.embed([]);

      // Assess: making no request (calls 0) is allowed, and costs no tokens.
      expect(result.vectors).toEqual([]);
      expect(result.calls).toBeGreaterThanOrEqual(0);
      expect(result.tokens).toBe(0);
    });

    it('embeds a batch of 1,000 texts', async () => {
      // Prepare
      const embedder = await make();
      const texts = Array.from({ length: 1_000 }, (_, i) => `Document ${i}: section ${i % 17} covers topic ${i % 31} in detail.`);

      // Act
      const result = await embedder.embed(texts);

      // Assess
      expect(result.vectors).toHaveLength(1_000);
      expect(result.vectors.every((v) => v.length === embedder.dimensions)).toBe(true);
      expect(result.tokens).toBeGreaterThanOrEqual(1_000);
      expect(Math.abs(norm(result.vectors[999]!) - 1)).toBeLessThan(1e-3);
    });
  });
}

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] ?? 0) * (b[i] ?? 0);
  return sum;
}

function norm(vector: Float32Array): number {
  return Math.sqrt(dot(vector, vector));
}
