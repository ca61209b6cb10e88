/**
 * Webhook subscriptions: the verification request, event payloads, aggregation, signing,
 * delivery and retries.
 *
 * Sources:
 * - https://developers.notion.com/reference/webhooks — on creating a subscription Notion POSTs
 *   `{"verification_token": "secret_..."}` once to the URL; every event carries
 *   `X-Notion-Signature: sha256=<hex HMAC-SHA256 of the raw body keyed with the
 *   verification_token>` (the SDK's signWebhookPayload / verifyWebhookSignature in
 *   build/src/webhooks.js compute exactly that).
 * - https://developers.notion.com/reference/webhooks-events-delivery — common fields (id,
 *   timestamp, workspace_id, workspace_name, subscription_id, integration_id, type, authors,
 *   accessible_by — "only populated for public integrations", attempt_number 1–8, entity, data);
 *   aggregated types (page.content_updated, page.created, page.deleted, page.moved,
 *   page.properties_updated, page.undeleted, database.*, data_source.*) are batched per entity
 *   within a short window ("typically under one minute"); created-then-deleted may produce
 *   "none at all"; page.locked/unlocked and comment.* are not aggregated; "retry delivery up to 8
 *   times using an exponential backoff schedule. The final retry attempt occurs approximately 24
 *   hours after the initial event trigger."; sample payloads (./samples.ts). `data.parent.type`
 *   is "page" | "space" | "database" | "block" (the SDK's WebhookParentBlock, with
 *   `data_source_id` for rows). `api_version` is in the SDK's BaseWebhookPayload.
 *
 * Emulator choices: the aggregation window is 60 s of the emulator clock; deliveries happen when
 * a test calls `deliverWebhooks()` (nothing runs in the background); retry n (n = 1..7) is due
 * 11.25 min × 2^(n-1) after the previous attempt (≈ 23.8 h in total); any non-2xx or network
 * error counts as a failure. Events whose entity the integration cannot see are not sent.
 */

import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { iso } from './shapes.ts';
import type { Change, ChangeType, World } from './world.ts';
import type { Json } from './model.ts';

export const AGGREGATION_MS = 60_000;
export const MAX_ATTEMPTS = 8;
export const retryDelayMs = (attempt: number): number => 675_000 * 2 ** (attempt - 1);
const AGGREGATED = new Set<string>([
  'page.content_updated', 'page.created', 'page.deleted', 'page.moved', 'page.properties_updated', 'page.undeleted',
]);

/** `sha256=<hex>` for a raw body, as in X-Notion-Signature. */
export function signNotionBody(body: string | Uint8Array, verificationToken: string): string {
  return `sha256=${createHmac('sha256', verificationToken).update(body).digest('hex')}`;
}

export function verifyNotionSignature(body: string | Uint8Array, signature: string | undefined, verificationToken: string): boolean {
  if (!signature) return false;
  const expected = signNotionBody(body, verificationToken);
  return expected.length === signature.length && timingSafeEqual(Buffer.from(expected), Buffer.from(signature));
}

export interface Subscription {
  readonly id: string;
  readonly url: string;
  readonly verificationToken: string;
  /** Event types delivered (all when undefined). */
  readonly eventTypes: ReadonlySet<string> | undefined;
  readonly apiVersion: string;
}

export interface Delivery {
  readonly subscriptionId: string;
  readonly url: string;
  readonly at: number;
  readonly body: string;
  readonly signature: string | undefined;
  readonly status: number | undefined;
  readonly error?: string;
}

interface Pending {
  event: Json;
  readonly sub: Subscription;
  dueAt: number;
  attempt: number;
  readonly key: string;
}

export interface WebhookContext {
  readonly world: World;
  readonly workspaceId: string;
  readonly workspaceName: string;
  readonly integrationId: string;
}

export class WebhookHub {
  readonly subscriptions: Subscription[] = [];
  readonly deliveries: Delivery[] = [];
  private pending: Pending[] = [];

  constructor(private readonly ctx: WebhookContext, private readonly timeoutMs: number, public aggregationMs = AGGREGATION_MS) {
    ctx.world.onChange((change) => this.record(change));
  }

  /** Creates a subscription and POSTs the one-time verification request. */
  async subscribe(url: string, options: { eventTypes?: readonly string[]; apiVersion?: string } = {}): Promise<Subscription> {
    const sub: Subscription = {
      id: randomUUID(), url, verificationToken: `secret_${randomBytes(24).toString('base64url')}`,
      eventTypes: options.eventTypes ? new Set(options.eventTypes) : undefined, apiVersion: options.apiVersion ?? '2025-09-03',
    };
    this.subscriptions.push(sub);
    await this.post(sub, JSON.stringify({ verification_token: sub.verificationToken }), false);
    return sub;
  }

  private record(change: Change): void {
    const w = this.ctx.world;
    if (change.entity.type !== 'comment' && !w.visible(change.entity.id)) return;
    for (const sub of this.subscriptions) {
      const type = change.type;
      if (sub.eventTypes && !sub.eventTypes.has(type)) continue;
      const aggregated = AGGREGATED.has(type) || type.startsWith('database.') || type.startsWith('data_source.');
      const key = `${sub.id}|${change.entity.id}`;
      if (aggregated && this.merge(sub, key, change)) continue;
      this.pending.push({ event: this.payload(sub, change), sub, dueAt: change.at + (aggregated ? this.aggregationMs : 0), attempt: 1, key: aggregated ? key : '' });
    }
  }

