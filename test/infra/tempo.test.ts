/**
 * A Tempo source deploys: synthesized from the example with a tempo source added, the webhook
 * function reads the subscriptions' shared secrets and nothing else of the source, the fetcher and
 * embedder read the Tempo and Jira tokens, and the HTTP API routes both POST and GET (Tempo's
 * subscription check) /webhooks/{sourceId} — GET only because a source needs it.
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
const SECRETS = { TEMPO_API_TOKEN: 'tributary/tempo-token', JIRA_API_TOKEN: 'tributary/jira-token', TEMPO_WEBHOOK_SECRETS: 'tributary/tempo-webhook-secrets' };
const arn = (name: string): string => `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-Q1w2E3`;

function withTempo(source: Record<string, unknown> = {}): Record<string, unknown> {
  const config = readJson<{ aws: { secrets: Record<string, string> } & Record<string, unknown>; sources: unknown[] }>(CONFIG);
  config.aws = { ...config.aws, account: ACCOUNT, region: REGION, secrets: { ...config.aws.secrets, ...SECRETS } };
  config.sources.push({
    id: 'timesheets', kind: 'tempo', projects: ['10000'], jira: { siteUrl: 'https://acme.atlassian.net', email: 'reader@acme.test' },
    webhook: { secretEnv: 'TEMPO_WEBHOOK_SECRETS' }, ...source,
  });
  return config;
}

const routeKeys = (s: Synthesized): unknown[] => Object.values(s.pipeline.Resources).filter((r) => r.Type === 'AWS::ApiGatewayV2::Route').map((r) => r.Properties?.['RouteKey']);

describe('a tempo source on AWS', () => {
  let synth: Synthesized;
  beforeAll(() => {
    synth = synthesize(withTempo());
  });
  const canRead = (fn: FunctionId, env: keyof typeof SECRETS): boolean => isAllowed(synth.statements(fn), 'secretsmanager:GetSecretValue', arn(SECRETS[env]));

  it('gives the shared secrets to the webhook function only, and the Tempo and Jira tokens to the fetcher and embedder only', () => {
    const fns: FunctionId[] = ['Fetcher', 'Embedder', 'Admin', 'Watchdog', 'Webhook', 'Ingest'];
    expect(fns.filter((fn) => canRead(fn, 'TEMPO_WEBHOOK_SECRETS'))).toEqual(['Webhook']);
    expect(fns.filter((fn) => canRead(fn, 'TEMPO_API_TOKEN'))).toEqual(['Fetcher', 'Embedder']);
    expect(fns.filter((fn) => canRead(fn, 'JIRA_API_TOKEN'))).toEqual(['Fetcher', 'Embedder']);
  });

  it('routes POST and GET /webhooks/{sourceId} and schedules the source', () => {
    expect(routeKeys(synth)).toEqual(expect.arrayContaining(['POST /webhooks/{sourceId}', 'GET /webhooks/{sourceId}']));
    expect(synth.built.pipeline.node.tryFindChild('Schedule-timesheets')).toBeDefined();
  });
});

describe('tempo stage config', () => {
  it('asks for the GET route only for a source with a webhook, and warns without one', () => {
    const hooked = stageConfigFrom(parseConfig(withTempo()));
    const config = withTempo();
    delete (config['sources'] as Array<Record<string, unknown>>).at(-1)!['webhook'];
    const quiet = stageConfigFrom(parseConfig(config));
    expect(hooked.sources.filter((s) => s.answersWebhookGet).map((s) => s.id)).toEqual(['timesheets']);
    expect(quiet.sources.some((s) => s.answersWebhookGet)).toBe(false);
    expect(quiet.warnings).toEqual([expect.stringMatching(/tempo source "timesheets" has no webhook: worklog changes wait for its schedule/)]);
  });
});
