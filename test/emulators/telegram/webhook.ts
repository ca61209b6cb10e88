/**
 * The update queue and webhook delivery of the Bot API, after the server's own code
 * (tdlib/telegram-bot-api, snapshot 01a3679):
 *
 * - Storage: an update about a message is kept until its date (edit_date for edits) + 86400 s —
 *   `left_time = message_date + 86400 - now` (Client.cpp ~L17053); messages dated more than a day
 *   ago produce no update at all (`need_skip_update_message`, ~L17449). The docs say the same:
 *   "Incoming updates are stored on the server until the bot receives them either way, but they
 *   will not be kept longer than 24 hours" (core.telegram.org/bots/api#getting-updates).
 * - Ordering: each update carries a queue id, the chat id for messages (`add_message_update(…,
 *   chat_id)`, ~L17959). WebhookActor.cpp sends one update at a time per queue, in update_id order,
 *   and runs different queues in parallel over up to `max_connections` (default 40) connections.
 *   So order holds within a chat, not across chats. (`perChatOrder: false` collapses everything
 *   into one queue, the "one at a time per bot" simplification.)
 * - Success is any 2XX (WebhookActor.cpp ~L620). Anything else sets last_error_message to
 *   "Wrong response from the webhook: <code> <reason>" (~L636) and the update is retried:
 *   `on_update_error` (~L493): the first retry waits `Retry-After` (0 if absent, so at once); each
 *   later one doubles the delay from 1 s up to a random cap in [60, 120) s
 *   (WEBHOOK_MAX_RESEND_TIMEOUT = 60, WebhookActor.h); Retry-After is honoured up to 3600 s; an
 *   update whose next attempt would fall after its expiry is dropped.
 * - Every request is `POST`, `Content-Type: application/json`, the Update as the body, and
 *   `X-Telegram-Bot-Api-Secret-Token: <secret_token>` when one was set (~L561-563).
 * - Not emulated: answering a webhook with a method call in the response body (the server runs
 *   it, ~L622), the 23 h HTTP 410 shutdown, TLS and IP pinning.
 */

import type { BotUpdate, UpdateKind } from './bot-types.ts';

export interface QueuedUpdate {
  readonly update: BotUpdate;
  readonly kind: UpdateKind;
  readonly queueId: number;
  /** Unix seconds. */
  readonly expiresAt: number;
  failCount: number;
  delay: number;
  wakeAt: number;
}

export interface WebhookConfig {
  readonly url: string;
  readonly secretToken: string;
  readonly maxConnections: number;
}

export interface DeliveryAttempt {
  readonly updateId: number;
  readonly url: string;
  readonly status: number | 'network-error';
  readonly secretHeader: string | undefined;
  readonly at: number;
  /** Emulated seconds until the retry, for failed attempts (undefined: delivered, or dropped). */
  retryInSeconds?: number;
}

export interface DeliveryTiming {
  /** Unix seconds of the emulated clock. */
  readonly unixNow: () => number;
  /** Real milliseconds to wait for one emulated second (0: retries run back to back). */
  readonly msPerSecond: number;
  /** For the random retry cap in [60, 120). */
  readonly random: () => number;
  readonly perChatOrder: boolean;
}

export class UpdateQueue {
  readonly pending: QueuedUpdate[] = [];
  readonly attempts: DeliveryAttempt[] = [];
  lastErrorDate: number | undefined;
  lastErrorMessage: string | undefined;
  private webhook: WebhookConfig | undefined;
  private readonly busy = new Set<number>();
  private wake: (() => void) | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private waiters: Array<() => void> = [];

  constructor(private readonly timing: DeliveryTiming) {}

  push(update: BotUpdate, kind: UpdateKind, chatQueue: number, messageDate: number): void {
    const queueId = this.timing.perChatOrder ? chatQueue : 0;
    this.pending.push({ update, kind, queueId, expiresAt: messageDate + 86400, failCount: 0, delay: 1, wakeAt: 0 });
    this.notify();
  }

  /** Updates still deliverable now (expired ones are dropped, as the queue does on every read). */
  live(): QueuedUpdate[] {
    const now = this.timing.unixNow();
    for (let i = this.pending.length - 1; i >= 0; i--) if (this.pending[i]!.expiresAt < now) this.pending.splice(i, 1);
    return this.pending;
  }

