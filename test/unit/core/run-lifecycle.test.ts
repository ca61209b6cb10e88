/**
 * The connector's run lifecycle as the core drives it: `beginRun` once a run holds the lease
 * (before its first read), `endRun` with the outcome when it ends — also when it fails — and
 * neither for a run that never held the source.
 */
import { describe, expect, it } from 'vitest';
import type { CoreDeps } from '../../../shared/core/deps.ts';
import { silentLogger } from '../../../shared/core/deps.ts';
import { TransientError } from '../../../shared/core/errors.ts';
import { runFetch } from '../../../shared/core/fetch-run.ts';
import type { Cursor, FetchResult, FetchTask, PullPage, PullWindow, RunEnd, RunStart } from '../../../shared/ports/index.ts';
import { HashingEmbedder } from '../../../shared/adapters/local/hashing-embedder.ts';
import { ManualClock, testSettings } from '../../support/embedded.ts';
import { MemorySource } from '../../support/memory-source.ts';
import { InMemoryStateStore } from '../../support/memory-state-store.ts';
import { InMemoryTaskQueue } from '../../support/memory-task-queue.ts';
import { InMemoryVectorStore } from '../../support/memory-vector-store.ts';

const OWNER = 'host:1:lifecycle';

/** A MemorySource that writes down every call the core makes, in order. */
class RecordingSource extends MemorySource {
  readonly calls: string[] = [];
  readonly starts: RunStart[] = [];
  readonly ends: RunEnd[] = [];
  failPull: Error | undefined;
  failBegin: Error | undefined;
  failEnd: Error | undefined;

  override async pull(cursor: Cursor | undefined, window: PullWindow): Promise<PullPage> {
    this.calls.push('pull');
    if (this.failPull) throw this.failPull;
    return super.pull(cursor, window);
  }

  override async fetch(ids: readonly string[]): Promise<FetchResult> {
    this.calls.push('fetch');
    return super.fetch(ids);
  }

  beginRun(run: RunStart): void {
    this.calls.push('beginRun');
    this.starts.push(run);
    if (this.failBegin) throw this.failBegin;
  }

  async endRun(outcome: RunEnd): Promise<void> {
    this.calls.push('endRun');
    this.ends.push(outcome);
    if (this.failEnd) throw this.failEnd;
  }
}

function setup() {
  const clock = new ManualClock();
  const source = new RecordingSource('docs', 2);
  for (let i = 1; i <= 5; i++) source.put(`doc-${i}.md`, `# Doc ${i}\n\nBody ${i}.\n`);
  const state = new InMemoryStateStore();
  const settings = testSettings('docs');
  const deps: CoreDeps = {
    state, queue: new InMemoryTaskQueue({ clock }), vectors: new InMemoryVectorStore(), embedder: new HashingEmbedder({ dimensions: 16 }),
    clock, log: silentLogger,
    connector: (id) => (id === 'docs' ? source : undefined),
    settings: (id) => (id === 'docs' ? settings : undefined),
  };
  const task = (extra: Partial<FetchTask> = {}): FetchTask => ({ type: 'fetch', sourceId: 'docs', trigger: 'schedule', requestedAt: new Date(clock.now()).toISOString(), ...extra });
  return { clock, source, state, deps, task };
}

