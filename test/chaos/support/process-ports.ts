import { TransientError } from '../../../shared/core/errors.ts';
import type {
  BreakerState,
  Embedder,
  EmbeddingResult,
  EmbedTask,
  FetchTask,
  LeaseResult,
  PassState,
  QueueName,
  SourceConnector,
  StateStore,
  TaskQueue,
  VectorRecord,
  VectorStore,
} from '../../../shared/ports/index.ts';
import type { PortOp, Proc } from './processes.ts';

/** What the oracles learn from the calls that really reached the ports. */
export interface Observer {
  leaseTaken(proc: Proc, owner: string, epoch: number): void;
  leaseRefused(proc: Proc, owner: string): void;
  /** A fenced write (saveProgress / finishRun) and whether the store accepted it. */
  fencedWrite(proc: Proc, write: FencedWrite): void;
  cacheLookup(proc: Proc, hashes: readonly string[], found: ReadonlySet<string>): void;
  cacheStored(proc: Proc, hashes: readonly string[]): void;
  embedded(proc: Proc, texts: readonly string[]): void;
  embedTasksSent(proc: Proc, tasks: readonly EmbedTask[]): void;
  fetchTasksSent(proc: Proc, tasks: readonly FetchTask[]): void;
  ledgerWritten(proc: Proc, docId: string): Promise<void>;
  /** A listing was served; `broken`: it came back empty by mistake. */
  listed(proc: Proc, broken: boolean): Promise<void>;
}

export interface FencedWrite {
  readonly call: 'saveProgress' | 'finishRun';
  readonly owner: string;
  readonly epoch: number;
  readonly accepted: boolean;
  readonly pass?: PassState;
  readonly watermark?: string;
  readonly ok?: boolean;
  readonly breaker?: BreakerState | null;
  /** What an accepted finishRun reported. */
  readonly rerunRequested?: boolean;
}

/** Failures of shared dependencies the scenario schedules (whichever process calls next). */
export interface SharedFaults {
  /** Next embedding API calls: throttled with Retry-After, server error, or timed out after doing the work. */
  embedApi: Array<'429' | '500' | 'timeout'>;
  /** Next calls of these vector store operations fail. */
  vectors: Map<'vectors.upsert' | 'vectors.delete' | 'vectors.listIds', number>;
  /** Next source pulls fail (an outage). */
  sourceOutages: number;
}

export interface SharedPorts {
  readonly state: StateStore;
  readonly queue: TaskQueue;
  readonly vectors: VectorStore;
  readonly embedder: Embedder;
  readonly source: SourceConnector;
}

async function call<T>(proc: Proc, op: PortOp, fn: () => Promise<T>, observe?: (value: T) => void | Promise<void>): Promise<T> {
  const n = await proc.enter(op);
  const value = await fn();
  await observe?.(value);
  proc.exit(op, n);
  return value;
}

/** A batch op a fault may cut in half: the first half is applied, then the process dies or the call fails. */
async function batch<T>(proc: Proc, op: PortOp, items: readonly T[], fn: (part: readonly T[]) => Promise<void>, observe?: (part: readonly T[]) => void | Promise<void>): Promise<void> {
  const n = await proc.enter(op);
  const fault = proc.partial(op, n);
  if (fault) {
    const half = items.slice(0, Math.floor(items.length / 2));
    if (half.length > 0) {
      await fn(half);
      await observe?.(half);
    }
    proc.midway(op, n, fault);
  }
  await fn(items);
  await observe?.(items);
  proc.exit(op, n);
}

