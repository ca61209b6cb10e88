/**
 * Postgres connector: a table, view or SELECT as a Tributary source — one document per row, or
 * one per conversation (messages grouped by a column, optionally split into time windows).
 *
 * Change detection rests on one assumption, stated in the docs: the database sets
 * `updatedAtColumn` on every insert and update (a trigger). A pass reads the rows changed in
 * its window `[since, snapshotAt)` with keyset pagination, so rows sharing a timestamp are never
 * skipped at a page boundary, a row edited during a pass moves past `snapshotAt` and is read by
 * the next pass, and a row committed late (a long transaction) is inside the next window's
 * lookback. Hard deletes are found by reconcile (`list`); soft deletes by `deletedColumn`.
 */
import { errorMessage } from '../../core/errors.ts';
import type {
  Cursor,
  DocumentIssue,
  DocumentRef,
  FetchResult,
  Hints,
  ListedDocument,
  PullPage,
  PullWindow,
  SourceConnector,
  SourceDocument,
} from '../../ports/index.ts';
import { checkColumns, type Columns } from './columns.ts';
import type { PostgresSourceConfig } from './config.ts';
import { conversationDocument, parseDocKey, rowDocument } from './documents.ts';
import { listen, type ListenOptions } from './listen.ts';
import { parseCursor, type PageCursor } from './page-cursor.ts';
import { PostgresPool, type PostgresPoolOptions } from './pool.ts';
import { A, PostgresSql, conversationVersion } from './sql.ts';

export type PostgresConnectorConfig = Omit<PostgresSourceConfig, 'schedule' | 'webhook' | 'lookbackSeconds' | 'maxDeleteShare'
  | 'deleteGuardMin' | 'freshnessSloMinutes' | 'chunking' | 'kind' | 'connectionStringEnv' | 'watch'>;

export interface PostgresConnectorOptions extends PostgresPoolOptions, ListenOptions {
  readonly config: PostgresConnectorConfig;
  /** Ids per listing query. @default 10,000 */
  readonly listBatch?: number;
}

/**
 * A Postgres table, view or query as a {@link SourceConnector}.
 *
 * One `pg` pool per source (`poolMax` connections, sessions in UTC with a statement timeout);
 * `watch` holds one more connection for LISTEN.
 */
export class PostgresConnector implements SourceConnector {
  readonly sourceId: string;
  private readonly config: PostgresConnectorConfig;
  private readonly sql: PostgresSql;
  private readonly options: PostgresConnectorOptions;
  private readonly pool: PostgresPool;
  private columns: Promise<Columns> | undefined;
  private readonly conversation: boolean;
  /** Present when `listen` is configured: the runtime watches only sources that can be watched. */
  readonly watch?: (onHints: (hints: Hints) => void) => Promise<() => Promise<void>>;

  constructor(sourceId: string, options: PostgresConnectorOptions) {
    this.sourceId = sourceId;
    this.options = options;
    this.config = options.config;
    this.sql = new PostgresSql(options.config);
    this.pool = new PostgresPool(sourceId, options);
    this.conversation = options.config.mode === 'conversation';
    const channel = options.config.listen?.channel;
    if (channel !== undefined) {
      const windowed = this.conversation && this.config.conversation?.timeWindow !== undefined;
      this.watch = async (onHints) => {
        await this.validated();
        return listen({ sourceId, channel, windowed, pool: this.pool }, options, onHints);
      };
    }
  }

  // ───────────────────────────── pull ─────────────────────────────

