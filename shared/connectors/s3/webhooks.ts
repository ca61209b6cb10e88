/**
 * `POST /webhooks/<id>` for an s3 source with `"events": "webhook"`: S3 events POSTed by an
 * EventBridge API destination (its connection's API-key auth: header `Authorization`, value
 * `Bearer <secret>`) or by MinIO's webhook target (`auth_token`). Neither signs the body, so
 * the check is the shared token, compared in constant time; anything else is 401, checked
 * before the source's events are even parsed. Pure: no S3 call.
 *
 * - Malformed (not JSON, not an S3 event) → 400; nothing is published.
 * - Events of other buckets, prefixes or unselected keys → 200, ignored.
 * - Replay memory by the EventBridge event id (EventBridge retries a delivery for up to 24 h
 *   and is at-least-once): a repeat is answered 200 and publishes nothing. A Records
 *   notification has no id: its body's digest stands in.
 */
import { createHash } from 'node:crypto';
import { HttpError } from '../../core/errors.ts';
import type { WebhookAnswer, WebhookRequest } from '../../ports/index.ts';
import { headerOf, verifyToken } from '../kit/webhook-verify.ts';
import { decodeS3Events, MalformedEventError } from './events.ts';
import type { KeySpace } from './keys.ts';

/** Longer than EventBridge's 24-hour retry window. */
const REPLAY_MEMORY_MS = 25 * 3_600_000;

export function decodeS3Webhook(source: { readonly id: string; readonly bucket: string; readonly keys: KeySpace }, request: WebhookRequest): WebhookAnswer {
  const given = headerOf(request.headers, 'authorization');
  verifyToken({ header: 'Authorization', given: given?.replace(/^Bearer\s+/i, ''), expected: request.secret, deliveryId: '' });
  let body: unknown;
  try {
    body = JSON.parse(request.body);
  } catch {
    throw new HttpError(400, 'body is not valid JSON (S3 events are JSON)');
  }
  let decoded;
  try {
    decoded = decodeS3Events(body, source);
  } catch (error) {
    if (error instanceof MalformedEventError) throw new HttpError(400, error.message);
    throw error;
  }
  if (decoded.ids.length === 0) return { statusCode: 200, body: { ok: true, ids: 0, ignored: decoded.ignored } };
  const id = decoded.deliveryId !== undefined ? `event:${decoded.deliveryId}` : `body:${createHash('sha256').update(request.rawBody).digest('hex')}`;
  return {
    statusCode: 200, body: { ok: true, ids: decoded.ids.length, ignored: decoded.ignored },
    hints: { sourceId: source.id, ids: decoded.ids },
    delivery: { id, ttlMs: REPLAY_MEMORY_MS, replay: { statusCode: 200, body: { ok: true, duplicate: true } } },
  };
}
