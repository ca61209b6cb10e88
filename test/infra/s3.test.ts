/**
 * An s3 source deploys natively: synthesized from the example with an s3 source added, the
 * state stack has the EventBridge rule from the bucket's Object Created/Deleted events under
 * the prefix to the fetch queue (the source's group, an event message); the fetcher and embedder
 * may list only the prefix and read only its objects; nothing else may; the webhook function
 * gets nothing of the source (no route of its own, no secret, no replay memory); synth reminds
 * about the bucket's EventBridge switch.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../infra/constructs/pipeline-function.ts';
import { deliveryPartitionKey } from '../../shared/adapters/aws/dynamodb-delivery-log.ts';
import { deliveryScope } from '../../shared/core/webhook.ts';
import { isAllowed } from '../support/iam.ts';
import { readJson, synthesize, type FunctionId, type Synthesized } from '../support/templates.ts';

const CONFIG = join(REPO_ROOT, 'examples', 'aws', 'connectors.config.json');
const TABLE = 'StateTable9728C7E5.Arn';
const FUNCTIONS: readonly FunctionId[] = ['Fetcher', 'Embedder', 'Admin', 'Watchdog', 'Ingest', 'Webhook'];

let synth: Synthesized;
beforeAll(() => {
  const config = readJson<{ aws: Record<string, unknown>; sources: unknown[] }>(CONFIG);
  config.aws = { ...config.aws, account: '123456789012', region: 'eu-west-1' };
  config.sources.push({ id: 'handbook', kind: 's3', bucket: 'acme-handbook', prefix: 'handbook/' });
  synth = synthesize(config);
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
    expect(routes.filter((k) => String(k).includes('webhooks'))).toEqual(['POST /webhooks/{sourceId}']);
    expect(routes.some((k) => String(k).includes('handbook'))).toBe(false);
    const seen = deliveryPartitionKey(deliveryScope('webhook', 'handbook'));
    expect(isAllowed(synth.statements('Webhook'), 'dynamodb:PutItem', TABLE, { 'dynamodb:LeadingKeys': [seen] })).toBe(false);
    expect(synth.statements('Webhook').some((s) => JSON.stringify(s).includes('s3:'))).toBe(false);
    expect(synth.built.stage.secretsFor('webhook')).not.toHaveProperty('handbook');
    expect(synth.built.stage.warnings).toContainEqual(expect.stringContaining(
      'aws s3api put-bucket-notification-configuration --bucket acme-handbook --notification-configuration \'{"EventBridgeConfiguration":{}}\''));
  });
});
