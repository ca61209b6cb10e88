import { z } from 'zod';

/*
 * The configuration every SQL-table source shares (`postgres`, `sqlite`): which relation, which
 * columns, how a row or a conversation becomes a document. A kind's schema spreads
 * {@link sqlTableFields}, adds its own keys and `conversation` object, and refines with
 * {@link checkSqlTable}.
 *
 * Only identifiers come from the config, never values, and every identifier is validated here
 * and quoted by the engine's dialect when SQL is built (./statements.ts).
 */

/** A column name as the templates and keys name it. */
export const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]*$/;
/** `{{column}}` placeholders of a template (spaces inside the braces allowed). */
export const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

export const identifier = z.string().regex(IDENTIFIER, {
  message: 'must be a column name of letters, digits, "_" or "$", starting with a letter or "_" (alias other names in `query`)',
});

export const template = z.string().min(1).superRefine((value, ctx) => {
  for (const match of value.matchAll(PLACEHOLDER)) {
    const name = match[1] ?? '';
    if (!IDENTIFIER.test(name)) {
      ctx.addIssue({ code: 'custom', message: `placeholder "{{${name}}}" must name a column (letters, digits, "_", "$"), e.g. "{{author}}: {{body}}"` });
    }
  }
});

/** `messages` or `public.messages`: a table or view, optionally schema-qualified. */
export const tableName = z.string().regex(/^([A-Za-z_][A-Za-z0-9_$]*\.)?[A-Za-z_][A-Za-z0-9_$]*$/, {
  message: 'must be a table or view name, optionally schema-qualified (e.g. "public.messages"); use `query` for anything else',
});

export const TIME_WINDOW_UNITS = ['hour', 'day', 'week', 'month'] as const;
export type TimeWindow = (typeof TIME_WINDOW_UNITS)[number] | number;

/** The keys of `conversation`; a kind may add its own (SQLite: `orderFormat`). */
export const conversationFields = {
  /** Messages sharing this column's value form one conversation (channel, thread, session id). */
  groupColumn: identifier,
  /** Orders the turns of a conversation (sent-at); ties are broken by `idColumn`. */
  orderColumn: identifier,
  /**
   * Splits a conversation into one document per time window of `orderColumn` (UTC): a unit, or
   * a number of minutes. Document id `<group>/<window start>`.
   */
  timeWindow: z.union([z.enum(TIME_WINDOW_UNITS), z.number().int().min(1).max(525_600)]).optional(),
};

export const conversation = z.strictObject(conversationFields);

/**
 * The keys every SQL-table source has, besides `sourceBase` and its connection; `conversation`
 * is the kind's own object (SQLite adds `orderFormat`).
 */
export const sqlTableFields = <C extends z.ZodType>(conversationSchema: C) => ({
  /** The table or view to index. Exactly one of `table` and `query`. */
  table: tableName.optional(),
  /** A SELECT whose result is indexed as if it were a view (no trailing `;`). Exactly one of `table` and `query`. */
  query: z.string().min(1).optional(),
  /** Unique row id (primary key). */
  idColumn: identifier,
  /** Set on every insert and update (a trigger; see the kind's docs). */
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
  conversation: conversationSchema.optional(),
  /** Documents per page (rows in row mode, conversations in conversation mode). */
  pageSize: z.number().int().min(1).max(5000).default(200),
});

/** What the shared SQL-table machinery reads of a source's config. */
export interface SqlTableConfig {
  readonly table?: string | undefined;
  readonly query?: string | undefined;
  readonly idColumn: string;
  readonly updatedAtColumn: string;
  readonly deletedColumn?: string | undefined;
  readonly textTemplate: string;
  readonly titleTemplate?: string | undefined;
  readonly urlTemplate?: string | undefined;
  readonly metadataColumns: readonly string[];
  readonly mode: 'row' | 'conversation';
  readonly conversation?: { readonly groupColumn: string; readonly orderColumn: string; readonly timeWindow?: TimeWindow | undefined } | undefined;
  readonly pageSize: number;
}

type Checked = Pick<SqlTableConfig, 'table' | 'query' | 'mode' | 'conversation'>;

/** The checks across keys every SQL-table source shares (a `superRefine` of its schema). */
export function checkSqlTable(source: Checked, ctx: z.RefinementCtx): void {
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
}
