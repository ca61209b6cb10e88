import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { forEachLimited } from '../../core/concurrency.ts';
import { LeaseLostError } from '../../core/errors.ts';
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
} from '../../ports/index.ts';
import { DynamoDbEmbeddingCache } from './dynamodb-embedding-cache.ts';
import { DOC_PREFIX, docSk, emptyState, srcPk, STATE_SK, toLedgerEntry, toSourceState, type Item } from './dynamodb-items.ts';
import { DynamoDbPushStash } from './dynamodb-push-stash.ts';
import { DynamoDbRunLog } from './dynamodb-run-log.ts';
import { DynamoTable } from './dynamodb-table.ts';

export {
  embeddingPartitionKeys, sourcePartitionKey, toIdempotencyRecord, toLedgerEntry, toRunRecord, toSourceState, toStashedDocument,
} from './dynamodb-items.ts';

/** Parallel single-item writes (pending markers). */
const WRITE_CONCURRENCY = 16;

export interface DynamoDbStateStoreOptions {
  client: DynamoDBClient;
  tableName: string;
  /** Run records expire after this many days (DynamoDB TTL on attribute `expiresAt`). @default 30 */
  runRetentionDays?: number;
  /**
   * Bytes of embedding vectors kept in this process in front of the table's embedding cache
   * (least recently used out first; 0 turns it off). Entries are addressed by model,
   * dimensions and chunk hash, so they never change and the copy can never be stale. The
   * fetcher embeds a page's new chunk texts and the embedder writes them as vectors moments
   * later: in one process (local mode, a warm Lambda) the second read costs nothing.
   * @default 32 MiB
   */
  embeddingMemoryBytes?: number;
}

/**
 * StateStore on one DynamoDB table (pk/sk). Every guarantee rests on a single conditional
 * write to a single item — no transactions — so it runs unchanged on dynalite. Sources,
 * leases and the ledger are here; runs, the embedding cache and the push stash have a file
 * of their own on the same table.
 */
export class DynamoDbStateStore implements StateStore, PushStateStore {
  private readonly t: DynamoTable;
  private readonly runs: DynamoDbRunLog;
  private readonly embeddings: DynamoDbEmbeddingCache;
  private readonly push: DynamoDbPushStash;

  constructor(options: DynamoDbStateStoreOptions) {
    this.t = new DynamoTable(options.client, options.tableName);
    this.runs = new DynamoDbRunLog(this.t, options.runRetentionDays ?? 30);
    this.embeddings = new DynamoDbEmbeddingCache(this.t, options.embeddingMemoryBytes ?? 32 * 1024 * 1024);
    this.push = new DynamoDbPushStash(this.t);
  }

  /** The table this store keeps its items in. */
  get tableName(): string {
    return this.t.name;
  }

  /** Creates the table when absent (local mode; on AWS the stack owns it). */
  ensureTable(): Promise<void> {
    return this.t.ensureTable();
  }

  // ───────────── sources, leases, cursors ─────────────

  async getSource(sourceId: string): Promise<SourceState | undefined> {
    const { Item } = await this.t.doc.send(new GetCommand({
      TableName: this.t.name, Key: { pk: srcPk(sourceId), sk: STATE_SK }, ConsistentRead: true,
    }));
    return Item ? toSourceState(sourceId, Item) : undefined;
  }

  async getSources(sourceIds: readonly string[]): Promise<Map<string, SourceState>> {
    // BatchGetItem rejects a request that names one key twice.
    const items = await this.t.batchGet([...new Set(sourceIds)].map((id) => ({ pk: srcPk(id), sk: STATE_SK })));
    const out = new Map<string, SourceState>();
    for (const item of items) {
      const id = String(item['sourceId'] ?? String(item['pk']).slice(4));
      out.set(id, toSourceState(id, item));
    }
    return out;
  }

