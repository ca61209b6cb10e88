import { randomUUID } from 'node:crypto';
import type { IdempotencyRecord, StashedDocument, StashPage, StoredResponse } from '../../../ports/index.ts';
import { defined, fromJson, immediate, sql, toJson, type Db } from './database.ts';

interface StashRow {
  source_id: string;
  doc_id: string;
  version: string | null;
  deleted: number;
  text?: string | null;
  title?: string | null;
  url?: string | null;
  format?: string | null;
  metadata?: string | null;
  content_hash: string | null;
  updated_at: string;
  stamp: string;
  expires_at?: number | null;
}

interface IdempotencyRow {
  scope: string;
  key: string;
  request_hash: string;
  status: string;
  locked_until: number | null;
  response: string | null;
  expires_at: number;
}

/** Columns a slim listing reads: no text, title, url, format or metadata. */
const SLIM_COLUMNS = 'source_id, doc_id, version, deleted, content_hash, updated_at, stamp';

/**
 * The push API's state: stashed documents (and tombstones) and idempotency records. Each
 * write is conditional on what the caller read (the stamp, the record's status), as on DynamoDB.
 */
export class SqlitePushStash {
  constructor(private readonly db: Db) {}

  getStashed(sourceId: string, docIds: readonly string[]): Map<string, StashedDocument> {
    const rows = sql(this.db, 'SELECT * FROM stash WHERE source_id = ? AND doc_id IN (SELECT value FROM json_each(?))')
      .all(sourceId, JSON.stringify([...new Set(docIds)])) as StashRow[];
    return new Map(rows.map((row) => [row.doc_id, toStashedDocument(row)]));
  }

  putStashed(input: { document: Omit<StashedDocument, 'stamp'>; expectStamp: string | undefined; expiresAt?: number }): string | undefined {
    const d = input.document;
    const row: StashRow = {
      source_id: d.sourceId, doc_id: d.docId, version: d.version ?? null, deleted: d.deleted ? 1 : 0, text: d.text ?? null,
      title: d.title ?? null, url: d.url ?? null, format: d.format ?? null, metadata: toJson(d.metadata),
      content_hash: d.contentHash ?? null, updated_at: d.updatedAt, stamp: randomUUID(), expires_at: input.expiresAt ?? null,
    };
    const { changes } = input.expectStamp === undefined
      ? sql(this.db, `INSERT INTO stash (source_id, doc_id, version, deleted, text, title, url, format, metadata, content_hash, updated_at, stamp, expires_at)
          VALUES (@source_id, @doc_id, @version, @deleted, @text, @title, @url, @format, @metadata, @content_hash, @updated_at, @stamp, @expires_at)
          ON CONFLICT (source_id, doc_id) DO NOTHING`).run(row)
      : sql(this.db, `UPDATE stash SET version = @version, deleted = @deleted, text = @text, title = @title, url = @url, format = @format,
          metadata = @metadata, content_hash = @content_hash, updated_at = @updated_at, stamp = @stamp, expires_at = @expires_at
          WHERE source_id = @source_id AND doc_id = @doc_id AND stamp = @expect`).run({ ...row, expect: input.expectStamp });
    return changes > 0 ? row.stamp : undefined;
  }

  listStashed(sourceId: string, options: {
    after?: string; limit: number; changedSince?: string; includeDeleted?: boolean; slim?: boolean;
  }): StashPage {
    const where = ['source_id = @sourceId'];
    if (options.after !== undefined) where.push('doc_id > @after');
    if (options.includeDeleted !== true) where.push('deleted = 0');
    if (options.changedSince !== undefined) where.push('updated_at >= @since');
    const rows = sql(this.db, `SELECT ${options.slim === true ? SLIM_COLUMNS : '*'} FROM stash WHERE ${where.join(' AND ')} ORDER BY doc_id LIMIT @limit`)
      .all({ sourceId, after: options.after ?? null, since: options.changedSince ?? null, limit: options.limit }) as StashRow[];
    const items = rows.map(toStashedDocument);
    const last = items[items.length - 1];
    return items.length === options.limit && last ? { items, next: last.docId } : { items };
  }

