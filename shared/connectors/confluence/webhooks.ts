/**
 * Confluence Data Center webhooks → Tributary hints
 * (https://confluence.atlassian.com/doc/managing-webhooks-1021225606.html). Confluence Cloud
 * has no signed admin webhooks (Connect apps get JWT-signed ones, Forge apps product events):
 * on Cloud the source polls and reconciles (docs/sources/confluence.md).
 *
 * - Signature: `X-Hub-Signature: sha256=<hex HMAC-SHA256(secret, raw body)>`, checked first
 *   over the exact bytes in constant time → else 401.
 * - Body `{timestamp (epoch ms), event, userKey, page: {id} | blog: {id}}`: malformed → 400.
 *   The timestamp is inside the signed body, so it bounds replays: outside ±5 minutes → 401.
 * - No delivery id is documented: the signature (one per body, and the body holds the
 *   timestamp) is the delivery id, remembered longer than the window; a repeat answers 200
 *   (a sender retrying until it gets a 2xx must get one) and publishes nothing.
 * - page_created / page_updated / page_restored / page_moved → a hint naming the page (a
 *   targeted run reads it, and a move or rename refreshes its descendants);
 *   page_trashed / page_removed → the same hint: the read finds it gone and deletes it. blog_*
 *   likewise when the source indexes blog posts. Other events → 200, ignored.
 */
import { HttpError } from '../../core/errors.ts';
import type { WebhookAnswer, WebhookRequest } from '../../ports/index.ts';
import { headerOf, verifyBodyHmac, WEBHOOK_TOLERANCE_SECONDS } from '../kit/webhook-verify.ts';

export const CONFLUENCE_SIGNATURE_HEADER = 'x-hub-signature';
export const PAGE_EVENTS = ['page_created', 'page_updated', 'page_trashed', 'page_restored', 'page_removed', 'page_moved'] as const;
export const BLOG_EVENTS = ['blog_created', 'blog_updated', 'blog_trashed', 'blog_restored', 'blog_removed'] as const;

const WINDOW_MS = WEBHOOK_TOLERANCE_SECONDS * 1000;
/** Longer than any accepted timestamp stays in the window, so a replay within it is always recognised. */
const REPLAY_MEMORY_MS = 2 * WINDOW_MS + 60_000;

/** Verifies a Confluence Data Center delivery and decodes it; throws HttpError (401 signature or stale, 400 malformed). */
export function decodeConfluenceWebhook(source: { readonly id: string; readonly includeBlogPosts: boolean }, request: WebhookRequest): WebhookAnswer {
  const verified = verifyBodyHmac({
    secret: request.secret, signature: headerOf(request.headers, CONFLUENCE_SIGNATURE_HEADER), body: request.rawBody,
    header: 'X-Hub-Signature', prefix: 'sha256=',
  });
  const payload = parseObject(request.body);
  const { event, timestamp } = payload;
  if (typeof event !== 'string' || event === '') throw new HttpError(400, '"event" must be a non-empty string (a Confluence webhook event such as page_updated)');
  if (typeof timestamp !== 'number' || !Number.isFinite(timestamp)) throw new HttpError(400, '"timestamp" must be a number (epoch milliseconds)');
  const skew = request.nowMs - timestamp;
  if (Math.abs(skew) > WINDOW_MS) {
    throw new HttpError(401, `signed timestamp is ${Math.round(Math.abs(skew) / 1000)} s ${skew > 0 ? 'old' : 'in the future'}, outside the ${WEBHOOK_TOLERANCE_SECONDS / 60}-minute window: a replay, or a sender clock that is off`);
  }
  const isPage = (PAGE_EVENTS as readonly string[]).includes(event);
  const isBlog = (BLOG_EVENTS as readonly string[]).includes(event);
  if (!isPage && !(isBlog && source.includeBlogPosts)) return { statusCode: 200, body: { ok: true, ignored: event } };
  const target = payload[isPage ? 'page' : 'blog'];
  const id = typeof target === 'object' && target !== null ? (target as Record<string, unknown>)['id'] : undefined;
  const contentId = typeof id === 'number' && Number.isSafeInteger(id) && id > 0 ? String(id) : typeof id === 'string' && /^\d{1,20}$/.test(id) ? id : undefined;
  if (contentId === undefined) throw new HttpError(400, `"${isPage ? 'page' : 'blog'}.id" must be a Confluence content id (a positive integer)`);
  return {
    statusCode: 200, body: { ok: true, ids: 1 }, hints: { sourceId: source.id, ids: [contentId] },
    delivery: {
      id: `sig:${verified.deliveryId}`, ttlMs: REPLAY_MEMORY_MS,
      replay: { statusCode: 200, body: { ok: true, duplicate: true } },
    },
  };
}

function parseObject(body: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new HttpError(400, 'body is not valid JSON (Confluence webhooks are JSON)');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new HttpError(400, 'body must be a JSON object');
  return parsed as Record<string, unknown>;
}
