/**
 * Ports: the interfaces the pure core depends on. Adapters (DynamoDB, SQS, LanceDB,
 * the local embedder, connectors) implement them; `shared/core` never imports an adapter.
 */

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** Metadata values a vector store can hold and filter on by equality. */
export type MetadataValue = string | number | boolean;
/**
 * Metadata: scalar values, and lists of strings (both stores hold them: Pinecone natively,
 * LanceDB in its JSON column). The pipeline writes one list, `access` (the principals allowed),
 * filtered by `VectorQuery.access`.
 */
export type Metadata = Record<string, MetadataValue | readonly string[]>;

// ───────────────────────────── Clock ─────────────────────────────

/** Time source. Production uses the system clock; tests use a controllable one. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

// ───────────────────────── SourceConnector ─────────────────────────

export * from './connector.ts';
import type { Cursor, DocumentIssue, Hints } from './connector.ts';

// ───────────────────────────── Embedder ─────────────────────────────

export interface EmbeddingResult {
  readonly vectors: Float32Array[];
  /** Tokens the provider billed (or counted locally). */
  readonly tokens: number;
  /** Requests made to the provider for this call. */
  readonly calls: number;
}

/** Turns texts into vectors. One instance per model and dimension count. */
export interface Embedder {
  /** Model name, part of the embedding cache key. */
  readonly model: string;
  readonly dimensions: number;
  /** Embeds in batches the provider accepts; `vectors[i]` belongs to `texts[i]`. */
  embed(texts: readonly string[]): Promise<EmbeddingResult>;
}

// ─────────────────────────── VectorStore ───────────────────────────

export interface VectorRecord {
  readonly id: string;
  readonly values: Float32Array | readonly number[];
  readonly metadata: Metadata;
}

export interface QueryMatch {
  readonly id: string;
  readonly score: number;
  readonly metadata: Metadata;
}

export interface VectorQuery {
  readonly vector: Float32Array | readonly number[];
  readonly topK: number;
  /** Equality filter on metadata fields. */
  readonly filter?: Readonly<Record<string, MetadataValue>>;
  /**
   * Principals the searcher acts as: only records without an `access` list, or whose `access`
   * names at least one of these, match (with `filter`, both must hold). Absent: no access check.
   */
  readonly access?: readonly string[];
}

/** A vector index. Upserts overwrite by id; deletes of absent ids are no-ops. */
export interface VectorStore {
  upsert(records: readonly VectorRecord[]): Promise<void>;
  /**
   * Records of a document that has never had a vector (the ledger never committed or claimed
   * it): an adapter may append them instead of merging by id, which costs a join against the
   * whole index. Optional; without it the core upserts. An adapter that cannot rule out
   * vectors the ledger does not know (an index kept while the state was lost) upserts here too.
   */
  insert?(records: readonly VectorRecord[]): Promise<void>;
  delete(ids: readonly string[]): Promise<void>;
  /** Every id starting with `prefix`. */
  listIds(prefix: string): Promise<string[]>;
  /** Records (with metadata, without values) whose id starts with `prefix`. */
  scan(prefix: string): Promise<Array<{ id: string; metadata: Metadata }>>;
  query(query: VectorQuery): Promise<QueryMatch[]>;
  close?(): Promise<void>;
}

// ─────────────────────────── StateStore ───────────────────────────

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
  readonly runSk: string;
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
  readonly runSk: string;
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
  /**
   * Why an embed task of this run was given up for a reason no document escapes (a provider
   * refused the key, the vector size, the model; retries ran out). Set by embedders.
   */
  taskError?: string;
}

/** A document as the push API stored it ("stashed"), or its tombstone. Push sources read these. */
export interface StashedDocument {
  readonly sourceId: string;
  readonly docId: string;
  /** The pushed version; on a tombstone, the deletion's version (or the last live one), absent when neither was given. */
  readonly version?: string;
  /** A tombstone: the document was deleted; it keeps the version so an older upsert stays refused. */
  readonly deleted: boolean;
  readonly text?: string;
  readonly title?: string;
  readonly url?: string;
  readonly format?: 'markdown' | 'text';
  readonly metadata?: Metadata;
  /** Hash of text, title, url, format and metadata: equal means nothing to apply. */
  readonly contentHash?: string;
  /** ISO-8601 time of the write; incremental passes select on it. */
  readonly updatedAt: string;
  /** Opaque token of the write that produced this item; a conditional write names it. */
  readonly stamp: string;
}

