import { Duration } from 'aws-cdk-lib';
import { deliveryPartitionKey } from '../shared/adapters/aws/dynamodb-delivery-log.ts';
import { hintPartitionKey } from '../shared/adapters/aws/dynamodb-hint-buffer.ts';
import { embeddingPartitionKey, sourcePartitionKey } from '../shared/adapters/aws/dynamodb-state-store.ts';
import { deliveryScope } from '../shared/core/webhook.ts';
import { embeddingDimensionsOf } from '../shared/adapters/openai/models.ts';
import { awsSchema, type AwsConfig } from '../shared/config/aws.ts';
import type { TributaryConfig } from '../shared/config/schema.ts';
import { ConfigError } from '../shared/core/errors.ts';

export type FunctionName = 'fetcher' | 'embedder' | 'webhook' | 'watchdog' | 'admin' | 'ingest';

/**
 * A function's share of the state table. IAM conditions can name only the partition key
 * (`dynamodb:LeadingKeys`), so the share is a set of partition keys.
 */
export interface TableAccess {
  /** Writes too (put, update, delete), not only reads (get, batch get, query). */
  readonly write: boolean;
  /** Only puts and deletes, no reads (replay memory, adding to a hint buffer). */
  readonly putOnly?: boolean;
  /**
   * `SRC#<sourceId>` (a source's state, ledger, runs, push stash, idempotency keys),
   * `EMB#<model>#<dims>` (the embedding cache), `SEEN#<route>:<sourceId>` (replay memory).
   */
  readonly partitionKeys: readonly string[];
}

/** The typed, validated settings of one deployment (a stage), built from the Tributary config. */
export interface StageConfig {
  readonly stage: string;
  readonly account?: string;
  readonly region?: string;
  readonly alarmEmail?: string;
  /** The config the functions run: the deployment section removed. */
  readonly runtimeConfig: Omit<TributaryConfig, 'aws'>;
  readonly sources: ReadonlyArray<{ id: string; kind: string; schedule: string; freshnessSloMinutes: number }>;
  readonly fetcherTimeout: Duration;
  readonly embedderTimeout: Duration;
  readonly embedderBatchSize: number;
  readonly embedderMaxConcurrency: number;
  readonly queueAgeAlarmMinutes: number;
  /** HTTP API throttles per route group (`aws.throttle`). */
  readonly throttle: AwsConfig['throttle'];
  /** Reserved concurrency of the edge functions; null: none (`aws.reservedConcurrency`). */
  readonly reservedConcurrency: AwsConfig['reservedConcurrency'];
  /** Secret ids (names or ARNs, as in `aws.secrets`) by the environment-variable name the config uses: only those the function needs. */
  secretsFor(fn: FunctionName): Record<string, string>;
  /** Which state-table items the function may touch, and how; undefined: none. */
  tableAccessFor(fn: FunctionName): TableAccess | undefined;
  /** Things that deploy but deserve a second look (shown as CDK warnings). */
  readonly warnings: readonly string[];
}

/**
 * Checks that the config can run on AWS and that every secret it names is in `aws.secrets`,
 * with errors that name the key and the fix.
 */
