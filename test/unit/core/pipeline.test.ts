import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { auditClean, auditSource } from '../../../shared/core/audit.ts';
import { processEmbedTask } from '../../../shared/core/embed-task.ts';
import { CursorExpiredError, LeaseLostError } from '../../../shared/core/errors.ts';
import { runFetch } from '../../../shared/core/fetch-run.ts';
import { docVectorPrefix, makeRev, vectorId } from '../../../shared/core/ids.ts';
import { unsettledDocuments } from '../../../shared/core/recovery.ts';
import type { Cursor, EmbedTask, FetchResult, FetchTask, PullPage, PullWindow, SourceConnector, UpsertTask } from '../../../shared/ports/index.ts';
import { drainEmbedQueue } from '../../support/drain.ts';
import { startServers, testPipeline, type EmbeddedServers, type TestPipeline } from '../../support/embedded.ts';
import { MemorySource } from '../../support/memory-source.ts';

const OWNER = 'host:1:test';

/**
 * A change feed that can only resume from a token (as Google Drive's changes API): a full pass
 * lists everything and ends with the current token; an incremental pass reads the changes after
 * `window.resume`'s token; tokens before `expiredBefore` are gone (410 on a real API).
 */
class TokenFeed implements SourceConnector {
  readonly sourceId = 'feed';
  readonly docs = new Map<string, { text: string; version: string }>();
  private readonly log: Array<{ seq: number; id: string }> = [];
  private seq = 0;
  expiredBefore = 0;
  readonly reads: string[] = [];

  put(id: string, text: string): void {
    this.seq += 1;
    this.docs.set(id, { text, version: String(this.seq) });
    this.log.push({ seq: this.seq, id });
  }

  remove(id: string): void {
    this.seq += 1;
    this.docs.delete(id);
    this.log.push({ seq: this.seq, id });
  }

  async pull(_cursor: Cursor | undefined, window: PullWindow): Promise<PullPage> {
    const next = { token: this.seq };
    if (window.full) {
      this.reads.push('list');
      return { changed: [...this.docs].map(([id, d]) => ({ id, version: d.version })), deleted: [], next, done: true };
    }
    const token = Number(window.resume?.['token']);
    if (!Number.isInteger(token)) throw new Error('an incremental pass without a change token');
    if (token < this.expiredBefore) throw new CursorExpiredError(this.sourceId);
    this.reads.push(`changes after ${token}`);
    const ids = [...new Set(this.log.filter((e) => e.seq > token).map((e) => e.id))];
    return {
      changed: ids.filter((id) => this.docs.has(id)).map((id) => ({ id, version: this.docs.get(id)!.version })),
      deleted: ids.filter((id) => !this.docs.has(id)), next, done: true,
    };
  }

  async fetch(ids: readonly string[]): Promise<FetchResult> {
    return {
      documents: ids.flatMap((id) => {
        const d = this.docs.get(id);
        return d ? [{ id, version: d.version, text: d.text, format: 'markdown' as const }] : [];
      }),
    };
  }
}

function doc(title: string, sections: string[]): string {
  return `# ${title}\n\n${sections.map((s, i) => `## Section ${i + 1}\n\n${s}`).join('\n\n')}\n`;
}

function para(seed: number, words = 40): string {
  const vocab = ['vector', 'index', 'ledger', 'cursor', 'lease', 'queue', 'chunk', 'embed', 'source', 'sync', 'delete', 'version', 'epoch', 'fence', 'drift'];
  return Array.from({ length: words }, (_, i) => vocab[(seed * 7 + i * 3 + Math.floor(i / 5)) % vocab.length]).join(' ') + '.';
}

const task = (sourceId: string, extra: Partial<FetchTask> = {}): FetchTask => ({
  type: 'fetch', sourceId, trigger: 'cli', requestedAt: '2026-01-01T00:00:00.000Z', ...extra,
});

