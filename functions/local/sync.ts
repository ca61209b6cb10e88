import { createEmbedderHandler } from '../embedder/embedder.ts';
import { documentIssuesOf } from '../../shared/core/document-issues.ts';
import { runFetch, type FetchProgress, type FetchRunResult } from '../../shared/core/fetch-run.ts';
import type { DocumentIssue, FetchTask, RunRecord } from '../../shared/ports/index.ts';
import { isLocalOwnerAlive, type LocalStack } from '../../shared/wiring/local-stack.ts';
import { QueuePoller } from './poller.ts';
import { documentsWithoutTask } from './recovery.ts';
import { embedGroupPrefix } from '../../shared/adapters/task-routing.ts';
import { profileKeyOf } from '../../shared/core/profiles.ts';

/** One line of `sync --json`. */
export interface SourceSyncReport {
  id: string;
  status: 'synced' | 'deferred' | 'failed';
  docsSeen: number;
  docsChanged: number;
  docsDeleted: number;
  docsUnchanged: number;
  chunksEmbedded: number;
  embeddingCalls: number;
  tokensEmbedded: number;
  estimatedCostUsd: number;
  vectorsUpserted: number;
  vectorsDeleted: number;
  tasksFailed: number;
  /** Documents not indexed this time (unreadable, not text, refused): retried by the next sync. */
  docsSkipped: number;
  /** The skipped documents with the reason (a folder or channel ends with `/`). */
  skipped: DocumentIssue[];
  /** Documents indexed with a caveat (invalid UTF-8 replaced). */
  warnings: DocumentIssue[];
  /** Of `tasksFailed`, the tasks given up for a reason of their document's own (named in `skipped`). */
  documentTaskFailures: number;
  recovered: number;
  /** Embed tasks an interrupted run had left in the queue, applied by this sync too. */
  continued: number;
  durationMs: number;
  /** Per index profile, when the source lists profiles: what each changed, embedded and wrote. */
  profiles?: Record<string, ProfileSyncReport>;
  breaker?: string;
  error?: string;
}

/** One profile's counters in a sync report. */
export interface ProfileSyncReport {
  docsChanged: number;
  docsDeleted: number;
  docsUnchanged: number;
  chunksEmbedded: number;
  embeddingCalls: number;
  tokensEmbedded: number;
  estimatedCostUsd: number;
  vectorsUpserted: number;
  vectorsDeleted: number;
}

export interface SyncProgress {
  readonly sourceId: string;
  readonly fetch?: FetchProgress;
  readonly tasksDone: number;
  readonly tasksEnqueued: number;
}

export interface SyncOptions {
  readonly sourceIds: readonly string[];
  readonly full: boolean;
  readonly allowMassDelete: boolean;
  /** Re-embed every changed chunk even when its text is in the embedding cache. */
  readonly noCache?: boolean;
  readonly onProgress?: (progress: SyncProgress) => void;
  /** Only these index profiles of each source (absent: all). */
  readonly profiles?: readonly string[];
  /** Runs these fetch tasks instead of an incremental (or full) sync: repairs. */
  readonly tasksFor?: (sourceId: string) => FetchTask[];
}

const SETTLE_POLL_MS = 100;

/**
 * Runs one sync of each source and waits until every task it enqueued has been applied
 * (by this process's poller, or by any other process polling the same queue file).
 */
export async function syncSources(stack: LocalStack, options: SyncOptions): Promise<SourceSyncReport[]> {
  const { deps } = stack;
  const poller = new QueuePoller(stack.queue, 'embed', createEmbedderHandler(deps, { maxReceives: stack.loaded.config.queues.maxReceives }), {
    concurrency: stack.loaded.config.queues.embedConcurrency, log: deps.log,
  });
  poller.start();
  const reports: SourceSyncReport[] = [];
  try {
    for (const sourceId of options.sourceIds) reports.push(await syncOne(stack, sourceId, options));
  } finally {
    await poller.stop();
  }
  return reports;
}

async function syncOne(stack: LocalStack, sourceId: string, options: SyncOptions): Promise<SourceSyncReport> {
  const { deps } = stack;
  const started = deps.clock.now();
  const report: SourceSyncReport = {
    id: sourceId, status: 'synced', docsSeen: 0, docsChanged: 0, docsDeleted: 0, docsUnchanged: 0, chunksEmbedded: 0,
    embeddingCalls: 0, tokensEmbedded: 0, estimatedCostUsd: 0, vectorsUpserted: 0, vectorsDeleted: 0, tasksFailed: 0,
    docsSkipped: 0, skipped: [], warnings: [], documentTaskFailures: 0, recovered: 0, continued: 0, durationMs: 0,
  };
  const now = () => new Date(deps.clock.now()).toISOString();
  const tasks: FetchTask[] = [];
  // Tasks in the queue survive a crash: the pollers apply them (see `leftovers` below).
  // Documents whose task is gone are re-fetched.
  report.continued = stack.queue.countInGroups('embed', embedGroupPrefix(sourceId));
  const lost = await documentsWithoutTask(stack, sourceId);
  report.recovered = lost.length;
  if (lost.length > 0) tasks.push({ type: 'fetch', sourceId, trigger: 'recovery', ids: lost, recover: true, requestedAt: now() });
  if (options.tasksFor) tasks.push(...options.tasksFor(sourceId));
  else {
    tasks.push({
      type: 'fetch', sourceId, trigger: 'cli', requestedAt: now(),
      ...(options.full ? { full: true } : {}), ...(options.noCache ? { noCache: true } : {}), ...profilesOf(options),
    });
  }

  try {
    while (tasks.length > 0) {
      const task = tasks.shift() as FetchTask;
      const result = await runFetch(deps, task, {
        owner: stack.owner, isOwnerAlive: isLocalOwnerAlive, allowMassDelete: options.allowMassDelete,
        onProgress: (fetch) => options.onProgress?.({ sourceId, fetch, tasksDone: 0, tasksEnqueued: 0 }),
      });
      if (result.status === 'deferred') {
        // The holder was asked to run again; it will see whatever this run would have.
        if (task.trigger !== 'recovery') report.status = 'deferred';
        continue;
      }
      const run = await settle(stack, result, options);
      accumulate(report, result, run);
      await accumulateProfiles(stack, report, result);
      // A provider refused the configuration: every other task would fail alike. Say so now.
      if (run?.taskError !== undefined) throw new Error(`embed tasks were dead-lettered: ${run.taskError}`);
      if (result.status === 'continued' || result.rerun) {
        tasks.push({ type: 'fetch', sourceId, trigger: result.rerun ? 'rerun' : 'continuation', requestedAt: now(), ...profilesOf(options) });
      }
    }
    // In step only once the tasks an interrupted run left in the queue are applied too (this
    // process's poller takes them like any other; their runs are the earlier ones).
    if (report.status === 'synced') await leftovers(stack, sourceId);
  } catch (error) {
    report.status = 'failed';
    report.error = error instanceof Error ? error.message : String(error);
  }
  report.durationMs = deps.clock.now() - started;
  return report;
}