  beginIdempotent(input: {
    scope: string; key: string; requestHash: string; now: number; lockMs: number; retainMs: number;
  }): { started: true } | { started: false; record: IdempotencyRecord } {
    return immediate(this.db, () => {
      const row = sql(this.db, 'SELECT * FROM idempotency WHERE scope = ? AND key = ?').get(input.scope, input.key) as IdempotencyRow | undefined;
      // Free, forgotten, or started by a request that never finished.
      const free = row === undefined || row.expires_at < Math.floor(input.now / 1000)
        || (row.status === 'in_progress' && row.locked_until !== null && row.locked_until < input.now);
      if (!free) return { started: false as const, record: toIdempotencyRecord(row) };
      sql(this.db, `INSERT OR REPLACE INTO idempotency (scope, key, request_hash, status, locked_until, response, expires_at)
        VALUES (?, ?, ?, 'in_progress', ?, NULL, ?)`)
        .run(input.scope, input.key, input.requestHash, input.now + input.lockMs, Math.ceil((input.now + input.retainMs) / 1000));
      return { started: true as const };
    });
  }

  completeIdempotent(input: { scope: string; key: string; requestHash: string; response: StoredResponse; now: number; retainMs: number }): void {
    // A request that lost its lapsed lock to a retry does not overwrite the retry's record.
    sql(this.db, `UPDATE idempotency SET status = 'complete', response = ?, expires_at = ?, locked_until = NULL
      WHERE scope = ? AND key = ? AND request_hash = ? AND status = 'in_progress'`)
      .run(JSON.stringify({ statusCode: input.response.statusCode, body: input.response.body }),
        Math.ceil((input.now + input.retainMs) / 1000), input.scope, input.key, input.requestHash);
  }

  releaseIdempotent(input: { scope: string; key: string; requestHash: string }): void {
    sql(this.db, "DELETE FROM idempotency WHERE scope = ? AND key = ? AND request_hash = ? AND status = 'in_progress'")
      .run(input.scope, input.key, input.requestHash);
  }

  purgeExpired(now: number): void {
    const nowSec = Math.floor(now / 1000);
    sql(this.db, 'DELETE FROM idempotency WHERE expires_at < ?').run(nowSec);
    sql(this.db, 'DELETE FROM stash WHERE expires_at IS NOT NULL AND expires_at < ?').run(nowSec);
  }
}

function toStashedDocument(row: StashRow): StashedDocument {
  const format = row.format;
  return {
    ...defined<Omit<StashedDocument, 'sourceId' | 'docId' | 'deleted' | 'updatedAt' | 'stamp'>>({
      version: row.version,
      text: row.text,
      title: row.title,
      url: row.url,
      format: format === 'markdown' || format === 'text' ? format : undefined,
      metadata: fromJson<StashedDocument['metadata']>(row.metadata),
      contentHash: row.content_hash,
    }),
    sourceId: row.source_id,
    docId: row.doc_id,
    deleted: row.deleted === 1,
    updatedAt: row.updated_at,
    stamp: row.stamp,
  };
}

function toIdempotencyRecord(row: IdempotencyRow): IdempotencyRecord {
  const response = fromJson<{ statusCode?: unknown; body?: unknown }>(row.response);
  return defined<IdempotencyRecord>({
    key: row.key,
    requestHash: row.request_hash,
    status: row.status === 'complete' ? 'complete' : 'in_progress',
    lockedUntil: row.locked_until,
    response: response && typeof response.statusCode === 'number' && typeof response.body === 'string'
      ? { statusCode: response.statusCode, body: response.body } : undefined,
    expiresAt: row.expires_at,
  });
}