/** A page of stashed documents in document-id order. */
export interface StashPage {
  readonly items: readonly StashedDocument[];
  /** Continue after this id; absent when the listing reached the end. */
  readonly next?: string;
}

/** A response the push API stored under an idempotency key. */
export interface StoredResponse {
  readonly statusCode: number;
  readonly body: string;
}

/** What an `Idempotency-Key` names: the request (by body hash) and, once complete, its response. */
export interface IdempotencyRecord {
  readonly key: string;
  readonly requestHash: string;
  readonly status: 'in_progress' | 'complete';
  /** Epoch ms until which an in-progress record holds off duplicates; afterwards a retry may take it over. */
  readonly lockedUntil?: number;
  readonly response?: StoredResponse;
  /** Epoch seconds (DynamoDB TTL) after which the key is forgotten. */
  readonly expiresAt: number;
}

/** Durable state: leases, cursors, the document ledger, run history, the embedding cache. */
export interface StateStore {
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

  putRun(run: RunRecord): Promise<void>;
  /** Sets fields of a run record without touching counters other writers add to. */
  updateRun(sourceId: string, runSk: string, patch: Partial<Omit<RunRecord, 'sourceId' | 'runSk'>>): Promise<void>;
  /** Adds counters to a run record (embedders report here). */
  addRunCounters(sourceId: string, runSk: string, delta: Partial<RunCounters>): Promise<void>;
  /**
   * Appends to a run record's `failedDocuments` (embedders report documents they gave up on),
   * unless it already holds `max` or more; concurrent appends all land.
   */
  addRunFailures(sourceId: string, runSk: string, failures: readonly DocumentIssue[], max: number): Promise<void>;
  getRun(sourceId: string, runSk: string): Promise<RunRecord | undefined>;
  listRuns(sourceId: string, limit: number): Promise<RunRecord[]>;

  /** Embedding cache keyed by model, dimensions and chunk hash. */
  getEmbeddings(model: string, dimensions: number, hashes: readonly string[]): Promise<Map<string, Float32Array>>;
  putEmbeddings(model: string, dimensions: number, entries: ReadonlyMap<string, Float32Array>): Promise<void>;
}

/**
 * The state a push source needs besides the StateStore: the stash of pushed documents and the
 * push API's idempotency records, in the same table. Both state store adapters implement it;
 * a separate port so that wrappers of StateStore need not forward it.
 */
export interface PushStateStore {
  /** Batch read of stashed documents (tombstones included); missing ids are absent from the map. */
  getStashed(sourceId: string, docIds: readonly string[]): Promise<Map<string, StashedDocument>>;
  /**
   * Writes one stashed document (or tombstone) with a new stamp, only if the stored item is
   * still the one read (`expectStamp`; undefined: no item may exist). One conditional write.
   * `expiresAt` (epoch seconds) lets DynamoDB TTL remove a tombstone. Returns the new stamp,
   * or undefined when another write came first.
   */
  putStashed(input: { document: Omit<StashedDocument, 'stamp'>; expectStamp: string | undefined; expiresAt?: number }): Promise<string | undefined>;
  /**
   * Up to `limit` stashed documents after `after` in id (UTF-8 byte) order. `changedSince`
   * keeps only items written at or after that ISO time; tombstones only with `includeDeleted`;
   * `slim` leaves out text and metadata.
   */
  listStashed(sourceId: string, options: {
    after?: string; limit: number; changedSince?: string; includeDeleted?: boolean; slim?: boolean;
  }): Promise<StashPage>;
  /**
   * Starts the request `key` names (one conditional write): free, expired, or an in-progress
   * record whose lock lapsed → `started`. Otherwise returns the record as stored.
   */
  beginIdempotent(input: {
    scope: string; key: string; requestHash: string; now: number; lockMs: number; retainMs: number;
  }): Promise<{ started: true } | { started: false; record: IdempotencyRecord }>;
  /** Stores the response of a started request (kept `retainMs` from `now`). */
  completeIdempotent(input: { scope: string; key: string; requestHash: string; response: StoredResponse; now: number; retainMs: number }): Promise<void>;
  /** Forgets an in-progress record of `requestHash` (the request failed), so a retry runs at once. */
  releaseIdempotent(input: { scope: string; key: string; requestHash: string }): Promise<void>;
}

