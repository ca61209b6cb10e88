/**
 * The equivalence check: with zero added latency, the simulation's counts (embedding calls,
 * tokens, vectors written and deleted, state writes by port method) against a real run of the
 * same handlers (createFetcherHandler, createEmbedderHandler) over real adapters, on the same
 * corpus of real generated text: a backfill, then 1% of the documents edited and one more
 * scheduled pass. The real run uses the local stack's SQLite state store and task queue
 * (`sqlite: true`, what `npm run simulate -- --equivalence` runs) or the in-memory twins that
 * pass the same contract suites (CI), the in-memory vector store, and the hashing embedder on
 * both sides (so both count tokens alike), driven the way the local runtime's pollers drive the
 * handlers: one fetch task at a time, embed tasks in batches of 10 until both queues are empty.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createEmbedderHandler } from '../../functions/embedder/embedder.ts';
import { createFetcherHandler } from '../../functions/fetcher/fetcher.ts';
import { HashingEmbedder } from '../../shared/adapters/local/hashing-embedder.ts';
import { openDatabase } from '../../shared/adapters/local/sqlite/database.ts';
import { SqliteStateStore } from '../../shared/adapters/local/sqlite/sqlite-state-store.ts';
import { SqliteTaskQueue } from '../../shared/adapters/local/sqlite/sqlite-task-queue.ts';
import type { CoreDeps } from '../../shared/core/deps.ts';
import { silentLogger } from '../../shared/core/deps.ts';
import type { QueueName, StateStore, TaskQueue } from '../../shared/ports/index.ts';
import { settingsOf } from '../../shared/wiring/sources.ts';
import { generateCorpus } from '../../examples/generate-corpus.ts';
import { toRecord } from '../support/drain.ts';
import { ManualClock } from '../support/embedded.ts';
import { InMemoryStateStore } from '../support/memory-state-store.ts';
import { InMemoryTaskQueue } from '../support/memory-task-queue.ts';
import { InMemoryVectorStore } from '../support/memory-vector-store.ts';
import { Rng } from '../support/rng.ts';
import { parseSimConfig, type SimConfig } from './config.ts';
import { countingPorts, emptyCounts, stateWrites, type PortCounts } from './counting.ts';
import { SIM_EPOCH } from './engine.ts';
import { SyntheticSource } from './source.ts';
import { simTributaryConfig, sourceSpecs, World } from './world.ts';

export interface EquivalenceResult {
  readonly documents: number;
  readonly realAdapters: string;
  readonly simulated: PortCounts;
  readonly real: PortCounts;
  readonly equal: boolean;
  readonly differences: string[];
}

const EDIT_SHARE = 0.01;
const HOUR = 3_600_000;

/** The corpus: `documents` of real generated text over 10 sources (20 when larger); an edit appends a revision note to the last section. */
function corpusOf(documents: number): { config: SimConfig; text: (source: number, doc: number, version: number) => string } {
  // Zero added latency puts all the work in one virtual instant: per-second capacity means nothing there, so it is unbounded.
  const config = parseSimConfig({
    // Batches of one on both sides: with 10, the embedder's run-counter writes (one per run per
    // batch) follow how messages fall into batches, which the event source mapping and a drain
    // loop decide differently (75 against 64 at 300 documents); every other count is unaffected.
    corpus: { sources: documents >= 2_000 ? 20 : 10, documents, pageSize: 50 }, latency: { scale: 0 }, deploy: { embedderBatchSize: 1 },
    limits: { partitionWcu: Number.MAX_SAFE_INTEGER, partitionRcu: Number.MAX_SAFE_INTEGER },
  });
  const docs = generateCorpus({ count: documents, seed: 19 });
  const offsets: number[] = [];
  let at = 0;
  for (const spec of sourceSpecs(config)) {
    offsets.push(at);
    at += spec.documents;
  }
  const text = (source: number, doc: number, version: number): string => {
    // Every heading names its source: sources that run at once share no chunk text, so which of
    // them embeds a shared boilerplate section first (a race the simulation has and a sequential
    // run does not) cannot change the counts.
    const base = docs[(offsets[source]! + doc) % docs.length]!.text.replace(/^(#{1,6} .*)$/gm, `$1 · ${source}`);
    return version <= 1 ? base : `${base}\n\nRevision ${version}: this section was edited.`;
  };
  return { config, text };
}

/** The same edits on both sides: 1% of each source's documents, chosen by a seeded draw. */
function edits(config: SimConfig): Array<[source: number, doc: number]> {
  const rng = new Rng(config.seed + 11);
  return sourceSpecs(config).flatMap((spec, i) => Array.from({ length: Math.max(1, Math.round(spec.documents * EDIT_SHARE)) }, () => [i, rng.int(0, spec.documents - 1)] as [number, number]));
}

export async function simulatedCounts(documents: number): Promise<PortCounts> {
  const { config, text } = corpusOf(documents);
  const world = new World(config, { realText: text, embedder: new HashingEmbedder({ dimensions: 8 }) });
  void world.scheduleAll('schedule');
  await world.runUntilQuiet(30 * 24 * HOUR);
  world.sched.at(world.sched.clock.now() + HOUR, () => undefined);
  await world.sched.run(world.sched.clock.now() + HOUR);
  for (const [s, d] of edits(config)) world.source(s).edit(d, world.sched.clock.now());
  world.sched.at(world.sched.clock.now() + 60_000, () => undefined);
  await world.sched.run(world.sched.clock.now() + 60_000);
  void world.scheduleAll('schedule');
  await world.runUntilQuiet(30 * 24 * HOUR);
  return world.counts;
}

export async function realCounts(documents: number, options: { sqlite: boolean }): Promise<PortCounts> {
  const { config, text } = corpusOf(documents);
  const tributary = simTributaryConfig(config);
  const clock = new ManualClock(SIM_EPOCH);
  const sources = sourceSpecs(config).map((spec, i) => new SyntheticSource({ ...spec, realText: (n, v) => text(i, n, v) }));
  const byId = new Map(sources.map((s) => [s.sourceId, s]));
  const settings = new Map(tributary.sources.map((s) => [s.id, settingsOf(s, tributary.chunking)]));
  const dir = options.sqlite ? await mkdtemp(join(tmpdir(), 'tributary-equivalence-')) : undefined;
  const db = dir ? openDatabase({ file: join(dir, 'state.db') }) : undefined;
  try {
    const state: StateStore = db ? new SqliteStateStore(db) : new InMemoryStateStore();
    const queue: TaskQueue = db ? new SqliteTaskQueue(db, { maxReceiveCount: 10, receiver: 'equivalence', clock }) : new InMemoryTaskQueue({ clock });
    const counts = emptyCounts();
    const ports = countingPorts({ state, vectors: new InMemoryVectorStore(), embedder: new HashingEmbedder({ dimensions: 8 }) }, counts);
    const deps: CoreDeps = {
      ...ports, queue, clock, log: silentLogger, connector: (id) => byId.get(id), settings: (id) => settings.get(id), embeddingPricePerMillionTokensUsd: 0.02,
    };
    let owner = 0;
    const fetcher = createFetcherHandler(deps, { maxReceives: config.deploy.maxReceives, owner: () => `real:${++owner}` });
    const embedder = createEmbedderHandler(deps, { maxReceives: config.deploy.maxReceives });
    const pass = async (): Promise<void> => {
      await queue.sendFetch(sources.map((s) => ({ type: 'fetch', sourceId: s.sourceId, trigger: 'schedule', requestedAt: new Date(clock.now()).toISOString() })));
      for (;;) {
        const ran = await deliver(queue, 'fetch', 1, fetcher) + await deliver(queue, 'embed', config.deploy.embedderBatchSize, embedder);
        if (ran === 0) {
          const [f, e] = [await queue.depth('fetch'), await queue.depth('embed')];
          if (f.visible + f.inFlight + e.visible + e.inFlight === 0) return;
          clock.advance(60_000);
        }
      }
    };
    await pass();
    clock.advance(HOUR);
    for (const [s, d] of edits(config)) sources[s]!.edit(d, clock.now());
    clock.advance(60_000);
    await pass();
    return counts;
  } finally {
    db?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}

/** One receive → the handler → delete what succeeded; what failed waits out its visibility. Returns the messages handled. */
async function deliver(queue: TaskQueue, name: QueueName, max: number, handler: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>): Promise<number> {
  let handled = 0;
  for (;;) {
    const messages = await queue.receive(name, { max, waitSeconds: 0, visibilitySeconds: name === 'fetch' ? 5_400 : 1_800 });
    if (messages.length === 0) return handled;
    const response = await handler({ Records: messages.map((m) => toRecord(m) as SQSEvent['Records'][number]) }, {} as Context);
    const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
    await queue.ack(name, messages.filter((m) => !failed.has(m.messageId)).map((m) => m.receipt));
    handled += messages.length;
    if (name === 'fetch') return handled;
  }
}

export async function runEquivalence(documents: number, options: { sqlite: boolean }): Promise<EquivalenceResult> {
  const simulated = await simulatedCounts(documents);
  const real = await realCounts(documents, options);
  const differences: string[] = [];
  const compare = (name: string, a: number, b: number): void => {
    if (a !== b) differences.push(`${name}: simulated ${a}, real ${b}`);
  };
  compare('embedding calls', simulated.embeddingCalls, real.embeddingCalls);
  compare('tokens', simulated.tokens, real.tokens);
  compare('vectors written', simulated.vectorsUpserted, real.vectorsUpserted);
  compare('vectors deleted', simulated.vectorsDeleted, real.vectorsDeleted);
  compare('state writes', stateWrites(simulated), stateWrites(real));
  for (const key of new Set([...Object.keys(simulated.state), ...Object.keys(real.state)])) compare(`state.${key}`, simulated.state[key] ?? 0, real.state[key] ?? 0);
  return { documents, realAdapters: options.sqlite ? 'SQLite state store + SQLite task queue (local stack)' : 'in-memory twins', simulated, real, equal: differences.length === 0, differences };
}
