import { LRUCache } from 'lru-cache';
import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { NativeAttributeValue } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { chunked, forEachLimited } from '../../core/concurrency.ts';
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

type Item = Record<string, NativeAttributeValue>;

const STATE_SK = 'STATE';
const DOC_PREFIX = 'DOC#';
const RUN_PREFIX = 'RUN#';
const PUSH_PREFIX = 'PUSH#';
/** Sorts right after every `PUSH#…` key: the upper bound of a stash range. */
const PUSH_END = 'PUSH$';
const IDEM_PREFIX = 'IDEM#';
/** Attributes a slim stash listing reads. */
const STASH_SLIM = ['pk', 'sk', 'docId', 'version', 'deleted', 'contentHash', 'updatedAt', 'stamp'];
/** DynamoDB's BatchGetItem limit. */
const BATCH_GET = 100;
/** DynamoDB's BatchWriteItem limit. */
const BATCH_WRITE = 25;
/** Parallel single-item writes (pending markers). */
const WRITE_CONCURRENCY = 16;
/** Batch requests of one call in flight at once. */
const BATCH_CONCURRENCY = 8;

const srcPk = (sourceId: string): string => `SRC#${sourceId}`;
const docSk = (docId: string): string => `${DOC_PREFIX}${docId}`;
const pushSk = (docId: string): string => `${PUSH_PREFIX}${docId}`;
const idemSk = (key: string): string => `${IDEM_PREFIX}${key}`;
const embPk = (model: string, dimensions: number): string => `EMB#${model}#${dimensions}`;
/**
 * The partition keys, for IAM's `dynamodb:LeadingKeys` conditions: a source's items (state,
 * ledger, runs, push stash, idempotency keys) share one, the embedding cache of a model and
 * vector size another.
 */
export const sourcePartitionKey = srcPk;
export const embeddingPartitionKey = embPk;
/** Key of a vector in the in-process memory: the item's pk and sk. */
const memoryKey = (pk: string, hash: string): string => `${pk}#${hash}`;

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
 * write to a single item — no transactions — so it runs unchanged on dynalite.
 */
