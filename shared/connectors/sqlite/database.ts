/**
 * A SQLite file as the SQL-table port: one read-only connection (better-sqlite3, loaded when a
 * SQLite source is first used), checked before its first statement.
 *
 * The writer is another process. In WAL mode a reader never blocks it and sees what was
 * committed when its statement (or {@link SqliteDatabase.snapshot}) began; no read transaction
 * is left open between calls, so checkpoints are never held back for long. A rollback-journal
 * database works too: a read then waits up to `busyTimeoutMs` for a commit in progress.
 */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import type BetterSqlite3 from 'better-sqlite3';
import { ConfigError, errorMessage } from '../../core/errors.ts';
import { anyText, checkReferencedColumns, columnsOf, integerText, relationKey, relationName } from '../sql-table/columns.ts';
import type { SqlTableConfig } from '../sql-table/config.ts';
import type { Row, RunQuery, SqlTableDatabase, SqlTablePlan } from '../sql-table/database.ts';
import { TableSql } from '../sql-table/statements.ts';
import { DIGEST_FUNCTION, convertsText, quoteSqlite, sqliteDialect } from './dialect.ts';
import { mapSqliteError, sqliteCode, type SqliteErrorContext } from './errors.ts';
import { checkTimestamps } from './timestamp-check.ts';
import type { TimestampFormat } from './timestamps.ts';

export interface SqliteDatabaseConfig extends SqlTableConfig {
  /** The database file, resolved. */
  readonly path: string;
  readonly updatedAtFormat: TimestampFormat;
  readonly conversation?: (NonNullable<SqlTableConfig['conversation']> & { readonly orderFormat: TimestampFormat }) | undefined;
  readonly busyTimeoutMs: number;
}

const INT64_MAX = 9223372036854775807n;
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Integers come back as bigint (a snowflake id keeps its digits); those a number holds exactly become numbers again. */
function plain(row: Row): Row {
  for (const [key, value] of Object.entries(row)) {
    if (typeof value === 'bigint' && value <= SAFE && value >= -SAFE) row[key] = Number(value);
  }
  return row;
}

/** Integral numbers are bound as INTEGER (better-sqlite3 binds every number as REAL). */
const bindable = (value: unknown): unknown => (typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : value);

export class SqliteDatabase implements SqlTableDatabase {
  private db: BetterSqlite3.Database | undefined;
  private readonly statements = new Map<string, BetterSqlite3.Statement>();
  /** Serialises statements, so a snapshot's transaction holds only its own. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly errorContext: SqliteErrorContext;

  constructor(
    private readonly sourceId: string,
    private readonly config: SqliteDatabaseConfig,
  ) {
    this.errorContext = { sourceId, path: config.path, relation: relationName(config), relationKey: relationKey(config) };
  }

  async prepare(): Promise<SqlTablePlan> {
    await this.checkFile();
    return this.exclusive(async () => {
      const db = await this.connection();
      const c = this.config;
      const dialectOf = (typedColumns: ReadonlySet<string>) => sqliteDialect({
        updatedAtColumn: c.updatedAtColumn, updatedAtFormat: c.updatedAtFormat,
        orderFormat: c.conversation?.orderFormat ?? 'auto', typedColumns,
      });
      const probe = new TableSql(c, dialectOf(new Set()));
      const columns = this.probe(db, probe.probe());
      checkReferencedColumns(this.sourceId, c, probe, columns.map((column) => column.name));
      const declared = new Map(columns.map((column) => [column.name, column.type]));
      const typed = new Set(columns.filter((column) => convertsText(column.type)).map((column) => `src.${quoteSqlite(column.name)}`));
      const sql = new TableSql(c, dialectOf(typed));
      checkTimestamps(this.sourceId, c, sql, (text) => this.run(text, []));
      return {
        sql,
        columns: columnsOf(c, (column) => ((declared.get(column) ?? '').toUpperCase().includes('INT') ? integerText(INT64_MAX) : anyText)),
      };
    });
  }

  query(text: string, params: readonly unknown[]): Promise<Row[]> {
    return this.exclusive(() => this.run(text, params));
  }

  snapshot<T>(work: (query: RunQuery) => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      const db = await this.connection();
      try {
        // A deferred transaction: its first read fixes the snapshot every later statement sees.
        db.exec('BEGIN');
        const result = await work(async (text, params) => this.run(text, params));
        db.exec('COMMIT');
        return result;
      } catch (error) {
        if (db.inTransaction) db.exec('ROLLBACK');
        throw mapSqliteError(error, this.errorContext);
      }
    });
  }

  async close(): Promise<void> {
    await this.exclusive(() => {
      this.statements.clear();
      this.db?.close();
      this.db = undefined;
    });
  }

  /** One statement on the open connection; every failure is mapped. */
  private run(text: string, params: readonly unknown[]): Row[] {
    const db = this.db;
    if (!db) throw new ConfigError(`source "${this.sourceId}": the SQLite database is not open`);
    try {
      let statement = this.statements.get(text);
      if (!statement) {
        statement = db.prepare(text).safeIntegers(true);
        this.statements.set(text, statement);
      }
      return (statement.all(...params.map(bindable)) as Row[]).map(plain);
    } catch (error) {
      throw mapSqliteError(error, this.errorContext);
    }
  }

