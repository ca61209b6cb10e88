/**
 * Shapes shared by the benchmark's parent process (run.ts / harness.ts) and its per-system
 * worker processes (worker.ts). Everything here crosses a process boundary, so it is plain data.
 */

/** The systems compared. */
export const SYSTEM_IDS = ['tributary', 'langchain-incremental', 'langchain-full', 'llamaindex', 'naive'] as const;
export type SystemId = (typeof SYSTEM_IDS)[number];

/** The steps of the change stream, in the order they are applied. */
export const SCENARIO_IDS = ['initial', 'no-change', 'edit-small', 'edit-insert-top', 'delete', 'add', 'rename', 'mixed'] as const;
export type ScenarioId = (typeof SCENARIO_IDS)[number];

/** What one sync left in the index, compared with what the current corpus should give. */
export interface Correctness {
  /** Chunks the current corpus should have in the index. */
  readonly expected: number;
  /** Vectors in the index. */
  readonly actual: number;
  /** Expected (document, chunk text) pairs with no vector. */
  readonly missing: number;
  /** Vectors whose (document, chunk text) is not in the current corpus: deleted documents, old versions. */
  readonly stale: number;
  /** Vectors beyond the first for an expected (document, chunk text) pair. */
  readonly duplicates: number;
}

/** Measurements of one system on one step. */
export interface StepMetrics {
  readonly scenario: ScenarioId;
  /** Documents the step created, edited, deleted or renamed. */
  readonly docsTouched: number;
  /** Requests to the embedding "API" (at most 2,048 inputs each). */
  readonly embeddingCalls: number;
  readonly textsEmbedded: number;
  /** cl100k tokens of every text sent to the embedder. */
  readonly tokensEmbedded: number;
  readonly vectorUpserts: number;
  readonly vectorDeletes: number;
  /** Time of the sync call alone (corpus edits and checks are outside it). */
  readonly wallMs: number;
  /** Highest resident set size of the system's process seen during the sync. */
  readonly peakRssMb: number;
  /** Absent when the check was skipped (scale runs). */
  readonly correctness?: Correctness;
  /** Counters the system reports about itself, for cross-checks (Tributary's run record). */
  readonly reported?: Readonly<Record<string, number>>;
}

/** Webhook or watcher to search: one latency series. */
export interface LatencySeries {
  readonly trigger: 'webhook' | 'watcher';
  readonly edits: number;
  /** Edits not returned by search within the timeout. */
  readonly timeouts: number;
  /** Of those, edits that were in the index (search ranked them below the top 10) rather than missing from it. */
  readonly indexedButNotFound: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly maxMs: number;
  readonly samplesMs: readonly number[];
}

/** What the parent asks a worker to do. */
export interface WorkerRequest {
  readonly system: SystemId;
  readonly mode: 'scenarios' | 'scale';
  readonly docs: number;
  readonly seed: number;
  readonly latencyMs: number;
  /** Folder the worker owns (corpus copy, state). */
  readonly workDir: string;
  /** Scenarios mode: the change stream as JSON, written once by the parent (saves each worker generating it). */
  readonly streamFile?: string;
  /** Scenarios mode, Tributary only: measure search latency after the scenarios. */
  readonly latency?: { readonly edits: number; readonly watcherEdits: number; readonly timeoutMs: number };
}

export type WorkerMessage =
  | { readonly type: 'progress'; readonly message: string }
  | { readonly type: 'step'; readonly metrics: StepMetrics }
  | { readonly type: 'latency'; readonly series: LatencySeries }
  | { readonly type: 'done' }
  | { readonly type: 'error'; readonly message: string };

/** One system's results in one run of a worker. */
export interface SystemRun {
  readonly system: SystemId;
  readonly steps: StepMetrics[];
  readonly latency: LatencySeries[];
}

export interface ScalePoint {
  readonly system: SystemId;
  readonly docs: number;
  /** Absent when the worker failed (see `error`). */
  readonly initial?: StepMetrics;
  readonly noChange?: StepMetrics;
  /** Why the point could not be measured (e.g. the system ran out of memory). */
  readonly error?: string;
  /** The point was taken from the scenario run (same corpus and seed) rather than measured again. */
  readonly fromScenarioRun: boolean;
}

export interface CorpusStats {
  readonly docs: number;
  readonly chunks: number;
  readonly distinctChunks: number;
  readonly tokens: number;
  readonly bytes: number;
}

/** Per step of the change stream: the reference numbers every system is judged against. */
export interface ReferenceStep {
  readonly scenario: ScenarioId;
  readonly docsTouched: number;
  /** cl100k tokens of the distinct chunk texts no earlier corpus state contained. */
  readonly minimumTokens: number;
  /** Distinct chunk texts no earlier corpus state contained (what the floor of requests counts). */
  readonly minimumTexts: number;
  /** The same texts' tokens as Tributary embeds them, with each chunk's title and heading path. */
  readonly minimumEmbeddedTokens: number;
  readonly expectedChunks: number;
}

export interface BenchResult {
  readonly startedAt: string;
  readonly durationMs: number;
  readonly command: string;
  readonly options: {
    readonly docs: number;
    readonly seed: number;
    readonly latencyMs: number;
    readonly scenarios: boolean;
    readonly scaleSizes: readonly number[];
    /** Peers' scale points stop at this size (absent: every size). */
    readonly peerScaleMax?: number;
    readonly latencyEdits: number;
    readonly watcherEdits: number;
    readonly systems: readonly SystemId[];
  };
  readonly machine: { readonly cpus: string; readonly cores: number; readonly memoryGb: number; readonly node: string; readonly os: string };
  readonly corpus: CorpusStats;
  readonly reference: readonly ReferenceStep[];
  readonly runs: readonly SystemRun[];
  readonly scale: readonly ScalePoint[];
}
