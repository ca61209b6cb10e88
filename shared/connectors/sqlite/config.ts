import { z } from 'zod';
import { sourceBase } from '../../config/source-base.ts';
import { checkSqlTable, conversationFields, sqlTableFields } from '../sql-table/config.ts';
import { TIMESTAMP_FORMATS } from './timestamps.ts';

/*
 * Configuration of a `sqlite` source: a table or view of a SQLite file that another process
 * writes (a bot's own database), opened read-only, one document per row or per conversation.
 * See docs/sources/sqlite.md; the keys it shares with the other SQL-table kinds are in
 * ../sql-table/config.ts.
 */

const timestampFormat = z.enum(TIMESTAMP_FORMATS);

/** A file path: SQLite's in-memory, temporary and URI names open something else than the bot's file. */
const databasePath = z.string().min(1).refine((path) => path !== ':memory:' && !/^file:/i.test(path), {
  message: 'must be the path of the database file (relative paths resolve against the config file\'s folder), not ":memory:" or a file: URI',
});

export const sqliteSource = z.strictObject({
  ...sourceBase,
  kind: z.literal('sqlite'),
  /** The database file, opened read-only; relative paths resolve against the config file's folder. */
  path: databasePath,
  ...sqlTableFields(z.strictObject({
    ...conversationFields,
    /** How `orderColumn` holds its times (see `updatedAtFormat`). */
    orderFormat: timestampFormat.default('auto'),
  })),
  /**
   * How `updatedAtColumn` holds its times: `auto` reads each value by its type (TEXT ISO-8601,
   * INTEGER unix seconds or ms, REAL julian day or unix seconds); an explicit numeric format
   * compares the column itself, so an index on it serves each page.
   */
  updatedAtFormat: timestampFormat.default('auto'),
  /** `start` watches the file and its `-wal` and syncs about a second after a write. */
  watch: z.boolean().default(true),
  /** How long a read waits for a lock the writer holds (WAL recovery, a checkpoint) before the run is retried. */
  busyTimeoutMs: z.number().int().min(0).max(60_000).default(5_000),
}).superRefine(checkSqlTable);

export type SqliteSourceConfig = z.output<typeof sqliteSource>;
