#!/usr/bin/env node
// `npm run test:chaos -- --runs 5000 --seed 42`: the chaos suite with a longer budget.
// Sets the budget for the suite's tests and runs `vitest run test/chaos`; exits with its code.
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';

const usage = `usage: npm run test:chaos -- [--runs N] [--seed N] [--embedded-runs N] [vitest filters…]
  --runs N           generated scenarios on the in-memory adapters (CI default: 200)
  --seed N           fast-check seed (the crash test's kill plan too); omitted: a random one, printed on failure
  --embedded-runs N  scenarios on dynalite, fauxqs and LanceDB (CI default: 20)`;

let parsed;
try {
  parsed = parseArgs({
    options: {
      runs: { type: 'string' },
      seed: { type: 'string' },
      'embedded-runs': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
  });
} catch (error) {
  console.error(`${error.message}\n${usage}`);
  process.exit(2);
}
const { values, positionals } = parsed;
if (values.help) {
  console.log(usage);
  process.exit(0);
}

/** A whole number from an option, or an exit with the usage. */
function integer(name, text, min) {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min) {
    console.error(`--${name} must be a whole number ≥ ${min}, got "${text}"\n${usage}`);
    process.exit(2);
  }
  return String(n);
}

const env = { ...process.env };
const runs = integer('runs', values.runs, 1);
const seed = integer('seed', values.seed, -(2 ** 31));
const embeddedRuns = integer('embedded-runs', values['embedded-runs'], 0);
if (runs !== undefined) env.CHAOS_RUNS = runs;
if (seed !== undefined) env.CHAOS_SEED = seed;
if (embeddedRuns !== undefined) env.CHAOS_EMBEDDED_RUNS = embeddedRuns;

const args = ['vitest', 'run', ...(positionals.length > 0 ? positionals : ['test/chaos'])];
console.log(`chaos: ${runs ?? 'default'} scenarios, seed ${seed ?? 'random'}, ${embeddedRuns ?? 'default'} on embedded adapters → npx ${args.join(' ')}`);
const started = Date.now();
const child = spawn(process.platform === 'win32' ? 'npx.cmd' : 'npx', args, { stdio: 'inherit', env });
child.on('error', (error) => {
  console.error(`could not start vitest: ${error.message}`);
  process.exit(1);
});
child.on('exit', (code, signal) => {
  console.log(`chaos: finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  process.exit(code ?? (signal ? 1 : 0));
});
