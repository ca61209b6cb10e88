/**
 * Slack Events API requests → Tributary hints. Pure and fast (no Slack API call): Slack wants
 * an answer within 3 seconds, so the webhook only verifies, decodes and hands the document
 * ids to the fetch queue; the fetcher reads the documents.
 *
 * - Signature: `X-Slack-Signature: v0=<hex>` with hex = HMAC-SHA256(signing secret,
 *   `v0:<X-Slack-Request-Timestamp>:<raw body>`), timestamp within 5 minutes → else 401.
 * - `url_verification` → 200 `{ "challenge": … }`.
 * - `event_callback` with a `message` event (new, `message_changed`, `message_deleted`,
 *   `message_replied`) → a hint naming the document the message belongs to: its thread
 *   (`<channel>/<thread_ts or ts>`) or its parent's day (`<channel>/<YYYY-MM-DD>`). Without
 *   `includeBotMessages`, a bot's message (see `isBotMessage`) names none; notices (joins,
 *   topics, …) never do.
 * - `channel_rename` (or a `channel_name` message) → a hint without ids (an incremental sync);
 *   see docs/sources/slack.md for how a rename reaches older documents.
 * - Anything else → 200, ignored.
 */

import { HttpError } from '../../core/errors.ts';
import type { WebhookAnswer, WebhookRequest } from '../../ports/index.ts';
import { concatBytes, headerOf, verifyTimestampedHmac } from '../kit/webhook-verify.ts';
import { docIdOf, isBotMessage, type DocumentMode, type SlackMessage } from './messages.ts';

export const SLACK_SIGNATURE_HEADER = 'x-slack-signature';
export const SLACK_TIMESTAMP_HEADER = 'x-slack-request-timestamp';

/** What the decoder needs from the source's config. */
export interface SlackEventSettings {
  readonly id: string;
  readonly documentMode: DocumentMode;
  readonly timezone: string;
  readonly channels?: readonly string[] | undefined;
  readonly includeBotMessages: boolean;
}

/** Slack retries an event it got no 2xx for up to three times within about an hour (same event_id). */
const SLACK_RETRY_MEMORY_MS = 2 * 3_600_000;

/** Verifies a Slack request and decodes it; throws HttpError (401 signature, 400 malformed). */
export function decodeSlackWebhook(settings: SlackEventSettings, request: WebhookRequest): WebhookAnswer {
  const timestamp = headerOf(request.headers, SLACK_TIMESTAMP_HEADER);
  const signature = headerOf(request.headers, SLACK_SIGNATURE_HEADER);
  const verified = verifyTimestampedHmac({
    secret: request.secret, nowMs: request.nowMs, timestamp, prefix: 'v0=', header: SLACK_SIGNATURE_HEADER,
    signatures: signature ? [signature] : [], payload: concatBytes(`v0:${timestamp ?? ''}:`, request.rawBody),
  });
  const payload = parseObject(request.body);
  const type = payload['type'];
  if (type === 'url_verification') {
    const challenge = payload['challenge'];
    if (typeof challenge !== 'string' || challenge === '') throw new HttpError(400, 'url_verification without a "challenge" string');
    return { statusCode: 200, body: { challenge } };
  }
  if (type !== 'event_callback') return ignored(`payload type ${JSON.stringify(type ?? null)}`);
  const event = payload['event'];
  if (typeof event !== 'object' || event === null || Array.isArray(event)) throw new HttpError(400, 'event_callback without an "event" object');
  const decoded = hintIds(settings, event as Record<string, unknown>);
  if (decoded === undefined) return ignored(`event ${describe(event as Record<string, unknown>)}`);
  // A retry carries the same event_id (and a new signature); a replayed capture the same signature.
  const eventId = payload['event_id'];
  return {
    statusCode: 200, body: { ok: true, ids: decoded.length }, hints: { sourceId: settings.id, ids: decoded },
    delivery: {
      id: typeof eventId === 'string' && eventId !== '' ? `event:${eventId}` : `sig:${verified.deliveryId}`,
      ttlMs: SLACK_RETRY_MEMORY_MS, replay: { statusCode: 200, body: { ok: true, duplicate: true } },
    },
  };
}

/** Document ids an event names; [] for "run an incremental sync"; undefined when it is not about this source's content. */
export function hintIds(settings: SlackEventSettings, event: Record<string, unknown>): string[] | undefined {
  const type = event['type'];
  if (type === 'channel_rename') {
    const channel = (event['channel'] as { id?: unknown } | undefined)?.id;
    return typeof channel === 'string' && watches(settings, channel) ? [] : undefined;
  }
  if (type !== 'message') return undefined;
  const channel = event['channel'];
  if (typeof channel !== 'string' || !watches(settings, channel)) return undefined;
  const subtype = event['subtype'];
  // `anyPoster`: the event is about another message than `m` (a reply under the parent `m`).
  const idOf = (m: Partial<SlackMessage> | undefined, anyPoster = false): string[] | undefined => {
    if (!m || typeof m.ts !== 'string') return undefined;
    if (!anyPoster && !settings.includeBotMessages && isBotMessage(m as SlackMessage)) return undefined;
    return [docIdOf(channel, { ts: m.ts, ...(typeof m.thread_ts === 'string' ? { thread_ts: m.thread_ts } : {}) }, settings.documentMode, settings.timezone)];
  };
  switch (subtype) {
    case undefined: case 'thread_broadcast': case 'file_share': case 'me_message': case 'bot_message':
      return idOf(event as Partial<SlackMessage>);
    case 'message_changed':
      return idOf(event['message'] as Partial<SlackMessage> | undefined);
    case 'message_replied':
      // `message` is the parent; the new reply may be a person's even when the parent is a bot's.
      return idOf(event['message'] as Partial<SlackMessage> | undefined, true);
    case 'message_deleted': {
      const previous = event['previous_message'] as Partial<SlackMessage> | undefined;
      const deletedTs = event['deleted_ts'];
      if (previous && typeof previous.ts === 'string') return idOf(previous);
      // Without the previous message, the deleted ts is all there is: right for a thread root
      // (or a message without replies); a deleted reply then surfaces at the next full pass.
      return typeof deletedTs === 'string' ? idOf({ ts: deletedTs }) : undefined;
    }
    case 'channel_name':
      return [];
    default:
      return undefined;
  }
}

function watches(settings: SlackEventSettings, channel: string): boolean {
  return settings.channels === undefined || settings.channels.includes(channel);
}

function ignored(what: string): WebhookAnswer {
  return { statusCode: 200, body: { ok: true, ignored: what } };
}

function describe(event: Record<string, unknown>): string {
  const subtype = typeof event['subtype'] === 'string' ? `/${event['subtype']}` : '';
  return `${String(event['type'])}${subtype}`;
}

function parseObject(body: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new HttpError(400, 'body is not valid JSON (Slack Events API requests are JSON)');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new HttpError(400, 'body must be a JSON object');
  return parsed as Record<string, unknown>;
}