  /** Folds a change into a queued event of the same entity; true when nothing new is queued. */
  private merge(sub: Subscription, key: string, change: Change): boolean {
    const same = this.pending.filter((p) => p.key === key && p.attempt === 1);
    const undo: Partial<Record<ChangeType, string>> = { 'page.deleted': 'page.created', 'page.undeleted': 'page.deleted' };
    const cancelled = same.find((p) => p.event['type'] === undo[change.type]);
    if (cancelled) {
      this.pending = this.pending.filter((p) => p !== cancelled);
      return true;
    }
    const twin = same.find((p) => p.event['type'] === change.type);
    if (!twin) return false;
    const data = twin.event['data'] as Json;
    const authors = twin.event['authors'] as Json[];
    if (!authors.some((a) => a['id'] === change.author)) authors.push(this.author(change.author));
    if (change.updatedBlocks) {
      const seen = new Set(((data['updated_blocks'] ?? []) as Json[]).map((b) => b['id']));
      data['updated_blocks'] = [...((data['updated_blocks'] ?? []) as Json[]), ...change.updatedBlocks.filter((b) => !seen.has(b)).map((id) => ({ id, type: 'block' }))];
    }
    if (change.updatedProperties) data['updated_properties'] = [...new Set([...((data['updated_properties'] ?? []) as string[]), ...change.updatedProperties])];
    data['parent'] = this.parent(change.entity.id);
    twin.event['timestamp'] = iso(change.at);
    void sub;
    return true;
  }

  private author(id: string): Json {
    return { id, type: this.ctx.world.users.get(id)?.type ?? 'person' };
  }

  /** `data.parent` as webhook payloads name it. */
  private parent(entityId: string): Json {
    const w = this.ctx.world;
    const node = w.nodes.get(entityId);
    if (!node) return { id: this.ctx.workspaceId, type: 'space' };
    const p = w.parentOf(node);
    if (p.kind === 'workspace') return { id: this.ctx.workspaceId, type: 'space' };
    if (p.kind === 'data_source') return { id: w.get(p.id, 'data_source')?.databaseId ?? p.id, type: 'database', data_source_id: p.id };
    return { id: p.id, type: p.kind === 'page' ? 'page' : p.kind === 'database' ? 'database' : 'block' };
  }

  private payload(sub: Subscription, change: Change): Json {
    const data: Json = {};
    if (change.entity.type === 'comment') {
      const c = this.ctx.world.comments.get(change.entity.id);
      data['page_id'] = change.pageId;
      data['parent'] = c?.parent.kind === 'block' ? { id: c.parent.id, type: 'block' } : { id: change.pageId, type: 'page' };
    } else data['parent'] = this.parent(change.entity.id);
    if (change.updatedBlocks) data['updated_blocks'] = change.updatedBlocks.map((id) => ({ id, type: 'block' }));
    if (change.updatedProperties) data['updated_properties'] = [...change.updatedProperties];
    return {
      id: randomUUID(), timestamp: iso(change.at), workspace_id: this.ctx.workspaceId, workspace_name: this.ctx.workspaceName,
      subscription_id: sub.id, integration_id: this.ctx.integrationId, type: change.type, authors: [this.author(change.author)],
      attempt_number: 1, api_version: sub.apiVersion, entity: change.entity, data,
    };
  }

  /** Events waiting (aggregation window or retry not yet due). */
  get queued(): readonly Json[] {
    return this.pending.map((p) => p.event);
  }

  /** POSTs every event due by `now` (all queued ones with `force`); failures are re-queued. */
  async deliver(now: number, force = false): Promise<number> {
    const due = this.pending.filter((p) => force || p.dueAt <= now);
    this.pending = this.pending.filter((p) => !due.includes(p));
    let sent = 0;
    for (const p of due) {
      const event = { ...p.event, attempt_number: p.attempt };
      const ok = await this.post(p.sub, JSON.stringify(event), true);
      sent += 1;
      if (!ok && p.attempt < MAX_ATTEMPTS) this.pending.push({ ...p, event: p.event, attempt: p.attempt + 1, dueAt: now + retryDelayMs(p.attempt), key: '' });
    }
    return sent;
  }

  private async post(sub: Subscription, body: string, signed: boolean): Promise<boolean> {
    const signature = signed ? signNotionBody(body, sub.verificationToken) : undefined;
    const at = this.ctx.world.now();
    try {
      const response = await fetch(sub.url, {
        method: 'POST', body, signal: AbortSignal.timeout(this.timeoutMs),
        headers: { 'content-type': 'application/json', ...(signature ? { 'x-notion-signature': signature } : {}) },
      });
      await response.arrayBuffer();
      this.deliveries.push({ subscriptionId: sub.id, url: sub.url, at, body, signature, status: response.status });
      return response.ok;
    } catch (error) {
      this.deliveries.push({ subscriptionId: sub.id, url: sub.url, at, body, signature, status: undefined, error: String(error) });
      return false;
    }
  }
}

export interface PostOptions {
  readonly verificationToken: string;
  readonly fetch?: typeof fetch;
}

/** Signs `payload` like Notion and POSTs it to `url` (for tests of a receiver). */
export async function postNotionWebhook(url: string, payload: unknown, options: PostOptions): Promise<Response> {
  const body = JSON.stringify(payload);
  return (options.fetch ?? fetch)(url, {
    method: 'POST', body, headers: { 'content-type': 'application/json', 'x-notion-signature': signNotionBody(body, options.verificationToken) },
  });
}
