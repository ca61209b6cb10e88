import { documentIssuesOf } from '../../shared/core/document-issues.ts';
import { isLive } from '../../shared/core/fetch-run.ts';
import type { DocumentIssue, RunRecord } from '../../shared/ports/index.ts';
import { isLocalOwnerAlive, type LocalStack } from '../../shared/wiring/local-stack.ts';

export interface SourceStatus {
  id: string;
  kind: string;
  documents: number;
  watermark: string | null;
  lastSuccessAt: string | null;
  lagSeconds: number | null;
  freshnessSloMinutes: number;
  stale: boolean;
  running: boolean;
  consecutiveFailures: number;
  lastError: string | null;
  breaker: string | null;
  /** Documents the latest run could not index (carried until read again): they keep their old vectors, if any. */
  docsSkipped: number;
  skipped: DocumentIssue[];
  /** Documents indexed with a caveat (invalid UTF-8 replaced by U+FFFD). */
  warnings: DocumentIssue[];
  /** False when anything needs a look: stale, failing, breaker, skipped documents. */
  healthy: boolean;
  lastRun: Pick<RunRecord, 'trigger' | 'status' | 'startedAt' | 'docsChanged' | 'docsDeleted' | 'chunksEmbedded' | 'tasksFailed'> & { finishedAt: string | null; docsSkipped: number; taskError: string | null } | null;
}

export interface StatusReport {
  generatedAt: string;
  sources: SourceStatus[];
  queues: { fetch: { visible: number; inFlight: number }; embed: { visible: number; inFlight: number } };
  deadLetters: Array<{ queue: string; reason: string }>;
}

/** Freshness, failures and queue health of every configured source. */
export async function collectStatus(stack: LocalStack): Promise<StatusReport> {
  const { deps, loaded } = stack;
  const now = deps.clock.now();
  const states = await stack.state.getSources(loaded.config.sources.map((s) => s.id));
  const sources: SourceStatus[] = [];
  for (const source of loaded.config.sources) {
    const state = states.get(source.id);
    let documents = 0;
    for await (const entry of stack.state.listDocuments(source.id)) if (isLive(entry)) documents += 1;
    const [run] = await stack.state.listRuns(source.id, 1);
    const lagSeconds = state?.watermark ? Math.max(0, Math.round((now - Date.parse(state.watermark)) / 1000)) : null;
    // Never synced counts as stale: silence must alarm too.
    const stale = lagSeconds === null || lagSeconds > source.freshnessSloMinutes * 60;
    const issues = documentIssuesOf(run);
    sources.push({
      id: source.id, kind: source.kind, documents,
      watermark: state?.watermark ?? null, lastSuccessAt: state?.lastSuccessAt ?? null, lagSeconds,
      freshnessSloMinutes: source.freshnessSloMinutes,
      stale,
      // A lease whose holder died (SIGKILL) is not a run: the next run takes it over at once.
      running: state?.leaseOwner !== undefined && (state.leaseUntil ?? 0) >= now && isLocalOwnerAlive(state.leaseOwner) !== false,
      consecutiveFailures: state?.consecutiveFailures ?? 0,
      lastError: state?.lastError ?? null,
      breaker: state?.breaker
        ? `refused to delete ${state.breaker.wouldDelete} of ${state.breaker.known} documents at ${state.breaker.trippedAt} (limit ${Math.round(state.breaker.maxShare * 100)}%); run \`tributary sync --source ${source.id} --allow-mass-delete\` if the deletions are real`
        : null,
      ...issues,
      healthy: !stale && state?.lastError === undefined && state?.breaker === undefined && issues.docsSkipped === 0 && run?.taskError === undefined,
      lastRun: run ? {
        trigger: run.trigger, status: run.status, startedAt: run.startedAt, finishedAt: run.finishedAt ?? null,
        docsChanged: run.docsChanged ?? 0, docsDeleted: run.docsDeleted ?? 0, chunksEmbedded: run.chunksEmbedded ?? 0, tasksFailed: run.tasksFailed ?? 0,
        docsSkipped: issues.docsSkipped, taskError: run.taskError ?? null,
      } : null,
    });
  }
  const [fetchDepth, embedDepth, fetchDead, embedDead] = await Promise.all([
    stack.queue.depth('fetch'), stack.queue.depth('embed'),
    stack.queue.listDeadLetters('fetch', 10), stack.queue.listDeadLetters('embed', 10),
  ]);
  return {
    generatedAt: new Date(now).toISOString(),
    sources,
    queues: { fetch: fetchDepth, embed: embedDepth },
    deadLetters: [
      ...fetchDead.map((d) => ({ queue: 'fetch', reason: d.reason ?? 'unknown' })),
      ...embedDead.map((d) => ({ queue: 'embed', reason: d.reason ?? 'unknown' })),
    ],
  };
}