/** The StateStore as one process sees it. */
export function processState(proc: Proc, inner: StateStore, observer: Observer): StateStore {
  return {
    getSource: (sourceId) => call(proc, 'state.getSource', () => inner.getSource(sourceId)),
    getSources: (ids) => call(proc, 'state.getSource', () => inner.getSources(ids)),
    acquireLease: (input) => call(proc, 'state.acquireLease', () => inner.acquireLease(input), (r: LeaseResult) => {
      if (r.acquired) observer.leaseTaken(proc, input.owner, r.epoch);
      else observer.leaseRefused(proc, input.owner);
    }),
    saveProgress: async (input) => {
      const n = await proc.enter('state.saveProgress');
      try {
        await inner.saveProgress(input);
      } catch (error) {
        observer.fencedWrite(proc, { call: 'saveProgress', owner: input.owner, epoch: input.epoch, accepted: false });
        throw error;
      }
      observer.fencedWrite(proc, { call: 'saveProgress', owner: input.owner, epoch: input.epoch, accepted: true, pass: input.pass });
      proc.exit('state.saveProgress', n);
    },
    finishRun: async (input) => {
      const n = await proc.enter('state.finishRun');
      const write = {
        call: 'finishRun' as const, owner: input.owner, epoch: input.epoch, ok: input.outcome.ok,
        ...(input.outcome.ok && input.outcome.watermark !== undefined ? { watermark: input.outcome.watermark } : {}),
        ...(input.breaker !== undefined ? { breaker: input.breaker } : {}),
      };
      let result: { rerunRequested: boolean };
      try {
        result = await inner.finishRun(input);
      } catch (error) {
        observer.fencedWrite(proc, { ...write, accepted: false });
        throw error;
      }
      observer.fencedWrite(proc, { ...write, accepted: true, rerunRequested: result.rerunRequested });
      proc.exit('state.finishRun', n);
      return result;
    },
    resetSource: (sourceId) => inner.resetSource(sourceId),
    getDocuments: (sourceId, ids) => call(proc, 'state.getDocuments', () => inner.getDocuments(sourceId, ids)),
    listDocuments: (sourceId) => ({
      async *[Symbol.asyncIterator]() {
        const n = await proc.enter('state.listDocuments');
        for await (const entry of inner.listDocuments(sourceId)) yield entry;
        proc.exit('state.listDocuments', n);
      },
    }),
    markPending: (sourceId, marks) => batch(proc, 'state.markPending', marks, (part) => inner.markPending(sourceId, part)),
    releasePending: (input) => call(proc, 'state.releasePending', () => inner.releasePending(input)),
    touchDocument: (input) => call(proc, 'state.touchDocument', () => inner.touchDocument(input), async (ok) => {
      if (ok) await observer.ledgerWritten(proc, input.docId);
    }),
    claimDocument: (input) => call(proc, 'state.claimDocument', () => inner.claimDocument(input)),
    commitDocument: (commit) => call(proc, 'state.commitDocument', () => inner.commitDocument(commit), async (ok) => {
      if (ok) await observer.ledgerWritten(proc, commit.docId);
    }),
    commitDeletion: (input) => call(proc, 'state.commitDeletion', () => inner.commitDeletion(input), async (ok) => {
      if (ok) await observer.ledgerWritten(proc, input.docId);
    }),
    putRun: (run) => call(proc, 'state.putRun', () => inner.putRun(run)),
    updateRun: (sourceId, runId, patch) => call(proc, 'state.updateRun', () => inner.updateRun(sourceId, runId, patch)),
    addRunCounters: (sourceId, runId, delta) => call(proc, 'state.addRunCounters', () => inner.addRunCounters(sourceId, runId, delta)),
    // Counted with addRunCounters: both are an embedder's report to its run.
    addRunFailures: (sourceId, runId, failures, max) => call(proc, 'state.addRunCounters', () => inner.addRunFailures(sourceId, runId, failures, max)),
    getRun: (sourceId, runId) => call(proc, 'state.getSource', () => inner.getRun(sourceId, runId)),
    listRuns: (sourceId, limit) => call(proc, 'state.getSource', () => inner.listRuns(sourceId, limit)),
    getEmbeddings: (model, dimensions, hashes) => call(proc, 'state.getEmbeddings', () => inner.getEmbeddings(model, dimensions, hashes), (found) => {
      observer.cacheLookup(proc, hashes, new Set(found.keys()));
    }),
    putEmbeddings: (model, dimensions, entries) => batch(proc, 'state.putEmbeddings', [...entries],
      (part) => inner.putEmbeddings(model, dimensions, new Map(part)), (part) => observer.cacheStored(proc, part.map(([h]) => h))),
  };
}

