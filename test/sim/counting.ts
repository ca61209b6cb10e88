/**
 * The counts the equivalence compares, taken the same way on both sides (the simulation and a
 * real run of the same handlers): embedding calls and tokens as the embedder reports them,
 * vectors written and deleted, and state writes by port method (a batch counts its items).
 */
import type { Embedder, StateStore, VectorStore } from '../../shared/ports/index.ts';

export interface PortCounts {
  state: Record<string, number>;
  vectorsUpserted: number;
  vectorsDeleted: number;
  embeddingCalls: number;
  tokens: number;
}

export const emptyCounts = (): PortCounts => ({ state: {}, vectorsUpserted: 0, vectorsDeleted: 0, embeddingCalls: 0, tokens: 0 });

/** Writes of the StateStore port, and how many items each call writes. */
const STATE_WRITES: Record<string, (args: unknown[]) => number> = {
  acquireLease: () => 1, saveProgress: () => 1, finishRun: () => 1, resetSource: () => 1,
  markPending: (a) => (a[1] as unknown[]).length, releasePending: () => 1, touchDocument: () => 1, claimDocument: () => 1,
  commitDocument: () => 1, commitDeletion: () => 1, putRun: () => 1, updateRun: () => 1, addRunCounters: () => 1, addRunFailures: () => 1,
  putEmbeddings: (a) => (a[2] as ReadonlyMap<string, unknown>).size,
};

function counted<T extends object>(target: T, onCall: (key: string, args: unknown[], result: unknown) => void): T {
  return new Proxy(target, {
    get(t, key, receiver) {
      const value = Reflect.get(t, key, receiver) as unknown;
      if (typeof value !== 'function' || typeof key !== 'string') return value;
      return (...args: unknown[]) => {
        const result = (value as (...a: unknown[]) => unknown).apply(t, args);
        if (result instanceof Promise) return result.then((r) => { onCall(key, args, r); return r; });
        onCall(key, args, result);
        return result;
      };
    },
  });
}

/** The ports wrapped to add into `counts` (a call counts once it has succeeded). */
export function countingPorts<S extends StateStore, V extends VectorStore, E extends Embedder>(
  ports: { state: S; vectors: V; embedder: E }, counts: PortCounts,
): { state: S; vectors: V; embedder: E } {
  return {
    state: counted(ports.state, (key, args) => {
      const items = STATE_WRITES[key]?.(args);
      if (items !== undefined && items > 0) counts.state[key] = (counts.state[key] ?? 0) + items;
    }),
    vectors: counted(ports.vectors, (key, args) => {
      if (key === 'upsert' || key === 'insert') counts.vectorsUpserted += (args[0] as unknown[]).length;
      if (key === 'delete') counts.vectorsDeleted += (args[0] as unknown[]).length;
    }),
    embedder: counted(ports.embedder, (key, _args, result) => {
      if (key !== 'embed') return;
      const r = result as { calls: number; tokens: number };
      counts.embeddingCalls += r.calls;
      counts.tokens += r.tokens;
    }),
  };
}

/** Total state writes. */
export const stateWrites = (counts: PortCounts): number => Object.values(counts.state).reduce((a, b) => a + b, 0);
