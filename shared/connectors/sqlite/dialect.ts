/**
 * SQLite as a SQL-table dialect (../sql-table/dialect.ts).
 *
 * SQLite compares a text bind value with a column by the column's declared type (affinity), and
 * with an expression of no declared type by storage class: a text is never equal to an integer.
 * Ids and groups of a column without a declared type (an expression in `query`) are therefore
 * compared as text. Lists travel as one JSON array (`json_each`), so a statement's text does not
 * depend on how many ids it is asked for. Digests are md5, registered on the connection.
 */
import type { SqlDialect } from '../sql-table/dialect.ts';
import { orderKey, updatedAtColumn, windowStart, type TimestampFormat } from './timestamps.ts';

/** The digest function registered on every connection (./database.ts). */
export const DIGEST_FUNCTION = 'tributary_md5';

export interface SqliteDialectOptions {
  readonly updatedAtColumn: string;
  readonly updatedAtFormat: TimestampFormat;
  readonly orderFormat: TimestampFormat;
  /** `src."<name>"` of the columns with a declared type (INTEGER, TEXT, REAL or NUMERIC affinity). */
  readonly typedColumns: ReadonlySet<string>;
}

export const quoteSqlite = (identifier: string): string => `"${identifier.replaceAll('"', '""')}"`;

export function sqliteDialect(options: SqliteDialectOptions): SqlDialect {
  return {
    engine: 'SQLite',
    quote: quoteSqlite,
    param: () => '?',
    text: (expr) => `CAST(${expr} AS TEXT)`,
    comparable: (column) => (options.typedColumns.has(column) ? column : `CAST(${column} AS TEXT)`),
    // BINARY, SQLite's default collation, compares bytes.
    binary: (expr) => expr,
    // Booleans are 0/1; a "false" text counts as false too; any other value set means deleted.
    alive: (deleted) => `(${deleted} IS NULL OR ${deleted} = 0 OR ${deleted} = 'false')`,
    inList: (expr, param) => `${expr} IN (SELECT value FROM json_each(${param}))`,
    list: (values) => JSON.stringify(values),
    digest: (element, orderBy) => `${DIGEST_FUNCTION}(group_concat(${element}, ',' ORDER BY ${orderBy}))`,
    updatedAt: updatedAtColumn(options.updatedAtFormat, options.updatedAtColumn),
    orderedBy: { key: orderKey(options.orderFormat) },
    windowStart: (key, window) => windowStart(options.orderFormat, key, window),
  };
}

/**
 * Whether a declared column type gives the column an affinity that converts a text bind value
 * (SQLite's rules, §3.1 of its datatype page): anything but no type and BLOB.
 */
export function convertsText(declaredType: string | null | undefined): boolean {
  const type = (declaredType ?? '').toUpperCase();
  if (type === '') return false;
  if (type.includes('INT') || type.includes('CHAR') || type.includes('CLOB') || type.includes('TEXT')) return true;
  return !type.includes('BLOB');
}
