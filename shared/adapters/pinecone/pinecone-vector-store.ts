import { AsyncLocalStorage } from 'node:async_hooks';
import { Pinecone } from '@pinecone-database/pinecone';
import type { Index, PineconeRecord, RecordMetadata } from '@pinecone-database/pinecone';
import { ConfigError, PoisonTaskError, TransientError, TributaryError, errorMessage } from '../../core/errors.ts';
import type { Metadata, QueryMatch, VectorQuery, VectorRecord, VectorStore } from '../../ports/index.ts';
import { toMetadata, toPineconeFilter, toRecordMetadata } from './pinecone-metadata.ts';

// Pinecone's published operation limits (docs.pinecone.io, "Operation limits" and "Limits").
/** Records per upsert request. */
const PINECONE_MAX_UPSERT_VECTORS = 1_000;
/** Ids per delete request (also the fetch maximum). */
const PINECONE_MAX_IDS_PER_DELETE = 1_000;
/** Record ids are at most 512 characters; we count UTF-8 bytes, which is never fewer. */
const PINECONE_MAX_ID_BYTES = 512;
/** Largest `topK` a query accepts. */
const PINECONE_MAX_TOP_K = 10_000;
/** Largest page `list` returns. */
const LIST_PAGE_LIMIT = 100;
/**
 * Ids per fetch, and the most characters their `ids=` query parameters may take. Fetch is a
 * GET with every id in the URL: proxies and servers commonly refuse request lines beyond
 * 8–16 KB, long before Pinecone's 1,000-id limit.
 */
const FETCH_BATCH_IDS = 100;
const FETCH_MAX_QUERY_CHARS = 6_000;

/** Metadata keys the core relies on to reconcile and repair: never trimmed. */
const PROTECTED_METADATA_KEYS: ReadonlySet<string> = new Set([
  'sourceId', 'docId', 'chunkIndex', 'version', 'hash', 'contentHash', 'updatedAt', 'textTruncated',
]);

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
   * Attempts per request (the first included) on throttling (429), server errors (5xx) and
   * network failures before giving up with a TransientError.
   * @default 8
   */
  maxAttempts?: number;
  /**
   * First backoff ceiling; doubles per attempt (full jitter: the wait is uniform in [0, ceiling]).
   * @default 250
   */
  baseDelayMs?: number;
  /**
   * Cap of the backoff ceiling, and of the wait a `Retry-After` header may impose: a longer
   * server demand fails the attempt sooner so the task queue can redeliver later instead of
   * pinning a worker.
   * @default 20_000
   */
  maxDelayMs?: number;
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
  sleep?: (ms: number) => Promise<void>;
  /** Jitter source in [0, 1). @default Math.random */
  random?: () => number;
}

/**
 * Pinecone refused the request for a reason retrying will not fix: the API key (401), the
 * project's permissions or quota (403), or the index host / namespace (404). Not retryable;
 * the message says what to check.
 */
export class VectorStoreProviderError extends TributaryError {
  /** HTTP status Pinecone answered with. */
  readonly status: number;
  constructor(message: string, options: { status: number; cause?: unknown; context?: Record<string, unknown> }) {
    super(message, {
      retryable: false,
      ...(options.cause === undefined ? {} : { cause: options.cause }),
      context: { ...options.context, status: options.status },
    });
    this.status = options.status;
  }
}

/**
 * What the HTTP layer saw during one client call. The client turns responses into error
 * classes that drop the status for 429 and 5xx (and map 403 to "bad request") and never keep
 * `Retry-After`, so the adapter's fetch records them here, per call, via AsyncLocalStorage.
 */
interface Exchange {
  status?: number;
  retryAfter?: string;
  networkError?: unknown;
}

const exchanges = new AsyncLocalStorage<Exchange>();

type Operation = 'upsert' | 'delete' | 'list' | 'fetch' | 'query';

