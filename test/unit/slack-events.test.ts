import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createWebhookHandler } from '../../functions/webhook/webhook.ts';
import { parseConfig } from '../../shared/config/load.ts';
import { decodeSlackWebhook, type SlackEventSettings } from '../../shared/connectors/slack/events.ts';
import { silentLogger } from '../../shared/core/deps.ts';
import { HttpError } from '../../shared/core/errors.ts';
import type { Hints } from '../../shared/ports/index.ts';
import { SlackEmulator, signSlackRequest, urlVerification } from '../emulators/slack.ts';
import { InMemoryDeliveryLog } from '../support/memory-delivery-log.ts';

const SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const NOW_S = 1_767_225_600; // 2026-01-01T00:00:00Z
const NOW_MS = NOW_S * 1000;
const THREAD: SlackEventSettings = { id: 'team', documentMode: 'thread', timezone: 'UTC', includeBotMessages: false };
const DAY: SlackEventSettings = { ...THREAD, documentMode: 'channel-day', timezone: 'America/New_York' };

/** A signed request carrying `payload`, as Slack sends it. */
function signed(payload: unknown, at = NOW_S, secret = SECRET): { headers: Record<string, string>; body: string } {
  const body = JSON.stringify(payload);
  return { headers: signSlackRequest(secret, body, at), body };
}

