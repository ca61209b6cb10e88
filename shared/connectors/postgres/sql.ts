/**
 * SQL and templates of the Postgres connector, as pure functions.
 *
 * Only identifiers from the config reach SQL text, each validated by the config schema and
 * quoted with pg's `escapeIdentifier`; every value (ids, timestamps, cursors) is a bind
 * parameter. Parameters are left untyped where they meet a column, so PostgreSQL reads them as
 * that column's type: comparisons stay on the native type (indexes apply) for any id type.
 */
import pg from 'pg';
import type { Metadata } from '../../ports/index.ts';
import { PLACEHOLDER, type PostgresSourceConfig } from './config.ts';

const q = (identifier: string): string => pg.escapeIdentifier(identifier);

/** Timestamps travel as text with microseconds, rendered in UTC (the session runs in UTC). */
const TS_FORMAT = `'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`;
const WINDOW_FORMAT = `'YYYY-MM-DD"T"HH24:MI"Z"'`;

/** Column aliases of the connector's own values; `$` keeps them clear of ordinary column names. */
export const A = { doc: 'tributary$doc', id: 'tributary$id', ts: 'tributary$ts', deleted: 'tributary$deleted', group: 'tributary$group', count: 'tributary$n', hash: 'tributary$h' } as const;

export type PostgresSqlConfig = Pick<PostgresSourceConfig,
  'table' | 'query' | 'idColumn' | 'updatedAtColumn' | 'deletedColumn' | 'textTemplate' | 'titleTemplate' | 'urlTemplate'
  | 'metadataColumns' | 'mode' | 'conversation'>;

/** Column names a template uses, in order of first use. */
export function templateColumns(template: string | undefined): string[] {
  if (template === undefined) return [];
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((m) => m[1] ?? ''))];
}

/** Renders `{{column}}` placeholders: null → '', Date → ISO-8601, objects → JSON. */
export function renderTemplate(template: string, row: Readonly<Record<string, unknown>>, encode?: (value: string) => string): string {
  return template.replace(PLACEHOLDER, (_, name: string) => {
    const text = valueText(row[name]);
    return encode ? encode(text) : text;
  });
}

export function valueText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString();
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Metadata values a vector store can hold: scalars as they are, the rest as text. */
export function metadataOf(columns: readonly string[], row: Readonly<Record<string, unknown>>): Metadata {
  const metadata: Metadata = {};
  for (const column of columns) {
    const value = row[column];
    if (value === null || value === undefined) continue;
    metadata[column] = typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))
      ? value
      : valueText(value);
  }
  return metadata;
}

/** Builds every statement the connector runs, once per source. */
export class PostgresSql {
  /** `FROM` target, aliased `src`. */
  readonly from: string;
  readonly id: string;
  readonly ts: string;
  /** True for rows that are not soft-deleted. */
  readonly alive: string;
  /** The document key of a row: the id (row mode), the group, or `<group>/<window start>`. */
  readonly docKey: string;
  readonly group: string | undefined;
  readonly order: string | undefined;
  /** Columns the templates and metadata read, selected by name. */
  readonly contentColumns: readonly string[];

