/**
 * The benchmark: the reference numbers (expected chunks, minimum tokens per step), then every
 * system's run of the change stream in its own worker process, one after the other, then the
 * scale curve, then the report (Markdown, SVG chart, JSON) in the output folder.
 */
import { fork } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, platform, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CHUNKING } from '../../shared/core/chunker.ts';
import { planChangeStream, touchedPaths, type ChangeStream } from './change-stream.ts';
import { ReferenceCorpus } from './reference.ts';
import { renderChart, renderMarkdown } from './report.ts';
import {
  SYSTEM_IDS, type BenchResult, type CorpusStats, type LatencySeries, type ReferenceStep, type ScalePoint, type StepMetrics,
  type SystemId, type SystemRun, type WorkerMessage, type WorkerRequest,
} from './types.ts';

export interface BenchOptions {
  readonly docs: number;
  readonly seed: number;
  readonly latencyMs: number;
  /** Run the change scenarios (and the latency measurement). @default true */
  readonly scenarios?: boolean;
  /** Corpus sizes of the scale curve; empty skips it. */
  readonly scaleSizes: readonly number[];
  /**
   * The peers' scale points stop at this corpus size; Tributary runs every size. The peers at
   * 20,000 documents take about 7 minutes together, more than the 15-minute default run has.
   * @default no limit
   */
  readonly peerScaleMax?: number;
  /** Webhook edits for the latency measurement; 0 skips it. */
  readonly latencyEdits: number;
  /** File-watcher edits for the latency measurement; 0 skips them. */
  readonly watcherEdits: number;
  readonly latencyTimeoutMs?: number;
  readonly systems?: readonly SystemId[];
  readonly outDir: string;
  /** Where workers keep corpus copies and state (removed afterwards). @default a temp folder */
  readonly workRoot?: string;
  /** How the run was started, for the report. */
  readonly command: string;
  /**
   * Systems' scenario runs at once. Anything above 1 makes the systems compete for the CPU, so
   * their times are not comparable: for tests of the harness only. @default 1
   */
  readonly concurrency?: number;
  readonly log?: (message: string) => void;
}

export interface BenchOutput {
  readonly result: BenchResult;
  readonly markdown: string;
  readonly files: { readonly markdown: string; readonly chart: string; readonly json: string };
}

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));

export async function runBench(options: BenchOptions): Promise<BenchOutput> {
  const started = Date.now();
  const log = options.log ?? (() => undefined);
  const systems = options.systems ?? SYSTEM_IDS;
  const workRoot = options.workRoot ?? await mkdtemp(join(tmpdir(), 'tributary-bench-'));
  await mkdir(options.outDir, { recursive: true });
  await mkdir(workRoot, { recursive: true });

  try {
    log(`reference: chunking the ${options.docs}-document corpus and its change stream`);
    const stream = planChangeStream(options.docs, options.seed);
    const { corpus, reference } = buildReference(stream);
    const streamFile = join(workRoot, 'stream.json');
    await writeFile(streamFile, JSON.stringify(stream));

    const runOne = async (system: SystemId): Promise<SystemRun> => {
      log(`${system}: scenarios on ${options.docs} documents`);
      const latency = system === 'tributary' && (options.latencyEdits > 0 || options.watcherEdits > 0)
        ? { edits: options.latencyEdits, watcherEdits: options.watcherEdits, timeoutMs: options.latencyTimeoutMs ?? 30_000 }
        : undefined;
      const out = await runWorker({
        system, mode: 'scenarios', docs: options.docs, seed: options.seed, latencyMs: options.latencyMs,
        workDir: join(workRoot, system), streamFile, ...(latency ? { latency } : {}),
      }, log);
      await rm(join(workRoot, system), { recursive: true, force: true });
      return { system, steps: out.steps, latency: out.latency };
    };
    const runs: SystemRun[] = [];
    const queue = options.scenarios === false ? [] : [...systems];
    await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 1) }, async () => {
      for (let system = queue.shift(); system !== undefined; system = queue.shift()) runs.push(await runOne(system));
    }));
    runs.sort((a, b) => systems.indexOf(a.system) - systems.indexOf(b.system));

    const scale: ScalePoint[] = [];
    for (const size of options.scaleSizes) {
      for (const system of systems) {
        if (system !== 'tributary' && size > (options.peerScaleMax ?? Infinity)) continue;
        if (size === options.docs) {
          const run = runs.find((r) => r.system === system);
          const initial = run?.steps.find((s) => s.scenario === 'initial');
          const noChange = run?.steps.find((s) => s.scenario === 'no-change');
          if (initial && noChange) scale.push({ system, docs: size, initial, noChange, fromScenarioRun: true });
          continue;
        }
        log(`${system}: scale point, ${size} documents`);
        try {
          const out = await runWorker({
            system, mode: 'scale', docs: size, seed: options.seed, latencyMs: options.latencyMs, workDir: join(workRoot, `${system}-${size}`),
          }, log);
          const [initial, noChange] = out.steps;
          if (!initial || !noChange) throw new Error(`${system} returned no scale measurements for ${size} documents`);
          scale.push({ system, docs: size, initial, noChange, fromScenarioRun: false });
          log(`${system}: ${size} documents: initial ${initial.wallMs} ms, no change ${noChange.wallMs} ms`);
        } catch (error) {
          // A scale point may fail where the scenarios did not (memory, at 20,000 documents): report it, keep going.
          const message = error instanceof Error ? error.message : String(error);
          log(`${system}: scale point of ${size} documents failed: ${message.split('\n')[0]}`);
          scale.push({ system, docs: size, error: summarizeFailure(message), fromScenarioRun: false });
        } finally {
          await rm(join(workRoot, `${system}-${size}`), { recursive: true, force: true });
        }
      }
    }

    const cpu = cpus();
    const result: BenchResult = {
      startedAt: new Date(started).toISOString(),
      durationMs: Date.now() - started,
      command: options.command,
      options: {
        docs: options.docs, seed: options.seed, latencyMs: options.latencyMs, scenarios: options.scenarios !== false,
        scaleSizes: [...options.scaleSizes],
        ...(options.peerScaleMax !== undefined && Number.isFinite(options.peerScaleMax) ? { peerScaleMax: options.peerScaleMax } : {}),
        latencyEdits: options.latencyEdits, watcherEdits: options.watcherEdits, systems: [...systems],
      },
      machine: {
        cpus: cpu[0]?.model.trim() ?? 'unknown', cores: cpu.length, memoryGb: Math.round(totalmem() / 1e8) / 10,
        node: process.version, os: `${platform()} ${release()}`,
      },
      corpus, reference, runs, scale,
    };
    const markdown = renderMarkdown(result);
    const files = {
      markdown: join(options.outDir, 'report.md'),
      chart: join(options.outDir, 'chart.svg'),
      json: join(options.outDir, 'results.json'),
    };
    await writeFile(files.markdown, markdown);
    await writeFile(files.chart, renderChart(result));
    await writeFile(files.json, `${JSON.stringify(result, null, 2)}\n`);
    return { result, markdown, files };
  } finally {
    if (options.workRoot === undefined) await rm(workRoot, { recursive: true, force: true });
  }
}

