/**
 * Webhook deliveries (V2 and the legacy V1) and their signing.
 *
 * Sources:
 * - V2: https://docs.fireflies.ai/graphql-api/webhooks-v2 — events `meeting.transcribed` ("the
 *   transcript is ready"), `meeting.summarized` ("after the AI-generated summary ... has been
 *   processed"), and, in the current page, `meeting.bot_joined`; one or more events per webhook,
 *   only subscribed ones delivered. Payload `{event, timestamp (Unix ms), meeting_id,
 *   client_reference_id?}` (the summarized example omits client_reference_id). Headers
 *   `Content-Type: application/json`, `User-Agent: Fireflies-Webhook/1.0`, `X-Hub-Signature`
 *   only when a signing secret is configured: `sha256=<hex HMAC-SHA256 of the raw body>`. A
 *   delivery must get a 2xx within 10 seconds, otherwise it "is marked as failed" (no retry is
 *   documented, so none is made). Webhooks fire only for meetings the subscriber owns
 *   (organizer_email); team-wide webhooks need the Enterprise Super Admin role
 *   (https://docs.fireflies.ai/fundamentals/super-admin).
 * - V1: https://docs.fireflies.ai/graphql-api/webhooks — payload `{meetingId, eventType:
 *   "Transcription completed", clientReferenceId?}`, `x-hub-signature` = SHA-256 HMAC of the
 *   payload, secret of 16–32 characters. The V2 page's migration table gives V1 the same
 *   `sha256=<hex>` format; twentyhq/twenty's verifier (twenty-fireflies
 *   verify-fireflies-webhook-signature.test.ts) also accepts bare hex, so `v1Signature: 'hex'`
 *   emulates that variant.
 */

import { createHmac, timingSafeEqual } from 'node:crypto';
import type { EmulatedUser, StoredMeeting } from './workspace.ts';

export type WebhookEvent = 'meeting.transcribed' | 'meeting.summarized' | 'meeting.bot_joined';
export const V2_EVENTS: readonly WebhookEvent[] = ['meeting.transcribed', 'meeting.summarized', 'meeting.bot_joined'];
export const V1_EVENT_TYPE = 'Transcription completed';
export const WEBHOOK_USER_AGENT = 'Fireflies-Webhook/1.0';

export interface WebhookRegistration {
  readonly url: string;
  /** Signing secret; without one no X-Hub-Signature header is sent. */
  readonly secret?: string;
  /** V2 subscriptions. @default ['meeting.transcribed', 'meeting.summarized'] */
  readonly events?: readonly WebhookEvent[];
  /** @default 'v2' */
  readonly version?: 'v1' | 'v2';
  /** V1 only: signature with or without the `sha256=` prefix. @default 'sha256' */
  readonly v1Signature?: 'sha256' | 'hex';
}

export interface FiredDelivery {
  readonly url: string;
  readonly version: 'v1' | 'v2';
  readonly event: WebhookEvent;
  readonly meetingId: string;
  /** The exact bytes sent (as UTF-8). */
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  /** HTTP status, or undefined when the request failed or timed out. */
  readonly status: number | undefined;
  readonly ok: boolean;
  readonly error?: string;
  readonly at: number;
}

interface Subscription extends WebhookRegistration {
  readonly ownerEmail: string;
  readonly team: string;
  readonly teamWide: boolean;
}

