/**
 * The Lambda time budget: a fetch run that meets its deadline persists its cursor and enqueues
 * a continuation; the continuation finishes the pass; nothing is fetched, embedded or written
 * twice. Time is a ManualClock that the source's pull moves forward, as a slow API would.
 */
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createFetcherHandler } from '../../functions/fetcher/fetcher.ts';
import { HashingEmbedder } from '../../shared/adapters/local/hashing-embedder.ts';
import { auditClean, auditSource } from '../../shared/core/audit.ts';
import { chunkDocument } from '../../shared/core/chunker.ts';
import type { CoreDeps } from '../../shared/core/deps.ts';
import { silentLogger } from '../../shared/core/deps.ts';
import { runFetch } from '../../shared/core/fetch-run.ts';
import type { EmbedTask, FetchTask, SourceConnector, TaskQueue } from '../../shared/ports/index.ts';
import { drainEmbedQueue, toRecord } from '../support/drain.ts';
import { ManualClock, testSettings } from '../support/embedded.ts';
import { InMemoryStateStore } from '../support/memory-state-store.ts';
import { InMemoryTaskQueue } from '../support/memory-task-queue.ts';
import { InMemoryVectorStore } from '../support/memory-vector-store.ts';
import { Rng } from '../support/rng.ts';
import { makeSections, SimulatedSource, textOf } from './support/sim-source.ts';

const SOURCE = 'docs';
const DOCS = 20;
const PAGE = 2;
/** Each page takes this long to pull: 10 pages are 40 s of work. */
const PULL_MS = 4_000;
/** Each invocation has 30 s; the core stops 10 s before the deadline, after about 5 pages. */
const BUDGET_MS = 30_000;

function world() {
  const clock = new ManualClock();
  const source = new SimulatedSource({ sourceId: SOURCE, mode: 'listing', pageSize: PAGE, clock, skewMs: () => 0, inline: false });
  const rng = new Rng(7);
  for (let i = 0; i < DOCS; i++) source.put(`doc-${String(i).padStart(2, '0')}.md`, makeSections(rng, 2, 4));
  /** The source, with every pull taking PULL_MS of the clock. */
  const slow: SourceConnector = {
    sourceId: SOURCE,
    pull: async (cursor, window) => {
      clock.advance(PULL_MS);
      return source.pull(cursor, window);
    },
    fetch: (ids) => source.fetch(ids),
    list: () => source.list(),
  };
  const state = new InMemoryStateStore();
  const queue = new InMemoryTaskQueue({ clock });
  const vectors = new InMemoryVectorStore();
  const embedder = new HashingEmbedder({ dimensions: 16 });
  const settings = testSettings(SOURCE, { chunking: { targetTokens: 60, maxTokens: 200 } });
  const sent: EmbedTask[] = [];
  /** The queue, recording every embed task sent. */
  const recording: TaskQueue = {
    sendFetch: (tasks) => queue.sendFetch(tasks),
    sendEmbed: async (tasks) => {
      sent.push(...tasks);
      await queue.sendEmbed(tasks);
    },
    deadLetter: (name, raw, reason) => queue.deadLetter(name, raw, reason),
    receive: (name, options) => queue.receive(name, options),
    ack: (name, receipts) => queue.ack(name, receipts),
    release: (name, receipt, delay) => queue.release(name, receipt, delay),
    depth: (name) => queue.depth(name),
    listDeadLetters: (name, max) => queue.listDeadLetters(name, max),
  };
  const deps: CoreDeps = {
    state, queue: recording, vectors, embedder, clock, log: silentLogger,
    connector: (id) => (id === SOURCE ? slow : undefined),
    settings: (id) => (id === SOURCE ? settings : undefined),
  };
  return { clock, source, state, queue, vectors, embedder, deps, sent, settings };
}

/** One fetcher Lambda invocation on the next fetch task, with `budgetMs` left. */
async function invokeFetcher(w: ReturnType<typeof world>, budgetMs: number): Promise<FetchTask | undefined> {
  const [message] = await w.queue.receive('fetch', { max: 1, waitSeconds: 0 });
  if (!message) return undefined;
  const deadline = w.clock.now() + budgetMs;
  const handler = createFetcherHandler(w.deps, { maxReceives: 3, owner: () => `lambda:${message.messageId}` });
  const response = await handler({ Records: [toRecord(message)] }, { getRemainingTimeInMillis: () => deadline - w.clock.now() } as Context);
  expect(response.batchItemFailures).toEqual([]);
  await w.queue.ack('fetch', [message.receipt]);
  return message.body as FetchTask;
}