/** The TaskQueue as one process sees it. */
export function processQueue(proc: Proc, inner: TaskQueue, observer: Observer): TaskQueue {
  return {
    sendFetch: (tasks: readonly FetchTask[]) => call(proc, 'queue.sendFetch', () => inner.sendFetch(tasks), () => observer.fetchTasksSent(proc, tasks)),
    sendEmbed: (tasks: readonly EmbedTask[]) => batch(proc, 'queue.sendEmbed', tasks, (part) => inner.sendEmbed(part), (part) => observer.embedTasksSent(proc, part)),
    deadLetter: (queue: QueueName, raw, reason) => call(proc, 'queue.deadLetter', () => inner.deadLetter(queue, raw, reason)),
    receive: (queue, options) => inner.receive(queue, options),
    ack: (queue, receipts) => call(proc, 'queue.ack', () => inner.ack(queue, receipts)),
    release: (queue, receipt, delay) => inner.release(queue, receipt, delay),
    depth: (queue) => inner.depth(queue),
    listDeadLetters: (queue, max) => inner.listDeadLetters(queue, max),
  };
}

/** The VectorStore as one process sees it; scheduled store failures hit whichever process calls. */
export function processVectors(proc: Proc, inner: VectorStore, shared: SharedFaults): VectorStore {
  const failing = (op: 'vectors.upsert' | 'vectors.delete' | 'vectors.listIds'): void => {
    const left = shared.vectors.get(op) ?? 0;
    if (left <= 0) return;
    shared.vectors.set(op, left - 1);
    throw new TransientError(`vector store unavailable (${op}: 503)`);
  };
  return {
    upsert: (records: readonly VectorRecord[]) => batch(proc, 'vectors.upsert', records, async (part) => {
      failing('vectors.upsert');
      await inner.upsert(part);
    }),
    delete: (ids: readonly string[]) => batch(proc, 'vectors.delete', ids, async (part) => {
      failing('vectors.delete');
      await inner.delete(part);
    }),
    listIds: (prefix) => call(proc, 'vectors.listIds', async () => {
      failing('vectors.listIds');
      return inner.listIds(prefix);
    }),
    scan: (prefix) => inner.scan(prefix),
    query: (q) => inner.query(q),
  };
}

/** The embedding API as one process sees it: it may throttle (429 + Retry-After), fail (500) or time out. */
export function processEmbedder(proc: Proc, inner: Embedder, shared: SharedFaults, observer: Observer): Embedder {
  return {
    model: inner.model,
    dimensions: inner.dimensions,
    embed: (texts) => call(proc, 'embedder.embed', async (): Promise<EmbeddingResult> => {
      const failure = texts.length > 0 ? shared.embedApi.shift() : undefined;
      if (failure === '429') {
        throw new TransientError('OpenAI embeddings request failed: 429 Too Many Requests', { context: { status: 429, retryAfterMs: 20_000 } });
      }
      if (failure === '500') throw new TransientError('OpenAI embeddings request failed: 500 Internal Server Error', { context: { status: 500 } });
      observer.embedded(proc, texts);
      const result = await inner.embed(texts);
      // The provider did the work (and billed it); the response never arrived.
      if (failure === 'timeout') throw new TransientError('OpenAI embeddings request timed out', { context: { timeoutMs: 60_000 } });
      return result;
    }),
  };
}

/** The source as one process sees it: its pulls and listings are park points. */
export function processSource(proc: Proc, inner: SourceConnector & { readonly brokenListings: number }, shared: SharedFaults, observer: Observer): SourceConnector {
  const list = inner.list?.bind(inner);
  return {
    sourceId: inner.sourceId,
    pull: (cursor, window) => call(proc, 'source.pull', async () => {
      if (shared.sourceOutages > 0) {
        shared.sourceOutages -= 1;
        throw new TransientError('source unavailable: 503 Service Unavailable');
      }
      return inner.pull(cursor, window);
    }),
    fetch: (ids) => call(proc, 'source.fetch', () => inner.fetch(ids)),
    ...(list ? {
      list: () => ({
        async *[Symbol.asyncIterator]() {
          const n = await proc.enter('source.list');
          const broken = inner.brokenListings > 0;
          const items = [];
          for await (const item of list()) items.push(item);
          // Only a listing that came back empty by mistake; an empty source is not one.
          await observer.listed(proc, broken);
          proc.exit('source.list', n);
          yield* items;
        },
      }),
    } : {}),
  };
}
