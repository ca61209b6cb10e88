/**
 * Every statement a SQL-table source runs, as pure functions of its config and its engine's
 * {@link SqlDialect}.
 *
 * Only identifiers from the config reach SQL text, each validated by the config schema and
 * quoted by the dialect; every value (ids, timestamps, cursors) is a bind parameter, used once
 * and in order, so `$n` (Postgres) and `?` (SQLite) placeholders take the same parameter list.
 */
import type { SqlTableConfig } from './config.ts';
import type { SqlDialect } from './dialect.ts';
import { templateColumns } from './templates.ts';

/** Column aliases of the connector's own values; `$` keeps them clear of ordinary column names. */
export const A = {
  doc: 'tributary$doc', id: 'tributary$id', ts: 'tributary$ts', deleted: 'tributary$deleted', group: 'tributary$group',
  count: 'tributary$n', hash: 'tributary$h',
  /** The time key, when it travels in cursors by itself ({@link TimeColumn.keyInCursor}). */
  at: 'tributary$at',
  /** The updatedAt column's stored value, when the engine may not read it as a time. */
  raw: 'tributary$raw',
} as const;

export type SqlTableStatementsConfig = Pick<SqlTableConfig,
  'table' | 'query' | 'idColumn' | 'updatedAtColumn' | 'deletedColumn' | 'textTemplate' | 'titleTemplate' | 'urlTemplate'
  | 'metadataColumns' | 'mode' | 'conversation'>;

/** Builds every statement the connector runs, once per source. */
export class TableSql {
  /** `FROM` target, aliased `src`. */
  readonly from: string;
  readonly id: string;
  /** The updatedAt column's time key (see {@link TimeColumn.key}). */
  readonly ts: string;
  /** True for rows that are not soft-deleted. */
  readonly alive: string;
  /** The document key of a row: the id (row mode), the group, or `<group>/<window start>`. */
  readonly docKey: string;
  readonly group: string | undefined;
  readonly order: string | undefined;
  /** Columns the templates and metadata read, selected by name. */
  readonly contentColumns: readonly string[];
  private readonly rawTs: string;

  constructor(
    private readonly config: SqlTableStatementsConfig,
    readonly dialect: SqlDialect,
  ) {
    const d = dialect;
    this.from = config.table !== undefined
      ? `${config.table.split('.').map((part) => d.quote(part)).join('.')} AS src`
      : `(${config.query ?? ''}) AS src`;
    const col = (name: string): string => `src.${d.quote(name)}`;
    this.id = d.comparable(col(config.idColumn));
    this.rawTs = col(config.updatedAtColumn);
    this.ts = d.updatedAt.key(this.rawTs);
    this.alive = config.deletedColumn !== undefined ? d.alive(col(config.deletedColumn)) : 'TRUE';
    const conv = config.mode === 'conversation' ? config.conversation : undefined;
    this.group = conv ? d.comparable(col(conv.groupColumn)) : undefined;
    this.order = conv ? d.orderedBy.key(col(conv.orderColumn)) : undefined;
    if (conv && this.group !== undefined && this.order !== undefined) {
      this.docKey = conv.timeWindow === undefined
        ? d.text(this.group)
        : `(${d.text(this.group)} || '/' || ${d.windowStart(this.order, conv.timeWindow)})`;
    } else {
      this.docKey = d.text(this.id);
    }
    this.contentColumns = [...new Set([
      ...templateColumns(config.textTemplate), ...templateColumns(config.titleTemplate), ...templateColumns(config.urlTemplate),
      ...config.metadataColumns,
    ])];
  }

  /** Every column name the config refers to, with the key that names it (for validation). */
  referencedColumns(): Array<{ key: string; column: string }> {
    const c = this.config;
    const refs: Array<{ key: string; column: string }> = [
      { key: 'idColumn', column: c.idColumn },
      { key: 'updatedAtColumn', column: c.updatedAtColumn },
    ];
    if (c.deletedColumn !== undefined) refs.push({ key: 'deletedColumn', column: c.deletedColumn });
    if (c.mode === 'conversation' && c.conversation) {
      refs.push({ key: 'conversation.groupColumn', column: c.conversation.groupColumn });
      refs.push({ key: 'conversation.orderColumn', column: c.conversation.orderColumn });
    }
    for (const column of templateColumns(c.textTemplate)) refs.push({ key: 'textTemplate', column });
    for (const column of templateColumns(c.titleTemplate)) refs.push({ key: 'titleTemplate', column });
    for (const column of templateColumns(c.urlTemplate)) refs.push({ key: 'urlTemplate', column });
    for (const column of c.metadataColumns) refs.push({ key: 'metadataColumns', column });
    return refs;
  }

