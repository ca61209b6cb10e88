import type { Table } from '@lancedb/lancedb';
import { Field, FixedSizeList, Float32, Schema, Utf8 } from 'apache-arrow';

/** The column the full-text index covers (null in rows written before it existed, until backfilled). */
export const SEARCH_TEXT_COLUMN = 'search_text';

/** Metadata keys the core filters on, materialised as their own columns so LanceDB filters them in SQL. */
export const NATIVE_FILTER_COLUMNS: Readonly<Record<string, string>> = { sourceId: 'source_id', docId: 'doc_id' };

/** The columns of a table holding vectors of `dimensions` (described on `LanceDbVectorStore`). */
export function tableSchema(dimensions: number): Schema {
  return new Schema([
    new Field('id', new Utf8(), false),
    new Field('vector', new FixedSizeList(dimensions, new Field('item', new Float32(), true)), false),
    new Field('source_id', new Utf8(), true),
    new Field('doc_id', new Utf8(), true),
    new Field('metadata_json', new Utf8(), false),
    // What the full-text index reads: the chunk's context and text (./full-text.ts).
    new Field(SEARCH_TEXT_COLUMN, new Utf8(), true),
  ]);
}

/** An existing table built for another dimension count would fail obscurely later: say so now. */
export async function checkSchema(table: Table, tableName: string, dimensions: number): Promise<void> {
  const schema = await table.schema();
  // Read by shape: LanceDB may build the schema with its own copy of apache-arrow,
  // so `instanceof FixedSizeList` against ours is not reliable.
  const listSize = readListSize(schema.fields.find((field) => field.name === 'vector')?.type);
  if (listSize !== dimensions) {
    throw new Error(
      `LanceDbVectorStore: table "${tableName}" holds vectors of ${listSize ?? 'unknown'} dimensions, expected ${dimensions}`,
    );
  }
}

/** `listSize` of a FixedSizeList type built by any apache-arrow copy. */
function readListSize(type: unknown): number | undefined {
  if (typeof type !== 'object' || type === null) return undefined;
  const size: unknown = Reflect.get(type, 'listSize');
  return typeof size === 'number' ? size : undefined;
}
