/**
 * Signed webhooks — as Confluence **Data Center** sends them.
 *
 * Confluence Cloud has no HMAC-signed admin webhooks: Cloud apps receive page_created /
 * page_updated / page_trashed / page_restored / page_removed / page_moved through Connect
 * (JWT-signed, app descriptor `webhooks` module,
 * https://developer.atlassian.com/cloud/confluence/modules/webhook/) or Forge product events
 * (https://developer.atlassian.com/platform/forge/product-events-reference/confluence/,
 * `avi:confluence:created:page` …). The signed form below is Data Center's (Confluence 7.7+):
 *
 * - Registration `POST <CONFLUENCE_URL>/rest/api/webhooks` `{name, events[], configuration:
 *   {secret}, url, active}` (https://developer.atlassian.com/server/confluence/webhooks/).
 * - Signing: "When you define a secret for a webhook, each request is signed via a Hash-based
 *   Message Authentication Code (HMAC). The default for this algorithm is HMACSha256. The
 *   header X-Hub-Signature is defined and contains the HMAC … perform the HMAC algorithm on
 *   the received body with the secret as the key" (Managing Webhooks,
 *   https://confluence.atlassian.com/doc/managing-webhooks-1021225606.html). The value is
 *   `sha256=<hex>` — the format of Atlassian's shared webhooks plugin (Bitbucket Data Center
 *   documents the same header the same way); Confluence's page does not spell the prefix out.
 *   No secret → no header. The secret is at most 255 characters.
 * - No delivery-id header is documented for Confluence Data Center, so none is sent; receivers
 *   dedupe on (event, id, timestamp).
 * - Payloads, captured from a Data Center instance in PipedreamHQ/pipedream
 *   components/confluence_data_center/sources/<trigger>/test-event.mjs: `{"timestamp":1768241233603,
 *   "event":"page_created","userKey":"ff8081819ba46873019ba46aefbb0000","page":{"id":1015810}}`;
 *   page_updated adds `"updateTrigger":"edit_page"`; blog events carry `"blog":{"id":…}`.
 *   Ids are JSON numbers. Payloads for page_trashed / page_restored / page_removed /
 *   page_moved were not found captured; they follow the same envelope.
 * - Event names: Managing Webhooks' event table (page_created, page_updated, page_trashed,
 *   page_restored, page_removed, page_moved, blog_created, blog_updated, blog_trashed,
 *   blog_restored, blog_removed, …).
 */

import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ConfluenceWorld, DcEvent, StoredContent } from './world.ts';

export const DC_PAGE_EVENTS: readonly DcEvent[] = ['page_created', 'page_updated', 'page_trashed', 'page_restored', 'page_removed', 'page_moved'];
export const DC_BLOG_EVENTS: readonly DcEvent[] = ['blog_created', 'blog_updated', 'blog_trashed', 'blog_restored', 'blog_removed'];

export interface WebhookRegistration {
  readonly url: string;
  readonly secret?: string;
  /** @default every page and blog event */
  readonly events?: readonly DcEvent[];
  /** @default true */
  readonly active?: boolean;
}

export interface FiredDelivery {
  readonly event: DcEvent;
  readonly url: string;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  status?: number;
  error?: string;
}

export interface DcPayload {
  readonly timestamp: number;
  readonly event: DcEvent;
  readonly userKey: string;
  readonly page?: { readonly id: number };
  readonly blog?: { readonly id: number };
  readonly updateTrigger?: string;
}

/** Data Center user keys are 32 hex digits; the emulator derives one per account. */
export const userKeyOf = (accountId: string): string => `ff808181${Buffer.from(accountId).toString('hex')}`.slice(0, 32);

export function dcPayload(event: DcEvent, item: Pick<StoredContent, 'id' | 'type'>, actor: string, timestamp: number, extra: Record<string, unknown> = {}): DcPayload {
  const target = item.type === 'page' ? { page: { id: Number(item.id) } } : { blog: { id: Number(item.id) } };
  const trigger = event.endsWith('_updated') ? { updateTrigger: typeof extra['updateTrigger'] === 'string' ? extra['updateTrigger'] : 'edit_page' } : {};
  return { timestamp, event, userKey: userKeyOf(actor), ...target, ...trigger };
}

export function signConfluenceBody(secret: string, rawBody: string | Uint8Array): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}

export function verifyConfluenceSignature(secret: string, rawBody: string | Uint8Array, header: string | undefined): boolean {
  if (!header) return false;
  const expected = Buffer.from(signConfluenceBody(secret, rawBody));
  const given = Buffer.from(header);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export interface PostOptions {
  readonly secret?: string;
  readonly timeoutMs?: number;
}

/** Signs (when a secret is given) and POSTs one payload; resolves with the receiver's status. */
export async function postConfluenceWebhook(url: string, payload: unknown, options: PostOptions = {}): Promise<{ status: number; body: string; headers: Record<string, string> }> {
  const body = JSON.stringify(payload);
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'Atlassian HttpClient 3.0.4 / Confluence-9.2.0 (9200) / Default' };
  if (options.secret) headers['x-hub-signature'] = signConfluenceBody(options.secret, body);
  const response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(options.timeoutMs ?? 10_000) });
  await response.arrayBuffer();
  return { status: response.status, body, headers };
}

export class WebhookHub {
  private readonly registrations: WebhookRegistration[] = [];
  readonly deliveries: FiredDelivery[] = [];
  private readonly pending = new Set<Promise<void>>();

  constructor(world: ConfluenceWorld) {
    world.onChange((event, item, actor, extra) => {
      for (const r of this.registrations) {
        if (r.active === false || !(r.events ?? [...DC_PAGE_EVENTS, ...DC_BLOG_EVENTS]).includes(event)) continue;
        this.fire(r, event, dcPayload(event, item, actor, world.now(), extra));
      }
    });
  }

  register(registration: WebhookRegistration): void {
    if (registration.secret && registration.secret.length > 255) throw new Error('secret is at most 255 characters');
    this.registrations.push(registration);
  }

  clear(): void {
    this.registrations.length = 0;
  }

  private fire(r: WebhookRegistration, event: DcEvent, payload: DcPayload): void {
    const body = JSON.stringify(payload);
    const delivery: FiredDelivery = { event, url: r.url, body, headers: r.secret ? { 'x-hub-signature': signConfluenceBody(r.secret, body) } : {} };
    this.deliveries.push(delivery);
    const p = postConfluenceWebhook(r.url, payload, r.secret ? { secret: r.secret } : {})
      .then((res) => { delivery.status = res.status; }, (e: unknown) => { delivery.error = String(e); })
      .finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  /** Resolves when every delivery so far has been answered (or failed). */
  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}
