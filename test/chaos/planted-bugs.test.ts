/**
 * The suite has teeth: with a guarantee of the state store removed (a twin with a planted
 * bug), the convergence property fails within a small budget and shrinks to a short
 * counterexample. If a change to the generator or the oracles ever blunts the suite, this
 * fails. (A bug planted in the core itself, such as dropping the tail-chunk delete, is caught
 * the same way, by editing the core; the store's guarantees can be dropped without that.)
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InMemoryStateStore } from '../support/memory-state-store.ts';
import type { ClaimResult, PassState, StateStore } from '../../shared/ports/index.ts';
import { assertConverges } from './support/property.ts';
import { scenarioArb } from './support/scenario.ts';

/** Writes the cursor whoever asks: the fencing epoch is not checked. */
class UnfencedStateStore extends InMemoryStateStore {
  override async saveProgress(input: { sourceId: string; owner: string; epoch: number; now: number; ttlMs: number; pass: PassState }): Promise<void> {
    const state = await this.getSource(input.sourceId);
    await super.saveProgress({ ...input, owner: state?.leaseOwner ?? input.owner, epoch: state?.epoch ?? input.epoch });
  }
}

/** Lets any task claim a document: the version guard is gone. */
class UnguardedStateStore extends InMemoryStateStore {
  override async claimDocument(input: { sourceId: string; docId: string; rev: string }): Promise<ClaimResult> {
    const pk = `SRC#${input.sourceId}`;
    const sk = `DOC#${input.docId}`;
    const before = this.get(pk, sk);
    this.update(pk, sk, (item) => {
      item['claim'] = input.rev;
      item['docId'] = input.docId;
    });
    const previous = before ? (await this.getDocuments(input.sourceId, [input.docId])).get(input.docId) : undefined;
    return previous ? { ok: true, previous: { ...previous, ...(typeof before?.['claim'] === 'string' ? { claim: before['claim'] } : {}) } } : { ok: true };
  }
}

async function counterexample(stateStore: () => StateStore): Promise<{ failed: boolean; steps: number; error: string }> {
  const details = await fc.check(
    fc.asyncProperty(scenarioArb(), (s) => assertConverges(s, { adapters: 'memory', stateStore })),
    { numRuns: 300, seed: 4242 },
  );
  const example = details.counterexample?.[0];
  return { failed: details.failed, steps: example?.steps.length ?? 0, error: String(details.errorInstance ?? '') };
}

describe('planted bugs are found', () => {
  it('finds a cursor write by a run that lost its lease when fencing is removed', async () => {
    const found = await counterexample(() => new UnfencedStateStore());
    expect(found.failed).toBe(true);
    expect(found.steps).toBeLessThanOrEqual(8);
    expect(found.error).toContain('was accepted, but');
  }, 120_000);

  it('finds a stale task overwriting a newer version when the version guard is removed', async () => {
    const found = await counterexample(() => new UnguardedStateStore());
    expect(found.failed).toBe(true);
    expect(found.steps).toBeLessThanOrEqual(8);
    expect(found.error).toMatch(/went backwards|stale chunks/);
  }, 120_000);
});
