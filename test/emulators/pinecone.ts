/**
 * A loopback emulator of Pinecone's data plane (serverless, dense, cosine), written from the
 * published API reference and limits, for adapter tests that must not touch the network.
 *
 * Wire format (API version 2025-04 and later, as the v8 client sends it):
 * - `POST /vectors/upsert` `{vectors: [{id, values, metadata?}], namespace}` → `{upsertedCount}`
 * - `POST /query` `{vector, topK, filter?, includeValues?, includeMetadata?, namespace}`
 *   → `{matches: [{id, score, values, metadata?}], namespace, usage: {readUnits}}`
 * - `POST /vectors/delete` `{ids} | {deleteAll: true} | {filter}` + `namespace` → `{}`
 * - `GET /vectors/fetch?ids=a&ids=b&namespace=n` → `{vectors: {id: {id, values, metadata?}}, namespace, usage}`
 * - `GET /vectors/list?prefix=&limit=&paginationToken=&namespace=`
 *   → `{vectors: [{id}], pagination?: {next}, namespace, usage}`; ids in bitwise (UTF-8 byte) order
 * - `POST /describe_index_stats` `{filter?}` → `{namespaces: {ns: {vectorCount}}, dimension, indexFullness, totalVectorCount, metric, vectorType}`
 *
 * Errors use Pinecone's JSON shape `{code, message, details: []}` with gRPC codes (3
 * INVALID_ARGUMENT on 400, 5 NOT_FOUND, 8 RESOURCE_EXHAUSTED on 429, 13 INTERNAL on 500,
 * 14 UNAVAILABLE on 503). A wrong or missing `Api-Key` gets 401 with the plain body
 * `Unauthorized`, as the reference documents it.
 *
 * Limits enforced (400 INVALID_ARGUMENT): ≤ 1,000 vectors and ≤ 2 MB per upsert request (2 MB
 * read as 2,000,000 bytes, the stricter reading); ids 1–512 bytes; values of exactly the index
 * dimension, finite, not all zero; metadata ≤ 40 KB (40,960 bytes of JSON) per vector, values
 * string / number / boolean / list of strings, never null; topK 1–10,000; ≤ 1,000 ids per fetch
 * or delete; list `limit` 1–100 (default 100).
 *
 * The default namespace is `__default__`; `''` is accepted as its older spelling.
 */
import { createServer } from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mulberry32 } from '../../examples/generate-corpus.ts';
import { cosine } from '../support/cosine.ts';

export const EMULATOR_LIMITS = {
  maxUpsertVectors: 1_000,
  maxUpsertBytes: 2_000_000,
  maxIdBytes: 512,
  maxMetadataBytes: 40_960,
  maxTopK: 10_000,
  maxIdsPerFetch: 1_000,
  maxIdsPerDelete: 1_000,
  maxListLimit: 100,
  defaultListLimit: 100,
} as const;

/** Paths of the data plane; anything else (e.g. a control-plane `/indexes/...`) answers 404. */
export const DATA_PLANE_PATHS: readonly string[] = [
  '/vectors/upsert', '/query', '/vectors/delete', '/vectors/fetch', '/vectors/list', '/describe_index_stats',
];

const DEFAULT_NAMESPACE = '__default__';

export type MetadataJson = Record<string, string | number | boolean | string[]>;

/** One request as the emulator saw it. `status` is filled in when the response is sent. */
export interface EmulatorRequest {
  readonly method: string;
  readonly path: string;
  /** Raw query string without `?` (empty when none). */
  readonly query: string;
  /** Bytes of the request body. */
  readonly bytes: number;
  /** Length of the request line's URL (path and query). */
  readonly urlLength: number;
  readonly apiVersion: string | undefined;
  /** Parsed JSON body, kept when it is at most 64 KB (to check request shapes). */
  readonly body: unknown;
  /** Vectors in an upsert body. */
  vectors?: number;
  /** Ids in a fetch or delete. */
  ids?: number;
  namespace?: string;
  status: number;
}

export interface FailureOptions {
  status: 429 | 500 | 502 | 503 | 504;
  /** Sent as a `Retry-After` header (seconds). */
  retryAfterSeconds?: number;
}

