/**
 * Index generations through the core: a model change of a profile builds a new generation
 * beside the current one (its own ledger and vector store) while searches answer from the
 * current one; the alias flips once the build is complete and audited; the replaced one is
 * deleted after the grace period; switching back costs no embedding call; an abort drops the
 * build and keeps the current one.
 */
import { describe, expect, it } from 'vitest';
import type { CoreDeps } from '../../../shared/core/deps.ts';
import { silentLogger } from '../../../shared/core/deps.ts';
import { runFetch } from '../../../shared/core/fetch-run.ts';
import { abortGeneration, flipGeneration, generationsToStart, reportGenerations, settleGenerations } from '../../../shared/core/generation-lifecycle.ts';
import { withGenerations } from '../../../shared/core/generations.ts';
import { ledgerKeyOf } from '../../../shared/core/profiles.ts';
import { searchIndex } from '../../../shared/core/search.ts';
import { drainEmbedQueue } from '../../support/drain.ts';
import { ManualClock, testSettings } from '../../support/embedded.ts';
import { generationFixture } from '../../support/generation-fixture.ts';
import { MemorySource } from '../../support/memory-source.ts';
import { InMemoryStateStore } from '../../support/memory-state-store.ts';
import { InMemoryTaskQueue } from '../../support/memory-task-queue.ts';
import { InMemoryVectorStore } from '../../support/memory-vector-store.ts';

const GRACE_MS = 3_600_000;
const TOPICS = ['invoice', 'release', 'outage', 'roadmap'];

function setup() {
  const clock = new ManualClock();
  const source = new MemorySource('docs', 4);
  for (let i = 0; i < 10; i++) source.put(`d${i}`, `Note ${i} about the ${TOPICS[i % 4]} checklist, item ${i}.`);
  const state = new InMemoryStateStore();
  const settings = testSettings('docs');
  const { embedderOf, storeOf, profile, generations, setModel } = generationFixture(settings.chunking, GRACE_MS);
  const deps: CoreDeps = {
    state, queue: new InMemoryTaskQueue({ clock }), vectors: new InMemoryVectorStore(), embedder: embedderOf('top'), clock, log: silentLogger,
    connector: (id) => (id === 'docs' ? source : undefined), settings: (id) => (id === 'docs' ? settings : undefined),
    profiles: (id) => (id === 'docs' ? [profile()] : undefined),
    retiredTarget: async (_id, p) => storeOf(p.target),
    generations,
  };
  const fetch = async () => {
    clock.advance(1000);
    return runFetch(deps, { type: 'fetch', sourceId: 'docs', trigger: 'cli', requestedAt: new Date(clock.now()).toISOString() }, { owner: 'host:1:gen' });
  };
  const drain = () => drainEmbedQueue(deps, { maxReceives: 3 });
  const search = async (q: string) => searchIndex(await withGenerations(deps, ['docs'], 'serving'), q, { topK: 3, sourceIds: ['docs'] });
  const count = async (target: string) => (await storeOf(target).listIds('docs#')).length;
  const calls = (m: string) => embedderOf(m).calls;
  /** Syncs under model-a, then switches to `model` and syncs again: the build's tasks applied, not flipped yet. */
  const built = async (model: string) => {
    await fetch();
    await drain();
    setModel(model);
    await fetch();
    await drain();
  };
  return { clock, source, state, deps, fetch, drain, search, count, calls, storeOf, setModel, built };
}

