/**
 * Per-document isolation in the core: a document that cannot be read, or that the embedding
 * provider refuses, is skipped with its reason and retried on the next pass, while the rest of
 * the pass (deletions included) goes on; a skip is never a deletion and never trips the breaker;
 * a refusal no document escapes fails the run at once with the provider's message.
 */
import { describe, expect, it } from 'vitest';
import { HashingEmbedder } from '../../../shared/adapters/local/hashing-embedder.ts';
import { auditClean, auditSource } from '../../../shared/core/audit.ts';
import { DEFAULT_CHUNKING } from '../../../shared/core/chunker.ts';
import type { CoreDeps } from '../../../shared/core/deps.ts';
import { silentLogger } from '../../../shared/core/deps.ts';
import { PoisonTaskError, TributaryError } from '../../../shared/core/errors.ts';
import { runFetch } from '../../../shared/core/fetch-run.ts';
import type { Embedder, EmbeddingResult, FetchTask, RunRecord } from '../../../shared/ports/index.ts';
import { drainEmbedQueue } from '../../support/drain.ts';
import { ManualClock, testSettings } from '../../support/embedded.ts';
import { MemorySource } from '../../support/memory-source.ts';
import { InMemoryStateStore } from '../../support/memory-state-store.ts';
import { InMemoryTaskQueue } from '../../support/memory-task-queue.ts';
import { InMemoryVectorStore } from '../../support/memory-vector-store.ts';

const OWNER = 'host:1:test';

/** The hashing embedder, refusing (like a provider's 400) every input containing `refuse`, or everything once `outage` is set. */
class PickyEmbedder implements Embedder {
  readonly model = 'picky';
  readonly dimensions = 16;
  refuse: string | undefined;
  outage: Error | undefined;
  calls = 0;
  private readonly inner = new HashingEmbedder({ dimensions: 16 });

  async embed(texts: readonly string[]): Promise<EmbeddingResult> {
    this.calls += 1;
    if (this.outage) throw this.outage;
    const refuse = this.refuse;
    if (refuse !== undefined && texts.some((t) => t.includes(refuse))) throw new PoisonTaskError(`input refused: it mentions ${refuse}`);
    return this.inner.embed(texts);
  }
}

function setup(docs: Record<string, string>, settings: Parameters<typeof testSettings>[1] = {}) {
  const clock = new ManualClock();
  const source = new MemorySource('docs', 3);
  for (const [id, text] of Object.entries(docs)) source.put(id, text);
  const state = new InMemoryStateStore();
  const queue = new InMemoryTaskQueue({ clock });
  const vectors = new InMemoryVectorStore();
  const embedder = new PickyEmbedder();
  const config = testSettings('docs', { chunking: { ...DEFAULT_CHUNKING, targetTokens: 60, maxTokens: 200 }, ...settings });
  const deps: CoreDeps = {
    state, queue, vectors, embedder, clock, log: silentLogger,
    connector: (id) => (id === 'docs' ? source : undefined),
    settings: (id) => (id === 'docs' ? config : undefined),
  };
  const task = (extra: Partial<FetchTask> = {}): FetchTask => ({
    type: 'fetch', sourceId: 'docs', trigger: 'cli', requestedAt: new Date(clock.now()).toISOString(), ...extra,
  });
  const sync = async (extra: Partial<FetchTask> = {}, allowMassDelete = false) => {
    clock.advance(1000);
    const result = await runFetch(deps, task(extra), { owner: OWNER, allowMassDelete });
    await drainEmbedQueue(deps, { maxReceives: 5 });
    const run = result.runId ? await state.getRun('docs', result.runId) : undefined;
    return { result, run: run as RunRecord };
  };
  /** docId → the text of its chunks, in order. */
  const indexed = async (): Promise<Map<string, string>> => {
    const out = new Map<string, string[]>();
    for (const r of await vectors.scan('docs#')) {
      const list = out.get(String(r.metadata['docId'])) ?? [];
      list[Number(r.metadata['chunkIndex'])] = String(r.metadata['text']);
      out.set(String(r.metadata['docId']), list);
    }
    return new Map([...out].map(([id, chunks]) => [id, chunks.join('\n')]));
  };
  return { clock, source, state, queue, vectors, embedder, deps, sync, indexed };
}

const corpus = (n: number, prefix = 'doc'): Record<string, string> =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}-${i}.md`, `# ${prefix} ${i}\n\nThe body of ${prefix} number ${i}.\n`]));

