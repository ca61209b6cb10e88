import { createHash } from 'node:crypto';
import type { Metadata } from '../ports/index.ts';

/** sha256 hex of a UTF-8 string. */
export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * Stable short key for a source document id. Source ids can be long or contain characters
 * vector stores reject (Pinecone ids are ≤512 bytes), so vector ids always use this hash;
 * 16 hex characters (64 bits) keep collisions negligible for any single source.
 */
export function docKey(docId: string): string {
  return sha256(docId).slice(0, 16);
}

/** Prefix shared by every vector of one document: `<sourceId>#<docKey>#`. */
export function docVectorPrefix(sourceId: string, docId: string): string {
  return `${sourceId}#${docKey(docId)}#`;
}

/** Deterministic vector id: replays overwrite, never add. */
export function vectorId(sourceId: string, docId: string, chunkIndex: number): string {
  return `${docVectorPrefix(sourceId, docId)}${chunkIndex}`;
}

/** Chunk index encoded in a vector id produced by `vectorId`. */
export function chunkIndexOf(id: string): number {
  const tail = id.slice(id.lastIndexOf('#') + 1);
  return Number.parseInt(tail, 10);
}

/**
 * Task ordering key: the fetch run's lease epoch, then the task's sequence within the run.
 * Zero-padded so that string comparison (as DynamoDB conditions do it) is numeric order.
 */
export function makeRev(epoch: number, seq: number): string {
  return `${String(epoch).padStart(12, '0')}.${String(seq).padStart(10, '0')}`;
}

/**
 * Hash of the fields every vector of a document repeats besides its chunk text: title, url, the
 * document's metadata (keys sorted, so the source's key order does not matter) and its access
 * list. A document without access hashes as it did before access existed, so its vectors are
 * not rewritten for it.
 */
export function decorHash(
  title: string | undefined, url: string | undefined, metadata: Readonly<Metadata> | undefined, access?: readonly string[],
): string {
  const meta = metadata ? Object.keys(metadata).sort().map((k) => [k, metadata[k]]) : [];
  return sha256(JSON.stringify([title ?? null, url ?? null, meta, ...(access !== undefined ? [access] : [])]));
}

/** Content hash of a document: text plus the fields that end up in vector metadata. */
export function contentHash(text: string, title: string | undefined): string {
  return sha256(`${title ?? ''}\u0000${text}`);
}
