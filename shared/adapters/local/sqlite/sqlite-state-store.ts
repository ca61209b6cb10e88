import { LeaseLostError } from '../../../core/errors.ts';
import type {
  BreakerState,
  ClaimResult,
  Cursor,
  DocumentCommit,
  DocumentIssue,
  IdempotencyRecord,
  LeaseResult,
  LedgerEntry,
  PassState,
  PendingMarker,
  PushStateStore,
  RunCounters,
  RunRecord,
  SourceState,
  StashedDocument,
  StashPage,
  StateStore,
  StoredResponse,
} from '../../../ports/index.ts';
import { defined, fromJson, immediate, sql, toJson, type Db } from './database.ts';
import { SqliteEmbeddingCache } from './sqlite-embedding-cache.ts';
import { SqlitePushStash } from './sqlite-push-stash.ts';
import { SqliteRunLog } from './sqlite-run-log.ts';

/** Ledger entries read per query when listing a source (a listing never holds a read open across awaits). */
const LIST_PAGE = 1000;

interface SourceRow {
  source_id: string;
  epoch: number;
  lease_owner: string | null;
  lease_until: number | null;
  rerun_requested: number;
  watermark: string | null;
  feed: string | null;
  pass: string | null;
  last_success_at: string | null;
  last_failure_at: string | null;
  last_error: string | null;
  consecutive_failures: number;
  breaker: string | null;
}

interface DocumentRow {
  source_id: string;
  doc_id: string;
  rev: string | null;
  version: string | null;
  content_hash: string | null;
  chunk_hashes: string | null;
  chunker: string | null;
  deleted: number;
  pending_rev: string | null;
  pending_version: string | null;
  claim: string | null;
  title: string | null;
  decor: string | null;
  updated_at: string | null;
}

export interface SqliteStateStoreOptions {
  /** Run records older than this are removed when a source records a new run. @default 30 */
  readonly runRetentionDays?: number;
  /**
   * Bytes of embedding vectors kept in memory in front of the embedding cache table (0: none).
   * @default 64 MiB
   */
  readonly embeddingMemoryBytes?: number;
}

/**
 * StateStore and PushStateStore on the local SQLite database. Every conditional write of the
 * DynamoDB adapter is one SQL statement with the same condition, or one immediate transaction
 * (read, check, write) when the caller needs the previous item: atomic across every process
 * that opens the file. The StateStore contract suite holds both adapters to the same behaviour.
 */
export class SqliteStateStore implements StateStore, PushStateStore {
  private readonly runs: SqliteRunLog;
  private readonly embeddings: SqliteEmbeddingCache;
  private readonly push: SqlitePushStash;

  constructor(private readonly db: Db, options: SqliteStateStoreOptions = {}) {
    this.runs = new SqliteRunLog(db, options.runRetentionDays ?? 30);
    this.embeddings = new SqliteEmbeddingCache(db, options.embeddingMemoryBytes ?? 64 * 1024 * 1024);
    this.push = new SqlitePushStash(db);
  }

  /** Forgets what has expired (idempotency keys, tombstones past their TTL), as DynamoDB TTL would. */
  purgeExpired(now: number): void {
    this.push.purgeExpired(now);
  }

  // ───────────── sources, leases, cursors ─────────────

  async getSource(sourceId: string): Promise<SourceState | undefined> {
    const row = this.sourceRow(sourceId);
    return row ? toSourceState(row) : undefined;
  }

  async getSources(sourceIds: readonly string[]): Promise<Map<string, SourceState>> {
    const rows = sql(this.db, 'SELECT * FROM sources WHERE source_id IN (SELECT value FROM json_each(?))')
      .all(JSON.stringify([...new Set(sourceIds)])) as SourceRow[];
    return new Map(rows.map((row) => [row.source_id, toSourceState(row)]));
  }

  async acquireLease(input: { sourceId: string; owner: string; now: number; ttlMs: number; deadOwner?: string }): Promise<LeaseResult> {
    return immediate(this.db, () => {
      const row = this.sourceRow(input.sourceId);
      const free = row === undefined || row.lease_owner === null || (row.lease_until !== null && row.lease_until < input.now)
        || row.lease_owner === input.owner || (input.deadOwner !== undefined && row.lease_owner === input.deadOwner);
      if (free) {
        // rerun_requested stays: only the run that reports it (finishRun) clears it.
        sql(this.db, `INSERT INTO sources (source_id, epoch, lease_owner, lease_until) VALUES (?, 1, ?, ?)
          ON CONFLICT (source_id) DO UPDATE SET epoch = epoch + 1, lease_owner = excluded.lease_owner, lease_until = excluded.lease_until`)
          .run(input.sourceId, input.owner, input.now + input.ttlMs);
        const state = toSourceState(this.sourceRow(input.sourceId) as SourceRow);
        return { acquired: true as const, epoch: state.epoch, state };
      }
      // Held by a live run: ask it to run again so this wake-up is not lost.
      sql(this.db, 'UPDATE sources SET rerun_requested = 1 WHERE source_id = ?').run(input.sourceId);
      return { acquired: false as const, state: toSourceState(this.sourceRow(input.sourceId) as SourceRow) };
    });
  }

