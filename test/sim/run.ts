/**
 * `npm run simulate`: the AWS deployment at scale, simulated. Runs the scenarios on one world
 * (backfill, steady day, webhook storm, provider outage, empty listing), prints the tables and
 * the monthly bills, and writes the whole report as JSON.
 *
 *   npm run simulate                                   # 1,000 sources, 1M documents (minutes)
 *   npm run simulate -- --documents 100000 --sources 100
 *   npm run simulate -- --config my-volumes.json --out report.json
 *   npm run simulate -- --budget shared                # the fix: one token bucket for the account
 *   npm run simulate -- --equivalence 5000             # counts vs a real run of the handlers
 */
import { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { baselineBill, monthlyBill, total, type Standing } from './bill.ts';
import { loadSimConfig, type SimConfig } from './config.ts';
import { runEquivalence } from './equivalence.ts';
import { PRICES } from './prices.ts';
import { backfill, emptyListing, providerOutage, steadyDay, webhookStorm, type ScenarioReport } from './scenarios.ts';
import { renderBills, renderScenarios } from './tables.ts';
import { World } from './world.ts';

const program = new Command()
  .name('simulate')
  .description('Simulate the AWS deployment at scale on a virtual clock (see README "Scale and cost")')
  .option('--config <file>', 'JSON file of volumes, limits and latencies (keys: README "Scale and cost")')
  .option('--sources <n>', 'sources', (v) => Number(v))
  .option('--documents <n>', 'documents across all sources', (v) => Number(v))
  .option('--tpm <n>', 'tokens per minute: the configured budget and the account limit', (v) => Number(v))
  .option('--budget <mode>', 'per-container (as shipped) or shared (one bucket for the account)')
  .option('--scenarios <list>', 'comma-separated: backfill,steady,storm,outage,empty', 'backfill,steady,storm,outage,empty')
  .option('--equivalence <documents>', 'only the equivalence check on this many documents of real text', (v) => Number(v))
  .option('--out <file>', 'write the report as JSON');

async function main(): Promise<void> {
  const opts = program.parse().opts<{ config?: string; sources?: number; documents?: number; tpm?: number; budget?: string; scenarios: string; equivalence?: number; out?: string }>();
  const overrides: Record<string, Record<string, unknown>> = { corpus: {}, deploy: {}, limits: {} };
  if (opts.sources !== undefined) overrides['corpus']!['sources'] = opts.sources;
  if (opts.documents !== undefined) overrides['corpus']!['documents'] = opts.documents;
  if (opts.tpm !== undefined) {
    overrides['deploy']!['tokensPerMinute'] = opts.tpm;
    overrides['limits']!['openaiTpm'] = opts.tpm;
  }
  if (opts.budget !== undefined) overrides['deploy']!['budget'] = opts.budget;
  const config = loadSimConfig(opts.config, overrides);
  if (opts.equivalence !== undefined) {
    const result = await runEquivalence(opts.equivalence, { sqlite: true });
    console.log(JSON.stringify(result, null, 2));
    if (opts.out) writeFileSync(opts.out, JSON.stringify(result, null, 2));
    process.exitCode = result.equal ? 0 : 1;
    return;
  }
  const report = await simulate(config, opts.scenarios.split(',').map((s) => s.trim()));
  console.log(renderScenarios(report.scenarios));
  console.log(renderBills(report.bills));
  if (opts.out) writeFileSync(opts.out, JSON.stringify(report, null, 2));
}

export interface SimulationReport {
  readonly config: SimConfig;
  readonly standing: Standing;
  readonly scenarios: ScenarioReport[];
  readonly bills: { steadyDay?: { lines: Array<{ item: string; usd: number }>; total: number }; baseline?: { lines: Array<{ item: string; usd: number }>; total: number } };
  readonly wallMs: number;
}

export async function simulate(config: SimConfig, which: readonly string[]): Promise<SimulationReport> {
  const started = performance.now();
  const world = new World(config);
  const standing: Standing = {
    sources: world.sources.length,
    documents: world.sources.reduce((n, s) => n + s.documentCount, 0),
    chunks: world.sources.reduce((n, s) => n + s.chunkTotal(), 0),
  };
  console.error(`world: ${standing.sources} sources, ${standing.documents} documents, ${standing.chunks} chunks; budget ${config.deploy.budget}`);
  const scenarios: ScenarioReport[] = [];
  const step = async (name: string, run: () => Promise<ScenarioReport>): Promise<void> => {
    if (!which.includes(name)) return;
    const r = await run();
    console.error(`  ${r.name}: ${(r.virtualMs / 3_600_000).toFixed(2)} h virtual in ${(r.wallMs / 1000).toFixed(1)} s`);
    scenarios.push(r);
  };
  // The others start from an indexed corpus: the backfill always runs.
  await step('backfill', () => backfill(world));
  if (!which.includes('backfill')) await backfill(world);
  await step('steady', () => steadyDay(world));
  await step('storm', () => webhookStorm(world));
  await step('outage', () => providerOutage(world));
  await step('empty', () => emptyListing(world));
  const day = scenarios.find((s) => s.name.startsWith('steady'));
  const fill = scenarios.find((s) => s.name.startsWith('initial'));
  const bills: SimulationReport['bills'] = {};
  if (day) {
    // The day measured may run past 24 h by its tail: scale to a day.
    const lines = monthlyBill(day.usage, standing, config, PRICES);
    bills.steadyDay = { lines, total: total(lines) };
  }
  if (fill) {
    const lines = baselineBill(fill.usage, standing, config, PRICES);
    bills.baseline = { lines, total: total(lines) };
  }
  return { config, standing, scenarios, bills, wallMs: performance.now() - started };
}

if (process.argv[1]?.endsWith('run.ts')) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
