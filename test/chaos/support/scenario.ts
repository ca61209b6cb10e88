import fc from 'fast-check';
import { PORT_OPS, type FaultSpec, type PortOp } from './processes.ts';
import type { SourceMode } from './sim-source.ts';

/** The source's lookback: skew is generated within it. */
export const LOOKBACK_MS = 60_000;

/** How a document is edited. */
export type EditKind = 'word' | 'section' | 'rewrite' | 'grow' | 'shrink' | 'share' | 'title';

/**
 * One step of a scenario. Document and process references are indexes taken modulo what
 * exists when the step runs, so every step stays meaningful while fast-check shrinks.
 */
export type Step =
  /** A new document (its content from `salt`). */
  | { readonly k: 'create'; readonly salt: number; readonly titled: boolean }
  | { readonly k: 'edit'; readonly doc: number; readonly how: EditKind; readonly salt: number }
  /** A new version with the same content. */
  | { readonly k: 'touch'; readonly doc: number }
  | { readonly k: 'delete'; readonly doc: number }
  | { readonly k: 'rename'; readonly doc: number }
  /** A deleted document comes back. */
  | { readonly k: 'restore'; readonly doc: number }
  /** Several documents change at one source timestamp. */
  | { readonly k: 'burst'; readonly count: number; readonly salt: number }
  | { readonly k: 'tick'; readonly ms: number }
  /** The scheduler enqueues a sync. */
  | { readonly k: 'schedule' }
  /** A webhook: "these ids changed" (ids of current or deleted documents) or "something changed". */
  | { readonly k: 'hint'; readonly docs: readonly number[] }
  /** A local `tributary sync` process (owner 0: a fresh one; 1–2: a reused host id). */
  | { readonly k: 'cli'; readonly owner: number; readonly full: boolean; readonly recover: boolean; readonly park: number }
  /** A fetcher Lambda takes the next fetch task (a scheduled one when none waits), with this much time left. */
  | { readonly k: 'lambda'; readonly budgetMs: number; readonly park: number }
  /** A parked process runs on to its next park point. */
  | { readonly k: 'advance'; readonly proc: number }
  /** A parked process dies (SIGKILL, Lambda killed). */
  | { readonly k: 'kill'; readonly proc: number }
  /** An embedder Lambda takes a batch of embed tasks. */
  | { readonly k: 'embed'; readonly max: number }
  /** An old embed task is delivered again (a duplicate, or delayed past newer versions). */
  | { readonly k: 'replay'; readonly task: number }
  /** The next process started gets this fault. */
  | { readonly k: 'fault'; readonly fault: FaultSpec }
  | { readonly k: 'embedApi'; readonly failures: ReadonlyArray<'429' | '500' | 'timeout'> }
  | { readonly k: 'vectorOutage'; readonly op: 'vectors.upsert' | 'vectors.delete' | 'vectors.listIds'; readonly count: number }
  | { readonly k: 'sourceOutage'; readonly count: number }
  | { readonly k: 'expireToken' }
  /** The source's listing comes back empty by mistake, for this many listings. */
  | { readonly k: 'emptyListing'; readonly count: number }
  /**
   * Local runtime: the queue's contents are lost with every process of the host (a state
   * folder moved from the layout whose queue lived in memory, or a queue emptied by hand).
   */
  | { readonly k: 'loseQueue' }
  /** Local runtime: the host process dies with every process in it; its queue survives in the database file. */
  | { readonly k: 'hostDies' };

export interface Scenario {
  readonly mode: SourceMode;
  /** `aws`: the final sync is a scheduled Lambda run. `local`: the host can die, its queue can be lost; `tributary sync` recovers. */
  readonly runtime: 'aws' | 'local';
  readonly pageSize: number;
  /** The source clock's offset from ours, and how much it wanders per event (kept within the lookback). */
  readonly skewMs: number;
  readonly skewJitterMs: number;
  /** Whether pages carry document content. */
  readonly inline: boolean;
  /** Whether embed tasks of larger documents name them instead of carrying their chunks (the embedder reads them). */
  readonly byReference: boolean;
  readonly initialDocs: number;
  /** Whether one clean sync indexes the initial documents before the steps. */
  readonly presync: boolean;
  readonly maxDeleteShare: number;
  readonly textSeed: number;
  readonly steps: readonly Step[];
}

const docRef = fc.nat({ max: 63 });
const procRef = fc.nat({ max: 7 });

