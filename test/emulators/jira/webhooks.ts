/**
 * Admin webhooks: payloads, signing, delivery with retries.
 *
 * Sources:
 * - https://developer.atlassian.com/cloud/jira/platform/webhooks/ — events jira:issue_created /
 *   jira:issue_updated / jira:issue_deleted, comment_created / comment_updated /
 *   comment_deleted, worklog_created / worklog_updated / worklog_deleted; the issue payload
 *   `{timestamp, webhookEvent, issue_event_type_name, user, issue, changelog?, comment?}`
 *   (issue_event_type_name: issue_created, issue_updated, issue_generic (status transitions),
 *   issue_moved, issue_deleted, issue_commented, issue_comment_edited, issue_comment_deleted,
 *   issue_work_logged, issue_worklog_updated, issue_worklog_deleted); comment events carry
 *   `{timestamp, webhookEvent, comment, issue}` (issue with a reduced field set) and worklog
 *   events `{timestamp, webhookEvent, worklog}`.
 * - Secure admin webhooks (same page, "Secure admin webhooks"): a registered `secret` makes Jira
 *   send `X-Hub-Signature: sha256=<hex HMAC-SHA256(secret, raw body)>` (WebSub's
 *   method=signature); Atlassian's test vector is secret "It's a Secret to Everybody", body
 *   "Hello World!" → sha256=a4771c39fbe90f317c7824e83ddef3caae9cb3d976c214ace1f2937e133263c9.
 * - Retry policy (same page, "Retry policy"; announcement at
 *   https://community.developer.atlassian.com/t/new-jira-cloud-webhook-retry-policy/30554):
 *   retried on 408, 409, 425, 429, 5xx and connection failures/timeouts, up to 5 times over
 *   ~30 minutes (delays shortened here by `retryDelayMs`); `X-Atlassian-Webhook-Identifier` is
 *   unique per delivery and the same on every retry; retries carry `X-Atlassian-Webhook-Retry:
 *   <count>`; `X-Atlassian-Webhook-Flow: Primary` (Secondary for cascades such as the
 *   comment_deleted that accompany jira:issue_deleted).
 */

import { createHmac, timingSafeEqual } from 'node:crypto';
import { issueBean, userDetails, worklog as worklogShape, comment as commentShape, type Json, type View } from './shapes.ts';
import type { JiraUser, SiteEvent } from './site.ts';

export type WebhookEvent =
  | 'jira:issue_created' | 'jira:issue_updated' | 'jira:issue_deleted' | 'comment_created' | 'comment_updated' | 'comment_deleted'
  | 'worklog_created' | 'worklog_updated' | 'worklog_deleted';

export interface WebhookRegistration {
  readonly url: string;
  readonly events: readonly WebhookEvent[];
  readonly secret?: string;
  readonly name?: string;
}

export interface FiredDelivery {
  readonly identifier: string;
  readonly url: string;
  readonly event: WebhookEvent;
  readonly body: string;
  readonly attempts: readonly { readonly status: number | undefined; readonly headers: Readonly<Record<string, string>>; readonly error?: string }[];
  readonly ok: boolean;
}

