/**
 * The API source kinds deploy: one synth of the example config with a source of each added
 * (test/infra/api-sources-config.ts), then per kind: who may read its secrets, its schedule,
 * its webhook route and replay memory, and what else it needs on AWS —
 * - fireflies: the signing secret to the webhook function only, the API key to the fetcher
 *   and embedder only, replay memory but none of the source's state for the webhook function;
 * - jira: its token to the fetcher and embedder, its webhook secret to the webhook function;
 * - tempo: the subscriptions' shared secrets to the webhook function only, the Tempo and Jira
 *   tokens to the fetcher and embedder only, and GET /webhooks/{sourceId} (Tempo's subscription
 *   check) routed because a source needs it;
 * - gdrive: its service account key to the fetcher and embedder only, its schedule;
 * - confluence: the Data Center signing secret to the webhook function only, the API token to
 *   the fetcher and embedder only, its schedule;
 * - github: its token to the fetcher and embedder, its webhook secret to the webhook function;
 * - s3: the EventBridge rule from the bucket's Object Created/Deleted events under the prefix
 *   to the fetch queue (the source's group, an event message); the fetcher and embedder may
 *   list only the prefix and read only its objects; the webhook function gets nothing of the
 *   source; synth reminds about the bucket's EventBridge switch.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { deliveryPartitionKey } from '../../shared/adapters/aws/dynamodb-delivery-log.ts';
import { deliveryScope } from '../../shared/core/webhook.ts';
import { isAllowed } from '../support/iam.ts';
import { synthesize, type FunctionId, type Synthesized } from '../support/templates.ts';
import { apiSourcesConfig, SECRETS, secretArn, TABLE, type SecretEnv } from './api-sources-config.ts';

const FUNCTIONS: readonly FunctionId[] = ['Fetcher', 'Embedder', 'Admin', 'Watchdog', 'Ingest', 'Webhook'];

let synth: Synthesized;
beforeAll(() => {
  synth = synthesize(apiSourcesConfig());
});

describe('a fireflies source on AWS', () => {
  const canRead = (fn: FunctionId, env: SecretEnv): boolean =>
    isAllowed(synth.statements(fn), 'secretsmanager:GetSecretValue', secretArn(SECRETS[env]));

  it('gives the signing secret to the webhook function only, and the API key to the fetcher and embedder only', () => {
    const fns: FunctionId[] = ['Fetcher', 'Embedder', 'Admin', 'Watchdog', 'Webhook', 'Ingest'];
    expect(fns.filter((fn) => canRead(fn, 'FIREFLIES_WEBHOOK_SECRET'))).toEqual(['Webhook']);
    expect(fns.filter((fn) => canRead(fn, 'FIREFLIES_API_KEY'))).toEqual(['Fetcher', 'Embedder']);
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

describe('a jira source on AWS', () => {
  const canRead = (fn: FunctionId, env: SecretEnv): boolean =>
    isAllowed(synth.statements(fn), 'secretsmanager:GetSecretValue', secretArn(SECRETS[env]));

  it('gives its token to the fetcher and embedder, its webhook secret to the webhook function, its schedule', () => {
    const fns: FunctionId[] = ['Fetcher', 'Embedder', 'Admin', 'Watchdog', 'Webhook', 'Ingest'];
    expect(fns.filter((fn) => canRead(fn, 'JIRA_API_TOKEN'))).toEqual(['Fetcher', 'Embedder']);
    expect(fns.filter((fn) => canRead(fn, 'JIRA_WEBHOOK_SECRET'))).toEqual(['Webhook']);
    const schedules = Object.values(synth.pipeline.Resources).filter((r) => r.Type === 'AWS::Scheduler::Schedule').map((r) => JSON.stringify(r.Properties));
    expect(schedules.filter((s) => s.includes('issues') && s.includes('rate(15 minutes)'))).toHaveLength(1);
  });

});

describe('an s3 source on AWS', () => {
  it('routes the bucket\'s object events under the prefix from the default bus to the fetch queue, in the source\'s group', () => {
    const rules = Object.values(synth.state.Resources).filter((r) => r.Type === 'AWS::Events::Rule' && JSON.stringify(r.Properties).includes('aws.s3'));
    expect(rules).toHaveLength(1);
    const props = rules[0]!.Properties as { EventBusName?: unknown; EventPattern: unknown; Targets: Array<{ SqsParameters: unknown; InputTransformer: { InputTemplate: string } }> };
    expect(props.EventBusName).toBeUndefined();
    expect(props.EventPattern).toEqual({
      source: ['aws.s3'], 'detail-type': ['Object Created', 'Object Deleted'],
      detail: { bucket: { name: ['acme-handbook'] }, object: { key: [{ prefix: 'handbook/' }] } },
    });
    expect(props.Targets).toHaveLength(1);
    expect(props.Targets[0]!.SqsParameters).toEqual({ MessageGroupId: 'handbook' });
    expect(props.Targets[0]!.InputTransformer.InputTemplate).toMatch(/"type":"event","sourceId":"handbook","event":\{/);
  });

  it('grants ListBucket on the prefix only and GetObject under it only, to the fetcher and embedder only', () => {
    const list = (fn: FunctionId, prefix: string) => isAllowed(synth.statements(fn), 's3:ListBucket', 'arn:aws:s3:::acme-handbook', { 's3:prefix': prefix });
    const get = (fn: FunctionId, key: string) => isAllowed(synth.statements(fn), 's3:GetObject', `arn:aws:s3:::acme-handbook/${key}`);
    expect(FUNCTIONS.filter((fn) => list(fn, 'handbook/'))).toEqual(['Fetcher', 'Embedder']);
    expect(FUNCTIONS.filter((fn) => get(fn, 'handbook/a b.md'))).toEqual(['Fetcher', 'Embedder']);
    expect(list('Fetcher', 'payroll/')).toBe(false);
    expect(get('Fetcher', 'payroll/salaries.md')).toBe(false);
    expect(isAllowed(synth.statements('Fetcher'), 's3:GetObject', 'arn:aws:s3:::other-bucket/handbook/a.md')).toBe(false);
    expect(isAllowed(synth.statements('Fetcher'), 's3:PutObject', 'arn:aws:s3:::acme-handbook/handbook/a.md')).toBe(false);
  });

  it('has no webhook route, secret or replay memory for it, and warns about the bucket\'s EventBridge switch', () => {
    const routes = Object.values(synth.pipeline.Resources).filter((r) => r.Type === 'AWS::ApiGatewayV2::Route').map((r) => r.Properties?.['RouteKey']);
    expect(routes.filter((k) => String(k).includes('webhooks')).sort()).toEqual(['GET /webhooks/{sourceId}', 'POST /webhooks/{sourceId}']);
    expect(routes.some((k) => String(k).includes('handbook'))).toBe(false);
    const seen = deliveryPartitionKey(deliveryScope('webhook', 'handbook'));
    expect(isAllowed(synth.statements('Webhook'), 'dynamodb:PutItem', TABLE, { 'dynamodb:LeadingKeys': [seen] })).toBe(false);
    expect(synth.statements('Webhook').some((s) => JSON.stringify(s).includes('s3:'))).toBe(false);
    expect(synth.built.stage.secretsFor('webhook')).not.toHaveProperty('handbook');
    expect(synth.built.stage.warnings).toContainEqual(expect.stringContaining(
      'aws s3api put-bucket-notification-configuration --bucket acme-handbook --notification-configuration \'{"EventBridgeConfiguration":{}}\''));
  });
});

describe('a tempo source on AWS', () => {
  const canRead = (fn: FunctionId, env: SecretEnv): boolean => isAllowed(synth.statements(fn), 'secretsmanager:GetSecretValue', secretArn(SECRETS[env]));

  it('gives the shared secrets to the webhook function only, and the Tempo and Jira tokens to the fetcher and embedder only', () => {
    expect(FUNCTIONS.filter((fn) => canRead(fn, 'TEMPO_WEBHOOK_SECRETS'))).toEqual(['Webhook']);
    expect(FUNCTIONS.filter((fn) => canRead(fn, 'TEMPO_API_TOKEN'))).toEqual(['Fetcher', 'Embedder']);
    expect(FUNCTIONS.filter((fn) => canRead(fn, 'JIRA_API_TOKEN'))).toEqual(['Fetcher', 'Embedder']);
  });

  it('routes POST and GET /webhooks/{sourceId} and schedules the source', () => {
    const routes = Object.values(synth.pipeline.Resources).filter((r) => r.Type === 'AWS::ApiGatewayV2::Route').map((r) => r.Properties?.['RouteKey']);
    expect(routes).toEqual(expect.arrayContaining(['POST /webhooks/{sourceId}', 'GET /webhooks/{sourceId}']));
    expect(synth.built.pipeline.node.tryFindChild('Schedule-timesheets')).toBeDefined();
  });
});

describe('a gdrive source on AWS', () => {
  it('gives its service account key to the fetcher and embedder only, and schedules it', () => {
    const canRead = (fn: FunctionId): boolean => isAllowed(synth.statements(fn), 'secretsmanager:GetSecretValue', secretArn(SECRETS.GDRIVE_SA_KEY));
    expect(FUNCTIONS.filter(canRead)).toEqual(['Fetcher', 'Embedder']);
    expect(synth.built.pipeline.node.tryFindChild('Schedule-drive')).toBeDefined();
  });
});

describe('a confluence source on AWS', () => {
  it('gives the signing secret to the webhook function only, the API token to the fetcher and embedder only, and schedules the source', () => {
    const canRead = (fn: FunctionId, env: SecretEnv): boolean => isAllowed(synth.statements(fn), 'secretsmanager:GetSecretValue', secretArn(SECRETS[env]));
    expect(FUNCTIONS.filter((fn) => canRead(fn, 'CONFLUENCE_WEBHOOK_SECRET'))).toEqual(['Webhook']);
    expect(FUNCTIONS.filter((fn) => canRead(fn, 'CONFLUENCE_API_TOKEN'))).toEqual(['Fetcher', 'Embedder']);
    const schedules = Object.values(synth.pipeline.Resources).filter((r) => r.Type === 'AWS::Scheduler::Schedule').map((r) => JSON.stringify(r.Properties));
    expect(schedules.filter((s) => s.includes('wiki') && s.includes('rate(30 minutes)'))).toHaveLength(1);
  });
});

describe('a github source on AWS', () => {
  it('gives its token to the fetcher and embedder only, its webhook secret to the webhook function only', () => {
    const canRead = (fn: FunctionId, env: SecretEnv): boolean => isAllowed(synth.statements(fn), 'secretsmanager:GetSecretValue', secretArn(SECRETS[env]));
    expect(FUNCTIONS.filter((fn) => canRead(fn, 'GITHUB_TOKEN'))).toEqual(['Fetcher', 'Embedder']);
    expect(FUNCTIONS.filter((fn) => canRead(fn, 'GITHUB_WEBHOOK_SECRET'))).toEqual(['Webhook']);
    expect(synth.built.pipeline.node.tryFindChild('Schedule-docs-repo')).toBeDefined();
  });
});
