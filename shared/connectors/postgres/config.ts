import { z } from 'zod';
import { envName, sourceBase } from '../../config/source-base.ts';

/*
 * Configuration of a `postgres` source: a table or view of rows (or of chat messages grouped
 * into conversations) kept in step with the index. See docs/sources/postgres.md.
 *
 * Only identifiers come from the config, never values, and every identifier is validated here
 * and quoted with pg's escapeIdentifier when SQL is built (./sql.ts).
 */

/** A column name as the templates and keys name it. */
export const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]*$/;
/** `{{column}}` placeholders of a template (spaces inside the braces allowed). */
export const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

const identifier = z.string().regex(IDENTIFIER, {
  message: 'must be a column name of letters, digits, "_" or "$", starting with a letter or "_" (alias other names in `query`)',
});

const template = z.string().min(1).superRefine((value, ctx) => {
  for (const match of value.matchAll(PLACEHOLDER)) {
    const name = match[1] ?? '';
    if (!IDENTIFIER.test(name)) {
      ctx.addIssue({ code: 'custom', message: `placeholder "{{${name}}}" must name a column (letters, digits, "_", "$"), e.g. "{{author}}: {{body}}"` });
    }
  }
});

/** `messages` or `public.messages`: a table or view, optionally schema-qualified. */
const tableName = z.string().regex(/^([A-Za-z_][A-Za-z0-9_$]*\.)?[A-Za-z_][A-Za-z0-9_$]*$/, {
  message: 'must be a table or view name, optionally schema-qualified (e.g. "public.messages"); use `query` for anything else',
});

export const TIME_WINDOW_UNITS = ['hour', 'day', 'week', 'month'] as const;

const conversation = z.strictObject({
  /** Messages sharing this column's value form one conversation (channel, thread, session id). */
  groupColumn: identifier,
  /** Orders the turns of a conversation (sent-at); ties are broken by `idColumn`. */
  orderColumn: identifier,
  /**
   * Splits a conversation into one document per time window of `orderColumn` (UTC): a unit, or
   * a number of minutes. Document id `<group>/<window start>`.
   */
  timeWindow: z.union([z.enum(TIME_WINDOW_UNITS), z.number().int().min(1).max(525_600)]).optional(),
});

export const postgresSource = z.strictObject({
  ...sourceBase,
  kind: z.literal('postgres'),
  /** Environment variable holding the connection string (postgres://user:pass@host:5432/db?sslmode=require). */
  connectionStringEnv: envName,
  /** The table or view to index. Exactly one of `table` and `query`. */
  table: tableName.optional(),
  /** A SELECT whose result is indexed as if it were a view (no trailing `;`). Exactly one of `table` and `query`. */
  query: z.string().min(1).optional(),
  /** Unique row id (primary key). */
  idColumn: identifier,
  /** Set by the database on every insert and update (a trigger; see the docs). Timestamp type. */
  updatedAtColumn: identifier,
  /** Soft delete: a row is deleted when this column is true (boolean) or not null (any other type). */
  deletedColumn: identifier.optional(),
  /** The text of a row (row mode) or of one turn (conversation mode): `{{column}}` placeholders. */
  textTemplate: template,
  titleTemplate: template.optional(),
  /** Placeholders are URL-encoded. */
  urlTemplate: template.optional(),
  /** Columns copied into the document's metadata (row mode: the row's; conversation mode: the first message's). */
  metadataColumns: z.array(identifier).default([]),
  /** `row`: one document per row. `conversation`: one document per conversation (or time window of one). */
  mode: z.enum(['row', 'conversation']).default('row'),
  conversation: conversation.optional(),
  /** Documents per page (rows in row mode, conversations in conversation mode). */
  pageSize: z.number().int().min(1).max(5000).default(200),
  /** Near-real-time hints: the channel a trigger `pg_notify`s (see the docs). */
  listen: z.strictObject({ channel: identifier }).optional(),
  /** `start` LISTENs on `listen.channel` (needs `listen`); false keeps only schedule and webhook. */
  watch: z.boolean().default(true),
  /** Connections the source's pool may open (the LISTEN connection is extra). */
  poolMax: z.number().int().min(1).max(100).default(4),
  /** Statements running longer are cancelled (and the run retried). */
  statementTimeoutMs: z.number().int().min(100).max(3_600_000).default(60_000),
}).superRefine((source, ctx) => {
  if ((source.table === undefined) === (source.query === undefined)) {
    ctx.addIssue({ code: 'custom', path: ['table'], message: 'set exactly one of "table" (a table or view name) and "query" (a SELECT)' });
  }
  if (source.query !== undefined && /;\s*$/.test(source.query)) {
    ctx.addIssue({ code: 'custom', path: ['query'], message: 'must be one SELECT without a trailing ";"' });
  }
  if (source.mode === 'conversation' && source.conversation === undefined) {
    ctx.addIssue({ code: 'custom', path: ['conversation'], message: 'mode "conversation" needs {"groupColumn": "…", "orderColumn": "…"}' });
  }
  if (source.mode === 'row' && source.conversation !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['mode'], message: '"conversation" is set: add "mode": "conversation", or remove "conversation"' });
  }
});

export type PostgresSourceConfig = z.output<typeof postgresSource>;