  /** The columns of the relation (name, declared type); the relation's own faults name its key. */
  private probe(db: BetterSqlite3.Database, text: string): BetterSqlite3.ColumnDefinition[] {
    try {
      return db.prepare(text).columns();
    } catch (error) {
      const mapped = mapSqliteError(error, this.errorContext);
      if (mapped instanceof ConfigError || sqliteCode(error) !== 'SQLITE_ERROR') throw mapped;
      const key = relationKey(this.config);
      throw new ConfigError(`source "${this.sourceId}": ${relationName(this.config)} is not valid SQL here: ${errorMessage(error)}; fix "${key}" in the source`);
    }
  }

  /** A missing path or a folder fails with the key to fix before SQLite says "unable to open". */
  private async checkFile(): Promise<void> {
    const path = this.config.path;
    let isFile: boolean;
    try {
      isFile = (await stat(path)).isFile();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        throw new ConfigError(`source "${this.sourceId}": path "${path}" does not exist; fix "path" in the source (a relative path resolves against the config file's folder)`);
      }
      throw new ConfigError(`source "${this.sourceId}": cannot read path "${path}" (${errorMessage(error)}); fix "path" in the source, or the file's permissions`);
    }
    if (!isFile) throw new ConfigError(`source "${this.sourceId}": path "${path}" is not a file; fix "path" in the source: it names the database file itself`);
  }

  private async connection(): Promise<BetterSqlite3.Database> {
    if (this.db) return this.db;
    const Database = await loadDriver(this.sourceId);
    let db: BetterSqlite3.Database;
    try {
      db = new Database(this.config.path, { readonly: true, fileMustExist: true, timeout: this.config.busyTimeoutMs });
    } catch (error) {
      throw mapSqliteError(error, this.errorContext);
    }
    db.function(DIGEST_FUNCTION, { deterministic: true }, (text: unknown) => (
      text === null ? null : createHash('md5').update(String(text)).digest('hex')));
    this.db = db;
    return db;
  }

  /**
   * Runs `work` after every statement queued before it. better-sqlite3 is synchronous: each
   * turn first yields to the event loop, so a long pass does not starve timers, sockets or the
   * watcher of the process it runs in.
   */
  private exclusive<T>(work: () => Promise<T> | T): Promise<T> {
    const run = this.queue.then(yieldToEventLoop, yieldToEventLoop).then(work);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * better-sqlite3, imported on first use: a native module the Lambda bundles leave out, and one
 * the CLI loads only when a SQLite source runs.
 */
async function loadDriver(sourceId: string): Promise<typeof BetterSqlite3> {
  try {
    return (await import('better-sqlite3')).default;
  } catch (error) {
    throw new ConfigError(`source "${sourceId}": the SQLite driver (better-sqlite3) cannot be loaded here (${errorMessage(error)}); SQLite sources run only where the file is, with \`tributary sync\` or \`tributary start\``);
  }
}
