/**
 * Per-token request budget.
 *
 * Source: Tempo KB "Best Practices for Tempo Cloud REST API"
 * (tempo-io.atlassian.net/wiki/spaces/KB/pages/2653650984): "the Tempo API gateway has a rate
 * limit of 5 requests per second, regardless of the connection types", "Max 3 batches of 5r/s
 * running in parallel … by memory zone of 10mb", "429 Too many requests — Retry after at least 1
 * second". https://apidocs.tempo.io/ ("Rate limiting") adds that "the exact number of calls
 * depends on the load of the system at any given time" and that the answer is a 429.
 *
 * Modelled as a token bucket per bearer token: `perSecond` refill, `burst` capacity (nginx
 * `limit_req rate=5r/s burst=…`; the burst Tempo configures is not published — the default lets
 * 5 requests through at once). A refused request costs nothing.
 */

export interface RateLimit {
  /** @default 5 */
  readonly perSecond: number;
  /** Requests that may arrive at once. @default 5 */
  readonly burst: number;
  /** Send `Retry-After: <n>` with 429s (undocumented, so off unless asked). */
  readonly retryAfterSeconds?: number;
}

export const DOCUMENTED_RATE_LIMIT: RateLimit = { perSecond: 5, burst: 5 };

export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly now: () => number, private limit: RateLimit | false) {}

  set(limit: RateLimit | false): void {
    this.limit = limit;
    this.buckets.clear();
  }

  get current(): RateLimit | false {
    return this.limit;
  }

  reset(): void {
    this.buckets.clear();
  }

  /** Takes one request for `token`; false when over the limit. */
  take(token: string): boolean {
    if (!this.limit) return true;
    const now = this.now();
    const bucket = this.buckets.get(token) ?? { tokens: this.limit.burst, at: now };
    bucket.tokens = Math.min(this.limit.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.limit.perSecond);
    bucket.at = now;
    this.buckets.set(token, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}
