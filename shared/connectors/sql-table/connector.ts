/**
 * A SQL table, view or SELECT as a Tributary source — one document per row, or one per
 * conversation (messages grouped by a column, optionally split into time windows) — over any
 * engine that implements {@link SqlTableDatabase} and a {@link SqlDialect}.
 *
 * Change detection rests on one assumption, stated in each kind's docs: `updatedAtColumn` is set
 * on every insert and update. A pass reads the rows changed in its window `[since, snapshotAt)`
 * with keyset pagination, so rows sharing a timestamp are never skipped at a page boundary, a
 * row edited during a pass moves past `snapshotAt` and is read by the next pass, and a row
 * committed late (a long transaction) is inside the next window's lookback. Hard deletes are
 * found by reconcile (`list`); soft deletes by `deletedColumn`.
 */
import type { Logger } from '../../core/deps.ts';
import { errorMessage } from '../../core/errors.ts';
import type {
  Cursor,
  DocumentIssue,
  DocumentRef,
  FetchResult,
  ListedDocument,
  PullPage,
  PullWindow,
  SourceConnector,
  SourceDocument,
} from '../../ports/index.ts';
import type { SqlTableConfig } from './config.ts';
import type { Row, SqlTableDatabase, SqlTablePlan } from './database.ts';
import { conversationDocument, parseDocKey, rowDocument } from './documents.ts';
import { parseCursor, type PageCursor } from './page-cursor.ts';
import { A, conversationVersion, type TableSql } from './statements.ts';

export interface SqlTableConnectorOptions {
  readonly config: SqlTableConfig;
  readonly database: SqlTableDatabase;
  readonly log?: Pick<Logger, 'warn'> | undefined;
  /** Ids per listing query. @default 10,000 */
  readonly listBatch?: number | undefined;
}

/** Whatever an engine returns for SQL `true`. */
const isTrue = (value: unknown): boolean => value === true || value === 1 || value === 1n;

/** Pull, fetch, list and close of a SQL-table source; each engine's connector adds its near-real-time `watch`. */
export class SqlTableConnector implements SourceConnector {
  readonly sourceId: string;
  protected readonly config: SqlTableConfig;
  protected readonly database: SqlTableDatabase;
  private readonly options: SqlTableConnectorOptions;
  private readonly conversation: boolean;
  private plan: Promise<SqlTablePlan> | undefined;

  constructor(sourceId: string, options: SqlTableConnectorOptions) {
    this.sourceId = sourceId;
    this.options = options;
    this.config = options.config;
    this.database = options.database;
    this.conversation = options.config.mode === 'conversation';
  }

  // ───────────────────────────── pull ─────────────────────────────

  /** One page of the documents changed in `[since, snapshotAt)` after `cursor`. */
  async pull(cursor: Cursor | undefined, window: PullWindow): Promise<PullPage> {
    const { sql } = await this.validated();
    const after = parseCursor(cursor, this.sourceId, sql.dialect.engine);
    const params: unknown[] = [sql.bindTime(window.snapshotAt)];
    if (window.since !== undefined) params.push(sql.bindTime(window.since));
    if (after) params.push(sql.bindCursorTime(after.ts), after.key);
    params.push(this.config.pageSize);
    const flags = { since: window.since !== undefined, after: after !== undefined };

    if (!this.conversation) {
      const rows = await this.database.query(sql.rowPage(flags), params);
      const changed: DocumentRef[] = [];
      const deleted: string[] = [];
      const skipped: DocumentIssue[] = [];
      for (const row of rows) {
        if (isTrue(row[A.deleted])) deleted.push(String(row[A.id]));
        else {
          const document = this.built(String(row[A.id]), () => rowDocument(this.config, row), skipped);
          if (document) changed.push({ id: document.id, version: document.version, document });
        }
      }
      const last = rows.at(-1);
      return {
        changed, deleted, ...(skipped.length > 0 ? { skipped } : {}),
        next: last ? { ts: sql.cursorTs(last), key: String(last[A.id]) } satisfies PageCursor : cursor ?? {},
        done: rows.length < this.config.pageSize,
      };
    }

    const rows = await this.database.query(sql.changedDocsPage(flags), params);
    const keys = rows.map((row) => String(row[A.doc]));
    const versions = await this.versionsOf(keys);
    const changed: DocumentRef[] = [];
    const deleted: string[] = [];
    // A document whose every message is gone (soft-deleted) has no version: it is deleted.
    for (const key of keys) {
      const version = versions.get(key);
      if (version === undefined) deleted.push(key);
      else changed.push({ id: key, version });
    }
    const last = rows.at(-1);
    return {
      changed, deleted,
      next: last ? { ts: sql.cursorTs(last), key: String(last[A.doc]) } satisfies PageCursor : cursor ?? {},
      done: rows.length < this.config.pageSize,
    };
  }

  // ───────────────────────────── fetch ─────────────────────────────

