/**
 * Access metadata through the core: a document's principals are normalised onto every one of
 * its vectors, searches as a principal see only what they may, a change of access alone rewrites
 * every vector (from the embedding cache), and malformed access narrows rather than widens.
 */
import { describe, expect, it } from 'vitest';
import { HashingEmbedder } from '../../../shared/adapters/local/hashing-embedder.ts';
import { searchPrincipals } from '../../../shared/core/access.ts';
import type { CoreDeps } from '../../../shared/core/deps.ts';
import { silentLogger } from '../../../shared/core/deps.ts';
import { HttpError } from '../../../shared/core/errors.ts';
import { runFetch } from '../../../shared/core/fetch-run.ts';
import { search } from '../../../shared/core/search.ts';
import type { Embedder, EmbeddingResult } from '../../../shared/ports/index.ts';
import { drainEmbedQueue } from '../../support/drain.ts';
import { ManualClock, testSettings } from '../../support/embedded.ts';
import { MemorySource } from '../../support/memory-source.ts';
import { InMemoryStateStore } from '../../support/memory-state-store.ts';
import { InMemoryTaskQueue } from '../../support/memory-task-queue.ts';
import { InMemoryVectorStore } from '../../support/memory-vector-store.ts';

/** The hashing embedder, counting the texts it is sent. */
class CountingEmbedder implements Embedder {
  readonly model = 'counting';
  readonly dimensions = 32;
  texts = 0;
  private readonly inner = new HashingEmbedder({ dimensions: 32 });
  async embed(texts: readonly string[]): Promise<EmbeddingResult> {
    this.texts += texts.length;
    return this.inner.embed(texts);
  }
}

const LONG = Array.from({ length: 12 }, (_, i) => `## Part ${i}\n\nThe rota for part ${i} lists who is on call and when they hand over.`).join('\n\n');

function setup() {
  const clock = new ManualClock();
  const source = new MemorySource('docs', 10);
  const state = new InMemoryStateStore();
  const vectors = new InMemoryVectorStore();
  const embedder = new CountingEmbedder();
  const settings = testSettings('docs');
  const deps: CoreDeps = {
    state, queue: new InMemoryTaskQueue({ clock }), vectors, embedder, clock, log: silentLogger,
    connector: (id) => (id === 'docs' ? source : undefined), settings: (id) => (id === 'docs' ? settings : undefined),
  };
  const sync = async () => {
    clock.advance(1000);
    const result = await runFetch(deps, { type: 'fetch', sourceId: 'docs', trigger: 'cli', requestedAt: new Date(clock.now()).toISOString() }, { owner: 'host:1:access' });
    await drainEmbedQueue(deps, { maxReceives: 3 });
    return { result, run: result.runId ? await state.getRun('docs', result.runId) : undefined };
  };
  const accessOf = async (docId: string) => (await vectors.scan('docs#')).filter((r) => r.metadata['docId'] === docId).map((r) => r.metadata['access']);
  const found = async (as?: string[]) => [...new Set((await search(deps, 'rota on call hand over', { topK: 50, ...(as ? { as } : {}) })).map((r) => r.docId))].sort();
  return { source, vectors, embedder, sync, accessOf, found };
}

