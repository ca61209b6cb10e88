/**
 * Tempo webhooks through the decoder and the webhook handler (the one the local server and the
 * webhook Lambda run): Tempo-Signature over the raw bytes plus Tempo-Timestamp with any of the
 * subscriptions' secrets, the replay window and eventId memory, payloads; the GET subscription
 * check answered for a Tempo source and refused (401) for unknown and hookless sources.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createWebhookHandler } from '../../functions/webhook/webhook.ts';
import { parseConfig } from '../../shared/config/load.ts';
import { decodeTempoWebhook } from '../../shared/connectors/tempo/webhooks.ts';
import { silentLogger } from '../../shared/core/deps.ts';
import { HttpError } from '../../shared/core/errors.ts';
import type { Hints, WebhookRequest } from '../../shared/ports/index.ts';
import { signTempoWebhook } from '../emulators/tempo.ts';
import { InMemoryDeliveryLog } from '../support/memory-delivery-log.ts';

const CREATED_SECRET = 'shared-secret-of-the-created-subscription';
const DELETED_SECRET = 'shared-secret-of-the-deleted-subscription';
const SECRETS = `${CREATED_SECRET}\n${DELETED_SECRET}`;
const NOW_MS = Date.parse('2026-03-02T10:00:00.000Z');
const SOURCE = { id: 'worklogs' };

const envelope = (extra: Record<string, unknown> = {}, payload: Record<string, unknown> = {}) => JSON.stringify({
  eventId: 'e39e27c7-dcdb-4178-83e4-57254cf13bfa', eventType: 'worklog.created',
  payload: { tempoWorklogId: 37, issue: { id: 10001 }, author: { accountId: 'abc' }, updatedAt: '2026-03-02T09:59:58.173Z', ...payload }, ...extra,
});

function signed(body: string, secret = CREATED_SECRET, timestamp = new Date(NOW_MS - 1500).toISOString()): Record<string, string> {
  return { 'Tempo-Timestamp': timestamp, 'Tempo-Signature': signTempoWebhook(secret, body, timestamp), 'Tempo-Tenant-ID': 'tenant' };
}

function request(body: string, headers = signed(body), nowMs = NOW_MS): WebhookRequest {
  return { headers, rawBody: Buffer.from(body, 'utf8'), body, secret: SECRETS, nowMs };
}

function rejection(fn: () => unknown): HttpError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(HttpError);
    return error as HttpError;
  }
  return expect.fail('expected an HttpError');
}

describe('decodeTempoWebhook', () => {
  it('turns a signed worklog event into a hint, remembered by its eventId, with any subscription\'s secret', () => {
    // Act
    const created = decodeTempoWebhook(SOURCE, request(envelope()));
    const deleted = decodeTempoWebhook(SOURCE, request(envelope({ eventType: 'worklog.deleted', eventId: 'other' }), signed(envelope({ eventType: 'worklog.deleted', eventId: 'other' }), DELETED_SECRET)));

    // Assess
    expect(created).toMatchObject({ statusCode: 200, hints: { sourceId: 'worklogs', ids: ['worklog:37'] }, delivery: { id: 'event:e39e27c7-dcdb-4178-83e4-57254cf13bfa', replay: { statusCode: 200 } } });
    expect(created.delivery!.ttlMs).toBeGreaterThan(2 * 3 * 3_600_000);
    expect(deleted.hints).toEqual({ sourceId: 'worklogs', ids: ['worklog:37'] });
  });

  it('refuses forged, tampered, unsigned and stale deliveries with 401 before reading the body', () => {
    // Prepare
    const body = envelope();
    const headers = signed(body);

    // Act / Assess
    expect(rejection(() => decodeTempoWebhook(SOURCE, request(body, signed(body, 'not-a-secret')))).statusCode).toBe(401);
    expect(rejection(() => decodeTempoWebhook(SOURCE, request(body.replace('37', '38'), headers))).statusCode).toBe(401);
    expect(rejection(() => decodeTempoWebhook(SOURCE, request('not json', headers))).statusCode).toBe(401);
    expect(rejection(() => decodeTempoWebhook(SOURCE, request(body, { 'Tempo-Timestamp': headers['Tempo-Timestamp']! }))).statusCode).toBe(401);
    const moved = { ...headers, 'Tempo-Timestamp': new Date(NOW_MS).toISOString() };
    expect(rejection(() => decodeTempoWebhook(SOURCE, request(body, moved))).statusCode).toBe(401);
    const old = new Date(NOW_MS - 4 * 3_600_000).toISOString();
    expect(rejection(() => decodeTempoWebhook(SOURCE, request(body, signed(body, CREATED_SECRET, old)))).message).toMatch(/240 minutes old, outside the 3-hour window/);
    // A retry two hours later, signed as first sent, is accepted (Tempo retries for up to ~150 minutes).
    expect(decodeTempoWebhook(SOURCE, request(body, signed(body, CREATED_SECRET, new Date(NOW_MS - 2 * 3_600_000).toISOString()))).statusCode).toBe(200);
  });

  it('answers 400 for a signed body that is not a worklog envelope, and ignores other events', () => {
    for (const body of ['[]', '{"payload":{}}', envelope({}, { tempoWorklogId: 'x' }), '{"eventType":"worklog.updated"}']) {
      expect(rejection(() => decodeTempoWebhook(SOURCE, request(body))).statusCode, body).toBe(400);
    }
    const plan = envelope({ eventType: 'plan.created' });
    expect(decodeTempoWebhook(SOURCE, request(plan))).toEqual({ statusCode: 200, body: { ok: true, ignored: 'plan.created' } });
  });
});

describe('tempo webhooks through the webhook handler', () => {
  const config = parseConfig({
    sources: [
      { id: 'worklogs', kind: 'tempo', jira: { siteUrl: 'https://acme.atlassian.net' }, webhook: { secretEnv: 'TEMPO_WEBHOOK_SECRETS' } },
      { id: 'quiet', kind: 'tempo', jira: { siteUrl: 'https://acme.atlassian.net' } },
      { id: 'notes', kind: 'filesystem', root: '.', webhook: { secretEnv: 'TEMPO_WEBHOOK_SECRETS' } },
    ],
  });
  const published: Hints[] = [];
  const handler = createWebhookHandler({
    config, secret: (name) => (name === 'TEMPO_WEBHOOK_SECRETS' ? SECRETS : undefined),
    eventBus: { publish: async (hints) => void published.push(...hints) }, deliveries: new InMemoryDeliveryLog(),
    clock: { now: () => NOW_MS }, log: silentLogger,
  });
  const call = async (method: 'GET' | 'POST', sourceId: string, options: { body?: string; headers?: Record<string, string>; query?: Record<string, string> } = {}) => (await handler({
    headers: options.headers ?? {}, body: options.body ?? '', isBase64Encoded: false, pathParameters: { sourceId },
    ...(options.query ? { queryStringParameters: options.query } : {}), requestContext: { http: { method } },
  } as unknown as APIGatewayProxyEventV2, {} as Context)) as APIGatewayProxyStructuredResultV2;

  it('echoes Tempo\'s randomString as text/plain, and answers 401 for other sources and 400 without a challenge', async () => {
    // Act
    const check = await call('GET', 'worklogs', { query: { randomString: 'Zm9vYmFy-_x' } });
    const unknown = await call('GET', 'nope', { query: { randomString: 'abc' } });
    const hookless = await call('GET', 'quiet', { query: { randomString: 'abc' } });
    const otherKind = await call('GET', 'notes', { query: { randomString: 'abc' } });
    const bare = await call('GET', 'worklogs');

    // Assess
    expect(check).toMatchObject({ statusCode: 200, body: 'Zm9vYmFy-_x', headers: { 'content-type': 'text/plain; charset=utf-8' } });
    expect([unknown.statusCode, hookless.statusCode, otherKind.statusCode, bare.statusCode]).toEqual([401, 401, 401, 400]);
    expect(published).toEqual([]);
  });

  it('publishes a delivery once; its retry is answered 200 and publishes nothing', async () => {
    // Prepare
    const body = envelope({ eventId: 'retried-delivery' });
    const headers = signed(body);

    // Act
    const first = await call('POST', 'worklogs', { body, headers });
    const retry = await call('POST', 'worklogs', { body, headers });
    const forged = await call('POST', 'worklogs', { body, headers: signed(body, 'wrong') });

    // Assess
    expect([first.statusCode, retry.statusCode, forged.statusCode]).toEqual([200, 200, 401]);
    expect(JSON.parse(retry.body!)).toEqual({ ok: true, replay: true });
    expect(published).toEqual([{ sourceId: 'worklogs', ids: ['worklog:37'] }]);
  });
});
