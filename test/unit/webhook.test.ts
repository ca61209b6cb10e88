import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createWebhookHandler } from '../../functions/webhook/webhook.ts';
import { parseConfig } from '../../shared/config/load.ts';
import { silentLogger } from '../../shared/core/deps.ts';
import { HttpError } from '../../shared/core/errors.ts';
import { parseHintBody, signWebhook, verifyWebhookSignature, WEBHOOK_TOLERANCE_SECONDS } from '../../shared/core/webhook.ts';
import type { Hints } from '../../shared/ports/index.ts';
import { InMemoryDeliveryLog } from '../support/memory-delivery-log.ts';

const SECRET = 'whsec_test_0123456789';
const NOW_S = 1_767_225_600; // 2026-01-01T00:00:00Z
const NOW_MS = NOW_S * 1000;
const BODY = '{"changed":["guide/intro.md"]}';

/** The error `fn` throws (fails the test when it returns). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return expect.fail('expected a throw');
}

/** Asserts `fn` throws an HttpError with `status`, and returns its message. */
function httpStatus(fn: () => unknown, status: number): string {
  const error = thrown(fn);
  expect(error).toBeInstanceOf(HttpError);
  expect((error as HttpError).statusCode).toBe(status);
  return (error as HttpError).message;
}

const mac = (secret: string, t: number | string, body: string): string =>
  createHmac('sha256', secret).update(`${t}.${body}`, 'utf8').digest('hex');

describe('verifyWebhookSignature', () => {
  it('accepts what signWebhook signed', () => {
    // Prepare
    const header = signWebhook(SECRET, BODY, NOW_S);

    // Act
    const verify = (): unknown => verifyWebhookSignature(SECRET, header, BODY, NOW_MS);

    // Assess
    expect(header).toBe(`t=${NOW_S},v1=${mac(SECRET, NOW_S, BODY)}`);
    expect(verify).not.toThrow();
  });

  it('accepts an empty body and unicode bodies signed the same way', () => {
    // Prepare
    const unicode = '{"changed":["ünï/日本.md"]}';

    // Act & Assess
    expect(() => verifyWebhookSignature(SECRET, signWebhook(SECRET, '', NOW_S), '', NOW_MS)).not.toThrow();
    expect(() => verifyWebhookSignature(SECRET, signWebhook(SECRET, unicode, NOW_S), unicode, NOW_MS)).not.toThrow();
  });

  it('rejects a signature made with another secret with 401', () => {
    // Prepare
    const header = signWebhook('not-the-secret', BODY, NOW_S);

    // Act
    const message = httpStatus(() => verifyWebhookSignature(SECRET, header, BODY, NOW_MS), 401);

    // Assess
    expect(message).toMatch(/does not match/);
  });

  it('rejects a tampered body with 401', () => {
    // Prepare
    const header = signWebhook(SECRET, BODY, NOW_S);

    // Act & Assess
    httpStatus(() => verifyWebhookSignature(SECRET, header, '{"changed":["guide/other.md"]}', NOW_MS), 401);
    httpStatus(() => verifyWebhookSignature(SECRET, header, `${BODY} `, NOW_MS), 401);
  });

  it('rejects a timestamp changed after signing with 401', () => {
    // Prepare: a valid MAC, but a fresher timestamp pasted in.
    const header = `t=${NOW_S + 10},v1=${mac(SECRET, NOW_S, BODY)}`;

    // Act & Assess
    httpStatus(() => verifyWebhookSignature(SECRET, header, BODY, NOW_MS), 401);
  });

  it(`accepts timestamps ${WEBHOOK_TOLERANCE_SECONDS} s old or ahead, and rejects 301 s either way with 401`, () => {
    // Prepare
    const at = (t: number): string => signWebhook(SECRET, BODY, t);

    // Act & Assess
    expect(() => verifyWebhookSignature(SECRET, at(NOW_S - 300), BODY, NOW_MS)).not.toThrow();
    expect(() => verifyWebhookSignature(SECRET, at(NOW_S + 300), BODY, NOW_MS)).not.toThrow();
    expect(httpStatus(() => verifyWebhookSignature(SECRET, at(NOW_S - 301), BODY, NOW_MS), 401)).toMatch(/window/);
    expect(httpStatus(() => verifyWebhookSignature(SECRET, at(NOW_S + 301), BODY, NOW_MS), 401)).toMatch(/window/);
  });

  it.each([
    ['missing header', undefined],
    ['empty header', ''],
    ['missing t', `v1=${mac(SECRET, NOW_S, BODY)}`],
    ['missing v1', `t=${NOW_S}`],
    ['empty v1', `t=${NOW_S},v1=`],
    ['non-numeric t', `t=soon,v1=${mac(SECRET, NOW_S, BODY)}`],
    ['fractional t', `t=${NOW_S}.5,v1=${mac(SECRET, `${NOW_S}.5`, BODY)}`],
    ['garbage', 'garbage'],
    ['only separators', ',,=,'],
    ['v0 instead of v1', `t=${NOW_S},v0=${mac(SECRET, NOW_S, BODY)}`],
    ['uppercase hex', `t=${NOW_S},v1=${mac(SECRET, NOW_S, BODY).toUpperCase()}`],
    ['truncated MAC', `t=${NOW_S},v1=${mac(SECRET, NOW_S, BODY).slice(0, 63)}`],
  ])('rejects a malformed header (%s) with 401', (_label, header) => {
    // Prepare: the body is the one the MACs were made for.

    // Act & Assess
    httpStatus(() => verifyWebhookSignature(SECRET, header, BODY, NOW_MS), 401);
  });

  it('accepts several v1 values when any one matches (secret rotation)', () => {
    // Prepare
    const oldMac = mac('old-secret', NOW_S, BODY);
    const newMac = mac(SECRET, NOW_S, BODY);

    // Act & Assess
    expect(() => verifyWebhookSignature(SECRET, `t=${NOW_S},v1=${oldMac},v1=${newMac}`, BODY, NOW_MS)).not.toThrow();
    expect(() => verifyWebhookSignature(SECRET, `t=${NOW_S}, v1=${newMac}, v1=${oldMac}`, BODY, NOW_MS)).not.toThrow();
    httpStatus(() => verifyWebhookSignature(SECRET, `t=${NOW_S},v1=${oldMac},v1=${mac('other', NOW_S, BODY)}`, BODY, NOW_MS), 401);
  });
});

