import type { EmbeddingCache } from '../ports/index.ts';
import type { DepsOf } from './deps.ts';

export interface CachedEmbeddings {
  /** A vector for every hash asked for. */
  readonly vectors: Map<string, Float32Array>;
  /** Texts sent to the provider (cache misses). */
  readonly embedded: number;
  readonly calls: number;
  readonly tokens: number;
}

/**
 * Vectors for chunk texts by hash: from the embedding cache where it has them (a text embedded
 * before with this model is never sent again), the rest embedded in as few requests as the
 * embedder makes and cached. `noCache` neither reads the cache (the texts are embedded anew)
 * nor, with deps.noEmbeddingCache, writes it.
 */
export async function embedWithCache(
  deps: DepsOf<'embedder' | 'noEmbeddingCache', EmbeddingCache>,
  texts: ReadonlyMap<string, string>,
  options: { noCache?: boolean } = {},
): Promise<CachedEmbeddings> {
  const { embedder, state } = deps;
  const skipRead = deps.noEmbeddingCache === true || options.noCache === true;
  const vectors = skipRead || texts.size === 0 ? new Map<string, Float32Array>() : await state.getEmbeddings(embedder.model, embedder.dimensions, [...texts.keys()]);
  const misses = [...texts].filter(([hash]) => !vectors.has(hash));
  if (misses.length === 0) return { vectors, embedded: 0, calls: 0, tokens: 0 };
  const result = await embedder.embed(misses.map(([, text]) => text));
  const fresh = new Map<string, Float32Array>();
  misses.forEach(([hash], i) => {
    const vector = result.vectors[i];
    if (!vector) throw new Error(`embedder returned ${result.vectors.length} vectors for ${misses.length} texts`);
    fresh.set(hash, vector);
    vectors.set(hash, vector);
  });
  if (deps.noEmbeddingCache !== true) await state.putEmbeddings(embedder.model, embedder.dimensions, fresh);
  return { vectors, embedded: fresh.size, calls: result.calls, tokens: result.tokens };
}

/** What embedding `tokens` cost at the model's price (USD per million tokens). */
export function embeddingCostUsd(tokens: number, pricePerMillionTokensUsd: number | undefined): number {
  return (tokens * (pricePerMillionTokensUsd ?? 0)) / 1_000_000;
}