export function stageConfigFrom(config: TributaryConfig): StageConfig {
  const aws = config.aws ?? awsSchema.parse({});
  if (config.embedder.kind !== 'openai') {
    throw new ConfigError('embedder.kind: "local" runs only on a laptop; set embedder.kind to "openai" (any OpenAI-compatible baseUrl) to deploy');
  }
  if (config.vectorStore.kind !== 'pinecone') {
    throw new ConfigError('vectorStore.kind: "lancedb" is an embedded, local store; set vectorStore.kind to "pinecone" (with indexHost) to deploy');
  }
  const secretOf = (name: string, key: string): Record<string, string> => {
    const id = aws.secrets[name];
    if (!id) {
      throw new ConfigError(`aws.secrets: no secret for ${name} (named by ${key}); add "${name}": "<its Secrets Manager name, e.g. tributary/${name.toLowerCase().replaceAll('_', '-')}, or its ARN>" — Lambdas read secrets from Secrets Manager, never from env vars`);
    }
    return { [name]: id };
  };
  const embedderKey = secretOf(config.embedder.apiKeyEnv, 'embedder.apiKeyEnv');
  const vectorStoreKey = secretOf(config.vectorStore.apiKeyEnv, 'vectorStore.apiKeyEnv');
  /** Signing secrets of sources with a webhook (push sources' are the ingest function's). */
  const webhooks: Record<string, string> = {};
  /** Push sources' signing secrets: the ingest function verifies pushes with them. */
  const pushes: Record<string, string> = {};
  // A connector's own secrets (an API token, a connection string) are the source's `…Env` keys.
  const connectorSecrets: Record<string, string> = {};
  config.sources.forEach((s, i) => {
    if (s.kind === 'push') Object.assign(pushes, secretOf(s.webhook.secretEnv, `sources[${i}].webhook.secretEnv`));
    else if (s.webhook) Object.assign(webhooks, secretOf(s.webhook.secretEnv, `sources[${i}].webhook.secretEnv`));
    for (const [key, value] of Object.entries(s)) {
      if (key.endsWith('Env') && typeof value === 'string') Object.assign(connectorSecrets, secretOf(value, `sources[${i}].${key}`));
    }
  });
  const sourceKeys = config.sources.map((s) => sourcePartitionKey(s.id));
  const pushKeys = config.sources.filter((s) => s.kind === 'push').map((s) => sourcePartitionKey(s.id));
  // Replay memory of the signed routes: its own partitions, apart from the sources' items.
  const pushDeliveryKeys = config.sources.filter((s) => s.kind === 'push').map((s) => deliveryPartitionKey(deliveryScope('ingest', s.id)));
  const webhookSources = config.sources.filter((s) => s.kind !== 'push' && s.webhook);
  const webhookDeliveryKeys = webhookSources.map((s) => deliveryPartitionKey(deliveryScope('webhook', s.id)));
  // Hint buffers: the edge functions add ids, the fetcher takes and settles them.
  const hintKeys = config.sources.map((s) => hintPartitionKey(s.id));
  const webhookHintKeys = webhookSources.map((s) => hintPartitionKey(s.id));
  const pushHintKeys = config.sources.filter((s) => s.kind === 'push').map((s) => hintPartitionKey(s.id));
  const embeddingKey = embeddingPartitionKey(config.embedder.model, embeddingDimensionsOf(config.embedder.model, config.embedder.dimensions));
  const warnings = config.sources.flatMap((s) => (s.kind === 'filesystem' ? [s] : [])).map((s) =>
    `source "${s.id}" is a folder (${s.root}): on Lambda it must be a mounted path (e.g. EFS), which these stacks do not create`);
  const { aws: _aws, ...runtimeConfig } = config;
  return {
    stage: aws.stage,
    ...(aws.account !== undefined ? { account: aws.account } : {}),
    ...(aws.region !== undefined ? { region: aws.region } : {}),
    ...(aws.alarmEmail !== undefined ? { alarmEmail: aws.alarmEmail } : {}),
    runtimeConfig,
    sources: config.sources.map((s) => ({ id: s.id, kind: s.kind, schedule: s.schedule, freshnessSloMinutes: s.freshnessSloMinutes })),
    fetcherTimeout: Duration.seconds(aws.fetcherTimeoutSeconds),
    embedderTimeout: Duration.minutes(5),
    embedderBatchSize: aws.embedderBatchSize,
    embedderMaxConcurrency: aws.embedderMaxConcurrency,
    queueAgeAlarmMinutes: aws.queueAgeAlarmMinutes,
    throttle: aws.throttle,
    reservedConcurrency: aws.reservedConcurrency,
    warnings,
    secretsFor(fn) {
      switch (fn) {
        // The fetcher embeds each page's new chunks ahead and reads the sources; it writes no vectors.
        case 'fetcher': return { ...embedderKey, ...connectorSecrets };
        // The embedder re-reads a document whose chunks were too large for its task.
        case 'embedder': return { ...embedderKey, ...vectorStoreKey, ...connectorSecrets };
        // Admin searches (embeds the query) and resets (deletes vectors); it never reads a source.
        case 'admin': return { ...embedderKey, ...vectorStoreKey };
        case 'webhook': return { ...webhooks };
        case 'ingest': return { ...pushes };
        case 'watchdog': return {};
      }
    },
    tableAccessFor(fn) {
      switch (fn) {
        case 'fetcher': return { write: true, partitionKeys: [...sourceKeys, embeddingKey, ...hintKeys] };
        case 'embedder': return { write: true, partitionKeys: [...sourceKeys, embeddingKey] };
        case 'admin': return { write: true, partitionKeys: sourceKeys };
        case 'watchdog': return { write: false, partitionKeys: sourceKeys };
        case 'ingest': return { write: true, partitionKeys: [...pushKeys, ...pushDeliveryKeys, ...pushHintKeys] };
        case 'webhook': return webhookDeliveryKeys.length > 0 ? { write: true, putOnly: true, partitionKeys: [...webhookDeliveryKeys, ...webhookHintKeys] } : undefined;
      }
    },
  };
}