  /** No rows; its result's columns are the columns of the source. */
  probe(): string {
    return `SELECT * FROM ${this.from} LIMIT 0`;
  }

  private q(alias: string): string {
    return this.dialect.quote(alias);
  }

  private p(n: number): string {
    return this.dialect.param(n);
  }

  private selectContent(): string {
    const content = this.contentColumns.map((name) => `src.${this.q(name)}`).join(', ');
    return content ? `, ${content}` : '';
  }

  /** The time key itself, when cursors carry it. */
  private selectKey(expr: string): string {
    return this.dialect.updatedAt.keyInCursor ? `, ${expr} AS ${this.q(A.at)}` : '';
  }

  /** The stored updatedAt value, when the engine may fail to read it. */
  private selectRaw(): string {
    return this.dialect.updatedAt.unreadable ? `, ${this.rawTs} AS ${this.q(A.raw)}` : '';
  }

  private tsText(expr: string): string {
    return this.dialect.updatedAt.text(expr);
  }

  /**
   * Row mode: the next page of rows changed in the window, keyset on (updated_at, id).
   * Params: snapshotAt (exclusive), [since], [cursor ts, cursor id], limit.
   */
  rowPage(input: { since: boolean; after: boolean }): string {
    let n = 1;
    const where = [`${this.ts} < ${this.p(n)}`];
    if (input.since) where.push(`${this.ts} >= ${this.p(++n)}`);
    if (input.after) where.push(`(${this.ts}, ${this.id}) > (${this.p(++n)}, ${this.p(++n)})`);
    return `SELECT ${this.dialect.text(this.id)} AS ${this.q(A.id)}, ${this.tsText(this.ts)} AS ${this.q(A.ts)}, NOT ${this.alive} AS ${this.q(A.deleted)}`
      + `${this.selectKey(this.ts)}${this.selectContent()} FROM ${this.from} WHERE ${where.join(' AND ')}`
      + ` ORDER BY ${this.ts}, ${this.id} LIMIT ${this.p(++n)}`;
  }

  /** Row mode: live rows by id. Params: ids (a list). */
  rowsById(): string {
    return `SELECT ${this.dialect.text(this.id)} AS ${this.q(A.id)}, ${this.tsText(this.ts)} AS ${this.q(A.ts)}${this.selectRaw()}${this.selectContent()}`
      + ` FROM ${this.from} WHERE ${this.alive} AND ${this.dialect.inList(this.id, this.p(1), 'native')} ORDER BY ${this.id}`;
  }

  /** Row mode listing: live ids and versions, keyset on id. Params: [after], limit. */
  rowList(after: boolean): string {
    return `SELECT ${this.dialect.text(this.id)} AS ${this.q(A.id)}, ${this.tsText(this.ts)} AS ${this.q(A.ts)} FROM ${this.from}`
      + ` WHERE ${this.alive}${after ? ` AND ${this.id} > ${this.p(1)}` : ''} ORDER BY ${this.id} LIMIT ${this.p(after ? 2 : 1)}`;
  }

  /**
   * Conversation mode: the next page of documents with a row changed in the window (soft
   * deletes included), each once, keyset on (its latest change in the window, doc key).
   * Params: snapshotAt, [since], [cursor ts, cursor doc], limit.
   */
  changedDocsPage(input: { since: boolean; after: boolean }): string {
    const d = this.dialect;
    let n = 1;
    const where = [`${this.ts} < ${this.p(n)}`];
    if (input.since) where.push(`${this.ts} >= ${this.p(++n)}`);
    const after = input.after ? ` WHERE (d.last, ${d.binary('d.doc')}) > (${this.p(++n)}, ${d.binary(d.text(this.p(++n)))})` : '';
    return `SELECT d.doc AS ${this.q(A.doc)}, ${this.tsText('d.last')} AS ${this.q(A.ts)}${this.selectKey('d.last')} FROM (`
      + `SELECT ${this.docKey} AS doc, ${this.dialect.updatedAt.latest(this.ts)} AS last FROM ${this.from} WHERE ${where.join(' AND ')} GROUP BY 1`
      + `) d${after} ORDER BY d.last, ${d.binary('d.doc')} LIMIT ${this.p(++n)}`;
  }