/**
 * VectorStore on a Pinecone serverless index (dense, cosine), through the official client
 * (`@pinecone-database/pinecone` v8) targeted at the index host.
 *
 * Retries are the adapter's, not the client's: the client is built with `maxRetries: 0`
 * (its own retry retries only 5xx, sleeps on real timers and throws away the status), and
 * every call goes through {@link PineconeVectorStore.call}, which retries 429 / 5xx / network
 * failures with capped exponential backoff and full jitter, honouring `Retry-After`.
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
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
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
    this.maxAttempts = Math.max(1, Math.floor(options.maxAttempts ?? 8));
    this.baseDelayMs = options.baseDelayMs ?? 250;
    this.maxDelayMs = options.maxDelayMs ?? 20_000;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;

    const timeoutMs = options.requestTimeoutMs ?? 30_000;
    const recordingFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const exchange = exchanges.getStore();
      try {
        const response = await fetch(input, init?.signal ? init : { ...init, signal: AbortSignal.timeout(timeoutMs) });
        if (exchange) {
          exchange.status = response.status;
          const retryAfter = response.headers.get('retry-after');
          if (retryAfter !== null) exchange.retryAfter = retryAfter;
        }
        return response;
      } catch (error) {
        if (exchange) exchange.networkError = error;
        throw error;
      }
    };
    const client = new Pinecone({
      apiKey: options.apiKey,
      maxRetries: 0,
      fetchApi: recordingFetch,
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
      this.assertId(record.id);
      const values = this.toValues(record.values, `record "${record.id}"`, true);
      byId.set(record.id, { id: record.id, values, metadata: toRecordMetadata(fitMetadata(record.metadata, this.maxMetadataBytes, record.id)) });
    }
    for (const batch of this.upsertBatches([...byId.values()])) {
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
   * (./pinecone-metadata.ts), several combined with `$and`. `topK` is capped at Pinecone's 10,000.
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
   * Runs one client call with retries. 429, 5xx and network failures are retried up to
   * `maxAttempts` with backoff, then become a TransientError; 400/422 become a
   * PoisonTaskError carrying Pinecone's message (that task's document is skipped), except a
   * dimension mismatch; that, 401/403/404 and other 4xx are a VectorStoreProviderError (the
   * configuration, no document escapes). Neither is retried.
   */
  private async call<T>(operation: Operation, fn: () => Promise<T>, context: Record<string, unknown> = {}): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const exchange: Exchange = {};
      try {
        return await exchanges.run(exchange, fn);
      } catch (error) {
        const { status } = exchange;
        const where = { operation, namespace: this.namespace, host: this.host, ...context };
        const retryable = exchange.networkError !== undefined || (status !== undefined && (status === 429 || status >= 500));
        if (!retryable) throw this.permanentError(operation, error, status, where);
        if (attempt >= this.maxAttempts) {
          const what = status === undefined ? `network error (${errorMessage(exchange.networkError)})` : `HTTP ${status}`;
          throw new TransientError(`Pinecone ${operation} still failing after ${attempt} attempts: ${what}`, {
            cause: error,
            context: { ...where, attempts: attempt, ...(status === undefined ? {} : { status }) },
          });
        }
        await this.sleep(this.backoff(attempt, exchange.retryAfter));
      }
    }
  }

  /** Full jitter under an exponential ceiling, but never less than `Retry-After` (capped). */
  private backoff(attempt: number, retryAfter: string | undefined): number {
    const ceiling = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1));
    const jittered = Math.floor(this.random() * ceiling);
    const demanded = parseRetryAfter(retryAfter);
    return demanded === undefined ? jittered : Math.max(jittered, Math.min(demanded, this.maxDelayMs));
  }

  private permanentError(operation: Operation, error: unknown, status: number | undefined, context: Record<string, unknown>): Error {
    const target = `index host ${this.host}${this.indexName === undefined ? '' : ` (index "${this.indexName}")`}, namespace ${JSON.stringify(this.namespace)}`;
    const detail = errorMessage(error);
    if ((status === 400 || status === 422) && /dimension/i.test(detail)) {
      // The index was made for another vector size: every write fails alike, not one record.
      return new VectorStoreProviderError(
        `Pinecone refused the ${operation} (HTTP ${status}): ${detail}; the index's dimension must equal embedder.dimensions (${this.dimensions}) — use an index of that dimension or change the embedder (${target})`,
        { status, cause: error, context },
      );
    }
    if (status === 400 || status === 422) {
      return new PoisonTaskError(`Pinecone rejected the ${operation} (HTTP ${status}): ${detail}`, { ...context, status });
    }
    if (status === 401) {
      return new VectorStoreProviderError(
        `Pinecone rejected the API key on ${operation} (HTTP 401): check the configured Pinecone API key and that it belongs to the project of ${target}`,
        { status, cause: error, context },
      );
    }
    if (status === 403) {
      return new VectorStoreProviderError(
        `Pinecone refused the ${operation} (HTTP 403: forbidden or quota exceeded): check the API key's project, permissions and quota for ${target}. ${detail}`,
        { status, cause: error, context },
      );
    }
    if (status === 404) {
      return new VectorStoreProviderError(
        `Pinecone answered 404 on ${operation}: check the index host and namespace (${target}); the index may not exist or may be pod-based (list needs serverless)`,
        { status, cause: error, context },
      );
    }
    if (status !== undefined) {
      return new VectorStoreProviderError(`Pinecone refused the ${operation} (HTTP ${status}) on ${target}: ${detail}`, { status, cause: error, context });
    }
    // No HTTP exchange: the client refused the arguments itself (a bug here, not an outage).
    return error instanceof Error ? error : new TributaryError(detail);
  }

  /** Greedy batches within the record count and the exact JSON byte size of the request. */
  private upsertBatches(records: ReadonlyArray<PineconeRecord<RecordMetadata>>): Array<Array<PineconeRecord<RecordMetadata>>> {
    // The client sends `{"vectors":[r1,r2,...],"namespace":"..."}` with each record as
    // `{"id","values","metadata"}`, the same JSON.stringify gives here.
    const envelope = Buffer.byteLength(JSON.stringify({ vectors: [], namespace: this.namespace }), 'utf8');
    const batches: Array<Array<PineconeRecord<RecordMetadata>>> = [];
    let batch: Array<PineconeRecord<RecordMetadata>> = [];
    let bytes = envelope;
    for (const record of records) {
      const size = Buffer.byteLength(JSON.stringify(record), 'utf8');
      if (envelope + size > this.maxRequestBytes) {
        throw new PoisonTaskError(
          `record "${record.id}" alone takes ${size} bytes of JSON, over the ${this.maxRequestBytes}-byte upsert request budget`,
          { id: record.id, bytes: size },
        );
      }
      const separator = batch.length > 0 ? 1 : 0;
      if (batch.length >= this.maxVectorsPerUpsert || bytes + separator + size > this.maxRequestBytes) {
        batches.push(batch);
        batch = [];
        bytes = envelope;
      }
      bytes += (batch.length > 0 ? 1 : 0) + size;
      batch.push(record);
    }
    if (batch.length > 0) batches.push(batch);
    return batches;
  }

  private assertId(id: string): void {
    if (id.length === 0) throw new PoisonTaskError('PineconeVectorStore: a record has an empty id');
    const bytes = Buffer.byteLength(id, 'utf8');
    if (bytes > PINECONE_MAX_ID_BYTES) {
      throw new PoisonTaskError(`PineconeVectorStore: record id is ${bytes} bytes, over Pinecone's ${PINECONE_MAX_ID_BYTES}: "${id}"`, { id, bytes });
    }
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

// ───────────────────────────── helpers ─────────────────────────────

function clampInt(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, Math.floor(value)));
}

