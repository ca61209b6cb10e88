import { FixedSizeList, Float32, RecordBatch, type Data, Struct, Table as ArrowTable, Utf8, makeData } from 'apache-arrow';
import type { Metadata, VectorRecord } from '../../../ports/index.ts';
import { tableSchema } from './schema.ts';

/**
 * Records as an Arrow table in the table's schema, the vectors as one contiguous Float32
 * buffer: building it column by column costs a fraction of LanceDB's row-object conversion
 * (which fills the vector column value by value).
 */
export function toArrow(records: readonly VectorRecord[], dimensions: number): ArrowTable {
  const schema = tableSchema(dimensions);
  const flat = new Float32Array(records.length * dimensions);
  const ids: string[] = [];
  const sources: Array<string | null> = [];
  const docs: Array<string | null> = [];
  const metadata: string[] = [];
  const searchTexts: Array<string | null> = [];
  records.forEach((record, i) => {
    flat.set(record.values, i * dimensions);
    const sourceId = record.metadata['sourceId'];
    const docId = record.metadata['docId'];
    ids.push(record.id);
    sources.push(typeof sourceId === 'string' ? sourceId : null);
    docs.push(typeof docId === 'string' ? docId : null);
    metadata.push(JSON.stringify(record.metadata));
    searchTexts.push(searchTextOf(record.metadata));
  });
  const [, vectorField] = schema.fields;
  const vectors = makeData({
    type: vectorField?.type as FixedSizeList<Float32>, length: records.length, nullCount: 0,
    child: makeData({ type: new Float32(), length: flat.length, data: flat }),
  });
  const rows = makeData({
    type: new Struct(schema.fields), length: records.length, nullCount: 0,
    children: [utf8Column(ids), vectors, utf8Column(sources), utf8Column(docs), utf8Column(metadata), utf8Column(searchTexts)],
  });
  return new ArrowTable([new RecordBatch(schema, rows)]);
}

/**
 * What full-text search matches a record by: its context (title and heading path) and its text;
 * the title stands in for a context the record lacks. Null when it has no text at all.
 */
export function searchTextOf(metadata: Metadata): string | null {
  const text = typeof metadata['text'] === 'string' ? metadata['text'] : '';
  const context = typeof metadata['context'] === 'string' ? metadata['context'] : typeof metadata['title'] === 'string' ? metadata['title'] : '';
  const joined = context !== '' && text !== '' ? `${context}\n\n${text}` : context + text;
  return joined === '' ? null : joined;
}

/** A Utf8 column from strings, written straight into one buffer with their offsets (and a validity bitmap when some are null). */
function utf8Column(values: ReadonlyArray<string | null>): Data<Utf8> {
  let bytes = 0;
  for (const v of values) if (v !== null) bytes += Buffer.byteLength(v, 'utf8');
  const data = Buffer.allocUnsafe(bytes);
  const offsets = new Int32Array(values.length + 1);
  const validity = new Uint8Array(Math.ceil(values.length / 8)).fill(0xff);
  let at = 0;
  let nullCount = 0;
  values.forEach((v, i) => {
    if (v === null) {
      nullCount += 1;
      validity[i >> 3] = (validity[i >> 3] ?? 0) & ~(1 << (i & 7));
    } else {
      at += data.write(v, at, 'utf8');
    }
    offsets[i + 1] = at;
  });
  return makeData({
    type: new Utf8(), length: values.length, nullCount, valueOffsets: offsets,
    data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    ...(nullCount > 0 ? { nullBitmap: validity } : {}),
  });
}
