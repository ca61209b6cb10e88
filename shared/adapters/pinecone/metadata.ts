/** Metadata and filters between the VectorStore port and Pinecone: trimming to the size limit, filter syntax, reading back. */
import type { RecordMetadata } from '@pinecone-database/pinecone';
import { PoisonTaskError } from '../../core/errors.ts';
import { ACCESS_KEY } from '../../core/access.ts';
import type { Metadata, VectorQuery } from '../../ports/index.ts';

/** Metadata keys the core relies on to reconcile and repair: never trimmed. */
const PROTECTED_METADATA_KEYS: ReadonlySet<string> = new Set([
  'sourceId', 'docId', 'chunkIndex', 'version', 'hash', 'contentHash', 'updatedAt', 'textTruncated',
]);

/**
 * Metadata within `maxBytes` of JSON. Cuts `text` first (by rule: it is the bulky, derived
 * field and `textTruncated` says so), then other non-core strings, largest first; the core's
 * own keys are never touched. Throws only when the untouchable keys alone are too big.
 */
export function fitMetadata(metadata: Metadata, maxBytes: number, id: string): Metadata {
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

/**
 * A query's filter in Pinecone's language: each equality key `{key: {$eq: value}}`; an access
 * check `{$or: [{access: {$exists: false}}, {access: {$in: principals}}]}` (`$in` on a list
 * field matches when any element is in the list); several clauses under `$and`; none → none.
 */
export function toPineconeFilter(query: Pick<VectorQuery, 'filter' | 'access'>): object | undefined {
  const clauses: object[] = Object.entries(query.filter ?? {}).map(([key, value]) => ({ [key]: { $eq: value } }));
  if (query.access !== undefined) {
    clauses.push({ $or: [{ [ACCESS_KEY]: { $exists: false } }, { [ACCESS_KEY]: { $in: [...query.access] } }] });
  }
  if (clauses.length === 0) return undefined;
  return clauses.length === 1 ? clauses[0] : { $and: clauses };
}

/** Pinecone metadata as the port's type: strings, numbers, booleans and lists of strings. */
export function toMetadata(metadata: RecordMetadata | undefined): Metadata {
  const out: Metadata = {};
  for (const [key, value] of Object.entries(metadata ?? {})) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') out[key] = value;
    else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) out[key] = [...value];
  }
  return out;
}

/** The port's metadata as Pinecone's record type (its lists are mutable arrays). */
export function toRecordMetadata(metadata: Metadata): RecordMetadata {
  const out: RecordMetadata = {};
  for (const [key, value] of Object.entries(metadata)) out[key] = Array.isArray(value) ? [...value] : value as string | number | boolean;
  return out;
}

function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}

/** The first `length` UTF-16 units of `text`, one fewer if that would split a surrogate pair. */
function codePointPrefix(text: string, length: number): string {
  if (length <= 0) return '';
  const last = text.charCodeAt(length - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? length - 1 : length);
}
