import type { Connection, Table } from '@lancedb/lancedb';
import { Field, FixedSizeList, Float32, RecordBatch, type Data, Schema, Struct, Table as ArrowTable, Utf8, makeData } from 'apache-arrow';
import { chunked } from '../../../core/concurrency.ts';
import { ACCESS_KEY, accessAllows } from '../../../core/access.ts';
import type { Metadata, QueryMatch, VectorQuery, VectorRecord, VectorStore } from '../../../ports/index.ts';

type LanceDbModule = typeof import('@lancedb/lancedb');
let lancedbModule: Promise<LanceDbModule> | undefined;

/** Rows per `mergeInsert` / `delete` commit: bounds the memory of one Arrow conversion and the SQL length. */
const WRITE_CHUNK = 1_000;
/** Rows per append commit. */
const APPEND_CHUNK = 5_000;
/** First over-fetch factor when a filter needs checking against the metadata JSON. */
const OVERFETCH_FACTOR = 10;
const MIN_OVERFETCH = 100;
/**
 * Old versions are pruned by compaction once this old. Long enough for a reader in another
 * process to finish with the version it opened; short enough that disk does not grow for days
 * (LanceDB's own default is 7 days).
 */
const KEEP_VERSIONS_MS = 60 * 60 * 1000;

/** Metadata keys the core filters on, materialised as their own columns so LanceDB filters them in SQL. */
const NATIVE_FILTER_COLUMNS: Readonly<Record<string, string>> = { sourceId: 'source_id', docId: 'doc_id' };

export interface LanceDbVectorStoreOptions {
  /** Directory of the LanceDB database (created on first write). */
  dir: string;
  /**
   * Table holding the vectors.
   * @default 'chunks'
   */
  table?: string;
  /** Length of every vector; checked on every upsert and query, and against an existing table. */
  dimensions: number;
  /**
   * Seconds between checks for commits made by other processes. Unset: this handle only
   * sees its own writes (LanceDB's default, the fastest); 0: every read checks.
   * @default undefined
   */
  readConsistencyIntervalSeconds?: number;
  /**
   * Whether `insert` may append (the caller's ledger knows every vector the table holds).
   * False when the table has vectors the caller cannot account for: inserts then merge.
   * @default true
   */
  appendsTrusted?: boolean;
  /**
   * Compacts the table after this many write commits; 0 disables it. Every commit adds a
   * fragment and a version: after ~300 small upserts an exact query took ~60 ms instead of
   * ~15 ms, and compaction (~0.4 s) restores it.
   * @default 100
   */
  compactEveryCommits?: number;
}

/**
 * Loads LanceDB once, with its Rust logger quiet.
 *
 * The native addon initialises `env_logger` from `LANCEDB_LOG` (default filter `warn`) when it
 * is loaded, and only then; it prints e.g. lance scanner deprecation WARN lines straight to
 * stderr. So the module is imported dynamically, after defaulting `LANCEDB_LOG` to `error`
 * (errors that matter also reach us as rejected promises; an explicit `LANCEDB_LOG` set by
 * the user wins). Two limits: if something else imported `@lancedb/lancedb` first, its logger
 * settings stand; and inside a worker thread `process.env` is a private copy that the native
 * code does not see, so set the variable in the parent process there.
 */
function loadLanceDb(): Promise<LanceDbModule> {
  if (process.env['LANCEDB_LOG'] === undefined) process.env['LANCEDB_LOG'] = 'error';
  lancedbModule ??= import('@lancedb/lancedb');
  return lancedbModule;
}

/**
 * VectorStore on an embedded LanceDB table on disk (local mode and tests).
 *
 * Columns: `id`, `vector` (FixedSizeList<Float32>), `source_id` and `doc_id` (copies of the
 * `sourceId`/`docId` metadata when they are strings, for SQL filters) and `metadata_json`
 * (the whole metadata, the source of truth). Search is exact (no ANN index) with cosine
 * distance; `score = 1 - distance`.
 *
 * Writes from this instance are serialised through a promise queue: LanceDB commits are
 * optimistic and concurrent merge-inserts on one table can conflict. Each chunk of
 * {@link WRITE_CHUNK} rows is its own commit, so a very large write is not atomic.
 */
export class LanceDbVectorStore implements VectorStore {
  private table: Table | undefined;
  /** Pending open of a table another process may have created since we looked. */
  private opening: Promise<Table | undefined> | undefined;
  /** Tail of the write queue; never rejects, so one failed write does not block the next. */
  private writes: Promise<void> = Promise.resolve();
  /** The queued write group that later upserts and deletes may still join. */
  private openGroup: WriteGroup | undefined;
  private closed = false;
  private commitsSinceCompaction = 0;

