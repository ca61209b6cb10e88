import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { SCHEMA_VERSION, migrate } from './schema.ts';

export type Db = Database.Database;

/** Page cache of one connection. */
const CACHE_KIB = 32 * 1024;
/** Largest part of the file read through a memory map. */
const MMAP_BYTES = 256 * 1024 * 1024;

/** Milliseconds a write waits for another process's transaction before it fails (SQLITE_BUSY). */
const BUSY_TIMEOUT_MS = 15_000;

export interface OpenDatabaseOptions {
  /** Database file; `:memory:` for a private in-process database (tests). */
  readonly file: string;
}

/**
 * The local stack's one database file: state (leases, cursors, ledger, runs, embedding cache,
 * push stash, idempotency records) and the task queues, shared by every local process that
 * opens the same state folder.
 *
 * WAL journal: readers never block the writer and a committed transaction is in the log before
 * the call returns, so a process killed at any point (SIGKILL) loses nothing it committed.
 * `synchronous = NORMAL` skips the fsync per commit; a power loss or OS crash may roll back the
 * last transactions, always as a whole and in order (the log is replayed as a prefix), which
 * the pipeline absorbs like any crash: tasks are idempotent and cursors are re-pulled.
 */
export function openDatabase(options: OpenDatabaseOptions): Db {
  if (options.file !== ':memory:') mkdirSync(dirname(options.file), { recursive: true });
  const db = new Database(options.file);
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // Only takes effect on a new file: embedding rows (1.5 KiB at 384 dimensions) fit four to
    // a page instead of spilling into overflow pages; measured: writing 70,000 of them takes
    // half the time of 4 KiB pages.
    db.pragma('page_size = 8192');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    // Page cache per connection (negative: KiB), and reads through a memory map of the file:
    // a reconcile reads a whole source's ledger, which the default 2 MiB cache would re-read
    // from the OS on every pass. Both are bounds, not allocations.
    db.pragma(`cache_size = -${CACHE_KIB}`);
    db.pragma(`mmap_size = ${MMAP_BYTES}`);
    db.pragma('foreign_keys = OFF');
    migrate(db);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

/** Runs `fn` in a write transaction taken at once (BEGIN IMMEDIATE): read-check-write is atomic across processes. */
export function immediate<T>(db: Db, fn: () => T): T {
  let run = runners.get(db);
  if (!run) {
    run = db.transaction((body: () => unknown) => body());
    runners.set(db, run);
  }
  return run.immediate(fn) as T;
}

/** One transaction wrapper per connection: better-sqlite3 makes nested calls savepoints. */
const runners = new WeakMap<Db, Database.Transaction<(body: () => unknown) => unknown>>();

/** The schema version this code writes; a newer file is refused. */
export { SCHEMA_VERSION };

const prepared = new WeakMap<Db, Map<string, Database.Statement>>();

/** A prepared statement, compiled once per connection. */
export function sql(db: Db, text: string): Database.Statement {
  let cache = prepared.get(db);
  if (!cache) {
    cache = new Map();
    prepared.set(db, cache);
  }
  let statement = cache.get(text);
  if (!statement) {
    statement = db.prepare(text);
    cache.set(text, statement);
  }
  return statement;
}

/** Parses a JSON column; NULL is undefined. */
export function fromJson<T>(text: string | null | undefined): T | undefined {
  return text === null || text === undefined ? undefined : (JSON.parse(text) as T);
}

/** A JSON column's value; undefined is NULL. */
export function toJson(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

/** Copies only the defined values, as exactOptionalPropertyTypes wants (NULL columns become absent fields). */
export function defined<T extends object>(value: { [K in keyof T]: T[K] | undefined | null }): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== null)) as T;
}