export interface StormOptions {
  /** Chance that any one request is throttled, in [0, 1]. */
  probability: number;
  /** Seed of the PRNG deciding which requests fail, so a storm replays identically. */
  seed: number;
  /** @default 429 */
  status?: FailureOptions['status'];
  retryAfterSeconds?: number;
}

export interface PineconeEmulatorOptions {
  /** @default 'test-api-key' */
  apiKey?: string;
  /** Dimension of the emulated index. */
  dimension: number;
  /**
   * Writes become visible to reads (list, query, fetch, stats) only after this many further
   * read requests. 0 (read-your-writes) keeps tests simple.
   * @default 0
   */
  consistencyLagReads?: number;
}

export interface PineconeEmulator {
  /** Base URL to pass as the index host, e.g. `http://127.0.0.1:54321`. */
  readonly host: string;
  readonly apiKey: string;
  readonly dimension: number;
  /** Every request received, in arrival order. */
  readonly requests: EmulatorRequest[];
  clearRequests(): void;
  /** The next `count` requests (after the API-key check) fail with `status`. */
  failNext(count: number, options: FailureOptions): void;
  /** Throttles each later request with `probability`, decided by a seeded PRNG. */
  startStorm(options: StormOptions): void;
  stopStorm(): void;
  /** Sets the eventual-consistency lag (see {@link PineconeEmulatorOptions.consistencyLagReads}). */
  setConsistencyLag(reads: number): void;
  /** Makes every pending write visible now. */
  settle(): void;
  /** The visible record, bypassing the API (and the consistency lag's read counting). */
  peek(namespace: string, id: string): { values: number[]; metadata?: MetadataJson } | undefined;
  /** Visible record count of a namespace. */
  count(namespace: string): number;
  close(): Promise<void>;
}

interface StoredVector {
  values: number[];
  metadata?: MetadataJson;
}

type Namespace = Map<string, StoredVector>;

interface PendingWrite {
  readsLeft: number;
  apply: () => void;
}

/** A 400 INVALID_ARGUMENT in Pinecone's shape. */
class BadRequest extends Error {}