  /** One page of the documents changed in `[since, snapshotAt)` after `cursor`. */
  async pull(cursor: Cursor | undefined, window: PullWindow): Promise<PullPage> {
    await this.validated();
    const after = parseCursor(cursor, this.sourceId);
    const params: unknown[] = [window.snapshotAt];
    if (window.since !== undefined) params.push(window.since);
    if (after) params.push(after.ts, after.key);
    params.push(this.config.pageSize);
    const flags = { since: window.since !== undefined, after: after !== undefined };

    if (!this.conversation) {
      const { rows } = await this.pool.query(this.sql.rowPage(flags), params);
      const changed: DocumentRef[] = [];
      const deleted: string[] = [];
      const skipped: DocumentIssue[] = [];
      for (const row of rows) {
        if (row[A.deleted] === true) deleted.push(String(row[A.id]));
        else {
          const document = this.built(String(row[A.id]), () => rowDocument(this.config, row), skipped);
          if (document) changed.push({ id: document.id, version: document.version, document });
        }
      }
      const last = rows.at(-1);
      return {
        changed, deleted, ...(skipped.length > 0 ? { skipped } : {}),
        next: last ? { ts: String(last[A.ts]), key: String(last[A.id]) } satisfies PageCursor : cursor ?? {},
        done: rows.length < this.config.pageSize,
      };
    }

    const { rows } = await this.pool.query(this.sql.changedDocsPage(flags), params);
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
      next: last ? { ts: String(last[A.ts]), key: String(last[A.doc]) } satisfies PageCursor : cursor ?? {},
      done: rows.length < this.config.pageSize,
    };
  }

  // ───────────────────────────── fetch ─────────────────────────────

  /**
   * The named documents as they are now; unknown, malformed and deleted ids are absent, and a
   * row that cannot be turned into a document is skipped with the reason.
   */
  async fetch(ids: readonly string[]): Promise<FetchResult> {
    const columns = await this.validated();
    const unique = [...new Set(ids)];
    const skipped: DocumentIssue[] = [];
    if (!this.conversation) {
      const valid = unique.filter(columns.idValid);
      if (valid.length === 0) return { documents: [] };
      const { rows } = await this.pool.query(this.sql.rowsById(), [valid]);
      const documents = rows.flatMap((row) => this.built(String(row[A.id]), () => rowDocument(this.config, row), skipped) ?? []);
      return { documents, skipped };
    }
    const keys = unique.filter((key) => parseDocKey(this.config, key, columns) !== undefined);
    if (keys.length === 0) return { documents: [] };
    const groups = [...new Set(keys.map((key) => parseDocKey(this.config, key, columns)!))];
    // One snapshot for messages and versions, so a document's text and version always agree.
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const messages = await client.query<Record<string, unknown>>(this.sql.docMessages(), [groups, keys]);
      const versions = await client.query<Record<string, unknown>>(this.sql.docVersions(), [groups, keys]);
      await client.query('COMMIT');
      const versionOf = new Map(versions.rows.map((row) => [String(row[A.doc]), row]));
      const byDoc = new Map<string, Array<Record<string, unknown>>>();
      for (const row of messages.rows) {
        const key = String(row[A.doc]);
        const list = byDoc.get(key);
        if (list) list.push(row);
        else byDoc.set(key, [row]);
      }
      const documents: SourceDocument[] = [];
      for (const [key, turns] of byDoc) {
        const version = versionOf.get(key);
        const doc = version ? this.built(key, () => conversationDocument(this.config, key, turns, version), skipped) : undefined;
        if (doc) documents.push(doc);
      }
      return { documents, skipped };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw this.pool.mapError(error);
    } finally {
      client.release();
    }
  }

  // ───────────────────────────── list ─────────────────────────────

  /** Every live document with its version (reconcile diffs this against the ledger). */
  async *list(): AsyncIterable<ListedDocument> {
    await this.validated();
    const batch = this.options.listBatch ?? 10_000;
    let after: string | undefined;
    if (!this.conversation) {
      for (;;) {
        const { rows } = await this.pool.query(this.sql.rowList(after !== undefined), after !== undefined ? [after, batch] : [batch]);
        for (const row of rows) yield { id: String(row[A.id]), version: String(row[A.ts]) };
        if (rows.length < batch) return;
        after = String(rows.at(-1)![A.id]);
      }
    }
    // Whole groups at a time: a group's windows must not straddle two batches.
    for (;;) {
      const { rows } = await this.pool.query(this.sql.docList({ after: after !== undefined }), after !== undefined ? [after, batch] : [batch]);
      if (rows.length < batch) {
        for (const row of rows) yield { id: String(row[A.doc]), version: conversationVersion(row) };
        return;
      }
      const lastGroup = String(rows.at(-1)![A.group]);
      for (const row of rows) if (String(row[A.group]) !== lastGroup) yield { id: String(row[A.doc]), version: conversationVersion(row) };
      const whole = await this.pool.query(this.sql.docList({ after: false, onlyGroup: true }), [lastGroup]);
      for (const row of whole.rows) yield { id: String(row[A.doc]), version: conversationVersion(row) };
      after = lastGroup;
    }
  }

  /** Ends the pool (the runtime's sources live as long as the process; tests close them). */
  async close(): Promise<void> {
    this.columns = undefined;
    await this.pool.close();
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
    const columns = await this.validated();
    const groups = [...new Set(keys.map((key) => parseDocKey(this.config, key, columns)).filter((g) => g !== undefined))];
    const { rows } = await this.pool.query(this.sql.docVersions(), [groups, keys]);
    return new Map(rows.map((row) => [String(row[A.doc]), conversationVersion(row)]));
  }

  /**
   * Checks once that the relation and every configured column exist, so a typo fails with the
   * key to fix instead of an SQL error on every run. A failed check is not cached.
   */
  private validated(): Promise<Columns> {
    if (!this.columns) {
      const check = checkColumns(this.sourceId, this.config, this.sql, this.pool);
      this.columns = check;
      check.catch(() => {
        if (this.columns === check) this.columns = undefined;
      });
    }
    return this.columns;
  }
}
