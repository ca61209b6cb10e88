/**
 * Memory soak of the long-running local runtime: `tributary start`'s code (pollers driving the
 * fetcher and embedder handlers, the HTTP server) in this process, on a generated corpus,
 * with `--syncs` full syncs, each after `--edits` documents changed, one after the other.
 * Prints the process's RSS and V8 heap after the first sync and every `--every` syncs, and
 * the last against the first.
 *
 *   npm run soak                        # 5,000 documents, 200 syncs, 5 edits each
 *   npm run soak -- --docs 1000 --syncs 50
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { generateCorpus, mulberry32, writeCorpus } from '../../examples/generate-corpus.ts';
import { startRuntime } from '../../functions/local/runtime.ts';
import { loadConfig } from '../../shared/config/load.ts';
import { silentLogger } from '../../shared/core/deps.ts';
import { openLocalStack } from '../../shared/wiring/local-stack.ts';

const SOURCE_ID = 'soak';

interface Sample {
  readonly sync: number;
  readonly rssMb: number;
  /** Linux: the anonymous part of RSS (heap, native allocations) and the file-backed part (the SQLite memory map, mapped LanceDB files, code). */
  readonly anonMb?: number;
  readonly fileMb?: number;
  readonly heapMb: number;
  readonly externalMb: number;
  readonly ms: number;
}

const mb = (bytes: number): number => Math.round(bytes / 1024 / 1024);

/** With `--expose-gc` (npm run soak sets it), samples are taken after a full collection: retained memory, not garbage. */
const collect = (globalThis as { gc?: () => void }).gc;

/** RssAnon and RssFile from /proc/self/status (Linux), in MB. */
function rssParts(): { anonMb?: number; fileMb?: number } {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const kb = (name: string): number | undefined => {
      const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
      return match ? Math.round(Number(match[1]) / 1024) : undefined;
    };
    const anonMb = kb('RssAnon');
    const fileMb = kb('RssFile');
    return { ...(anonMb !== undefined ? { anonMb } : {}), ...(fileMb !== undefined ? { fileMb } : {}) };
  } catch {
    return {};
  }
}

function sample(sync: number, ms: number): Sample {
  collect?.();
  const m = process.memoryUsage();
  return { sync, rssMb: mb(m.rss), ...rssParts(), heapMb: mb(m.heapUsed), externalMb: mb(m.external + m.arrayBuffers), ms };
}

async function main(): Promise<void> {
  const opts = new Command()
    .option('--docs <n>', 'documents in the corpus', (v) => Number(v), 5000)
    .option('--syncs <n>', 'syncs after the first', (v) => Number(v), 200)
    .option('--edits <n>', 'documents edited before each sync', (v) => Number(v), 5)
    .option('--every <n>', 'print a sample every n syncs', (v) => Number(v), 20)
    .option('--seed <n>', 'corpus seed', (v) => Number(v), 42)
    .parse()
    .opts<{ docs: number; syncs: number; edits: number; every: number; seed: number }>();

  const work = await mkdtemp(join(tmpdir(), 'tributary-soak-'));
  const corpus = join(work, 'corpus');
  const docs = generateCorpus({ count: opts.docs, seed: opts.seed });
  await writeCorpus(corpus, docs);
  const configPath = join(work, 'tributary.config.json');
  await writeFile(configPath, JSON.stringify({
    stateDir: join(work, 'state'),
    server: { port: 0, host: '127.0.0.1' },
    sources: [{ id: SOURCE_ID, kind: 'filesystem', root: corpus, include: ['**/*.md'], watch: false, schedule: 'rate(1 day)' }],
  }));
  const loaded = loadConfig({ path: configPath, cwd: work, allowDemo: false });
  const stack = await openLocalStack(loaded, { log: silentLogger, runtime: true });
  const runtime = await startRuntime(stack, { port: 0, host: '127.0.0.1', log: silentLogger, secret: () => undefined });
  const random = mulberry32(opts.seed + 1);
  const samples: Sample[] = [];
  try {
    // The runtime syncs at start; then one queued run at a time, each awaited to its end.
    let seen: string | undefined;
    const waitForRun = async (): Promise<void> => {
      for (;;) {
        const [last] = await stack.state.listRuns(SOURCE_ID, 1);
        if (last && last.runId !== seen && last.status !== 'running' && last.tasksDone + last.tasksFailed >= last.tasksEnqueued) {
          seen = last.runId;
          return;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    let started = Date.now();
    await waitForRun();
    samples.push(sample(0, Date.now() - started));
    process.stderr.write(`[soak] first sync of ${opts.docs} documents: ${samples[0]!.ms} ms, RSS ${samples[0]!.rssMb} MB (anonymous ${samples[0]!.anonMb ?? '?'}, file-backed ${samples[0]!.fileMb ?? '?'})\n`);
    for (let i = 1; i <= opts.syncs; i++) {
      for (let e = 0; e < opts.edits; e++) {
        const doc = docs[Math.floor(random() * docs.length)]!;
        await writeFile(join(corpus, doc.path), `${doc.text}\n\nEdit ${i}.${e}: ${Math.floor(random() * 1e9).toString(36)}.\n`);
      }
      started = Date.now();
      await stack.queue.sendFetch([{ type: 'fetch', sourceId: SOURCE_ID, trigger: 'cli', requestedAt: new Date().toISOString() }]);
      await waitForRun();
      const s = sample(i, Date.now() - started);
      samples.push(s);
      if (i % opts.every === 0 || i === opts.syncs) process.stderr.write(`[soak] sync ${i}: ${s.ms} ms, RSS ${s.rssMb} MB (anonymous ${s.anonMb ?? '?'}, file-backed ${s.fileMb ?? '?'}), heap ${s.heapMb} MB, external ${s.externalMb} MB\n`);
    }
  } finally {
    await runtime.stop();
    await stack.close();
    await rm(work, { recursive: true, force: true });
  }
  const first = samples[0]!;
  const last = samples.at(-1)!;
  const peak = Math.max(...samples.map((s) => s.rssMb));
  console.log(JSON.stringify({
    docs: opts.docs, syncs: opts.syncs, edits: opts.edits,
    firstRssMb: first.rssMb, lastRssMb: last.rssMb, peakRssMb: peak, lastOverFirst: Number((last.rssMb / first.rssMb).toFixed(3)),
    samples: samples.filter((s) => s.sync % opts.every === 0 || s.sync === opts.syncs),
  }, null, 1));
}

await main();
