/**
 * Per-API-key request budgets.
 *
 * Sources:
 * - https://docs.fireflies.ai/fundamentals/limits — Free / Pro: 50 requests per day; Business /
 *   Enterprise: 60 requests per minute (also https://docs.fireflies.ai/, "Usage beyond 50 api
 *   calls per day requires a Business account").
 * - https://docs.fireflies.ai/graphql-api/mutation/delete-transcript — deleteTranscript: 10
 *   requests per minute "across all user tiers", `too_many_requests` with a `retryAfter`.
 * - The error: https://docs.fireflies.ai/miscellaneous/error-codes#too_many_requests (status 429,
 *   extensions.metadata.retryAfter in epoch ms). No Retry-After header is documented, so none is
 *   sent. twentyhq/twenty's Fireflies backfill (run-fireflies-backfill.ts) reacts to HTTP 429.
 *
 * Windows slide (the docs do not say whether "per day" is a calendar day); a refused request is
 * not counted. Limits are per key, as the third-party skill tables put it and as a per-plan limit
 * implies.
 */

import type { Plan } from './workspace.ts';

export interface RateLimits {
  readonly perMinute?: number;
  readonly perDay?: number;
  /** @default 10 */
  readonly deleteTranscriptPerMinute?: number;
}

export const PLAN_LIMITS: Readonly<Record<Plan, RateLimits>> = {
  free: { perDay: 50, deleteTranscriptPerMinute: 10 },
  pro: { perDay: 50, deleteTranscriptPerMinute: 10 },
  business: { perMinute: 60, deleteTranscriptPerMinute: 10 },
  enterprise: { perMinute: 60, deleteTranscriptPerMinute: 10 },
};

const MINUTE = 60_000;
const DAY = 86_400_000;

export class RateLimiter {
  private readonly requests = new Map<string, number[]>();
  private readonly deletes = new Map<string, number[]>();

  constructor(private readonly now: () => number, private limits: RateLimits) {}

  set(limits: RateLimits): void {
    this.limits = limits;
  }

  reset(): void {
    this.requests.clear();
    this.deletes.clear();
  }

  /**
   * Counts one request of `apiKey` (and one deleteTranscript per occurrence in `rootFields`);
   * returns the epoch ms after which to retry when over a limit, else undefined.
   */
  take(apiKey: string, rootFields: readonly string[]): number | undefined {
    const now = this.now();
    const hits = prune(this.requests, apiKey, now - DAY);
    const deletes = prune(this.deletes, apiKey, now - MINUTE);
    const deleteCount = rootFields.filter((f) => f === 'deleteTranscript').length;
    const blocked = [
      over(hits, now, MINUTE, this.limits.perMinute, 1),
      over(hits, now, DAY, this.limits.perDay, 1),
      deleteCount > 0 ? over(deletes, now, MINUTE, this.limits.deleteTranscriptPerMinute ?? 10, deleteCount) : undefined,
    ].filter((t): t is number => t !== undefined);
    if (blocked.length > 0) return Math.max(...blocked);
    hits.push(now);
    for (let i = 0; i < deleteCount; i += 1) deletes.push(now);
    return undefined;
  }
}

function prune(map: Map<string, number[]>, key: string, since: number): number[] {
  const kept = (map.get(key) ?? []).filter((t) => t > since);
  map.set(key, kept);
  return kept;
}

/** When `cost` more hits would exceed `limit` within `window`: the time the window frees up. */
function over(hits: readonly number[], now: number, window: number, limit: number | undefined, cost: number): number | undefined {
  if (limit === undefined) return undefined;
  const inWindow = hits.filter((t) => t > now - window);
  if (inWindow.length + cost <= limit) return undefined;
  const freeing = inWindow[Math.min(inWindow.length - 1, Math.max(0, inWindow.length + cost - limit - 1))] ?? now;
  return freeing + window;
}