describe('per-document isolation in the core', () => {
  it('skips an unreadable document with its reason, keeps its vectors, still applies the rest (deletions too), and retries it on every pass', async () => {
    // Prepare
    const t = setup(corpus(6));
    await t.sync();
    t.source.put('doc-2.md', '# doc 2\n\nAn edit nobody can read yet.\n');
    t.source.unreadable.set('doc-2.md', 'permission denied (EACCES)');
    t.source.put('doc-3.md', '# doc 3\n\nA readable edit.\n');
    t.source.remove('doc-5.md');

    // Act
    const skipping = await t.sync();
    const stillBroken = await t.sync();
    const audit = await auditSource(t.deps, 'docs');
    t.source.unreadable.delete('doc-2.md');
    const healed = await t.sync();

    // Assess: the skipped run went on with the edit and the deletion; the old vectors stayed.
    expect(skipping.result.status).toBe('completed');
    expect(skipping.result.counters).toMatchObject({ docsChanged: 1, docsDeleted: 1 });
    expect(skipping.run.skipped).toEqual([{ id: 'doc-2.md', reason: 'permission denied (EACCES)' }]);
    expect(skipping.run.docsSkipped).toBe(1);
    expect(stillBroken.run.skipped).toEqual([{ id: 'doc-2.md', reason: 'permission denied (EACCES)' }]);
    expect((await t.state.getSource('docs'))?.breaker).toBeUndefined();
    // audit knows it: neither outdated nor drift, listed apart.
    expect(audit.skipped).toEqual(['doc-2.md']);
    expect(audit.outdated).toEqual([]);
    expect(auditClean(audit)).toBe(true);
    // Once readable, the next pass indexes it and the list is empty.
    expect(healed.result.counters.docsChanged).toBe(1);
    expect(healed.run.skipped).toEqual([]);
    const index = await t.indexed();
    expect(index.get('doc-2.md')).toContain('An edit nobody can read yet.');
    expect(index.get('doc-3.md')).toContain('A readable edit.');
    expect(index.has('doc-5.md')).toBe(false);
  });

  it('keeps the vectors of a part of the source that cannot be listed, without tripping the breaker', async () => {
    // Prepare: 6 private and 4 public documents; then the private folder becomes unreadable.
    const t = setup({ ...corpus(6, 'private/doc'), ...corpus(4, 'public/doc') });
    await t.sync();
    const before = await t.indexed();
    t.source.hidden = { id: 'private/', prefix: true, reason: 'folder not readable (EACCES)' };

    // Act
    const hidden = await t.sync();
    t.source.hidden = undefined;
    const back = await t.sync();

    // Assess
    expect(hidden.result.breaker).toBeUndefined();
    expect(hidden.result.counters.docsDeleted).toBe(0);
    expect(hidden.run.skipped).toEqual([{ id: 'private/', prefix: true, reason: 'folder not readable (EACCES)' }]);
    expect(await t.indexed()).toEqual(before);
    expect(back.run.skipped).toEqual([]);
    expect(back.result.counters).toMatchObject({ docsChanged: 0, docsDeleted: 0, docsUnchanged: 10 });
  });

  it('a targeted run that does not read a skipped document keeps it listed; the next pass reads it again', async () => {
    // Prepare: a hint names an unreadable document.
    const t = setup(corpus(3));
    await t.sync();
    t.source.put('doc-1.md', '# doc 1\n\nChanged.\n');
    t.source.unreadable.set('doc-1.md', 'symlink loop (ELOOP)');
    const hinted = await t.sync({ trigger: 'webhook', ids: ['doc-1.md'] });

    // Act: a trivial run (a hint about another document), then a pass once it is readable.
    const trivial = await t.sync({ trigger: 'webhook', ids: ['doc-0.md'] });
    t.source.unreadable.delete('doc-1.md');
    const fetchesBefore = t.source.fetches;
    const pass = await t.sync();

    // Assess: the hint's run neither failed nor deleted the document; the trivial run still shows it.
    expect(hinted.result.status).toBe('completed');
    expect(hinted.result.counters.docsDeleted).toBe(0);
    expect(hinted.run.skipped).toEqual([{ id: 'doc-1.md', reason: 'symlink loop (ELOOP)' }]);
    expect(trivial.run.skipped).toEqual([{ id: 'doc-1.md', reason: 'symlink loop (ELOOP)' }]);
    expect(pass.run.skipped).toEqual([]);
    expect(t.source.fetches).toBeGreaterThan(fetchesBefore);
    expect((await t.indexed()).get('doc-1.md')).toContain('Changed.');
  });

  it('skips a document whose input the embedding provider refuses; the rest of its page is indexed', async () => {
    // Prepare
    const t = setup(corpus(7));
    t.source.put('doc-4.md', '# doc 4\n\nThis one mentions FORBIDDEN words.\n');
    t.embedder.refuse = 'FORBIDDEN';

    // Act
    const first = await t.sync();
    const afterFirst = await t.indexed();
    t.embedder.refuse = undefined;
    const second = await t.sync();

    // Assess: no task for it (nothing dead-lettered), found by halving the batch.
    expect(first.result.counters.docsChanged).toBe(6);
    expect(first.run.tasksFailed).toBe(0);
    expect(first.run.skipped).toHaveLength(1);
    expect(first.run.skipped?.[0]).toMatchObject({ id: 'doc-4.md' });
    expect(first.run.skipped?.[0]?.reason).toContain('input refused: it mentions FORBIDDEN');
    expect([...afterFirst.keys()].sort()).toEqual(['doc-0.md', 'doc-1.md', 'doc-2.md', 'doc-3.md', 'doc-5.md', 'doc-6.md']);
    expect(second.result.counters.docsChanged).toBe(1);
    expect(second.run.skipped).toEqual([]);
    expect((await t.indexed()).size).toBe(7);
  });

  it('an embed task refused for its input is dead-lettered on its first attempt and recorded on its run; the next pass retries it', async () => {
    // Prepare: no embedding ahead (no cache), so the embedder meets the refusal itself.
    const t = setup(corpus(3));
    t.source.put('doc-1.md', '# doc 1\n\nFORBIDDEN.\n');
    t.embedder.refuse = 'FORBIDDEN';

    // Act
    const first = await t.sync({ noCache: true });
    const dead = await t.queue.listDeadLetters('embed', 10);
    t.embedder.refuse = undefined;
    const second = await t.sync();

    // Assess
    expect(first.run.tasksFailed).toBe(1);
    expect(first.run.failedDocuments).toEqual([{ id: 'doc-1.md', reason: 'input refused: it mentions FORBIDDEN' }]);
    expect(first.run.taskError).toBeUndefined();
    expect(dead).toHaveLength(1);
    expect(dead[0]?.reason).not.toContain('after');
    expect(second.run.skipped).toEqual([]);
    expect((await t.indexed()).get('doc-1.md')).toContain('FORBIDDEN');
  });

  it('a provider refusal no document escapes (a bad key) fails the run with its message before anything is enqueued', async () => {
    // Prepare
    const t = setup(corpus(5));
    t.embedder.outage = new TributaryError('embedding provider refused the request (401): check the API key');

    // Act
    const run = runFetch(t.deps, { type: 'fetch', sourceId: 'docs', trigger: 'cli', requestedAt: new Date().toISOString() }, { owner: OWNER });

    // Assess
    await expect(run).rejects.toThrow('check the API key');
    expect(t.embedder.calls).toBe(1);
    expect(await t.queue.depth('embed')).toEqual({ visible: 0, inFlight: 0 });
    expect((await t.state.getSource('docs'))?.lastError).toContain('check the API key');
  });

  it('an embed task whose provider refuses the configuration is dead-lettered at once and named as the run\'s task error', async () => {
    // Prepare
    const t = setup(corpus(2));

    // Act: the refusal only reaches the embedder (no embedding ahead).
    t.embedder.outage = new TributaryError('vector store refused the upsert (401): check the API key');
    const { run } = await t.sync({ noCache: true });

    // Assess
    expect(run.tasksFailed).toBe(2);
    expect(run.failedDocuments).toBeUndefined();
    expect(run.taskError).toContain('check the API key');
    expect(t.embedder.calls).toBe(2);
  });

  it('a large document the embedder reads itself, found unreadable then, is dead-lettered once and recorded', async () => {
    // Prepare: tasks never carry their chunks.
    const t = setup(corpus(2));
    (t.deps as { maxInlineTaskBytes?: number }).maxInlineTaskBytes = 10;
    const fetch = t.source.fetch.bind(t.source);
    t.source.fetch = async (ids) => {
      // Readable while the fetcher diffs, unreadable by the time the embedder reads it.
      const result = await fetch(ids);
      t.source.unreadable.set('doc-0.md', 'permission denied (EACCES)');
      return result;
    };

    // Act
    const { run } = await t.sync();

    // Assess
    expect(run.tasksFailed).toBe(1);
    expect(run.failedDocuments).toEqual([{ id: 'doc-0.md', reason: 'permission denied (EACCES)' }]);
    expect((await t.indexed()).has('doc-1.md')).toBe(true);
  });
});
