import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../infra/constructs/pipeline-function.ts';
import { stageConfigFrom } from '../../infra/stage-config.ts';
import { DEFAULT_RESERVED_CONCURRENCY, DEFAULT_THROTTLE } from '../../shared/config/aws.ts';
import { parseConfig } from '../../shared/config/load.ts';
import type { CfnResource } from '../support/cfn.ts';
import { readJson, synthesize, type FunctionId, type Synthesized } from '../support/templates.ts';

/**
 * What bounds cost and a flood of unsigned requests on AWS: each route group of the HTTP API
 * (webhooks, ingest, admin) has its own throttle, and the functions anyone can invoke have
 * reserved concurrency. All configurable in `aws`, with defaults.
 */

const CONFIG = join(REPO_ROOT, 'examples', 'aws', 'connectors.config.json');
const WEBHOOK_ROUTE = 'POST /webhooks/{sourceId}';
const INGEST_ROUTE = 'POST /ingest/{sourceId}';
const ADMIN_ROUTES = [
  'GET /admin/sources', 'POST /admin/sources/{sourceId}/sync', 'POST /admin/sources/{sourceId}/resync',
  'POST /admin/sources/{sourceId}/reset', 'GET /admin/sources/{sourceId}/runs', 'GET /admin/search',
];

const throttleOf = (t: { rateLimit: number; burstLimit: number }) => ({ ThrottlingRateLimit: t.rateLimit, ThrottlingBurstLimit: t.burstLimit });
const only = (synth: Synthesized, type: string): [string, CfnResource] => {
  const found = Object.entries(synth.pipeline.Resources).filter(([, r]) => r.Type === type);
  expect(found, type).toHaveLength(1);
  return found[0]!;
};
const reservedOf = (synth: Synthesized, fn: FunctionId): unknown => synth.pipeline.Resources[synth.functionId(fn)]?.Properties?.['ReservedConcurrentExecutions'];

describe('with the defaults', () => {
  let synth: Synthesized;
  beforeAll(() => {
    synth = synthesize(readJson(CONFIG));
  });

  it('throttles webhooks, ingest and admin separately, each route by its own key', () => {
    const [, stage] = only(synth, 'AWS::ApiGatewayV2::Stage');
    const settings = stage.Properties?.['RouteSettings'] as Record<string, unknown>;
    expect(Object.keys(settings).sort()).toEqual([WEBHOOK_ROUTE, INGEST_ROUTE, ...ADMIN_ROUTES].sort());
    expect(settings[WEBHOOK_ROUTE]).toEqual(throttleOf(DEFAULT_THROTTLE.webhooks));
    expect(settings[INGEST_ROUTE]).toEqual(throttleOf(DEFAULT_THROTTLE.ingest));
    for (const route of ADMIN_ROUTES) expect(settings[route], route).toEqual(throttleOf(DEFAULT_THROTTLE.admin));
    // A route added later without a throttle of its own gets the strictest.
    expect(stage.Properties?.['DefaultRouteSettings']).toEqual(throttleOf(DEFAULT_THROTTLE.admin));
  });

  it('creates the stage after every route its settings name (else CloudFormation cannot find them)', () => {
    const [, stage] = only(synth, 'AWS::ApiGatewayV2::Stage');
    const routes = Object.entries(synth.pipeline.Resources).filter(([, r]) => r.Type === 'AWS::ApiGatewayV2::Route').map(([id]) => id);
    expect(routes).toHaveLength(8);
    expect([stage.DependsOn ?? []].flat()).toEqual(expect.arrayContaining(routes));
  });

  it('reserves concurrency for the webhook and ingest functions only', () => {
    expect(reservedOf(synth, 'Webhook')).toBe(DEFAULT_RESERVED_CONCURRENCY.webhook);
    expect(reservedOf(synth, 'Ingest')).toBe(DEFAULT_RESERVED_CONCURRENCY.ingest);
    for (const fn of ['Fetcher', 'Embedder', 'Watchdog', 'Admin'] as const) expect(reservedOf(synth, fn), fn).toBeUndefined();
  });

  it('keeps the API\'s logical id, so its URL (configured in Slack and push clients) survives the change', () => {
    expect(only(synth, 'AWS::ApiGatewayV2::Api')[0]).toBe('ApiF70053CD');
    expect(only(synth, 'AWS::ApiGatewayV2::Stage')[0]).toBe('ApiStage529D6240');
  });
});

describe('from the config', () => {
  it('takes each group\'s throttle and each reservation from aws.throttle and aws.reservedConcurrency; null reserves none', () => {
    const config = readJson<{ aws: Record<string, unknown> }>(CONFIG);
    config.aws = {
      ...config.aws,
      throttle: { webhooks: { rateLimit: 200, burstLimit: 400 }, ingest: { rateLimit: 2 }, admin: { burstLimit: 3 } },
      reservedConcurrency: { webhook: null, ingest: 4 },
    };
    const synth = synthesize(config);
    const settings = only(synth, 'AWS::ApiGatewayV2::Stage')[1].Properties?.['RouteSettings'] as Record<string, unknown>;
    expect(settings[WEBHOOK_ROUTE]).toEqual(throttleOf({ rateLimit: 200, burstLimit: 400 }));
    // A group given one value keeps the other's default.
    expect(settings[INGEST_ROUTE]).toEqual(throttleOf({ rateLimit: 2, burstLimit: DEFAULT_THROTTLE.ingest.burstLimit }));
    expect(settings['GET /admin/sources']).toEqual(throttleOf({ rateLimit: DEFAULT_THROTTLE.admin.rateLimit, burstLimit: 3 }));
    expect(reservedOf(synth, 'Webhook')).toBeUndefined();
    expect(reservedOf(synth, 'Ingest')).toBe(4);
  });

  it.each([
    [{ throttle: { webhook: { rateLimit: 10 } } }, /aws\.throttle\.webhook/],
    [{ throttle: { webhooks: { rateLimit: 0 } } }, /aws\.throttle\.webhooks\.rateLimit/],
    [{ throttle: { ingest: { burstLimit: 1.5 } } }, /aws\.throttle\.ingest\.burstLimit/],
    [{ reservedConcurrency: { webhook: 0 } }, /aws\.reservedConcurrency\.webhook/],
    [{ reservedConcurrency: { embedder: 5 } }, /aws\.reservedConcurrency\.embedder/],
  ])('rejects %j, naming the key', (aws, message) => {
    const config = readJson<{ aws: Record<string, unknown> }>(CONFIG);
    config.aws = { ...config.aws, ...aws };
    expect(() => stageConfigFrom(parseConfig(config))).toThrow(message);
  });
});
