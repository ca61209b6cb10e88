/**
 * The per-integration request budget.
 *
 * Sources:
 * - https://developers.notion.com/reference/request-limits (the .md revision): "The rate limit for
 *   incoming requests per connection is an average of three requests per second. Some bursts
 *   beyond the average rate are allowed." 429 `rate_limited`; `Retry-After` "set as an integer
 *   number of seconds (in decimal)".
 * - The newer revision of the same page: "Each connection has a fixed budget of requests per
 *   60-second window, based on the workspace's plan: The budget can be spent at any pace within
 *   the window — spread out evenly or in a single burst. When a request exceeds this limit, the
 *   Retry-After value is the time until the window resets, so it is at most 60 seconds." It adds
 *   `additional_data.rate_limit_reason`; the per-plan numbers and the reason strings were not
 *   captured, so the emulator sends no additional_data.
 *
 * Model chosen: a fixed 60-second window per token holding 180 requests (= 3 req/s on average;
 * a burst of up to 180 is allowed, as the window text says). Retry-After = whole seconds until the
 * window resets, rounded up, at least 1. Refused requests do not count. Both numbers are options.
 */

export interface RateLimit {
  /** Requests allowed per window. @default 180 */
  readonly requests: number;
  /** @default 60_000 */
  readonly windowMs: number;
}

export const DOCUMENTED_LIMIT: RateLimit = { requests: 180, windowMs: 60_000 };

export class RateLimiter {
  private readonly windows = new Map<string, { start: number; used: number }>();

  constructor(private readonly now: () => number, private limit: RateLimit | false) {}

  set(limit: RateLimit | false): void {
    this.limit = limit;
    this.windows.clear();
  }

  reset(): void {
    this.windows.clear();
  }

  /** Counts one request of `token`; the Retry-After seconds when over budget. */
  take(token: string): number | undefined {
    if (this.limit === false) return undefined;
    const now = this.now();
    let window = this.windows.get(token);
    if (!window || now - window.start >= this.limit.windowMs) {
      window = { start: now, used: 0 };
      this.windows.set(token, window);
    }
    if (window.used >= this.limit.requests) {
      return Math.max(1, Math.ceil((window.start + this.limit.windowMs - now) / 1000));
    }
    window.used += 1;
    return undefined;
  }
}