  /**
   * The named documents as they are now; unknown, malformed and deleted ids are absent, and a
   * row that cannot be turned into a document is skipped with the reason.
   */
  async fetch(ids: readonly string[]): Promise<FetchResult> {
    const { sql, columns } = await this.validated();
    const unique = [...new Set(ids)];
    const skipped: DocumentIssue[] = [];
    if (!this.conversation) {
      const valid = unique.filter(columns.idValid);
      if (valid.length === 0) return { documents: [] };
      const rows = await this.database.query(sql.rowsById(), [sql.bindList(valid)]);
      const documents = rows.flatMap((row) => this.built(String(row[A.id]), () => {
        const unreadable = sql.unreadableTime(row);
        if (unreadable !== undefined) throw new Error(unreadable);
        return rowDocument(this.config, row);
      }, skipped) ?? []);
      return { documents, skipped };
    }
    const keys = unique.filter((key) => parseDocKey(this.config, key, columns) !== undefined);
    if (keys.length === 0) return { documents: [] };
    const groups = [...new Set(keys.map((key) => parseDocKey(this.config, key, columns)!))];
    const params = [sql.bindList(groups), sql.bindList(keys)];
    // One snapshot for messages and versions, so a document's text and version always agree.
    const { messages, versions } = await this.database.snapshot(async (query) => ({
      messages: await query(sql.docMessages(), params),
      versions: await query(sql.docVersions(), params),
    }));
    const versionOf = new Map(versions.map((row) => [String(row[A.doc]), row]));
    const byDoc = new Map<string, Row[]>();
    for (const row of messages) {
      const key = String(row[A.doc]);
      const list = byDoc.get(key);
      if (list) list.push(row);
      else byDoc.set(key, [row]);
    }
    const documents: SourceDocument[] = [];
    for (const [key, turns] of byDoc) {
      const version = versionOf.get(key);
      const doc = version ? this.built(key, () => conversationDocument(this.config, key, turns, version, turnWarning(sql, turns)), skipped) : undefined;
      if (doc) documents.push(doc);
    }
    return { documents, skipped };
  }

  // ───────────────────────────── list ─────────────────────────────

  /** Every live document with its version (reconcile diffs this against the ledger). */
  async *list(): AsyncIterable<ListedDocument> {
    const { sql } = await this.validated();
    const batch = this.options.listBatch ?? 10_000;
    const query = (text: string, params: readonly unknown[]): Promise<Row[]> => this.database.query(text, params);
    let after: string | undefined;
    if (!this.conversation) {
      for (;;) {
        const rows = await query(sql.rowList(after !== undefined), after !== undefined ? [after, batch] : [batch]);
        for (const row of rows) yield { id: String(row[A.id]), version: String(row[A.ts]) };
        if (rows.length < batch) return;
        after = String(rows.at(-1)![A.id]);
      }
    }
    // Whole groups at a time: a group's windows must not straddle two batches.
    for (;;) {
      const rows = await query(sql.docList({ after: after !== undefined }), after !== undefined ? [after, batch] : [batch]);
      if (rows.length < batch) {
        for (const row of rows) yield { id: String(row[A.doc]), version: conversationVersion(row) };
        return;
      }
      const lastGroup = String(rows.at(-1)![A.group]);
      for (const row of rows) if (String(row[A.group]) !== lastGroup) yield { id: String(row[A.doc]), version: conversationVersion(row) };
      const whole = await query(sql.docList({ after: false, onlyGroup: true }), [lastGroup]);
      for (const row of whole) yield { id: String(row[A.doc]), version: conversationVersion(row) };
      after = lastGroup;
    }
  }

  /** Forgets the checked plan and closes the database (the runtime's sources live as long as the process; tests close them). */
  async close(): Promise<void> {
    this.plan = undefined;
    await this.database.close();
  }

  // ───────────────────────────── internals ─────────────────────────────

  /**
   * One document built from its rows, or (with the reason in `skipped`) none: a value one row
   * holds must not fail every other document of the page.
   */
  private built(id: string, build: () => SourceDocument, skipped: DocumentIssue[]): SourceDocument | undefined {
    try {
      return build();
    } catch (error) {
      this.options.log?.warn('row skipped: it cannot be turned into a document', { sourceId: this.sourceId, id, error: errorMessage(error) });
      skipped.push({ id, reason: `row cannot be turned into a document: ${errorMessage(error)}` });
      return undefined;
    }
  }

  /** Versions of conversation documents by key; documents without a live message are absent. */
  private async versionsOf(keys: readonly string[]): Promise<Map<string, string>> {
    if (keys.length === 0) return new Map();
    const { sql, columns } = await this.validated();
    const groups = [...new Set(keys.map((key) => parseDocKey(this.config, key, columns)).filter((g) => g !== undefined))];
    const rows = await this.database.query(sql.docVersions(), [sql.bindList(groups), sql.bindList(keys)]);
    return new Map(rows.map((row) => [String(row[A.doc]), conversationVersion(row)]));
  }

  /**
   * Checks once that the relation and every configured column exist, so a typo fails with the
   * key to fix instead of an SQL error on every run. A failed check is not cached.
   */
  protected validated(): Promise<SqlTablePlan> {
    if (!this.plan) {
      const check = this.database.prepare();
      this.plan = check;
      check.catch(() => {
        if (this.plan === check) this.plan = undefined;
      });
    }
    return this.plan;
  }
}

/** A conversation's messages whose updatedAt the engine cannot read: indexed, with a warning (their edits go unseen). */
function turnWarning(sql: TableSql, turns: readonly Row[]): string | undefined {
  const issues: string[] = [];
  for (const turn of turns) {
    const unreadable = sql.unreadableTime(turn);
    if (unreadable !== undefined) issues.push(`message ${String(turn[A.id])}: ${unreadable}`);
  }
  if (issues.length === 0) return undefined;
  const more = issues.length > 3 ? ` (and ${issues.length - 3} more)` : '';
  return `${issues.slice(0, 3).join('; ')}${more}; an edit of such a message is indexed only once its conversation changes otherwise`;
}
