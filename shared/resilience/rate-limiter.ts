/**
 * Admission control for the calls one client makes to one provider: a FIFO bound on calls in
 * flight, per-minute request and token budgets ({@link TokenBucket}s), and a pause every call
 * honours once the provider said "wait" (a 429 with a stated wait, a budget used up).
 *
 * A call waits once, for the longest of: its own delay (a retry's backoff), the pause, and
 * what each budget needs to refill — all computed from the injected clock, slept through the
 * injected sleep. Share one limiter between clients that share a provider account.
 */
import type { Clock } from '../ports/index.ts';
import { TokenBucket } from './token-bucket.ts';
import { realSleep, systemClock } from './time.ts';
import type { Sleep } from './time.ts';
import { positiveInteger, positiveNumber } from './validate.ts';

export interface RateLimiterOptions {
  /**
   * Calls running at once; waiting out a budget, a pause or a backoff counts as running.
   * @default unlimited
   */
  readonly concurrency?: number;
  /** Request budget per minute; unlimited when absent. */
  readonly requestsPerMinute?: number;
  /** Requests the request budget lets through back to back. @default requestsPerMinute (a minute's worth) */
  readonly burst?: number;
  /** Token budget per minute (a call's `tokens`); unlimited when absent. */
  readonly tokensPerMinute?: number;
  /** @default the system clock */
  readonly clock?: Clock;
  /** @default a setTimeout sleep */
  readonly sleep?: Sleep;
  /** Names the owner in configuration errors. @default 'RateLimiter' */
  readonly owner?: string;
}

export interface AdmissionOptions {
  /** What the call spends of the token budget. @default 0 */
  readonly tokens?: number;
  /** Wait at least this long first (a retry's backoff). @default 0 */
  readonly delayMs?: number;
}

/** A pause in force: how long is left, and why. */
export interface Pause {
  readonly remainingMs: number;
  readonly reason: string;
}

export class RateLimiter {
  readonly concurrency: number;
  /** Waits imposed so far (budgets, pauses and delays) and their total. */
  readonly stats = { waits: 0, waitedMs: 0 };
  private readonly clock: Clock;
  private readonly sleep: Sleep;
  private readonly requestBucket: TokenBucket | undefined;
  private readonly tokenBucket: TokenBucket | undefined;
  private readonly waiting: Array<() => void> = [];
  private active = 0;
  private pausedUntil = 0;
  private pauseReason = '';

  constructor(options: RateLimiterOptions = {}) {
    const owner = options.owner ?? 'RateLimiter';
    this.concurrency = options.concurrency === undefined ? Number.POSITIVE_INFINITY : positiveInteger(owner, 'concurrency', options.concurrency);
    this.clock = options.clock ?? systemClock;
    this.sleep = options.sleep ?? ((ms) => realSleep(ms));
    const now = this.clock.now();
    if (options.requestsPerMinute !== undefined) {
      const perMinute = positiveNumber(owner, 'requestsPerMinute', options.requestsPerMinute);
      const capacity = positiveNumber(owner, 'burst', options.burst ?? perMinute);
      this.requestBucket = new TokenBucket({ perMinute, capacity }, now);
    }
    if (options.tokensPerMinute !== undefined) {
      this.tokenBucket = new TokenBucket({ perMinute: positiveNumber(owner, 'tokensPerMinute', options.tokensPerMinute) }, now);
    }
  }

  /** Calls holding a slot now. */
  get inFlight(): number {
    return this.active;
  }

  /** Runs `fn` once a slot is free, the budgets allow it, any pause is over and `delayMs` has passed. */
  async run<T>(fn: () => Promise<T>, options: AdmissionOptions = {}): Promise<T> {
    await this.acquire();
    try {
      const now = this.clock.now();
      let wait = Math.max(options.delayMs ?? 0, this.pausedUntil - now);
      if (this.requestBucket) wait = Math.max(wait, this.requestBucket.reserve(1, now));
      if (this.tokenBucket) wait = Math.max(wait, this.tokenBucket.reserve(options.tokens ?? 0, now));
      if (wait > 0) {
        this.stats.waits += 1;
        this.stats.waitedMs += wait;
        await this.sleep(wait);
      }
      return await fn();
    } finally {
      this.release();
    }
  }

  /** Holds every call (queued or not) for at least `ms` from now. */
  pauseFor(ms: number, reason = 'paused'): void {
    if (!(ms > 0)) return;
    const until = this.clock.now() + ms;
    if (until > this.pausedUntil) {
      this.pausedUntil = until;
      this.pauseReason = reason;
    }
  }

  /** The pause in force, if any: a client may refuse to wait that long (see RetryPolicy.exceedsWaitCap). */
  pause(): Pause | undefined {
    const remainingMs = this.pausedUntil - this.clock.now();
    return remainingMs > 0 ? { remainingMs, reason: this.pauseReason } : undefined;
  }

  private acquire(): Promise<void> {
    if (this.active < this.concurrency) {
      this.active += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    // The slot passes straight to the next waiter, so `active` stays the same.
    if (next) next();
    else this.active -= 1;
  }
}
