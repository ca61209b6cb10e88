/**
 * A Confluence source deploys: synthesized from the example with a confluence source added, the
 * webhook function holds the Data Center signing secret and nothing else of the source, the
 * fetcher and embedder read its API token, the source has its schedule and POST
 * /webhooks/{sourceId} serves it; without a webhook, synth warns that Cloud sites poll.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../infra/constructs/pipeline-function.ts';
import { stageConfigFrom } from '../../infra/stage-config.ts';
import { parseConfig } from '../../shared/config/load.ts';
import { isAllowed } from '../support/iam.ts';
import { readJson, synthesize, type FunctionId, type Synthesized } from '../support/templates.ts';

const CONFIG = join(REPO_ROOT, 'examples', 'aws', 'connectors.config.json');
const REGION = 'eu-west-1';
const ACCOUNT = '123456789012';
const SECRETS = { CONFLUENCE_API_TOKEN: 'tributary/confluence-api-token', CONFLUENCE_WEBHOOK_SECRET: 'tributary/confluence-webhook-secret' };
const arn = (name: string): string => `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-Q1w2E3`;

function withConfluence(source: Record<string, unknown> = {}): Record<string, unknown> {
  const config = readJson<{ aws: { secrets: Record<string, string> } & Record<string, unknown>; sources: unknown[] }>(CONFIG);
  config.aws = { ...config.aws, account: ACCOUNT, region: REGION, secrets: { ...config.aws.secrets, ...SECRETS } };
  config.sources.push({
    id: 'wiki', kind: 'confluence', siteUrl: 'https://acme.atlassian.net', email: 'indexer@acme.com', spaces: ['ENG'],
    webhook: { secretEnv: 'CONFLUENCE_WEBHOOK_SECRET' }, schedule: 'rate(30 minutes)', ...source,
  });
  return config;
}

describe('a confluence source on AWS', () => {
  let synth: Synthesized;
  beforeAll(() => {
    synth = synthesize(withConfluence());
  });
  const canRead = (fn: FunctionId, env: keyof typeof SECRETS): boolean =>
    isAllowed(synth.statements(fn), 'secretsmanager:GetSecretValue', arn(SECRETS[env]));

  it('gives the signing secret to the webhook function only, the API token to the fetcher and embedder only, and schedules and routes the source', () => {
    const fns: FunctionId[] = ['Fetcher', 'Embedder', 'Admin', 'Watchdog', 'Webhook', 'Ingest'];
    expect(fns.filter((fn) => canRead(fn, 'CONFLUENCE_WEBHOOK_SECRET'))).toEqual(['Webhook']);
    expect(fns.filter((fn) => canRead(fn, 'CONFLUENCE_API_TOKEN'))).toEqual(['Fetcher', 'Embedder']);
    const resources = Object.values(synth.pipeline.Resources);
    const schedules = resources.filter((r) => r.Type === 'AWS::Scheduler::Schedule').map((r) => JSON.stringify(r.Properties));
    expect(schedules.filter((s) => s.includes('wiki') && s.includes('rate(30 minutes)'))).toHaveLength(1);
    const routes = resources.filter((r) => r.Type === 'AWS::ApiGatewayV2::Route').map((r) => r.Properties?.['RouteKey']);
    expect(routes).toContain('POST /webhooks/{sourceId}');
  });
});

describe('confluence stage config', () => {
  it('warns when the source has no webhook, and hands an OAuth token variable to the fetcher and embedder', () => {
    const config = withConfluence({ email: undefined, bearerTokenEnv: 'CONFLUENCE_API_TOKEN' });
    delete (config['sources'] as Array<Record<string, unknown>>).at(-1)!['webhook'];
    const stage = stageConfigFrom(parseConfig(config));
    expect(stage.warnings).toEqual([expect.stringMatching(/confluence source "wiki" has no webhook: edits wait for its schedule \(rate\(30 minutes\)\), trashed pages for the reconcile every 60 minutes/)]);
    expect(Object.keys(stage.secretsFor('fetcher'))).toContain('CONFLUENCE_API_TOKEN');
    expect(Object.keys(stage.secretsFor('webhook'))).not.toContain('CONFLUENCE_API_TOKEN');
  });
});
