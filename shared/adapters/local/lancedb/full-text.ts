/**
 * The LanceDB table's full-text index: LanceDB's native inverted index (BM25) over the
 * `search_text` column (a chunk's context and text), kept in step by the table itself —
 * rows written after the index was built are searched unindexed (a flat scan of those rows)
 * until the next compaction's `optimize()` adds them, and deleted rows never match.
 */
import type { Table } from '@lancedb/lancedb';
import type { QueryMatch, TextQuery, VectorRecord } from '../../../ports/index.ts';
import { toArrow } from './arrow-rows.ts';
import { loadLanceDb } from './load.ts';
import { parseMetadata } from './metadata.ts';
import { filteredSearch, readNumber, toFloat32 } from './query.ts';
import { SEARCH_TEXT_COLUMN } from './schema.ts';

/** English stemming and stop words: "rotating" finds "rotate", "the" matches nothing. */
const FTS_OPTIONS = { stem: true, language: 'English', removeStopWords: true, lowercase: true, asciiFolding: true, withPosition: false } as const;
/** Rows per merge commit when a table from before the column is backfilled. */
const BACKFILL_CHUNK = 1_000;

/**
 * Makes the table searchable by text: adds the `search_text` column to a table written before
 * it existed (filled from each row's metadata, one pass) and builds the index when it has none.
 * Runs inside the store's write queue. Returns whether anything was written.
 */
export async function ensureFullText(table: Table, dimensions: number): Promise<boolean> {
  const schema = await table.schema();
  let changed = false;
  if (!schema.fields.some((f) => f.name === SEARCH_TEXT_COLUMN)) {
    await backfill(table, dimensions);
    changed = true;
  }
  if (!(await hasFullTextIndex(table))) {
    await rebuildFullText(table);
    changed = true;
  }
  return changed;
}

/** Builds the index over every row, replacing the one there (its statistics then cover them all). */
export async function rebuildFullText(table: Table): Promise<void> {
  // Loaded through loadLanceDb (its logger settings), like every LanceDB use here.
  const { Index } = await loadLanceDb();
  await table.createIndex(SEARCH_TEXT_COLUMN, { config: Index.fts(FTS_OPTIONS), replace: true });
}

export async function hasFullTextIndex(table: Table): Promise<boolean> {
  const indices = await table.listIndices();
  return indices.some((index) => index.indexType === 'FTS' && index.columns.includes(SEARCH_TEXT_COLUMN));
}

/**
 * The best `topK` rows by BM25 that pass the filter and access list; with `query.vector`, each
 * carries its cosine similarity to it. A table without the index yet (written by an older
 * version and not written since) finds nothing.
 */
export async function searchTableText(table: Table, query: TextQuery, topK: number): Promise<QueryMatch[]> {
  const text = query.text.trim();
  if (text === '' || !(await hasFullTextIndex(table))) return [];
  const vector = query.vector !== undefined ? toFloat32(query.vector) : undefined;
  const { MatchQuery } = await loadLanceDb();
  return filteredSearch(query, topK, {
    run: async (limit, where) => {
      let search = table.query().fullTextSearch(new MatchQuery(text, SEARCH_TEXT_COLUMN)).limit(limit)
        .select(vector ? ['id', 'metadata_json', '_score', 'vector'] : ['id', 'metadata_json', '_score']);
      if (where !== undefined) search = search.where(where);
      return search.toArray();
    },
    score: (row) => readNumber(row, '_score'),
    ...(vector ? { extra: (row: unknown) => ({ similarity: cosine(vector, readVector(row)) }) } : {}),
  });
}

/** Adds the column, then rewrites every row with its search text (vectors and metadata unchanged). */
async function backfill(table: Table, dimensions: number): Promise<void> {
  await table.addColumns([{ name: SEARCH_TEXT_COLUMN, valueSql: 'CAST(NULL AS STRING)' }]);
  let batch: VectorRecord[] = [];
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    await table.mergeInsert('id').whenMatchedUpdateAll().execute(toArrow(batch, dimensions));
    batch = [];
  };
  // Batch by batch from the version before the first merge: memory stays at one batch.
  for await (const rows of table.query().select(['id', 'vector', 'metadata_json'])) {
    const ids = rows.getChild('id');
    const vectors = rows.getChild('vector');
    const metadata = rows.getChild('metadata_json');
    for (let i = 0; i < rows.numRows; i++) {
      batch.push({ id: String(ids?.get(i)), values: readVector({ vector: vectors?.get(i) }), metadata: parseMetadata(String(metadata?.get(i) ?? '{}')) });
      if (batch.length >= BACKFILL_CHUNK) await flush();
    }
  }
  await flush();
}

function readVector(row: unknown): Float32Array {
  const value: unknown = typeof row === 'object' && row !== null ? Reflect.get(row, 'vector') : undefined;
  const array: unknown = typeof value === 'object' && value !== null && 'toArray' in value && typeof value.toArray === 'function' ? value.toArray() : value;
  if (array instanceof Float32Array) return array;
  if (Array.isArray(array)) return Float32Array.from(array as number[]);
  throw new Error('LanceDbVectorStore: result row has no vector');
}

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i] ?? 0;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}
