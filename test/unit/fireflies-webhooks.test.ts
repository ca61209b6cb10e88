/**
 * Fireflies Webhooks V2 through the decoder and the webhook handler (the one the local server and
 * the webhook Lambda run): signature over the raw bytes, the signed timestamp's window, payloads,
 * the replay memory; and real deliveries of the emulator, signed as Fireflies signs them.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { createWebhookHandler } from '../../functions/webhook/webhook.ts';
import { parseConfig } from '../../shared/config/load.ts';
import { decodeFirefliesWebhook } from '../../shared/connectors/fireflies/webhooks.ts';
import { silentLogger } from '../../shared/core/deps.ts';
import { HttpError } from '../../shared/core/errors.ts';
import type { Hints, WebhookRequest } from '../../shared/ports/index.ts';
import { signFirefliesBody, startFireflies, type FirefliesEmulator } from '../emulators/fireflies.ts';
import { InMemoryDeliveryLog } from '../support/memory-delivery-log.ts';

const SECRET = 'fireflies-signing-secret-0123';
const NOW_MS = Date.parse('2026-03-02T10:00:00.000Z');
const SOURCE = { id: 'meetings' };

const payload = (extra: Record<string, unknown> = {}) => ({ event: 'meeting.transcribed', timestamp: NOW_MS - 2000, meeting_id: '01K8DV541XM97WMGRCX66TPSWG', ...extra });

function request(body: string, headers: Record<string, string | undefined> = { 'X-Hub-Signature': signFirefliesBody(body, SECRET) }, nowMs = NOW_MS): WebhookRequest {
  return { headers, rawBody: Buffer.from(body, 'utf8'), body, secret: SECRET, nowMs };
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

describe('decodeFirefliesWebhook', () => {
  it('turns a signed meeting.transcribed into a hint naming the meeting, remembered by its signature', () => {
    // Prepare
    const body = JSON.stringify(payload({ client_reference_id: 'be582c46' }));

    // Act
    const answer = decodeFirefliesWebhook(SOURCE, request(body));

    // Assess
    expect(answer.statusCode).toBe(200);
    expect(answer.hints).toEqual({ sourceId: 'meetings', ids: ['01K8DV541XM97WMGRCX66TPSWG'] });
    expect(answer.delivery?.id).toBe(`sig:${signFirefliesBody(body, SECRET).slice('sha256='.length)}`);
    expect(answer.delivery?.ttlMs).toBeGreaterThan(2 * 300_000);
    expect(answer.delivery?.replay.statusCode).toBe(409);
  });

  it('refuses a missing, forged or wrongly prefixed signature and a tampered body with 401', () => {
    // Prepare
    const body = JSON.stringify(payload());
    const tampered = body.replace('01K8DV541XM97WMGRCX66TPSWG', '01K8DV541XM97WMGRCX66TPSWH');

    // Act
    const statuses = [
      request(body, {}),
      request(body, { 'x-hub-signature': signFirefliesBody(body, 'another-secret') }),
      request(body, { 'x-hub-signature': signFirefliesBody(body, SECRET).slice('sha256='.length) }),
      request(tampered, { 'x-hub-signature': signFirefliesBody(body, SECRET) }),
    ].map((r) => rejection(() => decodeFirefliesWebhook(SOURCE, r)).statusCode);

    // Assess
    expect(statuses).toEqual([401, 401, 401, 401]);
  });

  it('checks the signature over the exact bytes: a body re-serialised differently does not verify', () => {
    // Prepare: the same JSON with other whitespace.
    const signedBody = JSON.stringify(payload());
    const resent = JSON.stringify(payload(), null, 1);

    // Act
    const error = rejection(() => decodeFirefliesWebhook(SOURCE, request(resent, { 'x-hub-signature': signFirefliesBody(signedBody, SECRET) })));

    // Assess
    expect(error.statusCode).toBe(401);
  });

  it('refuses a signed timestamp outside the 5-minute window either way with 401', () => {
    // Prepare
    const old = JSON.stringify(payload({ timestamp: NOW_MS - 301_000 }));
    const future = JSON.stringify(payload({ timestamp: NOW_MS + 301_000 }));
    const edge = JSON.stringify(payload({ timestamp: NOW_MS - 299_000 }));

    // Act
    const oldError = rejection(() => decodeFirefliesWebhook(SOURCE, request(old)));
    const futureError = rejection(() => decodeFirefliesWebhook(SOURCE, request(future)));
    const accepted = decodeFirefliesWebhook(SOURCE, request(edge));

    // Assess
    expect([oldError.statusCode, futureError.statusCode]).toEqual([401, 401]);
    expect(oldError.message).toMatch(/301 s old, outside the 5-minute window/);
    expect(futureError.message).toMatch(/in the future/);
    expect(accepted.hints?.ids).toHaveLength(1);
  });

  it.each([
    ['not JSON', 'meeting transcribed', /not valid JSON/],
    ['an array', '[]', /JSON object/],
    ['no timestamp', JSON.stringify({ event: 'meeting.transcribed', meeting_id: 'ASxwZxCstx' }), /"timestamp" must be a number/],
    ['a timestamp in text', JSON.stringify(payload({ timestamp: String(NOW_MS) })), /"timestamp" must be a number/],
    ['no event', JSON.stringify({ timestamp: NOW_MS, meeting_id: 'ASxwZxCstx' }), /"event" must be a non-empty string/],
    ['no meeting id', JSON.stringify(payload({ meeting_id: undefined })), /"meeting_id" must be a Fireflies transcript id/],
    ['a meeting id that is no id', JSON.stringify(payload({ meeting_id: '../admin' })), /"meeting_id"/],
    ['a V1 payload', JSON.stringify({ meetingId: 'ASxwZxCstx', eventType: 'Transcription completed' }), /V1 payload has no signed timestamp to bound replays: register the webhook as V2/],
  ])('answers a signed body with %s 400', (_what, body, message) => {
    // Act
    const error = rejection(() => decodeFirefliesWebhook(SOURCE, request(body)));

    // Assess
    expect(error.statusCode).toBe(400);
    expect(error.message).toMatch(message);
  });

  it('acknowledges meeting.summarized and meeting.bot_joined without a hint', () => {
    for (const event of ['meeting.summarized', 'meeting.bot_joined']) {
      // Act
      const answer = decodeFirefliesWebhook(SOURCE, request(JSON.stringify(payload({ event }))));

      // Assess
      expect(answer).toEqual({ statusCode: 200, body: { ok: true, ignored: event } });
    }
  });
});

describe('webhook handler with a fireflies source', () => {
  const config = parseConfig({ sources: [{ id: 'meetings', kind: 'fireflies', webhook: { secretEnv: 'FIREFLIES_WEBHOOK_SECRET' } }] });
  let nowMs = NOW_MS;
  const setup = () => {
    const published: Hints[] = [];
    const handler = createWebhookHandler({
      config, secret: (name) => (name === 'FIREFLIES_WEBHOOK_SECRET' ? SECRET : undefined),
      eventBus: { publish: async (hints) => void published.push(...hints) }, deliveries: new InMemoryDeliveryLog(),
      clock: { now: () => nowMs }, log: silentLogger,
    });
    const call = async (body: string, headers: Record<string, string | undefined>) => (await handler({
      headers, body, isBase64Encoded: false, pathParameters: { sourceId: 'meetings' },
    } as unknown as APIGatewayProxyEventV2, {} as Context)) as APIGatewayProxyStructuredResultV2;
    return { published, call };
  };

  afterEach(() => {
    nowMs = NOW_MS;
  });

  it('publishes a signed delivery once: a replay within the window gets 409, one after it 401; nothing else is published', async () => {
    // Prepare
    const { published, call } = setup();
    const body = JSON.stringify(payload());
    const signature = { 'x-hub-signature': signFirefliesBody(body, SECRET) };

    // Act
    const first = await call(body, signature);
    const replayed = await call(body, signature);
    nowMs = NOW_MS + 10 * 60_000;
    const late = await call(body, signature);

    // Assess
    expect([first.statusCode, replayed.statusCode, late.statusCode]).toEqual([200, 409, 401]);
    expect(published).toEqual([{ sourceId: 'meetings', ids: ['01K8DV541XM97WMGRCX66TPSWG'] }]);
  });

  it('publishes nothing for a forged signature, a tampered body or a stale timestamp', async () => {
    // Prepare
    const { published, call } = setup();
    const body = JSON.stringify(payload());
    const stale = JSON.stringify(payload({ timestamp: NOW_MS - 3_600_000 }));

    // Act
    const forged = await call(body, { 'x-hub-signature': signFirefliesBody(body, 'guess') });
    const tampered = await call(body.replace('transcribed', 'summarized'), { 'x-hub-signature': signFirefliesBody(body, SECRET) });
    const old = await call(stale, { 'x-hub-signature': signFirefliesBody(stale, SECRET) });

    // Assess
    expect([forged.statusCode, tampered.statusCode, old.statusCode]).toEqual([401, 401, 401]);
    expect(published).toEqual([]);
  });
});

describe('deliveries of the emulator', () => {
  let ff: FirefliesEmulator | undefined;
  let server: Server | undefined;

  afterEach(async () => {
    await ff?.close();
    await new Promise((resolve) => server ? server.close(resolve) : resolve(undefined));
  });

  it('verifies what Fireflies sends for meeting.transcribed and meeting.summarized', async () => {
    // Prepare: a receiver that keeps the raw bytes and headers of each delivery.
    const received: Array<{ body: Buffer; headers: IncomingHttpHeaders }> = [];
    server = createServer((req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c)).on('end', () => {
        received.push({ body: Buffer.concat(parts), headers: req.headers });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    ff = await startFireflies({ now: () => NOW_MS - 1000 });
    ff.addUser({ email: 'alice@acme.test' });
    ff.registerWebhook('alice@acme.test', { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, secret: SECRET });
    const id = ff.addMeeting({ title: 'Standup', date: NOW_MS - 3_600_000, organizer: 'alice@acme.test' });

    // Act
    await ff.finishProcessing(id);
    await ff.finishSummary(id);
    const answers = received.map(({ body, headers }) => decodeFirefliesWebhook(SOURCE, {
      headers: headers as Record<string, string>, rawBody: body, body: body.toString('utf8'), secret: SECRET, nowMs: NOW_MS,
    }));

    // Assess
    expect(answers.map((a) => a.hints ?? null)).toEqual([{ sourceId: 'meetings', ids: [id] }, null]);
    expect(answers[1]?.body).toEqual({ ok: true, ignored: 'meeting.summarized' });
  });
});
