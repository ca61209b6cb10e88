import { Pinecone } from '@pinecone-database/pinecone';
import type { Index, PineconeRecord, RecordMetadata } from '@pinecone-database/pinecone';
import { ConfigError, PoisonTaskError, TransientError, TributaryError, errorMessage } from '../../core/errors.ts';
import type { Clock, Metadata, QueryMatch, VectorQuery, VectorRecord, VectorStore } from '../../ports/index.ts';
import { advertisedWaitMs, isRetryableStatus, RateLimiter, RetryPolicy, systemClock } from '../../resilience/index.ts';
import type { Random, Sleep } from '../../resilience/index.ts';
import { refusalOf } from './errors.ts';
import { recordingExchange, recordingFetch } from './exchange.ts';
import type { Exchange } from './exchange.ts';
import {
  assertRecordId, fetchBatches, LIST_PAGE_LIMIT, PINECONE_MAX_IDS_PER_DELETE, PINECONE_MAX_TOP_K, PINECONE_MAX_UPSERT_VECTORS, upsertBatches,
} from './limits.ts';
import { fitMetadata, toMetadata, toPineconeFilter, toRecordMetadata } from './metadata.ts';

export { VectorStoreProviderError } from './errors.ts';

export interface PineconeVectorStoreOptions {
  /** Pinecone API key, sent as the `Api-Key` header. */
  apiKey: string;
  /**
   * The index's data-plane host (`https://<index>-<project>.svc.<region>.pinecone.io`, as
   * `describeIndex` or the console shows it; `https://` is added when missing). Given a host,
   * the client never calls the control plane.
   */
  indexHost: string;
  /** Index name, for messages only. */
  indexName?: string;
  /** Namespace holding this deployment's vectors; `''` means Pinecone's default namespace. */
  namespace: string;
  /** Length of every vector; checked on every upsert and query. */
  dimensions: number;
  /**
   * Most records per upsert request. Pinecone allows 1,000 but also 2 MB per request:
   * 200 records of 1,536 dimensions with ~8 KB of text each is ~8 MB of JSON before the byte
   * budget splits it, so the count rarely binds; it keeps requests (and retries) small.
   * @default 200
   */
  maxVectorsPerUpsert?: number;
  /**
   * Most bytes of JSON per upsert request, computed exactly from the serialised records.
   * Pinecone's limit is 2 MB; this stays below both readings of "2 MB" (2,000,000 and
   * 2,097,152 bytes) with room for headers and encoding differences.
   * @default 1_900_000
   */
  maxRequestBytes?: number;
  /**
   * Most bytes of metadata JSON per record. Pinecone caps metadata at 40 KB per record and
   * measures it in its own encoding; 2 KB of margin absorbs the difference. Oversized
   * metadata is trimmed (see {@link PineconeVectorStore.upsert}), never rejected.
   * @default 38_912
   */
  maxMetadataBytes?: number;
  /**
   * Attempts per request (the first included) on what shared/resilience retries (408, 425, 429,
   * 5xx, timeouts and network failures) before giving up with a TransientError.
   * @default 8
   */
  maxAttempts?: number;
  /**
   * First backoff ceiling; doubles per attempt (full jitter: the wait is uniform in [0, ceiling)).
   * @default 250
   */
  baseDelayMs?: number;
  /** Cap of the backoff ceiling. @default 20_000 */
  maxDelayMs?: number;
  /**
   * Longest provider-advertised wait (`Retry-After`, `retry-after-ms`, rate-limit resets)
   * honoured in process: a longer server demand fails the call at once with a TransientError,
   * so the task queue redelivers later instead of a worker sleeping for minutes.
   * @default 60_000
   */
  maxRetryWaitMs?: number;
  /**
   * Per-request timeout; a request that hangs this long counts as a network failure (retried).
   * @default 30_000
   */
  requestTimeoutMs?: number;
  /**
   * Control-plane URL handed to the client. Never contacted while `indexHost` is set; tests
   * point it at an emulator so that a stray call would show in its log instead of leaving
   * the machine.
   * @default undefined (the client's https://api.pinecone.io)
   */
  controllerHostUrl?: string;
  /** Waits between retries; tests inject a recorder. @default setTimeout-based */
  sleep?: Sleep;
  /** Jitter source in [0, 1). @default Math.random */
  random?: Random;
  /** Clock for pauses and HTTP-date `Retry-After`. @default the system clock */
  clock?: Clock;
}

