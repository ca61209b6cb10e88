/**
 * Tempo webhooks: subscriptions, the verification handshake, signed deliveries, retries.
 *
 * Sources (https://apidocs.tempo.io/, sections "Using Tempo Webhooks", "Subscription
 * verification", "Supported events", "Validation and security", "Retry policy", and the
 * Subscription operations):
 * - `POST /4/webhooks/subscriptions {url, event, name?, description?}` → `Subscription {id (uuid),
 *   self, url, event, name, description, active, sharedSecret (128 chars), createdAt, updatedAt}`;
 *   one subscription per event; 409 for the same url and event twice; at most 25; "Subscriptions
 *   always use HTTPS" (loopback http is let through, for tests). GET (list, `SubscriptionResults
 *   {self, metadata {count}, results}`), GET/DELETE `/{id}`, `PATCH /{id}/refresh` (reactivate).
 * - Verification: new subscriptions are inactive until Tempo's `GET <url>?randomString=<≤128
 *   chars>` is answered 200 `text/plain` with that string. Here the handshake runs before the
 *   POST answers.
 * - Delivery: POST JSON `{eventId (uuid), eventType, payload}`; headers `Tempo-Timestamp` (ISO,
 *   e.g. 2023-05-08T15:03:35.786Z), `Tempo-Signature` = hex HMAC-SHA256(sharedSecret, UTF-8 body
 *   + Tempo-Timestamp), `Tempo-Jira-Client-Key`, `Tempo-Tenant-ID`.
 * - Retries: a status ≥ 400, a failed connection or no answer in 30 s fails the attempt; up to
 *   ten retries, 5–15 minutes apart; then the subscription is inactivated until refreshed. The
 *   emulator runs retries when the test calls `runWebhookRetries()` instead of waiting.
 */

import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { badRequest, notFound, TempoError } from './errors.ts';
import { webhookWorklog } from './shapes.ts';
import type { StoredWorklog, WorklogEvent } from './world.ts';

export const SUBSCRIPTION_EVENTS = [
  'worklog.created', 'worklog.updated', 'worklog.deleted', 'plan.created', 'plan.updated', 'plan.deleted',
  'team.memberships.created', 'team.memberships.updated', 'team.memberships.deleted', 'team.created', 'team.updated', 'team.deleted',
  'workload.scheme.created', 'workload.scheme.updated', 'workload.scheme.deleted', 'workload.scheme.users.moved',
  'users.working.days.updated', 'holiday.created', 'holiday.deleted', 'holiday.updated', 'holiday.scheme.deleted',
  'holiday.scheme.created', 'holiday.scheme.updated', 'plan.issue.sync.config.updated',
] as const;
export const MAX_SUBSCRIPTIONS = 25;
export const MAX_RETRIES = 10;
const TIMEOUT_MS = 30_000;

export interface Subscription {
  id: string; url: string; event: string; name?: string; description?: string;
  active: boolean; sharedSecret: string; createdAt: number; updatedAt: number;
}

export interface WebhookEnvelope { readonly eventId: string; readonly eventType: string; readonly payload: Record<string, unknown> }

export interface Delivery {
  readonly subscriptionId: string;
  readonly envelope: WebhookEnvelope;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  attempts: number;
  /** HTTP status of the last attempt, or 0 when the connection failed or timed out. */
  status: number;
  done: boolean;
}

/** hex HMAC-SHA256(sharedSecret, body + timestamp). */
export function signTempoWebhook(sharedSecret: string, body: string, timestamp: string): string {
  return createHmac('sha256', sharedSecret).update(body + timestamp, 'utf8').digest('hex');
}

export function verifyTempoWebhook(sharedSecret: string, body: string, timestamp: string, signature: string): boolean {
  const expected = signTempoWebhook(sharedSecret, body, timestamp);
  return expected.length === signature.length && timingSafeEqual(Buffer.from(expected), Buffer.from(signature));
}

export interface PostOptions {
  readonly timestamp?: string;
  readonly jiraClientKey?: string;
  readonly tenantId?: string;
  readonly timeoutMs?: number;
}

/** Signs and POSTs one webhook body as Tempo does; resolves to the status (0: no answer). */
export async function postTempoWebhook(url: string, sharedSecret: string, envelope: WebhookEnvelope, options: PostOptions = {}): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  const body = JSON.stringify(envelope);
  const headers = tempoHeaders(sharedSecret, body, options.timestamp ?? new Date().toISOString(), options);
  return { status: await send(url, body, headers, options.timeoutMs ?? TIMEOUT_MS), headers, body };
}

function tempoHeaders(secret: string, body: string, timestamp: string, options: PostOptions): Record<string, string> {
  return {
    'content-type': 'application/json',
    'tempo-timestamp': timestamp,
    'tempo-signature': signTempoWebhook(secret, body, timestamp),
    'tempo-jira-client-key': options.jiraClientKey ?? 'jira-client-key-emulator',
    'tempo-tenant-id': options.tenantId ?? 'tenant-emulator',
  };
}