/** `sha256=<hex>` as Jira puts it in X-Hub-Signature. */
export function signJiraBody(body: string | Uint8Array, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export function verifyJiraSignature(body: string | Uint8Array, header: string | undefined, secret: string): boolean {
  if (!header) return false;
  const expected = Buffer.from(signJiraBody(body, secret));
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const RETRIED = (status: number | undefined): boolean => status === undefined || [408, 409, 425, 429].includes(status) || status >= 500;

/** POSTs a body the way Jira does; for replays and forged deliveries in tests. */
export async function postJiraWebhook(url: string, body: string | Json, options: { secret?: string; identifier?: string; retry?: number; flow?: 'Primary' | 'Secondary'; timeoutMs?: number } = {}): Promise<{ status: number | undefined; headers: Record<string, string>; error?: string }> {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const headers: Record<string, string> = {
    'content-type': 'application/json; charset=utf-8', 'user-agent': 'Atlassian Webhook HTTP Client',
    'x-atlassian-webhook-identifier': options.identifier ?? String(Date.now()), 'x-atlassian-webhook-flow': options.flow ?? 'Primary',
    ...(options.retry ? { 'x-atlassian-webhook-retry': String(options.retry) } : {}),
    ...(options.secret !== undefined ? { 'x-hub-signature': signJiraBody(raw, options.secret) } : {}),
  };
  try {
    const response = await fetch(url, { method: 'POST', body: raw, headers, signal: AbortSignal.timeout(options.timeoutMs ?? 20_000) });
    await response.arrayBuffer();
    return { status: response.status, headers };
  } catch (error) {
    return { status: undefined, headers, error: error instanceof Error ? error.message : String(error) };
  }
}

const EVENT_NAMES: Readonly<Record<SiteEvent['kind'], [WebhookEvent, string | undefined]>> = {
  issue_created: ['jira:issue_created', 'issue_created'], issue_updated: ['jira:issue_updated', 'issue_updated'],
  issue_moved: ['jira:issue_updated', 'issue_moved'], issue_deleted: ['jira:issue_deleted', 'issue_deleted'],
  comment_created: ['comment_created', 'issue_commented'], comment_updated: ['comment_updated', 'issue_comment_edited'],
  comment_deleted: ['comment_deleted', 'issue_comment_deleted'], worklog_created: ['worklog_created', 'issue_work_logged'],
  worklog_updated: ['worklog_updated', 'issue_worklog_updated'], worklog_deleted: ['worklog_deleted', 'issue_worklog_deleted'],
};

const WEBHOOK_FIELDS = ['summary', 'description', 'status', 'issuetype', 'parent', 'project', 'priority', 'assignee', 'reporter', 'labels', 'created', 'updated', 'security'];

/** The JSON Jira sends for a site event (issue events in the admin's view, UTC timestamps). */
export function webhookPayload(v: View, event: SiteEvent, actor: JiraUser | undefined, timestamp: number): { webhookEvent: WebhookEvent; payload: Json } {
  const [webhookEvent, typeName] = EVENT_NAMES[event.kind];
  const issueJson = issueBean(v, event.issue, WEBHOOK_FIELDS, new Set());
  if (event.kind.startsWith('issue_')) {
    const e = event as Extract<SiteEvent, { history?: unknown }>;
    let eventType = typeName;
    if (e.kind === 'issue_updated' && e.history && e.history.items.length === 1 && e.history.items[0]!.field === 'status') eventType = 'issue_generic';
    return {
      webhookEvent, payload: {
        timestamp, webhookEvent, issue_event_type_name: eventType, user: userDetails(v, actor), issue: issueJson,
        ...(e.history ? { changelog: { id: e.history.id, items: e.history.items } } : {}),
      },
    };
  }
  if (event.kind.startsWith('comment_')) {
    const fields = issueJson['fields'] as Json;
    const reduced = { id: issueJson['id'], self: issueJson['self'], key: issueJson['key'], fields: { summary: fields['summary'], issuetype: fields['issuetype'], project: fields['project'], assignee: fields['assignee'], priority: fields['priority'], status: fields['status'] } };
    return { webhookEvent, payload: { timestamp, webhookEvent, comment: commentShape(v, (event as Extract<SiteEvent, { comment: unknown }>).comment), issue: reduced } };
  }
  return { webhookEvent, payload: { timestamp, webhookEvent, worklog: worklogShape(v, (event as Extract<SiteEvent, { worklog: unknown }>).worklog) } };
}

export class WebhookHub {
  private readonly registrations: (WebhookRegistration & { id: number })[] = [];
  readonly deliveries: FiredDelivery[] = [];
  private readonly pending = new Set<Promise<void>>();
  private sequence = 0;

  constructor(private readonly options: { maxAttempts: number; retryDelayMs: number; timeoutMs: number }) {}

  register(registration: WebhookRegistration): number {
    const id = this.registrations.length + 1;
    this.registrations.push({ ...registration, id });
    return id;
  }

  clear(): void { this.registrations.length = 0; }

  /** Queues a delivery to every registration for `event`; `settled()` waits for all of them. */
  dispatch(event: WebhookEvent, payload: Json, flow: 'Primary' | 'Secondary' = 'Primary'): void {
    for (const reg of this.registrations.filter((r) => r.events.includes(event))) {
      const body = JSON.stringify(payload);
      const identifier = `${Date.now()}${String(++this.sequence).padStart(6, '0')}`;
      const task = this.deliver(reg, event, body, identifier, flow);
      this.pending.add(task);
      void task.finally(() => this.pending.delete(task));
    }
  }

  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private async deliver(reg: WebhookRegistration, event: WebhookEvent, body: string, identifier: string, flow: 'Primary' | 'Secondary'): Promise<void> {
    const attempts: FiredDelivery['attempts'][number][] = [];
    for (let attempt = 0; attempt < this.options.maxAttempts; attempt += 1) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, this.options.retryDelayMs));
      const result = await postJiraWebhook(reg.url, body, { identifier, retry: attempt, flow, timeoutMs: this.options.timeoutMs, ...(reg.secret !== undefined ? { secret: reg.secret } : {}) });
      attempts.push({ status: result.status, headers: result.headers, ...(result.error !== undefined ? { error: result.error } : {}) });
      if (!RETRIED(result.status)) break;
    }
    const last = attempts[attempts.length - 1]?.status;
    this.deliveries.push({ identifier, url: reg.url, event, body, attempts, ok: last !== undefined && last >= 200 && last < 300 });
  }
}
