/**
 * Pinecone's published operation limits (docs.pinecone.io, "Operation limits" and "Limits"),
 * and the request batches that stay within them.
 */
import type { PineconeRecord, RecordMetadata } from '@pinecone-database/pinecone';
import { PoisonTaskError } from '../../core/errors.ts';
import { batchesOf } from '../../core/batches.ts';

/** Records per upsert request. */
export const PINECONE_MAX_UPSERT_VECTORS = 1_000;
/** Ids per delete request (also the fetch maximum). */
export const PINECONE_MAX_IDS_PER_DELETE = 1_000;
/** Record ids are at most 512 characters; we count UTF-8 bytes, which is never fewer. */
export const PINECONE_MAX_ID_BYTES = 512;
/** Largest `topK` a query accepts. */
export const PINECONE_MAX_TOP_K = 10_000;
/** Largest page `list` returns. */
export const LIST_PAGE_LIMIT = 100;
/**
 * Ids per fetch, and the most characters their `ids=` query parameters may take. Fetch is a
 * GET with every id in the URL: proxies and servers commonly refuse request lines beyond
 * 8–16 KB, long before Pinecone's 1,000-id limit.
 */
const FETCH_BATCH_IDS = 100;
const FETCH_MAX_QUERY_CHARS = 6_000;

type UpsertRecord = PineconeRecord<RecordMetadata>;

/**
 * Greedy batches within the record count and the exact JSON byte size of the request. A record
 * that alone exceeds the byte budget is a PoisonTaskError.
 */
export function upsertBatches(records: readonly UpsertRecord[], namespace: string, limits: { maxVectors: number; maxBytes: number }): UpsertRecord[][] {
  // The client sends `{"vectors":[r1,r2,...],"namespace":"..."}` with each record as
  // `{"id","values","metadata"}`, the same JSON.stringify gives here.
  const envelope = Buffer.byteLength(JSON.stringify({ vectors: [], namespace }), 'utf8');
  const batches: UpsertRecord[][] = [];
  let batch: UpsertRecord[] = [];
  let bytes = envelope;
  for (const record of records) {
    const size = Buffer.byteLength(JSON.stringify(record), 'utf8');
    if (envelope + size > limits.maxBytes) {
      throw new PoisonTaskError(
        `record "${record.id}" alone takes ${size} bytes of JSON, over the ${limits.maxBytes}-byte upsert request budget`,
        { id: record.id, bytes: size },
      );
    }
    const separator = batch.length > 0 ? 1 : 0;
    if (batch.length >= limits.maxVectors || bytes + separator + size > limits.maxBytes) {
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

/** Batches of ids for fetch: ≤ 100 ids and a bounded URL. */
export function fetchBatches(ids: readonly string[]): string[][] {
  return batchesOf(ids, { maxItems: FETCH_BATCH_IDS, maxBytes: FETCH_MAX_QUERY_CHARS }, (id) => 'ids='.length + encodeURIComponent(id).length + 1);
}

/** An id Pinecone accepts: not empty, at most 512 bytes; a PoisonTaskError otherwise. */
export function assertRecordId(id: string): void {
  if (id.length === 0) throw new PoisonTaskError('PineconeVectorStore: a record has an empty id');
  const bytes = Buffer.byteLength(id, 'utf8');
  if (bytes > PINECONE_MAX_ID_BYTES) {
    throw new PoisonTaskError(`PineconeVectorStore: record id is ${bytes} bytes, over Pinecone's ${PINECONE_MAX_ID_BYTES}: "${id}"`, { id, bytes });
  }
}