type Operation = 'upsert' | 'delete' | 'list' | 'fetch' | 'query';

/**
 * VectorStore on a Pinecone serverless index (dense, cosine), through the official client
 * (`@pinecone-database/pinecone` v8) targeted at the index host.
 *
 * Retries are the adapter's, not the client's: the client is built with `maxRetries: 0`
 * (its own retry retries only 5xx, sleeps on real timers and throws away the status), and
 * every call goes through {@link PineconeVectorStore.call}, which retries by the rules of
 * shared/resilience: 408 / 425 / 429 / 5xx / network failures, capped exponential backoff with
 * full jitter, never less than `Retry-After` asks, a 429's wait holding the store's other calls.
 *
 * Pinecone is eventually consistent: a write may take a moment to show in list, fetch and
 * query. Upserts overwrite by id; deleting absent ids is a no-op. `listIds` needs a
 * serverless index (Pinecone's list endpoint does not exist on pod-based indexes).
 */
export class PineconeVectorStore implements VectorStore {
  readonly dimensions: number;
  readonly namespace: string;
  private readonly index: Index;
  private readonly host: string;
  private readonly indexName: string | undefined;
  private readonly maxVectorsPerUpsert: number;
  private readonly maxRequestBytes: number;
  private readonly maxMetadataBytes: number;
  private readonly retry: RetryPolicy;
  private readonly limiter: RateLimiter;
  private readonly clock: Clock;
  private closed = false;

  constructor(options: PineconeVectorStoreOptions) {
    const { dimensions } = options;
    if (!Number.isInteger(dimensions) || dimensions <= 0) {
      throw new TributaryError(`PineconeVectorStore: dimensions must be a positive integer, got ${dimensions}`);
    }
    if (!options.apiKey) throw new TributaryError('PineconeVectorStore: apiKey is empty; set the Pinecone API key');
    if (!options.indexHost) throw new TributaryError('PineconeVectorStore: indexHost is empty; set the index host shown by describeIndex');
    this.dimensions = dimensions;
    this.namespace = options.namespace;
    this.host = options.indexHost;
    this.indexName = options.indexName;
    this.maxVectorsPerUpsert = clampInt(options.maxVectorsPerUpsert ?? 200, 1, PINECONE_MAX_UPSERT_VECTORS);
    this.maxRequestBytes = options.maxRequestBytes ?? 1_900_000;
    this.maxMetadataBytes = options.maxMetadataBytes ?? 38_912;
    this.retry = new RetryPolicy({
      owner: 'PineconeVectorStore',
      maxAttempts: options.maxAttempts ?? 8,
      baseBackoffMs: options.baseDelayMs ?? 250,
      maxBackoffMs: options.maxDelayMs ?? 20_000,
      maxRetryWaitMs: options.maxRetryWaitMs ?? 60_000,
      ...(options.random ? { random: options.random } : {}),
    });
    this.clock = options.clock ?? systemClock;
    this.limiter = new RateLimiter({ owner: 'PineconeVectorStore', clock: this.clock, ...(options.sleep ? { sleep: options.sleep } : {}) });

    const client = new Pinecone({
      apiKey: options.apiKey,
      maxRetries: 0,
      fetchApi: recordingFetch(options.requestTimeoutMs ?? 30_000),
      ...(options.controllerHostUrl === undefined ? {} : { controllerHostUrl: options.controllerHostUrl }),
    });
    this.index = client.index({
      host: options.indexHost,
      namespace: options.namespace,
      ...(options.indexName === undefined ? {} : { name: options.indexName }),
    });
  }

