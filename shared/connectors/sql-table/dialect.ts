/**
 * What differs between the SQL engines a table source reads: quoting, bind parameters, text
 * casts, list parameters, digests and — above all — timestamps. `./statements.ts` builds every
 * statement from one of these; Postgres (`../postgres/sql.ts`) and SQLite (`../sqlite/dialect.ts`)
 * implement it.
 */
import type { TimeWindow } from './config.ts';

/** How one timestamp column is compared, ordered, shown and bound. */
export interface TimeColumn {
  /**
   * What windows and keysets compare and order by, from the column's expression: the column
   * itself where the engine compares it natively (an index on it then applies).
   */
  key(column: string): string;
  /** The latest of a group's keys (an aggregate), ignoring values that are not times. */
  latest(key: string): string;
  /** ISO-8601 text in UTC of a key expression (a row's, or an aggregate of keys): versions and `updatedAt`. */
  text(key: string): string;
  /** A window bound (an ISO-8601 instant) as the value compared with `key`. */
  bound(iso: string): unknown;
  /**
   * The key travels in cursors by itself (selected as `A.at`), because its {@link text} does
   * not bind back to exactly the same key; otherwise the cursor holds the text.
   */
  readonly keyInCursor: boolean;
  /** A cursor's `ts` (the key's or the text's `String` form) as a bind value. */
  cursorBound(ts: string): unknown;
  /**
   * Set when a stored value may be one the engine cannot read as a time: the raw column is
   * selected as well (`A.raw`), and this explains a value whose key came out null.
   */
  unreadable?(raw: unknown): string;
}

/** One SQL engine, as the statements and the shared connector need it. */
export interface SqlDialect {
  /** Names the engine in messages ("Postgres", "SQLite"). */
  readonly engine: string;
  quote(identifier: string): string;
  /** The n-th bind parameter, 1-based. Statements use their parameters in order, once each. */
  param(n: number): string;
  /** An expression's text form (ids, groups, document keys). */
  text(expr: string): string;
  /**
   * A column as ids and groups are compared, ordered and matched against text bind values:
   * the column itself where the engine converts a text value to the column's type (Postgres;
   * SQLite columns with a declared type), else its text form.
   */
  comparable(column: string): string;
  /** Text compared and ordered byte by byte, whatever the database's collation. */
  binary(expr: string): string;
  /** True for rows that the soft-delete column's value leaves alive. */
  alive(deleted: string): string;
  /**
   * `expr` is one of the values of a list parameter: `native` for a {@link comparable} column
   * (ids, groups; the values are their text forms), `text` for a text expression (document keys).
   */
  inList(expr: string, param: string, kind: 'native' | 'text'): string;
  /** A list parameter's bind value. */
  list(values: readonly string[]): unknown;
  /** A text that changes whenever any element does: the digest of a conversation's messages. */
  digest(element: string, orderBy: string): string;
  /** The `updatedAtColumn`'s timestamps. */
  readonly updatedAt: TimeColumn;
  /** The `conversation.orderColumn`'s values: turns are ordered by their `key`. */
  readonly orderedBy: Pick<TimeColumn, 'key'>;
  /** The start of the time window of an order key, as text `YYYY-MM-DDTHH:MMZ` (UTC). */
  windowStart(orderKey: string, window: TimeWindow): string;
}
