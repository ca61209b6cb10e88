import { randomUUID } from 'node:crypto';
import {
  RUN_PREFIX, runKey, toIdempotencyRecord, toLedgerEntry, toRunRecord, toSourceState, toStashedDocument,
} from '../../shared/adapters/aws/dynamodb-items.ts';
import { LeaseLostError } from '../../shared/core/errors.ts';
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
} from '../../shared/ports/index.ts';

type Item = Record<string, unknown>;

const STATE_SK = 'STATE';
const DOC_PREFIX = 'DOC#';
const PUSH_PREFIX = 'PUSH#';
const IDEM_PREFIX = 'IDEM#';
const STASH_SLIM = ['pk', 'sk', 'docId', 'version', 'deleted', 'contentHash', 'updatedAt', 'stamp'];

const srcPk = (sourceId: string): string => `SRC#${sourceId}`;
const docSk = (docId: string): string => `${DOC_PREFIX}${docId}`;
const embPk = (model: string, dimensions: number): string => `EMB#${model}#${dimensions}`;

/**
 * The in-memory twin of `DynamoDbStateStore`: one map of pk/sk items, and every method the
 * same single-item conditional write, with DynamoDB's semantics (an update creates a missing
 * item when its condition allows; a comparison with a missing attribute is false; strings
 * compare by UTF-8 bytes; `ReturnValues` ALL_OLD / ALL_NEW). It exists so thousands of chaos
 * scenarios run in seconds; the StateStore contract suite proves it behaves like the adapter.
 */
export class InMemoryStateStore implements StateStore, PushStateStore {
  private readonly items = new Map<string, Item>();

  // ───────────── sources, leases, cursors ─────────────

  async getSource(sourceId: string): Promise<SourceState | undefined> {
    await tick();
    const item = this.get(srcPk(sourceId), STATE_SK);
    return item ? toSourceState(sourceId, item) : undefined;
  }

  async getSources(sourceIds: readonly string[]): Promise<Map<string, SourceState>> {
    await tick();
    const out = new Map<string, SourceState>();
    for (const id of new Set(sourceIds)) {
      const item = this.get(srcPk(id), STATE_SK);
      if (!item) continue;
      const sid = typeof item['sourceId'] === 'string' ? item['sourceId'] : String(item['pk']).slice(4);
      out.set(sid, toSourceState(sid, item));
    }
    return out;
  }

  async acquireLease(input: { sourceId: string; owner: string; now: number; ttlMs: number; deadOwner?: string }): Promise<LeaseResult> {
    await tick();
    const pk = srcPk(input.sourceId);
    const item = this.get(pk, STATE_SK);
    // 'attribute_not_exists(leaseOwner) OR leaseUntil < :now OR leaseOwner = :o [OR leaseOwner = :dead]'
    const free = !has(item, 'leaseOwner') || lt(item?.['leaseUntil'], input.now) || eq(item?.['leaseOwner'], input.owner)
      || (input.deadOwner !== undefined && eq(item?.['leaseOwner'], input.deadOwner));
    if (free) {
      const next = this.update(pk, STATE_SK, (it) => {
        it['epoch'] = (typeof it['epoch'] === 'number' ? it['epoch'] : 0) + 1;
        it['leaseOwner'] = input.owner;
        it['leaseUntil'] = input.now + input.ttlMs;
        it['sourceId'] = input.sourceId;
      });
      const state = toSourceState(input.sourceId, next);
      return { acquired: true, epoch: state.epoch, state };
    }
    // 'attribute_exists(leaseOwner) AND leaseUntil >= :now AND leaseOwner <> :o': always true here,
    // since the first condition failed (the two writes of the adapter are one step in memory).
    const next = this.update(pk, STATE_SK, (it) => {
      it['rerunRequested'] = true;
    });
    return { acquired: false, state: toSourceState(input.sourceId, next) };
  }

  async saveProgress(input: { sourceId: string; owner: string; epoch: number; now: number; ttlMs: number; pass: PassState }): Promise<void> {
    await tick();
    const pk = srcPk(input.sourceId);
    const item = this.get(pk, STATE_SK);
    if (!(eq(item?.['leaseOwner'], input.owner) && eq(item?.['epoch'], input.epoch))) throw new LeaseLostError(input.sourceId, input.epoch);
    this.update(pk, STATE_SK, (it) => {
      it['pass'] = clone(input.pass);
      it['leaseUntil'] = input.now + input.ttlMs;
    });
  }

