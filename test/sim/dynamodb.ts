/**
 * The simulated DynamoDB state table. Semantics come from the in-memory twin that passes the
 * StateStore contract suite (one twin per source, so a source's queries stay small at a
 * million documents); this layer adds what DynamoDB costs: a latency per request, and
 * capacity units metered per partition key and per second, as the DynamoDB adapter spends
 * them (the item keys and request shapes of shared/adapters/aws/dynamodb-state-store.ts:
 * single-item conditional updates for the ledger and leases, BatchGetItem of 100,
 * BatchWriteItem of 25 for the embedding cache). A partition key asked for more than its
 * 1,000 WCU (3,000 RCU) in a second is throttled: the SDK's retries back off (three attempts),
 * then the call fails with a retryable error, as ProvisionedThroughputExceeded does.
 *
 * The model is conservative on purpose: one partition key is one partition (adaptive
 * capacity can split a hot item collection by sort key, never a single item).
 */
import { embPk, embShardPk } from '../../shared/adapters/aws/dynamodb-items.ts';
import { TransientError } from '../../shared/core/errors.ts';
import type {
  ClaimResult, Cursor, DocumentCommit, DocumentIssue, LeaseResult, LedgerEntry, PassState, PendingMarker,
  RunCounters, RunRecord, SourceState, StateStore, BreakerState,
} from '../../shared/ports/index.ts';
import { InMemoryStateStore } from '../support/memory-state-store.ts';
import type { Latencies, LatencySpec, Scheduler } from './engine.ts';
import type { SimConfig } from './config.ts';

type Op = 'get' | 'update' | 'batch' | 'query';

/** Capacity per (partition key, second), and the hottest seen. */
export class PartitionMeter {
  private second = -1;
  private readonly wcu = new Map<string, number>();
  private readonly rcu = new Map<string, number>();
  private readonly itemWrites = new Map<string, number>();
  /** Highest WCU one partition key consumed in one second, and which. */
  hottest = { pk: '', wcuPerSecond: 0 };
  hottestItem = { key: '', writesPerSecond: 0 };
  throttles = 0;
  /** Throttled requests by item kind (`DOC`, `RUN`, `STATE`, `EMB`…). */
  readonly throttledKinds: Record<string, number> = {};
  totalWcu = 0;
  totalRcu = 0;
  writeRequests = 0;
  readRequests = 0;

  constructor(private readonly limits: { partitionWcu: number; partitionRcu: number }) {}

  private roll(nowMs: number): void {
    const s = Math.floor(nowMs / 1000);
    if (s === this.second) return;
    this.second = s;
    this.wcu.clear();
    this.rcu.clear();
    this.itemWrites.clear();
  }

  /** Forgets the hottest seen (a new scenario). */
  resetHottest(): void {
    this.hottest = { pk: '', wcuPerSecond: 0 };
    this.hottestItem = { key: '', writesPerSecond: 0 };
  }

  /** Takes capacity for a write; false when the partition is out of it this second (throttled). */
  write(nowMs: number, pk: string, sk: string, units: number): boolean {
    this.roll(nowMs);
    const used = (this.wcu.get(pk) ?? 0) + units;
    if (used > this.limits.partitionWcu) {
      this.throttles += 1;
      const kind = pk.startsWith('EMB#') ? 'EMB' : sk.replace(/#.*/, '');
      this.throttledKinds[kind] = (this.throttledKinds[kind] ?? 0) + 1;
      return false;
    }
    this.wcu.set(pk, used);
    this.totalWcu += units;
    this.writeRequests += 1;
    if (used > this.hottest.wcuPerSecond) this.hottest = { pk: partitionLabel(pk), wcuPerSecond: used };
    const item = `${pk}|${sk}`;
    const n = (this.itemWrites.get(item) ?? 0) + 1;
    this.itemWrites.set(item, n);
    if (n > this.hottestItem.writesPerSecond) this.hottestItem = { key: `${partitionLabel(pk)} / ${sk.replace(/#.*/, '#…')}`, writesPerSecond: n };
    return true;
  }

  read(nowMs: number, pk: string, units: number): boolean {
    this.roll(nowMs);
    const used = (this.rcu.get(pk) ?? 0) + units;
    if (used > this.limits.partitionRcu) {
      this.throttles += 1;
      return false;
    }
    this.rcu.set(pk, used);
    this.totalRcu += units;
    this.readRequests += 1;
    return true;
  }
}

/** `SRC#src-0042` → `SRC#<source>` is too coarse to find the hot one; keep the id. */
const partitionLabel = (pk: string): string => pk;

const kb = (bytes: number): number => Math.max(1, Math.ceil(bytes / 1024));
const readUnits = (bytes: number, consistent: boolean): number => Math.max(1, Math.ceil(bytes / 4096)) * (consistent ? 1 : 0.5);
const STATE_BYTES = 900;
const RUN_BYTES = 1_200;
const ledgerBytes = (chunks: number): number => 320 + 66 * chunks;
const SDK_ATTEMPTS = 3;

/** Writes by port method: what the equivalence compares with a real run. */
export type StateWriteCounts = Record<string, number>;

export class SimStateStore implements StateStore {
  private readonly twins = new Map<string, InMemoryStateStore>();
  private readonly cache = new Map<string, Set<number>>();
  private readonly chunkCounts = new Map<string, number>();
  readonly meter: PartitionMeter;
  readonly writes: StateWriteCounts = {};
  private readonly zero: Float32Array;