  /** The version aggregate of a document's live rows: any added, edited or removed row changes it. */
  private versionColumns(): string {
    const d = this.dialect;
    return `count(*) AS ${this.q(A.count)}, ${this.tsText(`${this.dialect.updatedAt.latest(this.ts)}`)} AS ${this.q(A.ts)},`
      + ` ${d.digest(`${d.text(this.id)} || '@' || ${this.tsText(this.ts)}`, d.binary(d.text(this.id)))} AS ${this.q(A.hash)}`;
  }

  private inDocs(): string {
    return `${this.dialect.inList(this.group ?? 'NULL', this.p(1), 'native')} AND ${this.dialect.inList(this.docKey, this.p(2), 'text')}`;
  }

  /** Conversation mode: versions of the named documents. Params: groups (a list), doc keys (a list). */
  docVersions(): string {
    return `SELECT ${this.docKey} AS ${this.q(A.doc)}, ${this.versionColumns()} FROM ${this.from}`
      + ` WHERE ${this.alive} AND ${this.inDocs()} GROUP BY 1`;
  }

  /** Conversation mode: the live messages of the named documents, in turn order. Params as {@link docVersions}. */
  docMessages(): string {
    const raw = this.selectRaw();
    const id = raw ? `, ${this.dialect.text(this.id)} AS ${this.q(A.id)}, ${this.tsText(this.ts)} AS ${this.q(A.ts)}${raw}` : '';
    return `SELECT ${this.docKey} AS ${this.q(A.doc)}, ${this.dialect.text(this.group ?? 'NULL')} AS ${this.q(A.group)}${id}${this.selectContent()}`
      + ` FROM ${this.from} WHERE ${this.alive} AND ${this.inDocs()}`
      + ` ORDER BY ${this.group ?? 'NULL'}, ${this.order ?? 'NULL'}, ${this.id}`;
  }

  /**
   * Conversation mode listing: documents with versions, whole groups at a time, keyset on the
   * group. Params: [after group], limit (rows of the result).
   */
  docList(input: { after: boolean; onlyGroup?: boolean }): string {
    const group = this.group ?? 'NULL';
    const filter = input.onlyGroup ? ` AND ${group} = ${this.p(1)}` : input.after ? ` AND ${group} > ${this.p(1)}` : '';
    const limit = input.onlyGroup ? '' : ` LIMIT ${this.p(input.after ? 2 : 1)}`;
    return `SELECT ${this.dialect.text(group)} AS ${this.q(A.group)}, ${this.docKey} AS ${this.q(A.doc)}, ${this.versionColumns()}`
      + ` FROM ${this.from}`
      + ` WHERE ${this.alive}${filter} GROUP BY ${group}, 2 ORDER BY ${group}, 2${limit}`;
  }

  /** A window bound as the time key's bind value. */
  bindTime(iso: string): unknown {
    return this.dialect.updatedAt.bound(iso);
  }

  /** A cursor's `ts` as the time key's bind value. */
  bindCursorTime(ts: string): unknown {
    return this.dialect.updatedAt.cursorBound(ts);
  }

  bindList(values: readonly string[]): unknown {
    return this.dialect.list(values);
  }

  /** The cursor position of a page's last row: its time key (or its text) and its id or document key. */
  cursorTs(row: Readonly<Record<string, unknown>>): string {
    return String(row[this.dialect.updatedAt.keyInCursor ? A.at : A.ts]);
  }

  /** Why a row's updatedAt value cannot be read as a time, or undefined (null values are not a fault). */
  unreadableTime(row: Readonly<Record<string, unknown>>): string | undefined {
    const explain = this.dialect.updatedAt.unreadable;
    const raw = row[A.raw];
    if (!explain || raw === null || raw === undefined || (row[A.ts] !== null && row[A.ts] !== undefined)) return undefined;
    return explain(raw);
  }
}

/** The version of a conversation document from its aggregate: latest change, message count, id/timestamp digest. */
export function conversationVersion(row: Readonly<Record<string, unknown>>): string {
  return `${String(row[A.ts])}#${String(row[A.count])}#${String(row[A.hash]).slice(0, 16)}`;
}
