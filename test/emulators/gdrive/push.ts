/**
 * changes.watch channels and their notifications.
 *
 * Sources:
 * - https://developers.google.com/workspace/drive/api/guides/push — a watch request body `{id,
 *   type: "web_hook", address, token?, expiration? (ms), params?}` → the channel resource `{kind:
 *   "api#channel", id, resourceId, resourceUri, token, expiration}`; notifications are POSTs with
 *   headers X-Goog-Channel-ID, X-Goog-Channel-Token (only when set), X-Goog-Channel-Expiration
 *   (human-readable date), X-Goog-Resource-ID, X-Goog-Resource-URI, X-Goog-Resource-State
 *   (`sync` first, then `change` for the changes resource), X-Goog-Message-Number (1 for sync,
 *   increasing after); "notification messages for files and changes are empty" (no body, no file
 *   ids — a notification only says something changed). Expiration: "86400 seconds (1 day) for
 *   the files resource and 604800 seconds (1 week) for changes" at most; 3600 s when unset.
 *   A channel stops when it expires or on channels.stop `{id, resourceId}`. No signature is
 *   sent: receivers check the channel token (and channel/resource id) themselves.
 * - Batching: Drive coalesces changes into notifications (several changes → one message); the
 *   emulator delivers one `change` per channel per `notificationDelayMs` window.
 */

import { timingSafeEqual } from 'node:crypto';
import { randomId } from './model.ts';

export const DEFAULT_CHANNEL_TTL_MS = 3_600_000;
export const MAX_CHANNEL_TTL_MS = 604_800_000;

export interface Channel {
  readonly id: string;
  readonly resourceId: string;
  readonly resourceUri: string;
  readonly token: string | undefined;
  readonly address: string;
  readonly expiration: number;
  readonly userId: string;
  readonly driveId: string | undefined;
  readonly params: Readonly<Record<string, string>>;
  /** What the channel watches (the changes.list scope it was opened with). */
  readonly meta?: unknown;
  messageNumber: number;
  stopped: boolean;
}

export interface Notification {
  readonly channelId: string;
  readonly address: string;
  readonly state: 'sync' | 'change';
  readonly headers: Readonly<Record<string, string>>;
  readonly status: number | undefined;
  readonly error: string | undefined;
  readonly at: number;
}

/** The headers Drive sends with a notification. */
export function notificationHeaders(channel: Channel, state: 'sync' | 'change', messageNumber: number): Record<string, string> {
  return {
    'x-goog-channel-id': channel.id,
    ...(channel.token === undefined ? {} : { 'x-goog-channel-token': channel.token }),
    'x-goog-channel-expiration': new Date(channel.expiration).toUTCString(),
    'x-goog-resource-id': channel.resourceId,
    'x-goog-resource-uri': channel.resourceUri,
    'x-goog-resource-state': state,
    'x-goog-message-number': String(messageNumber),
  };
}

/** POSTs one notification (empty body) to `address`; returns the HTTP status. */
export async function postDriveNotification(address: string, headers: Readonly<Record<string, string>>, timeoutMs = 10_000): Promise<number> {
  const res = await fetch(address, { method: 'POST', headers: { ...headers, 'content-length': '0' }, body: '', signal: AbortSignal.timeout(timeoutMs) });
  await res.arrayBuffer();
  return res.status;
}

/** Constant-time check of X-Goog-Channel-Token against the token the channel was opened with. */
export function verifyChannelToken(expected: string, received: string | undefined): boolean {
  if (received === undefined) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(received);
  return a.length === b.length && timingSafeEqual(a, b);
}

export class PushHub {
  readonly channels = new Map<string, Channel>();
  readonly notifications: Notification[] = [];
  private readonly dirty = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private readonly inflight = new Set<Promise<void>>();

  constructor(private readonly now: () => number, public notificationDelayMs: number) {}

  open(c: Omit<Channel, 'messageNumber' | 'stopped' | 'resourceId'>): Channel {
    const channel: Channel = { ...c, resourceId: randomId(27), messageNumber: 0, stopped: false };
    this.channels.set(channel.id, channel);
    this.send(channel, 'sync');
    return channel;
  }

  stop(id: string, resourceId: string): boolean {
    const c = this.channels.get(id);
    if (!c || c.resourceId !== resourceId) return false;
    c.stopped = true;
    return true;
  }

  live(c: Channel): boolean {
    return !c.stopped && c.expiration > this.now();
  }

  /** Marks the channels that would see a change; delivery follows after the batching delay. */
  changed(affects: (c: Channel) => boolean): void {
    for (const c of this.channels.values()) if (this.live(c) && affects(c)) this.dirty.add(c.id);
    if (this.dirty.size > 0 && this.timer === undefined) {
      this.timer = setTimeout(() => this.deliverPending(), this.notificationDelayMs);
      this.timer.unref();
    }
  }

  /** Sends what is pending now and waits for every delivery under way. */
  async flush(): Promise<void> {
    this.deliverPending();
    while (this.inflight.size > 0) await Promise.all([...this.inflight]);
  }

  close(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.dirty.clear();
  }

  private deliverPending(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    for (const id of this.dirty) {
      const c = this.channels.get(id);
      if (c && this.live(c)) this.send(c, 'change');
    }
    this.dirty.clear();
  }

  private send(c: Channel, state: 'sync' | 'change'): void {
    c.messageNumber += 1;
    const headers = notificationHeaders(c, state, c.messageNumber);
    const p = postDriveNotification(c.address, headers).then(
      (status) => { this.notifications.push({ channelId: c.id, address: c.address, state, headers, status, error: undefined, at: this.now() }); },
      (e: unknown) => { this.notifications.push({ channelId: c.id, address: c.address, state, headers, status: undefined, error: String(e), at: this.now() }); },
    ).finally(() => { this.inflight.delete(p); });
    this.inflight.add(p);
  }
}