/** Starts the emulator on 127.0.0.1 with an OS-assigned port. */
export async function startPineconeEmulator(options: PineconeEmulatorOptions = { dimension: 1536 }): Promise<PineconeEmulator> {
  const apiKey = options.apiKey ?? 'test-api-key';
  const { dimension } = options;
  const namespaces = new Map<string, Namespace>();
  const requests: EmulatorRequest[] = [];
  const pending: PendingWrite[] = [];
  let lag = options.consistencyLagReads ?? 0;
  const failures: FailureOptions[] = [];
  let storm: { options: StormOptions; next: () => number } | undefined;

  const namespaceOf = (name: unknown): string => {
    if (name === undefined || name === null || name === '') return DEFAULT_NAMESPACE;
    if (typeof name !== 'string') throw new BadRequest('namespace must be a string');
    return name;
  };
  const space = (name: string): Namespace => {
    let ns = namespaces.get(name);
    if (!ns) {
      ns = new Map();
      namespaces.set(name, ns);
    }
    return ns;
  };
  /** Applies a write now, or queues it behind the consistency lag. */
  const write = (apply: () => void): void => {
    if (lag <= 0 && pending.length === 0) apply();
    else pending.push({ readsLeft: lag, apply });
  };
  /** Called before serving a read: writes whose lag has elapsed become visible, in order. */
  const beforeRead = (): void => {
    while (pending.length > 0 && (pending[0]?.readsLeft ?? 0) <= 0) pending.shift()?.apply();
  };
  /** Called after serving a read: one read fewer to wait for each pending write. */
  const afterRead = (): void => {
    for (const op of pending) op.readsLeft -= 1;
  };

  const injectedFailure = (): FailureOptions | undefined => {
    const queued = failures.shift();
    if (queued) return queued;
    if (storm && storm.next() < storm.options.probability) {
      return {
        status: storm.options.status ?? 429,
        ...(storm.options.retryAfterSeconds !== undefined ? { retryAfterSeconds: storm.options.retryAfterSeconds } : {}),
      };
    }
    return undefined;
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', 'http://emulator');
      const entry: EmulatorRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.search.replace(/^\?/, ''),
        bytes: body.length,
        urlLength: (req.url ?? '').length,
        apiVersion: header(req, 'x-pinecone-api-version'),
        body: body.length > 0 && body.length <= 65_536 ? tryParse(body) : undefined,
        status: 0,
      };
      requests.push(entry);
      const send = (status: number, payload: unknown, headers: Record<string, string> = {}): void => {
        entry.status = status;
        const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
        res.writeHead(status, {
          'content-type': typeof payload === 'string' ? 'text/plain' : 'application/json',
          'content-length': Buffer.byteLength(text),
          ...headers,
        });
        res.end(text);
      };
      try {
        handle(req, url, body, entry, send);
      } catch (error) {
        if (error instanceof BadRequest) send(400, { code: 3, message: error.message, details: [] });
        else send(500, { code: 13, message: `emulator error: ${String(error)}`, details: [] });
      }
    });
  });

  const handle = (
    req: IncomingMessage,
    url: URL,
    body: Buffer,
    entry: EmulatorRequest,
    send: (status: number, payload: unknown, headers?: Record<string, string>) => void,
  ): void => {
    if (header(req, 'api-key') !== apiKey) {
      send(401, 'Unauthorized');
      return;
    }
    const route = `${req.method ?? ''} ${url.pathname}`;
    const known = ['POST /vectors/upsert', 'POST /query', 'POST /vectors/delete', 'GET /vectors/fetch', 'GET /vectors/list', 'POST /describe_index_stats'];
    if (!known.includes(route)) {
      send(404, { code: 5, message: `Not Found: ${route}`, details: [] });
      return;
    }
    const failure = injectedFailure();
    if (failure) {
      const headers: Record<string, string> = failure.retryAfterSeconds !== undefined ? { 'retry-after': String(failure.retryAfterSeconds) } : {};
      const code = failure.status === 429 ? 8 : failure.status === 500 ? 13 : 14;
      const message = failure.status === 429
        ? 'Request failed. You have exceeded the request rate limit for this namespace. Retry with backoff.'
        : failure.status === 500 ? 'Internal error' : 'Service unavailable';
      send(failure.status, { code, message, details: [] }, headers);
      return;
    }

    switch (route) {
      case 'POST /vectors/upsert': {
        if (body.length > EMULATOR_LIMITS.maxUpsertBytes) {
          throw new BadRequest(`Request size ${body.length} bytes exceeds the maximum supported size of 2 MB`);
        }
        const json = parseBody(body);
        const ns = namespaceOf(json['namespace']);
        entry.namespace = ns;
        const vectors = json['vectors'];
        if (!Array.isArray(vectors) || vectors.length === 0) throw new BadRequest('vectors must be a non-empty list');
        entry.vectors = vectors.length;
        if (vectors.length > EMULATOR_LIMITS.maxUpsertVectors) {
          throw new BadRequest(`Batch size ${vectors.length} exceeds the maximum of ${EMULATOR_LIMITS.maxUpsertVectors} vectors per upsert request`);
        }
        const parsed = vectors.map((vector: unknown) => validateVector(vector, dimension));
        write(() => {
          const target = space(ns);
          for (const { id, stored } of parsed) target.set(id, stored);
        });
        send(200, { upsertedCount: parsed.length });
        return;
      }
      case 'POST /vectors/delete': {
        const json = parseBody(body);
        const ns = namespaceOf(json['namespace']);
        entry.namespace = ns;
        const ids = json['ids'];
        const filter = json['filter'];
        if (json['deleteAll'] === true) {
          write(() => namespaces.delete(ns));
        } else if (ids !== undefined) {
          if (!Array.isArray(ids) || ids.length === 0 || !ids.every((id) => typeof id === 'string')) {
            throw new BadRequest('ids must be a non-empty list of strings');
          }
          entry.ids = ids.length;
          if (ids.length > EMULATOR_LIMITS.maxIdsPerDelete) {
            throw new BadRequest(`Delete request of ${ids.length} ids exceeds the maximum of ${EMULATOR_LIMITS.maxIdsPerDelete}`);
          }
          const doomed = ids as string[];
          write(() => {
            const target = namespaces.get(ns);
            for (const id of doomed) target?.delete(id);
          });
        } else if (filter !== undefined) {
          const test = compileFilter(filter);
          write(() => {
            const target = namespaces.get(ns);
            if (!target) return;
            for (const [id, stored] of target) if (test(stored.metadata ?? {})) target.delete(id);
          });
        } else {
          throw new BadRequest('Delete request must specify ids, filter or deleteAll');
        }
        send(200, {});
        return;
      }
      case 'GET /vectors/fetch': {
        const ids = url.searchParams.getAll('ids');
        const ns = namespaceOf(url.searchParams.get('namespace'));
        entry.namespace = ns;
        entry.ids = ids.length;
        if (ids.length === 0) throw new BadRequest('ids must be specified');
        if (ids.length > EMULATOR_LIMITS.maxIdsPerFetch) {
          throw new BadRequest(`Fetch request of ${ids.length} ids exceeds the maximum of ${EMULATOR_LIMITS.maxIdsPerFetch}`);
        }
        beforeRead();
        const source = namespaces.get(ns);
        const vectors: Record<string, unknown> = {};
        for (const id of ids) {
          const stored = source?.get(id);
          if (stored) vectors[id] = { id, values: stored.values, ...(stored.metadata ? { metadata: stored.metadata } : {}) };
        }
        afterRead();
        send(200, { vectors, namespace: ns, usage: { readUnits: 1 } });
        return;
      }
      case 'GET /vectors/list': {
        const ns = namespaceOf(url.searchParams.get('namespace'));
        entry.namespace = ns;
        const prefix = url.searchParams.get('prefix') ?? '';
        const limitText = url.searchParams.get('limit');
        const limit = limitText === null ? EMULATOR_LIMITS.defaultListLimit : Number(limitText);
        if (!Number.isInteger(limit) || limit < 1 || limit > EMULATOR_LIMITS.maxListLimit) {
          throw new BadRequest(`limit must be an integer between 1 and ${EMULATOR_LIMITS.maxListLimit}, got ${limitText ?? ''}`);
        }
        const token = url.searchParams.get('paginationToken');
        const after = token ? decodeToken(token, prefix) : undefined;
        beforeRead();
        const ids = [...(namespaces.get(ns)?.keys() ?? [])]
          .filter((id) => id.startsWith(prefix))
          .map((id) => ({ id, bytes: Buffer.from(id, 'utf8') }))
          .sort((a, b) => Buffer.compare(a.bytes, b.bytes));
        const start = after === undefined ? 0 : ids.findIndex((item) => Buffer.compare(item.bytes, after) > 0);
        const page = start < 0 ? [] : ids.slice(start, start + limit);
        const more = start >= 0 && start + limit < ids.length;
        const last = page[page.length - 1];
        afterRead();
        send(200, {
          vectors: page.map((item) => ({ id: item.id })),
          ...(more && last ? { pagination: { next: encodeToken(last.id, prefix) } } : {}),
          namespace: ns,
          usage: { readUnits: 1 },
        });
        return;
      }
      case 'POST /query': {
        const json = parseBody(body);
        const ns = namespaceOf(json['namespace']);
        entry.namespace = ns;
        const topK = json['topK'];
        if (typeof topK !== 'number' || !Number.isInteger(topK) || topK < 1 || topK > EMULATOR_LIMITS.maxTopK) {
          throw new BadRequest(`topK must be an integer between 1 and ${EMULATOR_LIMITS.maxTopK}`);
        }
        const vector = json['vector'];
        if (!Array.isArray(vector) || !vector.every((v) => typeof v === 'number' && Number.isFinite(v))) {
          throw new BadRequest('vector must be a list of finite numbers');
        }
        if (vector.length !== dimension) {
          throw new BadRequest(`Vector dimension ${vector.length} does not match the dimension of the index ${dimension}`);
        }
        const test = json['filter'] === undefined ? () => true : compileFilter(json['filter']);
        const includeValues = json['includeValues'] === true;
        const includeMetadata = json['includeMetadata'] === true;
        beforeRead();
        const scored: Array<{ id: string; score: number; stored: StoredVector }> = [];
        for (const [id, stored] of namespaces.get(ns) ?? []) {
          if (!test(stored.metadata ?? {})) continue;
          scored.push({ id, score: cosine(vector as number[], stored.values), stored });
        }
        afterRead();
        scored.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
        send(200, {
          results: [],
          matches: scored.slice(0, topK).map(({ id, score, stored }) => ({
            id,
            score,
            values: includeValues ? stored.values : [],
            ...(includeMetadata && stored.metadata ? { metadata: stored.metadata } : {}),
          })),
          namespace: ns,
          usage: { readUnits: 5 },
        });
        return;
      }
      case 'POST /describe_index_stats': {
        const json = body.length === 0 ? {} : parseBody(body);
        const test = json['filter'] === undefined ? () => true : compileFilter(json['filter']);
        beforeRead();
        const summary: Record<string, { vectorCount: number }> = {};
        let total = 0;
        for (const [name, ns] of namespaces) {
          let count = 0;
          for (const stored of ns.values()) if (test(stored.metadata ?? {})) count += 1;
          if (count === 0) continue;
          summary[name] = { vectorCount: count };
          total += count;
        }
        afterRead();
        send(200, { namespaces: summary, dimension, indexFullness: 0, totalVectorCount: total, metric: 'cosine', vectorType: 'dense' });
        return;
      }
      default:
        send(404, { code: 5, message: `Not Found: ${route}`, details: [] });
    }
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    host: `http://127.0.0.1:${port}`,
    apiKey,
    dimension,
    requests,
    clearRequests: () => {
      requests.length = 0;
    },
    failNext: (count, failure) => {
      for (let i = 0; i < count; i++) failures.push(failure);
    },
    startStorm: (stormOptions) => {
      storm = { options: stormOptions, next: mulberry32(stormOptions.seed) };
    },
    stopStorm: () => {
      storm = undefined;
    },
    setConsistencyLag: (reads) => {
      lag = Math.max(0, Math.floor(reads));
    },
    settle: () => {
      while (pending.length > 0) pending.shift()?.apply();
    },
    peek: (namespace, id) => {
      const stored = namespaces.get(namespaceOf(namespace))?.get(id);
      return stored ? structuredClone(stored) : undefined;
    },
    count: (namespace) => namespaces.get(namespaceOf(namespace))?.size ?? 0,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// ───────────────────────────── validation ─────────────────────────────

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function tryParse(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

function parseBody(body: Buffer): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    throw new BadRequest('Request body is not valid JSON');
  }
  if (!isPlainObject(json)) throw new BadRequest('Request body must be a JSON object');
  return json;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function validateVector(raw: unknown, dimension: number): { id: string; stored: StoredVector } {
  if (!isPlainObject(raw)) throw new BadRequest('each vector must be an object');
  const { id, values, metadata } = raw;
  if (typeof id !== 'string' || id.length === 0) throw new BadRequest('Vector ID must be a non-empty string');
  const idBytes = Buffer.byteLength(id, 'utf8');
  if (idBytes > EMULATOR_LIMITS.maxIdBytes) {
    throw new BadRequest(`Vector ID exceeds the maximum length of ${EMULATOR_LIMITS.maxIdBytes} (got ${idBytes}): ${id.slice(0, 40)}...`);
  }
  if (!Array.isArray(values) || !values.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw new BadRequest(`Vector ${id}: values must be a list of finite numbers`);
  }
  if (values.length !== dimension) {
    throw new BadRequest(`Vector dimension ${values.length} does not match the dimension of the index ${dimension}`);
  }
  if ((values as number[]).every((v) => v === 0)) throw new BadRequest(`Dense vector ${id} must contain at least one non-zero value`);
  if (metadata === undefined) return { id, stored: { values: values as number[] } };
  if (!isPlainObject(metadata)) throw new BadRequest(`Vector ${id}: metadata must be an object`);
  for (const [key, value] of Object.entries(metadata)) {
    const ok = typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))
      || (Array.isArray(value) && value.every((item) => typeof item === 'string'));
    if (!ok) throw new BadRequest(`Metadata value for field "${key}" of vector ${id} must be a string, number, boolean or list of strings`);
  }
  const size = Buffer.byteLength(JSON.stringify(metadata), 'utf8');
  if (size > EMULATOR_LIMITS.maxMetadataBytes) {
    throw new BadRequest(`Metadata size is ${size} bytes, which exceeds the limit of ${EMULATOR_LIMITS.maxMetadataBytes} bytes per vector`);
  }
  return { id, stored: { values: values as number[], metadata: structuredClone(metadata) as MetadataJson } };
}