describe('parseHintBody', () => {
  it('reads an empty (or blank) body as "run an incremental sync"', () => {
    // Act & Assess
    expect(parseHintBody('docs', '')).toEqual({ sourceId: 'docs', ids: [] });
    expect(parseHintBody('docs', '  \n')).toEqual({ sourceId: 'docs', ids: [] });
  });

  it('collects changed and deleted ids without duplicates', () => {
    // Prepare
    const body = JSON.stringify({ changed: ['a.md', 'b.md', 'a.md'], deleted: ['c.md', 'b.md'] });

    // Act
    const hints = parseHintBody('docs', body);

    // Assess
    expect(hints).toEqual({ sourceId: 'docs', ids: ['a.md', 'b.md', 'c.md'] });
  });

  it('accepts only one of the two fields, or an empty object', () => {
    // Act & Assess
    expect(parseHintBody('docs', '{"deleted":["gone.md"]}').ids).toEqual(['gone.md']);
    expect(parseHintBody('docs', '{"changed":[]}').ids).toEqual([]);
    expect(parseHintBody('docs', '{}').ids).toEqual([]);
  });

  it.each([
    ['malformed JSON', '{"changed":[', /not valid JSON/],
    ['an array', '["a.md"]', /JSON object/],
    ['a string', '"a.md"', /JSON object/],
    ['null', 'null', /JSON object/],
    ['an unknown key', '{"changed":["a.md"],"modified":["b.md"]}', /unknown field\(s\) modified/],
    ['non-string ids', '{"changed":["a.md", 7]}', /"changed" must be an array/],
    ['an empty id', '{"deleted":[""]}', /"deleted" must be an array/],
    ['a non-array field', '{"changed":"a.md"}', /"changed" must be an array/],
  ])('rejects %s with 400', (_label, body, message) => {
    // Act
    const text = httpStatus(() => parseHintBody('docs', body), 400);

    // Assess
    expect(text).toMatch(message);
  });
});