function decode(settings: SlackEventSettings, request: { headers: Record<string, string | undefined>; body: string }) {
  return decodeSlackWebhook(settings, { ...request, rawBody: Buffer.from(request.body, 'utf8'), secret: SECRET, nowMs: NOW_MS });
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

const message = (event: Record<string, unknown>) => ({ type: 'event_callback', team_id: 'T1', event: { type: 'message', channel: 'C0GENERAL', ...event } });

describe('Slack request signature (v0)', () => {
  it('accepts a request signed with the signing secret over v0:timestamp:body', () => {
    // Prepare
    const request = signed(message({ user: 'U1', text: 'hi', ts: '1767225500.000100' }));

    // Act
    const answer = decode(THREAD, request);

    // Assess
    expect(answer.statusCode).toBe(200);
    expect(answer.hints).toEqual({ sourceId: 'team', ids: ['C0GENERAL/1767225500.000100'] });
  });

  it.each([
    ['forged (another secret)', () => signed(message({ ts: '1.000000' }), NOW_S, 'not-the-secret'), /does not match/],
    ['stale (6 minutes old)', () => signed(message({ ts: '1.000000' }), NOW_S - 360), /5-minute window/],
    ['from the future (6 minutes ahead)', () => signed(message({ ts: '1.000000' }), NOW_S + 360), /5-minute window/],
    ['missing signature', () => {
      const r = signed(message({ ts: '1.000000' }));
      return { ...r, headers: { ...r.headers, 'x-slack-signature': undefined } };
    }, /missing x-slack-signature/],
    ['missing timestamp', () => {
      const r = signed(message({ ts: '1.000000' }));
      return { ...r, headers: { ...r.headers, 'x-slack-request-timestamp': undefined } };
    }, /timestamp/],
    ['body altered after signing', () => {
      const r = signed(message({ ts: '1.000000' }));
      return { ...r, body: r.body.replace('1.000000', '2.000000') };
    }, /does not match/],
    ['signature without the v0= prefix', () => {
      const r = signed(message({ ts: '1.000000' }));
      return { ...r, headers: { ...r.headers, 'x-slack-signature': r.headers['x-slack-signature']!.slice(3) } };
    }, /does not match/],
  ])('rejects a %s request with 401', (_name, make, pattern) => {
    // Prepare
    const request = make();

    // Act
    const error = rejection(() => decode(THREAD, request));

    // Assess
    expect(error.statusCode).toBe(401);
    expect(error.message).toMatch(pattern);
  });

  it('accepts a timestamp just inside the window', () => {
    expect(decode(THREAD, signed(message({ ts: '1.000000' }), NOW_S - 299)).statusCode).toBe(200);
  });
});

describe('Slack payloads', () => {
  it('answers url_verification with the challenge and no hint', () => {
    // Prepare
    const request = signed(urlVerification('3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P'));

    // Act
    const answer = decode(THREAD, request);

    // Assess
    expect(answer).toEqual({ statusCode: 200, body: { challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' } });
  });

  it.each([
    ['a new message → its own thread', { user: 'U1', text: 'x', ts: '1767225500.000100' }, ['C0GENERAL/1767225500.000100']],
    ['a reply → its thread', { user: 'U1', text: 'x', ts: '1767225600.000200', thread_ts: '1767225500.000100' }, ['C0GENERAL/1767225500.000100']],
    ['message_changed → the edited message\'s thread', {
      subtype: 'message_changed', hidden: true, ts: '1767225700.000000',
      message: { type: 'message', user: 'U1', text: 'new', ts: '1767225600.000200', thread_ts: '1767225500.000100', edited: { user: 'U1', ts: '1767225700.000000' } },
      previous_message: { type: 'message', user: 'U1', text: 'old', ts: '1767225600.000200', thread_ts: '1767225500.000100' },
    }, ['C0GENERAL/1767225500.000100']],
    ['message_deleted → the deleted message\'s thread', {
      subtype: 'message_deleted', hidden: true, ts: '1767225800.000000', deleted_ts: '1767225600.000200',
      previous_message: { type: 'message', user: 'U1', text: 'old', ts: '1767225600.000200', thread_ts: '1767225500.000100' },
    }, ['C0GENERAL/1767225500.000100']],
    ['message_deleted without previous_message → the deleted ts', {
      subtype: 'message_deleted', hidden: true, ts: '1767225800.000000', deleted_ts: '1767225600.000200',
    }, ['C0GENERAL/1767225600.000200']],
    ['a channel_name notice → an incremental sync', { subtype: 'channel_name', old_name: 'a', name: 'b', ts: '1.000000' }, []],
  ])('%s', (_name, event, ids) => {
    // Prepare
    const request = signed(message(event));

    // Act
    const answer = decode(THREAD, request);

    // Assess
    expect(answer.statusCode).toBe(200);
    expect(answer.hints?.ids).toEqual(ids);
  });

  it('names the parent\'s local day in channel-day mode', () => {
    // Prepare: 1767225600 is 2026-01-01T00:00Z, still 31 December in New York.
    const reply = signed(message({ user: 'U1', text: 'x', ts: '1767312000.000100', thread_ts: '1767225600.000100' }));

    // Act
    const answer = decode(DAY, reply);

    // Assess
    expect(answer.hints?.ids).toEqual(['C0GENERAL/2025-12-31']);
  });

  it('turns channel_rename into an incremental sync hint', () => {
    // Prepare
    const request = signed({ type: 'event_callback', event: { type: 'channel_rename', channel: { id: 'C0GENERAL', name: 'new_name', created: 1360782804 } } });

    // Act
    const answer = decode(THREAD, request);

    // Assess
    expect(answer.hints).toEqual({ sourceId: 'team', ids: [] });
  });

  it.each([
    ['a join notice', message({ subtype: 'channel_join', user: 'U1', ts: '1.000000' })],
    ['a bot message (bots not indexed)', message({ subtype: 'bot_message', bot_id: 'B1', text: 'ci', ts: '1.000000' })],
    ['a message in a channel outside `channels`', message({ channel: 'C0OTHER', user: 'U1', text: 'x', ts: '1.000000' })],
    ['another event type', { type: 'event_callback', event: { type: 'reaction_added', user: 'U1', reaction: 'tada' } }],
    ['another payload type', { type: 'app_rate_limited', minute_rate_limited: 1518467820 }],
  ])('acknowledges %s with 200 and no hint', (_name, payload) => {
    // Prepare
    const settings = { ...THREAD, channels: ['C0GENERAL'] };

    // Act
    const answer = decode(settings, signed(payload));

    // Assess
    expect(answer.statusCode).toBe(200);
    expect(answer.hints).toBeUndefined();
  });

  it.each([
    ['not JSON', '{"type": "event_callback", '],
    ['a JSON array', '[1,2]'],
    ['event_callback without an event', '{"type":"event_callback"}'],
    ['url_verification without a challenge', '{"type":"url_verification"}'],
  ])('rejects a body that is %s with 400', (_name, body) => {
    // Prepare
    const request = { headers: signSlackRequest(SECRET, body, NOW_S), body };

    // Act
    const error = rejection(() => decode(THREAD, request));

    // Assess
    expect(error.statusCode).toBe(400);
  });
});

describe('webhook handler with a slack source', () => {
  const config = parseConfig({
    sources: [{ id: 'team', kind: 'slack', webhook: { secretEnv: 'SLACK_SIGNING_SECRET' }, channels: ['C0GENERAL'] }],
  });
  const setup = () => {
    const published: Hints[] = [];
    const handler = createWebhookHandler({
      config, secret: (name) => (name === 'SLACK_SIGNING_SECRET' ? SECRET : undefined),
      eventBus: { publish: async (hints) => void published.push(...hints) }, deliveries: new InMemoryDeliveryLog(), clock: { now: () => NOW_MS }, log: silentLogger,
    });
    const call = async (request: { headers: Record<string, string | undefined>; body: string }) => (await handler({
      headers: request.headers, body: request.body, isBase64Encoded: false, pathParameters: { sourceId: 'team' },
    } as unknown as APIGatewayProxyEventV2, {} as Context)) as APIGatewayProxyStructuredResultV2;
    return { published, call };
  };

  it('publishes the hint of a signed event and answers 200', async () => {
    // Prepare
    const { published, call } = setup();
    const slack = await SlackEmulator.start({ now: () => NOW_MS - 1000 });
    slack.addChannel({ id: 'C0GENERAL', name: 'general' });
    const { ts, envelope } = slack.post({ channel: 'C0GENERAL', user: 'U1', text: 'hello' });
    await slack.close();

    // Act
    const result = await call(signed(envelope));

    // Assess
    expect(result.statusCode).toBe(200);
    expect(published).toEqual([{ sourceId: 'team', ids: [`C0GENERAL/${ts}`] }]);
  });

  it('publishes nothing for forged, stale or challenge requests', async () => {
    // Prepare
    const { published, call } = setup();
    const event = message({ user: 'U1', text: 'x', ts: '1767225500.000100' });

    // Act
    const forged = await call(signed(event, NOW_S, 'forged'));
    const stale = await call(signed(event, NOW_S - 301));
    const challenge = await call(signed(urlVerification('abc')));

    // Assess
    expect([forged.statusCode, stale.statusCode, challenge.statusCode]).toEqual([401, 401, 200]);
    expect(JSON.parse(challenge.body as string)).toEqual({ challenge: 'abc' });
    expect(published).toEqual([]);
  });

  it('publishes an event once: Slack\'s retry (same event_id, newly signed) and a replayed capture get 200 and publish nothing', async () => {
    // Prepare
    const { published, call } = setup();
    const slack = await SlackEmulator.start({ now: () => NOW_MS - 1000 });
    slack.addChannel({ id: 'C0GENERAL', name: 'general' });
    const { envelope } = slack.post({ channel: 'C0GENERAL', user: 'U1', text: 'hello' });
    await slack.close();
    const original = signed(envelope);

    // Act
    const first = await call(original);
    const retry = await call(signed(envelope, NOW_S + 60));
    const replay = await call(original);

    // Assess
    expect([first.statusCode, retry.statusCode, replay.statusCode]).toEqual([200, 200, 200]);
    expect(JSON.parse(retry.body as string)).toEqual({ ok: true, duplicate: true });
    expect(published).toHaveLength(1);
  });
});
