import type { Table } from '@lancedb/lancedb';
import { ACCESS_KEY, accessAllows } from '../../../core/access.ts';
import type { QueryMatch, VectorQuery } from '../../../ports/index.ts';
import { parseMetadata } from './metadata.ts';
import { NATIVE_FILTER_COLUMNS } from './schema.ts';
import { sqlString } from './sql.ts';

/** First over-fetch factor when a filter needs checking against the metadata JSON. */
const OVERFETCH_FACTOR = 10;
const MIN_OVERFETCH = 100;

/**
 * The `topK` (a positive integer) nearest rows that pass the query's filter and access list,
 * best first. Exact search with cosine distance; `score = 1 - distance`.
 */
export async function searchTable(table: Table, query: VectorQuery, topK: number): Promise<QueryMatch[]> {
  const filter = Object.entries(query.filter ?? {});
  const sql: string[] = [];
  // The access list lives in the metadata JSON: checked after the k-NN, like any other key.
  const access = query.access;
  let needsJsonCheck = access !== undefined;
  for (const [key, value] of filter) {
    const column = NATIVE_FILTER_COLUMNS[key];
    // Only string values are materialised; anything else is checked against the JSON.
    if (column !== undefined && typeof value === 'string') sql.push(`${column} = ${sqlString(value)}`);
    else needsJsonCheck = true;
  }
  const where = sql.length > 0 ? sql.join(' AND ') : undefined;
  const vector = toFloat32(query.vector);

  // SQL filters are applied before the k-NN (LanceDB prefilters), so `topK` rows suffice.
  // Other keys are checked afterwards; over-fetch, and widen until enough rows pass or the
  // candidates run out, so a selective filter never silently returns too few matches.
  let limit = needsJsonCheck ? Math.max(topK * OVERFETCH_FACTOR, MIN_OVERFETCH) : topK;
  for (;;) {
    let search = table.vectorSearch(vector).distanceType('cosine').limit(limit)
      // Selecting `_distance` explicitly avoids lance's "did not include `_distance`" WARN.
      .select(['id', 'metadata_json', '_distance']);
    if (where !== undefined) search = search.where(where);
    const rows: unknown[] = await search.toArray();
    const matches: QueryMatch[] = [];
    for (const row of rows) {
      const metadata = parseMetadata(readString(row, 'metadata_json'));
      if (needsJsonCheck && !filter.every(([key, value]) => metadata[key] === value)) continue;
      if (access !== undefined && !accessAllows(metadata[ACCESS_KEY], access)) continue;
      matches.push({ id: readString(row, 'id'), score: 1 - readNumber(row, '_distance'), metadata });
    }
    if (!needsJsonCheck || matches.length >= topK || rows.length < limit) {
      return matches.sort((a, b) => b.score - a.score).slice(0, topK);
    }
    limit *= 4;
  }
}

function toFloat32(values: Float32Array | readonly number[]): Float32Array {
  return values instanceof Float32Array ? values : Float32Array.from(values);
}

function readString(row: unknown, key: string): string {
  const value: unknown = typeof row === 'object' && row !== null ? Reflect.get(row, key) : undefined;
  if (typeof value !== 'string') throw new Error(`LanceDbVectorStore: result row has no string "${key}"`);
  return value;
}

function readNumber(row: unknown, key: string): number {
  const value: unknown = typeof row === 'object' && row !== null ? Reflect.get(row, key) : undefined;
  if (typeof value !== 'number') throw new Error(`LanceDbVectorStore: result row has no number "${key}"`);
  return value;
}
