/**
 * GitHub repository (or organisation / App) webhooks → Tributary hints
 * (https://docs.github.com/webhooks/webhook-events-and-payloads). Pure, no API call: GitHub
 * marks a delivery failed without an answer within 10 seconds, so the webhook verifies and
 * names what to read; the fetcher reads it.
 *
 * - Signature: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, raw body)>`, compared in
 *   constant time (https://docs.github.com/webhooks/using-webhooks/validating-webhook-deliveries);
 *   missing or wrong → 401, before anything else is looked at.
 * - `X-GitHub-Event` and `X-GitHub-Delivery` (a GUID) required, the body a JSON object → else 400.
 *   The GUID is the replay key: GitHub's manual redelivery reuses it, and there is no signed
 *   timestamp, so it is remembered for 4 days (deliveries can be redelivered for 3).
 * - `ping` → 200. `push` to the indexed branch (the configured one, else the repository's
 *   default) → a hint to run the incremental pass (compare stays the source of truth: push
 *   payloads cap their commit lists); other refs → 200, ignored.
 * - `issues`, `issue_comment`, `pull_request` (with issues enabled) → the issue's id as a hint.
 * - A repository the source does not index, or another event → 200, ignored.
 */
import { HttpError } from '../../core/errors.ts';
import type { WebhookAnswer, WebhookRequest } from '../../ports/index.ts';
import { headerOf, verifyBodyHmac } from '../kit/webhook-verify.ts';
import type { GitHubSourceConfig } from './config.ts';
import { repoKey } from './cursor.ts';
import { issueId } from './issue-document.ts';

export const GITHUB_SIGNATURE_HEADER = 'x-hub-signature-256';
/** GitHub lets a delivery be redelivered for 3 days; the replay memory outlasts that. */
export const DELIVERY_MEMORY_MS = 4 * 24 * 3_600_000;
const GUID = /^[0-9A-Za-z-]{8,64}$/;

type Source = Pick<GitHubSourceConfig, 'id' | 'repositories' | 'issues'>;

export function decodeGitHubWebhook(source: Source, request: WebhookRequest): WebhookAnswer {
  verifyBodyHmac({
    secret: request.secret, signature: headerOf(request.headers, GITHUB_SIGNATURE_HEADER), body: request.rawBody,
    header: 'X-Hub-Signature-256', prefix: 'sha256=',
  });
  const event = headerOf(request.headers, 'x-github-event');
  const guid = headerOf(request.headers, 'x-github-delivery');
  if (!event) throw new HttpError(400, 'missing X-GitHub-Event header');
  if (!guid || !GUID.test(guid)) throw new HttpError(400, 'missing or malformed X-GitHub-Delivery header');
  const payload = parseObject(request.body);
  const delivery = { id: `gh:${guid}`, ttlMs: DELIVERY_MEMORY_MS, replay: { statusCode: 200, body: { ok: true, duplicate: true } } };
  const ignored = (why: string): WebhookAnswer => ({ statusCode: 200, body: { ok: true, ignored: why }, delivery });
  if (event === 'ping') return { statusCode: 200, body: { ok: true, pong: true }, delivery };

  const repository = payload['repository'];
  const fullName = typeof repository === 'object' && repository !== null ? (repository as { full_name?: unknown }).full_name : undefined;
  if (typeof fullName !== 'string' || !fullName.includes('/')) throw new HttpError(400, '"repository.full_name" must name the repository');
  const cfg = source.repositories.find((r) => repoKey(r) === fullName.toLowerCase());
  if (!cfg) return ignored(`repository ${fullName} is not indexed by this source`);
  const full = `${cfg.owner}/${cfg.repo}`;

  if (event === 'push') {
    const ref = payload['ref'];
    if (typeof ref !== 'string') throw new HttpError(400, '"ref" must be a string (push)');
    const defaultBranch = (repository as { default_branch?: unknown; master_branch?: unknown }).default_branch;
    const branch = cfg.branch ?? (typeof defaultBranch === 'string' ? defaultBranch : undefined);
    if (branch !== undefined && ref !== `refs/heads/${branch}`) return ignored(`push to ${ref}, not the indexed branch`);
    return { statusCode: 200, body: { ok: true, sync: true }, hints: { sourceId: source.id, ids: [] }, delivery };
  }
  if (event === 'issues' || event === 'issue_comment' || event === 'pull_request') {
    if (!source.issues.enabled) return ignored('issues are not indexed by this source');
    if (event === 'pull_request' && !source.issues.includePullRequests) return ignored('pull requests are not indexed by this source');
    const item = payload[event === 'pull_request' ? 'pull_request' : 'issue'];
    const num = typeof item === 'object' && item !== null ? (item as { number?: unknown }).number : undefined;
    if (typeof num !== 'number' || !Number.isInteger(num) || num < 1) throw new HttpError(400, `"${event === 'pull_request' ? 'pull_request' : 'issue'}.number" must be a positive integer`);
    return { statusCode: 200, body: { ok: true, ids: 1 }, hints: { sourceId: source.id, ids: [issueId(full, num)] }, delivery };
  }
  return ignored(`event ${event} is not used`);
}

function parseObject(body: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new HttpError(400, 'body is not valid JSON: set the webhook\'s content type to application/json');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new HttpError(400, 'body must be a JSON object');
  return parsed as Record<string, unknown>;
}
