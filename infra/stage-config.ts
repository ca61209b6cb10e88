import { Duration } from 'aws-cdk-lib';
import { credentialPartitionKey } from '../shared/adapters/aws/dynamodb-credential-store.ts';
import { deliveryPartitionKey } from '../shared/adapters/aws/dynamodb-delivery-log.ts';
import { hintPartitionKey } from '../shared/adapters/aws/dynamodb-hint-buffer.ts';
import { embeddingPartitionKeys, sourcePartitionKey } from '../shared/adapters/aws/dynamodb-state-store.ts';
import { deliveryScope } from '../shared/core/webhook.ts';
import { profileKeyOf } from '../shared/core/profiles.ts';
import { aliasPartitionKey } from '../shared/adapters/aws/dynamodb-alias-store.ts';
import { embeddingDimensionsOf } from '../shared/adapters/openai/models.ts';
import { awsSchema, type AwsConfig } from '../shared/config/aws.ts';
import type { SourceConfig, TributaryConfig } from '../shared/config/schema.ts';
import type { SourceBaseConfig } from '../shared/config/source-base.ts';
import type { AwsEventRule, AwsGrant, ConnectorDefinition, FunctionName } from '../shared/connectors/definition.ts';
import { definitionOf } from '../shared/connectors/lookup.ts';
import { ConfigError } from '../shared/core/errors.ts';

export type { AwsGrant, FunctionName };

/** A rule feeding a source's native AWS events (S3 object events) to the fetch queue, in the source's group. */
export interface StageEventRule {
  readonly sourceId: string;
  readonly description: string;
  readonly pattern: Readonly<Record<string, unknown>>;
}

