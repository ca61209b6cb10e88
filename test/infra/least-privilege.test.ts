import { AwsSolutionsChecks } from 'cdk-nag';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../infra/constructs/pipeline-function.ts';
import { ENV } from '../../shared/wiring/aws.ts';
import { isAllowed } from '../support/iam.ts';
import { readJson, synthesize, type FunctionId, type Synthesized } from '../support/templates.ts';

/**
 * Each function's role, evaluated as IAM would: which state-table items (by partition key)
 * and which secrets it can reach. Built from the example with every deployable kind of
 * source (Slack, Postgres, push), whose secrets are all distinct.
 */

const CONFIG = join(REPO_ROOT, 'examples', 'aws', 'connectors.config.json');
const REGION = 'eu-west-1';
const ACCOUNT = '123456789012';
const TABLE = 'StateTable9728C7E5.Arn';

const example = readJson<{ aws: { secrets: Record<string, string> } }>(CONFIG);
/** The ARN Secrets Manager gave each secret of the example (its name, a hyphen, 6 random characters). */
const SECRET = Object.fromEntries(Object.entries(example.aws.secrets).map(([env, name]) =>
  [env, `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-Q1w2E3`])) as Record<string, string>;

const KEYS = {
  slack: 'SRC#team-chat',
  postgres: 'SRC#support-chat',
  push: 'SRC#tickets',
  notion: 'SRC#wiki',
  /** The verification token a Notion subscription sent, kept by the webhook function. */
  notionWebhookSecret: 'CRED#notion-webhook:wiki',
  embeddings: 'EMB#text-embedding-3-small#1536',
  /** Not a source of this config. */
  ghost: 'SRC#ghost',
  otherModel: 'EMB#text-embedding-3-large#3072',
} as const;
const READS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'];
const WRITES = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];
const FUNCTIONS: readonly FunctionId[] = ['Fetcher', 'Embedder', 'Admin', 'Watchdog', 'Ingest', 'Webhook'];

let synth: Synthesized;

beforeAll(() => {
  const config = readJson<{ aws: Record<string, unknown>; sources: unknown[] }>(CONFIG);
  config.aws = { ...config.aws, account: ACCOUNT, region: REGION };
  // A Notion source whose webhook secret is the verification token Notion sends (stored, not an env var);
  // its token reuses a secret of the example, so the secrets expectations below stay as they are.
  config.sources.push({ id: 'wiki', kind: 'notion', tokenEnv: 'OPENAI_API_KEY', webhookSubscription: true });
  synth = synthesize(config);
});

const canOnTable = (fn: FunctionId, action: string, keys: readonly string[]): boolean =>
  isAllowed(synth.statements(fn), action, TABLE, { 'dynamodb:LeadingKeys': keys });

/** The partition keys of KEYS the function can use `action` on, one key per request. */
const reachable = (fn: FunctionId, action: string): string[] =>
  Object.values(KEYS).filter((key) => canOnTable(fn, action, [key]));

describe('state table: each function reaches only its partition keys (dynamodb:LeadingKeys)', () => {
  const sources = [KEYS.slack, KEYS.postgres, KEYS.push, KEYS.notion];
  const expected: Record<FunctionId, { reads: string[]; writes: string[] }> = {
    // Leases, cursors, ledger, runs and the push stash of every source, and the embedding cache.
    Fetcher: { reads: [...sources, KEYS.embeddings], writes: [...sources, KEYS.embeddings] },
    Embedder: { reads: [...sources, KEYS.embeddings], writes: [...sources, KEYS.embeddings] },
    // Status, runs, reset: every source, never the embedding cache.
    Admin: { reads: sources, writes: sources },
    Watchdog: { reads: sources, writes: [] },
    // The push stash and idempotency keys of the push source only.
    Ingest: { reads: [KEYS.push], writes: [KEYS.push] },
    // Replay memory and hint buffers (not in KEYS), and the Notion verification token it stores and reads.
    Webhook: { reads: [KEYS.notionWebhookSecret], writes: [KEYS.notionWebhookSecret] },
  };

  for (const fn of FUNCTIONS) {
    it(`${fn}: reads ${expected[fn].reads.join(', ') || 'nothing'}; writes ${expected[fn].writes.join(', ') || 'nothing'}`, () => {
      for (const action of READS) expect(reachable(fn, action), `${fn} ${action}`).toEqual(expected[fn].reads);
      for (const action of WRITES) expect(reachable(fn, action), `${fn} ${action}`).toEqual(expected[fn].writes);
    });
  }

  it('refuses a batch that mixes an allowed key with another (ForAllValues), and requests that name no key', () => {
    expect(canOnTable('Ingest', 'dynamodb:BatchGetItem', [KEYS.push])).toBe(true);
    expect(canOnTable('Ingest', 'dynamodb:BatchGetItem', [KEYS.push, KEYS.embeddings])).toBe(false);
    expect(canOnTable('Admin', 'dynamodb:BatchWriteItem', [KEYS.slack, KEYS.embeddings])).toBe(false);
    for (const fn of FUNCTIONS) {
      // A Scan names no partition key: with the key absent, ForAllValues alone would hold.
      for (const action of ['dynamodb:Scan', 'dynamodb:DescribeTable', 'dynamodb:PartiQLSelect', ...READS]) {
        expect(isAllowed(synth.statements(fn), action, TABLE, {}), `${fn} ${action} without keys`).toBe(false);
      }
      expect(canOnTable(fn, 'dynamodb:Scan', [KEYS.push]), `${fn} Scan`).toBe(false);
      for (const action of ['dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:DeleteTable', 'dynamodb:UpdateTable']) {
        expect(canOnTable(fn, action, [KEYS.push]), `${fn} ${action}`).toBe(false);
      }
    }
  });
});

describe('secrets: each function reads only the secrets it uses', () => {
  const expected: Record<FunctionId, string[]> = {
    // Embeds ahead (OpenAI) and reads the sources (Slack token, database URL); writes no vectors.
    Fetcher: ['OPENAI_API_KEY', 'SLACK_BOT_TOKEN', 'SUPPORT_DB_URL'],
    // Embeds, writes vectors, and re-reads a document whose chunks did not fit its task.
    Embedder: ['OPENAI_API_KEY', 'PINECONE_API_KEY', 'SLACK_BOT_TOKEN', 'SUPPORT_DB_URL'],
    // Searches and resets: the index only, never a source.
    Admin: ['OPENAI_API_KEY', 'PINECONE_API_KEY'],
    Watchdog: [],
    // Verifies pushes.
    Ingest: ['TICKETS_PUSH_SECRET'],
    // Verifies Slack's signature; a push source is not a webhook.
    Webhook: ['SLACK_SIGNING_SECRET'],
  };

  for (const fn of FUNCTIONS) {
    it(`${fn}: ${expected[fn].join(', ') || 'none'}`, () => {
      const readable = Object.keys(SECRET).filter((name) => isAllowed(synth.statements(fn), 'secretsmanager:GetSecretValue', SECRET[name]!)).sort();
      expect(readable).toEqual(expected[fn]);
      // It asks for exactly those at cold start.
      expect(Object.keys(JSON.parse(synth.env(fn)[ENV.secretIds] ?? '{}') as object).sort()).toEqual(expected[fn]);
    });
  }
});

describe('cdk-nag (AwsSolutions) on this config', () => {
  it('reports no unacknowledged finding', () => {
    const report = new AwsSolutionsChecks().validateScope(synth.built.app);
    expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
  });
});
