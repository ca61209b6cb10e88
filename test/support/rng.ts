import type { Rng } from '../../examples/generate-corpus.ts';

/** The corpus generator's seeded random source (mulberry32): float, int, pick, shuffle, sample, weighted. */
export { Rng } from '../../examples/generate-corpus.ts';

/**
 * `k` distinct items, each drawn from what is left (one draw per item, unlike `Rng.sample`,
 * which shuffles everything). The benchmark's change stream was generated with this order.
 */
export function drawDistinct<T>(rng: Rng, items: readonly T[], k: number): T[] {
  const copy = [...items];
  const out: T[] = [];
  while (out.length < k && copy.length > 0) out.push(copy.splice(Math.floor(rng.float() * copy.length), 1)[0]!);
  return out;
}