// ───────────────────────────── filters ─────────────────────────────

type Primitive = string | number | boolean;
type Test = (metadata: MetadataJson) => boolean;

function isPrimitive(value: unknown): value is Primitive {
  return typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
}

/**
 * Compiles Pinecone's filter language: `{field: value}` (shorthand for `$eq`), `{field: {$eq,
 * $ne, $gt, $gte, $lt, $lte, $in, $nin, $exists}}`, `$and` / `$or` lists; several keys in one
 * object are ANDed. A list-valued metadata field matches `$eq`/`$in` when any element does.
 */
function compileFilter(filter: unknown): Test {
  if (!isPlainObject(filter)) throw new BadRequest('filter must be an object');
  const tests: Test[] = Object.entries(filter).map(([key, condition]): Test => {
    if (key === '$and' || key === '$or') {
      if (!Array.isArray(condition) || condition.length === 0) throw new BadRequest(`${key} must be a non-empty list`);
      const parts = condition.map((part) => compileFilter(part));
      return key === '$and' ? (m) => parts.every((t) => t(m)) : (m) => parts.some((t) => t(m));
    }
    if (key.startsWith('$')) throw new BadRequest(`unknown top-level filter operator ${key}`);
    if (isPrimitive(condition)) return (m) => equals(m[key], condition);
    if (!isPlainObject(condition)) throw new BadRequest(`invalid filter for field "${key}"`);
    const ops = Object.entries(condition).map(([op, operand]) => compileOperator(key, op, operand));
    if (ops.length === 0) throw new BadRequest(`empty filter for field "${key}"`);
    return (m) => ops.every((t) => t(m));
  });
  return (m) => tests.every((t) => t(m));
}

