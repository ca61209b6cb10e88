import type { SourceState } from '../ports/index.ts';

/**
 * Lag reported for a source that never completed a sync. Large enough to breach any SLO,
 * so silence alarms as loudly as staleness does.
 */
export const NEVER_SYNCED_LAG_SECONDS = 10 * 365 * 86_400;

export interface SourceHealth {
  readonly sourceId: string;
  /** Seconds since the watermark of the last completed sync. */
  readonly freshnessLagSeconds: number;
  readonly consecutiveFailures: number;
  /** 1 when a lease is recorded as held but has expired (a run died holding it). */
  readonly leaseStuck: 0 | 1;
  /** 1 while the mass-delete breaker holds deletions back (until a sync runs with the override or the listing recovers). */
  readonly breakerTripped: 0 | 1;
}

export function sourceHealth(sourceId: string, state: SourceState | undefined, now: number): SourceHealth {
  const watermark = state?.watermark ? Date.parse(state.watermark) : Number.NaN;
  return {
    sourceId,
    freshnessLagSeconds: Number.isFinite(watermark) ? Math.max(0, Math.round((now - watermark) / 1000)) : NEVER_SYNCED_LAG_SECONDS,
    consecutiveFailures: state?.consecutiveFailures ?? 0,
    leaseStuck: state?.leaseOwner !== undefined && (state.leaseUntil ?? 0) < now ? 1 : 0,
    breakerTripped: state?.breaker !== undefined ? 1 : 0,
  };
}