  constructor(
    private readonly sched: Scheduler,
    private readonly lat: Latencies,
    private readonly config: SimConfig,
    /** Dimensions of the vectors the simulated embedder returns (small: they are never compared). */
    simDimensions: number,
  ) {
    this.meter = new PartitionMeter(config.limits);
    this.zero = new Float32Array(simDimensions);
  }

  private twin(sourceId: string): InMemoryStateStore {
    let t = this.twins.get(sourceId);
    if (!t) {
      t = new InMemoryStateStore();
      this.twins.set(sourceId, t);
    }
    return t;
  }

  private spec(op: Op): LatencySpec {
    const l = this.config.latency;
    return op === 'get' ? l.dynamoGet : op === 'update' ? l.dynamoUpdate : op === 'batch' ? l.dynamoBatch : l.dynamoQuery;
  }

  /**
   * One request: its latency, then its capacity (retried with the SDK's backoff while the
   * partition is throttled), then the twin's work.
   */
  private async request<T>(op: Op, writes: ReadonlyArray<readonly [pk: string, sk: string, units: number]>, reads: ReadonlyArray<readonly [pk: string, units: number]>, work: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const wait = this.lat.draw(this.spec(op));
      if (wait > 0) await this.sched.sleep(wait);
      const now = this.sched.clock.now();
      const ok = writes.every(([pk, sk, u]) => this.meter.write(now, pk, sk, u)) && reads.every(([pk, u]) => this.meter.read(now, pk, u));
      if (ok) return work();
      if (attempt >= SDK_ATTEMPTS) throw new TransientError('ProvisionedThroughputExceededException: the partition is over its throughput (simulated)');
      // The SDK's throttling backoff: full jitter on a 500 ms base, doubling.
      await this.sched.sleep(Math.round(this.lat.float() * 500 * 2 ** (attempt - 1)) + 1);
    }
  }

  private count(method: string, n = 1): void {
    this.writes[method] = (this.writes[method] ?? 0) + n;
  }

  private docBytes(sourceId: string, docId: string): number {
    return ledgerBytes(this.chunkCounts.get(`${sourceId}\u0000${docId}`) ?? 0);
  }

  // ───────────── source states ─────────────

  getSource(sourceId: string): Promise<SourceState | undefined> {
    return this.request('get', [], [[`SRC#${sourceId}`, 1]], () => this.twin(sourceId).getSource(sourceId));
  }

  async getSources(sourceIds: readonly string[]): Promise<Map<string, SourceState>> {
    const out = new Map<string, SourceState>();
    for (let i = 0; i < sourceIds.length; i += 100) {
      const slice = sourceIds.slice(i, i + 100);
      await this.request('batch', [], slice.map((id) => [`SRC#${id}`, 1] as const), async () => {
        for (const id of slice) {
          const s = await this.twin(id).getSource(id);
          if (s) out.set(id, s);
        }
      });
    }
    return out;
  }

  acquireLease(input: { sourceId: string; owner: string; now: number; ttlMs: number; deadOwner?: string }): Promise<LeaseResult> {
    this.count('acquireLease');
    return this.request('update', [[`SRC#${input.sourceId}`, 'STATE', kb(STATE_BYTES)]], [], () => this.twin(input.sourceId).acquireLease(input));
  }

  saveProgress(input: { sourceId: string; owner: string; epoch: number; now: number; ttlMs: number; pass: PassState }): Promise<void> {
    this.count('saveProgress');
    return this.request('update', [[`SRC#${input.sourceId}`, 'STATE', kb(STATE_BYTES)]], [], () => this.twin(input.sourceId).saveProgress(input));
  }

