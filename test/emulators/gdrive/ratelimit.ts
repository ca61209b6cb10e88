/**
 * Per-user query quota and injected faults.
 *
 * Sources:
 * - https://developers.google.com/workspace/drive/api/guides/limits — "Queries per 60 seconds:
 *   12,000" and "Queries per 60 seconds per user: 12,000"; over a quota → "403: User rate limit
 *   exceeded"; "additional rate limit checks on the Drive backend might also generate a 429: Too
 *   many requests response"; use truncated exponential backoff. Calls to changes.watch and
 *   channels.stop count; notifications delivered to the address do not. No Retry-After header
 *   is documented, and none is sent.
 * - Bodies: ./errors.ts (userRateLimitExceeded / rateLimitExceeded, domain usageLimits;
 *   backendError for 500/503).
 */

import { backendError, DriveError, rateLimitExceeded, userRateLimitExceeded } from './errors.ts';

export interface RateLimitOptions {
  /** Queries per window per user. @default 12_000 */
  readonly perUser?: number;
  /** @default 60_000 */
  readonly windowMs?: number;
  /** The answer over quota: 403 userRateLimitExceeded, or 429 rateLimitExceeded. @default 403 */
  readonly status?: 403 | 429;
}

export class RateLimiter {
  private readonly hits = new Map<string, number[]>();
  constructor(private readonly now: () => number, public options: RateLimitOptions | false) {}

  reset(): void {
    this.hits.clear();
  }

  /** Counts one query of `userId`, or throws Drive's quota error. */
  take(userId: string): void {
    if (this.options === false) return;
    const windowMs = this.options.windowMs ?? 60_000;
    const limit = this.options.perUser ?? 12_000;
    const now = this.now();
    const kept = (this.hits.get(userId) ?? []).filter((t) => t > now - windowMs);
    this.hits.set(userId, kept);
    if (kept.length >= limit) throw this.options.status === 429 ? rateLimitExceeded(429) : userRateLimitExceeded();
    kept.push(now);
  }
}

export interface Fault {
  remaining: number;
  readonly status: number;
}

/** "Fail the next N requests of a route with a status" (500/503 → backendError, 429/403 → quota bodies). */
export class Faults {
  private readonly byRoute = new Map<string, Fault>();

  failNext(route: string, count: number, status: number): void {
    this.byRoute.set(route, { remaining: count, status });
  }

  clear(): void {
    this.byRoute.clear();
  }

  check(route: string): void {
    const f = this.byRoute.get(route) ?? this.byRoute.get('*');
    if (!f || f.remaining <= 0) return;
    f.remaining -= 1;
    if (f.status === 429) throw rateLimitExceeded(429);
    if (f.status === 403) throw userRateLimitExceeded();
    if (f.status >= 500) throw backendError(f.status);
    throw new DriveError(f.status, 'badRequest', 'Injected failure');
  }
}