  async finishRun(input: {
    sourceId: string; owner: string; epoch: number; now: number;
    outcome: { ok: true; watermark?: string; feed?: Cursor; keepPass?: PassState } | { ok: false; error: string; keepPass?: PassState };
    breaker?: BreakerState | null;
    keepRerunRequested?: boolean;
  }): Promise<{ rerunRequested: boolean }> {
    await tick();
    const pk = srcPk(input.sourceId);
    const item = this.get(pk, STATE_SK);
    if (!(eq(item?.['leaseOwner'], input.owner) && eq(item?.['epoch'], input.epoch))) throw new LeaseLostError(input.sourceId, input.epoch);
    const old = clone(item as Item);
    const at = new Date(input.now).toISOString();
    this.update(pk, STATE_SK, (it) => {
      if (input.keepRerunRequested !== true) it['rerunRequested'] = false;
      delete it['leaseOwner'];
      delete it['leaseUntil'];
      if (input.outcome.ok) {
        it['lastSuccessAt'] = at;
        it['consecutiveFailures'] = 0;
        delete it['lastError'];
        if (input.outcome.watermark !== undefined) {
          it['watermark'] = input.outcome.watermark;
          if (input.outcome.feed !== undefined) it['feed'] = clone(input.outcome.feed);
          else delete it['feed'];
        }
      } else {
        it['lastFailureAt'] = at;
        it['lastError'] = input.outcome.error.slice(0, 2000);
        it['consecutiveFailures'] = (typeof it['consecutiveFailures'] === 'number' ? it['consecutiveFailures'] : 0) + 1;
      }
      if (input.outcome.keepPass) it['pass'] = clone(input.outcome.keepPass);
      else delete it['pass'];
      if (input.breaker === null) delete it['breaker'];
      else if (input.breaker !== undefined) it['breaker'] = clone(input.breaker);
    });
    return { rerunRequested: old['rerunRequested'] === true };
  }

  async resetSource(sourceId: string): Promise<void> {
    await tick();
    const pk = srcPk(sourceId);
    for (const key of [...this.items.keys()]) {
      const item = this.items.get(key);
      if (item?.['pk'] === pk && String(item['sk']).startsWith(DOC_PREFIX)) this.items.delete(key);
    }
    this.update(pk, STATE_SK, (it) => {
      it['rerunRequested'] = false;
      it['consecutiveFailures'] = 0;
      for (const k of ['watermark', 'feed', 'pass', 'breaker', 'leaseOwner', 'leaseUntil', 'lastSuccessAt', 'lastFailureAt', 'lastError']) delete it[k];
    });
  }

  // ───────────── document ledger ─────────────

  async getDocuments(sourceId: string, docIds: readonly string[]): Promise<Map<string, LedgerEntry>> {
    await tick();
    const out = new Map<string, LedgerEntry>();
    for (const id of new Set(docIds)) {
      const item = this.get(srcPk(sourceId), docSk(id));
      if (!item) continue;
      const entry = toLedgerEntry(sourceId, item);
      out.set(entry.docId, entry);
    }
    return out;
  }

  async *listDocuments(sourceId: string): AsyncIterable<LedgerEntry> {
    await tick();
    for (const item of this.query(srcPk(sourceId), DOC_PREFIX)) yield toLedgerEntry(sourceId, item);
  }

  async markPending(sourceId: string, marks: ReadonlyArray<{ docId: string; pending: PendingMarker }>): Promise<void> {
    for (const { docId, pending } of marks) {
      await tick();
      const item = this.get(srcPk(sourceId), docSk(docId));
      // '(attribute_not_exists(pending) OR pending.rev < :r) AND (attribute_not_exists(rev) OR rev < :r)
      //  AND (attribute_not_exists(claim) OR claim < :r)'
      if (has(item, 'pending') && !lt(path(item, 'pending', 'rev'), pending.rev)) continue;
      if (has(item, 'rev') && !lt(item?.['rev'], pending.rev)) continue;
      if (has(item, 'claim') && !lt(item?.['claim'], pending.rev)) continue;
      this.update(srcPk(sourceId), docSk(docId), (it) => {
        it['pending'] = clone(pending);
        it['docId'] = docId;
      });
    }
  }

  async releasePending(input: { sourceId: string; docId: string; rev: string }): Promise<void> {
    await tick();
    const item = this.get(srcPk(input.sourceId), docSk(input.docId));
    // 'pending.rev = :r'
    if (!eq(path(item, 'pending', 'rev'), input.rev)) return;
    this.update(srcPk(input.sourceId), docSk(input.docId), (it) => {
      delete it['pending'];
    });
  }

