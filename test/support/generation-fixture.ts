import { HashingEmbedder } from '../../shared/adapters/local/hashing-embedder.ts';
import type { ChunkingOptions } from '../../shared/core/chunker.ts';
import type { GenerationPorts } from '../../shared/core/generations.ts';
import type { IndexProfile } from '../../shared/core/profiles.ts';
import type { EmbeddingResult } from '../../shared/ports/index.ts';
import { InMemoryAliasStore } from './memory-alias-store.ts';
import { InMemoryVectorStore } from './memory-vector-store.ts';

export class CountingEmbedder extends HashingEmbedder {
  calls = 0;
  override async embed(texts: readonly string[]): Promise<EmbeddingResult> {
    this.calls += 1;
    return super.embed(texts);
  }
}

/**
 * One profile (`main`, target `main`) whose model a test switches, with in-memory adapters per
 * model and per target, and the generation ports over them (generation n writes `main.g<n>`).
 */
export function generationFixture(chunking: ChunkingOptions, graceMs: number) {
  const embedders = new Map<string, CountingEmbedder>();
  const stores = new Map<string, InMemoryVectorStore>();
  const embedderOf = (model: string, dimensions = 16): CountingEmbedder => {
    const key = `${model}/${dimensions}`;
    if (!embedders.has(key)) embedders.set(key, new CountingEmbedder({ dimensions, model }));
    return embedders.get(key)!;
  };
  const storeOf = (target: string): InMemoryVectorStore => {
    if (!stores.has(target)) stores.set(target, new InMemoryVectorStore());
    return stores.get(target)!;
  };
  let model = 'model-a';
  const profile = (): IndexProfile => ({ name: 'main', chunking, embedder: embedderOf(model), vectors: storeOf('main'), target: 'main' });
  const generations: GenerationPorts = {
    aliases: new InMemoryAliasStore(),
    open: async (_id, spec) => ({ embedder: embedderOf(spec.model, spec.dimensions), vectors: storeOf(spec.target) }),
    targetOf: (_id, p, n) => `${p.target}.g${n}`,
    graceMs,
  };
  return { embedderOf, storeOf, profile, generations, setModel: (m: string) => { model = m; } };
}