describe('index generations', () => {
  it('builds a model change beside the current generation, searches answer from the current one until the audited flip, then from the new one', async () => {
    // Prepare
    const t = setup();
    await t.fetch();
    await t.drain();
    expect(await t.count('main')).toBe(10);

    // Act: the model changes; the run fans out to both generations, the tasks are still queued.
    t.setModel('model-b');
    expect((await generationsToStart(t.deps, 'docs'))?.start).toEqual(['main']);
    const building = await t.fetch();
    const midBuild = await t.search('release checklist');
    const early = await flipGeneration(t.deps, 'docs', 'main');
    const [progress] = await reportGenerations(t.deps, 'docs');
    await t.drain();
    const settled = await settleGenerations(t.deps, 'docs');
    const after = await t.search('release checklist');

    // Assess
    expect(Object.keys(building.profiles ?? {})).toEqual(['main', 'main@g1']);
    expect(building.profiles?.['main']?.docsChanged).toBe(0);
    expect(building.profiles?.['main@g1']?.docsChanged).toBe(10);
    expect(midBuild.length).toBeGreaterThan(0);
    expect(early).toEqual({ flipped: false, reason: expect.stringMatching(/unsettled|unindexed/) as unknown as string });
    expect(progress).toMatchObject({ profile: 'main', current: { number: 0, model: 'model-a', documents: 10 }, building: { number: 1, model: 'model-b', target: 'main.g1', documentsTotal: 10 } });
    expect(settled).toEqual([expect.objectContaining({ profile: 'main', flipped: true })]);
    expect(await t.count('main.g1')).toBe(10);
    expect(t.calls('model-b')).toBeGreaterThan(0);
    expect(after.length).toBeGreaterThan(0);
    // The replaced generation is kept for the grace period, no longer fed (nothing searches it).
    expect(await t.count('main')).toBe(10);
    t.source.remove('d3');
    await t.fetch();
    await t.drain();
    expect(await t.count('main.g1')).toBe(9);
    expect(await t.count('main')).toBe(10);
    expect((await t.search('note 3')).some((r) => r.docId === 'd3')).toBe(false);
  });

  it('deletes the replaced generation after the grace period, and switching back to the earlier model makes no embedding call', async () => {
    // Prepare
    const t = setup();
    await t.built('model-b');
    expect((await settleGenerations(t.deps, 'docs'))[0]?.flipped).toBe(true);
    const callsA = t.calls('model-a');

    // Act: the grace period passes; then back to model-a.
    t.clock.advance(GRACE_MS + 1);
    await t.fetch();
    await t.drain();
    const deleted = { main: await t.count('main'), ledger: (await t.state.getDocuments(ledgerKeyOf('docs', 'main'), ['d0'])).size };
    t.setModel('model-a');
    await t.fetch();
    await t.drain();
    const back = await settleGenerations(t.deps, 'docs');

    // Assess
    expect(deleted).toEqual({ main: 0, ledger: 0 });
    expect(back[0]).toMatchObject({ flipped: true, to: { number: 2, model: 'model-a', target: 'main.g2' } });
    expect(t.calls('model-a')).toBe(callsA);
    expect(await t.count('main.g2')).toBe(10);
    expect((await t.search('invoice checklist')).length).toBeGreaterThan(0);
  });

  it('flips where the index cannot be read (the AWS fetcher) on an audit of the source against the ledger', async () => {
    // Prepare
    const t = setup();
    await t.built('model-b');
    t.storeOf('main.g1').scan = () => Promise.reject(new Error('vectors.scan is not available to the fetcher'));

    // Act
    const outcome = await flipGeneration(t.deps, 'docs', 'main');

    // Assess
    expect(outcome).toMatchObject({ flipped: true, to: { number: 1 } });
  });

  it('abort drops the build and keeps the current generation; the same config is not rebuilt until confirmed', async () => {
    // Prepare
    const t = setup();
    await t.built('model-c');

    // Act
    const aborted = await abortGeneration(t.deps, 'docs', 'main');
    const again = await t.fetch();
    await t.drain();

    // Assess
    expect(aborted).toMatchObject({ aborted: true, vectorsDeleted: 10, generation: { number: 1, model: 'model-c' } });
    expect(await t.count('main.g1')).toBe(0);
    expect(await t.count('main')).toBe(10);
    expect(Object.keys(again.profiles ?? {})).toEqual(['main']);
    expect(await generationsToStart(t.deps, 'docs')).toEqual({ start: [], declined: ['main'] });
    expect(await flipGeneration(t.deps, 'docs', 'main')).toEqual({ flipped: false, reason: 'no generation is being built' });
    expect((await t.search('outage')).length).toBeGreaterThan(0);
  });
});