  async acquireLease(input: { sourceId: string; owner: string; now: number; ttlMs: number; deadOwner?: string }): Promise<LeaseResult> {
    const key = { pk: srcPk(input.sourceId), sk: STATE_SK };
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        const values: Item = {
          ':o': input.owner, ':u': input.now + input.ttlMs, ':now': input.now, ':zero': 0, ':one': 1,
          ':s': input.sourceId,
        };
        let condition = 'attribute_not_exists(leaseOwner) OR leaseUntil < :now OR leaseOwner = :o';
        if (input.deadOwner !== undefined) {
          condition += ' OR leaseOwner = :dead';
          values[':dead'] = input.deadOwner;
        }
        const { Attributes } = await this.t.doc.send(new UpdateCommand({
          TableName: this.t.name,
          Key: key,
          UpdateExpression:
            // rerunRequested stays: only the run that reports it (finishRun) clears it, so a
            // wake-up left by a holder that died is not swallowed by a run that cannot cover it.
            'SET epoch = if_not_exists(epoch, :zero) + :one, leaseOwner = :o, leaseUntil = :u, sourceId = :s',
          ConditionExpression: condition,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }));
        const state = toSourceState(input.sourceId, Attributes ?? {});
        return { acquired: true, epoch: state.epoch, state };
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
      // Held by a live run: ask it to run again so this wake-up is not lost.
      try {
        const { Attributes } = await this.t.doc.send(new UpdateCommand({
          TableName: this.t.name,
          Key: key,
          UpdateExpression: 'SET rerunRequested = :t',
          ConditionExpression: 'attribute_exists(leaseOwner) AND leaseUntil >= :now AND leaseOwner <> :o',
          ExpressionAttributeValues: { ':t': true, ':now': input.now, ':o': input.owner },
          ReturnValues: 'ALL_NEW',
        }));
        return { acquired: false, state: toSourceState(input.sourceId, Attributes ?? {}) };
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        // The holder released between our two writes: try to take it again.
      }
    }
    const state = await this.getSource(input.sourceId);
    return { acquired: false, state: state ?? emptyState(input.sourceId) };
  }

  async saveProgress(input: { sourceId: string; owner: string; epoch: number; now: number; ttlMs: number; pass: PassState }): Promise<void> {
    try {
      await this.t.doc.send(new UpdateCommand({
        TableName: this.t.name,
        Key: { pk: srcPk(input.sourceId), sk: STATE_SK },
        UpdateExpression: 'SET pass = :p, leaseUntil = :u',
        ConditionExpression: 'leaseOwner = :o AND epoch = :e',
        ExpressionAttributeValues: { ':p': input.pass, ':u': input.now + input.ttlMs, ':o': input.owner, ':e': input.epoch },
      }));
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new LeaseLostError(input.sourceId, input.epoch);
      throw error;
    }
  }

  async finishRun(input: {
    sourceId: string; owner: string; epoch: number; now: number;
    outcome: { ok: true; watermark?: string; feed?: Cursor; keepPass?: PassState } | { ok: false; error: string; keepPass?: PassState };
    breaker?: BreakerState | null;
    keepRerunRequested?: boolean;
  }): Promise<{ rerunRequested: boolean }> {
    const set: string[] = input.keepRerunRequested === true ? [] : ['rerunRequested = :f'];
    const remove: string[] = ['leaseOwner', 'leaseUntil'];
    const values: Item = { ':o': input.owner, ':e': input.epoch };
    if (input.keepRerunRequested !== true) values[':f'] = false;
    const at = new Date(input.now).toISOString();
    if (input.outcome.ok) {
      set.push('lastSuccessAt = :at', 'consecutiveFailures = :zero');
      values[':at'] = at;
      values[':zero'] = 0;
      remove.push('lastError');
      if (input.outcome.watermark !== undefined) {
        set.push('watermark = :w');
        values[':w'] = input.outcome.watermark;
        // A completed pass replaces the feed position; one that ended without a cursor clears it.
        if (input.outcome.feed !== undefined) {
          set.push('feed = :fd');
          values[':fd'] = input.outcome.feed;
        } else {
          remove.push('feed');
        }
      }
    } else {
      set.push('lastFailureAt = :at', 'lastError = :err', 'consecutiveFailures = if_not_exists(consecutiveFailures, :zero) + :one');
      values[':at'] = at;
      values[':err'] = input.outcome.error.slice(0, 2000);
      values[':zero'] = 0;
      values[':one'] = 1;
    }
    if (input.outcome.keepPass) {
      set.push('pass = :p');
      values[':p'] = input.outcome.keepPass;
    } else {
      remove.push('pass');
    }
    if (input.breaker === null) remove.push('breaker');
    else if (input.breaker !== undefined) {
      set.push('breaker = :b');
      values[':b'] = input.breaker;
    }
    try {
      const { Attributes } = await this.t.doc.send(new UpdateCommand({
        TableName: this.t.name,
        Key: { pk: srcPk(input.sourceId), sk: STATE_SK },
        UpdateExpression: `SET ${set.join(', ')} REMOVE ${remove.join(', ')}`,
        ConditionExpression: 'leaseOwner = :o AND epoch = :e',
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_OLD',
      }));
      return { rerunRequested: Attributes?.['rerunRequested'] === true };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new LeaseLostError(input.sourceId, input.epoch);
      throw error;
    }
  }

  async resetSource(sourceId: string): Promise<void> {
    const keys: Array<{ pk: string; sk: string }> = [];
    for await (const item of this.t.query(srcPk(sourceId), DOC_PREFIX, ['pk', 'sk'])) {
      keys.push({ pk: String(item['pk']), sk: String(item['sk']) });
    }
    await this.t.batchDelete(keys);
    // Keep the epoch: it fences cursor writes and orders task revisions, so it must never
    // repeat (a repeated revision would also collide with SQS FIFO deduplication ids).
    await this.t.doc.send(new UpdateCommand({
      TableName: this.t.name,
      Key: { pk: srcPk(sourceId), sk: STATE_SK },
      UpdateExpression: 'SET rerunRequested = :f, consecutiveFailures = :z REMOVE watermark, feed, pass, breaker, leaseOwner, leaseUntil, lastSuccessAt, lastFailureAt, lastError',
      ExpressionAttributeValues: { ':f': false, ':z': 0 },
    }));
  }

  // ───────────── document ledger ─────────────

  async getDocuments(sourceId: string, docIds: readonly string[]): Promise<Map<string, LedgerEntry>> {
    const unique = [...new Set(docIds)];
    const items = await this.t.batchGet(unique.map((id) => ({ pk: srcPk(sourceId), sk: docSk(id) })));
    const out = new Map<string, LedgerEntry>();
    for (const item of items) {
      const entry = toLedgerEntry(sourceId, item);
      out.set(entry.docId, entry);
    }
    return out;
  }

  async *listDocuments(sourceId: string): AsyncIterable<LedgerEntry> {
    for await (const item of this.t.query(srcPk(sourceId), DOC_PREFIX)) yield toLedgerEntry(sourceId, item);
  }

  async markPending(sourceId: string, marks: ReadonlyArray<{ docId: string; pending: PendingMarker }>): Promise<void> {
    await forEachLimited(marks, WRITE_CONCURRENCY, async ({ docId, pending }) => {
      try {
        await this.t.doc.send(new UpdateCommand({
          TableName: this.t.name,
          Key: { pk: srcPk(sourceId), sk: docSk(docId) },
          UpdateExpression: 'SET pending = :p, docId = :d',
          // Never behind a newer marker, nor behind a commit or a claim of its rev: the marker
          // is written after the send, so the task may have run already (and committed, or
          // given up), and a marker with no task left to clear it would stop every later pass
          // from enqueuing the document.
          ConditionExpression: '(attribute_not_exists(pending) OR pending.rev < :r) AND (attribute_not_exists(rev) OR rev < :r) AND (attribute_not_exists(claim) OR claim < :r)',
          ExpressionAttributeValues: { ':p': pending, ':d': docId, ':r': pending.rev },
        }));
      } catch (error) {
        // A newer marker covers this one, or the task already ran.
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    });
  }

  async releasePending(input: { sourceId: string; docId: string; rev: string }): Promise<void> {
    await this.t.conditional(new UpdateCommand({
      TableName: this.t.name,
      Key: { pk: srcPk(input.sourceId), sk: docSk(input.docId) },
      UpdateExpression: 'REMOVE pending',
      ConditionExpression: 'pending.rev = :r',
      ExpressionAttributeValues: { ':r': input.rev },
    }));
  }

  async touchDocument(input: { sourceId: string; docId: string; expectRev: string; rev: string; version: string }): Promise<boolean> {
    return this.t.conditional(new UpdateCommand({
      TableName: this.t.name,
      Key: { pk: srcPk(input.sourceId), sk: docSk(input.docId) },
      UpdateExpression: 'SET version = :v, rev = :r',
      ConditionExpression:
        'rev = :x AND rev < :r AND attribute_not_exists(pending) AND attribute_not_exists(claim) AND (attribute_not_exists(deleted) OR deleted = :f)',
      ExpressionAttributeValues: { ':v': input.version, ':r': input.rev, ':x': input.expectRev, ':f': false },
    }));
  }

  async claimDocument(input: { sourceId: string; docId: string; rev: string }): Promise<ClaimResult> {
    const key = { pk: srcPk(input.sourceId), sk: docSk(input.docId) };
    try {
      const { Attributes } = await this.t.doc.send(new UpdateCommand({
        TableName: this.t.name,
        Key: key,
        UpdateExpression: 'SET claim = :r, docId = :d',
        // Older committed rev, and no newer task mid-write (an equal claim is our own retry).
        ConditionExpression: '(attribute_not_exists(rev) OR rev < :r) AND (attribute_not_exists(claim) OR claim <= :r)',
        ExpressionAttributeValues: { ':r': input.rev, ':d': input.docId },
        ReturnValues: 'ALL_OLD',
      }));
      return Attributes ? { ok: true, previous: toLedgerEntry(input.sourceId, Attributes) } : { ok: true };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const { Item } = await this.t.doc.send(new GetCommand({ TableName: this.t.name, Key: key, ConsistentRead: true }));
      return Item ? { ok: false, current: toLedgerEntry(input.sourceId, Item) } : { ok: false };
    }
  }

  async commitDocument(commit: DocumentCommit): Promise<boolean> {
    const values: Item = {
      ':r': commit.rev, ':v': commit.version, ':h': commit.contentHash, ':c': [...commit.chunkHashes],
      ':u': commit.updatedAt, ':f': false, ':k': commit.chunker, ':d': commit.decor,
    };
    let set = 'SET rev = :r, version = :v, contentHash = :h, chunkHashes = :c, chunker = :k, decor = :d, updatedAt = :u, deleted = :f';
    // A document that lost its title must not keep the old one in the ledger.
    if (commit.title !== undefined) {
      set += ', title = :t';
      values[':t'] = commit.title;
    } else {
      set += ' REMOVE title';
    }
    return this.commitClaimed(commit.sourceId, commit.docId, commit.rev, set, values);
  }

  async commitDeletion(input: { sourceId: string; docId: string; rev: string; at: string }): Promise<boolean> {
    return this.commitClaimed(input.sourceId, input.docId, input.rev,
      'SET rev = :r, deleted = :t, updatedAt = :u REMOVE chunkHashes, chunker, contentHash, version, title, decor',
      { ':r': input.rev, ':t': true, ':u': input.at });
  }

  /**
   * Commits a claimed entry. The pending marker goes too unless a newer fetch run marked a
   * newer version meanwhile: that marker must survive, so try with the removal first.
   */
  private async commitClaimed(sourceId: string, docId: string, rev: string, update: string, values: Item): Promise<boolean> {
    const key = { pk: srcPk(sourceId), sk: docSk(docId) };
    const hasRemove = update.includes(' REMOVE ');
    const withPending = hasRemove ? `${update}, claim, pending` : `${update} REMOVE claim, pending`;
    const withoutPending = hasRemove ? `${update}, claim` : `${update} REMOVE claim`;
    if (await this.t.conditional(new UpdateCommand({
      TableName: this.t.name, Key: key, UpdateExpression: withPending,
      ConditionExpression: 'claim = :r AND (attribute_not_exists(pending) OR pending.rev <= :r)',
      ExpressionAttributeValues: values,
    }))) return true;
    return this.t.conditional(new UpdateCommand({
      TableName: this.t.name, Key: key, UpdateExpression: withoutPending,
      ConditionExpression: 'claim = :r', ExpressionAttributeValues: values,
    }));
  }

  // ───────────── runs, embedding cache, push stash: their own files ─────────────

  putRun(run: RunRecord): Promise<void> {
    return this.runs.putRun(run);
  }

  updateRun(sourceId: string, runId: string, patch: Partial<Omit<RunRecord, 'sourceId' | 'runId'>>): Promise<void> {
    return this.runs.updateRun(sourceId, runId, patch);
  }

  addRunCounters(sourceId: string, runId: string, delta: Partial<RunCounters>): Promise<void> {
    return this.runs.addRunCounters(sourceId, runId, delta);
  }

  addRunFailures(sourceId: string, runId: string, failures: readonly DocumentIssue[], max: number): Promise<void> {
    return this.runs.addRunFailures(sourceId, runId, failures, max);
  }

  getRun(sourceId: string, runId: string): Promise<RunRecord | undefined> {
    return this.runs.getRun(sourceId, runId);
  }

  listRuns(sourceId: string, limit: number): Promise<RunRecord[]> {
    return this.runs.listRuns(sourceId, limit);
  }

  getEmbeddings(model: string, dimensions: number, hashes: readonly string[]): Promise<Map<string, Float32Array>> {
    return this.embeddings.getEmbeddings(model, dimensions, hashes);
  }

  putEmbeddings(model: string, dimensions: number, entries: ReadonlyMap<string, Float32Array>): Promise<void> {
    return this.embeddings.putEmbeddings(model, dimensions, entries);
  }

  getStashed(sourceId: string, docIds: readonly string[]): Promise<Map<string, StashedDocument>> {
    return this.push.getStashed(sourceId, docIds);
  }

  putStashed(input: { document: Omit<StashedDocument, 'stamp'>; expectStamp: string | undefined; expiresAt?: number }): Promise<string | undefined> {
    return this.push.putStashed(input);
  }

  listStashed(sourceId: string, options: { after?: string; limit: number; changedSince?: string; includeDeleted?: boolean; slim?: boolean }): Promise<StashPage> {
    return this.push.listStashed(sourceId, options);
  }

  beginIdempotent(input: { scope: string; key: string; requestHash: string; now: number; lockMs: number; retainMs: number }): Promise<{ started: true } | { started: false; record: IdempotencyRecord }> {
    return this.push.beginIdempotent(input);
  }

  completeIdempotent(input: { scope: string; key: string; requestHash: string; response: StoredResponse; now: number; retainMs: number }): Promise<void> {
    return this.push.completeIdempotent(input);
  }

  releaseIdempotent(input: { scope: string; key: string; requestHash: string }): Promise<void> {
    return this.push.releaseIdempotent(input);
  }
}
