import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIngestHandler, LAMBDA_EVENT_MAX_BYTES, MAX_INGEST_BYTES } from '../../functions/ingest/ingest.ts';
import { MAX_WEBHOOK_BYTES } from '../../functions/webhook/webhook.ts';
import { parseConfig } from '../../shared/config/load.ts';
import { MAX_DOCUMENT_BYTES_LIMIT } from '../../shared/connectors/push/config.ts';
import { silentLogger } from '../../shared/core/deps.ts';
import { signWebhook } from '../../shared/core/webhook.ts';
import type { Hints } from '../../shared/ports/index.ts';
import { newStateStore, startServers, type EmbeddedServers } from '../support/embedded.ts';
import { InMemoryDeliveryLog } from '../support/memory-delivery-log.ts';

/**
 * The documented request limits must fit one Lambda event as API Gateway (HTTP API, payload
 * 2.0) builds it, or such a request fails before the function runs, with no 413 and on every
 * retry. The worst cases: a body delivered base64-encoded, a body of characters JSON escapes
 * (`"`, `\`), and a body of 2-byte characters under a serializer that escapes non-ASCII.
 */

const SECRET = 'push-secret-for-limits';
const config = parseConfig({
  sources: [{ id: 'pushed', kind: 'push', webhook: { secretEnv: 'PUSH_SECRET' }, maxDocumentBytes: MAX_DOCUMENT_BYTES_LIMIT }],
});

/** HTTP API allows 10 KB of request line and headers: the event carries them all. */
const LARGEST_HEADERS = Object.fromEntries(Array.from({ length: 10 }, (_v, i) => [`x-padding-${i}`, 'h'.repeat(1000)]));

function apiGatewayEvent(body: string, options: { base64?: boolean; headers?: Record<string, string> } = {}): APIGatewayProxyEventV2 {
  const now = new Date();
  return {
    version: '2.0', routeKey: 'POST /ingest/{sourceId}', rawPath: '/ingest/pushed', rawQueryString: '',
    headers: { 'content-type': 'application/json', host: 'abc123.execute-api.eu-west-1.amazonaws.com', ...LARGEST_HEADERS, ...options.headers },
    pathParameters: { sourceId: 'pushed' },
    requestContext: {
      accountId: '123456789012', apiId: 'abc123', domainName: 'abc123.execute-api.eu-west-1.amazonaws.com', domainPrefix: 'abc123',
      http: { method: 'POST', path: '/ingest/pushed', protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'h'.repeat(1000) },
      requestId: randomUUID(), routeKey: 'POST /ingest/{sourceId}', stage: '$default', time: now.toUTCString(), timeEpoch: now.getTime(),
    },
    body: options.base64 ? Buffer.from(body, 'utf8').toString('base64') : body,
    isBase64Encoded: options.base64 ?? false,
  };
}

/** The event's size as Lambda receives it, serialized plainly or with every non-ASCII character escaped. */
function eventBytes(event: APIGatewayProxyEventV2, escapeNonAscii: boolean): number {
  const json = JSON.stringify(event);
  const text = escapeNonAscii ? json.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : json;
  return Buffer.byteLength(text, 'utf8');
}

/**
 * A valid push of exactly `bytes` bytes whose texts repeat `unit` (each document as large as
 * a push source allows, the last one filling the rest), padded with ASCII to the byte.
 */
function pushOfSize(bytes: number, unit: string): { body: string; documents: number } {
  const perDocument = Math.floor(MAX_DOCUMENT_BYTES_LIMIT / Buffer.byteLength(unit, 'utf8') / 2);
  /** Bytes one `unit` takes in the body (JSON-escaped). */
  const unitBytes = Buffer.byteLength(JSON.stringify(unit), 'utf8') - 2;
  const operation = (i: number, text: string) => ({ op: 'upsert', id: `doc-${i}`, version: 1, text, format: 'markdown' });
  const encode = (operations: unknown[]): string => JSON.stringify({ operations });
  const full: unknown[] = [];
  // Whole documents while another one (and a comma) still fits, then one to fill the rest.
  while (Buffer.byteLength(encode([...full, operation(full.length, unit.repeat(perDocument))]), 'utf8') < bytes) full.push(operation(full.length, unit.repeat(perDocument)));
  const rest = bytes - Buffer.byteLength(encode([...full, operation(full.length, '')]), 'utf8');
  const units = Math.floor(rest / unitBytes);
  const body = encode([...full, operation(full.length, unit.repeat(units) + 'a'.repeat(rest - units * unitBytes))]);
  return { body, documents: full.length + 1 };
}

let servers: EmbeddedServers;
beforeAll(async () => {
  servers = await startServers();
});
afterAll(async () => {
  await servers.close();
});