  /**
   * Writes `records`, overwriting by id (the last of duplicate ids wins).
   *
   * Everything is validated before the first request, so a bad record fails the call without
   * writing anything: wrong dimension, non-finite values, empty id or id over 512 bytes →
   * PoisonTaskError. Metadata over `maxMetadataBytes` is trimmed, not rejected: `text` is cut
   * (on a code-point boundary) until the JSON fits and `textTruncated: true` is set; if even
   * an empty `text` does not fit, other non-core string fields are cut, largest first.
   *
   * Requests carry at most `maxVectorsPerUpsert` records and `maxRequestBytes` of JSON, sent
   * one after another (Pinecone limits upserts per namespace per second; the worker already
   * runs tasks in parallel). A large upsert is not atomic: on failure, earlier batches stay.
   */
  async upsert(records: readonly VectorRecord[]): Promise<void> {
    this.assertOpen();
    if (records.length === 0) return;
    const byId = new Map<string, PineconeRecord<RecordMetadata>>();
    for (const record of records) {
      assertRecordId(record.id);
      const values = this.toValues(record.values, `record "${record.id}"`, true);
      byId.set(record.id, { id: record.id, values, metadata: toRecordMetadata(fitMetadata(record.metadata, this.maxMetadataBytes, record.id)) });
    }
    for (const batch of upsertBatches([...byId.values()], this.namespace, { maxVectors: this.maxVectorsPerUpsert, maxBytes: this.maxRequestBytes })) {
      await this.call('upsert', () => this.index.upsert({ records: batch }), { vectors: batch.length });
    }
  }

  /** Deletes by id in requests of ≤ 1,000 ids; unknown ids are no-ops (Pinecone ignores them). */
  async delete(ids: readonly string[]): Promise<void> {
    this.assertOpen();
    const unique = [...new Set(ids)];
    for (let i = 0; i < unique.length; i += PINECONE_MAX_IDS_PER_DELETE) {
      const batch = unique.slice(i, i + PINECONE_MAX_IDS_PER_DELETE);
      await this.call('delete', () => this.index.deleteMany({ ids: batch }), { ids: batch.length });
    }
  }

  /** Every id under `prefix`, following `pagination.next` page by page (100 ids a page). */
  async listIds(prefix: string): Promise<string[]> {
    this.assertOpen();
    const ids: string[] = [];
    const seen = new Set<string>();
    let token: string | undefined;
    do {
      const pageToken = token;
      const page = await this.call('list', () => this.index.listPaginated({
        prefix,
        limit: LIST_PAGE_LIMIT,
        ...(pageToken === undefined ? {} : { paginationToken: pageToken }),
      }));
      for (const item of page.vectors ?? []) if (item.id !== undefined) ids.push(item.id);
      const next = page.pagination?.next;
      token = next === undefined || next === '' ? undefined : next;
      // A token seen before would loop forever; say so instead.
      if (token !== undefined) {
        if (seen.has(token)) throw new TransientError(`Pinecone list under prefix ${JSON.stringify(prefix)} returned a repeated pagination token`);
        seen.add(token);
      }
    } while (token !== undefined);
    return ids;
  }

  /**
   * Ids under `prefix` with their metadata: `listIds`, then `fetch` in small batches (every
   * id travels in the URL). Records deleted between the two steps are left out.
   */
  async scan(prefix: string): Promise<Array<{ id: string; metadata: Metadata }>> {
    const ids = await this.listIds(prefix);
    const out: Array<{ id: string; metadata: Metadata }> = [];
    for (const batch of fetchBatches(ids)) {
      const response = await this.call('fetch', () => this.index.fetch({ ids: batch }), { ids: batch.length });
      for (const id of batch) {
        const record = response.records[id];
        if (record) out.push({ id, metadata: toMetadata(record.metadata) });
      }
    }
    return out;
  }

