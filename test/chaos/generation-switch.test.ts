/**
 * A generation switch under chaos: a profile's model changes, and the run building the new
 * generation dies mid-pass (its state calls fail from a page on, its lease stays held), an
 * embedder dies holding tasks, the source is edited, created and deleted from meanwhile, and
 * tasks are delivered twice. A restarted process takes the lease over once it expires and
 * resumes; once everything settled, the alias flips, and the index searches answer from must
 * audit clean against the source: every current document, nothing stale, nothing twice.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Context } from 'aws-lambda';
import { createEmbedderHandler } from '../../functions/embedder/embedder.ts';
import { auditClean, auditProfiles } from '../../shared/core/audit.ts';
import type { CoreDeps } from '../../shared/core/deps.ts';
import { silentLogger } from '../../shared/core/deps.ts';
import { runFetch } from '../../shared/core/fetch-run.ts';
import { reportGenerations, settleGenerations } from '../../shared/core/generation-lifecycle.ts';
import { withGenerations } from '../../shared/core/generations.ts';
import type { StateStore } from '../../shared/ports/index.ts';
import { drainEmbedQueue, toRecord } from '../support/drain.ts';
import { ManualClock, testSettings } from '../support/embedded.ts';
import { generationFixture } from '../support/generation-fixture.ts';
import { MemorySource } from '../support/memory-source.ts';
import { InMemoryStateStore } from '../support/memory-state-store.ts';
import { InMemoryTaskQueue } from '../support/memory-task-queue.ts';
import { InMemoryVectorStore } from '../support/memory-vector-store.ts';

type Edit = { readonly at: number; readonly doc: number; readonly kind: 'edit' | 'delete' | 'create' };

interface Case {
  readonly docs: number;
  /** The building run dies when it asks for this page. */
  readonly crashPage: number;
  /** Embed tasks an embedder takes and dies with before the crash. */
  readonly lostTasks: number;
  /** Embed tasks delivered twice after the restart. */
  readonly replays: number;
  readonly edits: readonly Edit[];
}