  private constructor(
    private readonly db: Connection,
    private readonly tableName: string,
    /** Vector length every record and query must have. */
    readonly dimensions: number,
    private readonly compactEveryCommits: number,
    private appendsTrusted: boolean,
  ) {}

  /** Stops (or allows) appends: `insert` merges while the table may hold vectors the caller does not know. */
  trustAppends(trusted: boolean): void {
    this.appendsTrusted = trusted;
  }

  /** Connects to `dir` and opens the table when it exists (creating it waits for the first upsert). */
  static async open(options: LanceDbVectorStoreOptions): Promise<LanceDbVectorStore> {
    const { dir, table = 'chunks', dimensions } = options;
    if (!Number.isInteger(dimensions) || dimensions <= 0) {
      throw new Error(`LanceDbVectorStore: dimensions must be a positive integer, got ${dimensions}`);
    }
    const lancedb = await loadLanceDb();
    const db = await lancedb.connect(dir, options.readConsistencyIntervalSeconds === undefined
      ? {}
      : { readConsistencyInterval: options.readConsistencyIntervalSeconds });
    const store = new LanceDbVectorStore(db, table, dimensions, options.compactEveryCommits ?? 100, options.appendsTrusted ?? true);
    try {
      await store.currentTable();
    } catch (error) {
      db.close();
      throw error;
    }
    return store;
  }

  async upsert(records: readonly VectorRecord[]): Promise<void> {
    await this.write(records, 'upsert');
  }

  /**
   * Appends records whose ids the caller knows are absent (a merge joins against the whole
   * table: at 150,000 rows a 500-row merge took ~100 ms, an append ~15 ms). Merges instead when
   * the store was opened with `appendsTrusted: false` (the index may hold vectors the caller
   * does not know).
   */
  async insert(records: readonly VectorRecord[]): Promise<void> {
    await this.write(records, this.appendsTrusted ? 'insert' : 'upsert');
  }

  private async write(records: readonly VectorRecord[], kind: 'upsert' | 'insert'): Promise<void> {
    this.assertOpen();
    if (records.length === 0) return;
    for (const record of records) this.assertDimensions(record.values, `record "${record.id}"`);
    await this.joinWrite((group) => {
      for (const record of records) group.ops.set(record.id, { kind, record });
    });
  }

  async delete(ids: readonly string[]): Promise<void> {
    this.assertOpen();
    if (ids.length === 0) return;
    await this.joinWrite((group) => {
      for (const id of ids) group.ops.set(id, null);
    });
  }

  /**
   * Group commit: writes that arrive while the queue is busy join one pending group, so many
   * small concurrent writers (one per embed task) cost one delete and one merge commit, not
   * one each. The group keeps each id's last operation, in call order, so an upsert after a
   * delete of the same id wins and a delete after an upsert removes it, as sequential calls
   * would. Only the newest queued op takes joiners, so order against compaction holds.
   */
  private async joinWrite(add: (group: WriteGroup) => void): Promise<void> {
    let group = this.openGroup;
    if (!group) {
      const created: WriteGroup = { ops: new Map(), done: undefined as unknown as Promise<void> };
      created.done = this.enqueueWrite(async () => {
        if (this.openGroup === created) this.openGroup = undefined;
        await this.flush(created);
      });
      this.openGroup = created;
      group = created;
    }
    add(group);
    await group.done;
    this.maybeCompact();
  }

  private async flush(group: WriteGroup): Promise<void> {
    const deletes: string[] = [];
    const upserts: VectorRecord[] = [];
    const inserts: VectorRecord[] = [];
    for (const [id, op] of group.ops) {
      if (op === null) deletes.push(id);
      else if (op.kind === 'insert') inserts.push(op.record);
      else upserts.push(op.record);
    }
    if (deletes.length > 0) {
      const table = await this.currentTable();
      // Nothing was ever written: nothing to delete.
      if (table) {
        for (const batch of chunked(deletes, WRITE_CHUNK)) {
          await table.delete(`id IN (${batch.map(sqlString).join(', ')})`);
          this.commitsSinceCompaction += 1;
        }
      }
    }
    if (upserts.length > 0) {
      const table = await this.tableForWrite();
      for (const batch of chunked(upserts, WRITE_CHUNK)) {
        await table.mergeInsert('id').whenMatchedUpdateAll().whenNotMatchedInsertAll().execute(this.toArrow(batch));
        this.commitsSinceCompaction += 1;
      }
    }
    if (inserts.length > 0) {
      const table = await this.tableForWrite();
      for (const batch of chunked(inserts, APPEND_CHUNK)) {
        await table.add(this.toArrow(batch));
        this.commitsSinceCompaction += 1;
      }
    }
  }

