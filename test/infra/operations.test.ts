/**
 * Alerts and chat-ops on AWS, from the synthesized stacks: the notifier is subscribed to the
 * alarm topic, reads only the Slack webhook secret and only its sources' state, writes only
 * its incidents; each alerted source has failure and breaker alarms; the chat-ops routes reach
 * a function that reads only the signing secret, remembers only its deliveries and sends only
 * fetch tasks; a missing secret fails synth naming the key; cdk-nag stays clean. Without
 * `alerts` and `chatops` none of it is deployed.
 */
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_CONFIG } from '../../infra/build-app.ts';
import { ConfigError } from '../../shared/core/errors.ts';
import { ENV } from '../../shared/wiring/aws.ts';
import { isAllowed } from '../support/iam.ts';
import { readJson, synthesize, type OpsFunctionId, type Synthesized } from '../support/templates.ts';

const REGION = 'eu-west-1';
const ACCOUNT = '123456789012';
const TABLE = 'StateTable9728C7E5.Arn';
const arn = (name: string): string => `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-Xy12Ab`;
const PUBLIC_KEY = 'a'.repeat(64);

const deployment = (change: (c: Record<string, any>) => void = () => undefined) => { // eslint-disable-line @typescript-eslint/no-explicit-any
  const config = readJson<Record<string, any>>(EXAMPLE_CONFIG); // eslint-disable-line @typescript-eslint/no-explicit-any
  config['aws'] = { ...config['aws'], account: ACCOUNT, region: REGION, secrets: { ...config['aws'].secrets, ALERT_SLACK_URL: 'tributary/alert-slack', SLACK_SIGNING_SECRET: 'tributary/slack-signing' } };
  config['alerts'] = { slack: { webhookUrlEnv: 'ALERT_SLACK_URL' }, failuresBeforeAlert: 2 };
  config['chatops'] = { slack: { allowedUsers: ['U0123ABCD'] }, discord: { publicKey: PUBLIC_KEY, allowedUsers: ['80351110224678912'] } };
  // One source sends no alerts.
  config['sources'][1].alerts = { enabled: false };
  change(config);
  return config;
};

let synth: Synthesized;
beforeAll(() => {
  synth = synthesize(deployment());
});

const resources = (type: string) => Object.entries(synth.pipeline.Resources).filter(([, r]) => r.Type === type);
const canOnTable = (fn: OpsFunctionId, action: string, key: string): boolean => isAllowed(synth.statements(fn), action, TABLE, { 'dynamodb:LeadingKeys': [key] });
const canRead = (fn: OpsFunctionId, name: string): boolean => isAllowed(synth.statements(fn), 'secretsmanager:GetSecretValue', arn(name));

describe('alerts on AWS', () => {
  it('subscribes the notifier to the alarm topic, with the Slack webhook secret and nothing else', () => {
    // Act
    const subscriptions = resources('AWS::SNS::Subscription').map(([, r]) => r.Properties ?? {});
    const lambda = subscriptions.find((s) => s['Protocol'] === 'lambda');

    // Assess
    expect(JSON.stringify(lambda?.['Endpoint'])).toContain(synth.functionId('Notifier'));
    expect(JSON.parse(synth.env('Notifier')[ENV.secretIds] ?? '{}')).toEqual({ ALERT_SLACK_URL: 'tributary/alert-slack' });
    expect(canRead('Notifier', 'tributary/alert-slack')).toBe(true);
    expect(canRead('Notifier', 'tributary/openai')).toBe(false);
    expect(canRead('Notifier', 'tributary/slack-signing')).toBe(false);
  });

  it('lets the notifier read its sources\' state and write only their incidents', () => {
    expect(canOnTable('Notifier', 'dynamodb:GetItem', 'SRC#handbook')).toBe(true);
    expect(canOnTable('Notifier', 'dynamodb:Query', 'SRC#handbook')).toBe(true);
    expect(canOnTable('Notifier', 'dynamodb:PutItem', 'SRC#handbook')).toBe(false);
    expect(canOnTable('Notifier', 'dynamodb:GetItem', 'SRC#runbooks')).toBe(false);
    expect(canOnTable('Notifier', 'dynamodb:PutItem', 'INC#alert:handbook')).toBe(true);
    expect(canOnTable('Notifier', 'dynamodb:DeleteItem', 'INC#alert:pipeline')).toBe(true);
    expect(canOnTable('Notifier', 'dynamodb:PutItem', 'INC#alert:runbooks')).toBe(false);
    expect(isAllowed(synth.statements('Notifier'), 'sqs:SendMessage', '*')).toBe(false);
  });

  it('alarms on an alerted source\'s failures and breaker, into the topic', () => {
    // Act
    const alarms = resources('AWS::CloudWatch::Alarm').map(([, r]) => r.Properties ?? {});
    const of = (metric: string) => alarms.filter((a) => a['MetricName'] === metric)
      .map((a) => [(a['Dimensions'] as Array<{ Name: string; Value: string }>).find((d) => d.Name === 'SourceId')?.Value, a['Threshold']]);

    // Assess
    expect(of('ConsecutiveFailures')).toEqual([['handbook', 2]]);
    expect(of('BreakerTripped')).toEqual([['handbook', 1]]);
    const topic = resources('AWS::SNS::Topic')[0]![0];
    for (const a of alarms) expect(a['AlarmActions']).toEqual([{ Ref: topic }]);
    // The new functions are alarmed like the others.
    const lambdaAlarms = alarms.filter((a) => a['Namespace'] === 'AWS/Lambda').map((a) => JSON.stringify(a['Dimensions']));
    expect(lambdaAlarms.filter((d) => d.includes(synth.functionId('Notifier')))).toHaveLength(2);
  });
});

