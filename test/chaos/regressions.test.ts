/**
 * Every hole the chaos suite found, kept: the minimal scenario fast-check shrank it to (and the
 * seed that found it, replayed on the current generator). Each one fails without its fix; see
 * the comment on each for what broke and what changed. Wake-up holes first found with a CLI
 * run as the lease holder are stated with a Lambda here: the suite excuses a CLI run that
 * fails (nothing retries it), so only a Lambda's retry shows the lost wake-up.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { assertConverges } from './support/property.ts';
import { scenarioArb, type Scenario, type Step } from './support/scenario.ts';

const base: Omit<Scenario, 'steps'> = {
  mode: 'listing', runtime: 'aws', pageSize: 1, skewMs: 0, skewJitterMs: 0, inline: false, byReference: false, initialDocs: 0, presync: false,
  maxDeleteShare: 0.3, textSeed: 0,
};

interface Regression {
  readonly name: string;
  /** The `npm run test:chaos -- --seed` that found it (fast-check's seed; the generator has grown since); absent: written by hand. */
  readonly seed?: number;
  readonly scenario: Scenario;
}

const scenario = (overrides: Partial<Omit<Scenario, 'steps'>>, steps: Step[]): Scenario => ({ ...base, ...overrides, steps });

const REGRESSIONS: Regression[] = [
  {
    // A sync that resumes a crashed pass finished with that pass's old snapshot as its watermark:
    // a document changed before the sync started (after the crashed pass's snapshot) stayed out
    // of the index. Fix: fetch-run catches up with an incremental pass from the resumed snapshot.
    name: 'a sync resuming a crashed pass also covers what changed before it started',
    seed: 1,
    scenario: scenario({ mode: 'window', initialDocs: 1 }, [
      { k: 'cli', owner: 0, full: false, recover: false, park: 1 },
      { k: 'advance', proc: 0 },
      { k: 'kill', proc: 0 },
      { k: 'embed', max: 1 },
    ]),
  },
  {
    // The cursor of a full pass expired (410): the core rethrew, kept the pass with the expired
    // cursor, and every later run failed the same way. Fix: an expired cursor restarts a full pass.
    name: 'a full pass whose page token expires starts over instead of failing forever',
    seed: 1,
    scenario: scenario({ mode: 'window' }, [
      { k: 'cli', owner: 0, full: false, recover: false, park: 1 },
      { k: 'advance', proc: 0 },
      { k: 'kill', proc: 0 },
      { k: 'create', salt: 0, titled: false },
      { k: 'expireToken' },
      { k: 'embed', max: 1 },
    ]),
  },
  {
    // A new title changed no chunk text, so no vector was rewritten: search kept showing the old
    // title (and a removed title stayed in the ledger). Fix: a retitled document rewrites its
    // vectors from the cache; a commit without a title removes the old one.
    name: 'a title change reaches every vector of the document',
    seed: 1,
    scenario: scenario({ initialDocs: 1 }, [
      { k: 'hint', docs: [0] },
      { k: 'lambda', budgetMs: 15_000, park: 1 },
      { k: 'edit', doc: 0, how: 'title', salt: 0 },
    ]),
  },
  {
    // The pending marker was written before the send; the send failed, and every later pass
    // trusted the marker ("a task for this version is queued") and never enqueued the document.
    // Fix: send, then mark; a marker never lands behind a commit of its rev.
    name: 'a failed enqueue leaves no pending marker that blocks the document forever',
    seed: 1,
    scenario: scenario({}, [
      { k: 'cli', owner: 0, full: false, recover: false, park: 1 },
      { k: 'advance', proc: 0 },
      { k: 'create', salt: 0, titled: false },
      { k: 'fault', fault: { op: 'queue.sendEmbed', at: 'before', kind: 'error', nth: 1 } },
      { k: 'advance', proc: 0 },
      { k: 'cli', owner: 0, full: false, recover: false, park: 1 },
      { k: 'replay', task: 0 },
    ]),
  },
  {
    // putRun ran before the try block: when it failed, the lease stayed taken until it expired and
    // a wake-up deferred to it was lost. Fix: putRun inside the try, so a failure releases the lease.
    name: 'a run that cannot record itself still releases its lease',
    seed: 1,
    scenario: scenario({}, [
      { k: 'fault', fault: { op: 'state.putRun', at: 'before', kind: 'error', nth: 1 } },
      { k: 'lambda', budgetMs: 600_000, park: 0 },
      { k: 'hint', docs: [] },
    ]),
  },
  {
    // A failed run's finishRun reported (and cleared) the rerun flag, and the core dropped it.
    // Fix: a failed run enqueues the rerun it was asked for.
    name: 'a failed run passes on the wake-up it was handed',
    seed: 1,
    scenario: scenario({ initialDocs: 2 }, [
      { k: 'lambda', budgetMs: 600_000, park: 1 },
      { k: 'tick', ms: 500 },
      { k: 'advance', proc: 0 },
      { k: 'cli', owner: 0, full: false, recover: false, park: 0 },
      { k: 'sourceOutage', count: 1 },
      { k: 'advance', proc: 0 },
    ]),
  },
  {
    // Taking the lease cleared the rerun flag: a targeted run taking over from a dead holder
    // swallowed the wake-up it cannot cover. Fix: only finishRun reports and clears the flag.
    name: 'taking over a lease does not swallow the wake-up left with the dead holder',
    seed: 1,
    scenario: scenario({}, [
      { k: 'create', salt: 0, titled: false },
      { k: 'hint', docs: [0] },
      { k: 'lambda', budgetMs: 600_000, park: 2 },
      { k: 'cli', owner: 0, full: false, recover: false, park: 0 },
      { k: 'kill', proc: 0 },
    ]),
  },
  {
    // acquireLease took effect but its answer was lost: a lease nobody held blocked the source
    // (deferring every trigger) until it expired. Fix: the core retries taking the lease.
    name: 'a lease taken with its answer lost is taken back, not left blocking the source',
    seed: 3,
    scenario: scenario({}, [
      { k: 'fault', fault: { op: 'state.acquireLease', at: 'after', kind: 'error', nth: 1 } },
      { k: 'lambda', budgetMs: 600_000, park: 0 },
    ]),
  },
  {
    // A failed run's releasing finishRun failed once and was not retried: the lease stayed
    // until it expired, and the run's own retry was deferred to it, its wake-up lost.
    // Fix: the failure path retries releasing the lease (and reruns when finishRun's outcome is unknown).
    name: 'a failed run retries releasing its lease',
    seed: 2,
    scenario: scenario({}, [
      { k: 'fault', fault: { op: 'state.finishRun', at: 'before', kind: 'error', nth: 1 } },
      { k: 'sourceOutage', count: 1 },
      { k: 'lambda', budgetMs: 600_000, park: 0 },
    ]),
  },
  {
    // A listing that came back empty (under the breaker's threshold) deleted a document; on a
    // timestamp-window source no pass ever showed it again, since reconcile only looked for
    // deletions. Fix: reconcile also hands listed documents the ledger lacks to the pass's diff.
    name: 'reconcile brings back a listed document a window will never show again',
    seed: 6,
    scenario: scenario({ mode: 'window', initialDocs: 2 }, [
      { k: 'rename', doc: 0 },
      { k: 'restore', doc: 0 },
      { k: 'tick', ms: 400_000 },
      { k: 'rename', doc: 0 },
      { k: 'delete', doc: 0 },
      { k: 'cli', owner: 0, full: false, recover: false, park: 1 },
      { k: 'emptyListing', count: 1 },
      { k: 'advance', proc: 0 },
      { k: 'advance', proc: 0 },
      { k: 'fault', fault: { op: 'state.getSource', at: 'before', kind: 'crash', nth: 1 } },
    ]),
  },
  {
    // A task dead-lettered after failed embedding attempts left its pending marker: every later
    // pass trusted it and the document kept its old vectors. Fix: the embedder releases the
    // marker when it dead-letters a task, so the next pass enqueues the document again.
    // Written by hand: the generator's statistics showed dead letters were rare, so this path had
    // to be driven on purpose (the generator now produces longer failure streaks too).
    name: 'a dead-lettered embed task gives its document back to the next pass',
    scenario: scenario({ pageSize: 2, initialDocs: 1, presync: true, textSeed: 1 }, [
      { k: 'edit', doc: 0, how: 'rewrite', salt: 5 },
      { k: 'fault', fault: { op: 'state.putEmbeddings', at: 'before', kind: 'error', nth: 1 } },
      { k: 'cli', owner: 0, full: false, recover: false, park: 0 },
      { k: 'embedApi', failures: ['500', '500', '500', '500', '500', '500'] },
      { k: 'embed', max: 10 },
      { k: 'tick', ms: 5_000 },
      { k: 'embed', max: 10 },
      { k: 'tick', ms: 5_000 },
      { k: 'embed', max: 10 },
      { k: 'tick', ms: 5_000 },
      { k: 'embed', max: 10 },
    ]),
  },
  {
    // A targeted run reported the rerun flag (clearing it) and its Lambda died before sending
    // the rerun; the redelivered targeted run found no flag. Fix: a targeted run reports the
    // flag without clearing it; a run that covers the wake-up clears it.
    name: 'a targeted run that dies after finishing leaves the wake-up for its retry',
    seed: 11,
    scenario: scenario({ initialDocs: 1 }, [
      { k: 'hint', docs: [0] },
      { k: 'lambda', budgetMs: 10_500, park: 4 },
      { k: 'tick', ms: 500 },
      { k: 'advance', proc: 0 },
      { k: 'cli', owner: 0, full: false, recover: false, park: 0 },
      { k: 'tick', ms: 5_000 },
      { k: 'tick', ms: 500 },
      { k: 'advance', proc: 0 },
      { k: 'tick', ms: 5_000 },
      { k: 'embed', max: 1 },
    ]),
  },
  {
    // A task naming its document (too large to carry its chunks) found the document gone and
    // stopped, leaving its pending marker: restored under the same version, the document looked
    // queued to every later pass. Fix: a task whose document is gone commits a deletion at its rev.
    name: 'a task whose document is gone when it runs leaves no marker behind',
    seed: 32,
    scenario: scenario({ byReference: true, initialDocs: 3, textSeed: 948_321_371 }, [
      { k: 'cli', owner: 0, full: false, recover: false, park: 0 },
      { k: 'delete', doc: 11 },
      { k: 'embed', max: 2 },
      { k: 'restore', doc: 0 },
      { k: 'tick', ms: 500 },
    ]),
  },
  {
    // The same, with the task running before its marker was written (markers follow the send):
    // the late marker outlived the task. Fix: no marker behind a claim of its rev.
    name: 'a marker written after its task already ran does not land',
    seed: 34,
    scenario: scenario({ inline: true, byReference: true }, [
      { k: 'create', salt: 562_230_778, titled: false },
      { k: 'edit', doc: 0, how: 'grow', salt: 0 },
      { k: 'lambda', budgetMs: 10_500, park: 4 },
      { k: 'advance', proc: 0 },
      { k: 'delete', doc: 0 },
      { k: 'advance', proc: 0 },
      { k: 'embed', max: 1 },
      { k: 'restore', doc: 0 },
    ]),
  },
  {
    // The same task, gone twice around a restore: its claim stayed on the tombstone, and the
    // ledger kept a deleted document unsettled for good. Fix: as above (the tombstone clears it).
    name: 'a task whose document is gone leaves no claim behind',
    seed: 44,
    scenario: scenario({ byReference: true, textSeed: 10 }, [
      { k: 'cli', owner: 0, full: false, recover: false, park: 1 },
      { k: 'create', salt: 0, titled: false },
      { k: 'advance', proc: 0 },
      { k: 'delete', doc: 0 },
      { k: 'advance', proc: 0 },
      { k: 'restore', doc: 0 },
      { k: 'cli', owner: 0, full: false, recover: false, park: 0 },
      { k: 'delete', doc: 0 },
      { k: 'edit', doc: 0, how: 'word', salt: 0 },
    ]),
  },
];

/**
 * The other seeds that ever failed, replayed like the rest: 33 found the same hole as 32; the
 * others failed on a mistake of the suite itself while it was built (its model of the local
 * runtime, an oracle reading an empty source as a broken listing) or of an intermediate fix.
 */
const OTHER_FAILED_SEEDS = [4, 5, 7, 8, 12, 33];

describe('chaos regressions: minimal counterexamples of every hole found', () => {
  for (const r of REGRESSIONS) {
    it(`${r.name}${r.seed !== undefined ? ` (found with seed ${r.seed})` : ''}`, async () => {
      await assertConverges(r.scenario, { adapters: 'memory' });
    });
  }

  it('replays every seed that ever failed (50 scenarios each, on the current generator)', async () => {
    for (const seed of new Set([...REGRESSIONS.flatMap((r) => (r.seed !== undefined ? [r.seed] : [])), ...OTHER_FAILED_SEEDS])) {
      await fc.assert(fc.asyncProperty(scenarioArb(), (s) => assertConverges(s, { adapters: 'memory' })), { numRuns: 50, seed });
    }
  }, 120_000);
});