describe('webhook handler', () => {
  const config = parseConfig({
    sources: [
      { id: 'docs', kind: 'filesystem', root: '/tmp/docs', webhook: { secretEnv: 'DOCS_SECRET' } },
      { id: 'notes', kind: 'push', webhook: { secretEnv: 'NOTES_PUSH_SECRET' } },
    ],
  });
  const setup = () => {
    const published: Hints[] = [];
    // Only the webhook's own secrets: on AWS a push source's secret belongs to the ingest function.
    const handler = createWebhookHandler({
      config, secret: (name) => (name === 'DOCS_SECRET' ? SECRET : undefined),
      eventBus: { publish: async (hints) => void published.push(...hints) }, deliveries: new InMemoryDeliveryLog(), clock: { now: () => NOW_MS }, log: silentLogger,
    });
    const post = async (sourceId: string, body: string) => (await handler({
      headers: { 'x-tributary-signature': signWebhook(SECRET, body, NOW_S) }, body, isBase64Encoded: false, pathParameters: { sourceId },
    } as unknown as APIGatewayProxyEventV2, {} as Context)) as APIGatewayProxyStructuredResultV2;
    return { published, post };
  };

  it('answers a push source\'s hint as a bad signature (401), and publishes nothing', async () => {
    // Prepare
    const { published, post } = setup();

    // Act
    const response = await post('notes', BODY);

    // Assess
    expect(response.statusCode).toBe(401);
    expect(JSON.parse(response.body ?? '{}')).toEqual({ error: 'signature does not verify for this source' });
    expect(published).toEqual([]);
  });

  it('still takes a signed hint for a source with a webhook', async () => {
    // Prepare
    const { published, post } = setup();

    // Act
    const response = await post('docs', BODY);

    // Assess
    expect(response.statusCode).toBe(202);
    expect(published).toEqual([{ sourceId: 'docs', ids: ['guide/intro.md'] }]);
  });

  it('accepts a signed hint once: the same request again is a replay (409), publishing nothing more', async () => {
    // Prepare
    const { published, post } = setup();
    expect((await post('docs', BODY)).statusCode).toBe(202);

    // Act
    const replay = await post('docs', BODY);

    // Assess
    expect(replay.statusCode).toBe(409);
    expect(JSON.parse(replay.body ?? '{}')['error']).toMatch(/replay/);
    expect(published).toHaveLength(1);
  });

  it('accepts the same request again when publishing it failed (the sender retries)', async () => {
    // Prepare: the bus fails once.
    let failures = 1;
    const published: Hints[] = [];
    const handler = createWebhookHandler({
      config, secret: () => SECRET, deliveries: new InMemoryDeliveryLog(), clock: { now: () => NOW_MS }, log: silentLogger,
      eventBus: {
        publish: async (hints) => {
          if (failures-- > 0) throw new Error('bus unavailable');
          published.push(...hints);
        },
      },
    });
    const event = { headers: { 'x-tributary-signature': signWebhook(SECRET, BODY, NOW_S) }, body: BODY, isBase64Encoded: false, pathParameters: { sourceId: 'docs' } } as unknown as APIGatewayProxyEventV2;

    // Act
    const failed = (await handler(event, {} as Context)) as APIGatewayProxyStructuredResultV2;
    const retried = (await handler(event, {} as Context)) as APIGatewayProxyStructuredResultV2;

    // Assess
    expect(failed.statusCode).toBe(500);
    expect(retried.statusCode).toBe(202);
    expect(published).toHaveLength(1);
  });

  it('verifies the signature over the raw bytes, not over their decoded text', async () => {
    // Prepare: a body whose bytes are not valid UTF-8 (decoding replaces them with U+FFFD).
    const { published } = setup();
    const bytes = Buffer.concat([Buffer.from('{"changed":["caf'), Buffer.from([0xe9]), Buffer.from('.md"]}')]);
    const decoded = bytes.toString('utf8');
    const handler = createWebhookHandler({
      config, secret: () => SECRET, deliveries: new InMemoryDeliveryLog(), clock: { now: () => NOW_MS }, log: silentLogger,
      eventBus: { publish: async (hints) => void published.push(...hints) },
    });
    const send = async (signature: string) => (await handler({
      headers: { 'x-tributary-signature': signature }, body: bytes.toString('base64'), isBase64Encoded: true, pathParameters: { sourceId: 'docs' },
    } as unknown as APIGatewayProxyEventV2, {} as Context)) as APIGatewayProxyStructuredResultV2;

    // Act: signed over the text (what the old check compared), then over the bytes sent.
    const overText = await send(signWebhook(SECRET, decoded, NOW_S));
    const overBytes = await send(signWebhook(SECRET, bytes, NOW_S));

    // Assess
    expect(overText.statusCode).toBe(401);
    expect(overBytes.statusCode).toBe(202);
    expect(published).toHaveLength(1);
  });
});
