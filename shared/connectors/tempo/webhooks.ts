/**
 * Tempo webhooks → Tributary hints (https://apidocs.tempo.io/, "Using Tempo Webhooks").
 * Pure, no API call: verify, name the worklog; the fetcher reads it.
 *
 * - Handshake: a new subscription stays inactive until Tempo's `GET <url>?randomString=<…>` is
 *   answered 200 `text/plain` with that string: {@link answerTempoHandshake}.
 * - Signature: `Tempo-Signature` = hex HMAC-SHA256(subscription's sharedSecret, raw body bytes +
 *   `Tempo-Timestamp`). Each subscription (one per event) has its own sharedSecret, so the
 *   source's `webhook.secretEnv` may hold several, separated by whitespace or commas; any one
 *   verifying is enough (constant-time compares). Failing → 401, before the body is looked at.
 * - Replays: the signed `Tempo-Timestamp` must lie within {@link REPLAY_WINDOW_MS} of now. That
 *   window is hours, not minutes: Tempo retries a failed delivery up to ten times 5–15 minutes
 *   apart, and whether a retry is signed anew is not documented. Within it a delivery is accepted
 *   once, by its `eventId` (inside the signed body); a repeat is answered 200 so Tempo stops
 *   retrying, and publishes nothing.
 * - `worklog.created|updated|deleted` → a hint naming `worklog:<tempoWorklogId>` (the targeted run
 *   reads it; a deleted one is gone from `GET /4/worklogs/{id}`, so its vectors are deleted). Other
 *   events → 200, ignored. A body that is not such an envelope → 400.
 */
import { sha256 } from '../../core/ids.ts';
import { HttpError } from '../../core/errors.ts';
import type { WebhookAnswer, WebhookGetAnswer, WebhookGetRequest, WebhookRequest } from '../../ports/index.ts';
import { concatBytes, constantTimeEqual, headerOf, hmacOf } from '../kit/webhook-verify.ts';
import { docIdOf } from './worklog-document.ts';

export const WORKLOG_EVENTS = ['worklog.created', 'worklog.updated', 'worklog.deleted'] as const;
/** Signed timestamps this far either side of now are accepted (ten retries, 15 minutes apart at most, plus margin). */
export const REPLAY_WINDOW_MS = 3 * 3_600_000;
const REPLAY_MEMORY_MS = 2 * REPLAY_WINDOW_MS + 60_000;
/** What Tempo sends as `randomString` (it documents no alphabet; its strings are URL-safe). */
const CHALLENGE = /^[A-Za-z0-9._~+/=-]{1,256}$/;

/** The subscription handshake: echo `randomString` as text/plain. */
export function answerTempoHandshake(request: WebhookGetRequest): WebhookGetAnswer {
  const challenge = request.query['randomString'];
  if (challenge === undefined || !CHALLENGE.test(challenge)) {
    throw new HttpError(400, 'expected Tempo\'s subscription check: GET with a randomString query parameter (1-256 URL-safe characters)');
  }
  return { statusCode: 200, contentType: 'text/plain; charset=utf-8', body: challenge };
}

/** Verifies a Tempo delivery and decodes it; throws HttpError (401 signature or stale timestamp, 400 malformed). */
export function decodeTempoWebhook(source: { readonly id: string }, request: WebhookRequest): WebhookAnswer {
  const signature = headerOf(request.headers, 'tempo-signature')?.trim().toLowerCase();
  const timestamp = headerOf(request.headers, 'tempo-timestamp')?.trim();
  if (!signature || !timestamp) throw new HttpError(401, 'missing Tempo-Signature or Tempo-Timestamp header');
  const signed = concatBytes(request.rawBody, timestamp);
  const secrets = request.secret.split(/[\s,]+/).filter(Boolean);
  if (!secrets.some((secret) => constantTimeEqual(hmacOf(secret, signed), signature))) {
    throw new HttpError(401, 'Tempo-Signature does not verify with any shared secret in the source\'s webhook.secretEnv');
  }
  const at = Date.parse(timestamp);
  if (Number.isNaN(at)) throw new HttpError(401, 'Tempo-Timestamp is not an ISO-8601 time');
  const skew = request.nowMs - at;
  if (Math.abs(skew) > REPLAY_WINDOW_MS) {
    throw new HttpError(401, `signed Tempo-Timestamp is ${Math.round(Math.abs(skew) / 60_000)} minutes ${skew > 0 ? 'old' : 'in the future'}, outside the ${REPLAY_WINDOW_MS / 3_600_000}-hour window: a replay, or a sender clock that is off`);
  }
  const envelope = parseEnvelope(request.body);
  if (!(WORKLOG_EVENTS as readonly string[]).includes(envelope.eventType)) return { statusCode: 200, body: { ok: true, ignored: envelope.eventType } };
  const id = envelope.worklogId;
  if (id === undefined) throw new HttpError(400, '"payload.tempoWorklogId" must be a worklog id (a positive integer)');
  return {
    statusCode: 200, body: { ok: true, ids: 1 }, hints: { sourceId: source.id, ids: [docIdOf(id)] },
    delivery: {
      id: envelope.eventId !== undefined ? `event:${envelope.eventId}` : `body:${sha256(`${timestamp}\n${request.body}`)}`,
      ttlMs: REPLAY_MEMORY_MS,
      replay: { statusCode: 200, body: { ok: true, replay: true } },
    },
  };
}

function parseEnvelope(body: string): { eventType: string; eventId?: string; worklogId?: number } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new HttpError(400, 'body is not valid JSON (Tempo webhooks are JSON)');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new HttpError(400, 'body must be a JSON object');
  const { eventType, eventId, payload } = parsed as Record<string, unknown>;
  if (typeof eventType !== 'string' || eventType === '') throw new HttpError(400, '"eventType" must be a non-empty string');
  const raw = payload && typeof payload === 'object' ? (payload as Record<string, unknown>)['tempoWorklogId'] : undefined;
  const worklogId = typeof raw === 'number' && Number.isSafeInteger(raw) && raw > 0 ? raw
    : typeof raw === 'string' && /^\d{1,15}$/.test(raw) ? Number(raw) : undefined;
  return {
    eventType,
    ...(typeof eventId === 'string' && eventId !== '' && eventId.length <= 200 ? { eventId } : {}),
    ...(worklogId !== undefined ? { worklogId } : {}),
  };
}
