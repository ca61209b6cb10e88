/**
 * Index profiles through the core: one source, several profiles (chunking × embedder × vector
 * store), each with its own ledger and checkpoint. The source is read once per pass; a
 * no-change sync makes no embedding call and no vector write in any profile; a profile added
 * later is backfilled alone; a removed one leaves no vector behind.
 */
import { describe, expect, it } from 'vitest';
import { HashingEmbedder } from '../../../shared/adapters/local/hashing-embedder.ts';
import { auditClean, auditSource } from '../../../shared/core/audit.ts';
import { TURN_SEPARATOR, type ChunkingOptions } from '../../../shared/core/chunker.ts';
import type { CoreDeps } from '../../../shared/core/deps.ts';
import { silentLogger } from '../../../shared/core/deps.ts';
import { runFetch } from '../../../shared/core/fetch-run.ts';
import { ledgerKeyOf, profileKeyOf, profileScopes, type IndexProfile } from '../../../shared/core/profiles.ts';
import type { EmbeddingResult, FetchResult } from '../../../shared/ports/index.ts';
import { drainEmbedQueue } from '../../support/drain.ts';
import { ManualClock, testSettings } from '../../support/embedded.ts';
import { MemorySource } from '../../support/memory-source.ts';
import { InMemoryStateStore } from '../../support/memory-state-store.ts';
import { InMemoryTaskQueue } from '../../support/memory-task-queue.ts';
import { InMemoryVectorStore } from '../../support/memory-vector-store.ts';

class CountingEmbedder extends HashingEmbedder {
  calls = 0;
  override async embed(texts: readonly string[]): Promise<EmbeddingResult> {
    this.calls += 1;
    return super.embed(texts);
  }
}

/** A source of chat conversations: each document's turns joined by the turn separator; counts the documents it reads. */
class ChatSource extends MemorySource {
  read = 0;
  override async fetch(ids: readonly string[]): Promise<FetchResult> {
    const result = await super.fetch(ids);
    this.read += result.documents.length;
    return { ...result, documents: result.documents.map((d) => ({ ...d, format: 'conversation' as const })) };
  }
}

const chat = (n: number, turns: number): string => Array.from({ length: turns }, (_, i) =>
  `[2024-05-0${1 + (i % 3)} 10:${String(i % 60).padStart(2, '0')}] ${i % 2 === 0 ? 'alice' : 'bob'}: message ${i} of chat ${n} about the ${['release', 'invoice', 'outage'][i % 3]}`).join(TURN_SEPARATOR);

const STRATEGIES: Record<string, Partial<ChunkingOptions>> = {
  temporal: { strategy: 'temporal', gapMinutes: 60 },
  sliding: { strategy: 'sliding', windowTurns: 4, overlapTurns: 1 },
  'token-aware': { strategy: 'token-aware', targetTokens: 60 },
  message: { strategy: 'message' },
};

function setup(names: string[]) {
  const clock = new ManualClock();
  const source = new ChatSource('chat', 5);
  const state = new InMemoryStateStore();
  const settings = testSettings('chat');
  const embedders = new Map<string, CountingEmbedder>();
  const stores = new Map<string, InMemoryVectorStore>();
  let configured = names;
  const profileOf = (name: string): IndexProfile => {
    if (!embedders.has(name)) embedders.set(name, new CountingEmbedder({ dimensions: 32, model: `m-${name}` }));
    if (!stores.has(name)) stores.set(name, new InMemoryVectorStore());
    return { name, chunking: { ...settings.chunking, ...STRATEGIES[name] }, embedder: embedders.get(name)!, vectors: stores.get(name)!, target: name };
  };
  const defaultEmbedder = new CountingEmbedder({ dimensions: 32 });
  const deps: CoreDeps = {
    state, queue: new InMemoryTaskQueue({ clock }), vectors: new InMemoryVectorStore(), embedder: defaultEmbedder, clock, log: silentLogger,
    connector: (id) => (id === 'chat' ? source : undefined), settings: (id) => (id === 'chat' ? settings : undefined),
    profiles: (id) => (id === 'chat' ? configured.map(profileOf) : undefined),
    retiredTarget: async (_id, p) => stores.get(p.name),
  };
  const sync = async (only?: string[]) => {
    clock.advance(1000);
    const result = await runFetch(deps, {
      type: 'fetch', sourceId: 'chat', trigger: 'cli', requestedAt: new Date(clock.now()).toISOString(), ...(only ? { profiles: only } : {}),
    }, { owner: 'host:1:profiles' });
    await drainEmbedQueue(deps, { maxReceives: 3 });
    return result;
  };
  const calls = () => Object.fromEntries([...embedders].map(([n, e]) => [n, e.calls]));
  const writes = () => Object.fromEntries([...stores].map(([n, s]) => [n, s.writes]));
  const reset = () => {
    for (const e of embedders.values()) e.calls = 0;
    for (const s of stores.values()) s.writes = 0;
    source.read = 0;
  };
  const count = async (name: string) => (await stores.get(name)!.listIds('chat#')).length;
  return { source, state, deps, stores, sync, count, calls, writes, reset, configure: (n: string[]) => { configured = n; } };
}