/** Exactly what the index holds for a source: docId → chunk texts in index order. */
async function indexed(p: TestPipeline, sourceId: string): Promise<Map<string, string[]>> {
  const rows = await p.vectors.scan(`${sourceId}#`);
  const out = new Map<string, string[]>();
  for (const r of rows) {
    const docId = String(r.metadata['docId']);
    const list = out.get(docId) ?? [];
    list[Number(r.metadata['chunkIndex'])] = String(r.metadata['text']);
    out.set(docId, list);
  }
  return out;
}

async function sync(p: TestPipeline, sourceId: string, extra: Partial<FetchTask> = {}, allowMassDelete = false) {
  const result = await runFetch(p.deps, task(sourceId, extra), { owner: OWNER, allowMassDelete });
  await drainEmbedQueue(p.deps);
  return result;
}

describe('sync core on embedded DynamoDB, SQS and LanceDB', () => {
  let servers: EmbeddedServers;
  let p: TestPipeline;
  let source: MemorySource;

  beforeAll(async () => {
    servers = await startServers();
  });
  afterAll(async () => {
    await servers.close();
  });
  afterEach(async () => {
    await p?.close();
  });

  async function setup(docs = 7): Promise<void> {
    source = new MemorySource('docs', 3);
    for (let i = 0; i < docs; i++) source.put(`doc-${i}.md`, doc(`Doc ${i}`, [para(i), para(i + 1), para(i + 2)]));
    p = await testPipeline(servers, [{ connector: source }]);
  }

  it('indexes every document once, then does no work when nothing changed', async () => {
    // Prepare
    await setup();

    // Act
    const first = await sync(p, 'docs');
    const callsAfterFirst = p.embedder.stats.calls;
    const second = await sync(p, 'docs');

    // Assess
    expect(first.counters).toMatchObject({ docsSeen: 7, docsChanged: 7, docsDeleted: 0 });
    const index = await indexed(p, 'docs');
    expect([...index.keys()].sort()).toEqual([...source.docs.keys()].sort());
    for (const chunks of index.values()) expect(chunks.every((c) => typeof c === 'string')).toBe(true);
    expect(second.counters).toMatchObject({ docsChanged: 0, docsDeleted: 0, docsUnchanged: 7, tasksEnqueued: 0 });
    expect(p.embedder.stats.calls).toBe(callsAfterFirst);
    expect(auditClean(await auditSource(p.deps, 'docs'))).toBe(true);
  });

  it('re-embeds only the chunks of the edited section', async () => {
    // Prepare
    await setup();
    await sync(p, 'docs');
    const before = p.embedder.stats.texts;
    const rowsBefore = new Map((await p.vectors.scan('docs#')).map((r) => [r.id, r.metadata['hash']]));

    // Act: append a sentence to section 2 of one document
    source.put('doc-3.md', doc('Doc 3', [para(3), `${para(4)} An appended sentence about fencing.`, para(5)]));
    const run = await sync(p, 'docs');

    // Assess
    expect(run.counters.docsChanged).toBe(1);
    const rowsAfter = await p.vectors.scan('docs#');
    const changed = rowsAfter.filter((r) => rowsBefore.get(r.id) !== r.metadata['hash']);
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.every((r) => String(r.metadata['text']).startsWith('## Section 2'))).toBe(true);
    expect(p.embedder.stats.texts - before).toBe(changed.length);
  });

  it('propagates deletions found by reconcile, leaving a tombstone', async () => {
    // Prepare
    await setup();
    await sync(p, 'docs');

    // Act
    source.remove('doc-1.md');
    const run = await sync(p, 'docs');

    // Assess
    expect(run.counters.docsDeleted).toBe(1);
    expect(await p.vectors.listIds(docVectorPrefix('docs', 'doc-1.md'))).toEqual([]);
    const ledger = await p.state.getDocuments('docs', ['doc-1.md']);
    expect(ledger.get('doc-1.md')?.deleted).toBe(true);
    expect(auditClean(await auditSource(p.deps, 'docs'))).toBe(true);
  });

  it('does not take documents whose tasks an embedder claimed before their pending markers landed for drift', async () => {
    // Prepare: every embed task is claimed between the send and the pending marker (a fast
    // embedder), so the marker stands down and, until the commit, the ledger holds neither a
    // version nor a marker for the document.
    await setup(9);
    const markPending = p.deps.state.markPending.bind(p.deps.state);
    p.deps.state.markPending = async (sourceId, marks) => {
      for (const m of marks) await p.state.claimDocument({ sourceId, docId: m.docId, rev: m.pending.rev });
      return markPending(sourceId, marks);
    };

    // Act: a full pass, then its reconcile (the memory source lists its ids).
    const run = await runFetch(p.deps, task('docs', { full: true }), { owner: OWNER });

    // Assess: each document enqueued once, none found "drifted" by the reconcile.
    expect(run.counters).toMatchObject({ docsSeen: 9, docsChanged: 9, tasksEnqueued: 9 });
  });

  it('deletes a clean document\'s vectors by the ledger\'s count, and lists the store when a crashed attempt left a claim', async () => {
    // Prepare: two indexed documents; doc-0 also has a claim and an extra vector left by a crashed attempt.
    await setup(3);
    await sync(p, 'docs');
    await p.state.claimDocument({ sourceId: 'docs', docId: 'doc-0.md', rev: makeRev(1, 999) });
    const ghost = vectorId('docs', 'doc-0.md', 42);
    await p.vectors.upsert([{ id: ghost, values: new Float32Array(64).fill(0.125), metadata: { sourceId: 'docs', docId: 'doc-0.md', chunkIndex: 42, hash: 'x', text: 'ghost' } }]);
    const listed: string[] = [];
    const listIds = p.deps.vectors.listIds.bind(p.deps.vectors);
    p.deps.vectors.listIds = async (prefix: string) => {
      listed.push(prefix);
      return listIds(prefix);
    };

    // Act
    source.remove('doc-1.md');
    source.remove('doc-0.md');
    const run = await sync(p, 'docs');

    // Assess: doc-1 deleted without asking the store, doc-0 by listing (the ghost is gone too).
    expect(run.counters.docsDeleted).toBe(2);
    expect(listed).not.toContain(docVectorPrefix('docs', 'doc-1.md'));
    expect(listed).toContain(docVectorPrefix('docs', 'doc-0.md'));
    expect(await p.vectors.listIds(docVectorPrefix('docs', 'doc-1.md'))).toEqual([]);
    expect(await p.vectors.listIds(docVectorPrefix('docs', 'doc-0.md'))).toEqual([]);
    expect((await p.vectors.listIds('docs#')).length).toBeGreaterThan(0);
    expect(auditClean(await auditSource(p.deps, 'docs'))).toBe(true);
  });

  it('trips the mass-delete breaker on an empty listing and deletes nothing until overridden', async () => {
    // Prepare
    await setup(20);
    await sync(p, 'docs');
    source.listOverride = [];

    // Act
    const refused = await sync(p, 'docs');
    const state = await p.state.getSource('docs');
    const vectorsAfterRefusal = (await p.vectors.listIds('docs#')).length;
    const forced = await sync(p, 'docs', {}, true);

    // Assess
    expect(refused.breaker).toMatchObject({ wouldDelete: 20, known: 20 });
    expect(refused.counters.docsDeleted).toBe(0);
    expect(state?.breaker?.wouldDelete).toBe(20);
    expect(vectorsAfterRefusal).toBeGreaterThan(0);
    expect(forced.counters.docsDeleted).toBe(20);
    expect(await p.vectors.listIds('docs#')).toEqual([]);
    expect((await p.state.getSource('docs'))?.breaker).toBeUndefined();
  });

  it('records a new version with unchanged content without embedding anything', async () => {
    // Prepare
    await setup();
    await sync(p, 'docs');
    const calls = p.embedder.stats.calls;
    const text = source.docs.get('doc-2.md')?.text ?? '';

    // Act: same content, bumped version (a touch)
    source.put('doc-2.md', text);
    const run = await sync(p, 'docs');
    const again = await sync(p, 'docs');

    // Assess
    expect(run.counters).toMatchObject({ docsChanged: 0, tasksEnqueued: 0 });
    expect(p.embedder.stats.calls).toBe(calls);
    expect((await p.state.getDocuments('docs', ['doc-2.md'])).get('doc-2.md')?.version).toBe(String(source.docs.get('doc-2.md')?.version));
    expect(again.counters.docsUnchanged).toBe(7);
    expect(source.fetches).toBeGreaterThan(0);
  });

  it('defers a second run while one holds the lease, and the holder runs again (no lost wake-up)', async () => {
    // Prepare
    await setup();
    let inner: Awaited<ReturnType<typeof runFetch>> | undefined;
    source.beforePage = async (page) => {
      if (page === 1) inner = await runFetch(p.deps, task('docs'), { owner: 'host:2:other' });
    };

    // Act
    const outer = await runFetch(p.deps, task('docs'), { owner: OWNER });

    // Assess
    expect(inner?.status).toBe('deferred');
    expect(outer.status).toBe('completed');
    expect(outer.rerun).toBe(true);
  });

  it('rejects the cursor write of a run whose lease was taken over (fencing)', async () => {
    // Prepare: the first run pauses mid-pass past its lease; another run takes over
    await setup();
    source.beforePage = async (page) => {
      if (page === 1) {
        p.clock.advance(61_000);
        source.beforePage = undefined;
        const other = await runFetch(p.deps, task('docs'), { owner: 'host:2:other' });
        expect(other.status).toBe('completed');
      }
    };

    // Act
    const paused = runFetch(p.deps, task('docs'), { owner: OWNER });

    // Assess
    await expect(paused).rejects.toBeInstanceOf(LeaseLostError);
    await drainEmbedQueue(p.deps);
    expect(auditClean(await auditSource(p.deps, 'docs'))).toBe(true);
  });

  it('takes over the lease of an owner known to be dead', async () => {
    // Prepare: a run that died holding a live lease
    await setup();
    await p.state.acquireLease({ sourceId: 'docs', owner: 'host:999:dead', now: p.clock.now(), ttlMs: 60_000 });

    // Act
    const blocked = await runFetch(p.deps, task('docs'), { owner: OWNER });
    const takeover = await runFetch(p.deps, task('docs'), { owner: OWNER, isOwnerAlive: (o) => o !== 'host:999:dead' });

    // Assess
    expect(blocked.status).toBe('deferred');
    expect(takeover.status).toBe('completed');
  });

  it('drops a task older than the ledger and ignores a duplicate delivery', async () => {
    // Prepare: capture two versions' tasks without applying them
    await setup(1);
    await runFetch(p.deps, task('docs'), { owner: OWNER });
    const v1 = await takeTasks(p);
    source.put('doc-0.md', doc('Doc 0', [para(10), para(11)]));
    await runFetch(p.deps, task('docs', { recover: true, ids: ['doc-0.md'] }), { owner: OWNER });
    const v2 = await takeTasks(p);

    // Act: newest first, then the old one, then the newest again
    const applied = await processEmbedTask(p.deps, v2[0]!);
    const stale = await processEmbedTask(p.deps, v1[0]!);
    const duplicate = await processEmbedTask(p.deps, v2[0]!);

    // Assess
    expect(applied.status).toBe('committed');
    expect(stale.status).toBe('stale');
    expect(duplicate.status).toBe('stale');
    const index = await indexed(p, 'docs');
    expect(index.get('doc-0.md')?.join(' ')).toContain(para(10));
    expect(auditClean(await auditSource(p.deps, 'docs'))).toBe(true);
  });

  it('cleans up vectors a crashed attempt left behind (claim without commit)', async () => {
    // Prepare: an attempt claimed, wrote an extra chunk, and died
    await setup(1);
    await sync(p, 'docs');
    const entry = (await p.state.getDocuments('docs', ['doc-0.md'])).get('doc-0.md');
    await p.state.claimDocument({ sourceId: 'docs', docId: 'doc-0.md', rev: makeRev(1, 999) }); // a later task of the same run
    const ghost = vectorId('docs', 'doc-0.md', 42);
    await p.vectors.upsert([{ id: ghost, values: new Float32Array(64).fill(0.125), metadata: { sourceId: 'docs', docId: 'doc-0.md', chunkIndex: 42, hash: 'x', text: 'ghost' } }]);
    expect(entry?.claim).toBeUndefined();

    // Act: the recovery finds the unsettled document and settles it
    const unsettled = await unsettledDocuments(p.deps, 'docs');
    await sync(p, 'docs', { ids: unsettled, recover: true, trigger: 'recovery' });

    // Assess
    expect(unsettled).toEqual(['doc-0.md']);
    expect(await p.vectors.listIds(vectorId('docs', 'doc-0.md', 42))).toEqual([]);
    expect(await unsettledDocuments(p.deps, 'docs')).toEqual([]);
    expect(auditClean(await auditSource(p.deps, 'docs'))).toBe(true);
  });

  it('recovers tasks lost with an in-memory queue from their pending markers', async () => {
    // Prepare: a run enqueued its tasks, then the queue was lost
    await setup();
    await runFetch(p.deps, task('docs'), { owner: OWNER });
    await takeTasks(p);

    // Act
    const unsettled = await unsettledDocuments(p.deps, 'docs');
    const plain = await sync(p, 'docs');
    await sync(p, 'docs', { ids: unsettled, recover: true, trigger: 'recovery' });

    // Assess
    expect(unsettled).toHaveLength(7);
    expect(plain.counters.tasksEnqueued).toBe(0); // pending markers stop blind re-enqueues
    expect((await indexed(p, 'docs')).size).toBe(7);
    expect(auditClean(await auditSource(p.deps, 'docs'))).toBe(true);
  });

  it('applies a targeted hint: changed ids are re-read, vanished ids deleted', async () => {
    // Prepare
    await setup();
    await sync(p, 'docs');
    source.put('doc-4.md', doc('Doc 4', [para(40)]));
    source.remove('doc-5.md');
    const pullsBefore = source.pulls;

    // Act
    const run = await sync(p, 'docs', { ids: ['doc-4.md', 'doc-5.md'], trigger: 'webhook' });

    // Assess
    expect(source.pulls).toBe(pullsBefore);
    expect(run.counters).toMatchObject({ docsChanged: 1, docsDeleted: 1 });
    const index = await indexed(p, 'docs');
    expect(index.has('doc-5.md')).toBe(false);
    expect(index.get('doc-4.md')?.join(' ')).toContain(para(40));
  });

  it('skips an incremental hint older than the last completed pass, but never one naming ids or a recent one', async () => {
    // Prepare: a pass completes at T (its snapshot, the watermark); hints were queued before it.
    await setup();
    p.clock.advance(60_000);
    const passAt = p.clock.now();
    await sync(p, 'docs');
    source.put('doc-4.md', doc('Doc 4', [para(44)]));
    const at = (ms: number): string => new Date(ms).toISOString();
    const pullsBefore = source.pulls;

    // Act
    const stale = await sync(p, 'docs', { trigger: 'webhook', requestedAt: at(passAt - 30_000) });
    const pullsAfterStale = source.pulls;
    const named = await sync(p, 'docs', { trigger: 'webhook', requestedAt: at(passAt - 30_000), ids: ['doc-4.md'] });
    const recent = await sync(p, 'docs', { trigger: 'webhook', requestedAt: at(passAt - 1_000) });

    // Assess
    expect(stale.runId).toBeUndefined();
    expect(pullsAfterStale).toBe(pullsBefore);
    expect(named.counters.docsChanged).toBe(1);
    expect(recent.runId).toBeDefined();
    expect(source.pulls).toBeGreaterThan(pullsAfterStale);
  });

  it('copies document metadata onto every vector, and rewrites them (without embedding) when only it changes', async () => {
    // Prepare
    await setup(3);
    const text = doc('Team page', [para(1), para(2), para(3), para(4)]);
    source.put('team.md', text, 'Team', { team: 'search', priority: 2, sourceId: 'spoofed' });
    await sync(p, 'docs');
    const calls = p.embedder.stats.calls;

    // Act: same text, new metadata (a new version, as a row's updated_at would give)
    source.put('team.md', text, 'Team', { team: 'ingest', priority: 2, sourceId: 'spoofed' });
    const run = await sync(p, 'docs');

    // Assess
    const rows = (await p.vectors.scan('docs#')).filter((r) => r.metadata['docId'] === 'team.md');
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      expect(r.metadata).toMatchObject({ team: 'ingest', priority: 2, title: 'Team', sourceId: 'docs' });
    }
    expect(run.counters.docsChanged).toBe(1);
    expect(p.embedder.stats.calls).toBe(calls);
  });

  it('continues a change feed from the token the last pass ended with, and falls back to a full pass when it expired', async () => {
    // Prepare
    const feed = new TokenFeed();
    for (const id of ['a', 'b', 'c']) feed.put(id, doc(`Doc ${id}`, [para(id.charCodeAt(0))]));
    p = await testPipeline(servers, [{ connector: feed }]);
    await sync(p, 'feed');

    // Act 1: an edit and a delete, read from the feed
    feed.put('b', doc('Doc b', [para(77)]));
    feed.remove('c');
    const incremental = await sync(p, 'feed');

    // Act 2: the token expires; another edit
    feed.expiredBefore = Number.MAX_SAFE_INTEGER;
    feed.put('a', doc('Doc a', [para(88)]));
    const fallback = await sync(p, 'feed');
    feed.expiredBefore = 0;
    feed.put('d', doc('Doc d', [para(99)]));
    const after = await sync(p, 'feed');

    // Assess
    expect(feed.reads).toEqual(['list', 'changes after 3', 'list', 'changes after 6']);
    expect(incremental.counters).toMatchObject({ docsChanged: 1, docsDeleted: 1 });
    expect(fallback.counters.docsChanged).toBe(1);
    expect(after.counters.docsChanged).toBe(1);
    const index = await indexed(p, 'feed');
    expect([...index.keys()].sort()).toEqual(['a', 'b', 'd']);
    expect(index.get('a')?.join(' ')).toContain(para(88));
    expect(index.get('b')?.join(' ')).toContain(para(77));
  });

  it('resumes an interrupted pass from its persisted cursor', async () => {
    // Prepare: the pass dies on its third page
    await setup(9);
    source.beforePage = (page) => {
      if (page === 2) throw new Error('source outage');
    };
    await expect(runFetch(p.deps, task('docs'), { owner: OWNER })).rejects.toThrow('source outage');
    const failed = await p.state.getSource('docs');
    source.beforePage = undefined;
    const pullsBefore = source.pulls;

    // Act
    const resumed = await sync(p, 'docs');

    // Assess
    expect(failed?.consecutiveFailures).toBe(1);
    expect(failed?.pass?.cursor).toEqual({ after: 'doc-5.md' });
    expect(source.pulls - pullsBefore).toBe(1); // only the last page
    expect(resumed.counters.docsSeen).toBe(3);
    expect((await indexed(p, 'docs')).size).toBe(9);
  });

  it('fetches a document too large to travel in its task message', async () => {
    // Prepare: about 300 KB of text
    source = new MemorySource('big', 3);
    source.put('huge.md', doc('Huge', Array.from({ length: 150 }, (_, i) => Array.from({ length: 8 }, (_, j) => para(i * 8 + j, 40)).join('\n\n'))));
    p = await testPipeline(servers, [{ connector: source, settings: { chunking: { targetTokens: 300, maxTokens: 800 } } }]);

    // Act
    await runFetch(p.deps, task('big'), { owner: OWNER });
    const [queued] = await takeTasks(p);
    await processEmbedTask(p.deps, queued!);

    // Assess
    expect(queued?.type === 'upsert' && queued.chunks).toBeFalsy();
    expect((await indexed(p, 'big')).get('huge.md')?.length).toBeGreaterThan(100);
    expect(auditClean(await auditSource(p.deps, 'big'))).toBe(true);
  });

  it('dead-letters a poison task with its reason while the rest of the batch succeeds', async () => {
    // Prepare
    await setup(2);
    await runFetch(p.deps, task('docs'), { owner: OWNER });
    await p.queue.sendEmbed([{ type: 'upsert', sourceId: 'nope', docId: 'x', rev: makeRev(1, 1), version: '1', contentHash: 'h', updatedAt: 'now', runId: 'RUN#x', chunks: [] } satisfies UpsertTask]);

    // Act
    await drainEmbedQueue(p.deps);

    // Assess
    const dead = await p.queue.listDeadLetters('embed', 10);
    expect(dead).toHaveLength(1);
    expect(dead[0]?.reason).toContain('unknown source "nope"');
    expect((await indexed(p, 'docs')).size).toBe(2);
  });
});