async function ingestHandler() {
  const state = await newStateStore(servers);
  const published: Hints[] = [];
  const handler = createIngestHandler({
    config, secret: () => SECRET, state, eventBus: { publish: async (hints) => void published.push(...hints) },
    deliveries: new InMemoryDeliveryLog(), clock: { now: () => Date.now() }, log: silentLogger,
  });
  // Each request signed anew (a second earlier each time): the same signature twice is a replay.
  let signedAt = Math.floor(Date.now() / 1000);
  const post = async (body: string, base64 = false): Promise<APIGatewayProxyStructuredResultV2> => (await handler(apiGatewayEvent(body, {
    base64, headers: { 'x-tributary-signature': signWebhook(SECRET, body, signedAt--) },
  }), {} as Context)) as APIGatewayProxyStructuredResultV2;
  const stashed = async (): Promise<number> => (await state.listStashed('pushed', { limit: 1000 })).items.length;
  return { post, published, stashed };
}

describe('POST /ingest limit: every body it accepts fits one Lambda event', () => {
  it.each([
    ['quotes (each doubles in the event)', '"'],
    ['2-byte characters (6 bytes each if escaped)', 'é'],
    ['backslashes', '\\'],
    ['Markdown', '# Title\n\nA paragraph with "quotes", a list:\n- one\n- two\n\n'],
  ])('a body of exactly MAX_INGEST_BYTES of %s, plain or base64, is an event under 6 MiB', (_label, unit) => {
    // Prepare
    const { body } = pushOfSize(MAX_INGEST_BYTES, unit);
    expect(Buffer.byteLength(body, 'utf8')).toBe(MAX_INGEST_BYTES);

    // Act
    const sizes = [false, true].flatMap((base64) => [false, true].map((escape) => eventBytes(apiGatewayEvent(body, { base64 }), escape)));

    // Assess
    for (const size of sizes) expect(size).toBeLessThanOrEqual(LAMBDA_EVENT_MAX_BYTES);
  });

  it('accepts a body of exactly MAX_INGEST_BYTES (plain and base64) and stores every document', async () => {
    // Prepare
    const { post, published, stashed } = await ingestHandler();
    const { body, documents } = pushOfSize(MAX_INGEST_BYTES, '"');

    // Act
    const plain = await post(body);
    const encoded = await post(body, true);

    // Assess
    expect(plain.statusCode).toBe(200);
    expect(JSON.parse(plain.body ?? '{}')).toMatchObject({ accepted: documents, rejected: 0 });
    // The same batch again is unchanged, not refused.
    expect(encoded.statusCode).toBe(200);
    expect(JSON.parse(encoded.body ?? '{}')).toMatchObject({ unchanged: documents });
    expect(await stashed()).toBe(documents);
    expect(published.flatMap((h) => h.ids)).toHaveLength(2 * documents);
  });

  it.each([
    ['one byte over the limit', MAX_INGEST_BYTES + 1],
    ['a 4.94 MiB Markdown push', Math.round(4.94 * 1024 * 1024)],
  ])('answers 413 to %s, plain or base64, before writing or publishing anything', async (_label, bytes) => {
    // Prepare
    const { post, published, stashed } = await ingestHandler();
    const { body } = pushOfSize(bytes, '# Runbook\n\nRestart the service, then check the "health" page.\n\n');

    // Act
    const plain = await post(body);
    const encoded = await post(body, true);

    // Assess
    for (const response of [plain, encoded]) {
      expect(response.statusCode).toBe(413);
      expect(JSON.parse(response.body ?? '{}')['error']).toBe(`body is ${bytes} bytes, over the ${MAX_INGEST_BYTES}-byte limit: split the batch`);
    }
    expect(await stashed()).toBe(0);
    expect(published).toEqual([]);
  });
});

describe('POST /webhooks limit', () => {
  it('a webhook body of exactly MAX_WEBHOOK_BYTES, in its largest encoding, is an event under 6 MiB', () => {
    // Prepare: ids of 2-byte characters and quotes, as many as the limit holds.
    const id = `${'é'.repeat(400)}${'"'.repeat(200)}`;
    const ids: string[] = [];
    while (Buffer.byteLength(JSON.stringify({ changed: [...ids, id] }), 'utf8') <= MAX_WEBHOOK_BYTES) ids.push(id);
    const json = JSON.stringify({ changed: ids });
    const body = json + ' '.repeat(MAX_WEBHOOK_BYTES - Buffer.byteLength(json, 'utf8'));

    // Act
    const sizes = [false, true].flatMap((base64) => [false, true].map((escape) => eventBytes(apiGatewayEvent(body, { base64 }), escape)));

    // Assess
    expect(Buffer.byteLength(body, 'utf8')).toBe(MAX_WEBHOOK_BYTES);
    for (const size of sizes) expect(size).toBeLessThanOrEqual(LAMBDA_EVENT_MAX_BYTES);
  });
});
