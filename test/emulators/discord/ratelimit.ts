/**
 * HTTP rate limits as https://discord.com/developers/docs/topics/rate-limits describes them.
 *
 * - Per-route buckets, keyed by method + route, counted separately per top-level resource
 *   (`channel_id`, `guild_id`, `webhook_id`) in the path. Every answer from a limited route carries
 *   `X-RateLimit-Limit`, `-Remaining`, `-Reset` (epoch seconds, decimals), `-Reset-After`
 *   (seconds, decimals) and `-Bucket` (an opaque hash that does not include the top-level id).
 * - `X-RateLimit-Scope` and `X-RateLimit-Global` are "Returned only on HTTP 429 responses".
 * - 429 body `{message, retry_after (float seconds), global}` plus `Retry-After`; the docs'
 *   examples show `Retry-After: 65` beside `retry_after: 64.57`, so the header is the retry time
 *   rounded up to whole seconds. A route 429 keeps the normal bucket headers; the global 429 sends
 *   only `Retry-After`, `X-RateLimit-Global: true`, `X-RateLimit-Scope: global`.
 * - Global: 50 requests per second per bot. "shared" scope: a per-resource limit, message "The
 *   resource is being rate limited." (docs example), injectable with `injectRateLimit`.
 *
 * Real per-route numbers are not documented ("should not be hard coded"); the defaults here are
 * permissive and tests set their own.
 */

import { createHash } from 'node:crypto';
import type { RESTRateLimit } from 'discord-api-types/v10';

export interface BucketLimit {
  /** Requests per window. */
  readonly limit: number;
  readonly windowMs: number;
}

export interface RateLimitConfig {
  /** Every route's bucket unless listed in `routes`. @default 50 per 1000 ms */
  readonly route?: BucketLimit;
  /** Per route, keyed like "GET /channels/{channel.id}/messages". */
  readonly routes?: Readonly<Record<string, BucketLimit>>;
  /** Requests per second across all routes. @default 50 (the documented global limit) */
  readonly globalPerSecond?: number;
}

export interface InjectedLimit {
  /** Only this route ("GET /channels/{channel.id}/messages"). @default any */
  readonly route?: string;
  readonly scope: 'user' | 'shared';
  readonly retryAfterSeconds: number;
}

export interface LimitDecision {
  readonly headers: Record<string, string>;
  /** Set when the request is refused. */
  readonly refused?: { readonly body: RESTRateLimit; readonly headers: Record<string, string> };
  readonly bucket?: string;
}

interface Window {
  count: number;
  resetAt: number;
}

const seconds = (ms: number): string => (Math.max(0, ms) / 1000).toFixed(3);

export class RateLimiter {
  private config: Required<Pick<RateLimitConfig, 'route' | 'globalPerSecond'>> & { routes: Readonly<Record<string, BucketLimit>> };
  private readonly windows = new Map<string, Window>();
  private global: Window = { count: 0, resetAt: 0 };
  private readonly injected: InjectedLimit[] = [];

  constructor(config: RateLimitConfig = {}, private readonly clock: () => number = () => Date.now()) {
    this.config = this.normalise(config);
  }

  configure(config: RateLimitConfig): void {
    this.config = this.normalise(config);
    this.windows.clear();
    this.global = { count: 0, resetAt: 0 };
  }

  /** The next request (to `route`, if given) is answered 429 with this scope. */
  inject(limit: InjectedLimit): void {
    this.injected.push(limit);
  }

  static bucketHash(route: string): string {
    return createHash('md5').update(route).digest('hex');
  }

  check(route: string, major: string): LimitDecision {
    const now = this.clock();
    if (now >= this.global.resetAt) this.global = { count: 0, resetAt: now + 1000 };
    if (this.global.count >= this.config.globalPerSecond) {
      const retry = (this.global.resetAt - now) / 1000;
      return {
        headers: {},
        refused: {
          body: { message: 'You are being rate limited.', retry_after: Number(retry.toFixed(3)), global: true },
          headers: { 'retry-after': String(Math.ceil(retry)), 'x-ratelimit-global': 'true', 'x-ratelimit-scope': 'global' },
        },
      };
    }
    const limit = this.config.routes[route] ?? this.config.route;
    const hash = RateLimiter.bucketHash(route);
    const key = `${hash}:${major}`;
    let window = this.windows.get(key);
    if (!window || now >= window.resetAt) {
      window = { count: 0, resetAt: now + limit.windowMs };
      this.windows.set(key, window);
    }
    const bucketHeaders = (remaining: number): Record<string, string> => ({
      'x-ratelimit-limit': String(limit.limit), 'x-ratelimit-remaining': String(remaining),
      'x-ratelimit-reset': (window.resetAt / 1000).toFixed(3), 'x-ratelimit-reset-after': seconds(window.resetAt - now), 'x-ratelimit-bucket': hash,
    });
    const injected = this.injected.findIndex((i) => i.route === undefined || i.route === route);
    if (injected >= 0) {
      const { scope, retryAfterSeconds } = this.injected.splice(injected, 1)[0]!;
      return {
        bucket: hash, headers: {},
        refused: {
          body: { message: scope === 'shared' ? 'The resource is being rate limited.' : 'You are being rate limited.', retry_after: retryAfterSeconds, global: false },
          headers: { ...bucketHeaders(Math.max(0, limit.limit - window.count)), 'retry-after': String(Math.ceil(retryAfterSeconds)), 'x-ratelimit-scope': scope },
        },
      };
    }
    if (window.count >= limit.limit) {
      const retry = (window.resetAt - now) / 1000;
      return {
        bucket: hash, headers: {},
        refused: {
          body: { message: 'You are being rate limited.', retry_after: Number(retry.toFixed(3)), global: false },
          headers: { ...bucketHeaders(0), 'retry-after': String(Math.ceil(retry)), 'x-ratelimit-scope': 'user' },
        },
      };
    }
    window.count += 1;
    this.global.count += 1;
    return { bucket: hash, headers: bucketHeaders(limit.limit - window.count) };
  }

  private normalise(config: RateLimitConfig): Required<Pick<RateLimitConfig, 'route' | 'globalPerSecond'>> & { routes: Readonly<Record<string, BucketLimit>> } {
    return { route: config.route ?? { limit: 50, windowMs: 1000 }, routes: config.routes ?? {}, globalPerSecond: config.globalPerSecond ?? 50 };
  }
}