/** `sha256=<hex HMAC-SHA256(secret, body)>`, as Fireflies signs a body. */
export function signFirefliesBody(body: string | Uint8Array, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Timing-safe check of an X-Hub-Signature value against the raw body (V2 format). */
export function verifyFirefliesSignature(body: string | Uint8Array, header: string | undefined, secret: string): boolean {
  if (!header) return false;
  const expected = Buffer.from(signFirefliesBody(body, secret));
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The V2 payload, fields in the documented order. */
export function v2Payload(event: WebhookEvent, meeting: Pick<StoredMeeting, 'id' | 'seed'>, timestamp: number): Record<string, unknown> {
  const ref = meeting.seed.clientReferenceId;
  return { event, timestamp, meeting_id: meeting.id, ...(ref !== undefined ? { client_reference_id: ref } : {}) };
}

/** The legacy V1 payload. */
export function v1Payload(meeting: Pick<StoredMeeting, 'id' | 'seed'>): Record<string, unknown> {
  const ref = meeting.seed.clientReferenceId;
  return { meetingId: meeting.id, eventType: V1_EVENT_TYPE, ...(ref !== undefined ? { clientReferenceId: ref } : {}) };
}

export interface PostOptions {
  /** Sign with this secret (V2 format). */
  readonly secret?: string;
  /** Send exactly this X-Hub-Signature value (wins over `secret`); null: send none. */
  readonly signature?: string | null;
  readonly headers?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
}

/** Posts any body as Fireflies would: for replays, tampered bodies and forged signatures in tests. */
export async function postFirefliesWebhook(url: string, body: string | Record<string, unknown>, options: PostOptions = {}): Promise<{ status: number | undefined; error?: string; headers: Record<string, string>; body: string }> {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const signature = options.signature !== undefined ? options.signature : options.secret !== undefined ? signFirefliesBody(raw, options.secret) : null;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': WEBHOOK_USER_AGENT,
    ...(signature !== null ? { 'x-hub-signature': signature } : {}),
    ...options.headers,
  };
  try {
    const response = await fetch(url, { method: 'POST', body: raw, headers, signal: AbortSignal.timeout(options.timeoutMs ?? 10_000) });
    await response.arrayBuffer();
    return { status: response.status, headers, body: raw };
  } catch (error) {
    return { status: undefined, error: error instanceof Error ? error.message : String(error), headers, body: raw };
  }
}

export class WebhookHub {
  private readonly subscriptions: Subscription[] = [];
  readonly deliveries: FiredDelivery[] = [];

  constructor(private readonly now: () => number, private readonly timeoutMs: number) {}

  /** Subscribes `owner`'s meetings (all of the owner's team when teamWide; needs superAdmin). */
  register(owner: EmulatedUser, registration: WebhookRegistration, teamWide = false): void {
    if (teamWide && !owner.superAdmin) throw new Error('team-wide webhooks need the Super Admin role');
    this.subscriptions.push({ ...registration, ownerEmail: owner.email, team: owner.team, teamWide });
  }

  clear(): void {
    this.subscriptions.length = 0;
  }

  /** Delivers `event` for `meeting` to every matching subscription, one after another. */
  async fire(event: WebhookEvent, meeting: StoredMeeting, owner: EmulatedUser): Promise<FiredDelivery[]> {
    const fired: FiredDelivery[] = [];
    for (const sub of this.subscriptions) {
      if (!(sub.teamWide ? sub.team === owner.team : sub.ownerEmail === owner.email)) continue;
      const version = sub.version ?? 'v2';
      if (version === 'v1' && event !== 'meeting.transcribed') continue;
      if (version === 'v2' && !(sub.events ?? ['meeting.transcribed', 'meeting.summarized']).includes(event)) continue;
      const payload = version === 'v2' ? v2Payload(event, meeting, this.now()) : v1Payload(meeting);
      const raw = JSON.stringify(payload);
      const signature = sub.secret === undefined ? null
        : version === 'v1' && sub.v1Signature === 'hex' ? signFirefliesBody(raw, sub.secret).slice('sha256='.length)
          : signFirefliesBody(raw, sub.secret);
      const at = this.now();
      const result = await postFirefliesWebhook(sub.url, raw, { signature, timeoutMs: this.timeoutMs });
      const ok = result.status !== undefined && result.status >= 200 && result.status < 300;
      const delivery: FiredDelivery = {
        url: sub.url, version, event, meetingId: meeting.id, body: raw, headers: result.headers, status: result.status, ok, at,
        ...(result.error !== undefined ? { error: result.error } : {}),
      };
      this.deliveries.push(delivery);
      fired.push(delivery);
    }
    return fired;
  }
}