/** A state store that fails every call once `dead` is set: the process is gone mid-run, its lease left held. */
function mortal(state: StateStore): { state: StateStore; kill(): void } {
  let dead = false;
  const proxy = new Proxy(state, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (dead) return Promise.reject(new Error('process killed'));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { state: proxy, kill: () => { dead = true; } };
}

async function play(c: Case): Promise<void> {
  const clock = new ManualClock();
  const source = new MemorySource('docs', 3);
  for (let i = 0; i < c.docs; i++) source.put(`d${i}`, `Note ${i}: the release checklist, step ${i}.`);
  const state = new InMemoryStateStore();
  const queue = new InMemoryTaskQueue({ clock });
  const settings = testSettings('docs');
  const { embedderOf, storeOf, profile, generations, setModel } = generationFixture(settings.chunking, 0);
  const depsOn = (s: StateStore): CoreDeps => ({
    state: s, queue, vectors: new InMemoryVectorStore(), embedder: embedderOf('top'), clock, log: silentLogger,
    connector: (id) => (id === 'docs' ? source : undefined), settings: (id) => (id === 'docs' ? settings : undefined),
    profiles: (id) => (id === 'docs' ? [profile()] : undefined), retiredTarget: async (_id, p) => storeOf(p.target), generations,
  });
  const healthy = depsOn(state);
  const fetch = (deps: CoreDeps, owner: string) => {
    clock.advance(1000);
    return runFetch(deps, { type: 'fetch', sourceId: 'docs', trigger: 'schedule', requestedAt: new Date(clock.now()).toISOString() }, { owner });
  };
  await fetch(healthy, 'host:1:a');
  await drainEmbedQueue(healthy);

  // The model changes; the run that starts the build dies at a page, edits land meanwhile.
  setModel('model-b');
  const doomed = mortal(state);
  let created = c.docs;
  const start = source.pulls;
  source.beforePage = async (pull) => {
    const page = pull - start;
    for (const e of c.edits.filter((x) => x.at === page)) {
      if (e.kind === 'create') source.put(`d${created++}`, `A new note ${created}: the invoice run.`);
      else if (e.kind === 'delete') source.remove(`d${e.doc % c.docs}`);
      else if (source.docs.has(`d${e.doc % c.docs}`)) source.put(`d${e.doc % c.docs}`, `Note ${e.doc} edited at page ${page}: the outage review.`);
    }
    if (page === c.crashPage) doomed.kill();
  };
  let crashed = false;
  await fetch(depsOn(doomed.state), 'host:2:doomed').catch(() => { crashed = true; });
  expect(crashed).toBe(true);
  source.beforePage = undefined;
  // An embedder takes some tasks and dies with them (they come back after the visibility timeout).
  await queue.receive('embed', { max: c.lostTasks, waitSeconds: 0, visibilitySeconds: 30 });

  // Whenever the alias flips, searches must find the new generation complete: try it at every step.
  const flipInStep = async () => {
    const [outcome] = await settleGenerations(healthy, 'docs');
    if (!outcome?.flipped) return;
    for (const audit of await auditProfiles(await withGenerations(healthy, ['docs'], 'current'), 'docs')) {
      expect(auditClean(audit), `flipped to an index out of step: ${JSON.stringify(audit)}`).toBe(true);
    }
  };
  await flipInStep();

  // Restart: once the dead run's lease has expired, a new process takes over and resumes.
  clock.advance(settings.leaseTtlMs + 31_000);
  await fetch(healthy, 'host:3:restarted');
  await flipInStep();
  const handler = createEmbedderHandler(healthy, { maxReceives: 5 });
  const twice = await queue.receive('embed', { max: c.replays, waitSeconds: 0, visibilitySeconds: 0 });
  if (twice.length > 0) await handler({ Records: twice.map(toRecord) }, {} as Context);
  await flipInStep();
  await drainEmbedQueue(healthy);
  // A later sync reconciles what the interrupted pass could not see, and flips the finished build.
  await fetch(healthy, 'host:3:restarted');
  await drainEmbedQueue(healthy);
  await flipInStep();
  await fetch(healthy, 'host:3:restarted');
  await drainEmbedQueue(healthy);

  // Assess: the alias names generation 1, which audits clean and holds every current document once.
  const [report] = await reportGenerations(healthy, 'docs');
  expect(report).toMatchObject({ current: { number: 1, model: 'model-b' } });
  expect(report?.building).toBeUndefined();
  const current = await withGenerations(healthy, ['docs'], 'current');
  for (const audit of await auditProfiles(current, 'docs')) expect(auditClean(audit), JSON.stringify(audit)).toBe(true);
  const ids = await storeOf('main.g1').listIds('docs#');
  expect(new Set(ids.map((id) => id.split('#')[1])).size).toBe(source.docs.size);
  // The replaced generation is gone (grace 0): the next sync retired it.
  expect(await storeOf('main').listIds('docs#')).toEqual([]);
}

const editArb = fc.record({ at: fc.integer({ min: 0, max: 1 }), doc: fc.nat(20), kind: fc.constantFrom('edit' as const, 'delete' as const, 'create' as const) });
const caseArb = fc.record({
  docs: fc.integer({ min: 10, max: 16 }),
  crashPage: fc.integer({ min: 0, max: 1 }),
  lostTasks: fc.integer({ min: 0, max: 4 }),
  replays: fc.integer({ min: 0, max: 3 }),
  edits: fc.array(editArb, { maxLength: 3 }),
});

describe('chaos: a generation switch mid-run', () => {
  it('converges to an index that audits clean after a crash while building, a restart and the flip', async () => {
    await fc.assert(fc.asyncProperty(caseArb, play), { numRuns: 25, seed: 17 });
  }, 60_000);
});
