import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDbDeliveryLog } from '../adapters/aws/dynamodb-delivery-log.ts';
import { DynamoDbHintBuffer } from '../adapters/aws/dynamodb-hint-buffer.ts';
import { DynamoDbAliasStore } from '../adapters/aws/dynamodb-alias-store.ts';
import { DynamoDbIncidentLog } from '../adapters/aws/dynamodb-incident-log.ts';
import { DynamoDbCredentialStore } from '../adapters/aws/dynamodb-credential-store.ts';
import { DynamoDbStateStore } from '../adapters/aws/dynamodb-state-store.ts';
import { EventBridgeEventBus } from '../adapters/aws/eventbridge-event-bus.ts';
import { loadSecrets } from '../adapters/aws/secrets.ts';
import { SqsTaskQueue } from '../adapters/aws/sqs-task-queue.ts';
import { parseConfig } from '../config/load.ts';
import type { TributaryConfig } from '../config/schema.ts';
import type { CoreDeps, Logger, SourceSettings } from '../core/deps.ts';
import { ConfigError } from '../core/errors.ts';
import { BufferedHintBus } from '../core/hints.ts';
import type { CredentialStore, DeliveryLog, EventBus, IncidentLog, SourceConnector, TaskQueue, VectorStore } from '../ports/index.ts';
import { embedderFromConfig, embeddingPriceFromConfig, vectorStoreFromConfig, type Env } from './adapters.ts';
import { wireProfiles } from './profiles.ts';
import { closeConnectors, connectorOf, settingsOf, systemClock } from './sources.ts';

/** Environment variables the stacks set on every pipeline function. */
export const ENV = {
  table: 'TRIBUTARY_TABLE',
  fetchQueue: 'TRIBUTARY_FETCH_QUEUE_URL',
  fetchDlq: 'TRIBUTARY_FETCH_DLQ_URL',
  embedQueue: 'TRIBUTARY_EMBED_QUEUE_URL',
  embedDlq: 'TRIBUTARY_EMBED_DLQ_URL',
  bus: 'TRIBUTARY_EVENT_BUS',
  config: 'TRIBUTARY_CONFIG',
  /** Secret ids (names or ARNs) by the environment-variable name the config uses. */
  secretIds: 'TRIBUTARY_SECRET_IDS',
} as const;

/**
 * What a function builds at cold start: only what it uses, so it needs only those grants and
 * secrets. `full`: everything; `fetch`: everything but the vector store (the fetcher writes
 * no vectors, so it is not given the vector store's key); `state`: the table only; `control`:
 * the table and the queues (chat commands, alert notifications); `edge`: neither table nor queues.
 */
export type RuntimeKind = 'full' | 'fetch' | 'state' | 'control' | 'edge';

export interface AwsRuntime {
  /** Complete for 'full'; 'fetch' has no `vectors`; for 'state', only `state`, `clock` and `log` may be used. */
  readonly deps: CoreDeps;
  readonly config: TributaryConfig;
  /** Secret values by the environment-variable names the config uses. */
  readonly secrets: Env;
  readonly eventBus: EventBus | undefined;
  readonly maxReceives: number;
  /** Replay memory of the signed endpoints; present when the function is given the table. */
  readonly deliveries: DeliveryLog | undefined;
  /** Open alert incidents; present when the function is given the table. */
  readonly incidents?: IncidentLog;
  /** Sources' credentials; the edge functions get it when given the table (stored webhook secrets). */
  readonly credentials?: CredentialStore;
  /** Closes the connectors (their connection pools) and the vector store: the container is shutting down. */
  close(): Promise<void>;
}

function required(env: Env, name: string): string {
  const value = env[name];
  if (!value) throw new ConfigError(`environment variable ${name} is not set: deploy with the Tributary stacks, which set it`);
  return value;
}

/**
 * Builds the Lambda side from the environment the stacks set: config and resource names
 * from env vars, secrets from Secrets Manager. Endpoints can be redirected with the SDK's
 * AWS_ENDPOINT_URL_<SERVICE> variables (how the handler tests reach dynalite and fauxqs).
 */
