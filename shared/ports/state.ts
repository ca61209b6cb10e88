/**
 * The durable state ports: where each source stands (lease, cursor, watermark, breaker), the
 * document ledger, the run log and the embedding cache. Four ports, so a use case takes only
 * the ones it needs; `StateStore` is all four, which both adapters (DynamoDB, SQLite) and the
 * in-memory twin implement over one table.
 */

import type { Cursor, DocumentIssue } from './connector.ts';

/** The pass in progress: survives crashes so a restart resumes where the last page ended. */
export interface PassState {
  readonly snapshotAt: string;
  readonly since?: string;
  readonly full: boolean;
  readonly cursor?: Cursor;
  /** See PullWindow.resume. */
  readonly resume?: Cursor;
  readonly pages: number;
  /** Sort key of the run record the pass reports to. */
  readonly runId: string;
  /** The index profiles the pass feeds (absent: the implicit one); a run for others starts a pass of its own. */
  readonly profiles?: readonly string[];
}

export interface BreakerState {
  readonly trippedAt: string;
  readonly wouldDelete: number;
  readonly known: number;
  readonly maxShare: number;
}

export interface SourceState {
  readonly sourceId: string;
  readonly epoch: number;
  readonly leaseOwner?: string;
  /** Epoch ms. */
  readonly leaseUntil?: number;
  readonly rerunRequested: boolean;
  /** ISO-8601 snapshot of the last completed pass. */
  readonly watermark?: string;
  /** The cursor the last completed pass ended with (PullWindow.resume of the next incremental pass). */
  readonly feed?: Cursor;
  readonly pass?: PassState;
  readonly lastSuccessAt?: string;
  readonly lastFailureAt?: string;
  readonly lastError?: string;
  readonly consecutiveFailures: number;
  readonly breaker?: BreakerState;
}

export type LeaseResult =
  | { readonly acquired: true; readonly epoch: number; readonly state: SourceState }
  | { readonly acquired: false; readonly state: SourceState };

/** Marker written once a task is enqueued, cleared when the task commits. */
export interface PendingMarker {
  readonly rev: string;
  readonly version: string;
}

/** One document's entry in the ledger. */
export interface LedgerEntry {
  readonly sourceId: string;
  readonly docId: string;
  /** Ordering key of the last committed task; compares as a string. */
  readonly rev?: string;
  readonly version?: string;
  readonly contentHash?: string;
  readonly chunkHashes?: readonly string[];
  /** Chunker signature that produced `chunkHashes`. */
  readonly chunker?: string;
  readonly deleted?: boolean;
  readonly pending?: PendingMarker;
  /** Rev of a task that started writing vectors and has not committed. */
  readonly claim?: string;
  readonly title?: string;
  /**
   * Hash of what every vector of the document repeats besides its chunk (title, url, the
   * document's metadata, its access): a change rewrites all its vectors. Absent on entries written before
   * it existed (then the title alone is compared).
   */
  readonly decor?: string;
  readonly updatedAt?: string;
}

export interface DocumentCommit {
  readonly sourceId: string;
  readonly docId: string;
  readonly rev: string;
  readonly version: string;
  readonly contentHash: string;
  readonly chunkHashes: readonly string[];
  readonly chunker: string;
  readonly title?: string;
  readonly decor: string;
  readonly updatedAt: string;
}

export type ClaimResult =
  | { readonly ok: true; readonly previous?: LedgerEntry }
  | { readonly ok: false; readonly current?: LedgerEntry };

/** Counters a run accumulates; embedders add theirs to the run record. */
export interface RunCounters {
  docsSeen: number;
  docsChanged: number;
  docsDeleted: number;
  docsUnchanged: number;
  tasksEnqueued: number;
  tasksDone: number;
  tasksFailed: number;
  chunksEmbedded: number;
  embeddingCalls: number;
  tokensEmbedded: number;
  /** Tokens embedded times the model's price. */
  estimatedCostUsd: number;
  vectorsUpserted: number;
  vectorsDeleted: number;
}

export interface RunRecord extends RunCounters {
  readonly sourceId: string;
  readonly runId: string;
  readonly trigger: string;
  readonly startedAt: string;
  finishedAt?: string;
  pages: number;
  status: 'running' | 'succeeded' | 'failed' | 'deferred';
  error?: string;
  breaker?: string;
  /**
   * Documents the fetcher could not read, decode or chunk, and those earlier runs skipped
   * that this run did not read again (the first 100; `docsSkipped` counts them all). Each is
   * retried by the next pass; the list is carried from run to run until it is read or gone.
   */
  skipped?: DocumentIssue[];
  /** How many documents `skipped` stands for (it lists at most 100). */
  docsSkipped?: number;
  /** Documents indexed with a caveat (invalid UTF-8, say), carried like `skipped` until read again. */
  warnings?: DocumentIssue[];
  /** Documents whose embed task was dead-lettered for a reason of its own (appended by embedders). */
  failedDocuments?: DocumentIssue[];
  /** The source's index profiles when the run started (absent: the implicit `default` only). */
  profiles?: Array<{ name: string; target: string; dimensions: number; signature?: string }>;
  /**
   * Why an embed task of this run was given up for a reason no document escapes (a provider
   * refused the key, the vector size, the model; retries ran out). Set by embedders.
   */
  taskError?: string;
}

