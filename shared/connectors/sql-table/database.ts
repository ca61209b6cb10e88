/**
 * The port a SQL-table connector reads its database through: each engine (a `pg` pool, a
 * read-only SQLite connection) implements it, and the shared connector (./connector.ts) does
 * the rest.
 */
import type { Columns } from './columns.ts';
import type { TableSql } from './statements.ts';

export type Row = Record<string, unknown>;

/** Runs one statement with its parameters (in order) and returns every row. */
export type RunQuery = (text: string, params: readonly unknown[]) => Promise<Row[]>;

/** What the source's statements are, once the relation and its columns were checked. */
export interface SqlTablePlan {
  readonly sql: TableSql;
  readonly columns: Columns;
}

export interface SqlTableDatabase {
  /**
   * Checks that the relation and every configured column exist (ConfigError naming the key
   * otherwise) and returns the statements. The connector calls it once, and again after a
   * failure.
   */
  prepare(): Promise<SqlTablePlan>;
  /** One statement; every failure comes out as a Tributary error. */
  query: RunQuery;
  /** Runs `work` in one read snapshot: every statement sees the same committed state. */
  snapshot<T>(work: (query: RunQuery) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
