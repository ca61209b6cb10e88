import type { DeadLetterSummary } from '../../../shared/core/dead-letters.ts';
import type { ProfileReport } from '../../../shared/core/profile-status.ts';
import type { SearchResult } from '../../../shared/core/search.ts';
import type { SourceReport } from '../../../shared/core/source-status.ts';
import type { QueueName, RunRecord } from '../../../shared/ports/index.ts';

/** One run as the console charts it. */
export interface ConsoleRun {
  readonly runId: string;
  readonly trigger: string;
  readonly status: RunRecord['status'];
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly durationMs: number | null;
  readonly docsSeen: number;
  readonly docsChanged: number;
  readonly docsDeleted: number;
  readonly chunksEmbedded: number;
  readonly tokensEmbedded: number;
  readonly estimatedCostUsd: number;
  readonly docsSkipped: number;
  readonly error: string | null;
}

/** How a source learns of changes besides its schedule. */
export interface ChangeFeeds {
  /** `watching`, `off` (config), `failed` (with why), `unsupported` (the kind cannot watch), `not running` (no runtime here). */
  readonly watcher: { readonly state: 'watching' | 'off' | 'failed' | 'unsupported' | 'not running'; readonly detail?: string };
  /** The webhook route, when the source has `webhook` configured. */
  readonly webhook: { readonly path: string } | null;
}

export interface ConsoleSource {
  readonly kind: string;
  /** Live documents in the ledger; null where counting would mean scanning a remote table. */
  readonly documents: number | null;
  readonly report: SourceReport;
  readonly profiles?: readonly ProfileReport[];
  /** End of the latest successful run of any trigger (watcher, webhook, schedule, manual). */
  readonly lastSyncAt: string | null;
  readonly schedule: string;
  /** When the runtime here enqueues the next scheduled sync; null when unknown (no runtime, or AWS's scheduler). */
  readonly nextRunAt: string | null;
  readonly feeds: ChangeFeeds;
  /** Newest first. */
  readonly runs: readonly ConsoleRun[];
}

export interface ConsoleOverview {
  readonly generatedAt: string;
  /** `runtime`: served by `tributary start`; `store`: `tributary console` over the state folder; `aws`: the deployed stack. */
  readonly mode: 'runtime' | 'store' | 'aws';
  readonly where: string;
  readonly sources: readonly ConsoleSource[];
  readonly queues: { readonly fetch: { visible: number; inFlight: number }; readonly embed: { visible: number; inFlight: number } };
  readonly deadLetters: readonly DeadLetterSummary[];
  /** Actions this backend can run (AWS has no audit, and its dead letters are read-only here). */
  readonly actions: readonly ConsoleActionKind[];
}

export type ConsoleActionKind = ConsoleAction['kind'];

export type ConsoleAction =
  | { readonly kind: 'sync' | 'resync' | 'reset' | 'audit' | 'repair'; readonly sourceId: string }
  | { readonly kind: 'redrive' | 'discard'; readonly queue: QueueName; readonly ids?: readonly string[] };

/** Actions that change or remove indexed data: the console asks for the source id (or queue name) typed out. */
export const DESTRUCTIVE: ReadonlySet<ConsoleActionKind> = new Set(['resync', 'reset', 'repair', 'discard']);

/** What the console reads and does; one implementation over the local store, one over the deployed stack. */
export interface ConsoleBackend {
  overview(): Promise<ConsoleOverview>;
  search(query: string, options: { sourceId?: string; topK: number }): Promise<SearchResult[]>;
  /** Runs the action; the message says what happened (or was queued). */
  act(action: ConsoleAction): Promise<{ message: string }>;
}

/** A run record as the console shows it. */
export function consoleRun(run: RunRecord): ConsoleRun {
  const finished = run.finishedAt ? Date.parse(run.finishedAt) : Number.NaN;
  return {
    runId: run.runId, trigger: run.trigger, status: run.status, startedAt: run.startedAt, finishedAt: run.finishedAt ?? null,
    durationMs: Number.isFinite(finished) ? Math.max(0, finished - Date.parse(run.startedAt)) : null,
    docsSeen: run.docsSeen ?? 0, docsChanged: run.docsChanged ?? 0, docsDeleted: run.docsDeleted ?? 0, chunksEmbedded: run.chunksEmbedded ?? 0,
    tokensEmbedded: run.tokensEmbedded ?? 0, estimatedCostUsd: run.estimatedCostUsd ?? 0, docsSkipped: run.docsSkipped ?? 0, error: run.error ?? null,
  };
}