  forgetBefore(updateId: number): void {
    for (let i = this.pending.length - 1; i >= 0; i--) if (this.pending[i]!.update.update_id < updateId) this.pending.splice(i, 1);
  }

  clear(): void {
    this.pending.length = 0;
  }

  setWebhook(config: WebhookConfig | undefined): void {
    this.webhook = config;
    this.lastErrorDate = undefined;
    this.lastErrorMessage = undefined;
    if (config && !this.running) this.running = this.loop();
    this.notify();
  }

  get webhookConfig(): WebhookConfig | undefined {
    return this.webhook;
  }

  /** Resolves once nothing is pending or in flight (or the webhook is gone). */
  async idle(): Promise<void> {
    while (this.webhook && (this.live().length > 0 || this.busy.size > 0)) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.notify();
    await this.running;
  }

  /** Wakes long polls and the delivery loop. */
  notify(): void {
    this.wake?.();
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Resolves on the next push/notify, or after `ms`. */
  nextChange(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      const hook = this.webhook;
      if (!hook) {
        this.running = undefined;
        return;
      }
      const nowMs = Date.now();
      const heads = new Map<number, QueuedUpdate>();
      for (const u of [...this.live()].sort((a, b) => a.update.update_id - b.update.update_id)) {
        if (!heads.has(u.queueId)) heads.set(u.queueId, u);
      }
      let earliest = Number.POSITIVE_INFINITY;
      for (const [queueId, head] of heads) {
        if (this.busy.has(queueId)) continue;
        if (this.busy.size >= hook.maxConnections) break;
        if (head.wakeAt > nowMs) {
          earliest = Math.min(earliest, head.wakeAt);
          continue;
        }
        this.busy.add(queueId);
        void this.send(hook, head).finally(() => {
          this.busy.delete(queueId);
          this.notify();
        });
      }
      await new Promise<void>((resolve) => {
        const timer = Number.isFinite(earliest) ? setTimeout(resolve, Math.max(0, earliest - Date.now())) : undefined;
        this.wake = () => {
          if (timer) clearTimeout(timer);
          this.wake = undefined;
          resolve();
        };
      });
    }
  }

  private async send(hook: WebhookConfig, item: QueuedUpdate): Promise<void> {
    let status: number | 'network-error';
    let retryAfter = 0;
    let error: string | undefined;
    try {
      const response = await fetch(hook.url, {
        method: 'POST', body: JSON.stringify(item.update),
        headers: { 'content-type': 'application/json', ...(hook.secretToken ? { 'x-telegram-bot-api-secret-token': hook.secretToken } : {}) },
        signal: AbortSignal.timeout(60_000),
      });
      status = response.status;
      await response.arrayBuffer();
      if (status < 200 || status > 299) {
        error = `Wrong response from the webhook: ${status} ${response.statusText}`;
        retryAfter = Number(response.headers.get('retry-after') ?? 0) || 0;
      }
    } catch (e) {
      status = 'network-error';
      const code = (e as { cause?: { code?: string } }).cause?.code;
      error = code === 'ECONNREFUSED' ? 'Connection refused' : 'Connection timed out';
    }
    const attempt: DeliveryAttempt = { updateId: item.update.update_id, url: hook.url, status, secretHeader: hook.secretToken || undefined, at: this.timing.unixNow() };
    this.attempts.push(attempt);
    const index = this.pending.indexOf(item);
    if (error === undefined) {
      if (index >= 0) this.pending.splice(index, 1);
      return;
    }
    this.lastErrorDate = this.timing.unixNow();
    this.lastErrorMessage = error;
    retryAfter = Math.min(Math.max(retryAfter, 0), 3600);
    let nextDelay = item.delay;
    let effective = retryAfter;
    if (retryAfter === 0 && item.failCount > 0) {
      const cap = 60 + Math.floor(this.timing.random() * 60);
      nextDelay = Math.min(cap, nextDelay * 2);
      effective = nextDelay;
    }
    if (this.timing.unixNow() + effective > item.expiresAt) {
      if (index >= 0) this.pending.splice(index, 1);
      return;
    }
    attempt.retryInSeconds = effective;
    item.delay = nextDelay;
    item.failCount += 1;
    item.wakeAt = Date.now() + effective * this.timing.msPerSecond;
  }
}
