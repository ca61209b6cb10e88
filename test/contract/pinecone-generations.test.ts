/**
 * Index generations on Pinecone, through the production wiring (wireProfiles → Pinecone
 * namespaces) against the loopback Pinecone emulator: a model change is built in the namespace
 * `<namespace>.g1` beside the profile's own, searches answer from the old namespace until the
 * audited flip, then from the new one; the old namespace is emptied once its grace period ends.
 * The embedder side runs the Lambda handler, as on AWS.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HashingEmbedder } from '../../shared/adapters/local/hashing-embedder.ts';
import { parseConfig } from '../../shared/config/load.ts';
import type { CoreDeps } from '../../shared/core/deps.ts';
import { silentLogger } from '../../shared/core/deps.ts';
import { runFetch } from '../../shared/core/fetch-run.ts';
import { settleGenerations } from '../../shared/core/generation-lifecycle.ts';
import { withGenerations } from '../../shared/core/generations.ts';
import { searchIndex } from '../../shared/core/search.ts';
import { wireProfiles, type ProfileWiring } from '../../shared/wiring/profiles.ts';
import { startPineconeEmulator, type PineconeEmulator } from '../emulators/pinecone.ts';
import { drainEmbedQueue } from '../support/drain.ts';
import { ManualClock, testSettings } from '../support/embedded.ts';
import { InMemoryAliasStore } from '../support/memory-alias-store.ts';
import { MemorySource } from '../support/memory-source.ts';
import { InMemoryStateStore } from '../support/memory-state-store.ts';
import { InMemoryTaskQueue } from '../support/memory-task-queue.ts';
import { InMemoryVectorStore } from '../support/memory-vector-store.ts';

const DIMENSIONS = 32;
let emulator: PineconeEmulator;
const wirings: ProfileWiring[] = [];

beforeAll(async () => {
  emulator = await startPineconeEmulator({ dimension: DIMENSIONS });
});

afterAll(async () => {
  for (const w of wirings) await w.close();
  await emulator.close();
});

describe('index generations on Pinecone namespaces', () => {
  it('builds a model change in its own namespace behind the alias, flips when audited, and empties the old namespace after the grace period', async () => {
    // Prepare
    const configOf = (model: string) => parseConfig({
      embedder: { kind: 'local', dimensions: DIMENSIONS },
      vectorStore: { kind: 'pinecone', indexHost: emulator.host, upsertLingerMs: 0 },
      generations: { graceHours: 0 },
      sources: [{ id: 'docs', kind: 'filesystem', root: '/nonexistent', profiles: [{ name: 'main', embedder: { model } }] }],
    }, 'test');
    const env = { PINECONE_API_KEY: emulator.apiKey };
    const top = new HashingEmbedder({ dimensions: DIMENSIONS });
    const wire = async (model: string) => {
      const w = await wireProfiles({ config: configOf(model), stateDir: '/tmp/unused', env, embedder: top, vectors: new InMemoryVectorStore() });
      wirings.push(w);
      return w;
    };
    const clock = new ManualClock();
    const source = new MemorySource('docs', 4);
    for (let i = 0; i < 8; i++) source.put(`d${i}`, `Note ${i}: the ${['release', 'invoice'][i % 2]} checklist.`);
    const aliases = new InMemoryAliasStore();
    let wiring = await wire('model-a');
    const settings = testSettings('docs');
    const state = new InMemoryStateStore();
    const queue = new InMemoryTaskQueue({ clock });
    const deps = (): CoreDeps => ({
      state, queue, vectors: new InMemoryVectorStore(), embedder: top, clock, log: silentLogger,
      connector: (id) => (id === 'docs' ? source : undefined), settings: (id) => (id === 'docs' ? settings : undefined),
      profiles: (id) => wiring.profiles(id), retiredTarget: (id, p) => wiring.retiredTarget(id, p), generations: wiring.generations(aliases),
    });
    const sync = async () => {
      clock.advance(1000);
      await runFetch(deps(), { type: 'fetch', sourceId: 'docs', trigger: 'schedule', requestedAt: new Date(clock.now()).toISOString() }, { owner: 'lambda:1' });
      await drainEmbedQueue(deps());
    };
    const search = async () => searchIndex(await withGenerations(deps(), ['docs'], 'serving'), 'release checklist', { topK: 3, sourceIds: ['docs'] });
    await sync();

    // Act: the model changes.
    wiring = await wire('model-b');
    clock.advance(1000);
    await runFetch(deps(), { type: 'fetch', sourceId: 'docs', trigger: 'schedule', requestedAt: new Date(clock.now()).toISOString() }, { owner: 'lambda:1' });
    const during = await search();
    await drainEmbedQueue(deps());
    const built = { old: emulator.count('docs-main'), next: emulator.count('docs-main.g1') };
    const [flip] = await settleGenerations(deps(), 'docs');
    const after = await search();
    await sync();

    // Assess
    expect(during.length).toBeGreaterThan(0);
    expect(built).toEqual({ old: 8, next: 8 });
    expect(flip).toMatchObject({ flipped: true, to: { number: 1, model: 'model-b', target: 'docs-main.g1' } });
    expect(after.length).toBeGreaterThan(0);
    expect(emulator.count('docs-main')).toBe(0);
    expect(emulator.count('docs-main.g1')).toBe(8);
  }, 30_000);
});