/** A configured source as the stacks see it. */
export interface StageSource {
  readonly id: string;
  readonly kind: string;
  readonly schedule: string;
  readonly freshnessSloMinutes: number;
  /** Fed by `POST /ingest/<id>` (its kind's definition has an ingest endpoint). */
  readonly takesPushes: boolean;
  /** Has a webhook whose provider checks the route with a GET (its kind's definition answers one: Tempo). */
  readonly answersWebhookGet: boolean;
}

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
   * `EMB#<model>#<dims>` (the embedding cache), `SEEN#<route>:<sourceId>` (replay memory),
   * `HINT#<sourceId>` (the hint buffer), `CRED#<kind>:<sourceId>` (a rotating token pair).
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
  readonly sources: readonly StageSource[];
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
  /** What the sources' definitions ask the function to be allowed besides (an S3 bucket, say). */
  grantsFor(fn: FunctionName): AwsGrant[];
  /** Things that deploy but deserve a second look (shown as CDK warnings). */
  readonly warnings: readonly string[];
  /** Native AWS event rules the sources' definitions ask for (`aws().eventRules`). */
  readonly eventRules: readonly StageEventRule[];
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
  const sources = config.sources.map((source, index) => ({ source, index, definition: definitionOf(source.kind) }));
  // Each secret a source names goes to the functions its definition says read it.
  const sourceSecrets = new Map<FunctionName, Record<string, string>>();
  for (const { source, index, definition } of sources) {
    const needs = definition.secrets(source);
    for (const key of envKeysOf(source)) {
      if (!needs.some((need) => need.key === key)) {
        throw new ConfigError(`sources[${index}].${key}: the "${source.kind}" connector's definition does not say which function reads it; add it to its secrets() (shared/connectors/${source.kind}/definition.ts)`);
      }
    }
    for (const need of needs) {
      const secret = secretOf(need.env, `sources[${index}].${need.key}`);
      for (const fn of need.functions) sourceSecrets.set(fn, { ...sourceSecrets.get(fn), ...secret });
    }
  }
  const secretsOfSources = (fn: FunctionName): Record<string, string> => ({ ...sourceSecrets.get(fn) });
  const pushed = sources.filter(({ definition }) => takesPushes(definition)).map(({ source }) => source);
  const hinted = sources.filter(({ source, definition }) => !takesPushes(definition) && (source.webhook || storedSecretKey(source, definition))).map(({ source }) => source);
  // Webhook secrets a provider sends itself (Notion's verification token): the webhook function keeps them.
  const storedSecretKeys = sources.flatMap(({ source, definition }) => storedSecretKey(source, definition) ?? []).map(credentialPartitionKey);
  // A source's index profiles keep their ledgers, checkpoints and run records under `<id>~<profile>`.
  // Their generations under `<id>~<profile>@g<n>` (a pattern: numbered as they are built), and the aliases naming the current one under `ALIAS#<id>`.
  const sourceKeys = config.sources.flatMap((s) => [
    ...[s.id, ...(s.profiles ?? []).map((p) => profileKeyOf(s.id, p.name))].map(sourcePartitionKey),
    ...(s.profiles ?? []).map((p) => `${sourcePartitionKey(profileKeyOf(s.id, p.name))}@g*`),
    ...(s.profiles ? [aliasPartitionKey(s.id)] : []),
  ]);
  const pushKeys = pushed.map((s) => sourcePartitionKey(s.id));
  // Replay memory of the signed routes: its own partitions, apart from the sources' items.
  const pushDeliveryKeys = pushed.map((s) => deliveryPartitionKey(deliveryScope('ingest', s.id)));
  const webhookDeliveryKeys = hinted.map((s) => deliveryPartitionKey(deliveryScope('webhook', s.id)));
  // Hint buffers: the edge functions add ids, the fetcher takes and settles them.
  const hintKeys = config.sources.map((s) => hintPartitionKey(s.id));
  // Rotating OAuth token pairs: only the functions that call the provider reach them.
  const credentialKeys = sources.flatMap(({ source, definition }) => (definition.tokens?.(source) ?? []).map(credentialPartitionKey));
  const webhookHintKeys = hinted.map((s) => hintPartitionKey(s.id));
  const pushHintKeys = pushed.map((s) => hintPartitionKey(s.id));
  // The embedding cache of every model and dimensions a profile embeds with.
  const top = { model: config.embedder.model, dimensions: config.embedder.dimensions };
  const models = [
    top,
    ...config.sources.flatMap((s) => (s.profiles ?? []).map((p) => ({
      model: p.embedder?.model ?? top.model, dimensions: p.embedder?.dimensions ?? (p.embedder?.model === undefined ? top.dimensions : undefined),
    }))),
  ];
  const embeddingKeys = [...new Set(models.flatMap((m) => embeddingPartitionKeys(m.model, embeddingDimensionsOf(m.model, m.dimensions))))];
  const needs = sources.map(({ source, index, definition }) => ({ sourceId: source.id, index, needs: definition.aws?.(source) ?? {} }));
  const grants = needs.flatMap(({ index, needs: n }) => (n.grants ?? []).map((grant) => checkedGrant(grant, `sources[${index}]`)));
  const warnings = needs.flatMap(({ needs: n }) => n.warnings ?? []);
  const eventRules = needs.flatMap(({ sourceId, needs: n }) => (n.eventRules ?? []).map((rule: AwsEventRule) => ({ sourceId, ...rule })));
  const { aws: _aws, ...runtimeConfig } = config;
  return {
    stage: aws.stage,
    ...(aws.account !== undefined ? { account: aws.account } : {}),
    ...(aws.region !== undefined ? { region: aws.region } : {}),
    ...(aws.alarmEmail !== undefined ? { alarmEmail: aws.alarmEmail } : {}),
    runtimeConfig,
    sources: sources.map(({ source: s, definition }) => ({
      id: s.id, kind: s.kind, schedule: s.schedule, freshnessSloMinutes: s.freshnessSloMinutes, takesPushes: takesPushes(definition),
      answersWebhookGet: s.webhook !== undefined && definition.answerWebhookGet !== undefined,
    })),
    fetcherTimeout: Duration.seconds(aws.fetcherTimeoutSeconds),
    embedderTimeout: Duration.minutes(5),
    embedderBatchSize: aws.embedderBatchSize,
    embedderMaxConcurrency: aws.embedderMaxConcurrency,
    queueAgeAlarmMinutes: aws.queueAgeAlarmMinutes,
    throttle: aws.throttle,
    reservedConcurrency: aws.reservedConcurrency,
    warnings,
    eventRules,
    secretsFor(fn) {
      switch (fn) {
        // The fetcher embeds each page's new chunks ahead and reads the sources; it writes no vectors.
        case 'fetcher': return { ...embedderKey, ...secretsOfSources(fn) };
        // The embedder re-reads a document whose chunks were too large for its task.
        case 'embedder': return { ...embedderKey, ...vectorStoreKey, ...secretsOfSources(fn) };
        // Admin searches (embeds the query) and resets (deletes vectors); it never reads a source.
        case 'admin': return { ...embedderKey, ...vectorStoreKey, ...secretsOfSources(fn) };
        // Signing secrets: of hint webhooks (webhook), of pushes (ingest).
        case 'webhook': case 'ingest': case 'watchdog': return secretsOfSources(fn);
      }
    },
    tableAccessFor(fn) {
      switch (fn) {
        case 'fetcher': return { write: true, partitionKeys: [...sourceKeys, ...embeddingKeys, ...hintKeys, ...credentialKeys] };
        case 'embedder': return { write: true, partitionKeys: [...sourceKeys, ...embeddingKeys, ...credentialKeys] };
        case 'admin': return { write: true, partitionKeys: sourceKeys };
        case 'watchdog': return { write: false, partitionKeys: sourceKeys };
        case 'ingest': return { write: true, partitionKeys: [...pushKeys, ...pushDeliveryKeys, ...pushHintKeys] };
        case 'webhook':
          if (webhookDeliveryKeys.length === 0) return undefined;
          // Reading a stored secret needs reads: then the share is read-write, still these partitions only.
          return storedSecretKeys.length > 0
            ? { write: true, partitionKeys: [...webhookDeliveryKeys, ...webhookHintKeys, ...storedSecretKeys] }
            : { write: true, putOnly: true, partitionKeys: [...webhookDeliveryKeys, ...webhookHintKeys] };
      }
    },
    grantsFor(fn) {
      return grants.filter((grant) => grant.functions.includes(fn));
    },
  };
}

