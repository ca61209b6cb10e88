/**
 * Fireflies Webhooks V2 → Tributary hints (https://docs.fireflies.ai/graphql-api/webhooks-v2).
 * Pure and fast, no API call: Fireflies marks a delivery failed without a 2xx within 10
 * seconds, so the webhook only verifies and names the meeting; the fetcher reads it.
 *
 * - Signature: `X-Hub-Signature: sha256=<hex HMAC-SHA256(signing secret, raw body)>` → else 401.
 * - Body `{event, timestamp (epoch ms), meeting_id, client_reference_id?}`: malformed → 400.
 *   The timestamp is inside the signed body, so it bounds replays: outside ±5 minutes → 401; a
 *   body accepted before is answered 409 (the replay memory outlives the window).
 * - `meeting.transcribed` → a hint naming `meeting_id` (a targeted run reads that transcript).
 *   Other events (`meeting.summarized`, `meeting.bot_joined`) → 200, ignored: the summary is not
 *   indexed, and a joined bot has no transcript yet.
 * - A V1 payload (`{meetingId, eventType}`) carries no timestamp, so nothing bounds its replay:
 *   400, naming the fix (register the webhook as V2).
 */
import { HttpError } from '../../core/errors.ts';
import type { WebhookAnswer, WebhookRequest } from '../../ports/index.ts';
import { headerOf, verifyBodyHmac, WEBHOOK_TOLERANCE_SECONDS } from '../kit/webhook-verify.ts';

export const FIREFLIES_SIGNATURE_HEADER = 'x-hub-signature';
export const TRANSCRIBED = 'meeting.transcribed';

/** Signed timestamps this far either side of now are accepted. */
const WINDOW_MS = WEBHOOK_TOLERANCE_SECONDS * 1000;
/** Longer than any accepted timestamp stays in the window, so a replay within it is always recognised. */
const REPLAY_MEMORY_MS = 2 * WINDOW_MS + 60_000;
const MEETING_ID = /^[A-Za-z0-9_-]{1,128}$/;

/** Verifies a Fireflies delivery and decodes it; throws HttpError (401 signature or stale, 400 malformed). */
export function decodeFirefliesWebhook(source: { readonly id: string }, request: WebhookRequest): WebhookAnswer {
  const verified = verifyBodyHmac({
    secret: request.secret, signature: headerOf(request.headers, FIREFLIES_SIGNATURE_HEADER), body: request.rawBody,
    header: 'X-Hub-Signature', prefix: 'sha256=',
  });
  const payload = parseObject(request.body);
  if (payload['event'] === undefined && (payload['eventType'] !== undefined || payload['meetingId'] !== undefined)) {
    throw new HttpError(400, 'a Webhooks V1 payload has no signed timestamp to bound replays: register the webhook as V2 (event meeting.transcribed) in Fireflies\' developer settings');
  }
  const { event, timestamp, meeting_id: meetingId } = payload;
  if (typeof event !== 'string' || event === '') throw new HttpError(400, '"event" must be a non-empty string (Webhooks V2)');
  if (typeof timestamp !== 'number' || !Number.isFinite(timestamp)) throw new HttpError(400, '"timestamp" must be a number (epoch milliseconds)');
  const skew = request.nowMs - timestamp;
  if (Math.abs(skew) > WINDOW_MS) {
    throw new HttpError(401, `signed timestamp is ${Math.round(Math.abs(skew) / 1000)} s ${skew > 0 ? 'old' : 'in the future'}, outside the ${WEBHOOK_TOLERANCE_SECONDS / 60}-minute window: a replay, or a sender clock that is off`);
  }
  if (event !== TRANSCRIBED) return { statusCode: 200, body: { ok: true, ignored: event } };
  if (typeof meetingId !== 'string' || !MEETING_ID.test(meetingId)) throw new HttpError(400, '"meeting_id" must be a Fireflies transcript id');
  return {
    statusCode: 200, body: { ok: true, ids: 1 }, hints: { sourceId: source.id, ids: [meetingId] },
    delivery: {
      // The signature covers the body and its timestamp: one delivery, one signature.
      id: `sig:${verified.deliveryId}`, ttlMs: REPLAY_MEMORY_MS,
      replay: { statusCode: 409, body: { error: 'this signed delivery was already accepted: a replay' } },
    },
  };
}

function parseObject(body: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new HttpError(400, 'body is not valid JSON (Fireflies webhooks are JSON)');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new HttpError(400, 'body must be a JSON object');
  return parsed as Record<string, unknown>;
}
