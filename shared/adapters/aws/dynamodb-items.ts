import type { NativeAttributeValue } from '@aws-sdk/lib-dynamodb';
import type {
  BreakerState,
  Cursor,
  IdempotencyRecord,
  LedgerEntry,
  PassState,
  PendingMarker,
  RunRecord,
  SourceState,
  StashedDocument,
} from '../../ports/index.ts';

/**
 * The state table's items: one table, pk/sk. `SRC#<source>` holds a source's state (`STATE`),
 * ledger (`DOC#<id>`), runs (`RUN#…`), push stash (`PUSH#<id>`) and idempotency records
 * (`IDEM#<key>`); `EMB#<model>#<dims>` the embedding cache by chunk hash. The codec below is
 * shared with the in-memory twin the chaos suite runs on.
 */
export type Item = Record<string, NativeAttributeValue>;

export const STATE_SK = 'STATE';
export const DOC_PREFIX = 'DOC#';
export const RUN_PREFIX = 'RUN#';

/** The sort key of a run record: run ids are the core's opaque strings, the key is the table's. */
export function runKey(runId: string): string {
  return RUN_PREFIX + runId;
}

/**
 * A pass as stored. Passes saved before run ids were opaque name their run by its sort key
 * (`runSk: "RUN#<id>"`); they are read as `runId: "<id>"`, so a pass in progress across the
 * upgrade still reports to its run.
 */
export function toPassState(value: unknown): PassState | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const { runSk, ...pass } = value as Record<string, unknown> & { runSk?: unknown };
  if (typeof pass['runId'] !== 'string' && typeof runSk === 'string') {
    pass['runId'] = runSk.startsWith(RUN_PREFIX) ? runSk.slice(RUN_PREFIX.length) : runSk;
  }
  return pass as unknown as PassState;
}
export const PUSH_PREFIX = 'PUSH#';
/** Sorts right after every `PUSH#…` key: the upper bound of a stash range. */
export const PUSH_END = 'PUSH$';
export const IDEM_PREFIX = 'IDEM#';
/** Attributes a slim stash listing reads. */
export const STASH_SLIM = ['pk', 'sk', 'docId', 'version', 'deleted', 'contentHash', 'updatedAt', 'stamp'];

export const srcPk = (sourceId: string): string => `SRC#${sourceId}`;
export const docSk = (docId: string): string => `${DOC_PREFIX}${docId}`;
export const pushSk = (docId: string): string => `${PUSH_PREFIX}${docId}`;
export const idemSk = (key: string): string => `${IDEM_PREFIX}${key}`;
/** The embedding cache's partition before it was sharded: still read, for vectors cached then. */
export const embPk = (model: string, dimensions: number): string => `EMB#${model}#${dimensions}`;

/**
 * Shards of the embedding cache: one partition key would cap the cache at one partition's
 * 1,000 WCU/s, about 140 vectors of 1,536 dimensions a second, which a backfill at 5M tokens
 * per minute exceeds (test/sim, README "Scale and cost"). A chunk's shard is the first hex
 * digit of its hash.
 */
export const EMBEDDING_SHARDS = 16;

const shardOf = (hash: string): string => {
  const digit = Number.parseInt(hash.charAt(0), 16);
  return (Number.isNaN(digit) ? hash.charCodeAt(0) % EMBEDDING_SHARDS : digit % EMBEDDING_SHARDS).toString(16);
};

/** The partition key of a chunk's cached vector: `EMB#<model>#<dims>#<shard>`. */
export const embShardPk = (model: string, dimensions: number, hash: string): string => `${embPk(model, dimensions)}#${shardOf(hash)}`;

/** The partition keys a function's IAM policy names (`dynamodb:LeadingKeys`): a source's items, the embedding cache. */
export const sourcePartitionKey = srcPk;
/** Every partition key of a model's embedding cache: its shards and the unsharded key read for older entries. */
export const embeddingPartitionKeys = (model: string, dimensions: number): string[] => [
  embPk(model, dimensions), ...Array.from({ length: EMBEDDING_SHARDS }, (_, i) => `${embPk(model, dimensions)}#${i.toString(16)}`),
];

export function emptyState(sourceId: string): SourceState {
  return { sourceId, epoch: 0, rerunRequested: false, consecutiveFailures: 0 };
}

function str(item: Item, key: string): string | undefined {
  const v = item[key];
  return typeof v === 'string' ? v : undefined;
}

function num(item: Item, key: string): number | undefined {
  const v = item[key];
  return typeof v === 'number' ? v : undefined;
}