/** Where each source stands: its lease (fenced by epoch), pass progress, watermark, feed cursor and breaker. */
export interface SourceStates {
  getSource(sourceId: string): Promise<SourceState | undefined>;
  /** Batch read of source states; sources never synced are absent. */
  getSources(sourceIds: readonly string[]): Promise<Map<string, SourceState>>;
  /**
   * Takes the lease when free, expired, or held by `owner` (or by `deadOwner`, known dead).
   * Otherwise sets `rerunRequested` so the holder runs again. Taking the lease leaves that flag
   * alone: only `finishRun` reports and clears it (a holder may die without ever reading it).
   */
  acquireLease(input: { sourceId: string; owner: string; now: number; ttlMs: number; deadOwner?: string }): Promise<LeaseResult>;
  /** Persists pass progress; rejected with LeaseLostError unless `epoch` and `owner` still hold the lease. */
  saveProgress(input: { sourceId: string; owner: string; epoch: number; now: number; ttlMs: number; pass: PassState }): Promise<void>;
  /**
   * Ends the run: releases the lease, records success or failure, and returns (and clears)
   * whether a rerun was requested meanwhile. Fenced like `saveProgress`.
   */
  finishRun(input: {
    sourceId: string; owner: string; epoch: number; now: number;
    outcome: { ok: true; watermark?: string; feed?: Cursor; keepPass?: PassState } | { ok: false; error: string; keepPass?: PassState };
    breaker?: BreakerState | null;
    /**
     * Report a requested rerun but leave it set: a run that cannot cover the wake-up (a
     * targeted one) passes it on, and a retry of that run reports it again.
     */
    keepRerunRequested?: boolean;
  }): Promise<{ rerunRequested: boolean }>;
  /** Forgets cursor, watermark, breaker and ledger for the source. */
  resetSource(sourceId: string): Promise<void>;
}

/**
 * The document ledger: per document, the last committed version, content and chunk hashes,
 * and the pending marker and claim that order the tasks writing its vectors.
 */
export interface DocumentLedger {
  /** Batch read of ledger entries; missing ids are absent from the map. */
  getDocuments(sourceId: string, docIds: readonly string[]): Promise<Map<string, LedgerEntry>>;
  listDocuments(sourceId: string): AsyncIterable<LedgerEntry>;
  /**
   * Sets the pending marker on each entry (creating it when absent), unless the entry holds a
   * newer or equal marker, or an equal or newer rev has committed or claimed it (that task
   * already ran, or is running and clears markers up to its rev when it commits).
   */
  markPending(sourceId: string, marks: ReadonlyArray<{ docId: string; pending: PendingMarker }>): Promise<void>;
  /**
   * Removes the pending marker if it is still `rev`'s. Its task will not apply (dead-lettered,
   * or its document gone): without the marker, the next pass decides about the document again
   * instead of waiting for that task.
   */
  releasePending(input: { sourceId: string; docId: string; rev: string }): Promise<void>;
  /** Records a new version whose content hash equals the committed one; false when the entry moved on. */
  touchDocument(input: { sourceId: string; docId: string; expectRev: string; rev: string; version: string }): Promise<boolean>;
  /** Version guard: claims the entry for `rev` unless a newer or equal rev committed. */
  claimDocument(input: { sourceId: string; docId: string; rev: string }): Promise<ClaimResult>;
  /** Commits a claimed entry; false when a newer rev committed meanwhile. */
  commitDocument(commit: DocumentCommit): Promise<boolean>;
  /** Marks the entry deleted at `rev` (a tombstone keeps versions monotonic). */
  commitDeletion(input: { sourceId: string; docId: string; rev: string; at: string }): Promise<boolean>;
}

/** The history of runs: one record per fetch run, which embedders add their counters to. */
export interface RunLog {
  putRun(run: RunRecord): Promise<void>;
  /** Sets fields of a run record without touching counters other writers add to. */
  updateRun(sourceId: string, runId: string, patch: Partial<Omit<RunRecord, 'sourceId' | 'runId'>>): Promise<void>;
  /** Adds counters to a run record (embedders report here). */
  addRunCounters(sourceId: string, runId: string, delta: Partial<RunCounters>): Promise<void>;
  /**
   * Appends to a run record's `failedDocuments` (embedders report documents they gave up on),
   * unless it already holds `max` or more; concurrent appends all land.
   */
  addRunFailures(sourceId: string, runId: string, failures: readonly DocumentIssue[], max: number): Promise<void>;
  getRun(sourceId: string, runId: string): Promise<RunRecord | undefined>;
  listRuns(sourceId: string, limit: number): Promise<RunRecord[]>;
}

/** Embeddings already paid for, by model, dimensions and chunk hash. */
export interface EmbeddingCache {
  getEmbeddings(model: string, dimensions: number, hashes: readonly string[]): Promise<Map<string, Float32Array>>;
  putEmbeddings(model: string, dimensions: number, entries: ReadonlyMap<string, Float32Array>): Promise<void>;
}

/** Durable state: leases, cursors, the document ledger, run history, the embedding cache. */
export interface StateStore extends SourceStates, DocumentLedger, RunLog, EmbeddingCache {}
