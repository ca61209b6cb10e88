/**
 * Repository webhooks: payloads, headers, signing, delivery and manual redelivery.
 *
 * Sources:
 * - https://docs.github.com/webhooks/webhook-events-and-payloads — delivery headers
 *   `X-GitHub-Hook-ID`, `X-GitHub-Event`, `X-GitHub-Delivery` (a GUID), `X-Hub-Signature`
 *   (`sha1=` HMAC, legacy) and `X-Hub-Signature-256` (`sha256=` HMAC) only when a secret is set,
 *   `User-Agent: GitHub-Hookshot/<id>`, `X-GitHub-Hook-Installation-Target-Type` / `-ID`,
 *   `Content-Type: application/json`. Payloads: `push` (ref, before, after, created, deleted,
 *   forced, base_ref, compare, commits[] with added/removed/modified, head_commit, repository,
 *   pusher {name, email}, sender), `issues`, `issue_comment`, `pull_request`, `repository`,
 *   `ping` {zen, hook_id, hook}. In `push`, `repository.created_at`/`pushed_at` are epoch
 *   seconds and `repository.url` is the web URL; `repository.owner` has `name`/`email`
 *   (octokit/webhooks payload-examples/api.github.com/push/*.payload.json).
 * - https://docs.github.com/webhooks/using-webhooks/validating-webhook-deliveries — HMAC-SHA256
 *   of the raw body with the secret, hex, `sha256=` prefix; test vector secret "It's a Secret
 *   to Everybody", payload "Hello, World!" → `757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17`.
 * - https://docs.github.com/webhooks/using-webhooks/handling-failed-webhook-deliveries — GitHub
 *   does not redeliver failed deliveries automatically; you can redeliver manually (same
 *   `X-GitHub-Delivery` GUID). https://docs.github.com/webhooks/using-webhooks/best-practices-for-using-webhooks
 *   — respond within 10 seconds or the delivery counts as failed.
 * - Push payloads list at most 2048 commits (https://docs.github.com/webhooks/webhook-events-and-payloads#push).
 */

import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Shapes, Json } from './shapes.ts';
import { WEB } from './shapes.ts';
import type { Repo, World, WorldEvent } from './world.ts';
import { ZERO_SHA } from './world.ts';

export type WebhookEventName = 'push' | 'issues' | 'issue_comment' | 'pull_request' | 'repository' | 'ping';

export interface WebhookRegistration {
  readonly url: string;
  readonly secret?: string;
  /** Events to deliver; '*' = all. @default ['push'] (GitHub's default for a new hook) */
  readonly events?: readonly (WebhookEventName | '*')[];
}

export interface Hook extends Required<Pick<WebhookRegistration, 'url'>> { readonly id: number; readonly repoId: number; readonly secret?: string; readonly events: readonly string[] }

export interface Delivery {
  readonly guid: string;
  readonly hookId: number;
  readonly event: WebhookEventName;
  readonly action?: string;
  readonly url: string;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly status: number | undefined;
  readonly ok: boolean;
  readonly error?: string;
  readonly redelivery: boolean;
  readonly at: number;
}

export const HOOKSHOT_UA = 'GitHub-Hookshot/044aadd';
const MAX_PUSH_COMMITS = 2048;

export const signSha256 = (secret: string, body: string | Buffer): string => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
export const signSha1 = (secret: string, body: string | Buffer): string => `sha1=${createHmac('sha1', secret).update(body).digest('hex')}`;

