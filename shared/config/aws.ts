import { z } from 'zod';
import { envName } from './source-base.ts';

/**
 * A Secrets Manager secret, the way `aws.secrets` names it: a secret name (looked up in the
 * deployment's account and region; names may contain hyphens), a complete ARN (ending in the
 * `-` and 6 random characters Secrets Manager appends), or a partial ARN (without them).
 * How each is granted and read: infra/secret-reference.ts.
 */
export const secretReference = z.string().regex(
  /^(?:arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:)?[A-Za-z0-9/_+=.@-]{1,512}$/,
  { message: 'must be a Secrets Manager secret name (e.g. "tributary/openai") or ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters>)' },
);

/** An API Gateway throttle: a steady rate and a burst (token bucket) of requests per second. */
function throttle(rateLimit: number, burstLimit: number) {
  return z.strictObject({
    /** Requests per second, steady. */
    rateLimit: z.number().min(1).max(10_000).default(rateLimit),
    /** Requests accepted at once above the steady rate. */
    burstLimit: z.number().int().min(1).max(5_000).default(burstLimit),
  }).default({ rateLimit, burstLimit });
}

/** Reserved concurrency of an edge function: a cap and a guarantee; `null`: none (an account whose quota is too small to reserve any). */
const reserved = (value: number) => z.number().int().min(1).max(1000).nullable().default(value);

export const DEFAULT_THROTTLE = {
  webhooks: { rateLimit: 50, burstLimit: 50 },
  ingest: { rateLimit: 10, burstLimit: 10 },
  admin: { rateLimit: 5, burstLimit: 10 },
} as const;
/**
 * As many as each route's burst, so API Gateway's throttle (a 429) answers a flood before the
 * function runs out of concurrency (a 5xx from API Gateway).
 */
export const DEFAULT_RESERVED_CONCURRENCY = { webhook: 50, ingest: 10 } as const;

/** Deployment settings for `cdk deploy`; the local runtime ignores them. */
export const awsSchema = z.strictObject({
  /** Names the stacks (`Tributary-<stage>-…`). */
  stage: z.string().regex(/^[a-z][a-z0-9-]{0,19}$/, { message: 'must be 1-20 of a-z, 0-9, "-", starting with a letter (e.g. "prod")' }).default('dev'),
  account: z.string().regex(/^\d{12}$/, { message: 'must be a 12-digit AWS account id' }).optional(),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { message: 'must be an AWS region such as "eu-west-1"' }).optional(),
  /** Alarm notifications go to this address (confirm the SNS subscription e-mail). */
  alarmEmail: z.string().email().optional(),
  /**
   * Secrets Manager secrets (names or ARNs) for the environment variables the config names
   * (`apiKeyEnv`, `webhook.secretEnv`, a source's `…Env`). Lambdas read them at cold start;
   * no secret is put in an env var.
   */
  secrets: z.record(envName, secretReference).default({}),
  /** Fetcher time limit; a run stops before it and continues in a new invocation. */
  fetcherTimeoutSeconds: z.number().int().min(60).max(900).default(900),
  /** Embed tasks per Lambda invocation (SQS FIFO allows at most 10). */
  embedderBatchSize: z.number().int().min(1).max(10).default(10),
  /** Concurrent embedder invocations, to stay within provider rate limits. */
  embedderMaxConcurrency: z.number().int().min(2).max(1000).default(10),
  /** Alarm when the oldest message of a queue is older than this. */
  queueAgeAlarmMinutes: z.number().int().min(1).max(1440).default(30),
  /** Per-route throttles of the HTTP API, by route group: each group has its own bucket, so a flood of one cannot starve another. */
  throttle: z.strictObject({
    /** `POST /webhooks/{sourceId}`. */
    webhooks: throttle(DEFAULT_THROTTLE.webhooks.rateLimit, DEFAULT_THROTTLE.webhooks.burstLimit),
    /** `POST /ingest/{sourceId}`. */
    ingest: throttle(DEFAULT_THROTTLE.ingest.rateLimit, DEFAULT_THROTTLE.ingest.burstLimit),
    /** Every `/admin/…` route (and any route added without its own). */
    admin: throttle(DEFAULT_THROTTLE.admin.rateLimit, DEFAULT_THROTTLE.admin.burstLimit),
  }).default({ ...DEFAULT_THROTTLE }),
  /** Reserved concurrency of the functions anyone on the internet can invoke. */
  reservedConcurrency: z.strictObject({
    webhook: reserved(DEFAULT_RESERVED_CONCURRENCY.webhook),
    ingest: reserved(DEFAULT_RESERVED_CONCURRENCY.ingest),
  }).default({ ...DEFAULT_RESERVED_CONCURRENCY }),
});

export type AwsConfig = z.output<typeof awsSchema>;
