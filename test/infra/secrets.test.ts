import { ResourceNotFoundException, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../infra/constructs/pipeline-function.ts';
import { secretReferenceOf } from '../../infra/secret-reference.ts';
import { stageConfigFrom } from '../../infra/stage-config.ts';
import { loadSecrets } from '../../shared/adapters/aws/secrets.ts';
import { parseConfig } from '../../shared/config/load.ts';
import { ConfigError } from '../../shared/core/errors.ts';
import { ENV } from '../../shared/wiring/aws.ts';
import { isAllowed } from '../support/iam.ts';
import { readJson, synthesize, type FunctionId, type Synthesized } from '../support/templates.ts';

/**
 * Secret references in `aws.secrets`, by Secrets Manager's rules: a secret's ARN is its name,
 * a hyphen and 6 random characters. A name (or a partial ARN) therefore needs the `-??????`
 * wildcard in IAM, and a name may itself end in a hyphen and 6 characters (the README's
 * `tributary/slack-signing-secret`), so no suffix test on a name can tell it from an ARN.
 */

const CONNECTORS_CONFIG = join(REPO_ROOT, 'examples', 'aws', 'connectors.config.json');
const REGION = 'eu-west-1';
const ACCOUNT = '123456789012';
const arnPrefix = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:`;
/** What Secrets Manager made of each secret: its ARN with the random suffix. */
const realArn = (name: string): string => `${arnPrefix}${name}-Xy12Ab`;

const REFERENCES = {
  OPENAI_API_KEY: `${arnPrefix}tributary/openai-AbC123`, // complete ARN
  PINECONE_API_KEY: `${arnPrefix}tributary/pinecone`, // partial ARN
  SLACK_BOT_TOKEN: 'tributary/slack-bot-token', // names, as the README creates them
  SLACK_SIGNING_SECRET: 'tributary/slack-signing-secret',
  SUPPORT_DB_URL: 'tributary/support-db-url',
  TICKETS_PUSH_SECRET: 'tributary/tickets-push',
};
/** The real ARN behind each reference. */
const REAL: Record<keyof typeof REFERENCES, string> = {
  OPENAI_API_KEY: REFERENCES.OPENAI_API_KEY,
  PINECONE_API_KEY: realArn('tributary/pinecone'),
  SLACK_BOT_TOKEN: realArn('tributary/slack-bot-token'),
  SLACK_SIGNING_SECRET: realArn('tributary/slack-signing-secret'),
  SUPPORT_DB_URL: realArn('tributary/support-db-url'),
  TICKETS_PUSH_SECRET: realArn('tributary/tickets-push'),
};

let synth: Synthesized;

beforeAll(() => {
  const config = readJson<{ aws: Record<string, unknown> }>(CONNECTORS_CONFIG);
  config.aws = { ...config.aws, account: ACCOUNT, region: REGION, secrets: REFERENCES };
  synth = synthesize(config);
});

const canRead = (fn: FunctionId, arn: string): boolean => isAllowed(synth.statements(fn), 'secretsmanager:GetSecretValue', arn);

describe('secret references in aws.secrets', () => {
  it('lets the webhook read the Slack signing secret named tributary/slack-signing-secret (its ARN ends in -XXXXXX)', () => {
    expect(canRead('Webhook', REAL.SLACK_SIGNING_SECRET)).toBe(true);
  });

  it('grants each function exactly the secrets its ids name: a name or a partial ARN by the -?????? wildcard, a complete ARN as is', () => {
    for (const fn of ['Fetcher', 'Embedder', 'Webhook', 'Ingest', 'Admin'] as const) {
      const ids = JSON.parse(synth.env(fn)[ENV.secretIds] ?? '{}') as Record<string, string>;
      expect(Object.keys(ids).length, fn).toBeGreaterThan(0);
      for (const [name, id] of Object.entries(ids)) {
        // The function asks Secrets Manager by the id exactly as written in the config.
        expect(id, `${fn} ${name}`).toBe(REFERENCES[name as keyof typeof REFERENCES]);
        expect(canRead(fn, REAL[name as keyof typeof REFERENCES]), `${fn} reads ${name}`).toBe(true);
      }
    }
  });

  it('does not reach other secrets whose names merely start the same', () => {
    for (const near of [
      realArn('tributary/slack-signing-secret-old'), // another secret, named with an extra part
      `${arnPrefix}tributary/slack-signing-secret-Xy12Ab-Zz99Zz`,
      realArn('tributary/slack-signing'),
      `${arnPrefix}tributary/openai-ZZZ999`, // a re-created secret of the same name: a new suffix
      `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:tributary/slack-signing-secret-Xy12Ab`, // another region
    ]) {
      for (const fn of ['Fetcher', 'Embedder', 'Webhook', 'Ingest', 'Admin', 'Watchdog'] as const) expect(canRead(fn, near), `${fn} ${near}`).toBe(false);
    }
  });

  it('reads a value by Secrets Manager\'s rules: no arn: prefix is a name; an ARN is complete when it ends in - and 6 characters', () => {
    expect(secretReferenceOf('tributary/slack-signing-secret')).toEqual({ kind: 'name', name: 'tributary/slack-signing-secret' });
    expect(secretReferenceOf('openai')).toEqual({ kind: 'name', name: 'openai' });
    expect(secretReferenceOf(`${arnPrefix}tributary/openai-AbC123`).kind).toBe('completeArn');
    expect(secretReferenceOf(`${arnPrefix}tributary/openai`).kind).toBe('partialArn');
    expect(secretReferenceOf(`${arnPrefix}tributary/open-ai`).kind).toBe('partialArn');
  });

  it('rejects a value that is neither a secret name nor a Secrets Manager ARN, naming the key', () => {
    const config = readJson<{ aws: { secrets: Record<string, string> } }>(CONNECTORS_CONFIG);
    for (const bad of ['arn:aws:s3:::bucket/key', 'my secret', '']) {
      config.aws.secrets['OPENAI_API_KEY'] = bad;
      expect(() => stageConfigFrom(parseConfig(config)), bad).toThrow(/aws\.secrets\.OPENAI_API_KEY.*Secrets Manager secret name/);
    }
  });
});

describe('loadSecrets', () => {
  const client = (fail: unknown): SecretsManagerClient => ({ send: () => Promise.reject(fail) }) as unknown as SecretsManagerClient;

  it('turns a secret that does not exist into a ConfigError naming the variable and the fix', async () => {
    const missing = new ResourceNotFoundException({ message: "Secrets Manager can't find the specified secret.", $metadata: {} });
    const error = await loadSecrets(client(missing), { SLACK_SIGNING_SECRET: `${arnPrefix}tributary/slack-signing-secret` }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/SLACK_SIGNING_SECRET.*its name or its complete ARN/);
  });

  it('passes other failures through unchanged (a denied read right after a deploy is retried by the next cold start)', async () => {
    const denied = Object.assign(new Error('not authorized to perform: secretsmanager:GetSecretValue'), { name: 'AccessDeniedException' });
    await expect(loadSecrets(client(denied), { X: 'x' })).rejects.toBe(denied);
  });
});
