/**
 * Model-based chaos test of the whole pipeline on the in-memory twins of the adapters: a
 * simulated source, processes that crash at any port call, duplicated, reordered and delayed
 * tasks, concurrent and paused runs, failing dependencies. After the faults stop, the
 * pipeline goes quiet and one sync (with its reconcile) runs, the index must equal the
 * source. `npm run test:chaos -- --runs 5000 --seed N` runs it longer.
 */
import { describe, it } from 'vitest';
import { chaosBudget, checkScenarios } from './support/property.ts';

const { numRuns, seed } = chaosBudget(200);

describe('convergence under faults (in-memory adapters)', () => {
  it(`converges in ${numRuns} generated scenarios${seed !== undefined ? ` (seed ${seed})` : ''}`, async () => {
    await checkScenarios({ adapters: 'memory', numRuns, seed });
  }, 3_600_000);
});
