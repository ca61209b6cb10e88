import type { Metadata, QueryMatch, TextQuery, VectorQuery, VectorRecord, VectorStore } from '../../../ports/index.ts';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { rebuildFullText, searchTableText } from './full-text.ts';
import { loadLanceDb } from './load.ts';
import { parseMetadata } from './metadata.ts';
import { searchTable } from './query.ts';
import { scanColumns } from './scan.ts';
import { TableHandle } from './table-handle.ts';
import { flushGroup, type WriteGroup } from './write-group.ts';
import { WriteQueue } from './write-queue.ts';

/**
 * Old versions are pruned by compaction once this old. Long enough for a reader in another
 * process to finish with the version it opened; short enough that disk does not grow for days
 * (LanceDB's own default is 7 days).
 */
const KEEP_VERSIONS_MS = 60 * 60 * 1000;
/** The script compact() runs in a child process (see `compactInChild`); resolved when used. */
const compactChild = (): string => fileURLToPath(new URL('./compact-child.mjs', import.meta.url));
const COMPACT_CHILD_TIMEOUT_MS = 10 * 60 * 1000;
const runFile = promisify(execFile);

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
  /**
   * Bytes of LanceDB's metadata cache (file metadata and schemas of the versions read) and of
   * its index cache. LanceDB's defaults (1 GB and 6 GB) let a long-running process grow by
   * a version's metadata on every commit.
   * @default 64 MiB each
   */
  cacheBytes?: { metadata?: number; index?: number };
  /**
   * Compacts in a short-lived child process (`node compact-child.mjs`) instead of in this
   * one: LanceDB keeps what compaction allocated, so a long-running process grew by 50–170 MB
   * at every compaction. Costs a Node start-up (about 0.3 s) per compaction.
   * @default true
   */
  compactInChild?: boolean;
}

const DEFAULT_CACHE_BYTES = 64 * 1024 * 1024;
/**
 * Keeping the full-text index current. Rows written after it was built are still found (a flat
 * scan), but scored with the index's statistics, which say nothing about them: BM25 over a
 * fresh table whose index had been built empty ranked boilerplate above exact title matches.
 * So once the unindexed rows outnumber the indexed ones, a table of at most
 * `FTS_REBUILD_MAX_ROWS` rebuilds its index in the write (about 10 ms at 40 rows, 450 ms at
 * 4,500), and `FTS_REFRESH_ROWS` unindexed rows start a compaction early (its `optimize()`
 * adds them to the index, in the child process).
 */
const FTS_REBUILD_MAX_ROWS = 2_000;
const FTS_REFRESH_ROWS = 1_000;

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
 * `WRITE_CHUNK` rows (./write-group.ts) is its own commit, so a very large write is not atomic.
 */
export class LanceDbVectorStore implements VectorStore {
  private readonly writes = new WriteQueue((group) => flushGroup(group, this.tables, () => {
    this.commitsSinceCompaction += 1;
  }));
  private closed = false;
  private commitsSinceCompaction = 0;
  /** Rows written since the text index last caught up, and the table's rows then (see FTS_REFRESH_ROWS). */
  private rowsSinceTextIndex = 0;
  private rowsInTextIndex = 0;