  async saveProgress(input: { sourceId: string; owner: string; epoch: number; now: number; ttlMs: number; pass: PassState }): Promise<void> {
    const { changes } = sql(this.db, 'UPDATE sources SET pass = ?, lease_until = ? WHERE source_id = ? AND lease_owner = ? AND epoch = ?')
      .run(JSON.stringify(input.pass), input.now + input.ttlMs, input.sourceId, input.owner, input.epoch);
    if (changes === 0) throw new LeaseLostError(input.sourceId, input.epoch);
  }

  async finishRun(input: {
    sourceId: string; owner: string; epoch: number; now: number;
    outcome: { ok: true; watermark?: string; feed?: Cursor; keepPass?: PassState } | { ok: false; error: string; keepPass?: PassState };
    breaker?: BreakerState | null;
    keepRerunRequested?: boolean;
  }): Promise<{ rerunRequested: boolean }> {
    return immediate(this.db, () => {
      const row = this.sourceRow(input.sourceId);
      if (!row || row.lease_owner !== input.owner || row.epoch !== input.epoch) throw new LeaseLostError(input.sourceId, input.epoch);
      const at = new Date(input.now).toISOString();
      const next: SourceRow = {
        ...row,
        lease_owner: null, lease_until: null,
        rerun_requested: input.keepRerunRequested === true ? row.rerun_requested : 0,
        pass: toJson(input.outcome.keepPass),
        breaker: input.breaker === null ? null : input.breaker === undefined ? row.breaker : JSON.stringify(input.breaker),
      };
      if (input.outcome.ok) {
        Object.assign(next, { last_success_at: at, consecutive_failures: 0, last_error: null });
        // A completed pass replaces the feed position; one that ended without a cursor clears it.
        if (input.outcome.watermark !== undefined) Object.assign(next, { watermark: input.outcome.watermark, feed: toJson(input.outcome.feed) });
      } else {
        Object.assign(next, { last_failure_at: at, last_error: input.outcome.error.slice(0, 2000), consecutive_failures: row.consecutive_failures + 1 });
      }
      sql(this.db, `UPDATE sources SET lease_owner = @lease_owner, lease_until = @lease_until, rerun_requested = @rerun_requested,
        watermark = @watermark, feed = @feed, pass = @pass, last_success_at = @last_success_at, last_failure_at = @last_failure_at,
        last_error = @last_error, consecutive_failures = @consecutive_failures, breaker = @breaker WHERE source_id = @source_id`).run(next);
      return { rerunRequested: row.rerun_requested === 1 };
    });
  }

  async resetSource(sourceId: string): Promise<void> {
    immediate(this.db, () => {
      sql(this.db, 'DELETE FROM documents WHERE source_id = ?').run(sourceId);
      // Keep the epoch: it fences cursor writes and orders task revisions, so it must never repeat.
      sql(this.db, `INSERT INTO sources (source_id) VALUES (?) ON CONFLICT (source_id) DO UPDATE SET rerun_requested = 0,
        consecutive_failures = 0, watermark = NULL, feed = NULL, pass = NULL, breaker = NULL, lease_owner = NULL,
        lease_until = NULL, last_success_at = NULL, last_failure_at = NULL, last_error = NULL`).run(sourceId);
    });
  }

  // ───────────── document ledger ─────────────

  async getDocuments(sourceId: string, docIds: readonly string[]): Promise<Map<string, LedgerEntry>> {
    const rows = sql(this.db, 'SELECT * FROM documents WHERE source_id = ? AND doc_id IN (SELECT value FROM json_each(?))')
      .all(sourceId, JSON.stringify([...new Set(docIds)])) as DocumentRow[];
    return new Map(rows.map((row) => [row.doc_id, toLedgerEntry(row)]));
  }

  /** Whether the ledger holds any entry of the source. */
  hasLedger(sourceId: string): boolean {
    return sql(this.db, 'SELECT 1 FROM documents WHERE source_id = ? LIMIT 1').get(sourceId) !== undefined;
  }

  async *listDocuments(sourceId: string): AsyncIterable<LedgerEntry> {
    let after: string | undefined;
    for (;;) {
      const rows = (after === undefined
        ? sql(this.db, 'SELECT * FROM documents WHERE source_id = ? ORDER BY doc_id LIMIT ?').all(sourceId, LIST_PAGE)
        : sql(this.db, 'SELECT * FROM documents WHERE source_id = ? AND doc_id > ? ORDER BY doc_id LIMIT ?').all(sourceId, after, LIST_PAGE)) as DocumentRow[];
      for (const row of rows) yield toLedgerEntry(row);
      if (rows.length < LIST_PAGE) return;
      after = rows[rows.length - 1]?.doc_id;
    }
  }

