/**
 * SQLite failures as Tributary errors: a wrong path, a file that is not a database, a missing
 * table or column is a {@link ConfigError} naming the key to fix; a lock held by the writer or
 * an I/O hiccup is a {@link TransientError} (the run is retried).
 */
import { ConfigError, TransientError, TributaryError, errorMessage } from '../../core/errors.ts';

/** better-sqlite3's `SqliteError.code` (`SQLITE_BUSY`, `SQLITE_READONLY_CANTINIT`, …). */
export function sqliteCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}

export interface SqliteErrorContext {
  readonly sourceId: string;
  /** The database file (resolved). */
  readonly path: string;
  /** `table "messages"` or `query`, and the key that names it. */
  readonly relation: string;
  readonly relationKey: 'table' | 'query';
}

/** A Tributary error passes through; a driver error is mapped by its extended result code. */
export function mapSqliteError(error: unknown, c: SqliteErrorContext): Error {
  if (error instanceof TributaryError) return error;
  const code = sqliteCode(error) ?? '';
  const detail = errorMessage(error);
  const message = `source "${c.sourceId}": SQLite: ${detail}`;
  if (code === 'SQLITE_NOTADB') {
    return new ConfigError(`source "${c.sourceId}": path "${c.path}" is not a SQLite database (${detail}); fix "path" in the source`);
  }
  if (code.startsWith('SQLITE_CANTOPEN')) {
    return new ConfigError(`source "${c.sourceId}": cannot open path "${c.path}" (${detail}); fix "path" in the source, and check that this user may read the file and its folder`);
  }
  if (code.startsWith('SQLITE_READONLY')) {
    // A read-only connection to a WAL database still maps the `-shm` file (readers mark their snapshots in it).
    return new ConfigError(`source "${c.sourceId}": SQLite cannot read "${c.path}" read-only (${detail}): a database in WAL mode needs its "-shm" file writable by this user, or the folder writable so it can be created; fix the permissions, or "path"`);
  }
  if (code === 'SQLITE_ERROR' && /no such (table|view)/i.test(detail)) {
    return new ConfigError(`source "${c.sourceId}": ${c.relation} does not exist in "${c.path}" (${detail}); fix "table" in the source, or create it`);
  }
  if (code === 'SQLITE_ERROR' && /no such column/i.test(detail)) return new ConfigError(`${message}; check the column names in the source`);
  // The writer holds a lock (WAL recovery, a checkpoint, a rollback-journal commit) or the disk hiccuped: worth a retry.
  if (/^SQLITE_(BUSY|LOCKED|PROTOCOL|IOERR|INTERRUPT|NOMEM|FULL)/.test(code)) return new TransientError(message, { cause: error });
  return new TributaryError(message, { cause: error });
}
