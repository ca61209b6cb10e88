/**
 * When to try a failed request again, and after how long. One rule for every client:
 *
 * - at most `maxAttempts` attempts, the first included;
 * - before attempt n+1, wait the larger of full-jitter backoff ({@link backoffMs}, capped at
 *   `maxBackoffMs`) and what the provider advertised ({@link advertisedWaitMs});
 * - an advertised wait longer than `maxRetryWaitMs` is not slept through: the request fails
 *   at once (the caller throws a TransientError naming the wait), so a worker is not pinned for
 *   minutes and the task queue or the next run tries again later;
 * - a 429 with an advertised wait holds every call sharing the client's {@link RateLimiter},
 *   not only the one that got it (`holdAllMs`).
 *
 * The policy decides; the client loops, sends, and words its errors.
 */
import { backoffMs } from './backoff.ts';
import type { Random } from './time.ts';
import { nonNegativeNumber, positiveInteger } from './validate.ts';

export interface RetryPolicyOptions {
  /** Attempts per request, the first included. */
  readonly maxAttempts: number;
  /** First backoff ceiling (doubles per attempt). */
  readonly baseBackoffMs: number;
  /** Cap of the backoff ceiling. */
  readonly maxBackoffMs: number;
  /** Longest provider-advertised wait honoured in process. */
  readonly maxRetryWaitMs: number;
  /** Jitter source in [0, 1). @default Math.random */
  readonly random?: Random;
  /** Names the owner in configuration errors. @default 'RetryPolicy' */
  readonly owner?: string;
}

/** A failed attempt worth retrying, as the client read it. */
export interface RetryableFailure {
  /** HTTP status, when there was a response. */
  readonly status?: number | undefined;
  /** What the response asked to wait, in ms ({@link advertisedWaitMs}). */
  readonly advertisedMs?: number | undefined;
}

export type RetryStep =
  /** Send again after `delayMs`; with `holdAllMs`, pause every call of the shared limiter that long. */
  | { readonly kind: 'retry'; readonly delayMs: number; readonly holdAllMs?: number }
  /** The attempts are used up. */
  | { readonly kind: 'exhausted'; readonly attempts: number }
  /** The provider asked to wait longer than `maxRetryWaitMs`. */
  | { readonly kind: 'wait-too-long'; readonly waitMs: number; readonly maxWaitMs: number };

export class RetryPolicy {
  readonly maxAttempts: number;
  readonly baseBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly maxRetryWaitMs: number;
  private readonly random: Random;

  constructor(options: RetryPolicyOptions) {
    const owner = options.owner ?? 'RetryPolicy';
    this.maxAttempts = positiveInteger(owner, 'maxAttempts', options.maxAttempts);
    this.baseBackoffMs = nonNegativeNumber(owner, 'baseBackoffMs', options.baseBackoffMs);
    this.maxBackoffMs = nonNegativeNumber(owner, 'maxBackoffMs', options.maxBackoffMs);
    this.maxRetryWaitMs = nonNegativeNumber(owner, 'maxRetryWaitMs', options.maxRetryWaitMs);
    this.random = options.random ?? Math.random;
  }

  /** What to do after attempt `attempt` (1 = the first) failed with `failure`. */
  next(attempt: number, failure: RetryableFailure): RetryStep {
    const advertised = failure.advertisedMs;
    if (advertised !== undefined && this.exceedsWaitCap(advertised)) {
      return { kind: 'wait-too-long', waitMs: advertised, maxWaitMs: this.maxRetryWaitMs };
    }
    if (attempt >= this.maxAttempts) return { kind: 'exhausted', attempts: attempt };
    const jittered = backoffMs(attempt, this.random(), { baseMs: this.baseBackoffMs, maxMs: this.maxBackoffMs });
    const delayMs = Math.max(advertised ?? 0, jittered);
    // Throttled with a stated wait: whoever shares the budget holds off too.
    return failure.status === 429 && advertised !== undefined && advertised > 0
      ? { kind: 'retry', delayMs, holdAllMs: advertised }
      : { kind: 'retry', delayMs };
  }

  /** Whether a wait (advertised, or a pause in force) is longer than a client should sleep through. */
  exceedsWaitCap(waitMs: number): boolean {
    return waitMs > this.maxRetryWaitMs;
  }
}