/** The credential key of the webhook secret a source's provider sends itself, when it has no webhook.secretEnv. */
function storedSecretKey(source: SourceBaseConfig, definition: ConnectorDefinition): string | undefined {
  return source.webhook ? undefined : definition.storedWebhookSecret?.(source);
}

/** A kind fed by POST /ingest: its secret signs pushes (the ingest function's), never hints. */
function takesPushes(definition: ConnectorDefinition): boolean {
  return definition.ingest !== undefined;
}

/** The keys of a source that name a secret: every top-level key ending in `Env`, and `webhook.secretEnv`. */
function envKeysOf(source: SourceConfig): string[] {
  const keys = Object.entries(source).filter(([key, value]) => key.endsWith('Env') && typeof value === 'string').map(([key]) => key);
  return source.webhook ? [...keys, 'webhook.secretEnv'] : keys;
}

/** A grant as IAM takes it: actions and resources named, a wildcard resource explained. */
function checkedGrant(grant: AwsGrant, where: string): AwsGrant {
  if (grant.actions.length === 0 || grant.resources.length === 0 || grant.functions.length === 0) {
    throw new ConfigError(`${where}: its connector asks for an AWS grant without functions, actions or resources`);
  }
  if (grant.resources.some((r) => r.includes('*')) && !grant.wildcardReason) {
    throw new ConfigError(`${where}: its connector asks for ${grant.actions.join(', ')} on ${grant.resources.join(', ')} (a wildcard) without saying why (wildcardReason)`);
  }
  return grant;
}
