import type { RecordMetadata } from '@pinecone-database/pinecone';
import { ACCESS_KEY } from '../../core/access.ts';
import type { Metadata, VectorQuery } from '../../ports/index.ts';

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
