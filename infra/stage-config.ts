import { Duration } from 'aws-cdk-lib';
import type { TributaryConfig } from '../shared/config/schema.ts';
import { ConfigError } from '../shared/core/errors.ts';

export type FunctionName = 'fetcher' | 'embedder' | 'webhook' | 'watchdog' | 'admin' | 'ingest';

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
  /** Secret ids (names or ARNs, as in `aws.secrets`) by the environment-variable name the config uses: only those the function needs. */
  secretsFor(fn: FunctionName): Record<string, string>;
  /** Things that deploy but deserve a second look (shown as CDK warnings). */
  readonly warnings: readonly string[];
}

/**
 * Checks that the config can run on AWS and that every secret it names is in `aws.secrets`,
 * with errors that name the key and the fix.
 */
export function stageConfigFrom(config: TributaryConfig): StageConfig {
  const aws = config.aws ?? { stage: 'dev', secrets: {}, fetcherTimeoutSeconds: 900, embedderBatchSize: 10, embedderMaxConcurrency: 10, queueAgeAlarmMinutes: 30 };
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
  const providers = {
    ...secretOf(config.embedder.apiKeyEnv, 'embedder.apiKeyEnv'),
    ...secretOf(config.vectorStore.apiKeyEnv, 'vectorStore.apiKeyEnv'),
  };
  const webhooks: Record<string, string> = {};
  /** Push sources' signing secrets: the ingest function verifies pushes with them. */
  const pushes: Record<string, string> = {};
  // A connector's own secrets (an API token, a connection string) are the source's `…Env` keys.
  const connectorSecrets: Record<string, string> = {};
  config.sources.forEach((s, i) => {
    if (s.webhook) Object.assign(webhooks, secretOf(s.webhook.secretEnv, `sources[${i}].webhook.secretEnv`));
    if (s.kind === 'push') Object.assign(pushes, secretOf(s.webhook.secretEnv, `sources[${i}].webhook.secretEnv`));
    for (const [key, value] of Object.entries(s)) {
      if (key.endsWith('Env') && typeof value === 'string') Object.assign(connectorSecrets, secretOf(value, `sources[${i}].${key}`));
    }
  });
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
    warnings,
    secretsFor(fn) {
      switch (fn) {
        case 'fetcher': case 'embedder': case 'admin': return { ...providers, ...connectorSecrets };
        case 'webhook': return { ...webhooks };
        case 'ingest': return { ...pushes };
        case 'watchdog': return {};
      }
    },
  };
}
