/**
 * Postgres as a SQL-table dialect: the statements of ../sql-table/statements.ts in PostgreSQL.
 *
 * Identifiers are quoted with pg's `escapeIdentifier`. Parameters are left untyped where they
 * meet a column, so PostgreSQL reads them as that column's type: comparisons stay on the native
 * type (indexes apply) for any id type. Timestamps travel as text with microseconds, rendered in
 * UTC (the session runs in UTC), and that text is also what cursors hold.
 */
import pg from 'pg';
import type { SqlDialect } from '../sql-table/dialect.ts';
import { TableSql, type SqlTableStatementsConfig } from '../sql-table/statements.ts';

export { A, conversationVersion } from '../sql-table/statements.ts';
export { metadataOf, renderTemplate, templateColumns, valueText } from '../sql-table/templates.ts';

const TS_FORMAT = `'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`;
const WINDOW_FORMAT = `'YYYY-MM-DD"T"HH24:MI"Z"'`;

const identity = (value: string): string => value;

export const postgresDialect: SqlDialect = {
  engine: 'Postgres',
  quote: (identifier) => pg.escapeIdentifier(identifier),
  param: (n) => `$${n}`,
  text: (expr) => `${expr}::text`,
  comparable: identity,
  binary: (expr) => `${expr} COLLATE "C"`,
  // Boolean columns read 'true'/'false' as text; any other type counts as deleted when set.
  alive: (deleted) => `(${deleted} IS NULL OR ${deleted}::text = 'false')`,
  inList: (expr, param, kind) => (kind === 'text' ? `${expr} = ANY(${param}::text[])` : `${expr} = ANY(${param})`),
  list: (values) => values,
  digest: (element, orderBy) => `md5(string_agg(${element}, ',' ORDER BY ${orderBy}))`,
  updatedAt: {
    key: identity,
    latest: (key) => `max(${key})`,
    text: (key) => `to_char(${key}, ${TS_FORMAT})`,
    bound: identity,
    keyInCursor: false,
    cursorBound: identity,
  },
  orderedBy: { key: identity },
  windowStart: (order, window) => {
    const start = typeof window === 'number'
      ? `to_timestamp(floor(extract(epoch FROM ${order}) / ${window * 60}) * ${window * 60})`
      : `date_trunc('${window}', ${order})`;
    return `to_char(${start}, ${WINDOW_FORMAT})`;
  },
};

export type PostgresSqlConfig = SqlTableStatementsConfig;

/** Builds every statement the Postgres connector runs, once per source. */
export class PostgresSql extends TableSql {
  constructor(config: PostgresSqlConfig) {
    super(config, postgresDialect);
  }
}