  /**
   * Merges small fragments into large ones and prunes versions older than an hour. Runs in
   * the write queue, so it never races this instance's own writes. Also runs automatically
   * (see `compactEveryCommits`).
   */
  async compact(): Promise<void> {
    this.assertOpen();
    // Reset when queued, not when run: concurrent writers finishing together queue one compaction.
    this.commitsSinceCompaction = 0;
    await this.enqueueWrite(async () => {
      const table = await this.currentTable();
      if (!table) return;
      await table.optimize({ cleanupOlderThan: new Date(Date.now() - KEEP_VERSIONS_MS) });
    });
  }

  /** Rows in the table (0 before the first write). */
  async count(): Promise<number> {
    this.assertOpen();
    const table = await this.currentTable();
    return table ? table.countRows() : 0;
  }

  async listIds(prefix: string): Promise<string[]> {
    const rows = await this.scanColumns(prefix, ['id']);
    return rows.map((row) => row.id);
  }

  async scan(prefix: string): Promise<Array<{ id: string; metadata: Metadata }>> {
    const rows = await this.scanColumns(prefix, ['id', 'metadata_json']);
    return rows.map((row) => ({ id: row.id, metadata: parseMetadata(row.metadataJson) }));
  }

  async query(query: VectorQuery): Promise<QueryMatch[]> {
    this.assertOpen();
    this.assertDimensions(query.vector, 'query vector');
    const topK = Math.floor(query.topK);
    if (!(topK > 0)) return [];
    const table = await this.currentTable();
    if (!table) return [];

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

  /** Waits for queued writes, then releases the table and the connection. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.writes;
    await this.opening;
    this.table?.close();
    this.table = undefined;
    this.db.close();
  }

  // ───────────────────────────── internals ─────────────────────────────

  /** Queues a compaction once enough commits accumulated; nobody awaits it but `close()`. */
  private maybeCompact(): void {
    if (this.compactEveryCommits <= 0 || this.commitsSinceCompaction < this.compactEveryCommits || this.closed) return;
    // A failed compaction (e.g. a conflicting commit from another process) loses nothing:
    // the data is intact and the next threshold retries. It must not fail the caller's write.
    this.compact().catch(() => undefined);
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('LanceDbVectorStore is closed');
  }

  private assertDimensions(values: Float32Array | readonly number[], what: string): void {
    if (values.length !== this.dimensions) {
      throw new Error(`LanceDbVectorStore: ${what} has ${values.length} dimensions, expected ${this.dimensions}`);
    }
  }

  /** Runs `op` after every write queued before it; the caller sees `op`'s own outcome. */
  private enqueueWrite(op: () => Promise<void>): Promise<void> {
    // Anything queued after an upsert group closes it to joiners.
    this.openGroup = undefined;
    const run = this.writes.then(op);
    this.writes = run.catch(() => undefined);
    return run;
  }

  /** The table, opened if it exists on disk (maybe created by another process); undefined if not. */
  private async currentTable(): Promise<Table | undefined> {
    if (this.table) return this.table;
    this.opening ??= (async () => {
      try {
        const names = await this.db.tableNames();
        if (!names.includes(this.tableName)) return undefined;
        const table = await this.db.openTable(this.tableName);
        await this.checkSchema(table);
        return this.adopt(table);
      } finally {
        this.opening = undefined;
      }
    })();
    return this.opening;
  }

  /** Only called inside the write queue, so two creations cannot race within this process. */
  private async tableForWrite(): Promise<Table> {
    const existing = await this.currentTable();
    if (existing) return existing;
    // existOk: another process may create the table between our listing and this call.
    const table = await this.db.createEmptyTable(this.tableName, this.schema(), { mode: 'create', existOk: true });
    await this.checkSchema(table);
    return this.adopt(table);
  }

  /**
   * Keeps one table handle: without a read-consistency interval a second handle would not
   * see this one's writes, so a handle opened concurrently is closed in favour of the first.
   */
  private adopt(table: Table): Table {
    if (this.table) {
      table.close();
      return this.table;
    }
    this.table = table;
    return table;
  }

  /**
   * Records as an Arrow table in the table's schema, the vectors as one contiguous Float32
   * buffer: building it column by column costs a fraction of LanceDB's row-object conversion
   * (which fills the vector column value by value).
   */
  private toArrow(records: readonly VectorRecord[]): ArrowTable {
    const schema = this.schema();
    const flat = new Float32Array(records.length * this.dimensions);
    const ids: string[] = [];
    const sources: Array<string | null> = [];
    const docs: Array<string | null> = [];
    const metadata: string[] = [];
    records.forEach((record, i) => {
      flat.set(record.values, i * this.dimensions);
      const sourceId = record.metadata['sourceId'];
      const docId = record.metadata['docId'];
      ids.push(record.id);
      sources.push(typeof sourceId === 'string' ? sourceId : null);
      docs.push(typeof docId === 'string' ? docId : null);
      metadata.push(JSON.stringify(record.metadata));
    });
    const [, vectorField] = schema.fields;
    const vectors = makeData({
      type: vectorField?.type as FixedSizeList<Float32>, length: records.length, nullCount: 0,
      child: makeData({ type: new Float32(), length: flat.length, data: flat }),
    });
    const rows = makeData({
      type: new Struct(schema.fields), length: records.length, nullCount: 0,
      children: [utf8Column(ids), vectors, utf8Column(sources), utf8Column(docs), utf8Column(metadata)],
    });
    return new ArrowTable([new RecordBatch(schema, rows)]);
  }

  private schema(): Schema {
    return new Schema([
      new Field('id', new Utf8(), false),
      new Field('vector', new FixedSizeList(this.dimensions, new Field('item', new Float32(), true)), false),
      new Field('source_id', new Utf8(), true),
      new Field('doc_id', new Utf8(), true),
      new Field('metadata_json', new Utf8(), false),
    ]);
  }

  /** An existing table built for another dimension count would fail obscurely later: say so now. */
  private async checkSchema(table: Table): Promise<void> {
    const schema = await table.schema();
    // Read by shape: LanceDB may build the schema with its own copy of apache-arrow,
    // so `instanceof FixedSizeList` against ours is not reliable.
    const listSize = readListSize(schema.fields.find((field) => field.name === 'vector')?.type);
    if (listSize !== this.dimensions) {
      throw new Error(
        `LanceDbVectorStore: table "${this.tableName}" holds vectors of ${listSize ?? 'unknown'} dimensions, expected ${this.dimensions}`,
      );
    }
  }

  /** Every row whose id starts with `prefix`, reading only `columns`. */
  private async scanColumns(prefix: string, columns: Array<'id' | 'metadata_json'>): Promise<Array<{ id: string; metadataJson: string }>> {
    this.assertOpen();
    const table = await this.currentTable();
    if (!table) return [];
    // A plain (non-vector) query has no row limit unless one is set: this returns every match.
    let scan = table.query().select(columns);
    if (prefix !== '') scan = scan.where(`starts_with(id, ${sqlString(prefix)})`);
    const out: Array<{ id: string; metadataJson: string }> = [];
    for await (const batch of scan) {
      const ids = batch.getChild('id');
      const metadata = columns.includes('metadata_json') ? batch.getChild('metadata_json') : null;
      for (let i = 0; i < batch.numRows; i++) {
        const id: unknown = ids?.get(i);
        const json: unknown = metadata?.get(i);
        if (typeof id !== 'string') throw new Error('LanceDbVectorStore: row without a string id');
        out.push({ id, metadataJson: typeof json === 'string' ? json : '{}' });
      }
    }
    return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
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

function toFloat32(values: Float32Array | readonly number[]): Float32Array {
  return values instanceof Float32Array ? values : Float32Array.from(values);
}

/**
 * A SQL string literal. LanceDB parses filters as standard SQL, where only `'` needs
 * escaping (doubled); backslashes, `%`, `_` are literal outside LIKE.
 */
function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** Metadata from its JSON column, keeping only the value types the port allows. */
function parseMetadata(json: string): Metadata {
  const parsed: unknown = JSON.parse(json);
  const metadata: Metadata = {};
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return metadata;
  for (const [key, value] of Object.entries(parsed)) {
    if (isMetadataValue(value)) metadata[key] = value;
  }
  return metadata;
}

function isMetadataValue(value: unknown): value is Metadata[string] {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
    || (Array.isArray(value) && value.every((item) => typeof item === 'string'));
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

/** `listSize` of a FixedSizeList type built by any apache-arrow copy. */
function readListSize(type: unknown): number | undefined {
  if (typeof type !== 'object' || type === null) return undefined;
  const size: unknown = Reflect.get(type, 'listSize');
  return typeof size === 'number' ? size : undefined;
}

/** Writes merged into one queued flush: each id's last operation (a record to upsert or append, or null: delete). */
interface WriteGroup {
  readonly ops: Map<string, { readonly kind: 'upsert' | 'insert'; readonly record: VectorRecord } | null>;
  done: Promise<void>;
}