async function send(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<number> {
  try {
    const response = await fetch(url, { method: 'POST', body, headers, signal: AbortSignal.timeout(timeoutMs) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}

export class WebhookHub {
  readonly subscriptions = new Map<string, Subscription>();
  readonly deliveries: Delivery[] = [];
  private readonly inflight = new Set<Promise<void>>();

  constructor(private readonly now: () => number, private readonly options: PostOptions & { readonly requireHttps?: boolean }) {}

  async create(raw: unknown): Promise<Subscription> {
    const input = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
    const url = typeof input['url'] === 'string' ? input['url'] : '';
    const event = typeof input['event'] === 'string' ? input['event'] : '';
    if (!url || !URL.canParse(url)) throw badRequest("'url' must be a valid URL");
    const { protocol, hostname } = new URL(url);
    const loopback = hostname === '127.0.0.1' || hostname === 'localhost';
    if (protocol !== 'https:' && (this.options.requireHttps || !loopback)) throw badRequest('Subscriptions must use HTTPS');
    if (!(SUBSCRIPTION_EVENTS as readonly string[]).includes(event)) throw badRequest(`'event' must be one of: ${SUBSCRIPTION_EVENTS.join(', ')}`);
    if ([...this.subscriptions.values()].some((s) => s.url === url && s.event === event)) throw new TempoError(409, 'A subscription with this url and event already exist');
    if (this.subscriptions.size >= MAX_SUBSCRIPTIONS) throw badRequest(`You can only have ${MAX_SUBSCRIPTIONS} subscriptions`);
    const at = this.now();
    const subscription: Subscription = {
      id: randomUUID(), url, event, active: false, sharedSecret: randomBytes(96).toString('base64url'), createdAt: at, updatedAt: at,
      ...(typeof input['name'] === 'string' ? { name: input['name'] } : {}),
      ...(typeof input['description'] === 'string' ? { description: input['description'] } : {}),
    };
    this.subscriptions.set(subscription.id, subscription);
    subscription.active = await handshake(url);
    return subscription;
  }

  get(id: string): Subscription {
    const s = this.subscriptions.get(id);
    if (!s) throw notFound('Subscription does not exist');
    return s;
  }

  remove(id: string): void {
    this.get(id);
    this.subscriptions.delete(id);
  }

  refresh(id: string): void {
    const s = this.get(id);
    s.active = true;
    s.updatedAt = this.now();
  }

  /** Fans a worklog change out to the active subscriptions for that event. */
  worklog(event: WorklogEvent, worklog: StoredWorklog): void {
    for (const s of this.subscriptions.values()) {
      if (!s.active || s.event !== event) continue;
      const envelope = { eventId: randomUUID(), eventType: event, payload: webhookWorklog(worklog) };
      const body = JSON.stringify(envelope);
      const headers = tempoHeaders(s.sharedSecret, body, new Date(this.now()).toISOString(), this.options);
      const delivery: Delivery = { subscriptionId: s.id, envelope, body, headers, attempts: 0, status: 0, done: false };
      this.deliveries.push(delivery);
      this.attempt(delivery, s);
    }
  }

  /** One retry round for every failed delivery (Tempo waits 5–15 minutes between them). */
  async runRetries(): Promise<void> {
    await this.flush();
    for (const d of this.deliveries) {
      const s = this.subscriptions.get(d.subscriptionId);
      if (!d.done && s?.active && d.attempts <= MAX_RETRIES) this.attempt(d, s);
    }
    await this.flush();
  }

  async flush(): Promise<void> {
    while (this.inflight.size > 0) await Promise.all([...this.inflight]);
  }

  private attempt(d: Delivery, s: Subscription): void {
    const run = (async () => {
      d.attempts += 1;
      d.status = await send(s.url, d.body, d.headers, TIMEOUT_MS);
      d.done = d.status >= 200 && d.status < 400;
      if (!d.done && d.attempts > MAX_RETRIES) {
        s.active = false;
        s.updatedAt = this.now();
      }
    })();
    this.inflight.add(run);
    void run.finally(() => this.inflight.delete(run));
  }
}

async function handshake(url: string): Promise<boolean> {
  const challenge = randomBytes(96).toString('base64url');
  const target = new URL(url);
  target.searchParams.set('randomString', challenge);
  try {
    const response = await fetch(target, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    return response.status === 200 && (await response.text()).trim() === challenge;
  } catch {
    return false;
  }
}

export function subscriptionJson(s: Subscription, base: string): Record<string, unknown> {
  return {
    self: `${base}/4/webhooks/subscriptions/${s.id}`, id: s.id, url: s.url, event: s.event,
    ...(s.name !== undefined ? { name: s.name } : {}), ...(s.description !== undefined ? { description: s.description } : {}),
    active: s.active, sharedSecret: s.sharedSecret, createdAt: new Date(s.createdAt).toISOString(), updatedAt: new Date(s.updatedAt).toISOString(),
  };
}
