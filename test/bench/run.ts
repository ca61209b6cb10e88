/**
 * `npm run bench`: Tributary, LangChain's indexing API (incremental and full cleanup),
 * LlamaIndex's IngestionPipeline and a naive re-embed-everything sync, on the same corpus,
 * change stream and counting embedder, in one run. See docs/benchmarks.md.
 *
 *   npm run bench -- --docs 1000 --skip-scale --skip-latency
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { resolve } from 'node:path';
import { runBench } from './harness.ts';
import { SYSTEM_IDS, type SystemId } from './types.ts';

const wholeNumber = (name: string, min = 0) => (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be a whole number of at least ${min}`);
  return n;
};

const sizes = (value: string): number[] => value.split(',').map((s) => wholeNumber('--scale-sizes', 1)(s.trim()));

const program = new Command('bench')
  .description('Compare Tributary with LangChain index(), LlamaIndex IngestionPipeline and a naive sync: tokens, calls, writes, time, memory, correctness')
  .option('--docs <n>', 'documents in the generated corpus', wholeNumber('--docs', 10), 5000)
  .option('--seed <n>', 'corpus and change-stream seed', wholeNumber('--seed'), 42)
  .option('--latency-ms <n>', 'fixed latency per embedding request, to simulate an API', wholeNumber('--latency-ms'), 0)
  .option('--skip-scenarios', 'skip the change scenarios and the latency measurement (scale curve only)')
  .option('--skip-scale', 'skip the scale curve (initial and no-change sync at several corpus sizes)')
  .option('--scale-sizes <list>', 'corpus sizes of the scale curve (the --docs size is taken from the scenario run)', sizes, [1000, 5000, 20000])
  .option('--peer-scale-max <n>', 'largest scale point the peers run (Tributary runs every size); 20000 adds about 7 minutes', wholeNumber('--peer-scale-max', 1), 5000)
  .option('--skip-latency', 'skip the change-to-search latency measurement of the local runtime')
  .option('--latency-edits <n>', 'edits announced by signed webhook hints', wholeNumber('--latency-edits'), 100)
  .option('--watcher-edits <n>', 'edits picked up by the file watcher', wholeNumber('--watcher-edits'), 25)
  .addOption(new Option('--systems <list>', 'systems to run, comma-separated').default([...SYSTEM_IDS]).argParser((value: string) => {
    const list = value.split(',').map((s) => s.trim());
    for (const s of list) if (!(SYSTEM_IDS as readonly string[]).includes(s)) throw new InvalidArgumentError(`unknown system "${s}"; choose from ${SYSTEM_IDS.join(', ')}`);
    return list as SystemId[];
  }))
  .option('--out <dir>', 'folder for report.md, chart.svg and results.json', 'bench-results')
  .option('--json', 'print the results as JSON on stdout instead of the Markdown report')
  .action(async (opts: {
    docs: number; seed: number; latencyMs: number; skipScenarios?: boolean; skipScale?: boolean; scaleSizes: number[]; peerScaleMax: number; skipLatency?: boolean;
    latencyEdits: number; watcherEdits: number; systems: SystemId[]; out: string; json?: boolean;
  }) => {
    const started = Date.now();
    const log = (message: string): void => {
      const s = Math.round((Date.now() - started) / 1000);
      process.stderr.write(`[bench ${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}] ${message}\n`);
    };
    const { result, markdown, files } = await runBench({
      docs: opts.docs, seed: opts.seed, latencyMs: opts.latencyMs, scenarios: opts.skipScenarios !== true,
      scaleSizes: opts.skipScale ? [] : opts.scaleSizes, peerScaleMax: opts.peerScaleMax,
      latencyEdits: opts.skipLatency || opts.skipScenarios ? 0 : opts.latencyEdits,
      watcherEdits: opts.skipLatency || opts.skipScenarios ? 0 : opts.watcherEdits,
      systems: opts.systems, outDir: resolve(opts.out),
      command: ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' '),
      log,
    });
    if (opts.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else process.stdout.write(`${markdown}\n`);
    log(`done in ${Math.round(result.durationMs / 1000)} s; wrote ${files.markdown}, ${files.chart}, ${files.json}`);
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
