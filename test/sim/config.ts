/**
 * What a simulation runs on: the volumes, the deployed limits (as infra/ deploys them and the
 * Tributary config sets them) and the services' latencies and limits. Every key has a default
 * (the README "Scale and cost" lists them); a user's own numbers come from a JSON file
 * (`npm run simulate -- --config my.json`), validated here with unknown keys rejected.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { DEFAULT_CHUNKING } from '../../shared/core/chunker.ts';

const latency = z.strictObject({ p50: z.number().min(0), p99: z.number().min(0) });

export const simConfigSchema = z.strictObject({
  seed: z.number().int().default(19),
  corpus: z.strictObject({
    sources: z.number().int().min(1).default(1_000),
    documents: z.number().int().min(1).default(1_000_000),
    /** Mean chunks per document (sizes are drawn around it, skewed per source kind). */
    chunksPerDocument: z.number().min(1).default(20),
    /** Tokens each simulated chunk stands for (what OpenAI bills and rate-limits). */
    tokensPerChunk: z.number().int().min(1).default(DEFAULT_CHUNKING.targetTokens),
    /** Documents per page of a source's listing. */
    pageSize: z.number().int().min(1).default(100),
    /** Hours between a source's reconciles (slim listing against the ledger). */
    reconcileHours: z.number().min(0).default(24),
  }).prefault({}),
  deploy: z.strictObject({
    /** infra: aws.fetcherTimeoutSeconds (default 900). */
    fetcherTimeoutSeconds: z.number().int().min(60).max(900).default(900),
    embedderTimeoutSeconds: z.number().int().min(1).max(900).default(300),
    fetcherMemoryMb: z.number().int().default(1024),
    embedderMemoryMb: z.number().int().default(1024),
    webhookMemoryMb: z.number().int().default(512),
    /** infra: aws.embedderBatchSize (SQS event source batch size). */
    embedderBatchSize: z.number().int().min(1).max(10).default(10),
    /** infra: aws.embedderMaxConcurrency (event source maximum concurrency). */
    embedderMaxConcurrency: z.number().int().min(2).max(1000).default(10),
    /** Account-wide Lambda concurrency (the default regional quota). */
    accountConcurrency: z.number().int().min(1).default(1_000),
    /** config queues.maxReceives. */
    maxReceives: z.number().int().min(1).default(5),
    /** SQS redrive maxReceiveCount (the queues' backstop). */
    queueMaxReceiveCount: z.number().int().min(1).default(10),
    /** config embedder.concurrency: requests in flight per container. */
    embedderClientConcurrency: z.number().int().min(1).default(4),
    /** config embedder.tokensPerMinute / requestsPerMinute: the budget each container's limiter holds. */
    tokensPerMinute: z.number().int().min(1).default(5_000_000),
    requestsPerMinute: z.number().int().min(1).default(5_000),
    /** How the budget is held: `per-container` (as shipped: every container has the whole budget) or `shared` (one bucket for the account). */
    budget: z.enum(['per-container', 'shared']).default('per-container'),
    /** The embedding cache's partition keys: `sharded` (16 keys, as the adapter writes them now) or `single` (one key, as before). */
    embeddingCache: z.enum(['sharded', 'single']).default('sharded'),
    /** Fetch schedule of every source (minutes). */
    scheduleMinutes: z.number().min(1).default(15),
  }).prefault({}),
  limits: z.strictObject({
    /** The OpenAI account's limits (the provider answers 429 above them). */
    openaiTpm: z.number().int().min(1).default(5_000_000),
    openaiRpm: z.number().int().min(1).default(5_000),
    /** DynamoDB per-partition throughput (on-demand tables too). */
    partitionWcu: z.number().int().min(1).default(1_000),
    partitionRcu: z.number().int().min(1).default(3_000),
    /** Vector dimensions billed and stored (DynamoDB cache items, Pinecone storage). */
    dimensions: z.number().int().min(1).default(1_536),
  }).prefault({}),
  latency: z.strictObject({
    dynamoGet: latency.default({ p50: 4, p99: 15 }),
    dynamoUpdate: latency.default({ p50: 6, p99: 20 }),
    dynamoBatch: latency.default({ p50: 8, p99: 30 }),
    dynamoQuery: latency.default({ p50: 8, p99: 30 }),
    sqsSend: latency.default({ p50: 8, p99: 30 }),
    sqsReceive: latency.default({ p50: 10, p99: 40 }),
    eventBridgePut: latency.default({ p50: 15, p99: 60 }),
    pineconeUpsert: latency.default({ p50: 40, p99: 200 }),
    pineconeDelete: latency.default({ p50: 30, p99: 150 }),
    /** OpenAI: a request's base latency, plus `openaiPerKiloTokenMs` per 1,000 tokens. */
    openaiRequest: latency.default({ p50: 300, p99: 1_500 }),
    openaiPerKiloTokenMs: z.number().min(0).default(2),
    coldStart: latency.default({ p50: 600, p99: 1_500 }),
    /** Source API page read (listing) and document fetch. */
    sourcePage: latency.default({ p50: 150, p99: 800 }),
    /** Multiplies every latency (0: the equivalence run's zero added latency). */
    scale: z.number().min(0).default(1),
  }).prefault({}),
});

export type SimConfig = z.infer<typeof simConfigSchema>;
export type SimConfigInput = z.input<typeof simConfigSchema>;

/** Validates a config; an error names the key and what it must be. */
export function parseSimConfig(input: unknown, origin = 'simulation config'): SimConfig {
  const parsed = simConfigSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const key = issue.path.join('.') || '(root)';
  throw new Error(`${origin}: ${key}: ${issue.message} (see README "Scale and cost" for every key and its default)`);
}

export function loadSimConfig(path: string | undefined, overrides: Record<string, unknown> = {}): SimConfig {
  const base = path === undefined ? {} : JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  return parseSimConfig(deepMerge(base, overrides), path ?? 'simulation config');
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && prev && typeof prev === 'object'
      ? deepMerge(prev as Record<string, unknown>, v as Record<string, unknown>) : v;
  }
  return out;
}