  async markPending(sourceId: string, marks: ReadonlyArray<{ docId: string; pending: PendingMarker }>): Promise<void> {
    if (marks.length === 0) return;
    const mark = sql(this.db, `INSERT INTO documents (source_id, doc_id, pending_rev, pending_version) VALUES (?, ?, ?, ?)
      ON CONFLICT (source_id, doc_id) DO UPDATE SET pending_rev = excluded.pending_rev, pending_version = excluded.pending_version
      WHERE (pending_rev IS NULL OR pending_rev < excluded.pending_rev) AND (rev IS NULL OR rev < excluded.pending_rev)
        AND (claim IS NULL OR claim < excluded.pending_rev)`);
    // Never behind a newer marker, nor behind a commit or a claim of its rev: the marker is
    // written after the send, so the task may have run already.
    immediate(this.db, () => {
      for (const { docId, pending } of marks) mark.run(sourceId, docId, pending.rev, pending.version);
    });
  }

  async releasePending(input: { sourceId: string; docId: string; rev: string }): Promise<void> {
    sql(this.db, 'UPDATE documents SET pending_rev = NULL, pending_version = NULL WHERE source_id = ? AND doc_id = ? AND pending_rev = ?')
      .run(input.sourceId, input.docId, input.rev);
  }

  async touchDocument(input: { sourceId: string; docId: string; expectRev: string; rev: string; version: string }): Promise<boolean> {
    const { changes } = sql(this.db, `UPDATE documents SET version = ?, rev = ? WHERE source_id = ? AND doc_id = ?
      AND rev = ? AND rev < ? AND pending_rev IS NULL AND claim IS NULL AND deleted = 0`)
      .run(input.version, input.rev, input.sourceId, input.docId, input.expectRev, input.rev);
    return changes > 0;
  }

  async claimDocument(input: { sourceId: string; docId: string; rev: string }): Promise<ClaimResult> {
    return immediate(this.db, () => {
      const before = this.documentRow(input.sourceId, input.docId);
      // Older committed rev, and no newer task mid-write (an equal claim is our own retry).
      const { changes } = sql(this.db, `INSERT INTO documents (source_id, doc_id, claim) VALUES (?, ?, ?)
        ON CONFLICT (source_id, doc_id) DO UPDATE SET claim = excluded.claim
        WHERE (rev IS NULL OR rev < excluded.claim) AND (claim IS NULL OR claim <= excluded.claim)`)
        .run(input.sourceId, input.docId, input.rev);
      if (changes > 0) return before ? { ok: true as const, previous: toLedgerEntry(before) } : { ok: true as const };
      return before ? { ok: false as const, current: toLedgerEntry(before) } : { ok: false as const };
    });
  }

  async commitDocument(commit: DocumentCommit): Promise<boolean> {
    return this.commitClaimed({
      source_id: commit.sourceId, doc_id: commit.docId, rev: commit.rev, version: commit.version, content_hash: commit.contentHash,
      chunk_hashes: JSON.stringify(commit.chunkHashes), chunker: commit.chunker, deleted: 0, title: commit.title ?? null,
      decor: commit.decor, updated_at: commit.updatedAt,
    });
  }

  async commitDeletion(input: { sourceId: string; docId: string; rev: string; at: string }): Promise<boolean> {
    return this.commitClaimed({
      source_id: input.sourceId, doc_id: input.docId, rev: input.rev, version: null, content_hash: null, chunk_hashes: null,
      chunker: null, deleted: 1, title: null, decor: null, updated_at: input.at,
    });
  }

  /** Commits a claimed entry; an older or equal pending marker goes too, a newer one stays. */
  private commitClaimed(row: Omit<DocumentRow, 'pending_rev' | 'pending_version' | 'claim'>): boolean {
    const { changes } = sql(this.db, `UPDATE documents SET rev = @rev, version = @version, content_hash = @content_hash,
      chunk_hashes = @chunk_hashes, chunker = @chunker, deleted = @deleted, title = @title, decor = @decor, updated_at = @updated_at,
      claim = NULL,
      pending_version = CASE WHEN pending_rev IS NULL OR pending_rev <= @rev THEN NULL ELSE pending_version END,
      pending_rev = CASE WHEN pending_rev IS NULL OR pending_rev <= @rev THEN NULL ELSE pending_rev END
      WHERE source_id = @source_id AND doc_id = @doc_id AND claim = @rev`).run(row);
    return changes > 0;
  }

  // ───────────── runs, embedding cache, push stash: their own tables ─────────────