describe('access metadata through the core', () => {
  it('copies a document\'s principals, sorted and distinct, onto every vector, and searches as a principal see only what they may', async () => {
    // Prepare
    const t = setup();
    t.source.put('rota.md', LONG);
    t.source.access.set('rota.md', ['user:bob', 'group:oncall', 'user:bob']);
    t.source.put('lunch.md', '# Lunch\n\nThe rota for lunch: pizza on call.');
    t.source.access.set('lunch.md', ['public']);
    t.source.put('open.md', '# Open\n\nWho is on call hand over rota, for everyone.');

    // Act
    await t.sync();

    // Assess
    const rota = await t.accessOf('rota.md');
    expect(rota.length).toBeGreaterThan(1);
    for (const access of rota) expect(access).toEqual(['group:oncall', 'user:bob']);
    expect(await t.accessOf('open.md')).toEqual([undefined]);
    expect(await t.found()).toEqual(['lunch.md', 'open.md', 'rota.md']);
    expect(await t.found(['user:bob'])).toEqual(['lunch.md', 'open.md', 'rota.md']);
    expect(await t.found(['group:oncall'])).toEqual(['lunch.md', 'open.md', 'rota.md']);
    expect(await t.found(['user:carol'])).toEqual(['lunch.md', 'open.md']);
    expect(await t.found(['user:carol,group:oncall'])).toEqual(['lunch.md', 'open.md', 'rota.md']);
  });

  it('a change of access alone rewrites every vector of the document, embedding nothing', async () => {
    // Prepare
    const t = setup();
    t.source.put('rota.md', LONG);
    t.source.access.set('rota.md', ['user:bob']);
    await t.sync();
    const chunks = (await t.accessOf('rota.md')).length;
    const embedded = t.embedder.texts;
    const writes = t.vectors.writes;

    // Act: same text, a member more (the source bumps the version with it).
    t.source.access.set('rota.md', ['user:bob', 'user:carol']);
    t.source.put('rota.md', LONG);
    await t.sync();

    // Assess
    expect(t.embedder.texts).toBe(embedded);
    expect(t.vectors.writes - writes).toBe(chunks);
    for (const access of await t.accessOf('rota.md')) expect(access).toEqual(['user:bob', 'user:carol']);
    expect(await t.found(['user:carol'])).toEqual(['rota.md']);
  });

  it('a document that loses its access list becomes everyone\'s again', async () => {
    // Prepare
    const t = setup();
    t.source.put('rota.md', LONG);
    t.source.access.set('rota.md', ['user:bob']);
    await t.sync();

    // Act
    t.source.access.delete('rota.md');
    t.source.put('rota.md', LONG);
    await t.sync();

    // Assess
    for (const access of await t.accessOf('rota.md')) expect(access).toBeUndefined();
    expect(await t.found(['user:carol'])).toEqual(['rota.md']);
  });

  it('drops malformed principals with a warning on the run, and an access list with none left is nobody\'s', async () => {
    // Prepare
    const t = setup();
    t.source.put('typo.md', '# Typo\n\nThe rota, on call, hand over.');
    t.source.access.set('typo.md', ['user:bob', 'bob', 'user:with space']);
    t.source.put('empty.md', '# Empty\n\nAnother rota, on call, hand over.');
    t.source.access.set('empty.md', []);

    // Act
    const { run } = await t.sync();

    // Assess
    expect(await t.accessOf('typo.md')).toEqual([['user:bob']]);
    expect(await t.accessOf('empty.md')).toEqual([['none']]);
    expect(run?.warnings).toEqual([expect.objectContaining({ id: 'typo.md', reason: expect.stringMatching(/2 invalid principal\(s\) \("bob", "user:with space"\), left out/) })]);
    expect(await t.found(['user:bob'])).toEqual(['typo.md']);
    expect(await t.found(['user:carol'])).toEqual([]);
    expect(await t.found()).toEqual(['empty.md', 'typo.md']);
  });

  it('an access list too long for a vector is nobody\'s, with a warning saying so', async () => {
    // Prepare: 1,001 members.
    const t = setup();
    t.source.put('crowd.md', '# Crowd\n\nThe rota of everyone, on call, hand over.');
    t.source.access.set('crowd.md', Array.from({ length: 1001 }, (_, i) => `user:U${i}`));

    // Act
    const { run } = await t.sync();

    // Assess
    expect(await t.accessOf('crowd.md')).toEqual([['none']]);
    expect(run?.warnings?.[0]?.reason).toMatch(/more principals than a vector can carry/);
    expect(await t.found(['user:U7'])).toEqual([]);
  });

  it('keeps the key `access` for the pipeline: a document\'s own metadata of that name is not copied', async () => {
    // Prepare
    const t = setup();
    t.source.put('tagged.md', '# Tagged\n\nOn call rota, hand over.', undefined, { access: 'internal', team: 'ops' });

    // Act
    await t.sync();

    // Assess
    const [row] = (await t.vectors.scan('docs#'));
    expect(row?.metadata['team']).toBe('ops');
    expect(row?.metadata['access']).toBeUndefined();
    expect(await t.found(['user:carol'])).toEqual(['tagged.md']);
  });

  it('refuses to search as something that is not a principal', () => {
    expect(() => searchPrincipals(['user:bob', 'bob'])).toThrow(HttpError);
    expect(() => searchPrincipals(['bob'])).toThrow(/"bob" is not a principal: use user:<id>, group:<id> or public/);
    expect(() => searchPrincipals([''])).toThrow(/name at least one principal/);
    expect(searchPrincipals(['group:eng,user:bob'])).toEqual(['group:eng', 'user:bob', 'public']);
  });
});
