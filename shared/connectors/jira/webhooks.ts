/**
 * Jira Cloud admin webhooks → Tributary hints
 * (https://developer.atlassian.com/cloud/jira/platform/webhooks/). Pure: no API call, no token.
 *
 * - Signature: a webhook registered with a secret sends `X-Hub-Signature: sha256=<hex
 *   HMAC-SHA256(secret, raw body)>` → checked first, over the raw bytes; missing or wrong → 401.
 * - Dedupe: `X-Atlassian-Webhook-Identifier` is the same on every retry of a delivery (Jira
 *   retries for up to about 30 minutes): a repeat within 2 hours is answered 200 and publishes
 *   nothing. Without the header, the signature (over the body) stands in.
 * - Body: JSON with `webhookEvent`; malformed → 400, before anything is published.
 * - `jira:issue_created|updated|deleted`, `comment_created|updated|deleted` → a hint naming the
 *   issue id (the fetcher reads it; a deleted or out-of-scope issue is absent and leaves the
 *   index). An update whose changelog renames the issue or gives it a new key (a move) → a
 *   hint for an incremental sync instead: the pass reads the issue and refreshes its children,
 *   whose text names it.
 * - `worklog_*` events belong to the Tempo source: 200, ignored. Other events: 200, ignored.
 * - Webhook payloads carry no scope: a hint for an issue outside `projects`/`jql` costs one
 *   search that finds nothing.
 */
import { HttpError } from '../../core/errors.ts';
import type { WebhookAnswer, WebhookRequest } from '../../ports/index.ts';
import { headerOf, verifyBodyHmac } from '../kit/webhook-verify.ts';

export const JIRA_SIGNATURE_HEADER = 'x-hub-signature';
export const JIRA_IDENTIFIER_HEADER = 'x-atlassian-webhook-identifier';

/** Longer than Jira's retries of one delivery (about 30 minutes). */
const REPLAY_MEMORY_MS = 2 * 3_600_000;
const ISSUE_EVENTS = new Set(['jira:issue_created', 'jira:issue_updated', 'jira:issue_deleted']);
const COMMENT_EVENTS = new Set(['comment_created', 'comment_updated', 'comment_deleted']);
/** Changelog fields whose change alters the children's text (their parent line). */
const PARENT_FIELDS = new Set(['summary', 'issuekey', 'key', 'project']);

/** Verifies a Jira delivery and decodes it; throws HttpError (401 signature, 400 malformed). */
export function decodeJiraWebhook(source: { readonly id: string }, request: WebhookRequest): WebhookAnswer {
  const verified = verifyBodyHmac({
    secret: request.secret, signature: headerOf(request.headers, JIRA_SIGNATURE_HEADER), body: request.rawBody,
    header: 'X-Hub-Signature', prefix: 'sha256=',
  });
  const payload = parseObject(request.body);
  const event = payload['webhookEvent'];
  if (typeof event !== 'string' || event === '') throw new HttpError(400, '"webhookEvent" must be a non-empty string (a Jira webhook payload)');
  const identifier = headerOf(request.headers, JIRA_IDENTIFIER_HEADER);
  const delivery = {
    id: identifier ? `jira:${identifier}` : `sig:${verified.deliveryId}`, ttlMs: REPLAY_MEMORY_MS,
    replay: { statusCode: 200, body: { ok: true, replay: true } },
  };
  if (!ISSUE_EVENTS.has(event) && !COMMENT_EVENTS.has(event)) return { statusCode: 200, body: { ok: true, ignored: event } };
  const issue = payload['issue'];
  const id = typeof issue === 'object' && issue !== null ? (issue as Record<string, unknown>)['id'] : undefined;
  if (typeof id !== 'string' || !/^\d{1,19}$/.test(id)) throw new HttpError(400, `"issue.id" must be a numeric issue id in a ${event} event`);
  if (event === 'jira:issue_updated' && changesParentText(payload['changelog'])) {
    return { statusCode: 200, body: { ok: true, sync: true }, hints: { sourceId: source.id, ids: [] }, delivery };
  }
  return { statusCode: 200, body: { ok: true, ids: 1 }, hints: { sourceId: source.id, ids: [id] }, delivery };
}

function changesParentText(changelog: unknown): boolean {
  if (typeof changelog !== 'object' || changelog === null) return false;
  const items = (changelog as { items?: unknown }).items;
  if (!Array.isArray(items)) return false;
  return items.some((item) => {
    const entry = item as { field?: unknown; fieldId?: unknown } | null;
    const name = typeof entry?.fieldId === 'string' ? entry.fieldId : typeof entry?.field === 'string' ? entry.field.toLowerCase() : '';
    return PARENT_FIELDS.has(name);
  });
}

function parseObject(body: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new HttpError(400, 'body is not valid JSON (Jira webhooks are JSON)');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new HttpError(400, 'body must be a JSON object');
  return parsed as Record<string, unknown>;
}
