/**
 * Notion webhooks: the decoder (verification request, X-Notion-Signature over the raw bytes,
 * malformed bodies, events → hints) and the webhook route keeping the verification token in the
 * credential store — in memory, and in DynamoDB (dynalite) as the AWS webhook function does.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebhookHandler } from '../../functions/webhook/webhook.ts';
import { DynamoDbCredentialStore } from '../../shared/adapters/aws/dynamodb-credential-store.ts';
import { parseConfig } from '../../shared/config/load.ts';
import { decodeNotionWebhook } from '../../shared/connectors/notion/webhooks.ts';
import { silentLogger } from '../../shared/core/deps.ts';
import { HttpError } from '../../shared/core/errors.ts';
import type { CredentialStore, Hints, WebhookRequest } from '../../shared/ports/index.ts';
import { signNotionBody } from '../emulators/notion.ts';
import { newStateStore, startServers, type EmbeddedServers } from '../support/embedded.ts';
import { InMemoryCredentialStore } from '../support/memory-credential-store.ts';
import { InMemoryDeliveryLog } from '../support/memory-delivery-log.ts';

const TOKEN = 'secret_abcdefghijklmnopqrstuvwxyz0123';
const PAGE = '1429989f-e8ac-4eff-bc8f-57f56486db54';
const SOURCE = { id: 'wiki' };
const event = (type: string, extra: Record<string, unknown> = {}) => ({
  id: 'evt-1', timestamp: '2026-03-02T10:00:00.000Z', workspace_id: 'w', subscription_id: 's', integration_id: 'i', type,
  authors: [], attempt_number: 1, entity: { id: PAGE, type: 'page' }, data: {}, ...extra,
});
const request = (body: string, secret = TOKEN, headers: Record<string, string> = { 'x-notion-signature': signNotionBody(body, secret || 'x') }): WebhookRequest => ({
  headers, rawBody: new TextEncoder().encode(body), body, secret, nowMs: Date.now(),
});
const status = (fn: () => unknown): number => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(HttpError);
    return (error as HttpError).statusCode;
  }
  return 0;
};

describe('decodeNotionWebhook', () => {
  it('answers the verification request and asks for its token to be stored', () => {
    const answer = decodeNotionWebhook(SOURCE, request(JSON.stringify({ verification_token: TOKEN }), '', {}));
    expect(answer).toEqual({ statusCode: 200, body: { ok: true, verification: 'received' }, storeSecret: { value: TOKEN } });
  });

  it('turns page events into page hints, moves and renames into a sync, and dedupes by event id', () => {
    expect(decodeNotionWebhook(SOURCE, request(JSON.stringify(event('page.deleted'))))).toMatchObject({
      hints: { sourceId: 'wiki', ids: [PAGE] }, delivery: { id: 'event:evt-1', ttlMs: 26 * 3_600_000, replay: { statusCode: 200 } },
    });
    expect(decodeNotionWebhook(SOURCE, request(JSON.stringify(event('page.moved'))))).toMatchObject({ hints: { sourceId: 'wiki', ids: [] } });
    expect(decodeNotionWebhook(SOURCE, request(JSON.stringify(event('data_source.content_updated'))))).toMatchObject({ hints: { ids: [] } });
    expect(decodeNotionWebhook(SOURCE, request(JSON.stringify(event('comment.created'))))).toEqual({ statusCode: 200, body: { ok: true, ignored: 'comment.created' } });
  });

  it('refuses a forged or missing signature and an event before any token is stored (401), malformed bodies (400)', () => {
    const body = JSON.stringify(event('page.created'));
    expect(status(() => decodeNotionWebhook(SOURCE, request(body, TOKEN, { 'x-notion-signature': signNotionBody(body, 'guess') })))).toBe(401);
    expect(status(() => decodeNotionWebhook(SOURCE, request(body, TOKEN, {})))).toBe(401);
    expect(status(() => decodeNotionWebhook(SOURCE, request(body, '')))).toBe(401);
    expect(status(() => decodeNotionWebhook(SOURCE, request(`${body} `, TOKEN, { 'x-notion-signature': signNotionBody(body, TOKEN) })))).toBe(401);
    expect(status(() => decodeNotionWebhook(SOURCE, request('{not json')))).toBe(400);
    expect(status(() => decodeNotionWebhook(SOURCE, request(JSON.stringify(event('page.created', { entity: { id: 'nope' } })))))).toBe(400);
    expect(status(() => decodeNotionWebhook(SOURCE, request(JSON.stringify({ verification_token: 'x' }), '', {})))).toBe(400);
  });
});

let servers: EmbeddedServers;
beforeAll(async () => {
  servers = await startServers();
});
afterAll(async () => {
  await servers.close();
});

describe.each([
  ['in memory (the local database\'s port)', async (): Promise<CredentialStore> => new InMemoryCredentialStore({})],
  ['in DynamoDB (the AWS webhook function)', async (): Promise<CredentialStore> => new DynamoDbCredentialStore(servers.ddb, (await newStateStore(servers)).tableName, {})],
])('webhook route with a stored Notion verification token, %s', (_name, makeStore) => {
  it('stores the token of the verification request, verifies later events with it, and keeps the first token', async () => {
    const credentials = await makeStore();
    const published: Hints[] = [];
    const config = parseConfig({ sources: [{ id: 'wiki', kind: 'notion', webhookSubscription: true }] });
    const handler = createWebhookHandler({
      config, secret: () => undefined, eventBus: { publish: async (hints) => void published.push(...hints) }, deliveries: new InMemoryDeliveryLog(),
      clock: { now: () => Date.now() }, log: silentLogger, credentials,
    });
    const call = async (body: string, headers: Record<string, string> = {}) => (await handler({
      headers, body, isBase64Encoded: false, pathParameters: { sourceId: 'wiki' },
    } as unknown as APIGatewayProxyEventV2, {} as Context)) as APIGatewayProxyStructuredResultV2;
    const signed = JSON.stringify(event('page.deleted'));

    const early = await call(signed, { 'x-notion-signature': signNotionBody(signed, TOKEN) });
    const verification = await call(JSON.stringify({ verification_token: TOKEN }));
    const again = await call(JSON.stringify({ verification_token: TOKEN }));
    const hijack = await call(JSON.stringify({ verification_token: 'secret_someoneelse0123456789' }));
    const first = await call(signed, { 'x-notion-signature': signNotionBody(signed, TOKEN) });
    const replay = await call(signed, { 'x-notion-signature': signNotionBody(signed, TOKEN) });
    const forged = await call(signed, { 'x-notion-signature': signNotionBody(signed, 'secret_someoneelse0123456789') });

    expect([early.statusCode, verification.statusCode, again.statusCode, hijack.statusCode, first.statusCode, replay.statusCode, forged.statusCode])
      .toEqual([401, 200, 200, 409, 200, 200, 401]);
    expect((await credentials.getToken('notion-webhook:wiki'))?.accessToken).toBe(TOKEN);
    expect(published).toEqual([{ sourceId: 'wiki', ids: [PAGE] }]);
  });
});

describe('webhook route for a notion source without webhookSubscription or webhook.secretEnv', () => {
  it('refuses everything (401) and stores nothing', async () => {
    const credentials = new InMemoryCredentialStore({});
    const handler = createWebhookHandler({
      config: parseConfig({ sources: [{ id: 'wiki', kind: 'notion' }] }), secret: () => undefined, eventBus: { publish: async () => undefined },
      deliveries: new InMemoryDeliveryLog(), clock: { now: () => Date.now() }, log: silentLogger, credentials,
    });
    const answer = (await handler({ headers: {}, body: JSON.stringify({ verification_token: TOKEN }), isBase64Encoded: false, pathParameters: { sourceId: 'wiki' } } as unknown as APIGatewayProxyEventV2, {} as Context)) as APIGatewayProxyStructuredResultV2;
    expect(answer.statusCode).toBe(401);
    expect(await credentials.getToken('notion-webhook:wiki')).toBeUndefined();
  });
});
