/**
 * What a source kind is, in one object: its config schema, how to build its connector, how its
 * webhooks are decoded, which secrets it needs and which function reads each, what it needs on
 * AWS, and its docs page. Every connector folder exports one; `./registry.ts` lists them, and
 * config, wiring, the webhook and ingest functions and the stacks read them from there, so a
 * new source kind is one folder plus one registry line (docs/connectors.md §3).
 *
 * Definitions are plain data and functions: no CDK, no SDK client built at import (the Lambda
 * bundles import the registry).
 */

import type { z } from 'zod';
import type { SourceBaseConfig } from '../config/source-base.ts';
import type { Logger } from '../core/deps.ts';
import type {
  Clock, CredentialStore, PushStateStore, SourceConnector, StateStore, WebhookAnswer, WebhookGetAnswer, WebhookGetRequest, WebhookRequest,
} from '../ports/index.ts';

export type { SourceBaseConfig };

/** The deployment's Lambda functions (infra/stacks/pipeline-stack.ts). */
export type FunctionName = 'fetcher' | 'embedder' | 'webhook' | 'watchdog' | 'admin' | 'ingest';

/** What a connector may need besides its own config. */
export interface ConnectorContext {
  /** Secret values by the environment-variable names the config uses (process.env locally, Secrets Manager on AWS). */
  readonly secret: (envName: string) => string | undefined;
  /**
   * Static secrets again (`credentials.secret` is `secret`) and the sources' rotating OAuth
   * token pairs (the local database; the state table on AWS): a connector whose provider rotates
   * refresh tokens keeps its pair under a key its definition's `tokens` names, and gets its
   * access token with `currentAccessToken` (shared/core/tokens.ts), which never loses a rotated one.
   */
  readonly credentials: CredentialStore;
  /** The state table (a push source keeps its pushed documents there). */
  readonly state: StateStore;
  readonly clock: Clock;
  readonly log: Logger;
}

/** A secret a source needs: which config key names it, and which functions read it at cold start. */
export interface SecretNeed {
  /** The config key that names the variable, relative to the source: `tokenEnv`, `webhook.secretEnv`. */
  readonly key: string;
  /** The environment-variable name the config gives (on AWS: a key of `aws.secrets`). */
  readonly env: string;
  readonly functions: readonly FunctionName[];
}

