import { describe, expect, it } from 'vitest';
import { CoalescingVectorStore } from '../../shared/adapters/coalescing-vector-store.ts';
import type { VectorRecord, VectorStore } from '../../shared/ports/index.ts';

/** An inner store whose upserts complete only when the test releases them. */
function gatedStore() {
  const calls: string[][] = [];
  const gates: Array<() => void> = [];
  const store: VectorStore = {
    upsert: (records) => new Promise<void>((resolve, reject) => {
      calls.push(records.map((r) => r.id));
      if (records.some((r) => r.id === 'boom')) reject(new Error('rejected batch'));
      else gates.push(resolve);
    }),
    delete: async () => undefined,
    listIds: async () => [],
    scan: async () => [],
    query: async () => [],
  };
  return { store, calls, releaseAll: () => gates.splice(0).forEach((g) => g()) };
}

const rec = (id: string): VectorRecord => ({ id, values: [1, 0], metadata: {} });
const tick = () => new Promise((r) => setImmediate(r));

describe('CoalescingVectorStore', () => {
  it('sends at once when idle and merges what arrives while requests are in flight', async () => {
    // Prepare
    const inner = gatedStore();
    const store = new CoalescingVectorStore(inner.store, { maxInFlight: 1 });

    // Act
    const first = store.upsert([rec('a')]);
    const queued = [store.upsert([rec('b')]), store.upsert([rec('c'), rec('d')]), store.upsert([rec('e')])];
    await tick();
    inner.releaseAll();
    await first;
    await tick();
    inner.releaseAll();
    await Promise.all(queued);

    // Assess
    expect(inner.calls).toEqual([['a'], ['b', 'c', 'd', 'e']]);
    expect(store.flushes).toBe(2);
  });

  it('caps a merged request at maxRecordsPerFlush', async () => {
    // Prepare
    const inner = gatedStore();
    const store = new CoalescingVectorStore(inner.store, { maxInFlight: 1, maxRecordsPerFlush: 3 });
    const first = store.upsert([rec('x')]);
    const rest = [store.upsert([rec('a'), rec('b')]), store.upsert([rec('c'), rec('d')]), store.upsert([rec('e')])];

    // Act
    for (let i = 0; i < 4; i++) {
      await tick();
      inner.releaseAll();
    }
    await Promise.all([first, ...rest]);

    // Assess
    expect(inner.calls).toEqual([['x'], ['a', 'b'], ['c', 'd', 'e']]);
  });

  it('rejects every caller of a failed merged request, and only those', async () => {
    // Prepare
    const inner = gatedStore();
    const store = new CoalescingVectorStore(inner.store, { maxInFlight: 1 });
    const first = store.upsert([rec('a')]);
    const doomed = [store.upsert([rec('boom')]), store.upsert([rec('b')])];
    const outcomes = Promise.allSettled(doomed);

    // Act
    await tick();
    inner.releaseAll();
    await first;
    const settled = await outcomes;
    const after = store.upsert([rec('c')]);
    await tick();
    inner.releaseAll();
    await after;

    // Assess
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    expect(inner.calls.at(-1)).toEqual(['c']);
  });
});
