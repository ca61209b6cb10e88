import { documentIssuesOf } from './document-issues.ts';
import type { DocumentIssue, RunRecord, SourceState } from '../ports/index.ts';

/** What `status`, the status page and the admin API say of one source. */
export interface SourceReport {
  readonly id: string;
  readonly watermark: string | null;
  readonly lastSuccessAt: string | null;
  /** Seconds since the watermark of the last completed pass; null when never synced. */
  readonly lagSeconds: number | null;
  readonly freshnessSloMinutes: number;
  /** Older than the SLO, or never synced (silence must alarm too). */
  readonly stale: boolean;
  readonly running: boolean;
  readonly consecutiveFailures: number;
  readonly lastError: string | null;
  readonly breaker: string | null;
  /** Documents the latest run could not index (carried until read again): they keep their old vectors, if any. */
  readonly docsSkipped: number;
  readonly skipped: DocumentIssue[];
  /** Documents indexed with a caveat (invalid UTF-8 replaced by U+FFFD). */
  readonly warnings: DocumentIssue[];
  /** False when anything needs a look: stale, failing, breaker, skipped documents, a refused task. */
  readonly healthy: boolean;
  readonly lastRun: (Pick<RunRecord, 'trigger' | 'status' | 'startedAt' | 'docsChanged' | 'docsDeleted' | 'chunksEmbedded' | 'tasksFailed'>
    & { finishedAt: string | null; docsSkipped: number; taskError: string | null }) | null;
}

/**
 * One source's report from its state and its latest run. `isOwnerAlive` tells of a lease whose
 * holder died (locally: a SIGKILLed process), which is no run at all.
 */
export function reportSource(input: {
  sourceId: string; state: SourceState | undefined; lastRun: RunRecord | undefined; now: number; freshnessSloMinutes: number;
  isOwnerAlive?: (owner: string) => boolean | undefined;
}): SourceReport {
  const { sourceId, state, lastRun: run, now } = input;
  const lagSeconds = state?.watermark ? Math.max(0, Math.round((now - Date.parse(state.watermark)) / 1000)) : null;
  const stale = lagSeconds === null || lagSeconds > input.freshnessSloMinutes * 60;
  const issues = documentIssuesOf(run);
  return {
    id: sourceId,
    watermark: state?.watermark ?? null,
    lastSuccessAt: state?.lastSuccessAt ?? null,
    lagSeconds,
    freshnessSloMinutes: input.freshnessSloMinutes,
    stale,
    running: state?.leaseOwner !== undefined && (state.leaseUntil ?? 0) >= now && input.isOwnerAlive?.(state.leaseOwner) !== false,
    consecutiveFailures: state?.consecutiveFailures ?? 0,
    lastError: state?.lastError ?? null,
    breaker: state?.breaker
      ? `refused to delete ${state.breaker.wouldDelete} of ${state.breaker.known} documents at ${state.breaker.trippedAt} (limit ${Math.round(state.breaker.maxShare * 100)}%); run \`tributary sync --source ${sourceId} --allow-mass-delete\` if the deletions are real`
      : null,
    ...issues,
    healthy: !stale && state?.lastError === undefined && state?.breaker === undefined && issues.docsSkipped === 0 && run?.taskError === undefined,
    lastRun: run ? {
      trigger: run.trigger, status: run.status, startedAt: run.startedAt, finishedAt: run.finishedAt ?? null,
      docsChanged: run.docsChanged ?? 0, docsDeleted: run.docsDeleted ?? 0, chunksEmbedded: run.chunksEmbedded ?? 0, tasksFailed: run.tasksFailed ?? 0,
      docsSkipped: issues.docsSkipped, taskError: run.taskError ?? null,
    } : null,
  };
}