function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}

/**
 * Metadata within `maxBytes` of JSON. Cuts `text` first (by rule: it is the bulky, derived
 * field and `textTruncated` says so), then other non-core strings, largest first; the core's
 * own keys are never touched. Throws only when the untouchable keys alone are too big.
 */
function fitMetadata(metadata: Metadata, maxBytes: number, id: string): Metadata {
  if (jsonBytes(metadata) <= maxBytes) return metadata;
  const out: Metadata = { ...metadata };
  // Set before measuring: the flag's own bytes must fit too.
  if (typeof out['text'] === 'string') out['textTruncated'] = true;
  const others = Object.entries(metadata)
    .filter(([key, value]) => key !== 'text' && typeof value === 'string' && !PROTECTED_METADATA_KEYS.has(key))
    .sort((a, b) => Buffer.byteLength(String(b[1])) - Buffer.byteLength(String(a[1])))
    .map(([key]) => key);
  for (const key of ['text', ...others]) {
    const value = out[key];
    if (typeof value !== 'string') continue;
    // Longest prefix that fits: bytes grow monotonically with the prefix length.
    let lo = 0;
    let hi = value.length;
    const fits = (length: number): boolean => jsonBytes({ ...out, [key]: codePointPrefix(value, length) }) <= maxBytes;
    if (!fits(0)) {
      out[key] = '';
      continue;
    }
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (fits(mid)) lo = mid;
      else hi = mid - 1;
    }
    out[key] = codePointPrefix(value, lo);
    return out;
  }
  throw new PoisonTaskError(
    `PineconeVectorStore: metadata of record "${id}" exceeds ${maxBytes} bytes even with every trimmable field emptied`,
    { id, maxBytes },
  );
}

/** The first `length` UTF-16 units of `text`, one fewer if that would split a surrogate pair. */
function codePointPrefix(text: string, length: number): string {
  if (length <= 0) return '';
  const last = text.charCodeAt(length - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? length - 1 : length);
}

/** Batches of ids for fetch: ≤ 100 ids and a bounded URL. */
function fetchBatches(ids: readonly string[]): string[][] {
  const batches: string[][] = [];
  let batch: string[] = [];
  let chars = 0;
  for (const id of ids) {
    const size = 'ids='.length + encodeURIComponent(id).length + 1;
    if (batch.length > 0 && (batch.length >= FETCH_BATCH_IDS || chars + size > FETCH_MAX_QUERY_CHARS)) {
      batches.push(batch);
      batch = [];
      chars = 0;
    }
    batch.push(id);
    chars += size;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date. */
function parseRetryAfter(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.ceil(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
