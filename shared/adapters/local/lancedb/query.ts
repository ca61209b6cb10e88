import type { Table } from '@lancedb/lancedb';
import { ACCESS_KEY, accessAllows } from '../../../core/access.ts';
import type { MetadataValue, QueryMatch, VectorQuery } from '../../../ports/index.ts';
import { parseMetadata } from './metadata.ts';
import { NATIVE_FILTER_COLUMNS } from './schema.ts';
import { sqlString } from './sql.ts';

/** First over-fetch factor when a filter needs checking against the metadata JSON. */
const OVERFETCH_FACTOR = 10;
const MIN_OVERFETCH = 100;

/** What both searches filter by: metadata equality and the searcher's principals. */
export interface MatchFilter {
  readonly filter?: Readonly<Record<string, MetadataValue>>;
  readonly access?: readonly string[];
}

/** One search's rows for a limit and an SQL prefilter, and how a row's score is read. */
export interface RowSearch {
  run(limit: number, where: string | undefined): Promise<unknown[]>;
  score(row: unknown): number;
  /** Extra fields of a match read from its row (the full-text search's similarity). */
  extra?(row: unknown): Partial<QueryMatch>;
}

/**
 * The `topK` (a positive integer) nearest rows that pass the query's filter and access list,
 * best first. Exact search with cosine distance; `score = 1 - distance`.
 */
export async function searchTable(table: Table, query: VectorQuery, topK: number): Promise<QueryMatch[]> {
  const vector = toFloat32(query.vector);
  return filteredSearch(query, topK, {
    run: async (limit, where) => {
      let search = table.vectorSearch(vector).distanceType('cosine').limit(limit)
        // Selecting `_distance` explicitly avoids lance's "did not include `_distance`" WARN.
        .select(['id', 'metadata_json', '_distance']);
      if (where !== undefined) search = search.where(where);
      return search.toArray();
    },
    score: (row) => 1 - readNumber(row, '_distance'),
  });
}

/**
 * The best `topK` rows of a search that pass `filter` and `access`. String filters on
 * materialised columns go to LanceDB as SQL (applied before the ranking); other keys and the
 * access list are checked against the metadata JSON afterwards: over-fetch, and widen until
 * enough rows pass or the candidates run out, so a selective filter never silently returns
 * too few matches.
 */
export async function filteredSearch(query: MatchFilter, topK: number, search: RowSearch): Promise<QueryMatch[]> {
  const filter = Object.entries(query.filter ?? {});
  const sql: string[] = [];
  // The access list lives in the metadata JSON: checked after the search, like any other key.
  const access = query.access;
  let needsJsonCheck = access !== undefined;
  for (const [key, value] of filter) {
    const column = NATIVE_FILTER_COLUMNS[key];
    // Only string values are materialised; anything else is checked against the JSON.
    if (column !== undefined && typeof value === 'string') sql.push(`${column} = ${sqlString(value)}`);
    else needsJsonCheck = true;
  }
  const where = sql.length > 0 ? sql.join(' AND ') : undefined;
  let limit = needsJsonCheck ? Math.max(topK * OVERFETCH_FACTOR, MIN_OVERFETCH) : topK;
  for (;;) {
    const rows = await search.run(limit, where);
    const matches: QueryMatch[] = [];
    for (const row of rows) {
      const metadata = parseMetadata(readString(row, 'metadata_json'));
      if (needsJsonCheck && !filter.every(([key, value]) => metadata[key] === value)) continue;
      if (access !== undefined && !accessAllows(metadata[ACCESS_KEY], access)) continue;
      matches.push({ id: readString(row, 'id'), score: search.score(row), metadata, ...search.extra?.(row) });
    }
    if (!needsJsonCheck || matches.length >= topK || rows.length < limit) {
      return matches.sort((a, b) => b.score - a.score).slice(0, topK);
    }
    limit *= 4;
  }
}

export function toFloat32(values: Float32Array | readonly number[]): Float32Array {
  return values instanceof Float32Array ? values : Float32Array.from(values);
}

function readString(row: unknown, key: string): string {
  const value: unknown = typeof row === 'object' && row !== null ? Reflect.get(row, key) : undefined;
  if (typeof value !== 'string') throw new Error(`LanceDbVectorStore: result row has no string "${key}"`);
  return value;
}

export function readNumber(row: unknown, key: string): number {
  const value: unknown = typeof row === 'object' && row !== null ? Reflect.get(row, key) : undefined;
  if (typeof value !== 'number') throw new Error(`LanceDbVectorStore: result row has no number "${key}"`);
  return value;
}
