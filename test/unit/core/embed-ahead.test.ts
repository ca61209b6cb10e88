import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { auditClean, auditSource } from '../../../shared/core/audit.ts';
import { EmbedAheadBuffer, type Waiter } from '../../../shared/core/embed-ahead.ts';
import { ConfigError, DocumentError } from '../../../shared/core/errors.ts';
import { runFetch } from '../../../shared/core/fetch-run.ts';
import { silentLogger } from '../../../shared/core/deps.ts';
import { HashingEmbedder } from '../../../shared/adapters/local/hashing-embedder.ts';
import type { Embedder, EmbeddingResult, FetchTask, RequestLimits, RunCounters } from '../../../shared/ports/index.ts';
import { drainEmbedQueue } from '../../support/drain.ts';
import { startServers, testPipeline, type EmbeddedServers, type TestPipeline } from '../../support/embedded.ts';
import { MemorySource } from '../../support/memory-source.ts';

/** An embedder that behaves like a provider: requests within `requestLimits`, each one recorded. */
class RequestCountingEmbedder implements Embedder {
  readonly model = 'counting';
  readonly dimensions = 64;
  readonly requests: string[][] = [];
  private readonly inner = new HashingEmbedder({ dimensions: 64 });
  refuse: ((text: string) => boolean) | undefined;
  failAll: Error | undefined;

  constructor(readonly requestLimits: RequestLimits) {}

  countTokens(text: string): number {
    return text.length;
  }

  async embed(texts: readonly string[]): Promise<EmbeddingResult> {
    if (this.failAll) throw this.failAll;
    const bad = texts.find((t) => this.refuse?.(t));
    if (bad !== undefined) throw new DocumentError('?', `input refused: ${bad}`);
    let calls = 0;
    for (let start = 0; start < texts.length;) {
      let end = start;
      let tokens = 0;
      while (end < texts.length && end - start < this.requestLimits.maxInputs
        && (this.requestLimits.maxTokens === undefined || end === start || tokens + this.countTokens(texts[end]!) <= this.requestLimits.maxTokens)) {
        tokens += this.countTokens(texts[end]!);
        end += 1;
      }
      this.requests.push(texts.slice(start, end));
      calls += 1;
      start = end;
    }
    const result = await this.inner.embed(texts);
    return { vectors: result.vectors, tokens: result.tokens, calls };
  }
}

/** The buffer's state deps, in memory. */
function memoryDeps(embedder: Embedder) {
  const cache = new Map<string, Float32Array>();
  const counters: Partial<RunCounters>[] = [];
  const state = {
    async getEmbeddings(_model: string, _dims: number, hashes: readonly string[]) {
      return new Map(hashes.filter((h) => cache.has(h)).map((h) => [h, cache.get(h)!]));
    },
    async putEmbeddings(_model: string, _dims: number, vectors: ReadonlyMap<string, Float32Array>) {
      for (const [h, v] of vectors) cache.set(h, v);
    },
    async addRunCounters(_s: string, _r: string, delta: Partial<RunCounters>) {
      counters.push(delta);
    },
  };
  return { deps: { embedder, log: silentLogger, state } as never, cache, counters };
}

const texts = (...names: string[]) => new Map(names.map((n) => [`h-${n}`, { text: n, docs: [`doc-${n}`] }]));

describe('the embed-ahead buffer', () => {
  it('sends only full requests until forced, and settles each waiter when its texts are cached', async () => {
    // Prepare
    const embedder = new RequestCountingEmbedder({ maxInputs: 4 });
    const { deps, cache } = memoryDeps(embedder);
    const buffer = new EmbedAheadBuffer(deps, 's', 'r', () => undefined);
    const first: Waiter = { waiting: 0 };
    const second: Waiter = { waiting: 0 };

    // Act
    await buffer.add(first, texts('a', 'b', 'c'));
    await buffer.drain(false);
    const afterPartial = { requests: embedder.requests.length, waiting: first.waiting };
    await buffer.add(second, texts('c', 'd', 'e', 'f'));
    await buffer.drain(false);
    const afterFull = { requests: embedder.requests.length, first: first.waiting, second: second.waiting, left: buffer.size };
    await buffer.drain(true);

    // Assess: nothing sent while no request was full; then exactly one full request (a-d), the
    // shared text c counted once; the rest only when forced.
    expect(afterPartial).toEqual({ requests: 0, waiting: 3 });
    expect(afterFull).toEqual({ requests: 1, first: 0, second: 2, left: 2 });
    expect(embedder.requests).toEqual([['a', 'b', 'c', 'd'], ['e', 'f']]);
    expect(second.waiting).toBe(0);
    expect([...cache.keys()].sort()).toEqual(['h-a', 'h-b', 'h-c', 'h-d', 'h-e', 'h-f']);
  });

  it('cuts requests by the token budget as the provider counts tokens, and skips cached texts', async () => {
    // Prepare: 10 "tokens" (characters) per request.
    const embedder = new RequestCountingEmbedder({ maxInputs: 100, maxTokens: 10 });
    const { deps, cache } = memoryDeps(embedder);
    cache.set('h-cached', new Float32Array(64));
    const buffer = new EmbedAheadBuffer(deps, 's', 'r', () => undefined);
    const waiter: Waiter = { waiting: 0 };

    // Act
    await buffer.add(waiter, texts('aaaa', 'bbbb', 'cached', 'cccc', 'dd'));
    await buffer.drain(false);
    const sentBeforeForce = embedder.requests.map((r) => r.join('+'));
    await buffer.drain(true);

    // Assess: aaaa+bbbb (8) is closed by cccc; cccc+dd (6) waits until forced.
    expect(sentBeforeForce).toEqual(['aaaa+bbbb']);
    expect(embedder.requests.map((r) => r.join('+'))).toEqual(['aaaa+bbbb', 'cccc+dd']);
    expect(waiter.waiting).toBe(0);
  });

  it('finds a refused input by halving and names only the documents holding it', async () => {
    // Prepare
    const embedder = new RequestCountingEmbedder({ maxInputs: 100 });
    embedder.refuse = (t) => t === 'poison';
    const { deps, cache } = memoryDeps(embedder);
    const refused: Array<{ ids: readonly string[]; reason: string }> = [];
    const buffer = new EmbedAheadBuffer(deps, 's', 'r', (ids, reason) => refused.push({ ids, reason }));
    const waiter: Waiter = { waiting: 0 };

    // Act
    await buffer.add(waiter, texts('a', 'b', 'poison', 'c', 'd'));
    await buffer.drain(true);

    // Assess
    expect(refused).toEqual([{ ids: ['doc-poison'], reason: expect.stringContaining('refused by the embedding provider') }]);
    expect([...cache.keys()].sort()).toEqual(['h-a', 'h-b', 'h-c', 'h-d']);
    expect(waiter.waiting).toBe(0);
  });

  it('throws a refusal no document escapes, and gives up on a transient failure', async () => {
    // Prepare
    const embedder = new RequestCountingEmbedder({ maxInputs: 100 });
    const { deps } = memoryDeps(embedder);
    const buffer = new EmbedAheadBuffer(deps, 's', 'r', () => undefined);
    const waiter: Waiter = { waiting: 0 };
    await buffer.add(waiter, texts('a'));

    // Act
    embedder.failAll = new ConfigError('invalid API key', { key: 'embedder.apiKeyEnv' });
    const deployment = await buffer.drain(true).then(() => 'resolved', (e: unknown) => String(e));
    await buffer.add(waiter, texts('b'));
    embedder.failAll = new Error('socket hang up');
    const transient = await buffer.drain(true).then(() => 'resolved', (e: unknown) => String(e));

    // Assess
    expect(deployment).toContain('invalid API key');
    expect(transient).toBe('resolved');
  });
});