  finishRun(input: {
    sourceId: string; owner: string; epoch: number; now: number;
    outcome: { ok: true; watermark?: string; feed?: Cursor; keepPass?: PassState } | { ok: false; error: string; keepPass?: PassState };
    breaker?: BreakerState | null; keepRerunRequested?: boolean;
  }): Promise<{ rerunRequested: boolean }> {
    this.count('finishRun');
    return this.request('update', [[`SRC#${input.sourceId}`, 'STATE', kb(STATE_BYTES)]], [], () => this.twin(input.sourceId).finishRun(input));
  }

  resetSource(sourceId: string): Promise<void> {
    this.count('resetSource');
    return this.request('update', [[`SRC#${sourceId}`, 'STATE', 1]], [], () => this.twin(sourceId).resetSource(sourceId));
  }

  // ───────────── ledger ─────────────

  async getDocuments(sourceId: string, docIds: readonly string[]): Promise<Map<string, LedgerEntry>> {
    const pk = `SRC#${sourceId}`;
    const units = docIds.reduce((sum, id) => sum + readUnits(this.docBytes(sourceId, id), true), 0);
    return this.request('batch', [], [[pk, units]], () => this.twin(sourceId).getDocuments(sourceId, docIds));
  }

  async *listDocuments(sourceId: string): AsyncIterable<LedgerEntry> {
    const entries: LedgerEntry[] = [];
    for await (const e of this.twin(sourceId).listDocuments(sourceId)) entries.push(e);
    // A Query returns 1 MB per page.
    const bytes = entries.reduce((sum, e) => sum + ledgerBytes(e.chunkHashes?.length ?? 0), 0);
    for (let page = 0; page * 1_048_576 < Math.max(1, bytes); page++) {
      await this.request('query', [], [[`SRC#${sourceId}`, Math.min(bytes - page * 1_048_576, 1_048_576) / 4096 / 2]], async () => undefined);
    }
    yield* entries;
  }

  async markPending(sourceId: string, marks: ReadonlyArray<{ docId: string; pending: PendingMarker }>): Promise<void> {
    // One conditional UpdateItem per document (the adapter runs them 16 at a time).
    this.count('markPending', marks.length);
    const pk = `SRC#${sourceId}`;
    for (let i = 0; i < marks.length; i += 16) {
      const slice = marks.slice(i, i + 16);
      await Promise.all(slice.map((m) => this.request('update', [[pk, `DOC#${m.docId}`, kb(this.docBytes(sourceId, m.docId))]], [], () => this.twin(sourceId).markPending(sourceId, [m]))));
    }
  }

  releasePending(input: { sourceId: string; docId: string; rev: string }): Promise<void> {
    this.count('releasePending');
    return this.request('update', [[`SRC#${input.sourceId}`, `DOC#${input.docId}`, kb(this.docBytes(input.sourceId, input.docId))]], [], () => this.twin(input.sourceId).releasePending(input));
  }

  touchDocument(input: { sourceId: string; docId: string; expectRev: string; rev: string; version: string }): Promise<boolean> {
    this.count('touchDocument');
    return this.request('update', [[`SRC#${input.sourceId}`, `DOC#${input.docId}`, kb(this.docBytes(input.sourceId, input.docId))]], [], () => this.twin(input.sourceId).touchDocument(input));
  }

  claimDocument(input: { sourceId: string; docId: string; rev: string }): Promise<ClaimResult> {
    this.count('claimDocument');
    return this.request('update', [[`SRC#${input.sourceId}`, `DOC#${input.docId}`, kb(this.docBytes(input.sourceId, input.docId))]], [], () => this.twin(input.sourceId).claimDocument(input));
  }

  commitDocument(commit: DocumentCommit): Promise<boolean> {
    this.count('commitDocument');
    this.chunkCounts.set(`${commit.sourceId}\u0000${commit.docId}`, commit.chunkHashes.length);
    return this.request('update', [[`SRC#${commit.sourceId}`, `DOC#${commit.docId}`, kb(ledgerBytes(commit.chunkHashes.length))]], [], () => this.twin(commit.sourceId).commitDocument(commit));
  }

  commitDeletion(input: { sourceId: string; docId: string; rev: string; at: string }): Promise<boolean> {
    this.count('commitDeletion');
    return this.request('update', [[`SRC#${input.sourceId}`, `DOC#${input.docId}`, kb(this.docBytes(input.sourceId, input.docId))]], [], () => this.twin(input.sourceId).commitDeletion(input));
  }

  // ───────────── run log ─────────────

  putRun(run: RunRecord): Promise<void> {
    this.count('putRun');
    return this.request('update', [[`SRC#${run.sourceId}`, `RUN#${run.runId}`, kb(RUN_BYTES)]], [], () => this.twin(run.sourceId).putRun(run));
  }

