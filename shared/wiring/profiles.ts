import { join } from 'node:path';
import { CoalescingEmbedder } from '../adapters/coalescing-embedder.ts';
import { CoalescingVectorStore } from '../adapters/coalescing-vector-store.ts';
import { LazyVectorStore } from '../adapters/lazy-vector-store.ts';
import { HashingEmbedder } from '../adapters/local/hashing-embedder.ts';
import { SEMANTIC_DIMENSIONS, SEMANTIC_MODEL, SemanticEmbedder } from '../adapters/local/semantic-embedder.ts';
import { LanceDbVectorStore } from '../adapters/local/lancedb/lancedb-vector-store.ts';
import { embeddingDimensionsOf } from '../adapters/openai/models.ts';
import { OpenAiEmbedder } from '../adapters/openai/openai-embedder.ts';
import { DEFAULT_PROFILE, generationTarget, profileNamespace, profileTable } from '../config/profiles.ts';
import type { SourceConfig, TributaryConfig } from '../config/schema.ts';
import { ConfigError } from '../core/errors.ts';
import { embeddingPrice } from '../core/pricing.ts';
import type { GenerationPorts } from '../core/generations.ts';
import type { IndexProfile, ProfileRecord } from '../core/profiles.ts';
import type { Embedder, IndexAliases, VectorStore } from '../ports/index.ts';
import type { Env } from './adapters.ts';

/** The index profiles of every source that lists them, with their adapters. */
export interface ProfileWiring {
  /** A source's profiles; undefined for a source without `profiles` (its implicit `default`). */
  profiles(sourceId: string): readonly IndexProfile[] | undefined;
  /** Opens the vector target a removed profile wrote, to delete its vectors. */
  retiredTarget(sourceId: string, profile: ProfileRecord): Promise<VectorStore | undefined>;
  /** What index generations need: the aliases, and the adapters of a generation's model and target. */
  generations(aliases: IndexAliases): GenerationPorts;
  close(): Promise<void>;
}

export interface ProfileWiringOptions {
  readonly config: TributaryConfig;
  readonly stateDir: string;
  readonly env: Env;
  /** The top-level embedder and vector store: `default`'s, unless it overrides them. */
  readonly embedder: Embedder;
  readonly vectors: VectorStore;
  /** Stands in for every profile's vector store where none may be written (the AWS fetcher). */
  readonly noVectors?: VectorStore;
}

/**
 * Builds each profile's embedder (one per model and dimensions, shared between profiles and
 * sources, so they share its request pacing) and vector store (a LanceDB table or a Pinecone
 * namespace of its own; `default` without overrides is the top-level store itself).
 */
export async function wireProfiles(options: ProfileWiringOptions): Promise<ProfileWiring> {
  const { config } = options;
  const embedders = new Map<string, Embedder>([[`${options.embedder.model}/${options.embedder.dimensions}`, options.embedder]]);
  const opened: VectorStore[] = [];
  const bySource = new Map<string, IndexProfile[]>();
  for (const source of config.sources) {
    if (!source.profiles) continue;
    const list: IndexProfile[] = [];
    for (const p of source.profiles) {
      const embedder = embedderOf(config, options.env, embedders, p.embedder);
      const target = targetOf(config, source, p);
      const own = p.name !== DEFAULT_PROFILE || target !== targetOf(config, source, { name: DEFAULT_PROFILE }) || embedder !== options.embedder;
      let vectors = options.noVectors ?? options.vectors;
      if (own && !options.noVectors) {
        vectors = new LazyVectorStore(() => openTarget(options, target, embedder.dimensions), { fullText: config.vectorStore.kind === 'lancedb' });
        opened.push(vectors);
      }
      list.push({
        name: p.name, chunking: p.chunking ?? source.chunking ?? config.chunking, embedder, vectors, target,
        pricePerMillionTokensUsd: config.embedder.kind === 'openai' ? embeddingPrice(embedder.model, config.embedder.pricePerMillionTokensUsd) : 0,
      });
    }
    bySource.set(source.id, list);
  }
  return {
    profiles: (id) => bySource.get(id),
    retiredTarget: async (_sourceId, profile) => {
      if (options.noVectors) return undefined;
      const store = await openTarget(options, profile.target, profile.dimensions);
      opened.push(store);
      return store;
    },
    generations: (aliases) => {
      // One store per target, opened on first use (a generation is looked at by every embed task of it).
      const targets = new Map<string, Promise<VectorStore>>();
      return {
        aliases, graceMs: config.generations.graceHours * 3_600_000,
        targetOf: (sourceId, profile, n) => generationTarget(sourceId, profile, profile.target, n),
        open: async (sourceId, spec) => {
          const embedder = embedderOf(config, options.env, embedders, { model: spec.model, dimensions: spec.dimensions });
          const key = `${spec.target}/${spec.dimensions}`;
          let store = targets.get(key);
          // `default`'s own target is the top-level store: one handle per table.
          if (!store && spec.target === targetOf(config, source(config, sourceId), { name: DEFAULT_PROFILE }) && spec.dimensions === options.embedder.dimensions) store = Promise.resolve(options.vectors);
          if (!store) {
            store = options.noVectors ? Promise.resolve(options.noVectors) : openTarget(options, spec.target, spec.dimensions).then((s) => {
              opened.push(s);
              return s;
            });
            targets.set(key, store);
          }
          return {
            embedder, vectors: await store,
            pricePerMillionTokensUsd: config.embedder.kind === 'openai' ? embeddingPrice(embedder.model, config.embedder.pricePerMillionTokensUsd) : 0,
          };
        },
      };
    },
    async close() {
      for (const store of opened.splice(0)) await store.close?.().catch(() => undefined);
    },
  };
}

