import type { Connection, Table } from '@lancedb/lancedb';
import { chunked } from '../../../core/concurrency.ts';
import type { Metadata, QueryMatch, VectorQuery, VectorRecord, VectorStore } from '../../../ports/index.ts';
import { toArrow } from './arrow-rows.ts';
import { loadLanceDb } from './load.ts';
import { parseMetadata } from './metadata.ts';
import { searchTable } from './query.ts';
import { scanColumns } from './scan.ts';
import { checkSchema, tableSchema } from './schema.ts';
import { sqlString } from './sql.ts';

/** Rows per `mergeInsert` / `delete` commit: bounds the memory of one Arrow conversion and the SQL length. */
const WRITE_CHUNK = 1_000;
/** Rows per append commit. */
const APPEND_CHUNK = 5_000;
/**
 * Old versions are pruned by compaction once this old. Long enough for a reader in another
 * process to finish with the version it opened; short enough that disk does not grow for days
 * (LanceDB's own default is 7 days).
 */
const KEEP_VERSIONS_MS = 60 * 60 * 1000;

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
        await table.mergeInsert('id').whenMatchedUpdateAll().whenNotMatchedInsertAll().execute(toArrow(batch, this.dimensions));
        this.commitsSinceCompaction += 1;
      }
    }
    if (inserts.length > 0) {
      const table = await this.tableForWrite();
      for (const batch of chunked(inserts, APPEND_CHUNK)) {
        await table.add(toArrow(batch, this.dimensions));
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
    return searchTable(table, query, topK);
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
        await checkSchema(table, this.tableName, this.dimensions);
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
    const table = await this.db.createEmptyTable(this.tableName, tableSchema(this.dimensions), { mode: 'create', existOk: true });
    await checkSchema(table, this.tableName, this.dimensions);
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

  /** Every row whose id starts with `prefix`, reading only `columns` (none before the first write). */
  private async scanColumns(prefix: string, columns: Array<'id' | 'metadata_json'>): Promise<Array<{ id: string; metadataJson: string }>> {
    this.assertOpen();
    const table = await this.currentTable();
    if (!table) return [];
    return scanColumns(table, prefix, columns);
  }
}

/** Writes merged into one queued flush: each id's last operation (a record to upsert or append, or null: delete). */
interface WriteGroup {
  readonly ops: Map<string, { readonly kind: 'upsert' | 'insert'; readonly record: VectorRecord } | null>;
  done: Promise<void>;
}