describe('connector run lifecycle', () => {
  it('begins a run before its first read and ends it with the outcome after its last', async () => {
    // Prepare
    const t = setup();

    // Act
    const result = await runFetch(t.deps, t.task(), { owner: OWNER });

    // Assess
    expect(result.status).toBe('completed');
    expect(t.source.calls[0]).toBe('beginRun');
    expect(t.source.calls.at(-1)).toBe('endRun');
    expect(t.source.calls.filter((c) => c === 'beginRun' || c === 'endRun')).toEqual(['beginRun', 'endRun']);
    expect(t.source.calls).toContain('pull');
    expect(t.source.starts).toEqual([{ runId: result.runId, trigger: 'schedule', targeted: false }]);
    expect(t.source.ends).toEqual([{ status: 'completed' }]);
  });

  it('tells a targeted run apart', async () => {
    // Prepare
    const t = setup();

    // Act
    await runFetch(t.deps, t.task({ trigger: 'webhook', ids: ['doc-1.md'] }), { owner: OWNER });

    // Assess
    expect(t.source.starts.map((s) => [s.trigger, s.targeted])).toEqual([['webhook', true]]);
    expect(t.source.calls).toEqual(['beginRun', 'fetch', 'endRun']);
  });

  it('ends a failed run too, with its error, and the run still fails', async () => {
    // Prepare
    const t = setup();
    t.source.failPull = new TransientError('the source is down');

    // Act
    const run = runFetch(t.deps, t.task(), { owner: OWNER });

    // Assess
    await expect(run).rejects.toThrow('the source is down');
    expect(t.source.ends).toEqual([{ status: 'failed', error: 'the source is down' }]);
  });

  it('a beginRun that throws fails the run, releases the lease and still ends the run', async () => {
    // Prepare
    const t = setup();
    t.source.failBegin = new TransientError('no budget store');

    // Act
    const run = runFetch(t.deps, t.task(), { owner: OWNER });

    // Assess
    await expect(run).rejects.toThrow('no budget store');
    expect(t.source.calls).toEqual(['beginRun', 'endRun']);
    expect((await t.state.getSource('docs'))?.leaseOwner).toBeUndefined();
    t.source.failBegin = undefined;
    expect((await runFetch(t.deps, t.task(), { owner: 'host:2:other' })).status).toBe('completed');
  });

  it('an endRun that throws does not change the run result', async () => {
    // Prepare
    const t = setup();
    t.source.failEnd = new Error('could not flush counters');

    // Act
    const result = await runFetch(t.deps, t.task(), { owner: OWNER });

    // Assess
    expect(result.status).toBe('completed');
    expect(t.source.ends).toEqual([{ status: 'completed' }]);
  });

  it('a run cut by its deadline ends as continued', async () => {
    // Prepare: the deadline is already inside the margin, so the pass stops before its first page.
    const t = setup();

    // Act
    const result = await runFetch(t.deps, t.task(), { owner: OWNER, deadline: t.clock.now() + 1000 });

    // Assess
    expect(result.status).toBe('continued');
    expect(t.source.ends).toEqual([{ status: 'continued' }]);
  });

  it('a run that finds the source busy neither begins nor ends', async () => {
    // Prepare: another owner holds the lease.
    const t = setup();
    await t.state.acquireLease({ sourceId: 'docs', owner: 'host:2:holder', now: t.clock.now(), ttlMs: 60_000 });

    // Act
    const result = await runFetch(t.deps, t.task(), { owner: OWNER });

    // Assess
    expect(result.status).toBe('deferred');
    expect(t.source.calls).toEqual([]);
  });
});

describe('reconcile after a pass', () => {
  it('runs after every completed pass unless the connector declines it for that pass', async () => {
    // Prepare: two documents removed from the source after a first sync.
    const t = setup();
    await runFetch(t.deps, t.task(), { owner: OWNER });
    t.source.remove('doc-4.md');
    t.source.remove('doc-5.md');
    let reconcile = false;
    const asked: string[] = [];
    Object.assign(t.source, {
      reconcileAfterPass(pass: { snapshotAt: string }): boolean {
        asked.push(pass.snapshotAt);
        return reconcile;
      },
    });

    // Act
    t.clock.advance(120_000);
    const declined = await runFetch(t.deps, t.task(), { owner: OWNER });
    reconcile = true;
    t.clock.advance(120_000);
    const accepted = await runFetch(t.deps, t.task(), { owner: OWNER });

    // Assess: the declined pass deleted nothing; the next one found both deletions.
    expect(asked).toHaveLength(2);
    expect(declined.counters.docsDeleted).toBe(0);
    expect(accepted.counters.docsDeleted).toBe(2);
  });
});