/** Calls only (or also) embedders make: half the faults target them, half the fetch runs. */
const EMBEDDER_OPS: readonly PortOp[] = [
  'state.claimDocument', 'state.commitDocument', 'state.commitDeletion', 'state.releasePending', 'state.addRunCounters', 'queue.ack', 'queue.deadLetter',
  'vectors.upsert', 'vectors.delete', 'vectors.listIds', 'state.getEmbeddings', 'state.putEmbeddings', 'embedder.embed', 'state.getDocuments',
];
const FETCH_OPS: readonly PortOp[] = PORT_OPS.filter((op) => !EMBEDDER_OPS.includes(op) || ['state.getEmbeddings', 'state.putEmbeddings', 'embedder.embed', 'state.getDocuments'].includes(op));

const faultArb: fc.Arbitrary<FaultSpec> = fc.record({
  op: fc.oneof(fc.constantFrom(...EMBEDDER_OPS), fc.constantFrom(...FETCH_OPS)),
  at: fc.constantFrom('before' as const, 'after' as const, 'partial' as const),
  kind: fc.oneof({ weight: 3, arbitrary: fc.constant('crash' as const) }, { weight: 1, arbitrary: fc.constant('error' as const) }),
  nth: fc.integer({ min: 1, max: 2 }),
});

export const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ k: fc.constant('create' as const), salt: fc.nat(), titled: fc.boolean() }) },
  {
    weight: 8,
    arbitrary: fc.record({
      k: fc.constant('edit' as const), doc: docRef,
      how: fc.constantFrom<EditKind>('word', 'section', 'rewrite', 'grow', 'shrink', 'share', 'title'), salt: fc.nat(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('touch' as const), doc: docRef }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('delete' as const), doc: docRef }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('rename' as const), doc: docRef }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('restore' as const), doc: docRef }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('burst' as const), count: fc.integer({ min: 2, max: 5 }), salt: fc.nat() }) },
  {
    weight: 6,
    arbitrary: fc.record({
      k: fc.constant('tick' as const),
      ms: fc.constantFrom(500, 1_000, 2_000, 5_000, 15_000, 30_000, 61_000, 200_000, 400_000, 1_000_000),
    }),
  },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('schedule' as const) }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('hint' as const), docs: fc.array(docRef, { maxLength: 3 }) }) },
  {
    weight: 5,
    arbitrary: fc.record({
      k: fc.constant('cli' as const), owner: fc.integer({ min: 0, max: 2 }), full: fc.boolean(),
      recover: fc.boolean(), park: fc.integer({ min: 0, max: 4 }),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      k: fc.constant('lambda' as const), budgetMs: fc.constantFrom(10_500, 15_000, 60_000, 600_000), park: fc.integer({ min: 0, max: 4 }),
    }),
  },
  { weight: 10, arbitrary: fc.record({ k: fc.constant('advance' as const), proc: procRef }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('kill' as const), proc: procRef }) },
  { weight: 10, arbitrary: fc.record({ k: fc.constant('embed' as const), max: fc.integer({ min: 1, max: 10 }) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('replay' as const), task: fc.nat() }) },
  { weight: 6, arbitrary: fc.record({ k: fc.constant('fault' as const), fault: faultArb }) },
  {
    weight: 2,
    arbitrary: fc.record({
      k: fc.constant('embedApi' as const),
      failures: fc.array(fc.constantFrom('429' as const, '500' as const, 'timeout' as const), { minLength: 1, maxLength: 8 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      k: fc.constant('vectorOutage' as const),
      op: fc.constantFrom('vectors.upsert' as const, 'vectors.delete' as const, 'vectors.listIds' as const),
      count: fc.integer({ min: 1, max: 3 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('sourceOutage' as const), count: fc.integer({ min: 1, max: 2 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('expireToken' as const) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('emptyListing' as const), count: fc.integer({ min: 1, max: 2 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('loseQueue' as const) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('hostDies' as const) }) },
);

export function scenarioArb(options: { maxSteps?: number } = {}): fc.Arbitrary<Scenario> {
  return fc.record({
    mode: fc.constantFrom<SourceMode>('listing', 'window'),
    runtime: fc.constantFrom('aws' as const, 'local' as const),
    pageSize: fc.integer({ min: 1, max: 4 }),
    skewMs: fc.integer({ min: -(LOOKBACK_MS - 1_000), max: LOOKBACK_MS }),
    skewJitterMs: fc.constantFrom(0, 2_000, 20_000),
    inline: fc.boolean(),
    byReference: fc.boolean(),
    initialDocs: fc.integer({ min: 0, max: 12 }),
    presync: fc.boolean(),
    maxDeleteShare: fc.constantFrom(0.3, 0.5),
    textSeed: fc.nat(),
    steps: fc.array(stepArb, { minLength: 1, maxLength: options.maxSteps ?? 80, size: 'max' }),
  });
}

/** One line per step, for traces and regression tests. */
export function describeStep(step: Step): string {
  const { k, ...rest } = step;
  const args = Object.entries(rest).map(([key, value]) => `${key}=${JSON.stringify(value)}`).join(' ');
  return args ? `${k} ${args}` : k;
}
