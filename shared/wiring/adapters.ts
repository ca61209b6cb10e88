import { join } from 'node:path';
import { CoalescingEmbedder } from '../adapters/coalescing-embedder.ts';
import { HashingEmbedder } from '../adapters/local/hashing-embedder.ts';
import { SEMANTIC_TABLE, SemanticEmbedder } from '../adapters/local/semantic-embedder.ts';
import { LanceDbVectorStore } from '../adapters/local/lancedb/lancedb-vector-store.ts';
import { embeddingDimensionsOf } from '../adapters/openai/models.ts';
import { OpenAiEmbedder } from '../adapters/openai/openai-embedder.ts';
import { CoalescingVectorStore } from '../adapters/coalescing-vector-store.ts';
import { SourceRoutedVectorStore } from '../adapters/source-routed-vector-store.ts';
import type { TributaryConfig } from '../config/schema.ts';
import { ConfigError } from '../core/errors.ts';
import { embeddingPrice } from '../core/pricing.ts';
import type { Embedder, VectorStore } from '../ports/index.ts';

export type Env = Readonly<Record<string, string | undefined>>;

/** A secret named by the config; missing is a config error that names the variable. */
function secret(env: Env, name: string, key: string): string {
  const value = env[name];
  if (!value) throw new ConfigError(`${key} names the environment variable ${name}, which is not set: export ${name}=<your key>`);
  return value;
}

/** The configured embedder, behind group commit: concurrent embed tasks share requests. */
export function embedderFromConfig(config: TributaryConfig, env: Env): Embedder {
  return new CoalescingEmbedder(providerEmbedder(config, env));
}

function providerEmbedder(config: TributaryConfig, env: Env): Embedder {
  const e = config.embedder;
  if (e.kind === 'local') return new HashingEmbedder({ dimensions: e.dimensions });
  if (e.kind === 'semantic') return new SemanticEmbedder();
  const dimensions = embeddingDimensionsOf(e.model, e.dimensions);
  return new OpenAiEmbedder({
    apiKey: secret(env, e.apiKeyEnv, 'embedder.apiKeyEnv'),
    model: e.model,
    dimensions,
    concurrency: e.concurrency,
    ...(e.baseUrl !== undefined ? { baseURL: e.baseUrl } : {}),
    ...(e.tokensPerMinute !== undefined ? { tokensPerMinute: e.tokensPerMinute } : {}),
    ...(e.requestsPerMinute !== undefined ? { requestsPerMinute: e.requestsPerMinute } : {}),
  });
}

export function embeddingPriceFromConfig(config: TributaryConfig): number {
  const e = config.embedder;
  return e.kind === 'openai' ? embeddingPrice(e.model, e.pricePerMillionTokensUsd) : 0;
}

export async function vectorStoreFromConfig(config: TributaryConfig, stateDir: string, dimensions: number, env: Env): Promise<VectorStore> {
  const v = config.vectorStore;
  if (v.kind === 'lancedb') {
    return LanceDbVectorStore.open({
      dir: v.path ?? join(stateDir, 'lancedb'), dimensions,
      // The semantic embedder's 512-d vectors cannot share the hashing embedder's table.
      ...(config.embedder.kind === 'semantic' ? { table: SEMANTIC_TABLE } : {}),
      // Several local processes share the database: always read the latest commit.
      readConsistencyIntervalSeconds: 0,
    });
  }
  const apiKey = secret(env, v.apiKeyEnv, 'vectorStore.apiKeyEnv');
  // Loaded only for a Pinecone config: the local default never evaluates its client.
  const { PineconeVectorStore } = await import('../adapters/pinecone/pinecone-vector-store.ts');
  // Concurrent embed tasks share upsert requests (one task = one document).
  const open = (namespace: string): VectorStore => new CoalescingVectorStore(
    new PineconeVectorStore({ apiKey, indexHost: v.indexHost, namespace, dimensions }),
    // One merged flush = one request (the adapter's 200-vector batch): no small remainders.
    { maxInFlight: 1, lingerMs: v.upsertLingerMs, flushAt: 200, maxRecordsPerFlush: 200 },
  );
  if (v.namespace !== 'source') return open(v.namespace);
  return new SourceRoutedVectorStore(config.sources.map((s) => s.id), open);
}