  /**
   * Nearest records by cosine similarity (the index's metric), best first. The equality
   * filter becomes `{key: {$eq: value}}`, an access check `$exists`/`$in` on the `access` list
   * (./metadata.ts), several combined with `$and`. `topK` is capped at Pinecone's 10,000.
   */
  async query(query: VectorQuery): Promise<QueryMatch[]> {
    this.assertOpen();
    const vector = this.toValues(query.vector, 'query vector', false);
    const topK = Math.min(Math.floor(query.topK), PINECONE_MAX_TOP_K);
    if (!(topK > 0)) return [];
    const filter = toPineconeFilter(query);
    const response = await this.call('query', () => this.index.query({
      vector,
      topK,
      includeMetadata: true,
      includeValues: false,
      ...(filter === undefined ? {} : { filter }),
    }));
    return response.matches.map((match) => ({ id: match.id, score: match.score ?? 0, metadata: toMetadata(match.metadata) }));
  }

  /** Nothing to release (the client holds no connections of its own); later calls fail. */
  async close(): Promise<void> {
    this.closed = true;
  }

  // ───────────────────────────── internals ─────────────────────────────

  /**
   * Runs one client call with retries by the resilience policy: what it retries is retried up to
   * `maxAttempts`, waiting through the store's limiter, then becomes a TransientError; an
   * advertised wait over `maxRetryWaitMs` fails at once. Anything else is a refusal
   * ({@link refusalOf}), never retried.
   */
  private async call<T>(operation: Operation, fn: () => Promise<T>, context: Record<string, unknown> = {}): Promise<T> {
    let delayMs = 0;
    for (let attempt = 1; ; attempt++) {
      const exchange: Exchange = {};
      try {
        return await this.limiter.run(() => recordingExchange(exchange, fn), { delayMs });
      } catch (error) {
        const { status } = exchange;
        const where = { operation, namespace: this.namespace, host: this.host, ...context };
        const retryable = exchange.networkError !== undefined || (status !== undefined && isRetryableStatus(status));
        if (!retryable) throw refusalOf(error, status, { operation, target: this.target(), dimensions: this.dimensions, context: where });
        const what = status === undefined ? `network error (${errorMessage(exchange.networkError)})` : `HTTP ${status}`;
        const advertisedMs = status === undefined ? undefined : advertisedWaitMs(exchange.headers, status, this.clock.now());
        const step = this.retry.next(attempt, { status, advertisedMs });
        const failed = { ...where, attempts: attempt, ...(status === undefined ? {} : { status }) };
        if (step.kind === 'exhausted') {
          throw new TransientError(`Pinecone ${operation} still failing after ${attempt} attempts: ${what}`, { cause: error, context: failed });
        }
        if (step.kind === 'wait-too-long') {
          throw new TransientError(
            `Pinecone asked to wait ${Math.round(step.waitMs)} ms before retrying the ${operation} (over maxRetryWaitMs ${step.maxWaitMs}): ${what}; the task is retried later`,
            { cause: error, context: { ...failed, retryAfterMs: step.waitMs } },
          );
        }
        if (step.holdAllMs !== undefined) this.limiter.pauseFor(step.holdAllMs, `Pinecone ${what}`);
        delayMs = step.delayMs;
      }
    }
  }

  private target(): string {
    return `index host ${this.host}${this.indexName === undefined ? '' : ` (index "${this.indexName}")`}, namespace ${JSON.stringify(this.namespace)}`;
  }

  /** A plain number array (JSON would turn a Float32Array into an object), checked. */
  private toValues(values: Float32Array | readonly number[], what: string, poison: boolean): number[] {
    const fail = (message: string): Error => (poison ? new PoisonTaskError(message) : new TributaryError(message));
    if (values.length !== this.dimensions) {
      // A configuration mismatch, not a bad record: every vector has the embedder's size.
      throw new ConfigError(`PineconeVectorStore: ${what} has ${values.length} dimensions, but the store is configured for ${this.dimensions}; embedder.dimensions and the Pinecone index's dimension must agree`);
    }
    const out = Array.from(values);
    if (!out.every(Number.isFinite)) throw fail(`PineconeVectorStore: ${what} has a non-finite value`);
    return out;
  }

  private assertOpen(): void {
    if (this.closed) throw new TributaryError('PineconeVectorStore is closed');
  }
}

function clampInt(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, Math.floor(value)));
}