/**
 * Deliveries a signed endpoint accepted, remembered for the replay window, so a captured
 * request sent again is refused. Its own port: an edge function (the webhook) needs nothing
 * else of the state table. Both state store adapters implement it.
 */
export interface DeliveryLog {
  /**
   * Records `id` under `scope` for `ttlMs` (one conditional write); false when it is already
   * recorded and unexpired: a replay.
   */
  rememberDelivery(input: { scope: string; id: string; now: number; ttlMs: number }): Promise<boolean>;
  /** Forgets a delivery whose processing failed, so the sender's retry is accepted. */
  forgetDelivery(input: { scope: string; id: string }): Promise<void>;
}

/** A document id a hint named, with when it was last named. */
export interface BufferedHint {
  readonly id: string;
  /** Epoch ms of the latest hint naming it. */
  readonly at: number;
}

/**
 * Document ids named by hints, per source, waiting for the next fetch run: a burst of hints
 * (2,000 webhooks for 2,000 issues) becomes one queued run with every id merged instead of
 * one run per hint. The marker says "a run is queued to take these"; a hint that finds none
 * queues one.
 */
export interface HintBuffer {
  /**
   * Adds ids for the source; true when no run was queued for them (the caller queues one), or
   * the marker is older than `staleAfterMs` (its run was lost).
   */
  addHints(input: { sourceId: string; ids: readonly string[]; now: number; staleAfterMs: number }): Promise<boolean>;
  /**
   * Clears the marker (a hint after this queues a new run), then returns up to `limit` ids
   * waiting. They stay buffered until `settleHints`, so a run that dies takes them again.
   */
  takeHints(input: { sourceId: string; limit: number }): Promise<BufferedHint[]>;
  /** Forgets the taken ids that no later hint named again (their `at` unchanged). */
  settleHints(input: { sourceId: string; taken: readonly BufferedHint[] }): Promise<void>;
  /** Clears the marker without taking anything: the run it announced could not be queued. */
  releaseMark(input: { sourceId: string }): Promise<void>;
}

/** A source's OAuth token pair as stored, with the version that guards its rotation. */
export interface StoredToken {
  readonly accessToken: string;
  /** Absent for providers that issue no refresh token. */
  readonly refreshToken?: string;
  /** Epoch ms the access token stops working; absent when the provider does not say. */
  readonly expiresAt?: number;
  /** Incremented by every write; a write names the version it replaces. */
  readonly version: number;
  /** Epoch ms of the write. */
  readonly updatedAt: number;
}

/**
 * Secrets and rotating tokens of the sources. Static secrets (an API token, a database URL)
 * come from the environment locally and from Secrets Manager on AWS. OAuth providers rotate
 * refresh tokens: each refresh invalidates the previous one, so two runs refreshing at once
 * must not both store theirs; the write is conditional on the version read.
 */
export interface CredentialStore {
  /** A static secret by the environment-variable name the config gives; undefined when unset. */
  secret(name: string): string | undefined;
  /** The stored token pair under `key` (e.g. `gdrive:<sourceId>`); undefined before the first. */
  getToken(key: string): Promise<StoredToken | undefined>;
  /**
   * Stores a pair if the stored one is still at `expectVersion` (undefined: none stored yet).
   * Returns the stored record, or undefined when another writer came first.
   */
  putToken(input: { key: string; token: Pick<StoredToken, 'accessToken' | 'refreshToken' | 'expiresAt'>; expectVersion: number | undefined; now: number }): Promise<StoredToken | undefined>;
}

// ─────────────────────────── TaskQueue ───────────────────────────