export async function buildAwsRuntime(env: Env, log: Logger, kind: RuntimeKind = 'full'): Promise<AwsRuntime> {
  const config = parseConfig(JSON.parse(required(env, ENV.config)) as unknown, ENV.config);
  const secretIds = JSON.parse(env[ENV.secretIds] ?? '{}') as Record<string, string>;
  const secrets: Env = Object.keys(secretIds).length > 0 ? await loadSecrets(new SecretsManagerClient({}), secretIds) : {};
  const busName = env[ENV.bus];
  const tableName = env[ENV.table];
  const ddb = tableName ? new DynamoDBClient({}) : undefined;
  const deliveries = ddb && tableName ? new DynamoDbDeliveryLog(ddb, tableName) : undefined;
  const hints = ddb && tableName ? new DynamoDbHintBuffer(ddb, tableName) : undefined;
  const bridge = busName ? new EventBridgeEventBus({ client: new EventBridgeClient({}), busName, clock: systemClock }) : undefined;
  // Id hints coalesce in the table's hint buffer: a burst of them is one queued run.
  const eventBus = bridge && hints ? new BufferedHintBus(hints, bridge, systemClock) : bridge;
  if (kind === 'edge') {
    const unusable = new Proxy({} as CoreDeps, { get: (_t, key) => {
      if (key === 'clock') return systemClock;
      if (key === 'log') return log;
      throw new ConfigError(`deps.${String(key)} is not available to an edge function`);
    } });
    const edgeCredentials = ddb && tableName ? { credentials: new DynamoDbCredentialStore(ddb, tableName, secrets) } : {};
    return { config, secrets, maxReceives: config.queues.maxReceives, eventBus, deliveries, ...edgeCredentials, deps: unusable, close: async () => undefined };
  }
  const tableClient = ddb ?? new DynamoDBClient({});
  const state = new DynamoDbStateStore({ client: tableClient, tableName: required(env, ENV.table) });
  const incidents = new DynamoDbIncidentLog(tableClient, required(env, ENV.table));
  const newQueue = (): SqsTaskQueue => new SqsTaskQueue({
    client: new SQSClient({}),
    urls: {
      fetch: required(env, ENV.fetchQueue), fetchDlq: required(env, ENV.fetchDlq),
      embed: required(env, ENV.embedQueue), embedDlq: required(env, ENV.embedDlq),
    },
  });
  if (kind === 'state' || kind === 'control') {
    const given: { state: DynamoDbStateStore; clock: typeof systemClock; log: Logger; queue?: TaskQueue } = { state, clock: systemClock, log };
    if (kind === 'control') given.queue = newQueue();
    const partial = new Proxy(given as unknown as CoreDeps, { get: (t, key) => {
      if (key in t) return (t as unknown as Record<string | symbol, unknown>)[key];
      throw new ConfigError(`deps.${String(key)} is not available to a ${kind === 'state' ? 'state-only' : 'control'} function`);
    } });
    return { config, secrets, maxReceives: config.queues.maxReceives, eventBus, deliveries, incidents, deps: partial, close: async () => undefined };
  }
  const queue = newQueue();
  const embedder = embedderFromConfig(config, secrets);
  const vectors = kind === 'fetch'
    ? new Proxy({} as VectorStore, { get: (_t, key) => {
      throw new ConfigError(`vectors.${String(key)} is not available to the fetcher: it writes no vectors (the embedder does)`);
    } })
    : await vectorStoreFromConfig(config, '/tmp/tributary', embedder.dimensions, secrets);
  const profiles = await wireProfiles({
    config, stateDir: '/tmp/tributary', env: secrets, embedder, vectors, ...(kind === 'fetch' ? { noVectors: vectors } : {}),
  });
  const credentials = new DynamoDbCredentialStore(tableClient, required(env, ENV.table), secrets);
  const connectors = new Map<string, SourceConnector>();
  const settings = new Map<string, SourceSettings>();
  for (const source of config.sources) {
    connectors.set(source.id, connectorOf(source, { secret: (name) => credentials.secret(name), credentials, state, clock: systemClock, log }));
    settings.set(source.id, settingsOf(source, config.chunking));
  }
  return {
    config, secrets, maxReceives: config.queues.maxReceives, eventBus, deliveries,
    async close() {
      await closeConnectors(connectors.values(), log);
      await profiles.close();
      if (kind !== 'fetch') await vectors.close?.();
    },
    deps: {
      state, queue, vectors, embedder, clock: systemClock, log, ...(hints ? { hints } : {}),
      connector: (id) => connectors.get(id), settings: (id) => settings.get(id),
      profiles: (id) => profiles.profiles(id), retiredTarget: (id, profile) => profiles.retiredTarget(id, profile),
      generations: profiles.generations(new DynamoDbAliasStore(tableClient, required(env, ENV.table))),
      embeddingPricePerMillionTokensUsd: embeddingPriceFromConfig(config),
    },
  };
}