  async putRun(run: RunRecord): Promise<void> {
    this.runs.put(run);
  }

  async updateRun(sourceId: string, runId: string, patch: Partial<Omit<RunRecord, 'sourceId' | 'runId'>>): Promise<void> {
    this.runs.update(sourceId, runId, patch);
  }

  async addRunCounters(sourceId: string, runId: string, delta: Partial<RunCounters>): Promise<void> {
    this.runs.addCounters(sourceId, runId, delta);
  }

  async addRunFailures(sourceId: string, runId: string, failures: readonly DocumentIssue[], max: number): Promise<void> {
    this.runs.addFailures(sourceId, runId, failures, max);
  }

  async getRun(sourceId: string, runId: string): Promise<RunRecord | undefined> {
    return this.runs.get(sourceId, runId);
  }

  async listRuns(sourceId: string, limit: number): Promise<RunRecord[]> {
    return this.runs.list(sourceId, limit);
  }

  async getEmbeddings(model: string, dimensions: number, hashes: readonly string[]): Promise<Map<string, Float32Array>> {
    return this.embeddings.get(model, dimensions, hashes);
  }

  async putEmbeddings(model: string, dimensions: number, entries: ReadonlyMap<string, Float32Array>): Promise<void> {
    this.embeddings.put(model, dimensions, entries);
  }

  async getStashed(sourceId: string, docIds: readonly string[]): Promise<Map<string, StashedDocument>> {
    return this.push.getStashed(sourceId, docIds);
  }

  async putStashed(input: { document: Omit<StashedDocument, 'stamp'>; expectStamp: string | undefined; expiresAt?: number }): Promise<string | undefined> {
    return this.push.putStashed(input);
  }

  async listStashed(sourceId: string, options: {
    after?: string; limit: number; changedSince?: string; includeDeleted?: boolean; slim?: boolean;
  }): Promise<StashPage> {
    return this.push.listStashed(sourceId, options);
  }

  async beginIdempotent(input: {
    scope: string; key: string; requestHash: string; now: number; lockMs: number; retainMs: number;
  }): Promise<{ started: true } | { started: false; record: IdempotencyRecord }> {
    return this.push.beginIdempotent(input);
  }

  async completeIdempotent(input: { scope: string; key: string; requestHash: string; response: StoredResponse; now: number; retainMs: number }): Promise<void> {
    this.push.completeIdempotent(input);
  }

  async releaseIdempotent(input: { scope: string; key: string; requestHash: string }): Promise<void> {
    this.push.releaseIdempotent(input);
  }

  // ───────────── rows ─────────────

  private sourceRow(sourceId: string): SourceRow | undefined {
    return sql(this.db, 'SELECT * FROM sources WHERE source_id = ?').get(sourceId) as SourceRow | undefined;
  }

  private documentRow(sourceId: string, docId: string): DocumentRow | undefined {
    return sql(this.db, 'SELECT * FROM documents WHERE source_id = ? AND doc_id = ?').get(sourceId, docId) as DocumentRow | undefined;
  }
}

function toSourceState(row: SourceRow): SourceState {
  return defined<SourceState>({
    sourceId: row.source_id,
    epoch: row.epoch,
    leaseOwner: row.lease_owner,
    leaseUntil: row.lease_until,
    rerunRequested: row.rerun_requested === 1,
    watermark: row.watermark,
    feed: fromJson<Cursor>(row.feed),
    pass: fromJson<PassState>(row.pass),
    lastSuccessAt: row.last_success_at,
    lastFailureAt: row.last_failure_at,
    lastError: row.last_error,
    consecutiveFailures: row.consecutive_failures,
    breaker: fromJson<BreakerState>(row.breaker),
  });
}

/** Field by field (a reconcile maps every entry of a source): only the columns that are set. */
function toLedgerEntry(row: DocumentRow): LedgerEntry {
  const entry: { -readonly [K in keyof LedgerEntry]: LedgerEntry[K] } = { sourceId: row.source_id, docId: row.doc_id };
  if (row.rev !== null) entry.rev = row.rev;
  if (row.version !== null) entry.version = row.version;
  if (row.content_hash !== null) entry.contentHash = row.content_hash;
  if (row.chunk_hashes !== null) entry.chunkHashes = JSON.parse(row.chunk_hashes) as string[];
  if (row.chunker !== null) entry.chunker = row.chunker;
  if (row.deleted === 1) entry.deleted = true;
  if (row.pending_rev !== null) entry.pending = { rev: row.pending_rev, version: row.pending_version ?? '' };
  if (row.claim !== null) entry.claim = row.claim;
  if (row.title !== null) entry.title = row.title;
  if (row.decor !== null) entry.decor = row.decor;
  if (row.updated_at !== null) entry.updatedAt = row.updated_at;
  return entry;
}