/** Asks the fetcher to run a source: incrementally, fully, or for named ids only. */
export interface FetchTask {
  readonly type: 'fetch';
  readonly sourceId: string;
  readonly trigger: 'schedule' | 'webhook' | 'watch' | 'cli' | 'continuation' | 'rerun' | 'recovery' | 'admin';
  readonly full?: boolean;
  /** Targeted run: only these ids (hints). */
  readonly ids?: readonly string[];
  /**
   * Recovery and repair: re-embed the named documents even when the ledger calls them current
   * or a pending marker names their version, and rewrite all their vectors.
   */
  readonly recover?: boolean;
  /** Ignore the embedding cache for this run's chunks (they are re-embedded and re-cached). */
  readonly noCache?: boolean;
  /** Targeted run over the ids waiting in the source's HintBuffer (a coalesced burst of hints). */
  readonly buffered?: boolean;
  readonly requestedAt: string;
}

export interface ChunkPayload {
  readonly index: number;
  readonly hash: string;
  readonly text: string;
}

export interface UpsertTask {
  readonly type: 'upsert';
  readonly sourceId: string;
  readonly docId: string;
  readonly rev: string;
  readonly version: string;
  readonly contentHash: string;
  readonly title?: string;
  readonly url?: string;
  /** The document's own metadata, copied onto each of its vectors. */
  readonly metadata?: Metadata;
  /** The principals allowed (normalised: sorted, distinct), copied onto each vector as `access`. */
  readonly access?: readonly string[];
  readonly updatedAt: string;
  readonly runSk: string;
  /** Rewrite every chunk's vector instead of trusting the ledger's chunk hashes (repair). */
  readonly rewrite?: boolean;
  /** Chunker signature that produced `chunks`. */
  readonly chunker?: string;
  /** Do not read the embedding cache for this task. */
  readonly noCache?: boolean;
  /** Absent when the chunks would not fit in a message: the embedder fetches the document. */
  readonly chunks?: readonly ChunkPayload[];
}

export interface DeleteTask {
  readonly type: 'delete';
  readonly sourceId: string;
  readonly docId: string;
  readonly rev: string;
  readonly runSk: string;
}

export type EmbedTask = UpsertTask | DeleteTask;
export type QueueName = 'fetch' | 'embed';

export interface ReceivedMessage<T> {
  readonly body: T;
  readonly messageId: string;
  readonly receipt: string;
  readonly receiveCount: number;
  /** FIFO message group. */
  readonly group?: string;
  readonly raw: string;
}

/** Work queues: fetch (grouped per source) and embed (grouped per document), each with a dead-letter queue. */
export interface TaskQueue {
  sendFetch(tasks: readonly FetchTask[]): Promise<void>;
  sendEmbed(tasks: readonly EmbedTask[]): Promise<void>;
  /** Moves a message body to the queue's DLQ with the reason attached. */
  deadLetter(queue: QueueName, raw: string, reason: string): Promise<void>;
  /**
   * Up to `max` messages, waiting up to `waitSeconds` for the first (long polling). `signal`
   * ends the wait early with no messages, where the adapter can do that without stranding any
   * (the local queue; an SQS long poll runs to its end).
   */
  receive(queue: QueueName, options: { max: number; waitSeconds: number; visibilitySeconds?: number; signal?: AbortSignal }): Promise<Array<ReceivedMessage<unknown>>>;
  ack(queue: QueueName, receipts: readonly string[]): Promise<void>;
  /** Makes a message visible again after `delaySeconds` (a failed attempt). */
  release(queue: QueueName, receipt: string, delaySeconds: number): Promise<void>;
  /** Messages waiting plus in flight (approximate on SQS). */
  depth(queue: QueueName): Promise<{ visible: number; inFlight: number }>;
  /** Dead-lettered messages with their reasons. */
  listDeadLetters(queue: QueueName, max: number): Promise<Array<{ body: string; reason?: string }>>;
}

// ─────────────────────────── EventBus ───────────────────────────

/** Fans webhook and watcher hints out to the fetch queue. */
export interface EventBus {
  publish(hints: readonly Hints[]): Promise<void>;
}