function source(config: TributaryConfig, id: string): SourceConfig {
  const found = config.sources.find((s) => s.id === id);
  if (!found) throw new ConfigError(`unknown source "${id}"`);
  return found;
}

/** The profile's vector target: its LanceDB table, or its Pinecone namespace. */
function targetOf(config: TributaryConfig, source: SourceConfig, profile: { name: string; table?: string | undefined; namespace?: string | undefined }): string {
  const v = config.vectorStore;
  if (v.kind === 'lancedb') return profileTable(source.id, profile);
  return profileNamespace(v.namespace === 'source' ? source.id : v.namespace, profile);
}

async function openTarget(options: ProfileWiringOptions, target: string, dimensions: number): Promise<VectorStore> {
  const v = options.config.vectorStore;
  if (v.kind === 'lancedb') {
    return LanceDbVectorStore.open({ dir: v.path ?? join(options.stateDir, 'lancedb'), table: target, dimensions, readConsistencyIntervalSeconds: 0 });
  }
  const apiKey = options.env[v.apiKeyEnv];
  if (!apiKey) throw new ConfigError(`vectorStore.apiKeyEnv names the environment variable ${v.apiKeyEnv}, which is not set: export ${v.apiKeyEnv}=<your key>`);
  const { PineconeVectorStore } = await import('../adapters/pinecone/pinecone-vector-store.ts');
  return new CoalescingVectorStore(
    new PineconeVectorStore({ apiKey, indexHost: v.indexHost, namespace: target, dimensions }),
    { maxInFlight: 1, lingerMs: v.upsertLingerMs, flushAt: 200, maxRecordsPerFlush: 200 },
  );
}

function embedderOf(config: TributaryConfig, env: Env, cache: Map<string, Embedder>, override: { model?: string | undefined; dimensions?: number | undefined } | undefined): Embedder {
  const e = config.embedder;
  if (e.kind === 'semantic') {
    if (override?.model !== undefined || override?.dimensions !== undefined) {
      throw new ConfigError('profiles[].embedder: embedder.kind "semantic" has one model (512 dimensions); remove the profile\'s embedder.model and embedder.dimensions');
    }
    const known = cache.get(`${SEMANTIC_MODEL}/${SEMANTIC_DIMENSIONS}`);
    if (known) return known;
    const semantic = new CoalescingEmbedder(new SemanticEmbedder());
    cache.set(`${SEMANTIC_MODEL}/${SEMANTIC_DIMENSIONS}`, semantic);
    return semantic;
  }
  const model = override?.model ?? (e.kind === 'local' ? 'tributary-hashing-v1' : e.model);
  // Another model without dimensions gets that model's own, not the top-level model's.
  const dimensions = override?.dimensions ?? (e.kind === 'local' ? e.dimensions : embeddingDimensionsOf(model, override?.model === undefined ? e.dimensions : undefined));
  const key = `${model}/${dimensions}`;
  const known = cache.get(key);
  if (known) return known;
  let embedder: Embedder;
  if (e.kind === 'local') {
    embedder = new CoalescingEmbedder(new HashingEmbedder({ dimensions, model }));
  } else {
    const apiKey = env[e.apiKeyEnv];
    if (!apiKey) throw new ConfigError(`embedder.apiKeyEnv names the environment variable ${e.apiKeyEnv}, which is not set: export ${e.apiKeyEnv}=<your key>`);
    embedder = new CoalescingEmbedder(new OpenAiEmbedder({
      apiKey, model, dimensions, concurrency: e.concurrency,
      ...(e.baseUrl !== undefined ? { baseURL: e.baseUrl } : {}),
      ...(e.tokensPerMinute !== undefined ? { tokensPerMinute: e.tokensPerMinute } : {}),
      ...(e.requestsPerMinute !== undefined ? { requestsPerMinute: e.requestsPerMinute } : {}),
    }));
  }
  cache.set(key, embedder);
  return embedder;
}