describe('Lambda time budget', () => {
  it('stops before the deadline with its cursor saved, and a continuation finishes the pass', async () => {
    // Prepare
    const w = world();
    const startedAt = w.clock.now();
    await w.queue.sendFetch([{ type: 'fetch', sourceId: SOURCE, trigger: 'schedule', requestedAt: new Date(startedAt).toISOString() }]);

    // Act: the first invocation runs out of time
    const first = await invokeFetcher(w, BUDGET_MS);
    const cut = await w.state.getSource(SOURCE);
    const waiting = w.queue.peek('fetch');

    // Assess: cursor persisted after the last whole page, a continuation is queued, the lease is free
    expect(first?.trigger).toBe('schedule');
    expect(cut?.pass).toMatchObject({ pages: 6, cursor: { after: 'doc-11.md' }, snapshotAt: new Date(startedAt).toISOString() });
    expect(cut?.leaseOwner).toBeUndefined();
    expect(cut?.watermark).toBeUndefined();
    expect(waiting.map((m) => (JSON.parse(m.raw) as FetchTask).trigger)).toEqual(['continuation']);
    expect(new Set(w.sent.map((t) => t.docId)).size).toBe(12);

    // Act: the continuation
    const second = await invokeFetcher(w, BUDGET_MS);
    const done = await w.state.getSource(SOURCE);

    // Assess: it picked up after the cursor and finished the pass
    expect(second?.trigger).toBe('continuation');
    expect(done?.pass).toBeUndefined();
    expect(done?.watermark).toBe(new Date(startedAt).toISOString());
    expect(w.queue.peek('fetch')).toEqual([]);
    expect(w.source.stats.pulls).toBe(10);
  });

  it('indexes every document exactly once across the invocations: one task, one embedding and one write per chunk', async () => {
    // Prepare
    const w = world();
    await w.queue.sendFetch([{ type: 'fetch', sourceId: SOURCE, trigger: 'schedule', requestedAt: new Date(w.clock.now()).toISOString() }]);

    // Act: invocations until the chain ends, then the embedders
    const triggers: string[] = [];
    for (let task = await invokeFetcher(w, BUDGET_MS); task; task = await invokeFetcher(w, BUDGET_MS)) triggers.push(task.trigger);
    await drainEmbedQueue(w.deps);

    // Assess
    const chunks = [...w.source.docs.values()].flatMap((d) => chunkDocument(textOf(d), 'markdown', w.settings.chunking));
    expect(triggers).toEqual(['schedule', 'continuation']);
    expect(w.sent).toHaveLength(DOCS);
    expect(new Set(w.sent.map((t) => t.docId)).size).toBe(DOCS);
    expect(w.embedder.stats.texts).toBe(new Set(chunks.map((c) => c.hash)).size);
    expect(w.vectors.writes).toBe(chunks.length);
    expect((await w.vectors.listIds(`${SOURCE}#`)).length).toBe(chunks.length);
    expect(auditClean(await auditSource(w.deps, SOURCE))).toBe(true);
  });

  it('lets a direct run (no Lambda) stop at its deadline and resume in the next run', async () => {
    // Prepare
    const w = world();
    const task: FetchTask = { type: 'fetch', sourceId: SOURCE, trigger: 'cli', requestedAt: new Date(w.clock.now()).toISOString() };

    // Act
    const cut = await runFetch(w.deps, task, { owner: 'host:1', deadline: w.clock.now() + 15_000 });
    const resumed = await runFetch(w.deps, { ...task, trigger: 'continuation' }, { owner: 'host:1' });

    // Assess: 15 s leave room for two pages; the rest follows, each page once
    expect(cut.status).toBe('continued');
    expect(cut.counters.docsSeen).toBe(4);
    expect(resumed.status).toBe('completed');
    expect(resumed.counters.docsSeen).toBe(DOCS - 4);
    expect(w.source.stats.pulls).toBe(10);
  });
});
