/**
 * Rate limiting as Confluence Cloud describes it.
 *
 * Sources: https://developer.atlassian.com/cloud/confluence/rate-limiting/ — any REST API can
 * answer 429; `Retry-After` gives the seconds to wait; `X-RateLimit-Reset` is the ISO 8601 time
 * the limit resets ("request timestamp plus the Retry-After period", format
 * `yyyy-MM-ddTHH:mmZ`); `X-RateLimit-Limit`, `X-RateLimit-Remaining`, `X-RateLimit-NearLimit:
 * true` when under 20% of the budget remains, and `RateLimit-Reason` naming the rule that
 * tripped. Limits are applied independently to a burst period (10 seconds) and a quota period
 * (1 hour); API-token traffic is governed by burst limits only, and their numbers are not
 * published ("REST API rate limits are not published because the computation logic is
 * evolving"). The emulator's default — 100 requests per 10 s per account — is therefore its own
 * choice; tests turn it up, down or off. The 429 body uses the API's error format (v2
 * `errors[]`, v1 `statusCode`/`message`); Atlassian documents no body for it.
 */

export interface RateLimits {
  /** Requests per window per account; `Infinity` turns limiting off. @default 100 */
  readonly max?: number;
  /** @default 10_000 (the documented burst period) */
  readonly windowMs?: number;
  /** `RateLimit-Reason` value. @default 'confluence-burst-based' */
  readonly reason?: string;
}

export interface RateDecision {
  readonly limited: boolean;
  readonly headers: Record<string, string>;
}

export class RateLimiter {
  private readonly hits = new Map<string, number[]>();
  constructor(private readonly now: () => number, private limits: RateLimits = {}) {}

  set(limits: RateLimits): void {
    this.limits = limits;
  }

  reset(): void {
    this.hits.clear();
  }

  take(account: string): RateDecision {
    const max = this.limits.max ?? 100;
    const windowMs = this.limits.windowMs ?? 10_000;
    if (!Number.isFinite(max)) return { limited: false, headers: {} };
    const now = this.now();
    const kept = (this.hits.get(account) ?? []).filter((t) => t > now - windowMs);
    this.hits.set(account, kept);
    if (kept.length >= max) {
      const resetAt = (kept[0] ?? now) + windowMs;
      const retryAfter = Math.max(1, Math.ceil((resetAt - now) / 1000));
      return {
        limited: true,
        headers: {
          'retry-after': String(retryAfter),
          'x-ratelimit-limit': String(max),
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': new Date(now + retryAfter * 1000).toISOString().slice(0, 16) + 'Z',
          'ratelimit-reason': this.limits.reason ?? 'confluence-burst-based',
        },
      };
    }
    kept.push(now);
    const remaining = max - kept.length;
    return { limited: false, headers: remaining < max * 0.2 ? { 'x-ratelimit-nearlimit': 'true' } : {} };
  }
}