/** Removes and returns the embed tasks waiting in the queue (simulates a lost in-memory queue). */
async function takeTasks(p: TestPipeline): Promise<EmbedTask[]> {
  const out: EmbedTask[] = [];
  for (;;) {
    const messages = await p.queue.receive('embed', { max: 10, waitSeconds: 0, visibilitySeconds: 30 });
    if (messages.length === 0) break;
    out.push(...messages.map((m) => m.body as EmbedTask));
    await p.queue.ack('embed', messages.map((m) => m.receipt));
  }
  return out;
}

describe('chunking changes', () => {
  let servers: EmbeddedServers;
  beforeAll(async () => {
    servers = await startServers();
  });
  afterAll(async () => {
    await servers.close();
  });

  it('re-chunks every document after a chunking change, embedding only chunk texts never seen before', async () => {
    // Prepare: index with one chunk size, then change it (same store, same cache)
    const source = new MemorySource('docs', 3);
    const section = (k: number): string => [0, 1, 2, 3, 4].map((j) => para(k * 5 + j, 16)).join('\n\n');
    for (let i = 0; i < 6; i++) source.put(`doc-${i}.md`, doc(`Doc ${i}`, [section(i), section(i + 10), para(i, 8)]));
    const before = await testPipeline(servers, [{ connector: source, settings: { chunking: { targetTokens: 60, maxTokens: 200 } } }]);
    await sync(before, 'docs');
    const seen = new Set((await before.vectors.scan('docs#')).map((r) => String(r.metadata['hash'])));
    const after = { ...before, deps: { ...before.deps, settings: () => ({ ...testSettingsFor('docs'), chunking: { targetTokens: 40, maxTokens: 200 } }) } };
    const textsBefore = before.embedder.stats.texts;

    // Act
    const run = await sync(after, 'docs');

    // Assess
    const rows = await before.vectors.scan('docs#');
    const fresh = new Set(rows.map((r) => String(r.metadata['hash'])).filter((h) => !seen.has(h)));
    expect(run.counters.docsChanged).toBe(6);
    expect(fresh.size).toBeGreaterThan(0);
    expect(before.embedder.stats.texts - textsBefore).toBe(fresh.size);
    expect(auditClean(await auditSource(after.deps, 'docs'))).toBe(true);
    const again = await sync(after, 'docs');
    expect(again.counters.docsChanged).toBe(0);
    await before.close();
  });
});

function testSettingsFor(id: string) {
  return { id, lookbackMs: 60_000, leaseTtlMs: 60_000, maxDeleteShare: 0.3, deleteGuardMin: 5 };
}
