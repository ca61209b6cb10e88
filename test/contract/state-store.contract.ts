import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pushStateOf } from '../../shared/connectors/push/push-connector.ts';
import { LeaseLostError } from '../../shared/core/errors.ts';
import { makeRev } from '../../shared/core/ids.ts';
import type {
  BreakerState,
  DocumentCommit,
  LedgerEntry,
  PassState,
  PushStateStore,
  RunCounters,
  RunRecord,
  StashedDocument,
  StateStore,
} from '../../shared/ports/index.ts';

/** A fresh, empty store; `cleanup` removes whatever it created. */
export interface StateStoreHarness {
  store: StateStore;
  cleanup(): Promise<void>;
}

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const TTL = 60_000;
const SRC = 'docs';

/** Ordering keys as the fetch run makes them: string order is numeric order. */
const rev = (seq: number, epoch = 1): string => makeRev(epoch, seq);

const pass = (pages: number, runId = 'RUN#2026-01-01T00:00:00.000Z#00000001'): PassState => ({
  snapshotAt: '2026-01-01T00:00:00.000Z',
  since: '2025-12-31T23:50:00.000Z',
  full: false,
  cursor: { page: pages, token: `t-${pages}`, nested: { ok: true, list: [1, 'two', null] } },
  pages,
  runId,
});

const breaker: BreakerState = { trippedAt: '2026-01-01T00:05:00.000Z', wouldDelete: 40, known: 100, maxShare: 0.3 };

const zeroCounters = (): RunCounters => ({
  docsSeen: 0, docsChanged: 0, docsDeleted: 0, docsUnchanged: 0, tasksEnqueued: 0, tasksDone: 0,
  tasksFailed: 0, chunksEmbedded: 0, embeddingCalls: 0, tokensEmbedded: 0, estimatedCostUsd: 0, vectorsUpserted: 0, vectorsDeleted: 0,
});

const runRecord = (sourceId: string, startedAt: string, overrides: Partial<RunRecord> = {}): RunRecord => ({
  sourceId, runId: `RUN#${startedAt}#00000001`, trigger: 'schedule', startedAt, pages: 0, status: 'running',
  ...zeroCounters(), ...overrides,
});

const commitOf = (docId: string, r: string, overrides: Partial<DocumentCommit> = {}): DocumentCommit => ({
  sourceId: SRC, docId, rev: r, version: `v-${r}`, contentHash: `hash-${r}`, chunkHashes: [`c1-${r}`, `c2-${r}`], chunker: "md1/300/800",
  title: `Title ${docId}`, decor: `decor-${r}`, updatedAt: '2026-01-01T00:00:00.000Z', ...overrides,
});

/** Resolves to the rejection of `promise` (fails the test when it resolves). */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('expected the call to be rejected'),
    (error: unknown) => error,
  );
}

/**
 * The behaviour every StateStore adapter must have, as a vitest suite: leases fenced by an
 * epoch, the document ledger's version guards, run records with concurrent counters and
 * the embedding cache. Each test gets a fresh store from `make`.
 */
