/**
 * Drive push notifications (changes.watch channels) → Tributary hints, without any API call.
 * https://developers.google.com/workspace/drive/api/guides/push
 *
 * Drive signs nothing. What proves a notification is ours:
 * - `X-Goog-Channel-Token` equals, in constant time, HMAC-SHA256(webhook secret, channel id):
 *   the token the connector set when it opened the channel (./channels.ts), so only channels
 *   this source opened pass, and a token seen on one channel is worthless on another;
 * - `X-Goog-Channel-ID` has the source's channel prefix, `X-Goog-Resource-ID` is present;
 * - `X-Goog-Message-Number` is a positive integer: the delivery id is channel + number, so a
 *   repeated (or replayed) number publishes nothing (answered 200: Drive retries non-2xx).
 *   Numbers are not ordered against the last one seen, on purpose: Drive retries a failed
 *   delivery with its old number after later ones have arrived, so "not greater" is no sign of
 *   a forgery; a notification names no file and only asks for an incremental pass, whose result
 *   does not depend on which notification asked (or how late); and ordering would cost the
 *   webhook function a read and a write of the channel state per notification, state that only
 *   the fetcher holds (./channels.ts);
 * - a channel whose `X-Goog-Channel-Expiration` is past (beyond 5 minutes of skew) is refused.
 *
 * `sync` (the first message of a channel) → 200, no hint. `change` → an incremental-sync hint:
 * Drive names no file, the run reads the change log. Anything else → 400.
 */
import { createHmac } from 'node:crypto';
import { HttpError } from '../../core/errors.ts';
import type { WebhookAnswer, WebhookRequest } from '../../ports/index.ts';
import { headerOf, verifyToken, WEBHOOK_TOLERANCE_SECONDS } from '../kit/webhook-verify.ts';

/** Replays of one message number are recognised for this long (Drive retries for about a day at most). */
const REPLAY_MEMORY_MS = 7 * 24 * 3_600_000;

/** Every channel id of a source starts with this. */
export function channelPrefix(sourceId: string): string {
  return `tributary-${sourceId}-`;
}

/** The channel token of `channelId`: only who holds the webhook secret can make it. */
export function channelToken(secret: string, channelId: string): string {
  return createHmac('sha256', secret).update(`gdrive-channel:${channelId}`).digest('base64url');
}

export function decodeGDriveWebhook(source: { readonly id: string }, request: WebhookRequest): WebhookAnswer {
  const channelId = headerOf(request.headers, 'x-goog-channel-id');
  if (!channelId) throw new HttpError(401, 'missing X-Goog-Channel-ID: not a Drive notification');
  verifyToken({
    given: headerOf(request.headers, 'x-goog-channel-token'), expected: channelToken(request.secret, channelId),
    header: 'X-Goog-Channel-Token', deliveryId: channelId,
  });
  if (!channelId.startsWith(channelPrefix(source.id))) throw new HttpError(401, `channel ${channelId} is not one of source "${source.id}"`);
  const resourceId = headerOf(request.headers, 'x-goog-resource-id');
  if (!resourceId) throw new HttpError(400, 'missing X-Goog-Resource-ID');
  const number = headerOf(request.headers, 'x-goog-message-number') ?? '';
  if (!/^[1-9]\d{0,18}$/.test(number)) throw new HttpError(400, 'X-Goog-Message-Number must be a positive integer');
  const expiration = Date.parse(headerOf(request.headers, 'x-goog-channel-expiration') ?? '');
  if (Number.isFinite(expiration) && expiration < request.nowMs - WEBHOOK_TOLERANCE_SECONDS * 1000) {
    throw new HttpError(401, `channel ${channelId} expired at ${new Date(expiration).toISOString()}: a replay of an old notification`);
  }
  const state = headerOf(request.headers, 'x-goog-resource-state');
  const delivery = { id: `${channelId}#${resourceId}#${number}`, ttlMs: REPLAY_MEMORY_MS, replay: { statusCode: 200, body: { ok: true, replay: true } } };
  if (state === 'sync') return { statusCode: 200, body: { ok: true, state }, delivery };
  if (state !== 'change') throw new HttpError(400, `X-Goog-Resource-State "${state ?? ''}" is not one a changes channel sends (sync, change)`);
  return { statusCode: 200, body: { ok: true, state }, hints: { sourceId: source.id, ids: [] }, delivery };
}