/** An IAM statement a source needs, added to the roles of the named functions. */
export interface AwsGrant {
  readonly functions: readonly FunctionName[];
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  /**
   * Why a resource with a wildcard (`arn:aws:s3:::bucket/*`) is needed: cdk-nag's
   * AwsSolutions-IAM5 finding for it is acknowledged with this reason. Required for wildcards.
   */
  readonly wildcardReason?: string;
  /** IAM condition block (`{ StringLike: { 's3:prefix': ['docs/*'] } }`), to narrow the grant further. */
  readonly conditions?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

/**
 * A rule on the account's default event bus whose matching events (an AWS service's own, such
 * as S3's Object Created) go to the fetch queue in the source's message group, as
 * `{ type: 'event', sourceId, event }`; the fetcher turns them into id hints with the
 * definition's `decodeEvent`.
 */
export interface AwsEventRule {
  readonly description: string;
  /** An EventBridge event pattern (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html). */
  readonly pattern: Readonly<Record<string, unknown>>;
}

/** What a source needs on AWS besides the state table, the queues and its secrets. */
export interface AwsNeeds {
  readonly grants?: readonly AwsGrant[];
  /** Things that deploy but deserve a second look, shown as CDK warnings at synth. */
  readonly warnings?: readonly string[];
  /** Rules feeding the source's native AWS events to the fetch queue (the definition's `decodeEvent` reads them). */
  readonly eventRules?: readonly AwsEventRule[];
}

/** The result of applying one signed request to `POST /ingest/<id>`. */
export interface IngestAnswer {
  readonly statusCode: number;
  readonly body: unknown;
  /** Document ids the request changed: one hint names them to the fetcher. */
  readonly touched: readonly string[];
}

/**
 * A source fed by `POST /ingest/<id>` (locally and on the HTTP API) instead of read by
 * polling alone. The route verifies the signature with the source's `webhook.secretEnv`,
 * keeps replay memory and `Idempotency-Key` records, and publishes the hint; the endpoint
 * decodes and applies the body. Such a source's secret signs pushes, never hints:
 * `POST /webhooks/<id>` refuses it.
 */
export interface IngestEndpoint<C> {
  /** The store pushes are applied to and idempotency keys are kept in (ConfigError when the state store has none). */
  store(state: StateStore, sourceId: string): PushStateStore;
  /** Decodes a verified body before anything is stored; HttpError(400) for a malformed one. */
  parse(body: string): unknown;
  /** Applies a decoded body; HttpError for a 4xx. */
  apply(input: { source: C; request: unknown; store: PushStateStore; clock: Clock }): Promise<IngestAnswer>;
  /** How long an `Idempotency-Key` and its stored answer are kept. */
  idempotencyMs(source: C): number;
}

/** One line of the README's source table (checked against the registry by test/unit/registry.test.ts). */
export interface SourceSummary {
  readonly indexes: string;
  readonly nearRealTime: string;
}

/**
 * A source kind. Methods, not function-valued fields: a definition of one kind is then usable
 * wherever any definition is (the registry holds them side by side).
 */
export interface ConnectorDefinition<C extends SourceBaseConfig = SourceBaseConfig, S extends z.ZodType = z.ZodType> {
  /** The config's `kind`. */
  readonly kind: C['kind'];
  /** `z.strictObject({ ...sourceBase, kind: z.literal(kind), … })`: a member of the config's source union. */
  readonly schema: S;
  /** The page documenting every key, from the repository root (`docs/sources/<kind>.md`). */
  readonly docs: string;
  readonly summary: SourceSummary;
  /** The connector of one configured source. Reads secrets through `context.secret` (lazily, or with a ConfigError naming the variable). */
  create(source: C, context: ConnectorContext): SourceConnector;
  /** Every secret the source names (each `…Env` key of its config), and which functions read it. */
  secrets(source: C): readonly SecretNeed[];
  /**
   * Keys of the OAuth token pairs the source keeps in the credential store (`tokenKey(source)`):
   * on AWS the fetcher and the embedder, which call the provider, may read and write those
   * pairs and no others. Absent: the source's secrets are static.
   */
  tokens?(source: C): readonly string[];
  /**
   * The provider's webhook protocol, decoded without any API call from the config, the
   * source's signing secret and the raw request: verify, decode, answer (HttpError for a 4xx).
   * Absent: the source takes Tributary's own signed hints (README "Webhooks").
   */
  decodeWebhook?(source: C, request: WebhookRequest): WebhookAnswer;
  /**
   * The ids a native event names (one that an `aws().eventRules` rule delivered to the fetch
   * queue): decoded by the fetcher into a targeted fetch task. Throws PoisonTaskError for an
   * event it cannot read; an empty list: nothing of the source's changed.
   */
  decodeEvent?(source: C, event: unknown): readonly string[];
  /**
   * Answers `GET /webhooks/<id>` for a source with a webhook: a provider's subscription check
   * (Tempo echoes `randomString`), static like `decodeWebhook` (HttpError for a 4xx). Absent: the
   * route answers GET with 401, as for an unknown source.
   */
  answerWebhookGet?(source: C, request: WebhookGetRequest): WebhookGetAnswer;
  /**
   * The credential-store key of a webhook signing secret the provider sends itself (a
   * `storeSecret` answer): when the source has no `webhook.secretEnv`, the route verifies with
   * the stored value ('' before one is stored). Undefined: the source takes no such webhook.
   */
  storedWebhookSecret?(source: C): string | undefined;
  /** The source takes `POST /ingest/<id>` (see IngestEndpoint); its secret signs pushes, not hints. */
  readonly ingest?: IngestEndpoint<C>;
  /** Grants and warnings for the AWS deployment. */
  aws?(source: C): AwsNeeds;
  /** The config with its paths resolved against the config file's folder. */
  resolvePaths?(source: C, resolve: (path: string) => string): C;
}

/** The usual key of a source's token pair: its kind and id, so no two sources share one. */
export function tokenKey(source: SourceBaseConfig): string {
  return `${source.kind}:${source.id}`;
}

/** Types a definition by its schema (the config type follows from it). */
export function defineConnector<S extends z.ZodType<SourceBaseConfig>>(definition: ConnectorDefinition<z.output<S>, S>): ConnectorDefinition<z.output<S>, S> {
  return definition;
}

/**
 * The usual secrets: the connector's own `…Env` keys, read by the fetcher and by the embedder
 * (which re-reads a document too large for its task), and the hint webhook's signing secret,
 * read by the webhook function.
 */
export function standardSecrets(source: SourceBaseConfig, own: Readonly<Record<string, string>>): SecretNeed[] {
  const needs: SecretNeed[] = Object.entries(own).map(([key, env]) => ({ key, env, functions: ['fetcher', 'embedder'] }));
  if (source.webhook) needs.push({ key: 'webhook.secretEnv', env: source.webhook.secretEnv, functions: ['webhook'] });
  return needs;
}