  async touchDocument(input: { sourceId: string; docId: string; expectRev: string; rev: string; version: string }): Promise<boolean> {
    await tick();
    const item = this.get(srcPk(input.sourceId), docSk(input.docId));
    const ok = eq(item?.['rev'], input.expectRev) && lt(item?.['rev'], input.rev) && !has(item, 'pending') && !has(item, 'claim')
      && (!has(item, 'deleted') || eq(item?.['deleted'], false));
    if (!ok) return false;
    this.update(srcPk(input.sourceId), docSk(input.docId), (it) => {
      it['version'] = input.version;
      it['rev'] = input.rev;
    });
    return true;
  }

  async claimDocument(input: { sourceId: string; docId: string; rev: string }): Promise<ClaimResult> {
    await tick();
    const pk = srcPk(input.sourceId);
    const sk = docSk(input.docId);
    const item = this.get(pk, sk);
    // '(attribute_not_exists(rev) OR rev < :r) AND (attribute_not_exists(claim) OR claim <= :r)'
    const ok = (!has(item, 'rev') || lt(item?.['rev'], input.rev)) && (!has(item, 'claim') || le(item?.['claim'], input.rev));
    if (!ok) return item ? { ok: false, current: toLedgerEntry(input.sourceId, item) } : { ok: false };
    const old = item ? clone(item) : undefined;
    this.update(pk, sk, (it) => {
      it['claim'] = input.rev;
      it['docId'] = input.docId;
    });
    return old ? { ok: true, previous: toLedgerEntry(input.sourceId, old) } : { ok: true };
  }

  async commitDocument(commit: DocumentCommit): Promise<boolean> {
    return this.commitClaimed(commit.sourceId, commit.docId, commit.rev, (it) => {
      it['rev'] = commit.rev;
      it['version'] = commit.version;
      it['contentHash'] = commit.contentHash;
      it['chunkHashes'] = [...commit.chunkHashes];
      it['chunker'] = commit.chunker;
      it['decor'] = commit.decor;
      it['updatedAt'] = commit.updatedAt;
      it['deleted'] = false;
      if (commit.title !== undefined) it['title'] = commit.title;
      else delete it['title'];
    });
  }

  async commitDeletion(input: { sourceId: string; docId: string; rev: string; at: string }): Promise<boolean> {
    return this.commitClaimed(input.sourceId, input.docId, input.rev, (it) => {
      it['rev'] = input.rev;
      it['deleted'] = true;
      it['updatedAt'] = input.at;
      for (const k of ['chunkHashes', 'chunker', 'contentHash', 'version', 'title', 'decor']) delete it[k];
    });
  }

  /** 'claim = :r' (removing an older or equal pending marker too, a newer one stays). */
  private async commitClaimed(sourceId: string, docId: string, rev: string, apply: (item: Item) => void): Promise<boolean> {
    await tick();
    const pk = srcPk(sourceId);
    const sk = docSk(docId);
    const item = this.get(pk, sk);
    if (!eq(item?.['claim'], rev)) return false;
    const clearPending = !has(item, 'pending') || le(path(item, 'pending', 'rev'), rev);
    this.update(pk, sk, (it) => {
      apply(it);
      delete it['claim'];
      if (clearPending) delete it['pending'];
    });
    return true;
  }

  // ───────────── runs ─────────────

  async putRun(run: RunRecord): Promise<void> {
    await tick();
    const item: Item = { ...clone(run as unknown as Item), pk: srcPk(run.sourceId), sk: runKey(run.runId) };
    for (const [k, v] of Object.entries(item)) if (v === undefined) delete item[k];
    this.items.set(key(srcPk(run.sourceId), runKey(run.runId)), item);
  }

  async updateRun(sourceId: string, runId: string, patch: Partial<Omit<RunRecord, 'sourceId' | 'runId'>>): Promise<void> {
    await tick();
    const entries = Object.entries(patch).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return;
    this.update(srcPk(sourceId), runKey(runId), (it) => {
      for (const [k, v] of entries) it[k] = clone(v);
    });
  }

  async addRunCounters(sourceId: string, runId: string, delta: Partial<RunCounters>): Promise<void> {
    await tick();
    const entries = Object.entries(delta).filter(([, v]) => typeof v === 'number' && v !== 0) as Array<[string, number]>;
    if (entries.length === 0) return;
    this.update(srcPk(sourceId), runKey(runId), (it) => {
      for (const [k, v] of entries) it[k] = (typeof it[k] === 'number' ? it[k] : 0) + v;
    });
  }

