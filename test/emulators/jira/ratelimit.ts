/**
 * Jira Cloud's REST rate limiting as the emulator applies it.
 *
 * Sources:
 * - https://developer.atlassian.com/cloud/jira/platform/rate-limiting/ (quoted in
 *   https://jira.atlassian.com/browse/JRACLOUD-69262): 429 responses carry `Retry-After`
 *   (seconds to wait) and `X-RateLimit-Reset` ("the timestamp (in ISO 8601 format) when the
 *   rate limit will reset … in the format: yyyy-MM-ddTHH:mmZ"), plus `X-RateLimit-Limit`
 *   (maximum requests in the window), `X-RateLimit-Remaining`, `X-RateLimit-NearLimit: true`
 *   when less than 20 % of the budget is left, and `RateLimit-Reason` naming the limit hit.
 * - https://developer.atlassian.com/cloud/jira/platform/build-an-app-that-respects-rate-limits/:
 *   RateLimit-Reason values jira-burst-based ("per second", one tenant, one endpoint, one HTTP
 *   method), jira-per-issue-on-write, and the quota reasons (jira-quota-tenant-based /
 *   jira-quota-global-based) for app traffic. "API token-based traffic is not affected" by the
 *   2026 points quotas and "will continue to be governed by existing burst rate limits".
 * - Atlassian does not publish the burst number; the default here (100 per second per method and
 *   route) is a stand-in, configurable. The 429 body is not documented; the emulator sends the
 *   standard ErrorCollection `{errorMessages: ["Rate limit exceeded."], errors: {}}`.
 */

export interface RateLimits {
  /** Requests per window for one method + route (burst). undefined: no limit. @default 100 */
  readonly perWindow?: number | undefined;
  /** @default 1000 */
  readonly windowMs?: number;
  /** Seconds sent in Retry-After; default: until the window frees up (at least 1). */
  readonly retryAfterSeconds?: number;
  /** @default 'jira-burst-based' */
  readonly reason?: string;
}

export const DEFAULT_LIMITS: RateLimits = { perWindow: 100, windowMs: 1000, reason: 'jira-burst-based' };

/** `yyyy-MM-ddTHH:mmZ`, the X-RateLimit-Reset format. */
export const resetStamp = (ms: number): string => `${new Date(ms).toISOString().slice(0, 16)}Z`;

export class RateLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(private readonly now: () => number, private limits: RateLimits) {}

  set(limits: RateLimits): void { this.limits = limits; }
  reset(): void { this.hits.clear(); }

  /** Counts a request; returns headers for the response, and `limited` when it must be refused. */
  take(bucket: string): { limited: boolean; headers: Record<string, string> } {
    const limit = this.limits.perWindow;
    if (limit === undefined) return { limited: false, headers: {} };
    const window = this.limits.windowMs ?? 1000;
    const now = this.now();
    const kept = (this.hits.get(bucket) ?? []).filter((t) => t > now - window);
    this.hits.set(bucket, kept);
    if (kept.length >= limit) {
      const freeAt = (kept[0] ?? now) + window;
      const retryAfter = this.limits.retryAfterSeconds ?? Math.max(1, Math.ceil((freeAt - now) / 1000));
      return {
        limited: true,
        headers: {
          'retry-after': String(retryAfter), 'x-ratelimit-limit': String(limit), 'x-ratelimit-remaining': '0', 'x-ratelimit-nearlimit': 'true',
          'x-ratelimit-reset': resetStamp(now + retryAfter * 1000), 'ratelimit-reason': this.limits.reason ?? 'jira-burst-based',
        },
      };
    }
    kept.push(now);
    const remaining = limit - kept.length;
    return {
      limited: false,
      headers: { 'x-ratelimit-limit': String(limit), 'x-ratelimit-remaining': String(remaining), ...(remaining < limit * 0.2 ? { 'x-ratelimit-nearlimit': 'true' } : {}) },
    };
  }
}