/** Copies only the defined values, as exactOptionalPropertyTypes wants. */
function defined<T extends object>(value: { [K in keyof T]: T[K] | undefined }): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** The table's item codec, shared with the in-memory twin the chaos suite runs on. */
export function toSourceState(sourceId: string, item: Item): SourceState {
  return defined<SourceState>({
    sourceId,
    epoch: num(item, 'epoch') ?? 0,
    leaseOwner: str(item, 'leaseOwner'),
    leaseUntil: num(item, 'leaseUntil'),
    rerunRequested: item['rerunRequested'] === true,
    watermark: str(item, 'watermark'),
    feed: item['feed'] !== null && typeof item['feed'] === 'object' ? (item['feed'] as Cursor) : undefined,
    pass: toPassState(item['pass']),
    lastSuccessAt: str(item, 'lastSuccessAt'),
    lastFailureAt: str(item, 'lastFailureAt'),
    lastError: str(item, 'lastError'),
    consecutiveFailures: num(item, 'consecutiveFailures') ?? 0,
    breaker: item['breaker'] as BreakerState | undefined,
  });
}

export function toLedgerEntry(sourceId: string, item: Item): LedgerEntry {
  const sk = String(item['sk'] ?? '');
  return defined<LedgerEntry>({
    sourceId,
    docId: str(item, 'docId') ?? sk.slice(DOC_PREFIX.length),
    rev: str(item, 'rev'),
    version: str(item, 'version'),
    contentHash: str(item, 'contentHash'),
    chunkHashes: Array.isArray(item['chunkHashes']) ? (item['chunkHashes'] as string[]) : undefined,
    chunker: str(item, 'chunker'),
    deleted: item['deleted'] === true ? true : undefined,
    pending: item['pending'] as PendingMarker | undefined,
    claim: str(item, 'claim'),
    title: str(item, 'title'),
    decor: str(item, 'decor'),
    updatedAt: str(item, 'updatedAt'),
  });
}

/** A run record from its item; the id is the sort key's (records written before ids were opaque hold it as `runSk`). */
export function toRunRecord(item: Item): RunRecord {
  const { pk: _pk, sk, expiresAt: _e, runSk: _legacy, ...rest } = item;
  return { ...rest, runId: String(sk).slice(RUN_PREFIX.length) } as unknown as RunRecord;
}

export function toStashedDocument(sourceId: string, item: Item): StashedDocument {
  const sk = String(item['sk'] ?? '');
  const format = str(item, 'format');
  const metadata = item['metadata'];
  return {
    ...defined<Omit<StashedDocument, 'sourceId' | 'docId' | 'deleted' | 'updatedAt' | 'stamp'>>({
      version: str(item, 'version'),
      text: str(item, 'text'),
      title: str(item, 'title'),
      url: str(item, 'url'),
      format: format === 'markdown' || format === 'text' ? format : undefined,
      metadata: metadata !== null && typeof metadata === 'object' ? (metadata as StashedDocument['metadata']) : undefined,
      contentHash: str(item, 'contentHash'),
    }),
    sourceId,
    docId: str(item, 'docId') ?? sk.slice(PUSH_PREFIX.length),
    deleted: item['deleted'] === true,
    updatedAt: str(item, 'updatedAt') ?? '',
    stamp: str(item, 'stamp') ?? '',
  };
}

export function toIdempotencyRecord(item: Item): IdempotencyRecord {
  const response = item['response'] as { statusCode?: unknown; body?: unknown } | undefined;
  return defined<IdempotencyRecord>({
    key: str(item, 'idemKey') ?? String(item['sk'] ?? '').slice(IDEM_PREFIX.length),
    requestHash: str(item, 'requestHash') ?? '',
    status: item['status'] === 'complete' ? 'complete' : 'in_progress',
    lockedUntil: num(item, 'lockedUntil'),
    response: response && typeof response.statusCode === 'number' && typeof response.body === 'string'
      ? { statusCode: response.statusCode, body: response.body } : undefined,
    expiresAt: num(item, 'expiresAt') ?? 0,
  });
}

export function encodeVector(vector: Float32Array): Uint8Array {
  const copy = Float32Array.from(vector);
  return new Uint8Array(copy.buffer, copy.byteOffset, copy.byteLength);
}

export function decodeVector(bytes: Uint8Array): Float32Array {
  // Copy: the SDK's buffer may be a slice of a larger, unaligned allocation.
  const aligned = new Uint8Array(bytes.byteLength);
  aligned.set(bytes);
  return new Float32Array(aligned.buffer);
}
