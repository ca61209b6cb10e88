/**
 * Primary and secondary rate limits, and injected faults.
 *
 * Sources:
 * - https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api — personal
 *   access tokens 5,000 requests per hour; unauthenticated 60 per hour (per IP); installation
 *   tokens at least 5,000. Every response carries `x-ratelimit-limit`, `x-ratelimit-remaining`,
 *   `x-ratelimit-used`, `x-ratelimit-reset` (UTC epoch seconds) and `x-ratelimit-resource`
 *   (`core`). Exceeding the primary limit → "403 or 429 response, and the
 *   x-ratelimit-remaining header will be 0"; exceeding a secondary limit → "403 or 429 and an
 *   error message that indicates that you exceeded a secondary rate limit", with `retry-after`
 *   seconds when present.
 * - Primary message: `API rate limit exceeded for user ID <id>.` / `… for installation ID <id>.`
 *   (as live responses quote it, e.g. KnpLabs/php-github-api#1070); unauthenticated:
 *   `API rate limit exceeded for <ip>. (But here's the good news: Authenticated requests get a
 *   higher rate limit. Check out the documentation for more details.)` (docs example).
 *   Secondary: `You have exceeded a secondary rate limit. Please wait a few minutes before you
 *   try again. If you reach out to GitHub Support for help, please include the request ID <id>.`
 *   (@octokit/plugin-throttling recognises it by /\bsecondary rate\b/i).
 * - https://docs.github.com/rest/using-the-rest-api/best-practices-for-using-the-rest-api#use-conditional-requests-if-appropriate
 *   — a 304 for a correctly authorised conditional request does not count against the primary
 *   limit.
 * - The window: reset is one hour after the first counted request of the window (GitHub's
 *   window is per hour; its exact anchoring is not documented).
 */

import { ApiError } from './errors.ts';

const HOUR_MS = 3_600_000;
const RATE_DOCS = 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api';

export interface Window { used: number; resetAt: number }

export interface SecondaryLimit {
  /** Route key (`GET /repos/{owner}/{repo}/issues`) or '*' for every route. */
  readonly route: string;
  /** Requests to refuse. */
  count: number;
  readonly status: 403 | 429;
  /** `retry-after` seconds; omitted header when undefined. */
  readonly retryAfter?: number;
}

export interface Fault { readonly route: string; count: number; readonly status: number; readonly message?: string }

export class RateLimits {
  private readonly windows = new Map<string, Window>();
  private readonly secondary: SecondaryLimit[] = [];
  private readonly faults: Fault[] = [];
  /** Status of a primary-limit refusal. */
  primaryStatus: 403 | 429 = 403;
  /** Set to false to never refuse for the primary limit (headers are still sent). */
  enabled = true;
  /** Overrides every credential's hourly limit when set. */
  limitOverride: number | undefined;

  constructor(private readonly now: () => number) {}

  window(key: string): Window {
    let w = this.windows.get(key);
    if (!w || w.resetAt <= this.now()) this.windows.set(key, (w = { used: 0, resetAt: this.now() + HOUR_MS }));
    return w;
  }

  headers(key: string, limit: number): Record<string, string> {
    const w = this.window(key);
    const effective = this.limitOverride ?? limit;
    return {
      'x-ratelimit-limit': String(effective), 'x-ratelimit-remaining': String(Math.max(0, effective - w.used)),
      'x-ratelimit-used': String(w.used), 'x-ratelimit-reset': String(Math.ceil(w.resetAt / 1000)), 'x-ratelimit-resource': 'core',
    };
  }

  /** Refuses with the primary-limit error when `key` has no requests left, else counts one. */
  take(key: string, limit: number, who: string): void {
    const w = this.window(key);
    const effective = this.limitOverride ?? limit;
    if (this.enabled && w.used >= effective) {
      const message = who.startsWith('ip ')
        ? `API rate limit exceeded for ${who.slice(3)}. (But here's the good news: Authenticated requests get a higher rate limit. Check out the documentation for more details.)`
        : `API rate limit exceeded for ${who}.`;
      throw new ApiError(this.primaryStatus, message, `${RATE_DOCS}#about-the-primary-rate-limit`, undefined, this.headers(key, limit));
    }
    w.used += 1;
  }

  /** Gives back a counted request (a 304 does not count). */
  refund(key: string): void {
    const w = this.window(key);
    w.used = Math.max(0, w.used - 1);
  }

  reset(): void {
    this.windows.clear();
  }

  injectSecondary(limit: SecondaryLimit): void {
    this.secondary.push({ ...limit });
  }

  injectFault(fault: Fault): void {
    this.faults.push({ ...fault });
  }

  /** An injected secondary-limit refusal for `route`, if one is pending. */
  secondaryFor(route: string, requestId: string): ApiError | undefined {
    const hit = this.secondary.find((s) => s.count > 0 && (s.route === '*' || s.route === route));
    if (!hit) return undefined;
    hit.count -= 1;
    return new ApiError(
      hit.status,
      `You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID ${requestId}.`,
      `${RATE_DOCS}#about-secondary-rate-limits`, undefined, hit.retryAfter === undefined ? {} : { 'retry-after': String(hit.retryAfter) },
    );
  }

  faultFor(route: string): ApiError | undefined {
    const hit = this.faults.find((f) => f.count > 0 && (f.route === '*' || f.route === route));
    if (!hit) return undefined;
    hit.count -= 1;
    const text: Record<number, string> = { 500: 'Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: "We couldn't respond to your request in time. Sorry about that. Please try resubmitting your request and contact us if the problem persists." };
    return new ApiError(hit.status, hit.message ?? text[hit.status] ?? 'Server Error');
  }
}