function compileOperator(key: string, op: string, operand: unknown): Test {
  switch (op) {
    case '$eq':
    case '$ne': {
      if (!isPrimitive(operand)) throw new BadRequest(`${op} on "${key}" needs a string, number or boolean`);
      return op === '$eq' ? (m) => equals(m[key], operand) : (m) => !equals(m[key], operand);
    }
    case '$in':
    case '$nin': {
      if (!Array.isArray(operand) || !operand.every(isPrimitive)) throw new BadRequest(`${op} on "${key}" needs a list of primitives`);
      const any = (m: MetadataJson): boolean => operand.some((v) => equals(m[key], v));
      return op === '$in' ? any : (m) => !any(m);
    }
    case '$gt':
    case '$gte':
    case '$lt':
    case '$lte': {
      if (typeof operand !== 'number') throw new BadRequest(`${op} on "${key}" needs a number`);
      return (m) => {
        const value = m[key];
        if (typeof value !== 'number') return false;
        return op === '$gt' ? value > operand : op === '$gte' ? value >= operand : op === '$lt' ? value < operand : value <= operand;
      };
    }
    case '$exists': {
      if (typeof operand !== 'boolean') throw new BadRequest(`$exists on "${key}" needs a boolean`);
      return (m) => (m[key] !== undefined) === operand;
    }
    default:
      throw new BadRequest(`unknown filter operator ${op} on "${key}"`);
  }
}

/** Strict equality (no type coercion: `'1'` never equals `1`); lists match on any element. */
function equals(value: MetadataJson[string] | undefined, operand: Primitive): boolean {
  if (Array.isArray(value)) return value.includes(operand as string);
  return value === operand;
}

// ───────────────────────────── helpers ─────────────────────────────

/** Opaque page token: the last id served, bound to the prefix it was listed under. */
function encodeToken(lastId: string, prefix: string): string {
  return Buffer.from(JSON.stringify({ after: lastId, prefix }), 'utf8').toString('base64');
}

function decodeToken(token: string, prefix: string): Buffer {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
    if (isPlainObject(parsed) && typeof parsed['after'] === 'string' && parsed['prefix'] === prefix) {
      return Buffer.from(parsed['after'], 'utf8');
    }
  } catch {
    // fall through
  }
  throw new BadRequest('Invalid pagination token');
}