describe('index profiles', () => {
  it('syncs one read of the source into every profile, each chunked its own way, and a no-change sync makes 0 calls and 0 writes', async () => {
    // Prepare
    const t = setup(['temporal', 'sliding', 'token-aware']);
    for (let n = 0; n < 12; n++) t.source.put(`c${n}`, chat(n, 9));

    // Act
    const first = await t.sync();
    const readFirst = t.source.read;
    t.reset();
    const second = await t.sync();

    // Assess
    expect(readFirst).toBe(12);
    expect(first.profiles && Object.keys(first.profiles)).toEqual(['temporal', 'sliding', 'token-aware']);
    const counts = await Promise.all([...t.stores.keys()].map((n) => t.count(n)));
    expect(new Set(counts).size).toBe(3);
    for (const scope of profileScopes(t.deps, 'chat')) expect(auditClean(await auditSource(scope.deps, 'chat'))).toBe(true);
    expect(second.counters.docsChanged).toBe(0);
    expect(t.calls()).toEqual({ temporal: 0, sliding: 0, 'token-aware': 0 });
    expect(t.writes()).toEqual({ temporal: 0, sliding: 0, 'token-aware': 0 });
    expect(t.source.read).toBe(0);
    const run = await t.state.getRun(profileKeyOf('chat', 'sliding'), first.runId!);
    expect(run?.docsChanged).toBe(12);
    expect(run?.vectorsUpserted).toBe((await t.count('sliding')));
  });

  it('backfills a profile added later alone, re-embeds an edit in every profile, and deletes a removed profile\'s vectors', async () => {
    // Prepare
    const t = setup(['temporal', 'sliding']);
    for (let n = 0; n < 8; n++) t.source.put(`c${n}`, chat(n, 7));
    await t.sync();
    t.reset();

    // Act: a fourth profile
    t.configure(['temporal', 'sliding', 'message']);
    const backfill = await t.sync();

    // Assess
    expect(t.calls()).toMatchObject({ temporal: 0, sliding: 0 });
    expect(t.writes()).toMatchObject({ temporal: 0, sliding: 0 });
    expect(t.calls()['message']).toBeGreaterThan(0);
    expect((await t.count('message'))).toBe(8 * 7);
    expect(backfill.profiles?.['message']?.docsChanged).toBe(8);
    expect(backfill.profiles?.['temporal']?.docsChanged).toBe(0);

    // Act: an edit, then a profile removed
    t.reset();
    t.source.put('c3', `${chat(3, 7)}${TURN_SEPARATOR}[2024-05-03 11:00] alice: one more`);
    await t.sync();
    const edited = { calls: t.calls(), read: t.source.read };
    t.configure(['temporal', 'message']);
    await t.sync();

    // Assess
    expect(edited.read).toBe(1);
    expect(edited.calls).toEqual({ temporal: 1, sliding: 1, message: 1 });
    expect((await t.count('sliding'))).toBe(0);
    expect(await t.state.getDocuments(ledgerKeyOf('chat', 'sliding'), ['c0'])).toEqual(new Map());
    expect((await t.count('message'))).toBe(8 * 7 + 1);
  });

  it('syncs only the profiles asked for, and the others catch up from their own checkpoint', async () => {
    // Prepare
    const t = setup(['temporal', 'message']);
    for (let n = 0; n < 4; n++) t.source.put(`c${n}`, chat(n, 5));
    await t.sync();
    t.source.put('c9', chat(9, 5));
    t.reset();

    // Act
    await t.sync(['message']);
    const only = t.calls();
    t.reset();
    await t.sync();

    // Assess
    expect(only).toEqual({ temporal: 0, message: 1 });
    expect(t.calls()).toEqual({ temporal: 1, message: 0 });
    expect((await t.count('temporal'))).toBeGreaterThan(0);
    for (const scope of profileScopes(t.deps, 'chat')) expect(auditClean(await auditSource(scope.deps, 'chat'))).toBe(true);
  });
});
