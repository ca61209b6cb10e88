/**
 * Notion integration webhooks → Tributary hints (https://developers.notion.com/reference/webhooks).
 * Pure, no API call; the webhook function stores and reads the verification token.
 *
 * - The one-time verification request `{"verification_token": "secret_…"}` (unsigned) → 200 and
 *   `storeSecret`: the route keeps the token in the credential store (when the source has
 *   `webhookSubscription` and no `webhook.secretEnv`) and logs it: paste it into Notion's
 *   "Verify subscription" dialog to activate the subscription.
 * - Every event: `X-Notion-Signature: sha256=<hex HMAC-SHA256(verification_token, raw body)>`
 *   → else 401 (also while no token is stored yet). No timestamp is signed: events are
 *   deduplicated by their `id` for longer than Notion retries (≈ 24 h).
 * - Malformed → 400. `page.*` events → the page id (a targeted run reads it); block-level
 *   content changes arrive as `page.content_updated` of their page. `page.moved` and
 *   `page.properties_updated` (a rename) → an incremental sync, whose pass refreshes the
 *   descendants of a renamed or moved page. `database.*`/`data_source.*` → an incremental sync
 *   (rows are found by the data-source query). `comment.*` and others → 200, ignored.
 */
import { HttpError } from '../../core/errors.ts';
import type { WebhookAnswer, WebhookRequest } from '../../ports/index.ts';
import { headerOf, verifyBodyHmac } from '../kit/webhook-verify.ts';
import { dashed, isNotionId } from './config.ts';

export const NOTION_SIGNATURE_HEADER = 'x-notion-signature';
/** Notion retries a failed delivery for about 24 hours; ids are kept longer. */
export const DELIVERY_MEMORY_MS = 26 * 3_600_000;
const BY_ID = new Set(['page.created', 'page.content_updated', 'page.deleted', 'page.undeleted', 'page.locked', 'page.unlocked']);
const BY_PASS = new Set(['page.moved', 'page.properties_updated']);

export function decodeNotionWebhook(source: { readonly id: string }, request: WebhookRequest): WebhookAnswer {
  const payload = parseObject(request.body);
  const token = payload['verification_token'];
  if (typeof token === 'string' && payload['type'] === undefined) {
    if (!/^secret_[A-Za-z0-9_-]{10,200}$/.test(token)) throw new HttpError(400, '"verification_token" is not a Notion verification token');
    return { statusCode: 200, body: { ok: true, verification: 'received' }, storeSecret: { value: token } };
  }
  if (request.secret === '') throw new HttpError(401, 'no Notion verification token is stored for this source yet: create the subscription so Notion sends its verification request first');
  verifyBodyHmac({ secret: request.secret, signature: headerOf(request.headers, NOTION_SIGNATURE_HEADER), body: request.rawBody, header: 'X-Notion-Signature', prefix: 'sha256=' });
  const { id, type, entity } = payload;
  if (typeof id !== 'string' || id === '') throw new HttpError(400, '"id" must be the event id');
  if (typeof type !== 'string' || type === '') throw new HttpError(400, '"type" must be the event type');
  const entityId = typeof entity === 'object' && entity !== null ? (entity as Record<string, unknown>)['id'] : undefined;
  if (typeof entityId !== 'string' || !isNotionId(entityId)) throw new HttpError(400, '"entity.id" must be a Notion id');
  const delivery = { id: `event:${id}`, ttlMs: DELIVERY_MEMORY_MS, replay: { statusCode: 200, body: { ok: true, replay: true } } };
  if (BY_ID.has(type)) return { statusCode: 200, body: { ok: true, ids: 1 }, hints: { sourceId: source.id, ids: [dashed(entityId)] }, delivery };
  if (BY_PASS.has(type) || type.startsWith('database.') || type.startsWith('data_source.')) {
    return { statusCode: 200, body: { ok: true, sync: true }, hints: { sourceId: source.id, ids: [] }, delivery };
  }
  return { statusCode: 200, body: { ok: true, ignored: type } };
}

function parseObject(body: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new HttpError(400, 'body is not valid JSON (Notion webhooks are JSON)');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new HttpError(400, 'body must be a JSON object');
  return parsed as Record<string, unknown>;
}