export function stateStoreContract(name: string, make: () => Promise<StateStoreHarness>): void {
  describe(`StateStore contract: ${name}`, () => {
    let harness: StateStoreHarness;
    let store: StateStore;

    beforeEach(async () => {
      harness = await make();
      store = harness.store;
    });

    afterEach(async () => {
      await harness.cleanup();
    });

    const entry = async (docId: string, sourceId = SRC): Promise<LedgerEntry | undefined> =>
      (await store.getDocuments(sourceId, [docId])).get(docId);

    /** Claims and commits `docId` at `r` (a normal embed task). */
    const committed = async (docId: string, r: string, overrides: Partial<DocumentCommit> = {}): Promise<void> => {
      expect((await store.claimDocument({ sourceId: SRC, docId, rev: r })).ok).toBe(true);
      expect(await store.commitDocument(commitOf(docId, r, overrides))).toBe(true);
    };

    describe('leases', () => {
      it('gives the first owner epoch 1 on a source never seen', async () => {
        // Prepare
        expect(await store.getSource(SRC)).toBeUndefined();

        // Act
        const lease = await store.acquireLease({ sourceId: SRC, owner: 'a', now: T0, ttlMs: TTL });

        // Assess
        expect(lease.acquired).toBe(true);
        expect(lease.acquired && lease.epoch).toBe(1);
        expect(lease.state).toMatchObject({ sourceId: SRC, epoch: 1, leaseOwner: 'a', leaseUntil: T0 + TTL, rerunRequested: false });
        expect(await store.getSource(SRC)).toMatchObject({ epoch: 1, leaseOwner: 'a', leaseUntil: T0 + TTL, consecutiveFailures: 0 });
      });

      it('refuses a second owner while the lease is live, and asks the holder to rerun', async () => {
        // Prepare
        await store.acquireLease({ sourceId: SRC, owner: 'a', now: T0, ttlMs: TTL });

        // Act
        const early = await store.acquireLease({ sourceId: SRC, owner: 'b', now: T0 + 1, ttlMs: TTL });
        const atExpiry = await store.acquireLease({ sourceId: SRC, owner: 'c', now: T0 + TTL, ttlMs: TTL });

        // Assess: the lease is untouched, only the rerun flag moved.
        expect(early.acquired).toBe(false);
        expect(early.state).toMatchObject({ epoch: 1, leaseOwner: 'a', leaseUntil: T0 + TTL, rerunRequested: true });
        expect(atExpiry.acquired).toBe(false);
        expect(await store.getSource(SRC)).toMatchObject({ epoch: 1, leaseOwner: 'a', leaseUntil: T0 + TTL, rerunRequested: true });
      });

      it('lets the holder re-acquire its own live lease with the next epoch', async () => {
        // Prepare
        await store.acquireLease({ sourceId: SRC, owner: 'a', now: T0, ttlMs: TTL });

        // Act
        const again = await store.acquireLease({ sourceId: SRC, owner: 'a', now: T0 + 10, ttlMs: TTL });

        // Assess
        expect(again.acquired).toBe(true);
        expect(again.acquired && again.epoch).toBe(2);
        expect(await store.getSource(SRC)).toMatchObject({ epoch: 2, leaseOwner: 'a', leaseUntil: T0 + 10 + TTL });
      });

      it('hands an expired lease to another owner with the next epoch', async () => {
        // Prepare
        await store.acquireLease({ sourceId: SRC, owner: 'a', now: T0, ttlMs: TTL });

        // Act
        const taken = await store.acquireLease({ sourceId: SRC, owner: 'b', now: T0 + TTL + 1, ttlMs: TTL });

        // Assess
        expect(taken.acquired).toBe(true);
        expect(taken.acquired && taken.epoch).toBe(2);
        expect(await store.getSource(SRC)).toMatchObject({ epoch: 2, leaseOwner: 'b', leaseUntil: T0 + TTL + 1 + TTL });
      });

      it('lets an owner take a live lease from a known-dead holder, and only from that one', async () => {
        // Prepare
        await store.acquireLease({ sourceId: SRC, owner: 'a', now: T0, ttlMs: TTL });

        // Act
        const wrongCorpse = await store.acquireLease({ sourceId: SRC, owner: 'b', now: T0 + 1, ttlMs: TTL, deadOwner: 'z' });
        const taken = await store.acquireLease({ sourceId: SRC, owner: 'b', now: T0 + 2, ttlMs: TTL, deadOwner: 'a' });

        // Assess
        expect(wrongCorpse.acquired).toBe(false);
        expect(taken.acquired).toBe(true);
        expect(taken.acquired && taken.epoch).toBe(2);
        expect(await store.getSource(SRC)).toMatchObject({ epoch: 2, leaseOwner: 'b' });
      });

      it('reports a requested rerun from finishRun exactly once', async () => {
        // Prepare: b is refused while a runs.
        await store.acquireLease({ sourceId: SRC, owner: 'a', now: T0, ttlMs: TTL });
        await store.acquireLease({ sourceId: SRC, owner: 'b', now: T0 + 1, ttlMs: TTL });

        // Act
        const first = await store.finishRun({ sourceId: SRC, owner: 'a', epoch: 1, now: T0 + 2, outcome: { ok: true } });
        const lease = await store.acquireLease({ sourceId: SRC, owner: 'a', now: T0 + 3, ttlMs: TTL });
        const second = await store.finishRun({ sourceId: SRC, owner: 'a', epoch: 2, now: T0 + 4, outcome: { ok: true } });

        // Assess
        expect(first).toEqual({ rerunRequested: true });
        expect(lease.acquired).toBe(true);
        expect(second).toEqual({ rerunRequested: false });
        expect((await store.getSource(SRC))?.rerunRequested).toBe(false);
      });

      it('reports a requested rerun without clearing it when asked to keep it', async () => {
        // Prepare: b is refused while a runs.
        await store.acquireLease({ sourceId: SRC, owner: 'a', now: T0, ttlMs: TTL });
        await store.acquireLease({ sourceId: SRC, owner: 'b', now: T0 + 1, ttlMs: TTL });

        // Act: a (a targeted run) keeps the flag; the next run reports and clears it.
        const kept = await store.finishRun({ sourceId: SRC, owner: 'a', epoch: 1, now: T0 + 2, outcome: { ok: true }, keepRerunRequested: true });
        const flagged = await store.getSource(SRC);
        await store.acquireLease({ sourceId: SRC, owner: 'c', now: T0 + 3, ttlMs: TTL });
        const next = await store.finishRun({ sourceId: SRC, owner: 'c', epoch: 2, now: T0 + 4, outcome: { ok: true } });

        // Assess
        expect(kept).toEqual({ rerunRequested: true });
        expect(flagged).toMatchObject({ rerunRequested: true });
        expect(flagged?.leaseOwner).toBeUndefined();
        expect(next).toEqual({ rerunRequested: true });
        expect((await store.getSource(SRC))?.rerunRequested).toBe(false);
      });

      it('keeps a rerun requested from a holder that never finished for the next holder to report', async () => {
        // Prepare: b is refused while a runs; a dies without finishing and its lease expires.
        await store.acquireLease({ sourceId: SRC, owner: 'a', now: T0, ttlMs: TTL });
        await store.acquireLease({ sourceId: SRC, owner: 'b', now: T0 + 1, ttlMs: TTL });

        // Act
        const taken = await store.acquireLease({ sourceId: SRC, owner: 'c', now: T0 + TTL + 1, ttlMs: TTL });
        const finish = await store.finishRun({ sourceId: SRC, owner: 'c', epoch: 2, now: T0 + TTL + 2, outcome: { ok: true } });

        // Assess
        expect(taken.acquired).toBe(true);
        expect(finish).toEqual({ rerunRequested: true });
        expect((await store.getSource(SRC))?.rerunRequested).toBe(false);
      });

      it('fences saveProgress and finishRun: a stale epoch or another owner gets LeaseLostError and changes nothing', async () => {
        // Prepare: a's lease (epoch 1) expires and b takes it (epoch 2) and saves a page.
        await store.acquireLease({ sourceId: SRC, owner: 'a', now: T0, ttlMs: TTL });
        const later = T0 + TTL + 1;
        await store.acquireLease({ sourceId: SRC, owner: 'b', now: later, ttlMs: TTL });
        await store.saveProgress({ sourceId: SRC, owner: 'b', epoch: 2, now: later, ttlMs: TTL, pass: pass(1) });
        const before = await store.getSource(SRC);

        // Act
        const staleSave = await rejectionOf(store.saveProgress({ sourceId: SRC, owner: 'a', epoch: 1, now: later + 1, ttlMs: TTL, pass: pass(9) }));
        const staleFinish = await rejectionOf(store.finishRun({ sourceId: SRC, owner: 'a', epoch: 1, now: later + 1, outcome: { ok: true, watermark: 'stale' } }));
        const otherOwnerSave = await rejectionOf(store.saveProgress({ sourceId: SRC, owner: 'a', epoch: 2, now: later + 1, ttlMs: TTL, pass: pass(9) }));
        const otherOwnerFinish = await rejectionOf(store.finishRun({ sourceId: SRC, owner: 'a', epoch: 2, now: later + 1, outcome: { ok: false, error: 'x' } }));
        const holderOldEpoch = await rejectionOf(store.saveProgress({ sourceId: SRC, owner: 'b', epoch: 1, now: later + 1, ttlMs: TTL, pass: pass(9) }));

        // Assess
        for (const error of [staleSave, staleFinish, otherOwnerSave, otherOwnerFinish, holderOldEpoch]) {
          expect(error).toBeInstanceOf(LeaseLostError);
        }
        expect(await store.getSource(SRC)).toEqual(before);
        expect(before).toMatchObject({ epoch: 2, leaseOwner: 'b', pass: pass(1) });
      });

      it('fences an older run of the same owner once that owner re-acquired with a newer epoch', async () => {
        // Prepare: owner a (say, a restarted host with the same id) takes the lease again.
        await store.acquireLease({ sourceId: SRC, owner: 'a', now: T0, ttlMs: TTL });
        await store.acquireLease({ sourceId: SRC, owner: 'a', now: T0 + 1, ttlMs: TTL });
        await store.saveProgress({ sourceId: SRC, owner: 'a', epoch: 2, now: T0 + 2, ttlMs: TTL, pass: pass(1) });

        // Act: the epoch-1 run is still going and tries to write.
        const save = await rejectionOf(store.saveProgress({ sourceId: SRC, owner: 'a', epoch: 1, now: T0 + 3, ttlMs: TTL, pass: pass(9) }));
        const finish = await rejectionOf(store.finishRun({ sourceId: SRC, owner: 'a', epoch: 1, now: T0 + 3, outcome: { ok: true, watermark: 'stale' } }));

        // Assess
        expect(save).toBeInstanceOf(LeaseLostError);
        expect(finish).toBeInstanceOf(LeaseLostError);
        expect(await store.getSource(SRC)).toMatchObject({ epoch: 2, leaseOwner: 'a', pass: pass(1) });
        expect((await store.getSource(SRC))?.watermark).toBeUndefined();
      });

      it('fences the holder after it has finished: its epoch no longer writes', async () => {
        // Prepare
        await store.acquireLease({ sourceId: SRC, owner: 'a', now: T0, ttlMs: TTL });
        await store.finishRun({ sourceId: SRC, owner: 'a', epoch: 1, now: T0 + 1, outcome: { ok: true, watermark: 'w1' } });

        // Act
        const save = await rejectionOf(store.saveProgress({ sourceId: SRC, owner: 'a', epoch: 1, now: T0 + 2, ttlMs: TTL, pass: pass(1) }));
        const finish = await rejectionOf(store.finishRun({ sourceId: SRC, owner: 'a', epoch: 1, now: T0 + 2, outcome: { ok: true, watermark: 'w2' } }));

        // Assess
        expect(save).toBeInstanceOf(LeaseLostError);
        expect(finish).toBeInstanceOf(LeaseLostError);
        const state = await store.getSource(SRC);
        expect(state?.watermark).toBe('w1');
        expect(state?.pass).toBeUndefined();
      });

      it('saves progress and extends the lease for the holder', async () => {
        // Prepare
        await store.acquireLease({ sourceId: SRC, owner: 'a', now: T0, ttlMs: TTL });

        // Act
        await store.saveProgress({ sourceId: SRC, owner: 'a', epoch: 1, now: T0 + 5_000, ttlMs: TTL, pass: pass(1) });
        await store.saveProgress({ sourceId: SRC, owner: 'a', epoch: 1, now: T0 + 9_000, ttlMs: TTL, pass: pass(2) });

        // Assess: the pass (cursor JSON included) round-trips; another owner is still refused.
        const state = await store.getSource(SRC);
        expect(state?.pass).toEqual(pass(2));
        expect(state?.leaseUntil).toBe(T0 + 9_000 + TTL);
        expect((await store.acquireLease({ sourceId: SRC, owner: 'b', now: T0 + TTL + 1, ttlMs: TTL })).acquired).toBe(false);
      });

      it('records success: watermark, lastSuccessAt, no failures, no pass, lease released', async () => {
        // Prepare: two failed runs first, then a run that saved a page.
        for (const [epoch, at] of [[1, T0], [2, T0 + 10]] as const) {
          await store.acquireLease({ sourceId: SRC, owner: 'a', now: at, ttlMs: TTL });
          await store.finishRun({ sourceId: SRC, owner: 'a', epoch, now: at + 1, outcome: { ok: false, error: `boom ${epoch}` } });
        }
        await store.acquireLease({ sourceId: SRC, owner: 'a', now: T0 + 20, ttlMs: TTL });
        await store.saveProgress({ sourceId: SRC, owner: 'a', epoch: 3, now: T0 + 21, ttlMs: TTL, pass: pass(1) });
        expect((await store.getSource(SRC))?.consecutiveFailures).toBe(2);

        // Act
        await store.finishRun({ sourceId: SRC, owner: 'a', epoch: 3, now: T0 + 30, outcome: { ok: true, watermark: '2026-01-01T00:00:00.000Z' } });

        // Assess
        const state = await store.getSource(SRC);
        expect(state).toMatchObject({
          epoch: 3, watermark: '2026-01-01T00:00:00.000Z', lastSuccessAt: new Date(T0 + 30).toISOString(),
          consecutiveFailures: 0, rerunRequested: false,
        });
        expect(state?.pass).toBeUndefined();
        expect(state?.leaseOwner).toBeUndefined();
        expect(state?.lastError).toBeUndefined();
        const next = await store.acquireLease({ sourceId: SRC, owner: 'b', now: T0 + 31, ttlMs: TTL });
        expect(next.acquired && next.epoch).toBe(4);
      });

      it('keeps the feed position of a completed pass, replaces it with the next, clears it on reset', async () => {
        // Prepare
        await store.acquireLease({ sourceId: SRC, owner: 'a', now: T0, ttlMs: TTL });
        await store.finishRun({ sourceId: SRC, owner: 'a', epoch: 1, now: T0 + 1, outcome: { ok: true, watermark: 'w1', feed: { token: 'abc', n: 1 } } });
        const first = await store.getSource(SRC);

        // Act
        await store.acquireLease({ sourceId: SRC, owner: 'a', now: T0 + 2, ttlMs: TTL });
        await store.finishRun({ sourceId: SRC, owner: 'a', epoch: 2, now: T0 + 3, outcome: { ok: true } });
        const targeted = await store.getSource(SRC);
        await store.acquireLease({ sourceId: SRC, owner: 'a', now: T0 + 4, ttlMs: TTL });
        await store.finishRun({ sourceId: SRC, owner: 'a', epoch: 3, now: T0 + 5, outcome: { ok: true, watermark: 'w2' } });
        const ended = await store.getSource(SRC);
        await store.acquireLease({ sourceId: SRC, owner: 'a', now: T0 + 6, ttlMs: TTL });
        await store.finishRun({ sourceId: SRC, owner: 'a', epoch: 4, now: T0 + 7, outcome: { ok: true, watermark: 'w3', feed: { token: 'def' } } });
        await store.resetSource(SRC);
        const reset = await store.getSource(SRC);

        // Assess: a run without a pass leaves it; a pass that ended without a cursor clears it.
        expect(first?.feed).toEqual({ token: 'abc', n: 1 });
        expect(targeted?.feed).toEqual({ token: 'abc', n: 1 });
        expect(ended?.feed).toBeUndefined();
        expect(reset?.feed).toBeUndefined();
      });

      it('keeps the pass on a successful run when asked (a continued pass)', async () => {
        // Prepare
        await store.acquireLease({ sourceId: SRC, owner: 'a', now: T0, ttlMs: TTL });
        await store.saveProgress({ sourceId: SRC, owner: 'a', epoch: 1, now: T0 + 1, ttlMs: TTL, pass: pass(1) });

        // Act
        await store.finishRun({ sourceId: SRC, owner: 'a', epoch: 1, now: T0 + 2, outcome: { ok: true, keepPass: pass(3) } });

        // Assess: the pass stays, the watermark does not move.
        const state = await store.getSource(SRC);
        expect(state?.pass).toEqual(pass(3));
        expect(state?.watermark).toBeUndefined();
        expect(state?.leaseOwner).toBeUndefined();
      });

      it('records failure: consecutiveFailures counts up, lastError and lastFailureAt are stored, the watermark stays', async () => {
        // Prepare
        await store.acquireLease({ sourceId: SRC, owner: 'a', now: T0, ttlMs: TTL });
        await store.finishRun({ sourceId: SRC, owner: 'a', epoch: 1, now: T0 + 1, outcome: { ok: true, watermark: 'w1' } });

        // Act
        await store.acquireLease({ sourceId: SRC, owner: 'a', now: T0 + 10, ttlMs: TTL });
        await store.finishRun({ sourceId: SRC, owner: 'a', epoch: 2, now: T0 + 11, outcome: { ok: false, error: 'first failure' } });
        await store.acquireLease({ sourceId: SRC, owner: 'a', now: T0 + 20, ttlMs: TTL });
        await store.finishRun({ sourceId: SRC, owner: 'a', epoch: 3, now: T0 + 21, outcome: { ok: false, error: 'second failure', keepPass: pass(2) } });

        // Assess
        const state = await store.getSource(SRC);
        expect(state).toMatchObject({
          consecutiveFailures: 2, lastError: 'second failure', lastFailureAt: new Date(T0 + 21).toISOString(),
          watermark: 'w1', lastSuccessAt: new Date(T0 + 1).toISOString(), pass: pass(2),
        });
        expect(state?.leaseOwner).toBeUndefined();
      });

      it('sets the breaker, leaves it alone when not given, and clears it with null', async () => {
        // Prepare
        await store.acquireLease({ sourceId: SRC, owner: 'a', now: T0, ttlMs: TTL });

        // Act
        await store.finishRun({ sourceId: SRC, owner: 'a', epoch: 1, now: T0 + 1, outcome: { ok: true }, breaker });
        const tripped = await store.getSource(SRC);
        await store.acquireLease({ sourceId: SRC, owner: 'a', now: T0 + 2, ttlMs: TTL });
        await store.finishRun({ sourceId: SRC, owner: 'a', epoch: 2, now: T0 + 3, outcome: { ok: true } });
        const untouched = await store.getSource(SRC);
        await store.acquireLease({ sourceId: SRC, owner: 'a', now: T0 + 4, ttlMs: TTL });
        await store.finishRun({ sourceId: SRC, owner: 'a', epoch: 3, now: T0 + 5, outcome: { ok: true }, breaker: null });
        const cleared = await store.getSource(SRC);

        // Assess
        expect(tripped?.breaker).toEqual(breaker);
        expect(untouched?.breaker).toEqual(breaker);
        expect(cleared?.breaker).toBeUndefined();
      });

      it('reads many source states in one batch call; sources never synced are absent', async () => {
        // Prepare
        for (const id of ['s1', 's2', 's3']) await store.acquireLease({ sourceId: id, owner: 'a', now: T0, ttlMs: TTL });
        await store.finishRun({ sourceId: 's2', owner: 'a', epoch: 1, now: T0 + 1, outcome: { ok: true, watermark: 'w2' } });

        // Act
        const states = await store.getSources(['s1', 's2', 'never', 's3', 's2']);
        const none = await store.getSources([]);

        // Assess
        expect([...states.keys()].sort()).toEqual(['s1', 's2', 's3']);
        expect(states.get('s1')).toMatchObject({ sourceId: 's1', epoch: 1, leaseOwner: 'a' });
        expect(states.get('s2')).toMatchObject({ sourceId: 's2', watermark: 'w2' });
        expect(states.get('s2')?.leaseOwner).toBeUndefined();
        expect(none.size).toBe(0);
      });
    });

    describe('document ledger', () => {
      it('reads more than 100 entries in one getDocuments call; missing ids are absent', async () => {
        // Prepare: 130 entries exist; ask for them plus 30 unknown ids and some repeats.
        const existing = Array.from({ length: 130 }, (_, i) => `doc-${String(i).padStart(3, '0')}`);
        await store.markPending(SRC, existing.map((docId, i) => ({ docId, pending: { rev: rev(i + 1), version: `v${i}` } })));
        const unknown = Array.from({ length: 30 }, (_, i) => `ghost-${i}`);

        // Act
        const found = await store.getDocuments(SRC, [...unknown, ...existing, ...existing.slice(0, 5)]);

        // Assess
        expect(found.size).toBe(130);
        expect([...found.keys()].sort()).toEqual(existing);
        for (const id of unknown) expect(found.has(id)).toBe(false);
        expect(found.get('doc-042')).toMatchObject({ sourceId: SRC, docId: 'doc-042', pending: { rev: rev(43), version: 'v42' } });
        expect((await store.getDocuments('other-source', existing)).size).toBe(0);
      });

      it('creates entries with markPending and never moves a pending marker backwards', async () => {
        // Prepare
        await store.markPending(SRC, [{ docId: 'a', pending: { rev: rev(5), version: 'v5' } }]);

        // Act
        await store.markPending(SRC, [
          { docId: 'a', pending: { rev: rev(3), version: 'v3' } },
          { docId: 'b', pending: { rev: rev(1), version: 'v1' } },
        ]);
        const afterOlder = await store.getDocuments(SRC, ['a', 'b']);
        await store.markPending(SRC, [{ docId: 'a', pending: { rev: rev(7), version: 'v7' } }]);

        // Assess
        expect(afterOlder.get('a')?.pending).toEqual({ rev: rev(5), version: 'v5' });
        expect(afterOlder.get('b')).toMatchObject({ docId: 'b', pending: { rev: rev(1), version: 'v1' } });
        expect(afterOlder.get('b')?.rev).toBeUndefined();
        expect((await entry('a'))?.pending).toEqual({ rev: rev(7), version: 'v7' });
      });

      it('never sets a pending marker behind a commit of an equal or newer rev (its task already ran)', async () => {
        // Prepare
        await committed('d', rev(5));

        // Act
        await store.markPending(SRC, [{ docId: 'd', pending: { rev: rev(5), version: 'v5' } }]);
        await store.markPending(SRC, [{ docId: 'd', pending: { rev: rev(4), version: 'v4' } }]);
        const behind = await entry('d');
        await store.markPending(SRC, [{ docId: 'd', pending: { rev: rev(6), version: 'v6' } }]);

        // Assess
        expect(behind?.pending).toBeUndefined();
        expect(behind?.rev).toBe(rev(5));
        expect((await entry('d'))?.pending).toEqual({ rev: rev(6), version: 'v6' });
      });

      it('never sets a pending marker behind a claim of an equal or newer rev (its task is running or gave up)', async () => {
        // Prepare: the task of rev 2 claimed d, found its document gone and gave up.
        await store.claimDocument({ sourceId: SRC, docId: 'd', rev: rev(2) });

        // Act
        await store.markPending(SRC, [{ docId: 'd', pending: { rev: rev(2), version: 'v2' } }]);
        const behind = await entry('d');
        await store.markPending(SRC, [{ docId: 'd', pending: { rev: rev(3), version: 'v3' } }]);

        // Assess
        expect(behind?.pending).toBeUndefined();
        expect((await entry('d'))?.pending).toEqual({ rev: rev(3), version: 'v3' });
      });

      it('releases a pending marker only while it is still the named rev\'s', async () => {
        // Prepare: d's task (rev 2) was dead-lettered; e's marker moved on to rev 3.
        await committed('d', rev(1));
        await store.markPending(SRC, [{ docId: 'd', pending: { rev: rev(2), version: 'v2' } }, { docId: 'e', pending: { rev: rev(3), version: 'v3' } }]);
        await store.claimDocument({ sourceId: SRC, docId: 'd', rev: rev(2) });

        // Act
        await store.releasePending({ sourceId: SRC, docId: 'd', rev: rev(2) });
        await store.releasePending({ sourceId: SRC, docId: 'e', rev: rev(2) });
        await store.releasePending({ sourceId: SRC, docId: 'never', rev: rev(2) });

        // Assess: d keeps its commit and the claim (its vectors are suspect), e keeps its newer marker.
        expect(await entry('d')).toMatchObject({ rev: rev(1), claim: rev(2) });
        expect((await entry('d'))?.pending).toBeUndefined();
        expect((await entry('e'))?.pending).toEqual({ rev: rev(3), version: 'v3' });
        expect(await entry('never')).toBeUndefined();
      });

      it('claims a fresh document', async () => {
        // Prepare: nothing.

        // Act
        const claim = await store.claimDocument({ sourceId: SRC, docId: 'fresh', rev: rev(1) });

        // Assess
        expect(claim.ok).toBe(true);
        expect(claim.ok && claim.previous?.rev).toBeUndefined();
        expect(await entry('fresh')).toMatchObject({ docId: 'fresh', claim: rev(1) });
      });

      it('refuses a claim when an equal or newer rev is committed', async () => {
        // Prepare
        await committed('d', rev(5));

        // Act
        const equal = await store.claimDocument({ sourceId: SRC, docId: 'd', rev: rev(5) });
        const older = await store.claimDocument({ sourceId: SRC, docId: 'd', rev: rev(4) });
        const olderEpoch = await store.claimDocument({ sourceId: SRC, docId: 'd', rev: rev(99, 0) });

        // Assess
        expect(equal.ok).toBe(false);
        expect(!equal.ok && equal.current?.rev).toBe(rev(5));
        expect(older.ok).toBe(false);
        expect(olderEpoch.ok).toBe(false);
        expect((await entry('d'))?.claim).toBeUndefined();
      });

      it('refuses a claim while a newer claim is mid-write', async () => {
        // Prepare
        await store.claimDocument({ sourceId: SRC, docId: 'd', rev: rev(8) });

        // Act
        const older = await store.claimDocument({ sourceId: SRC, docId: 'd', rev: rev(7) });

        // Assess
        expect(older.ok).toBe(false);
        expect(!older.ok && older.current?.claim).toBe(rev(8));
        expect((await entry('d'))?.claim).toBe(rev(8));
      });

      it('allows an equal claim (a retry) and returns the previous entry with the claim set', async () => {
        // Prepare
        await committed('d', rev(1));
        await store.claimDocument({ sourceId: SRC, docId: 'd', rev: rev(2) });

        // Act
        const retry = await store.claimDocument({ sourceId: SRC, docId: 'd', rev: rev(2) });

        // Assess
        expect(retry.ok).toBe(true);
        expect(retry.ok && retry.previous).toMatchObject({ docId: 'd', rev: rev(1), claim: rev(2), chunkHashes: [`c1-${rev(1)}`, `c2-${rev(1)}`] });
      });

      it('commits only for the claimant, and clears the claim and an older or equal pending marker', async () => {
        // Prepare
        await store.markPending(SRC, [{ docId: 'd', pending: { rev: rev(2), version: 'v-pending' } }]);
        await store.claimDocument({ sourceId: SRC, docId: 'd', rev: rev(2) });

        // Act
        const notClaimant = await store.commitDocument(commitOf('d', rev(3)));
        const olderThanClaim = await store.commitDocument(commitOf('d', rev(1)));
        const claimant = await store.commitDocument(commitOf('d', rev(2)));
        const twice = await store.commitDocument(commitOf('d', rev(2)));

        // Assess
        expect([notClaimant, olderThanClaim, claimant, twice]).toEqual([false, false, true, false]);
        const saved = await entry('d');
        expect(saved).toEqual({
          sourceId: SRC, docId: 'd', rev: rev(2), version: `v-${rev(2)}`, contentHash: `hash-${rev(2)}`,
          chunkHashes: [`c1-${rev(2)}`, `c2-${rev(2)}`], chunker: 'md1/300/800', title: 'Title d', decor: `decor-${rev(2)}`,
          updatedAt: '2026-01-01T00:00:00.000Z',
        });
      });

      it('refuses the commit of a claim overtaken by a newer one', async () => {
        // Prepare
        await store.claimDocument({ sourceId: SRC, docId: 'd', rev: rev(1) });
        await store.claimDocument({ sourceId: SRC, docId: 'd', rev: rev(2) });

        // Act
        const overtaken = await store.commitDocument(commitOf('d', rev(1)));
        const newest = await store.commitDocument(commitOf('d', rev(2)));

        // Assess
        expect(overtaken).toBe(false);
        expect(newest).toBe(true);
        expect((await entry('d'))?.rev).toBe(rev(2));
      });

      it('keeps a newer pending marker when committing', async () => {
        // Prepare: a newer fetch run marked rev 5 while rev 2 was being embedded.
        await store.claimDocument({ sourceId: SRC, docId: 'd', rev: rev(2) });
        await store.markPending(SRC, [{ docId: 'd', pending: { rev: rev(5), version: 'v5' } }]);

        // Act
        const ok = await store.commitDocument(commitOf('d', rev(2)));

        // Assess
        expect(ok).toBe(true);
        const saved = await entry('d');
        expect(saved?.rev).toBe(rev(2));
        expect(saved?.claim).toBeUndefined();
        expect(saved?.pending).toEqual({ rev: rev(5), version: 'v5' });
      });

      it('forgets the title of a document committed without one', async () => {
        // Prepare
        await committed('d', rev(1), { title: 'Old title' });

        // Act
        const { title: _title, ...untitled } = commitOf('d', rev(2));
        await store.claimDocument({ sourceId: SRC, docId: 'd', rev: rev(2) });
        const ok = await store.commitDocument(untitled);

        // Assess
        expect(ok).toBe(true);
        expect((await entry('d'))?.title).toBeUndefined();
        expect(await entry('d')).toMatchObject({ rev: rev(2), version: `v-${rev(2)}` });
      });

      it('commits a deletion as a tombstone that keeps revs monotonic', async () => {
        // Prepare
        await committed('d', rev(1));
        await store.markPending(SRC, [{ docId: 'd', pending: { rev: rev(2), version: '' } }]);
        await store.claimDocument({ sourceId: SRC, docId: 'd', rev: rev(2) });

        // Act
        const notClaimant = await store.commitDeletion({ sourceId: SRC, docId: 'd', rev: rev(3), at: '2026-01-02T00:00:00.000Z' });
        const ok = await store.commitDeletion({ sourceId: SRC, docId: 'd', rev: rev(2), at: '2026-01-02T00:00:00.000Z' });
        const stale = await store.claimDocument({ sourceId: SRC, docId: 'd', rev: rev(1) });

        // Assess
        expect(notClaimant).toBe(false);
        expect(ok).toBe(true);
        expect(await entry('d')).toEqual({
          sourceId: SRC, docId: 'd', rev: rev(2), deleted: true, updatedAt: '2026-01-02T00:00:00.000Z',
        });
        expect(stale.ok).toBe(false);
      });

      it('touches an entry only when expectRev matches and nothing is pending or claimed', async () => {
        // Prepare: four committed documents in different situations.
        for (const id of ['plain', 'pending', 'claimed', 'gone']) await committed(id, rev(1));
        await store.markPending(SRC, [{ docId: 'pending', pending: { rev: rev(2), version: 'v2' } }]);
        await store.claimDocument({ sourceId: SRC, docId: 'claimed', rev: rev(2) });
        await store.claimDocument({ sourceId: SRC, docId: 'gone', rev: rev(2) });
        await store.commitDeletion({ sourceId: SRC, docId: 'gone', rev: rev(2), at: '2026-01-02T00:00:00.000Z' });

        // Act
        const wrongExpect = await store.touchDocument({ sourceId: SRC, docId: 'plain', expectRev: rev(0), rev: rev(3), version: 'v3' });
        const touched = await store.touchDocument({ sourceId: SRC, docId: 'plain', expectRev: rev(1), rev: rev(3), version: 'v3' });
        const replay = await store.touchDocument({ sourceId: SRC, docId: 'plain', expectRev: rev(1), rev: rev(4), version: 'v4' });
        const pending = await store.touchDocument({ sourceId: SRC, docId: 'pending', expectRev: rev(1), rev: rev(3), version: 'v3' });
        const claimed = await store.touchDocument({ sourceId: SRC, docId: 'claimed', expectRev: rev(1), rev: rev(3), version: 'v3' });
        const tombstone = await store.touchDocument({ sourceId: SRC, docId: 'gone', expectRev: rev(2), rev: rev(3), version: 'v3' });
        const missing = await store.touchDocument({ sourceId: SRC, docId: 'never', expectRev: rev(1), rev: rev(3), version: 'v3' });

        // Assess
        expect({ wrongExpect, touched, replay, pending, claimed, tombstone, missing }).toEqual({
          wrongExpect: false, touched: true, replay: false, pending: false, claimed: false, tombstone: false, missing: false,
        });
        expect(await entry('plain')).toMatchObject({ rev: rev(3), version: 'v3', contentHash: `hash-${rev(1)}`, chunkHashes: [`c1-${rev(1)}`, `c2-${rev(1)}`] });
        expect(await entry('pending')).toMatchObject({ rev: rev(1), version: `v-${rev(1)}` });
        expect(await entry('never')).toBeUndefined();
      });

      it('lists every entry of a source (more than 100), and only that source', async () => {
        // Prepare
        const ids = Array.from({ length: 150 }, (_, i) => `page/${String(i).padStart(3, '0')}.md`);
        await store.markPending(SRC, ids.map((docId) => ({ docId, pending: { rev: rev(1), version: 'v1' } })));
        await store.markPending('other', [{ docId: 'elsewhere', pending: { rev: rev(1), version: 'v1' } }]);
        await store.acquireLease({ sourceId: SRC, owner: 'a', now: T0, ttlMs: TTL });
        await store.putRun(runRecord(SRC, '2026-01-01T00:00:00.000Z'));

        // Act
        const listed: LedgerEntry[] = [];
        for await (const item of store.listDocuments(SRC)) listed.push(item);

        // Assess
        expect(listed.map((e) => e.docId).sort()).toEqual(ids);
        expect(listed.every((e) => e.sourceId === SRC)).toBe(true);
      });

      it('resetSource forgets the cursor, watermark and ledger of that source only, keeping its epoch', async () => {
        // Prepare
        for (const sourceId of [SRC, 'kept']) {
          await store.acquireLease({ sourceId, owner: 'a', now: T0, ttlMs: TTL });
          await store.finishRun({ sourceId, owner: 'a', epoch: 1, now: T0 + 1, outcome: { ok: true, watermark: 'w' }, breaker });
          await store.markPending(sourceId, Array.from({ length: 40 }, (_, i) => ({ docId: `d${i}`, pending: { rev: rev(1), version: 'v' } })));
        }

        // Act
        await store.resetSource(SRC);

        // Assess
        const reset = await store.getSource(SRC);
        expect(reset).toMatchObject({ epoch: 1, rerunRequested: false, consecutiveFailures: 0 });
        expect(reset?.watermark).toBeUndefined();
        expect(reset?.breaker).toBeUndefined();
        expect(reset?.leaseOwner).toBeUndefined();
        const left: LedgerEntry[] = [];
        for await (const item of store.listDocuments(SRC)) left.push(item);
        expect(left).toEqual([]);
        expect(await store.getSource('kept')).toMatchObject({ watermark: 'w', breaker });
        expect((await store.getDocuments('kept', ['d0', 'd39'])).size).toBe(2);
        const fresh = await store.acquireLease({ sourceId: SRC, owner: 'a', now: T0 + 2, ttlMs: TTL });
        expect(fresh.acquired && fresh.state.watermark).toBeUndefined();
        // The epoch never repeats: it orders task revisions and fences cursor writes.
        expect(fresh.acquired && fresh.epoch).toBe(2);
      });
    });

    describe('push stash', () => {
      let push: PushStateStore;
      beforeEach(() => {
        push = pushStateOf(store, SRC);
      });
      const stashed = (docId: string, overrides: Partial<Omit<StashedDocument, 'stamp'>> = {}): Omit<StashedDocument, 'stamp'> => ({
        sourceId: SRC, docId, version: '1', deleted: false, text: `text of ${docId}`, contentHash: `h-${docId}`,
        updatedAt: '2026-01-01T00:00:00.000Z', ...overrides,
      });

      it('creates a document only where none is, and replaces it only with the stamp it read', async () => {
        // Prepare
        const first = await push.putStashed({ document: stashed('a'), expectStamp: undefined });

        // Act
        const duplicate = await push.putStashed({ document: stashed('a', { version: '9' }), expectStamp: undefined });
        const wrong = await push.putStashed({ document: stashed('a', { version: '9' }), expectStamp: 'not-the-stamp' });
        const second = await push.putStashed({ document: stashed('a', { version: '2' }), expectStamp: first });
        const stale = await push.putStashed({ document: stashed('a', { version: '3' }), expectStamp: first });

        // Assess
        expect(first).toEqual(expect.any(String));
        expect(duplicate).toBeUndefined();
        expect(wrong).toBeUndefined();
        expect(second).toEqual(expect.any(String));
        expect(second).not.toBe(first);
        expect(stale).toBeUndefined();
        expect((await push.getStashed(SRC, ['a'])).get('a')).toMatchObject({ version: '2', stamp: second });
      });

      it('round-trips every field and tombstones; missing ids and other sources are absent', async () => {
        // Prepare
        const full = stashed('full', {
          title: 'Title', url: 'https://example.com/full', format: 'markdown',
          metadata: { team: 'infra', stars: 4, public: false },
        });
        await push.putStashed({ document: full, expectStamp: undefined });
        await push.putStashed({ document: { sourceId: SRC, docId: 'gone', version: '7', deleted: true, updatedAt: full.updatedAt }, expectStamp: undefined, expiresAt: 1_900_000_000 });
        await push.putStashed({ document: stashed('full', { sourceId: 'other', text: 'elsewhere' }), expectStamp: undefined });

        // Act
        const got = await push.getStashed(SRC, ['full', 'gone', 'missing', 'full']);

        // Assess
        const { stamp, ...rest } = got.get('full')!;
        expect(rest).toEqual(full);
        expect(stamp).toEqual(expect.any(String));
        expect(got.get('gone')).toMatchObject({ docId: 'gone', version: '7', deleted: true });
        expect(got.get('gone')?.text).toBeUndefined();
        expect(got.has('missing')).toBe(false);
        expect(got.size).toBe(2);
      });

      it('lists in id byte order, page by page, live documents only unless tombstones are asked for', async () => {
        // Prepare: 130 documents (more than one query page), every 10th a tombstone.
        const ids = Array.from({ length: 130 }, (_, i) => `d/${String(i).padStart(3, '0')}`);
        for (const [i, docId] of ids.entries()) {
          const { text: _text, ...tombstone } = stashed(docId, { deleted: true });
          await push.putStashed({ document: i % 10 === 0 ? tombstone : stashed(docId), expectStamp: undefined });
        }
        await push.putStashed({ document: stashed('d/000', { sourceId: 'other' }), expectStamp: undefined });
        const collectAll = async (options: { includeDeleted?: boolean; limit: number }): Promise<{ ids: string[]; pages: number }> => {
          const out: string[] = [];
          let after: string | undefined;
          let pages = 0;
          do {
            const page = await push.listStashed(SRC, { ...options, ...(after !== undefined ? { after } : {}) });
            pages += 1;
            out.push(...page.items.map((item) => item.docId));
            after = page.next;
          } while (after !== undefined && pages < 100);
          return { ids: out, pages };
        };

        // Act
        const live = await collectAll({ limit: 50 });
        const all = await collectAll({ limit: 50, includeDeleted: true });

        // Assess
        expect(live.ids).toEqual(ids.filter((_, i) => i % 10 !== 0));
        expect(live.pages).toBeGreaterThanOrEqual(3);
        expect(all.ids).toEqual(ids);
      });

      it('selects documents written since a time, and leaves out text in a slim listing', async () => {
        // Prepare
        await push.putStashed({ document: stashed('old', { updatedAt: '2026-01-01T00:00:00.000Z' }), expectStamp: undefined });
        await push.putStashed({ document: stashed('edge', { updatedAt: '2026-01-02T00:00:00.000Z' }), expectStamp: undefined });
        await push.putStashed({ document: stashed('new', { updatedAt: '2026-01-03T00:00:00.000Z', metadata: { a: 1 } }), expectStamp: undefined });
        await push.putStashed({ document: { sourceId: SRC, docId: 'removed', deleted: true, updatedAt: '2026-01-03T00:00:00.000Z' }, expectStamp: undefined });

        // Act
        const since = await push.listStashed(SRC, { limit: 10, changedSince: '2026-01-02T00:00:00.000Z', includeDeleted: true });
        const slim = await push.listStashed(SRC, { limit: 10, slim: true });

        // Assess
        expect(since.items.map((i) => i.docId)).toEqual(['edge', 'new', 'removed']);
        expect(since.next).toBeUndefined();
        expect(slim.items.map((i) => [i.docId, i.version, i.text, i.metadata])).toEqual([
          ['edge', '1', undefined, undefined], ['new', '1', undefined, undefined], ['old', '1', undefined, undefined],
        ]);
        expect(slim.items.every((i) => i.stamp !== '' && i.contentHash !== undefined)).toBe(true);
      });
    });

    describe('idempotency records', () => {
      let push: PushStateStore;
      beforeEach(() => {
        push = pushStateOf(store, SRC);
      });
      const begin = (key: string, requestHash: string, now = T0) =>
        push.beginIdempotent({ scope: SRC, key, requestHash, now, lockMs: 60_000, retainMs: 86_400_000 });

      it('starts a key once; a duplicate sees it in progress, then complete with the stored response', async () => {
        // Prepare
        const first = await begin('k1', 'hash-a');

        // Act
        const during = await begin('k1', 'hash-a', T0 + 1000);
        await push.completeIdempotent({ scope: SRC, key: 'k1', requestHash: 'hash-a', now: T0 + 2000, retainMs: 86_400_000, response: { statusCode: 207, body: '{"ok":1}' } });
        const after = await begin('k1', 'hash-b', T0 + 3000);
        const otherScope = await push.beginIdempotent({ scope: 'other', key: 'k1', requestHash: 'hash-b', now: T0, lockMs: 60_000, retainMs: 86_400_000 });

        // Assess
        expect(first).toEqual({ started: true });
        expect(during).toMatchObject({ started: false, record: { key: 'k1', requestHash: 'hash-a', status: 'in_progress', lockedUntil: T0 + 60_000 } });
        expect(after).toMatchObject({ started: false, record: { requestHash: 'hash-a', status: 'complete', response: { statusCode: 207, body: '{"ok":1}' } } });
        expect(otherScope).toEqual({ started: true });
      });

      it('lets a retry take over a lapsed lock or an expired key, and never lets a stale holder complete it', async () => {
        // Prepare
        await begin('lapsed', 'hash-a');
        await begin('expired', 'hash-a');
        await push.completeIdempotent({ scope: SRC, key: 'expired', requestHash: 'hash-a', now: T0, retainMs: 1000, response: { statusCode: 200, body: 'old' } });

        // Act
        const takeover = await begin('lapsed', 'hash-b', T0 + 60_001);
        await push.completeIdempotent({ scope: SRC, key: 'lapsed', requestHash: 'hash-a', now: T0 + 60_002, retainMs: 86_400_000, response: { statusCode: 200, body: 'stale' } });
        const afterStale = await begin('lapsed', 'hash-b', T0 + 60_003);
        const renewed = await begin('expired', 'hash-c', T0 + 5000);

        // Assess
        expect(takeover).toEqual({ started: true });
        expect(afterStale).toMatchObject({ started: false, record: { requestHash: 'hash-b', status: 'in_progress' } });
        expect(renewed).toEqual({ started: true });
      });

      it('releases only an in-progress record of the same request', async () => {
        // Prepare
        await begin('r1', 'hash-a');
        await begin('r2', 'hash-a');
        await push.completeIdempotent({ scope: SRC, key: 'r2', requestHash: 'hash-a', now: T0, retainMs: 86_400_000, response: { statusCode: 200, body: 'done' } });

        // Act
        await push.releaseIdempotent({ scope: SRC, key: 'r1', requestHash: 'hash-other' });
        const stillHeld = await begin('r1', 'hash-a', T0 + 1);
        await push.releaseIdempotent({ scope: SRC, key: 'r1', requestHash: 'hash-a' });
        const free = await begin('r1', 'hash-z', T0 + 2);
        await push.releaseIdempotent({ scope: SRC, key: 'r2', requestHash: 'hash-a' });
        const complete = await begin('r2', 'hash-a', T0 + 3);

        // Assess
        expect(stillHeld.started).toBe(false);
        expect(free).toEqual({ started: true });
        expect(complete).toMatchObject({ started: false, record: { status: 'complete', response: { body: 'done' } } });
      });
    });

    describe('runs', () => {
      it('stores and reads back a run record', async () => {
        // Prepare
        const run = runRecord(SRC, '2026-01-01T00:00:00.000Z', { trigger: 'webhook', docsSeen: 3 });

        // Act
        await store.putRun(run);

        // Assess
        expect(await store.getRun(SRC, run.runId)).toEqual(run);
        expect(await store.getRun(SRC, 'RUN#nope')).toBeUndefined();
        expect(await store.getRun('other', run.runId)).toBeUndefined();
      });

      it('lists runs newest first, up to the limit, for one source only', async () => {
        // Prepare: written out of order, with ledger entries and another source around.
        const starts = ['2026-01-03', '2026-01-01', '2026-01-05', '2026-01-02', '2026-01-04'].map((d) => `${d}T00:00:00.000Z`);
        for (const startedAt of starts) await store.putRun(runRecord(SRC, startedAt));
        await store.putRun(runRecord('other', '2026-02-01T00:00:00.000Z'));
        await store.markPending(SRC, [{ docId: 'zzz', pending: { rev: rev(1), version: 'v' } }]);
        await store.acquireLease({ sourceId: SRC, owner: 'a', now: T0, ttlMs: TTL });

        // Act
        const top3 = await store.listRuns(SRC, 3);
        const all = await store.listRuns(SRC, 50);

        // Assess
        expect(top3.map((r) => r.startedAt)).toEqual(['2026-01-05', '2026-01-04', '2026-01-03'].map((d) => `${d}T00:00:00.000Z`));
        expect(all).toHaveLength(5);
        expect(all.every((r) => r.sourceId === SRC)).toBe(true);
      });

      it('sets fields with updateRun while concurrent addRunCounters all land', async () => {
        // Prepare
        const run = runRecord(SRC, '2026-01-01T00:00:00.000Z', { docsChanged: 7 });
        await store.putRun(run);

        // Act
        await Promise.all([
          ...Array.from({ length: 20 }, (_, i) => store.addRunCounters(SRC, run.runId, { tasksDone: 1, chunksEmbedded: i, vectorsUpserted: 2 })),
          store.updateRun(SRC, run.runId, { status: 'succeeded', finishedAt: '2026-01-01T00:01:00.000Z', pages: 4, docsSeen: 11 }),
        ]);

        // Assess
        const saved = await store.getRun(SRC, run.runId);
        expect(saved).toMatchObject({
          status: 'succeeded', finishedAt: '2026-01-01T00:01:00.000Z', pages: 4, docsSeen: 11, docsChanged: 7,
          tasksDone: 20, chunksEmbedded: 190, vectorsUpserted: 40, tasksFailed: 0, trigger: 'schedule',
        });
      });

      it('appends concurrent addRunFailures, up to the cap, and round-trips the run\'s document issues', async () => {
        // Prepare
        const run = runRecord(SRC, '2026-01-01T00:00:00.000Z');
        await store.putRun({
          ...run, skipped: [{ id: 'a.md', reason: 'permission denied (EACCES)' }, { id: 'private/', reason: 'folder not readable (EACCES)', prefix: true }],
          docsSkipped: 2, warnings: [{ id: 'b.md', reason: '1 invalid UTF-8 sequence replaced by U+FFFD' }],
        });

        // Act
        await Promise.all(Array.from({ length: 6 }, (_, i) => store.addRunFailures(SRC, run.runId, [{ id: `doc-${i}`, reason: `refused ${i}` }], 100)));
        await store.updateRun(SRC, run.runId, { taskError: 'VectorStoreProviderError: check the key' });
        const capped = runRecord(SRC, '2026-01-02T00:00:00.000Z');
        await store.putRun(capped);
        for (let i = 0; i < 5; i++) await store.addRunFailures(SRC, capped.runId, [{ id: `x-${i}`, reason: 'r' }, { id: `y-${i}`, reason: 'r' }], 3);

        // Assess
        const saved = await store.getRun(SRC, run.runId);
        expect(saved?.failedDocuments?.map((f) => f.id).sort()).toEqual(['doc-0', 'doc-1', 'doc-2', 'doc-3', 'doc-4', 'doc-5']);
        expect(saved).toMatchObject({
          skipped: [{ id: 'a.md', reason: 'permission denied (EACCES)' }, { id: 'private/', reason: 'folder not readable (EACCES)', prefix: true }],
          docsSkipped: 2, warnings: [{ id: 'b.md', reason: '1 invalid UTF-8 sequence replaced by U+FFFD' }], taskError: 'VectorStoreProviderError: check the key',
        });
        expect((await store.getRun(SRC, capped.runId))?.failedDocuments?.map((f) => f.id)).toEqual(['x-0', 'y-0', 'x-1', 'y-1']);
      });
    });

    describe('embedding cache', () => {
      it('round-trips vectors bit for bit, and leaves unknown hashes absent', async () => {
        // Prepare: values that lossy encodings (JSON, float64 rounding) would change.
        const special = Float32Array.from([0.1, -0, 1e-45, -3.4028234663852886e38, Math.PI, Infinity, -Infinity, NaN]);
        const random = Float32Array.from({ length: 8 }, (_, i) => Math.sin(i * 12.9898) * 43758.5453);
        await store.putEmbeddings('model-a', 8, new Map([['h-special', special], ['h-random', random]]));

        // Act
        const got = await store.getEmbeddings('model-a', 8, ['h-special', 'h-missing', 'h-random', 'h-special']);

        // Assess
        expect([...got.keys()].sort()).toEqual(['h-random', 'h-special']);
        expect(bytes(got.get('h-special'))).toEqual(bytes(special));
        expect(bytes(got.get('h-random'))).toEqual(bytes(random));
        expect(got.get('h-special')).toBeInstanceOf(Float32Array);
      });

      it('handles more than 100 hashes in one call', async () => {
        // Prepare
        const entries = new Map(Array.from({ length: 130 }, (_, i) => [`hash-${i}`, Float32Array.from({ length: 16 }, (_, j) => i + j / 100)] as const));
        await store.putEmbeddings('m', 16, entries);
        const asked = [...entries.keys(), ...Array.from({ length: 25 }, (_, i) => `absent-${i}`)];

        // Act
        const got = await store.getEmbeddings('m', 16, asked);

        // Assess
        expect(got.size).toBe(130);
        for (const [hash, vector] of entries) expect(bytes(got.get(hash)), hash).toEqual(bytes(vector));
      });

      it('keeps models and dimension counts apart', async () => {
        // Prepare: the same hash under three namespaces.
        const a8 = Float32Array.from({ length: 8 }, () => 1);
        const b8 = Float32Array.from({ length: 8 }, () => 2);
        const a16 = Float32Array.from({ length: 16 }, () => 3);
        await store.putEmbeddings('a', 8, new Map([['same', a8]]));
        await store.putEmbeddings('b', 8, new Map([['same', b8]]));
        await store.putEmbeddings('a', 16, new Map([['same', a16]]));

        // Act
        const gotA8 = await store.getEmbeddings('a', 8, ['same']);
        const gotB8 = await store.getEmbeddings('b', 8, ['same']);
        const gotA16 = await store.getEmbeddings('a', 16, ['same']);
        const gotC8 = await store.getEmbeddings('c', 8, ['same']);

        // Assess
        expect(bytes(gotA8.get('same'))).toEqual(bytes(a8));
        expect(bytes(gotB8.get('same'))).toEqual(bytes(b8));
        expect(bytes(gotA16.get('same'))).toEqual(bytes(a16));
        expect(gotC8.size).toBe(0);
      });
    });
  });
}

/** The raw bytes of a vector, so NaN and -0 compare exactly. */
function bytes(vector: Float32Array | undefined): number[] | undefined {
  return vector ? [...new Uint8Array(vector.buffer, vector.byteOffset, vector.byteLength)] : undefined;
}
