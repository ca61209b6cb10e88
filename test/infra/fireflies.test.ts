/**
 * A Fireflies source deploys: synthesized from the example with a fireflies source added, the
 * webhook function can verify its deliveries (the signing secret, its replay memory and hint
 * buffer) and nothing more of it, the fetcher and embedder read its API key, the source has its
 * schedule and the POST /webhooks/{sourceId} route serves it; without a webhook, synth warns.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../infra/constructs/pipeline-function.ts';
import { stageConfigFrom } from '../../infra/stage-config.ts';
import { deliveryPartitionKey } from '../../shared/adapters/aws/dynamodb-delivery-log.ts';
import { parseConfig } from '../../shared/config/load.ts';
import { ConfigError } from '../../shared/core/errors.ts';
import { deliveryScope } from '../../shared/core/webhook.ts';
import { isAllowed } from '../support/iam.ts';
import { readJson, synthesize, type FunctionId, type Synthesized } from '../support/templates.ts';

const CONFIG = join(REPO_ROOT, 'examples', 'aws', 'connectors.config.json');
const REGION = 'eu-west-1';
const ACCOUNT = '123456789012';
const TABLE = 'StateTable9728C7E5.Arn';
const SECRETS = {
  FIREFLIES_API_KEY: 'tributary/fireflies-api-key', FIREFLIES_WEBHOOK_SECRET: 'tributary/fireflies-webhook-secret',
  // A jira source shares this synth (one synth for the API kinds, not one each).
  JIRA_API_TOKEN: 'tributary/jira-api-token', JIRA_WEBHOOK_SECRET: 'tributary/jira-webhook-secret',
};
const arn = (name: string): string => `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-Q1w2E3`;

function withFireflies(source: Record<string, unknown> = {}): Record<string, unknown> {
  const config = readJson<{ aws: { secrets: Record<string, string> } & Record<string, unknown>; sources: unknown[] }>(CONFIG);
  config.aws = { ...config.aws, account: ACCOUNT, region: REGION, secrets: { ...config.aws.secrets, ...SECRETS } };
  config.sources.push({ id: 'meetings', kind: 'fireflies', apiKeyEnv: 'FIREFLIES_API_KEY', webhook: { secretEnv: 'FIREFLIES_WEBHOOK_SECRET' }, ...source });
  config.sources.push({ id: 'issues', kind: 'jira', siteUrl: 'https://acme.atlassian.net', email: 'bot@acme.test', projects: ['ENG'], webhook: { secretEnv: 'JIRA_WEBHOOK_SECRET' } });
  return config;
}

describe('a fireflies source on AWS', () => {
  let synth: Synthesized;
  beforeAll(() => {
    synth = synthesize(withFireflies());
  });
  const canRead = (fn: FunctionId, env: keyof typeof SECRETS): boolean =>
    isAllowed(synth.statements(fn), 'secretsmanager:GetSecretValue', arn(SECRETS[env]));

  it('gives the signing secret to the webhook function only, and the API key to the fetcher and embedder only', () => {
    const fns: FunctionId[] = ['Fetcher', 'Embedder', 'Admin', 'Watchdog', 'Webhook', 'Ingest'];
    expect(fns.filter((fn) => canRead(fn, 'FIREFLIES_WEBHOOK_SECRET'))).toEqual(['Webhook']);
    expect(fns.filter((fn) => canRead(fn, 'FIREFLIES_API_KEY'))).toEqual(['Fetcher', 'Embedder']);
  });

  it('deploys a jira source beside it: its token to the fetcher and embedder, its webhook secret to the webhook function, its schedule', () => {
    const fns: FunctionId[] = ['Fetcher', 'Embedder', 'Admin', 'Watchdog', 'Webhook', 'Ingest'];
    expect(fns.filter((fn) => canRead(fn, 'JIRA_API_TOKEN'))).toEqual(['Fetcher', 'Embedder']);
    expect(fns.filter((fn) => canRead(fn, 'JIRA_WEBHOOK_SECRET'))).toEqual(['Webhook']);
    const schedules = Object.values(synth.pipeline.Resources).filter((r) => r.Type === 'AWS::Scheduler::Schedule').map((r) => JSON.stringify(r.Properties));
    expect(schedules.filter((s) => s.includes('issues') && s.includes('rate(15 minutes)'))).toHaveLength(1);
  });

  it('lets the webhook function keep replay memory for the source, and nothing of the source\'s state', () => {
    const seen = deliveryPartitionKey(deliveryScope('webhook', 'meetings'));
    expect(isAllowed(synth.statements('Webhook'), 'dynamodb:PutItem', TABLE, { 'dynamodb:LeadingKeys': [seen] })).toBe(true);
    expect(isAllowed(synth.statements('Webhook'), 'dynamodb:PutItem', TABLE, { 'dynamodb:LeadingKeys': ['SRC#meetings'] })).toBe(false);
    expect(isAllowed(synth.statements('Fetcher'), 'dynamodb:UpdateItem', TABLE, { 'dynamodb:LeadingKeys': ['SRC#meetings'] })).toBe(true);
  });

  it('schedules the source and routes its webhooks', () => {
    const resources = Object.values(synth.pipeline.Resources);
    const schedules = resources.filter((r) => r.Type === 'AWS::Scheduler::Schedule').map((r) => JSON.stringify(r.Properties));
    expect(schedules.filter((s) => s.includes('meetings') && s.includes('rate(1 hour)'))).toHaveLength(1);
    const routes = resources.filter((r) => r.Type === 'AWS::ApiGatewayV2::Route').map((r) => r.Properties?.['RouteKey']);
    expect(routes).toContain('POST /webhooks/{sourceId}');
  });
});

describe('fireflies stage config', () => {
  it('warns at synth when the source has no webhook', () => {
    const config = withFireflies();
    const source = (config['sources'] as Array<Record<string, unknown>>).find((s) => s['id'] === 'meetings')!;
    delete source['webhook'];
    const stage = stageConfigFrom(parseConfig(config));
    expect(stage.warnings).toEqual([expect.stringMatching(/fireflies source "meetings" has no webhook: new meetings wait for its schedule/)]);
  });

  it('refuses an API key missing from aws.secrets, naming the key that names it', () => {
    const config = withFireflies({ apiKeyEnv: 'MEETINGS_FF_KEY' });
    let error: unknown;
    try {
      stageConfigFrom(parseConfig(config));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/aws\.secrets: no secret for MEETINGS_FF_KEY \(named by sources\[3\]\.apiKeyEnv\)/);
  });
});