  updateRun(sourceId: string, runId: string, patch: Partial<Omit<RunRecord, 'sourceId' | 'runId'>>): Promise<void> {
    this.count('updateRun');
    return this.request('update', [[`SRC#${sourceId}`, `RUN#${runId}`, kb(RUN_BYTES)]], [], () => this.twin(sourceId).updateRun(sourceId, runId, patch));
  }

  addRunCounters(sourceId: string, runId: string, delta: Partial<RunCounters>): Promise<void> {
    this.count('addRunCounters');
    return this.request('update', [[`SRC#${sourceId}`, `RUN#${runId}`, kb(RUN_BYTES)]], [], () => this.twin(sourceId).addRunCounters(sourceId, runId, delta));
  }

  addRunFailures(sourceId: string, runId: string, failures: readonly DocumentIssue[], max: number): Promise<void> {
    this.count('addRunFailures');
    return this.request('update', [[`SRC#${sourceId}`, `RUN#${runId}`, kb(RUN_BYTES)]], [], () => this.twin(sourceId).addRunFailures(sourceId, runId, failures, max));
  }

  getRun(sourceId: string, runId: string): Promise<RunRecord | undefined> {
    return this.request('get', [], [[`SRC#${sourceId}`, 1]], () => this.twin(sourceId).getRun(sourceId, runId));
  }

  listRuns(sourceId: string, limit: number): Promise<RunRecord[]> {
    return this.request('query', [], [[`SRC#${sourceId}`, 1]], () => this.twin(sourceId).listRuns(sourceId, limit));
  }

  // ───────────── embedding cache (kept as 52-bit hash prefixes: 20M entries fit) ─────────────

  private cacheOf(model: string, dimensions: number): { pk: string; set: Set<number> } {
    const pk = `EMB#${model}#${dimensions}`;
    let set = this.cache.get(pk);
    if (!set) {
      set = new Set();
      this.cache.set(pk, set);
    }
    return { pk, set };
  }

  /** The partition key of a chunk's item: the adapter's shards, or the one key it had before (`single`). */
  private cachePk(model: string, dimensions: number, hash: string): string {
    return this.config.deploy.embeddingCache === 'single' ? embPk(model, dimensions) : embShardPk(model, dimensions, hash);
  }

  async getEmbeddings(model: string, dimensions: number, hashes: readonly string[]): Promise<Map<string, Float32Array>> {
    const { pk, set } = this.cacheOf(model, dimensions);
    const out = new Map<string, Float32Array>();
    const itemUnits = readUnits(this.config.limits.dimensions * 4 + 100, false);
    const reads = (slice: readonly string[], legacy: boolean): Array<readonly [string, number]> => {
      const units = new Map<string, number>();
      for (const h of slice) {
        const key = legacy ? pk : this.cachePk(model, dimensions, h);
        // A key not found costs the minimum (0.5 RCU eventually consistent).
        units.set(key, (units.get(key) ?? 0) + (set.has(hashKey(h)) ? itemUnits : 0.5));
      }
      return [...units];
    };
    for (let i = 0; i < hashes.length; i += 100) {
      const slice = hashes.slice(i, i + 100);
      await this.request('batch', [], reads(slice, false), async () => {
        for (const h of slice) if (set.has(hashKey(h))) out.set(h, this.zero);
      });
      // The sharded layout looks misses up under the unsharded key too (vectors cached before it).
      const misses = slice.filter((h) => !out.has(h));
      if (this.config.deploy.embeddingCache === 'sharded' && misses.length > 0) await this.request('batch', [], reads(misses, true), async () => undefined);
    }
    return out;
  }

  async putEmbeddings(model: string, dimensions: number, entries: ReadonlyMap<string, Float32Array>): Promise<void> {
    const { set } = this.cacheOf(model, dimensions);
    const hashes = [...entries.keys()];
    this.count('putEmbeddings', hashes.length);
    const units = kb(this.config.limits.dimensions * 4 + 100);
    // BatchWriteItem of 25, 4 at a time (dynamodb-table.ts).
    for (let i = 0; i < hashes.length; i += 100) {
      const group = hashes.slice(i, i + 100);
      await Promise.all(chunk(group, 25).map((slice) => this.request('batch', slice.map((h) => [this.cachePk(model, dimensions, h), h, units] as const), [], async () => {
        for (const h of slice) set.add(hashKey(h));
      })));
    }
  }

  /** Sources with state (for the report). */
  get sourceCount(): number {
    return this.twins.size;
  }

  /** The twin of a source, for checks (ledger contents). */
  twinOf(sourceId: string): InMemoryStateStore {
    return this.twin(sourceId);
  }
}

const hashKey = (hash: string): number => Number.parseInt(hash.slice(0, 13), 16);

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
