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
import type { Hints } from './connector.ts';

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
  /**
   * What one provider request holds. Callers that gather texts across documents and pages
   * (the fetcher's embed-ahead buffer) cut them into full requests with it. Absent: 2,048
   * inputs and no token bound.
   */
  readonly requestLimits?: RequestLimits;
  /** Tokens of one input as the provider counts them (needed to honour `maxTokens`). */
  countTokens?(text: string): number;
}

export interface RequestLimits {
  /** Inputs per request. */
  readonly maxInputs: number;
  /** Tokens per request (counted with `countTokens`). */
  readonly maxTokens?: number;
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
  /** Full-text matches given a `vector`: the record's cosine similarity to it. */
  readonly similarity?: number;
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

/** A full-text (keyword) query: the same filter and access semantics as {@link VectorQuery}. */
export interface TextQuery {
  readonly text: string;
  readonly topK: number;
  readonly filter?: Readonly<Record<string, MetadataValue>>;
  readonly access?: readonly string[];
  /** When given, every match carries its `similarity` to this vector (for a relevance floor). */
  readonly vector?: Float32Array | readonly number[];
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
  /**
   * Full-text search (BM25 over each record's `context` and `text` metadata), best first,
   * `score` being the text score. Optional: without it, hybrid search uses the vectors alone.
   */
  searchText?(query: TextQuery): Promise<QueryMatch[]>;
  close?(): Promise<void>;
}

// ─────────────────────────── StateStore ───────────────────────────

export * from './state.ts';
export * from './push-state.ts';
export * from './credentials.ts';
export * from './aliases.ts';
export * from './alerts.ts';

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
  /** Only these index profiles of the source (absent: all of them). */
  readonly profiles?: readonly string[];
  readonly requestedAt: string;
}

export interface ChunkPayload {
  readonly index: number;
  /** Hash of what is embedded: the context and the text (`embeddingText`). */
  readonly hash: string;
  readonly text: string;
  /** The chunk's title and heading path (`Title > Section`), embedded with the text; absent: none. */
  readonly context?: string;
}

export interface UpsertTask {
  readonly type: 'upsert';
  readonly sourceId: string;
  /** The index profile it writes (absent: the source's implicit `default`). */
  readonly profile?: string;
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
  readonly runId: string;
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
  /** The index profile it deletes from (absent: the source's implicit `default`). */
  readonly profile?: string;
  readonly docId: string;
  readonly rev: string;
  readonly runId: string;
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

/** One dead-lettered message, by the id its dead-letter queue knows it under. */
export interface DeadLetter {
  readonly id: string;
  readonly queue: QueueName;
  readonly body: string;
  readonly reason?: string;
  /** ISO-8601, where the queue records it. */
  readonly deadAt?: string;
}

/**
 * Inspecting and clearing a queue's dead letters (the operator's side of the DLQ): send them
 * back to their queue as new messages, or drop them. `ids` absent: all of that queue.
 */
export interface DeadLetterAdmin {
  inspectDeadLetters(queue: QueueName, max: number): Promise<DeadLetter[]>;
  /** Dead letters whose body is not a task stay where they are, named in `kept` with the reason. */
  redriveDeadLetters(queue: QueueName, ids?: readonly string[]): Promise<{ redriven: number; kept: Array<{ id: string; reason: string }> }>;
  discardDeadLetters(queue: QueueName, ids?: readonly string[]): Promise<number>;
}

// ─────────────────────────── EventBus ───────────────────────────

/** Fans webhook and watcher hints out to the fetch queue. */
export interface EventBus {
  publish(hints: readonly Hints[]): Promise<void>;
}