/** Expected chunks and minimum tokens per step, from Tributary's chunker (which every system uses). */
function buildReference(stream: ChangeStream): { corpus: CorpusStats; reference: ReferenceStep[] } {
  const docs = stream.initial.length;
  const ref = new ReferenceCorpus(DEFAULT_CHUNKING);
  const count = (): number => [...ref.expected().values()].reduce((a, b) => a + b, 0);
  const reference: ReferenceStep[] = [];
  const initialMinimum = ref.load(stream.initial, true);
  const stats = ref.stats();
  reference.push({ scenario: 'initial', docsTouched: stream.initial.length, minimumTokens: initialMinimum, minimumTexts: ref.lastFreshTexts, minimumEmbeddedTokens: ref.lastEmbeddedTokens, expectedChunks: count() });
  for (const step of stream.steps) {
    const minimumTokens = ref.apply(step.ops, true);
    const touched = new Set(touchedPaths(step.ops)).size - step.ops.filter((op) => op.kind === 'rename').length;
    reference.push({ scenario: step.scenario, docsTouched: touched, minimumTokens, minimumTexts: ref.lastFreshTexts, minimumEmbeddedTokens: ref.lastEmbeddedTokens, expectedChunks: count() });
  }
  return {
    corpus: { docs, chunks: stats.chunks, distinctChunks: stats.distinct, tokens: stats.tokens, bytes: stats.bytes },
    reference,
  };
}

/** One line for the report: the heap limit, a signal, or the error's first line. */
function summarizeFailure(message: string): string {
  if (/heap out of memory|Allocation failed/i.test(message)) return 'out of memory (8 GB heap)';
  return message.split('\n').find((line) => line.trim() !== '')?.slice(0, 160) ?? 'failed';
}

/** Runs one worker process to completion; rejects with its error (and stderr tail) when it fails. */
function runWorker(request: WorkerRequest, log: (message: string) => void): Promise<{ steps: StepMetrics[]; latency: LatencySeries[] }> {
  return new Promise((resolve, reject) => {
    const child = fork(WORKER, [], {
      // Every worker gets the same flags: tsx for TypeScript, and room for the in-memory peers at 20k documents.
      execArgv: ['--import', 'tsx', '--max-old-space-size=8192'],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
      env: { ...process.env, LANCEDB_LOG: process.env['LANCEDB_LOG'] ?? 'error', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    const steps: StepMetrics[] = [];
    const latency: LatencySeries[] = [];
    let stderr = '';
    let failure: string | undefined;
    let done = false;
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-8_000);
    });
    child.on('message', (message: WorkerMessage) => {
      if (message.type === 'step') steps.push(message.metrics);
      else if (message.type === 'latency') latency.push(message.series);
      else if (message.type === 'progress') log(message.message);
      else if (message.type === 'error') failure = message.message;
      else done = true;
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (failure !== undefined) reject(new Error(`${request.system} worker failed: ${failure}`));
      else if (!done) reject(new Error(`${request.system} worker exited (${signal ?? code}) before finishing; stderr:\n${stderr}`));
      else resolve({ steps, latency });
    });
    child.send(request);
  });
}
