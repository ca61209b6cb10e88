/** The opt-in offline semantic embedder: USE lite from the @energetic-ai packages, loaded on first use. */
import { describe, expect, it } from 'vitest';
import { SEMANTIC_DIMENSIONS, SEMANTIC_MODEL, SemanticEmbedder } from '../../shared/adapters/local/semantic-embedder.ts';
import { parseConfig } from '../../shared/config/load.ts';
import { embedderFromConfig } from '../../shared/wiring/adapters.ts';

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
  return dot;
}

describe('SemanticEmbedder', () => {
  it('places a paraphrase nearer than an unrelated text, in 512 dimensions, keyed by its own model', async () => {
    // Prepare: built from the config as `tributary` builds it.
    const embedder = embedderFromConfig(parseConfig({ embedder: { kind: 'semantic' }, sources: [{ id: 'd', kind: 'filesystem', root: '.' }] }), {});

    // Act
    const { vectors: [query, paraphrase, unrelated], calls } = await embedder.embed([
      'how do I change the database password', 'rotate the database credentials', 'book a flight for a business trip',
    ]);

    // Assess
    expect(embedder.model).toBe(SEMANTIC_MODEL);
    expect(embedder.dimensions).toBe(SEMANTIC_DIMENSIONS);
    expect(query).toHaveLength(SEMANTIC_DIMENSIONS);
    expect(cosine(query!, paraphrase!)).toBeGreaterThan(cosine(query!, unrelated!) + 0.1);
    expect(calls).toBe(1);
  });

  it('costs nothing until it embeds, and nothing for an empty batch', async () => {
    // Act
    const result = await new SemanticEmbedder().embed([]);

    // Assess
    expect(result).toEqual({ vectors: [], tokens: 0, calls: 0 });
  });
});