  private constructor(
    private readonly tables: TableHandle,
    /** Vector length every record and query must have. */
    readonly dimensions: number,
    private readonly compactEveryCommits: number,
    private appendsTrusted: boolean,
    /** Where the table lives, for a compaction in a child process. */
    private readonly location: { dir: string; table: string } | undefined,
    private readonly compactInChild: boolean,
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
    const session = new lancedb.Session(
      BigInt(options.cacheBytes?.index ?? DEFAULT_CACHE_BYTES),
      BigInt(options.cacheBytes?.metadata ?? DEFAULT_CACHE_BYTES),
    );
    const db = await lancedb.connect(dir, {
      session,
      ...(options.readConsistencyIntervalSeconds === undefined ? {} : { readConsistencyInterval: options.readConsistencyIntervalSeconds }),
    });
    const tables = new TableHandle(db, table, dimensions);
    const store = new LanceDbVectorStore(tables, dimensions, options.compactEveryCommits ?? 100, options.appendsTrusted ?? true,
      { dir, table }, options.compactInChild ?? true);
    try {
      const table = await tables.current();
      store.rowsInTextIndex = table ? await table.countRows() : 0;
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
    this.rowsSinceTextIndex += records.length;
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

  /** Adds to the pending write group (see {@link WriteQueue.join}), then compacts if it is time. */
  private async joinWrite(add: (group: WriteGroup) => void): Promise<void> {
    await this.writes.join(add);
    if (this.rowsSinceTextIndex > this.rowsInTextIndex && this.rowsSinceTextIndex + this.rowsInTextIndex <= FTS_REBUILD_MAX_ROWS) {
      this.rowsSinceTextIndex = 0;
      await this.writes.enqueue(async () => {
        const table = await this.tables.current();
        if (!table) return;
        await rebuildFullText(table);
        this.rowsInTextIndex = await table.countRows();
      });
    }
    this.maybeCompact();
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
    this.rowsSinceTextIndex = 0;
    await this.writes.enqueue(async () => {
      const table = await this.tables.current();
      if (!table) return;
      const cleanupOlderThan = Date.now() - KEEP_VERSIONS_MS;
      if (this.compactInChild && this.location) {
        // The write queue waits for the child, so no write of this instance races it; then the
        // handle moves to the compacted version (readers meanwhile kept the old one, whose files
        // cleanup leaves for an hour).
        await runFile(process.execPath, [compactChild(), this.location.dir, this.location.table, String(cleanupOlderThan)], { timeout: COMPACT_CHILD_TIMEOUT_MS });
        await table.checkoutLatest();
      } else {
        await table.optimize({ cleanupOlderThan: new Date(cleanupOlderThan) });
      }
      this.rowsInTextIndex = await table.countRows();
    });
  }

  /** Rows in the table (0 before the first write). */
  async count(): Promise<number> {
    this.assertOpen();
    const table = await this.tables.current();
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
    const table = await this.tables.current();
    if (!table) return [];
    return searchTable(table, query, topK);
  }

  /**
   * BM25 over the chunks' context and text (LanceDB's inverted index), with the same filter
   * and access checks as `query`; rows written since the last compaction are searched too.
   */
  async searchText(query: TextQuery): Promise<QueryMatch[]> {
    this.assertOpen();
    if (query.vector !== undefined) this.assertDimensions(query.vector, 'query vector');
    const topK = Math.floor(query.topK);
    if (!(topK > 0)) return [];
    const table = await this.tables.current();
    if (!table) return [];
    return searchTableText(table, query, topK);
  }

  /** Waits for queued writes, then releases the table and the connection. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.writes.idle;
    await this.tables.close();
  }

  // ───────────────────────────── internals ─────────────────────────────

  /** Queues a compaction once enough commits or rows accumulated; nobody awaits it but `close()`. */
  private maybeCompact(): void {
    if (this.compactEveryCommits <= 0 || this.closed) return;
    // The text index is stale once the rows it has not seen are many, or more than it holds.
    const textIndexStale = this.rowsSinceTextIndex >= FTS_REFRESH_ROWS;
    if (this.commitsSinceCompaction < this.compactEveryCommits && !textIndexStale) return;
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

  /** Every row whose id starts with `prefix`, reading only `columns` (none before the first write). */
  private async scanColumns(prefix: string, columns: Array<'id' | 'metadata_json'>): Promise<Array<{ id: string; metadataJson: string }>> {
    this.assertOpen();
    const table = await this.tables.current();
    if (!table) return [];
    return scanColumns(table, prefix, columns);
  }
}
