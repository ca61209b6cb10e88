/**
 * The embedded DynamoDB host must never close its database under a request it is handling: a
 * `sync` client that exits right after sending its last write, or dies halfway through sending
 * it, used to take the hosting process down with "Database is closed" from inside dynalite.
 */
import { request } from 'node:http';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmbeddedDynamoDb, type EmbeddedDynamoDb } from '../../shared/wiring/embedded-dynamodb.ts';

const opened: EmbeddedDynamoDb[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((d) => d.close()));
});

async function start(): Promise<EmbeddedDynamoDb> {
  const d = await startEmbeddedDynamoDb();
  opened.push(d);
  return d;
}

/** A DynamoDB ListTables request whose body the test writes itself. */
function listTables(endpoint: string, body: string): { req: ClientRequest; response: Promise<{ status: number; body: string }> } {
  const url = new URL(endpoint);
  const req = request({
    host: url.hostname, port: url.port, method: 'POST', path: '/',
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'content-length': Buffer.byteLength(body),
      'x-amz-target': 'DynamoDB_20120810.ListTables',
      authorization: 'AWS4-HMAC-SHA256 Credential=local/20261122/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=00',
      'x-amz-date': '20261122T000000Z',
    },
  });
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.on('response', (res: IncomingMessage) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
  });
  response.catch(() => undefined);
  return { req, response };
}

/** Resolves once the host counts `n` requests in flight. */
async function untilInFlight(d: EmbeddedDynamoDb, n: number): Promise<void> {
  while (d.inFlight() !== n) await new Promise((r) => setImmediate(r));
}

/** Lets pending I/O callbacks run; used to show that something has NOT happened yet. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

describe('embedded DynamoDB host', () => {
  it('answers a request already under way before it closes, and refuses new ones meanwhile', async () => {
    const d = await start();
    const slow = listTables(d.endpoint, '{"Limit":5}');
    slow.req.write('{"Limit"');
    await untilInFlight(d, 1);

    let closed = false;
    const closing = d.close().then(() => { closed = true; });
    await settle();
    expect(closed).toBe(false);

    // A request that arrives while the host drains is refused with a retryable 503.
    const late = listTables(d.endpoint, '{}');
    late.req.end('{}');
    const refused = await late.response;
    expect(refused.status).toBe(503);
    expect(refused.body).toContain('shutting down');
    expect(closed).toBe(false);

    slow.req.end(':5}');
    const answered = await slow.response;
    expect(answered.status).toBe(200);
    expect(JSON.parse(answered.body)).toEqual({ TableNames: [] });
    await closing;
    expect(d.inFlight()).toBe(0);
  });

  it('survives a client that dies halfway through sending a request, and still closes', async () => {
    const d = await start();
    const dying = listTables(d.endpoint, '{"Limit":5}');
    dying.req.write('{"Li');
    await untilInFlight(d, 1);
    dying.req.destroy();
    await untilInFlight(d, 0);

    // The host still serves requests, then closes without waiting out its drain timeout.
    const next = listTables(d.endpoint, '{}');
    next.req.end('{}');
    expect((await next.response).status).toBe(200);
    await d.close();
  });
});