  async addRunFailures(sourceId: string, runId: string, failures: readonly DocumentIssue[], max: number): Promise<void> {
    await tick();
    if (failures.length === 0) return;
    this.update(srcPk(sourceId), runKey(runId), (it) => {
      const list = Array.isArray(it['failedDocuments']) ? (it['failedDocuments'] as DocumentIssue[]) : [];
      if (list.length < max) it['failedDocuments'] = [...list, ...clone([...failures])];
    });
  }

  async getRun(sourceId: string, runId: string): Promise<RunRecord | undefined> {
    await tick();
    const item = this.get(srcPk(sourceId), runKey(runId));
    return item ? toRunRecord(item) : undefined;
  }

  async listRuns(sourceId: string, limit: number): Promise<RunRecord[]> {
    await tick();
    return this.query(srcPk(sourceId), RUN_PREFIX).reverse().slice(0, limit).map(toRunRecord);
  }

  // ───────────── embedding cache ─────────────

  async getEmbeddings(model: string, dimensions: number, hashes: readonly string[]): Promise<Map<string, Float32Array>> {
    await tick();
    const out = new Map<string, Float32Array>();
    for (const hash of new Set(hashes)) {
      const bytes = this.get(embPk(model, dimensions), hash)?.['v'];
      if (bytes instanceof Uint8Array && bytes.byteLength === dimensions * 4) out.set(hash, new Float32Array(bytes.slice().buffer));
    }
    return out;
  }

  async putEmbeddings(model: string, dimensions: number, entries: ReadonlyMap<string, Float32Array>): Promise<void> {
    await tick();
    for (const [hash, vector] of entries) {
      const copy = Float32Array.from(vector);
      this.items.set(key(embPk(model, dimensions), hash), { pk: embPk(model, dimensions), sk: hash, v: new Uint8Array(copy.buffer) });
    }
  }

  // ───────────── push stash and idempotency records ─────────────

  async getStashed(sourceId: string, docIds: readonly string[]): Promise<Map<string, StashedDocument>> {
    await tick();
    const out = new Map<string, StashedDocument>();
    for (const id of new Set(docIds)) {
      const item = this.get(srcPk(sourceId), `${PUSH_PREFIX}${id}`);
      if (item) out.set(id, toStashedDocument(sourceId, item));
    }
    return out;
  }

  async putStashed(input: { document: Omit<StashedDocument, 'stamp'>; expectStamp: string | undefined; expiresAt?: number }): Promise<string | undefined> {
    await tick();
    const pk = srcPk(input.document.sourceId);
    const sk = `${PUSH_PREFIX}${input.document.docId}`;
    const item = this.get(pk, sk);
    // 'attribute_not_exists(pk)' or 'stamp = :s'
    if (input.expectStamp === undefined ? item !== undefined : !eq(item?.['stamp'], input.expectStamp)) return undefined;
    const stamp = randomUUID();
    const { sourceId: _s, ...fields } = input.document;
    const next: Item = { ...clone(fields as Item), stamp, pk, sk };
    if (input.expiresAt !== undefined) next['expiresAt'] = input.expiresAt;
    for (const [k, v] of Object.entries(next)) if (v === undefined) delete next[k];
    this.items.set(key(pk, sk), next);
    return stamp;
  }

  async listStashed(sourceId: string, options: {
    after?: string; limit: number; changedSince?: string; includeDeleted?: boolean; slim?: boolean;
  }): Promise<StashPage> {
    await tick();
    const after = options.after === undefined ? undefined : `${PUSH_PREFIX}${options.after}`;
    const items: StashedDocument[] = [];
    for (const item of this.query(srcPk(sourceId), PUSH_PREFIX)) {
      if (after !== undefined && compareBytes(String(item['sk']), after) <= 0) continue;
      if (options.includeDeleted !== true && !eq(item['deleted'], false)) continue;
      if (options.changedSince !== undefined && !le(options.changedSince, item['updatedAt'])) continue;
      const slim = options.slim === true ? Object.fromEntries(STASH_SLIM.filter((a) => a in item).map((a) => [a, item[a]])) : item;
      const doc = toStashedDocument(sourceId, slim);
      items.push(doc);
      if (items.length === options.limit) return { items, next: doc.docId };
    }
    return { items };
  }