export function verifySha256(secret: string, body: string | Buffer, header: string | undefined): boolean {
  if (!header) return false;
  const expected = Buffer.from(signSha256(secret, body));
  const given = Buffer.from(header);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** POSTs `body` as GitHub would, signed with `hook.secret`. */
export async function postGitHubWebhook(
  hook: Pick<Hook, 'id' | 'url' | 'secret' | 'repoId'>, event: WebhookEventName, body: string, guid: string = randomUUID(), timeoutMs = 10_000,
): Promise<{ status: number | undefined; error?: string; headers: Record<string, string> }> {
  const headers: Record<string, string> = {
    'content-type': 'application/json', 'user-agent': HOOKSHOT_UA, 'x-github-event': event, 'x-github-delivery': guid,
    'x-github-hook-id': String(hook.id), 'x-github-hook-installation-target-type': 'repository', 'x-github-hook-installation-target-id': String(hook.repoId),
    ...(hook.secret ? { 'x-hub-signature': signSha1(hook.secret, body), 'x-hub-signature-256': signSha256(hook.secret, body) } : {}),
  };
  try {
    const response = await fetch(hook.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
    await response.arrayBuffer().catch(() => undefined);
    return { status: response.status, headers };
  } catch (error) {
    return { status: undefined, error: String(error), headers };
  }
}

export class WebhookHub {
  readonly hooks = new Map<number, Hook>();
  readonly deliveries: Delivery[] = [];
  private readonly pending = new Set<Promise<void>>();
  private nextHook = 400_000;

  constructor(private readonly world: World, private readonly shapes: () => Shapes, private readonly timeoutMs: number) {}

  register(repo: Repo, registration: WebhookRegistration): Hook {
    this.nextHook += 1;
    const hook: Hook = { id: this.nextHook, repoId: repo.id, url: registration.url, events: registration.events ?? ['push'], ...(registration.secret ? { secret: registration.secret } : {}) };
    this.hooks.set(hook.id, hook);
    const s = this.shapes();
    const config = { content_type: 'json', insecure_ssl: '0', url: hook.url };
    this.send(hook, 'ping', undefined, {
      zen: 'Keep it logically awesome.', hook_id: hook.id,
      hook: { type: 'Repository', id: hook.id, name: 'web', active: true, events: hook.events, config, updated_at: new Date(this.world.now()).toISOString(), created_at: new Date(this.world.now()).toISOString(), url: `${s.repoBase(repo)}/hooks/${hook.id}`, test_url: `${s.repoBase(repo)}/hooks/${hook.id}/test`, ping_url: `${s.repoBase(repo)}/hooks/${hook.id}/pings`, deliveries_url: `${s.repoBase(repo)}/hooks/${hook.id}/deliveries`, last_response: { code: null, status: 'unused', message: null } },
      repository: s.repo(repo), sender: s.user(repo.owner),
    });
    return hook;
  }

  /** Turns a world event into deliveries to every subscribed hook of its repository. */
  onEvent(event: WorldEvent): void {
    const hooks = [...this.hooks.values()].filter((h) => h.repoId === event.repo.id && (h.events.includes('*') || h.events.includes(event.kind)));
    if (hooks.length === 0) return;
    const payload = this.payload(event);
    for (const hook of hooks) this.send(hook, event.kind, 'action' in event ? event.action : undefined, payload);
  }

  /** Resends a delivery with its original GUID and body. */
  redeliver(guid: string): void {
    const original = this.deliveries.find((d) => d.guid === guid);
    const hook = original && this.hooks.get(original.hookId);
    if (!original || !hook) throw new Error(`no delivery ${guid}`);
    this.track(this.deliver(hook, original.event, original.action, original.body, guid, true));
  }

  /** Resolves when every delivery in flight has finished. */
  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private send(hook: Hook, event: WebhookEventName, action: string | undefined, payload: Json): void {
    this.track(this.deliver(hook, event, action, JSON.stringify(payload), randomUUID(), false));
  }

  private track(p: Promise<void>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  private async deliver(hook: Hook, event: WebhookEventName, action: string | undefined, body: string, guid: string, redelivery: boolean): Promise<void> {
    const at = this.world.now();
    const result = await postGitHubWebhook(hook, event, body, guid, this.timeoutMs);
    const ok = result.status !== undefined && result.status >= 200 && result.status < 300;
    this.deliveries.push({
      guid, hookId: hook.id, event, ...(action ? { action } : {}), url: hook.url, body, headers: result.headers, status: result.status, ok,
      ...(result.error ? { error: result.error } : {}), redelivery, at,
    });
  }

  private payload(event: WorldEvent): Json {
    const s = this.shapes();
    const repository = s.repo(event.repo);
    switch (event.kind) {
      case 'push': return this.pushPayload(event, repository);
      case 'issues': return { action: event.action, issue: s.issue(event.issue), ...event.extra, ...this.issueExtras(event.extra), repository, sender: s.user(event.sender) };
      case 'pull_request': return { action: event.action, number: event.issue.number, pull_request: s.pull(event.issue), ...event.extra, repository, sender: s.user(event.sender) };
      case 'issue_comment': return { action: event.action, issue: s.issue(event.issue), comment: s.comment(event.comment), ...event.extra, repository, sender: s.user(event.sender) };
      case 'repository': return { action: event.action, ...event.extra, repository, sender: s.user(event.sender) };
    }
  }

  /** `changes.new_issue` / `new_repository` are objects, not world records, in the payload. */
  private issueExtras(extra: Record<string, unknown> | undefined): Json {
    const changes = extra?.['changes'] as Record<string, unknown> | undefined;
    if (!changes || !('new_issue' in changes)) return {};
    const s = this.shapes();
    return { changes: { new_issue: s.issue(changes['new_issue'] as never), new_repository: s.repo(changes['new_repository'] as never) } };
  }

  private pushPayload(event: Extract<WorldEvent, { kind: 'push' }>, repository: Json): Json {
    const { repo } = event;
    const full = this.world.fullName(repo);
    const store = repo.store;
    const commitJson = (sha: string): Json => {
      const c = store.commits.get(sha)!;
      const parent = c.parents[0] ? store.commits.get(c.parents[0]) : undefined;
      const before = parent ? store.flatten(parent.tree) : new Map<string, string>();
      const after = store.flatten(c.tree);
      const person = { name: c.author.name, email: c.author.email, username: [...this.world.accounts.values()].find((a) => a.email === c.author.email)?.login };
      return {
        id: sha, tree_id: c.tree, distinct: true, message: c.message, timestamp: new Date(Math.floor(c.author.at / 1000) * 1000).toISOString().replace('.000Z', 'Z'),
        url: `${WEB}/${full}/commit/${sha}`, author: person, committer: person,
        added: [...after.keys()].filter((p) => !before.has(p)), removed: [...before.keys()].filter((p) => !after.has(p)),
        modified: [...after.keys()].filter((p) => before.has(p) && before.get(p) !== after.get(p)),
      };
    };
    const created = event.before === ZERO_SHA;
    const deleted = event.after === ZERO_SHA;
    const commits = event.commits.slice(-MAX_PUSH_COMMITS).map(commitJson);
    const pushRepo = {
      ...repository, url: `${WEB}/${full}`, created_at: Math.floor(repo.createdAt / 1000), pushed_at: Math.floor(repo.pushedAt / 1000),
      owner: { name: repo.owner.login, email: repo.owner.email, ...(repository['owner'] as Json) }, stargazers: 0, master_branch: repo.defaultBranch,
    };
    return {
      ref: event.ref, before: event.before, after: event.after, repository: pushRepo,
      pusher: { name: event.pusher.login, email: event.pusher.email }, sender: this.shapes().user(event.pusher),
      created, deleted, forced: event.forced, base_ref: null,
      compare: created ? `${WEB}/${full}/commit/${event.after}` : `${WEB}/${full}/compare/${event.before.slice(0, 12)}...${event.after.slice(0, 12)}`,
      commits, head_commit: deleted ? null : commitJson(event.after),
    };
  }
}
