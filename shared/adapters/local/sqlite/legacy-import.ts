import {
  toIdempotencyRecord, toLedgerEntry, toRunRecord, toSourceState, toStashedDocument,
} from '../../aws/dynamodb-items.ts';
import { immediate, sql, toJson, type Db } from './database.ts';

/** What one import wrote, by kind of item. */
export interface ImportCounts {
  sources: number;
  documents: number;
  runs: number;
  embeddings: number;
  stashed: number;
  idempotency: number;
  skipped: number;
}

export const emptyCounts = (): ImportCounts => ({ sources: 0, documents: 0, runs: 0, embeddings: 0, stashed: 0, idempotency: 0, skipped: 0 });

/**
 * Writes items of the previous local layout's DynamoDB table (pk/sk items, as the DynamoDB
 * adapter stores them) into the SQLite tables, in one transaction. Leases are not carried
 * over: the processes that held them are gone. Importing the same items again overwrites
 * them, so an import cut short can simply run again.
 */
export function importDynamoDbItems(db: Db, items: ReadonlyArray<Record<string, unknown>>, counts: ImportCounts): void {
  immediate(db, () => {
    for (const item of items) importItem(db, item, counts);
  });
}

function importItem(db: Db, item: Record<string, unknown>, counts: ImportCounts): void {
  const pk = String(item['pk'] ?? '');
  const sk = String(item['sk'] ?? '');
  if (pk.startsWith('EMB#')) {
    // `EMB#<model>#<dims>`, or a shard of it (`…#<hex digit>`). A shard digit 0-9 also reads as
    // a size (`EMB#m#384#3`): the reading whose size matches the stored vector is the one.
    const bytes = item['v'];
    const readings = [/^EMB#(.+)#(\d+)#[0-9a-f]$/.exec(pk), /^EMB#(.+)#(\d+)$/.exec(pk)];
    const key = readings.find((k) => k !== null && bytes instanceof Uint8Array && bytes.byteLength === Number(k[2]) * 4);
    if (!key || !(bytes instanceof Uint8Array)) {
      counts.skipped += 1;
      return;
    }
    const model = key[1]!;
    const dimensions = Number(key[2]);
    sql(db, 'INSERT OR REPLACE INTO embeddings (model, dimensions, hash, vector) VALUES (?, ?, ?, ?)').run(model, dimensions, sk, Buffer.from(bytes));
    counts.embeddings += 1;
    return;
  }
  if (!pk.startsWith('SRC#')) {
    counts.skipped += 1;
    return;
  }
  const sourceId = pk.slice(4);
  if (sk === 'STATE') {
    const s = toSourceState(sourceId, item);
    sql(db, `INSERT OR REPLACE INTO sources (source_id, epoch, lease_owner, lease_until, rerun_requested, watermark, feed, pass,
      last_success_at, last_failure_at, last_error, consecutive_failures, breaker) VALUES (?, ?, NULL, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
      .run(sourceId, s.epoch, s.rerunRequested ? 1 : 0, s.watermark ?? null, toJson(s.feed), toJson(s.pass), s.lastSuccessAt ?? null,
        s.lastFailureAt ?? null, s.lastError ?? null, s.consecutiveFailures, toJson(s.breaker));
    counts.sources += 1;
  } else if (sk.startsWith('DOC#')) {
    const e = toLedgerEntry(sourceId, item);
    sql(db, `INSERT OR REPLACE INTO documents (source_id, doc_id, rev, version, content_hash, chunk_hashes, chunker, deleted,
      pending_rev, pending_version, claim, title, decor, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
      .run(sourceId, e.docId, e.rev ?? null, e.version ?? null, e.contentHash ?? null, toJson(e.chunkHashes), e.chunker ?? null,
        e.deleted === true ? 1 : 0, e.pending?.rev ?? null, e.pending?.version ?? null, e.claim ?? null, e.title ?? null,
        e.decor ?? null, e.updatedAt ?? null);
    counts.documents += 1;
  } else if (sk.startsWith('RUN#')) {
    const run = toRunRecord(item);
    sql(db, 'INSERT OR REPLACE INTO runs (source_id, run_id, started_at, record) VALUES (?, ?, ?, ?)')
      .run(sourceId, run.runId, typeof run.startedAt === 'string' ? run.startedAt : null, JSON.stringify(run));
    counts.runs += 1;
  } else if (sk.startsWith('PUSH#')) {
    const d = toStashedDocument(sourceId, item);
    const expiresAt = typeof item['expiresAt'] === 'number' ? item['expiresAt'] : null;
    sql(db, `INSERT OR REPLACE INTO stash (source_id, doc_id, version, deleted, text, title, url, format, metadata, content_hash,
      updated_at, stamp, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
      .run(sourceId, d.docId, d.version ?? null, d.deleted ? 1 : 0, d.text ?? null, d.title ?? null, d.url ?? null, d.format ?? null,
        toJson(d.metadata), d.contentHash ?? null, d.updatedAt, d.stamp, expiresAt);
    counts.stashed += 1;
  } else if (sk.startsWith('IDEM#')) {
    const r = toIdempotencyRecord(item);
    sql(db, `INSERT OR REPLACE INTO idempotency (scope, key, request_hash, status, locked_until, response, expires_at)
      VALUES (?, ?, ?, ?, ?, ?, ?)`)
      .run(sourceId, r.key, r.requestHash, r.status, r.lockedUntil ?? null, toJson(r.response), r.expiresAt);
    counts.idempotency += 1;
  } else {
    counts.skipped += 1;
  }
}