/** Waits until no embed task of the source is waiting or in flight (a dead process's return to the queue at once). */
async function leftovers(stack: LocalStack, sourceId: string): Promise<void> {
  while (stack.queue.countInGroups('embed', embedGroupPrefix(sourceId)) > 0) {
    await new Promise((r) => setTimeout(r, SETTLE_POLL_MS));
  }
}

/**
 * Waits until the run's embed tasks are all done or dead-lettered, or one was given up for a
 * reason every other task shares (a provider refusing the key or the vector size).
 */
async function settle(stack: LocalStack, result: FetchRunResult, options: SyncOptions): Promise<RunRecord | undefined> {
  if (!result.runId) return undefined;
  for (;;) {
    const run = await stack.state.getRun(result.sourceId, result.runId);
    const done = (run?.tasksDone ?? 0) + (run?.tasksFailed ?? 0);
    options.onProgress?.({ sourceId: result.sourceId, tasksDone: done, tasksEnqueued: result.counters.tasksEnqueued });
    if (!run || done >= result.counters.tasksEnqueued || run.taskError !== undefined) return run;
    await new Promise((r) => setTimeout(r, SETTLE_POLL_MS));
  }
}

const profilesOf = (options: SyncOptions): { profiles?: readonly string[] } => (options.profiles ? { profiles: options.profiles } : {});

/** Adds each profile's counters: the fetch side from the run's result, the embed side from the profile's run record. */
async function accumulateProfiles(stack: LocalStack, report: SourceSyncReport, result: FetchRunResult): Promise<void> {
  if (!result.profiles || !result.runId) return;
  report.profiles ??= {};
  for (const [name, counters] of Object.entries(result.profiles)) {
    const run = await stack.state.getRun(profileKeyOf(result.sourceId, name), result.runId);
    const p = report.profiles[name] ??= {
      docsChanged: 0, docsDeleted: 0, docsUnchanged: 0, chunksEmbedded: 0, embeddingCalls: 0, tokensEmbedded: 0, estimatedCostUsd: 0, vectorsUpserted: 0, vectorsDeleted: 0,
    };
    p.docsChanged += counters.docsChanged;
    p.docsDeleted += counters.docsDeleted;
    p.docsUnchanged += counters.docsUnchanged;
    p.chunksEmbedded += run?.chunksEmbedded ?? 0;
    p.embeddingCalls += run?.embeddingCalls ?? 0;
    p.tokensEmbedded += run?.tokensEmbedded ?? 0;
    p.estimatedCostUsd += run?.estimatedCostUsd ?? 0;
    p.vectorsUpserted += run?.vectorsUpserted ?? 0;
    p.vectorsDeleted += run?.vectorsDeleted ?? 0;
  }
}

function accumulate(report: SourceSyncReport, result: FetchRunResult, run: RunRecord | undefined): void {
  report.docsSeen += result.counters.docsSeen;
  report.docsChanged += result.counters.docsChanged;
  report.docsDeleted += result.counters.docsDeleted;
  report.docsUnchanged += result.counters.docsUnchanged;
  if (run) {
    report.chunksEmbedded += run.chunksEmbedded ?? 0;
    report.embeddingCalls += run.embeddingCalls ?? 0;
    report.tokensEmbedded += run.tokensEmbedded ?? 0;
    report.estimatedCostUsd += run.estimatedCostUsd ?? 0;
    report.vectorsUpserted += run.vectorsUpserted ?? 0;
    report.vectorsDeleted += run.vectorsDeleted ?? 0;
    report.tasksFailed += run.tasksFailed ?? 0;
    report.documentTaskFailures += run.failedDocuments?.length ?? 0;
    // Each run carries the issues of the one before: the last run's are the current ones.
    const issues = documentIssuesOf(run);
    report.docsSkipped = issues.docsSkipped;
    report.skipped = issues.skipped;
    report.warnings = issues.warnings;
  }
  if (result.breaker) {
    report.breaker = `mass-delete breaker tripped: the source no longer lists ${result.breaker.wouldDelete} of ${result.breaker.known} indexed documents; nothing was deleted. If that is real, run: tributary sync --source ${report.id} --allow-mass-delete`;
  }
}