describe('embedding requests across pages', () => {
  let servers: EmbeddedServers;
  let p: TestPipeline | undefined;
  beforeAll(async () => { servers = await startServers(); });
  afterAll(async () => { await servers.close(); });
  afterEach(async () => { await p?.close(); p = undefined; });

  const task = (): FetchTask => ({ type: 'fetch', sourceId: 'docs', trigger: 'cli', requestedAt: '2026-01-01T00:00:00.000Z' });

  async function setup(limits: RequestLimits, pageSize = 3) {
    const source = new MemorySource('docs', pageSize);
    for (let i = 0; i < 30; i++) source.put(`d${String(i).padStart(2, '0')}`, `# Doc ${i}\n\nAbout subject number ${i}, in its own words.`);
    const embedder = new RequestCountingEmbedder(limits);
    const pipeline = await testPipeline(servers, [{ connector: source, settings: { maxDeleteShare: 1 } }]);
    p = pipeline;
    const deps = { ...pipeline.deps, embedder };
    return { source, embedder, pipeline, deps };
  }

  it('embeds the new texts of ten pages in one request, and a later edit of three pages in one', async () => {
    // Prepare
    const { source, embedder, pipeline, deps } = await setup({ maxInputs: 2048 });

    // Act
    const initial = await runFetch(deps, task(), { owner: 'o' });
    await drainEmbedQueue(deps);
    const initialRequests = embedder.requests.length;
    for (const id of ['d01', 'd14', 'd27']) source.put(id, `# Edited ${id}\n\nA new paragraph for ${id}.`);
    pipeline.clock.advance(120_000);
    const edit = await runFetch(deps, task(), { owner: 'o' });
    await drainEmbedQueue(deps);
    const [editRun] = await pipeline.state.listRuns('docs', 1);

    // Assess: 10 pages, one request each time; the index exact.
    expect(initial.counters).toMatchObject({ docsChanged: 30, tasksEnqueued: 30 });
    expect(source.pulls).toBeGreaterThanOrEqual(20);
    expect(initialRequests).toBe(1);
    expect(edit.counters).toMatchObject({ docsChanged: 3, docsUnchanged: 27 });
    expect(embedder.requests.length).toBe(2);
    expect(editRun?.embeddingCalls).toBe(1);
    expect(auditClean(await auditSource(deps, 'docs'))).toBe(true);
  });

  it('sends a request as soon as it is full, and a crash mid-pass loses no page', async () => {
    // Prepare: requests of 8 texts; the source fails on its 6th page of the first run.
    const { source, embedder, deps } = await setup({ maxInputs: 8 });
    let failAt: number | undefined = 5;
    source.beforePage = (i) => {
      if (i === failAt) throw new Error('connection reset by the source');
    };

    // Act
    const failed = await runFetch(deps, task(), { owner: 'o' }).then(() => 'completed', (e: unknown) => String(e));
    const afterFailure = embedder.requests.length;
    failAt = undefined;
    const resumed = await runFetch(deps, task(), { owner: 'o' });
    await drainEmbedQueue(deps);

    // Assess: requests of at most 8 texts, the failed run's staged pages flushed before it
    // failed, and after the resumed run every document is indexed exactly once.
    expect(failed).toContain('connection reset');
    expect(afterFailure).toBeGreaterThan(0);
    expect(embedder.requests.every((r) => r.length <= 8)).toBe(true);
    expect(resumed.status).toBe('completed');
    expect(auditClean(await auditSource(deps, 'docs'))).toBe(true);
  });
});