  async beginIdempotent(input: {
    scope: string; key: string; requestHash: string; now: number; lockMs: number; retainMs: number;
  }): Promise<{ started: true } | { started: false; record: IdempotencyRecord }> {
    await tick();
    const pk = srcPk(input.scope);
    const sk = `${IDEM_PREFIX}${input.key}`;
    const item = this.get(pk, sk);
    // 'attribute_not_exists(pk) OR expiresAt < :nowSec OR (#st = :ip AND lockedUntil < :now)'
    const free = item === undefined || lt(item['expiresAt'], Math.floor(input.now / 1000))
      || (eq(item['status'], 'in_progress') && lt(item['lockedUntil'], input.now));
    if (!free) return { started: false, record: toIdempotencyRecord(item) };
    this.items.set(key(pk, sk), {
      pk, sk, idemKey: input.key, requestHash: input.requestHash, status: 'in_progress',
      lockedUntil: input.now + input.lockMs, expiresAt: Math.ceil((input.now + input.retainMs) / 1000),
    });
    return { started: true };
  }

  async completeIdempotent(input: { scope: string; key: string; requestHash: string; response: StoredResponse; now: number; retainMs: number }): Promise<void> {
    await tick();
    const pk = srcPk(input.scope);
    const sk = `${IDEM_PREFIX}${input.key}`;
    const item = this.get(pk, sk);
    // 'requestHash = :h AND #st = :ip'
    if (!(eq(item?.['requestHash'], input.requestHash) && eq(item?.['status'], 'in_progress'))) return;
    this.update(pk, sk, (it) => {
      it['status'] = 'complete';
      it['response'] = { statusCode: input.response.statusCode, body: input.response.body };
      it['expiresAt'] = Math.ceil((input.now + input.retainMs) / 1000);
      delete it['lockedUntil'];
    });
  }

  async releaseIdempotent(input: { scope: string; key: string; requestHash: string }): Promise<void> {
    await tick();
    const pk = srcPk(input.scope);
    const sk = `${IDEM_PREFIX}${input.key}`;
    const item = this.get(pk, sk);
    if (eq(item?.['requestHash'], input.requestHash) && eq(item?.['status'], 'in_progress')) this.items.delete(key(pk, sk));
  }

  // ───────────── helpers ─────────────

  /** A copy of the item, so callers never alias stored state. */
  protected get(pk: string, sk: string): Item | undefined {
    const item = this.items.get(key(pk, sk));
    return item ? clone(item) : undefined;
  }

  /** An UpdateItem: applies `fn` to the item (created with its key when missing) and returns the new item. */
  protected update(pk: string, sk: string, fn: (item: Item) => void): Item {
    const item = clone(this.items.get(key(pk, sk)) ?? { pk, sk });
    fn(item);
    this.items.set(key(pk, sk), item);
    return clone(item);
  }

  /** Items of one partition whose sort key starts with `prefix`, in sort-key (UTF-8 byte) order. */
  private query(pk: string, prefix: string): Item[] {
    const out: Item[] = [];
    for (const item of this.items.values()) {
      if (item['pk'] === pk && String(item['sk']).startsWith(prefix)) out.push(clone(item));
    }
    return out.sort((a, b) => compareBytes(String(a['sk']), String(b['sk'])));
  }
}

/** Every call yields once, as a network round trip would, so concurrent callers interleave. */
function tick(): Promise<void> {
  return Promise.resolve();
}

function key(pk: string, sk: string): string {
  return `${pk}\u0000${sk}`;
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

function has(item: Item | undefined, attribute: string): boolean {
  return item !== undefined && item[attribute] !== undefined;
}

function path(item: Item | undefined, attribute: string, field: string): unknown {
  const map = item?.[attribute];
  return map !== null && typeof map === 'object' ? (map as Record<string, unknown>)[field] : undefined;
}

/** DynamoDB comparisons: false when either side is missing or the types differ. */
function cmp(a: unknown, b: unknown): number | undefined {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return compareBytes(a, b);
  return undefined;
}

function lt(a: unknown, b: unknown): boolean {
  const c = cmp(a, b);
  return c !== undefined && c < 0;
}

function le(a: unknown, b: unknown): boolean {
  const c = cmp(a, b);
  return c !== undefined && c <= 0;
}

function eq(a: unknown, b: unknown): boolean {
  if (typeof a === 'boolean' || typeof b === 'boolean') return a === b;
  const c = cmp(a, b);
  return c !== undefined && c === 0;
}

function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