describe('chat-ops on AWS', () => {
  it('routes POST /chatops/slack and /chatops/discord to the chat-ops function without IAM auth', () => {
    // Act
    const routes = resources('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties ?? {}).filter((r) => String(r['RouteKey']).startsWith('POST /chatops/'));

    // Assess
    expect(routes.map((r) => r['RouteKey']).sort()).toEqual(['POST /chatops/discord', 'POST /chatops/slack']);
    for (const r of routes) expect(r['AuthorizationType'] ?? 'NONE').toBe('NONE');
    const integrations = resources('AWS::ApiGatewayV2::Integration').map(([, r]) => JSON.stringify(r.Properties?.['IntegrationUri']));
    expect(integrations.some((u) => u.includes(synth.functionId('Chatops')))).toBe(true);
  });

  it('reads only the signing secret, remembers only its deliveries and sends only fetch tasks', () => {
    expect(JSON.parse(synth.env('Chatops')[ENV.secretIds] ?? '{}')).toEqual({ SLACK_SIGNING_SECRET: 'tributary/slack-signing' });
    expect(canRead('Chatops', 'tributary/alert-slack')).toBe(false);
    expect(canOnTable('Chatops', 'dynamodb:GetItem', 'SRC#runbooks')).toBe(true);
    expect(canOnTable('Chatops', 'dynamodb:PutItem', 'SRC#runbooks')).toBe(false);
    expect(canOnTable('Chatops', 'dynamodb:PutItem', 'SEEN#chatops:slack')).toBe(true);
    expect(canOnTable('Chatops', 'dynamodb:GetItem', 'SEEN#chatops:slack')).toBe(false);
    expect(canOnTable('Chatops', 'dynamodb:PutItem', 'SEEN#webhook:handbook')).toBe(false);
    const sends = synth.statements('Chatops').filter((s) => [s.Action].flat().some((a) => String(a).startsWith('sqs:')));
    expect(JSON.stringify(sends)).toContain('FetchQueue');
    expect(JSON.stringify(sends)).not.toContain('EmbedQueue');
  });

  it('keeps cdk-nag clean (the open routes acknowledged with their reason)', () => {
    const report = new AwsSolutionsChecks().validateScope(synth.built.app);
    expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
  });
});

describe('operations config on AWS', () => {
  it('fails synth naming the key when a secret is not in aws.secrets', () => {
    // Act
    const missing = (key: string) => {
      try {
        synthesize(deployment((c) => { delete c['aws'].secrets[key]; }));
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as Error).message;
      }
      return 'no error';
    };

    // Assess
    expect(missing('ALERT_SLACK_URL')).toContain('aws.secrets: no secret for ALERT_SLACK_URL (named by alerts.slack.webhookUrlEnv)');
    expect(missing('SLACK_SIGNING_SECRET')).toContain('aws.secrets: no secret for SLACK_SIGNING_SECRET (named by chatops.slack.signingSecretEnv)');
  });
});