  constructor(private readonly config: PostgresSqlConfig) {
    this.from = config.table !== undefined
      ? `${config.table.split('.').map(q).join('.')} AS src`
      : `(${config.query ?? ''}) AS src`;
    const col = (name: string): string => `src.${q(name)}`;
    this.id = col(config.idColumn);
    this.ts = col(config.updatedAtColumn);
    const deleted = config.deletedColumn !== undefined ? col(config.deletedColumn) : undefined;
    // Boolean columns read 'true'/'false' as text; any other type counts as deleted when set.
    this.alive = deleted !== undefined ? `(${deleted} IS NULL OR ${deleted}::text = 'false')` : 'TRUE';
    const conv = config.mode === 'conversation' ? config.conversation : undefined;
    this.group = conv ? col(conv.groupColumn) : undefined;
    this.order = conv ? col(conv.orderColumn) : undefined;
    if (conv && this.group !== undefined && this.order !== undefined) {
      const window = conv.timeWindow;
      if (window === undefined) {
        this.docKey = `${this.group}::text`;
      } else {
        const start = typeof window === 'number'
          ? `to_timestamp(floor(extract(epoch FROM ${this.order}) / ${window * 60}) * ${window * 60})`
          : `date_trunc('${window}', ${this.order})`;
        this.docKey = `(${this.group}::text || '/' || to_char(${start}, ${WINDOW_FORMAT}))`;
      }
    } else {
      this.docKey = `${this.id}::text`;
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

  /** No rows; its result's fields are the columns of the source. */
  probe(): string {
    return `SELECT * FROM ${this.from} LIMIT 0`;
  }

  private selectContent(): string {
    return this.contentColumns.map((name) => `src.${q(name)}`).join(', ');
  }

  /**
   * Row mode: the next page of rows changed in the window, keyset on (updated_at, id).
   * Params: $1 snapshotAt (exclusive), [$2 since], [cursor ts, cursor id], limit.
   */
  rowPage(input: { since: boolean; after: boolean }): string {
    let n = 1;
    const where = [`${this.ts} < $${n}`];
    if (input.since) where.push(`${this.ts} >= $${++n}`);
    if (input.after) where.push(`(${this.ts}, ${this.id}) > ($${++n}, $${++n})`);
    const content = this.selectContent();
    return `SELECT ${this.id}::text AS ${q(A.id)}, to_char(${this.ts}, ${TS_FORMAT}) AS ${q(A.ts)}, NOT ${this.alive} AS ${q(A.deleted)}`
      + `${content ? `, ${content}` : ''} FROM ${this.from} WHERE ${where.join(' AND ')}`
      + ` ORDER BY ${this.ts}, ${this.id} LIMIT $${++n}`;
  }

  /** Row mode: live rows by id. Params: $1 ids (array of the id's type). */
  rowsById(): string {
    const content = this.selectContent();
    return `SELECT ${this.id}::text AS ${q(A.id)}, to_char(${this.ts}, ${TS_FORMAT}) AS ${q(A.ts)}${content ? `, ${content}` : ''}`
      + ` FROM ${this.from} WHERE ${this.alive} AND ${this.id} = ANY($1) ORDER BY ${this.id}`;
  }

  /** Row mode listing: live ids and versions, keyset on id. Params: [$1 after], limit. */
  rowList(after: boolean): string {
    return `SELECT ${this.id}::text AS ${q(A.id)}, to_char(${this.ts}, ${TS_FORMAT}) AS ${q(A.ts)} FROM ${this.from}`
      + ` WHERE ${this.alive}${after ? ` AND ${this.id} > $1` : ''} ORDER BY ${this.id} LIMIT $${after ? 2 : 1}`;
  }

  /**
   * Conversation mode: the next page of documents with a row changed in the window (soft
   * deletes included), each once, keyset on (its latest change in the window, doc key).
   * Params: $1 snapshotAt, [$2 since], [cursor ts, cursor doc], limit.
   */
  changedDocsPage(input: { since: boolean; after: boolean }): string {
    let n = 1;
    const where = [`${this.ts} < $${n}`];
    if (input.since) where.push(`${this.ts} >= $${++n}`);
    const after = input.after ? ` WHERE (d.last, d.doc COLLATE "C") > ($${++n}, $${++n}::text COLLATE "C")` : '';
    return `SELECT d.doc AS ${q(A.doc)}, to_char(d.last, ${TS_FORMAT}) AS ${q(A.ts)} FROM (`
      + `SELECT ${this.docKey} AS doc, max(${this.ts}) AS last FROM ${this.from} WHERE ${where.join(' AND ')} GROUP BY 1`
      + `) d${after} ORDER BY d.last, d.doc COLLATE "C" LIMIT $${++n}`;
  }

  /** The version aggregate of a document's live rows: any added, edited or removed row changes it. */
  private versionColumns(): string {
    return `count(*) AS ${q(A.count)}, to_char(max(${this.ts}), ${TS_FORMAT}) AS ${q(A.ts)},`
      + ` md5(string_agg(${this.id}::text || '@' || to_char(${this.ts}, ${TS_FORMAT}), ',' ORDER BY ${this.id}::text COLLATE "C")) AS ${q(A.hash)}`;
  }

  /** Conversation mode: versions of the named documents. Params: $1 groups (native), $2 doc keys (text[]). */
  docVersions(): string {
    return `SELECT ${this.docKey} AS ${q(A.doc)}, ${this.versionColumns()} FROM ${this.from}`
      + ` WHERE ${this.alive} AND ${this.group ?? 'NULL'} = ANY($1) AND ${this.docKey} = ANY($2::text[]) GROUP BY 1`;
  }

  /** Conversation mode: the live messages of the named documents, in turn order. Params as {@link docVersions}. */
  docMessages(): string {
    const content = this.selectContent();
    return `SELECT ${this.docKey} AS ${q(A.doc)}, ${this.group ?? 'NULL'}::text AS ${q(A.group)}${content ? `, ${content}` : ''}`
      + ` FROM ${this.from} WHERE ${this.alive} AND ${this.group ?? 'NULL'} = ANY($1) AND ${this.docKey} = ANY($2::text[])`
      + ` ORDER BY ${this.group ?? 'NULL'}, ${this.order ?? 'NULL'}, ${this.id}`;
  }

  /**
   * Conversation mode listing: documents with versions, whole groups at a time, keyset on the
   * group. Params: [$1 after group], limit (rows of the result).
   */
  docList(input: { after: boolean; onlyGroup?: boolean }): string {
    const group = this.group ?? 'NULL';
    const filter = input.onlyGroup ? ` AND ${group} = $1` : input.after ? ` AND ${group} > $1` : '';
    const limit = input.onlyGroup ? '' : ` LIMIT $${input.after ? 2 : 1}`;
    return `SELECT ${group}::text AS ${q(A.group)}, ${this.docKey} AS ${q(A.doc)}, ${this.versionColumns()} FROM ${this.from}`
      + ` WHERE ${this.alive}${filter} GROUP BY ${group}, 2 ORDER BY ${group}, 2${limit}`;
  }
}

/** The version of a conversation document from its aggregate: latest change, message count, id/timestamp digest. */
export function conversationVersion(row: Readonly<Record<string, unknown>>): string {
  return `${String(row[A.ts])}#${String(row[A.count])}#${String(row[A.hash]).slice(0, 16)}`;
}