export class DynamoDbStateStore implements StateStore, PushStateStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;
  private readonly runRetentionDays: number;
  private readonly vectorMemory: LRUCache<string, Float32Array> | undefined;

  /** The table this store keeps its items in. */
  get tableName(): string {
    return this.table;
  }

  constructor(private readonly options: DynamoDbStateStoreOptions) {
    this.doc = DynamoDBDocumentClient.from(options.client, {
      marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    });
    this.table = options.tableName;
    this.runRetentionDays = options.runRetentionDays ?? 30;
    const memory = options.embeddingMemoryBytes ?? 32 * 1024 * 1024;
    this.vectorMemory = memory > 0
      ? new LRUCache<string, Float32Array>({ maxSize: memory, sizeCalculation: (v, k) => v.byteLength + k.length * 2 + 64 })
      : undefined;
  }

  /** Creates the table when absent (local mode; on AWS the stack owns it). */
  async ensureTable(): Promise<void> {
    try {
      await this.options.client.send(new DescribeTableCommand({ TableName: this.table }));
      return;
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
    try {
      await this.options.client.send(new CreateTableCommand({
        TableName: this.table,
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      }));
    } catch (error) {
      // Another process created it first.
      if (!(error instanceof Error && error.name === 'ResourceInUseException')) throw error;
    }
    for (let i = 0; i < 100; i++) {
      const { Table } = await this.options.client.send(new DescribeTableCommand({ TableName: this.table }));
      if (Table?.TableStatus === 'ACTIVE') return;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  // ───────────── sources, leases, cursors ─────────────

  async getSource(sourceId: string): Promise<SourceState | undefined> {
    const { Item } = await this.doc.send(new GetCommand({
      TableName: this.table, Key: { pk: srcPk(sourceId), sk: STATE_SK }, ConsistentRead: true,
    }));
    return Item ? toSourceState(sourceId, Item) : undefined;
  }

  async getSources(sourceIds: readonly string[]): Promise<Map<string, SourceState>> {
    // BatchGetItem rejects a request that names one key twice.
    const items = await this.batchGet([...new Set(sourceIds)].map((id) => ({ pk: srcPk(id), sk: STATE_SK })));
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
        const { Attributes } = await this.doc.send(new UpdateCommand({
          TableName: this.table,
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
        const { Attributes } = await this.doc.send(new UpdateCommand({
          TableName: this.table,
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
      await this.doc.send(new UpdateCommand({
        TableName: this.table,
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
      const { Attributes } = await this.doc.send(new UpdateCommand({
        TableName: this.table,
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
    for await (const item of this.query(srcPk(sourceId), DOC_PREFIX, ['pk', 'sk'])) {
      keys.push({ pk: String(item['pk']), sk: String(item['sk']) });
    }
    await this.batchDelete(keys);
    // Keep the epoch: it fences cursor writes and orders task revisions, so it must never
    // repeat (a repeated revision would also collide with SQS FIFO deduplication ids).
    await this.doc.send(new UpdateCommand({
      TableName: this.table,
      Key: { pk: srcPk(sourceId), sk: STATE_SK },
      UpdateExpression: 'SET rerunRequested = :f, consecutiveFailures = :z REMOVE watermark, feed, pass, breaker, leaseOwner, leaseUntil, lastSuccessAt, lastFailureAt, lastError',
      ExpressionAttributeValues: { ':f': false, ':z': 0 },
    }));
  }

  // ───────────── document ledger ─────────────

  async getDocuments(sourceId: string, docIds: readonly string[]): Promise<Map<string, LedgerEntry>> {
    const unique = [...new Set(docIds)];
    const items = await this.batchGet(unique.map((id) => ({ pk: srcPk(sourceId), sk: docSk(id) })));
    const out = new Map<string, LedgerEntry>();
    for (const item of items) {
      const entry = toLedgerEntry(sourceId, item);
      out.set(entry.docId, entry);
    }
    return out;
  }

  async *listDocuments(sourceId: string): AsyncIterable<LedgerEntry> {
    for await (const item of this.query(srcPk(sourceId), DOC_PREFIX)) yield toLedgerEntry(sourceId, item);
  }

  async markPending(sourceId: string, marks: ReadonlyArray<{ docId: string; pending: PendingMarker }>): Promise<void> {
    await forEachLimited(marks, WRITE_CONCURRENCY, async ({ docId, pending }) => {
      try {
        await this.doc.send(new UpdateCommand({
          TableName: this.table,
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
    await this.conditional(new UpdateCommand({
      TableName: this.table,
      Key: { pk: srcPk(input.sourceId), sk: docSk(input.docId) },
      UpdateExpression: 'REMOVE pending',
      ConditionExpression: 'pending.rev = :r',
      ExpressionAttributeValues: { ':r': input.rev },
    }));
  }

  async touchDocument(input: { sourceId: string; docId: string; expectRev: string; rev: string; version: string }): Promise<boolean> {
    return this.conditional(new UpdateCommand({
      TableName: this.table,
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
      const { Attributes } = await this.doc.send(new UpdateCommand({
        TableName: this.table,
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
      const { Item } = await this.doc.send(new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true }));
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
    if (await this.conditional(new UpdateCommand({
      TableName: this.table, Key: key, UpdateExpression: withPending,
      ConditionExpression: 'claim = :r AND (attribute_not_exists(pending) OR pending.rev <= :r)',
      ExpressionAttributeValues: values,
    }))) return true;
    return this.conditional(new UpdateCommand({
      TableName: this.table, Key: key, UpdateExpression: withoutPending,
      ConditionExpression: 'claim = :r', ExpressionAttributeValues: values,
    }));
  }

  // ───────────── runs ─────────────

  async putRun(run: RunRecord): Promise<void> {
    const expiresAt = Math.floor(Date.parse(run.startedAt) / 1000) + this.runRetentionDays * 86_400;
    await this.doc.send(new PutCommand({
      TableName: this.table,
      Item: { ...run, pk: srcPk(run.sourceId), sk: run.runSk, expiresAt },
    }));
  }

  async updateRun(sourceId: string, runSk: string, patch: Partial<Omit<RunRecord, 'sourceId' | 'runSk'>>): Promise<void> {
    const entries = Object.entries(patch).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return;
    const names: Record<string, string> = {};
    const values: Item = {};
    const parts = entries.map(([k, v], i) => {
      names[`#k${i}`] = k;
      values[`:v${i}`] = v;
      return `#k${i} = :v${i}`;
    });
    await this.doc.send(new UpdateCommand({
      TableName: this.table,
      Key: { pk: srcPk(sourceId), sk: runSk },
      UpdateExpression: `SET ${parts.join(', ')}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    }));
  }

  async addRunCounters(sourceId: string, runSk: string, delta: Partial<RunCounters>): Promise<void> {
    const entries = Object.entries(delta).filter(([, v]) => typeof v === 'number' && v !== 0);
    if (entries.length === 0) return;
    const names: Record<string, string> = {};
    const values: Item = {};
    const parts = entries.map(([k, v], i) => {
      names[`#k${i}`] = k;
      values[`:v${i}`] = v;
      return `#k${i} :v${i}`;
    });
    // A run item first created here (a counter arriving before putRun) must expire too.
    values[':exp'] = Math.floor(Date.now() / 1000) + this.runRetentionDays * 86_400;
    await this.doc.send(new UpdateCommand({
      TableName: this.table,
      Key: { pk: srcPk(sourceId), sk: runSk },
      UpdateExpression: `ADD ${parts.join(', ')} SET expiresAt = if_not_exists(expiresAt, :exp)`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    }));
  }

  async addRunFailures(sourceId: string, runSk: string, failures: readonly DocumentIssue[], max: number): Promise<void> {
    if (failures.length === 0) return;
    // One list_append: concurrent embedders' failures all land. The cap is checked, not exact
    // (a batch may go past it); it keeps the item far below DynamoDB's 400 KB.
    await this.conditional(new UpdateCommand({
      TableName: this.table,
      Key: { pk: srcPk(sourceId), sk: runSk },
      UpdateExpression: 'SET failedDocuments = list_append(if_not_exists(failedDocuments, :empty), :f), expiresAt = if_not_exists(expiresAt, :exp)',
      ConditionExpression: 'attribute_not_exists(failedDocuments) OR size(failedDocuments) < :max',
      ExpressionAttributeValues: {
        ':empty': [], ':f': failures.map((f) => ({ ...f })), ':max': max,
        ':exp': Math.floor(Date.now() / 1000) + this.runRetentionDays * 86_400,
      },
    }));
  }

  async getRun(sourceId: string, runSk: string): Promise<RunRecord | undefined> {
    const { Item } = await this.doc.send(new GetCommand({
      TableName: this.table, Key: { pk: srcPk(sourceId), sk: runSk }, ConsistentRead: true,
    }));
    return Item ? toRunRecord(Item) : undefined;
  }

  async listRuns(sourceId: string, limit: number): Promise<RunRecord[]> {
    const { Items } = await this.doc.send(new QueryCommand({
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
      ExpressionAttributeValues: { ':pk': srcPk(sourceId), ':p': RUN_PREFIX },
      ScanIndexForward: false,
      Limit: limit,
      ConsistentRead: true,
    }));
    return (Items ?? []).map(toRunRecord);
  }

  // ───────────── embedding cache ─────────────

  async getEmbeddings(model: string, dimensions: number, hashes: readonly string[]): Promise<Map<string, Float32Array>> {
    const pk = embPk(model, dimensions);
    const out = new Map<string, Float32Array>();
    const unknown: string[] = [];
    for (const hash of new Set(hashes)) {
      const held = this.vectorMemory?.get(memoryKey(pk, hash));
      if (held) out.set(hash, held);
      else unknown.push(hash);
    }
    if (unknown.length === 0) return out;
    const items = await this.batchGet(unknown.map((h) => ({ pk, sk: h })), false);
    for (const item of items) {
      const bytes = item['v'];
      if (bytes instanceof Uint8Array && bytes.byteLength === dimensions * 4) {
        const hash = String(item['sk']);
        const vector = decodeVector(bytes);
        out.set(hash, vector);
        this.vectorMemory?.set(memoryKey(pk, hash), vector);
      }
    }
    return out;
  }

  async putEmbeddings(model: string, dimensions: number, entries: ReadonlyMap<string, Float32Array>): Promise<void> {
    const pk = embPk(model, dimensions);
    const requests = [...entries].map(([hash, vector]) => ({ PutRequest: { Item: { pk, sk: hash, v: encodeVector(vector) } } }));
    await this.batchWrite(requests);
    // Only once stored: the memory never holds what the table might not.
    if (this.vectorMemory) for (const [hash, vector] of entries) this.vectorMemory.set(memoryKey(pk, hash), vector);
  }

  // ───────────── push stash and idempotency records ─────────────

  async getStashed(sourceId: string, docIds: readonly string[]): Promise<Map<string, StashedDocument>> {
    const items = await this.batchGet([...new Set(docIds)].map((id) => ({ pk: srcPk(sourceId), sk: pushSk(id) })));
    const out = new Map<string, StashedDocument>();
    for (const item of items) {
      const doc = toStashedDocument(sourceId, item);
      out.set(doc.docId, doc);
    }
    return out;
  }

  async putStashed(input: { document: Omit<StashedDocument, 'stamp'>; expectStamp: string | undefined; expiresAt?: number }): Promise<string | undefined> {
    const stamp = randomUUID();
    const { sourceId, ...fields } = input.document;
    const item: Item = { ...fields, stamp, pk: srcPk(sourceId), sk: pushSk(input.document.docId) };
    if (input.expiresAt !== undefined) item['expiresAt'] = input.expiresAt;
    try {
      await this.doc.send(new PutCommand({
        TableName: this.table,
        Item: item,
        ...(input.expectStamp === undefined
          ? { ConditionExpression: 'attribute_not_exists(pk)' }
          : { ConditionExpression: 'stamp = :s', ExpressionAttributeValues: { ':s': input.expectStamp } }),
      }));
      return stamp;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  async listStashed(sourceId: string, options: {
    after?: string; limit: number; changedSince?: string; includeDeleted?: boolean; slim?: boolean;
  }): Promise<StashPage> {
    const items: StashedDocument[] = [];
    const filters: string[] = [];
    const values: Item = {
      ':pk': srcPk(sourceId), ':lo': options.after === undefined ? PUSH_PREFIX : pushSk(options.after), ':hi': PUSH_END,
    };
    if (options.includeDeleted !== true) {
      filters.push('deleted = :f');
      values[':f'] = false;
    }
    if (options.changedSince !== undefined) {
      filters.push('updatedAt >= :since');
      values[':since'] = options.changedSince;
    }
    const names: Record<string, string> = {};
    const projection = options.slim === true ? STASH_SLIM.map((a, i) => {
      names[`#p${i}`] = a;
      return `#p${i}`;
    }).join(', ') : undefined;
    let start: Item | undefined;
    do {
      const remaining = options.limit - items.length;
      const { Items, LastEvaluatedKey } = await this.doc.send(new QueryCommand({
        TableName: this.table,
        // BETWEEN is inclusive: the item named by `after` is skipped below.
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :lo AND :hi',
        ExpressionAttributeValues: values,
        ConsistentRead: true,
        // A filtered query counts items read, not items returned: read more than needed.
        Limit: Math.max(remaining + 1, 100),
        ...(filters.length > 0 ? { FilterExpression: filters.join(' AND ') } : {}),
        ...(projection !== undefined ? { ProjectionExpression: projection, ExpressionAttributeNames: names } : {}),
        ...(start ? { ExclusiveStartKey: start } : {}),
      }));
      for (const item of Items ?? []) {
        const doc = toStashedDocument(sourceId, item);
        if (options.after !== undefined && doc.docId === options.after) continue;
        items.push(doc);
        if (items.length === options.limit) return { items, next: doc.docId };
      }
      start = LastEvaluatedKey;
    } while (start);
    return { items };
  }

  async beginIdempotent(input: {
    scope: string; key: string; requestHash: string; now: number; lockMs: number; retainMs: number;
  }): Promise<{ started: true } | { started: false; record: IdempotencyRecord }> {
    const key = { pk: srcPk(input.scope), sk: idemSk(input.key) };
    for (let attempt = 0; ; attempt++) {
      try {
        await this.doc.send(new PutCommand({
          TableName: this.table,
          Item: {
            ...key, idemKey: input.key, requestHash: input.requestHash, status: 'in_progress',
            lockedUntil: input.now + input.lockMs, expiresAt: Math.ceil((input.now + input.retainMs) / 1000),
          },
          // Free, forgotten (TTL deletes lazily), or started by a request that never finished.
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :nowSec OR (#st = :ip AND lockedUntil < :now)',
          ExpressionAttributeNames: { '#st': 'status' },
          ExpressionAttributeValues: { ':nowSec': Math.floor(input.now / 1000), ':ip': 'in_progress', ':now': input.now },
        }));
        return { started: true };
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
      const { Item } = await this.doc.send(new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true }));
      // Released between the two calls: try to start again.
      if (Item) return { started: false, record: toIdempotencyRecord(Item) };
      if (attempt >= 3) throw new Error(`idempotency record ${input.key} keeps changing; try again`);
    }
  }

  async completeIdempotent(input: { scope: string; key: string; requestHash: string; response: StoredResponse; now: number; retainMs: number }): Promise<void> {
    await this.conditional(new UpdateCommand({
      TableName: this.table,
      Key: { pk: srcPk(input.scope), sk: idemSk(input.key) },
      UpdateExpression: 'SET #st = :c, #resp = :r, expiresAt = :e REMOVE lockedUntil',
      // A request that lost its lapsed lock to a retry does not overwrite the retry's record.
      ConditionExpression: 'requestHash = :h AND #st = :ip',
      ExpressionAttributeNames: { '#st': 'status', '#resp': 'response' },
      ExpressionAttributeValues: {
        ':c': 'complete', ':r': { statusCode: input.response.statusCode, body: input.response.body },
        ':e': Math.ceil((input.now + input.retainMs) / 1000), ':h': input.requestHash, ':ip': 'in_progress',
      },
    }));
  }

  async releaseIdempotent(input: { scope: string; key: string; requestHash: string }): Promise<void> {
    try {
      await this.doc.send(new DeleteCommand({
        TableName: this.table,
        Key: { pk: srcPk(input.scope), sk: idemSk(input.key) },
        ConditionExpression: 'requestHash = :h AND #st = :ip',
        ExpressionAttributeNames: { '#st': 'status' },
        ExpressionAttributeValues: { ':h': input.requestHash, ':ip': 'in_progress' },
      }));
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  // ───────────── helpers ─────────────

  private async conditional(command: UpdateCommand): Promise<boolean> {
    try {
      await this.doc.send(command);
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  private async *query(pk: string, skPrefix: string, projection?: string[]): AsyncIterable<Item> {
    let start: Item | undefined;
    do {
      const { Items, LastEvaluatedKey } = await this.doc.send(new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
        ExpressionAttributeValues: { ':pk': pk, ':p': skPrefix },
        ConsistentRead: true,
        ...(projection ? { ProjectionExpression: projection.join(', ') } : {}),
        ...(start ? { ExclusiveStartKey: start } : {}),
      }));
      for (const item of Items ?? []) yield item;
      start = LastEvaluatedKey;
    } while (start);
  }

  private async batchGet(keys: Array<{ pk: string; sk: string }>, consistent = true): Promise<Item[]> {
    const out: Item[] = [];
    // Requests of one call go out side by side: a page's ledger or embedding reads are tens of
    // round trips, and one after another they would dominate a page's time.
    await forEachLimited(chunked(keys, BATCH_GET), BATCH_CONCURRENCY, async (slice) => {
      let pending: Item[] = slice;
      for (let attempt = 0; pending.length > 0; attempt++) {
        const { Responses, UnprocessedKeys } = await this.doc.send(new BatchGetCommand({
          RequestItems: { [this.table]: { Keys: pending, ConsistentRead: consistent } },
        }));
        out.push(...(Responses?.[this.table] ?? []));
        pending = (UnprocessedKeys?.[this.table]?.Keys ?? []) as Item[];
        if (pending.length > 0) await backoff(attempt);
      }
    });
    return out;
  }

  /** Callers never pass one key twice, so the slices may be written in any order. */
  private async batchWrite(requests: Item[]): Promise<void> {
    await forEachLimited(chunked(requests, BATCH_WRITE), BATCH_CONCURRENCY, async (slice) => {
      let pending = slice;
      for (let attempt = 0; pending.length > 0; attempt++) {
        const { UnprocessedItems } = await this.doc.send(new BatchWriteCommand({ RequestItems: { [this.table]: pending } }));
        pending = (UnprocessedItems?.[this.table] ?? []) as Item[];
        if (pending.length > 0) await backoff(attempt);
      }
    });
  }

  private async batchDelete(keys: Array<{ pk: string; sk: string }>): Promise<void> {
    await this.batchWrite(keys.map((Key) => ({ DeleteRequest: { Key } })));
  }
}

function emptyState(sourceId: string): SourceState {
  return { sourceId, epoch: 0, rerunRequested: false, consecutiveFailures: 0 };
}

function str(item: Item, key: string): string | undefined {
  const v = item[key];
  return typeof v === 'string' ? v : undefined;
}

function num(item: Item, key: string): number | undefined {
  const v = item[key];
  return typeof v === 'number' ? v : undefined;
}

/** Copies only the defined values, as exactOptionalPropertyTypes wants. */
function defined<T extends object>(value: { [K in keyof T]: T[K] | undefined }): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** The table's item codec, shared with the in-memory twin the chaos suite runs on. */
export function toSourceState(sourceId: string, item: Item): SourceState {
  return defined<SourceState>({
    sourceId,
    epoch: num(item, 'epoch') ?? 0,
    leaseOwner: str(item, 'leaseOwner'),
    leaseUntil: num(item, 'leaseUntil'),
    rerunRequested: item['rerunRequested'] === true,
    watermark: str(item, 'watermark'),
    feed: item['feed'] !== null && typeof item['feed'] === 'object' ? (item['feed'] as Cursor) : undefined,
    pass: item['pass'] as PassState | undefined,
    lastSuccessAt: str(item, 'lastSuccessAt'),
    lastFailureAt: str(item, 'lastFailureAt'),
    lastError: str(item, 'lastError'),
    consecutiveFailures: num(item, 'consecutiveFailures') ?? 0,
    breaker: item['breaker'] as BreakerState | undefined,
  });
}

export function toLedgerEntry(sourceId: string, item: Item): LedgerEntry {
  const sk = String(item['sk'] ?? '');
  return defined<LedgerEntry>({
    sourceId,
    docId: str(item, 'docId') ?? sk.slice(DOC_PREFIX.length),
    rev: str(item, 'rev'),
    version: str(item, 'version'),
    contentHash: str(item, 'contentHash'),
    chunkHashes: Array.isArray(item['chunkHashes']) ? (item['chunkHashes'] as string[]) : undefined,
    chunker: str(item, 'chunker'),
    deleted: item['deleted'] === true ? true : undefined,
    pending: item['pending'] as PendingMarker | undefined,
    claim: str(item, 'claim'),
    title: str(item, 'title'),
    decor: str(item, 'decor'),
    updatedAt: str(item, 'updatedAt'),
  });
}

export function toRunRecord(item: Item): RunRecord {
  const { pk: _pk, sk: _sk, expiresAt: _e, ...rest } = item;
  return rest as RunRecord;
}

export function toStashedDocument(sourceId: string, item: Item): StashedDocument {
  const sk = String(item['sk'] ?? '');
  const format = str(item, 'format');
  const metadata = item['metadata'];
  return {
    ...defined<Omit<StashedDocument, 'sourceId' | 'docId' | 'deleted' | 'updatedAt' | 'stamp'>>({
      version: str(item, 'version'),
      text: str(item, 'text'),
      title: str(item, 'title'),
      url: str(item, 'url'),
      format: format === 'markdown' || format === 'text' ? format : undefined,
      metadata: metadata !== null && typeof metadata === 'object' ? (metadata as StashedDocument['metadata']) : undefined,
      contentHash: str(item, 'contentHash'),
    }),
    sourceId,
    docId: str(item, 'docId') ?? sk.slice(PUSH_PREFIX.length),
    deleted: item['deleted'] === true,
    updatedAt: str(item, 'updatedAt') ?? '',
    stamp: str(item, 'stamp') ?? '',
  };
}

export function toIdempotencyRecord(item: Item): IdempotencyRecord {
  const response = item['response'] as { statusCode?: unknown; body?: unknown } | undefined;
  return defined<IdempotencyRecord>({
    key: str(item, 'idemKey') ?? String(item['sk'] ?? '').slice(IDEM_PREFIX.length),
    requestHash: str(item, 'requestHash') ?? '',
    status: item['status'] === 'complete' ? 'complete' : 'in_progress',
    lockedUntil: num(item, 'lockedUntil'),
    response: response && typeof response.statusCode === 'number' && typeof response.body === 'string'
      ? { statusCode: response.statusCode, body: response.body } : undefined,
    expiresAt: num(item, 'expiresAt') ?? 0,
  });
}

function encodeVector(vector: Float32Array): Uint8Array {
  const copy = Float32Array.from(vector);
  return new Uint8Array(copy.buffer, copy.byteOffset, copy.byteLength);
}

function decodeVector(bytes: Uint8Array): Float32Array {
  // Copy: the SDK's buffer may be a slice of a larger, unaligned allocation.
  const aligned = new Uint8Array(bytes.byteLength);
  aligned.set(bytes);
  return new Float32Array(aligned.buffer);
}

async function backoff(attempt: number): Promise<void> {
  const ms = Math.min(1000, 25 * 2 ** attempt) * (0.5 + Math.random() / 2);
  await new Promise((r) => setTimeout(r, ms));
}
