import fc from 'fast-check';
import { describeStep, scenarioArb, type Scenario } from './scenario.ts';
import { runScenario, type WorldOptions } from './world.ts';

/** Budget and seed of a chaos run: CI defaults, overridden by `npm run test:chaos -- --runs N --seed S`. */
export function chaosBudget(defaultRuns: number, runsVariable = 'CHAOS_RUNS'): { numRuns: number; seed: number | undefined } {
  const runs = Number(process.env[runsVariable] ?? defaultRuns);
  const seedText = process.env['CHAOS_SEED'];
  return { numRuns: Number.isInteger(runs) && runs > 0 ? runs : defaultRuns, seed: seedText !== undefined && seedText !== '' ? Number(seedText) : undefined };
}

/** A scenario as code, so a counterexample can be pasted into the regression suite. */
export function formatScenario(scenario: Scenario): string {
  const { steps, ...rest } = scenario;
  return `${JSON.stringify(rest)}\n${steps.map((s, i) => `  #${i + 1} ${describeStep(s)}`).join('\n')}`;
}

/** Fails with the violations and the tail of the scenario's trace. */
export async function assertConverges(scenario: Scenario, options: WorldOptions): Promise<void> {
  const report = await runScenario(scenario, options);
  if (report.violations.length > 0) {
    throw new Error(`${report.violations.length} properties broken:\n- ${report.violations.slice(0, 8).join('\n- ')}\n\ntrace:\n${report.trace.slice(-60).join('\n')}`);
  }
}

/** The convergence property over generated scenarios; failures shrink and print their seed and path. */
export async function checkScenarios(options: WorldOptions & { numRuns: number; seed?: number | undefined; maxSteps?: number }): Promise<void> {
  await fc.assert(
    fc.asyncProperty(scenarioArb({ maxSteps: options.maxSteps ?? 60 }), (scenario) => assertConverges(scenario, options)),
    { numRuns: options.numRuns, ...(options.seed !== undefined ? { seed: options.seed } : {}), endOnFailure: false },
  );
}
