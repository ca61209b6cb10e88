/**
 * One system, in a process of its own (so its memory and its CPU time are its own): writes
 * the corpus to its folder, then for each step applies the step's changes to the folder, runs
 * one timed sync, and checks the index against the corpus. Results go to the parent over IPC.
 *
 * Started by harness.ts with `node --import tsx test/bench/worker.ts`; the request arrives as
 * the first IPC message.
 */
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { GeneratedDoc } from '../../examples/generate-corpus.ts';
import { DEFAULT_CHUNKING } from '../../shared/core/chunker.ts';
import { applyToFolder, initialCorpus, planChangeStream, touchedPaths, type ChangeStream } from './change-stream.ts';
import { CountingEmbedder, countSentTokens } from './counting-embedder.ts';
import { measureLatency } from './latency.ts';
import { compareIndex, ReferenceCorpus } from './reference.ts';
import type { BenchSystem, SystemContext } from './systems/system.ts';
import type { ScenarioId, StepMetrics, SystemId, WorkerMessage, WorkerRequest } from './types.ts';

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
process.env['LANCEDB_LOG'] ??= 'error';

function send(message: WorkerMessage): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!process.send) {
      reject(new Error('worker.ts must be started by the benchmark harness (no IPC channel)'));
      return;
    }
    process.send(message, undefined, {}, (error) => (error ? reject(error) : resolve()));
  });
}

/** Highest RSS seen: sampled on a timer and at every embedding request (CPU-bound syncs starve timers). */
class MemorySampler {
  private peak = 0;
  private timer: NodeJS.Timeout | undefined;

  sample = (): void => {
    const rss = process.memoryUsage.rss();
    if (rss > this.peak) this.peak = rss;
  };

  start(): void {
    this.peak = 0;
    this.sample();
    this.timer = setInterval(this.sample, 20);
  }

  stopMb(): number {
    if (this.timer) clearInterval(this.timer);
    this.sample();
    return Math.round(this.peak / 1e5) / 10;
  }
}

async function openSystem(id: SystemId, ctx: SystemContext): Promise<BenchSystem> {
  switch (id) {
    case 'tributary': {
      const { TributarySystem } = await import('./systems/tributary.ts');
      return TributarySystem.open(ctx);
    }
    case 'langchain-incremental':
    case 'langchain-full': {
      const { LangChainSystem } = await import('./systems/langchain.ts');
      return new LangChainSystem(ctx, id === 'langchain-full' ? 'full' : 'incremental');
    }
    case 'llamaindex': {
      const { LlamaIndexSystem } = await import('./systems/llamaindex.ts');
      return new LlamaIndexSystem(ctx);
    }
    case 'naive': {
      const { NaiveSystem } = await import('./systems/naive.ts');
      return new NaiveSystem(ctx);
    }
  }
}

async function timedSync(
  system: BenchSystem, embedder: CountingEmbedder, memory: MemorySampler, scenario: ScenarioId, docsTouched: number,
): Promise<Omit<StepMetrics, 'correctness'>> {
  embedder.take();
  memory.start();
  const started = performance.now();
  let outcome = await system.sync();
  const wallMs = performance.now() - started;
  const peakRssMb = memory.stopMb();
  if (system.afterSync) outcome = system.afterSync(outcome);
  const { calls, texts, sent } = embedder.take();
  return {
    scenario, docsTouched, embeddingCalls: calls, textsEmbedded: texts, tokensEmbedded: countSentTokens(sent),
    vectorUpserts: outcome.upserts, vectorDeletes: outcome.deletes, wallMs: Math.round(wallMs), peakRssMb,
    ...(outcome.reported ? { reported: outcome.reported } : {}),
  };
}

async function run(request: WorkerRequest): Promise<void> {
  const corpusDir = join(request.workDir, 'corpus');
  await rm(request.workDir, { recursive: true, force: true });
  await mkdir(corpusDir, { recursive: true });
  const memory = new MemorySampler();
  const embedder = new CountingEmbedder(request.latencyMs, memory.sample);
  const ctx: SystemContext = { corpusDir, workDir: request.workDir, embedder, chunking: DEFAULT_CHUNKING };
  const progress = (message: string): Promise<void> => send({ type: 'progress', message: `${request.system}: ${message}` });

  if (request.mode === 'scale') {
    const docs = initialCorpus(request.docs, request.seed);
    await writeFiles(corpusDir, docs);
    const system = await openSystem(request.system, ctx);
    try {
      await send({ type: 'step', metrics: await timedSync(system, embedder, memory, 'initial', docs.length) });
      await send({ type: 'step', metrics: await timedSync(system, embedder, memory, 'no-change', 0) });
    } finally {
      await system.close();
    }
    return;
  }

  const setup = performance.now();
  const stream: ChangeStream = request.streamFile
    ? JSON.parse(await readFile(request.streamFile, 'utf8')) as ChangeStream
    : planChangeStream(request.docs, request.seed);
  const reference = new ReferenceCorpus(DEFAULT_CHUNKING);
  reference.load(stream.initial, false);
  await writeFiles(corpusDir, stream.initial);
  const system = await openSystem(request.system, ctx);
  await progress(`ready in ${Math.round(performance.now() - setup)} ms (corpus written, system opened)`);
  try {
    const check = async (metrics: Omit<StepMetrics, 'correctness'>): Promise<void> => {
      const started = performance.now();
      const correctness = compareIndex(reference.expected(), await system.contents());
      await send({ type: 'step', metrics: { ...metrics, correctness } });
      const verdict = correctness.missing + correctness.stale + correctness.duplicates === 0 ? 'exact' : 'NOT exact';
      await progress(`${metrics.scenario}: sync ${metrics.wallMs} ms, ${metrics.embeddingCalls} embedding calls; index ${verdict} (checked in ${Math.round(performance.now() - started)} ms)`);
    };
    await check(await timedSync(system, embedder, memory, 'initial', stream.initial.length));
    for (const step of stream.steps) {
      await applyToFolder(corpusDir, step.ops);
      reference.apply(step.ops, false);
      await check(await timedSync(system, embedder, memory, step.scenario, new Set(touchedPaths(step.ops)).size - renames(step.ops)));
    }
    if (request.latency && request.system === 'tributary') {
      const { TributarySystem } = await import('./systems/tributary.ts');
      if (!(system instanceof TributarySystem)) throw new Error('latency needs the Tributary system');
      const corpus = new Map<string, string>();
      for (const path of reference.paths()) corpus.set(path, reference.textOf(path)!);
      for (const [trigger, edits] of [['webhook', request.latency.edits], ['watcher', request.latency.watcherEdits]] as const) {
        if (edits <= 0) continue;
        await progress(`${trigger} latency: ${edits} edits`);
        const series = await measureLatency(system, {
          trigger, edits, timeoutMs: request.latency.timeoutMs, seed: request.seed, corpusDir, corpus,
          onProgress: (m) => void progress(m),
        });
        await send({ type: 'latency', series });
      }
    }
  } finally {
    await system.close();
  }
}

/** Writes the corpus files, 16 at a time. */
async function writeFiles(dir: string, docs: readonly GeneratedDoc[]): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (next < docs.length) {
      const doc = docs[next++]!;
      await applyToFolder(dir, [{ kind: 'write', path: doc.path, text: doc.text }]);
    }
  }));
}

/** A rename names two paths but is one document. */
function renames(ops: ReadonlyArray<{ kind: string }>): number {
  return ops.filter((op) => op.kind === 'rename').length;
}

process.once('message', (request: WorkerRequest) => {
  run(request)
    .then(() => send({ type: 'done' }))
    .catch(async (error: unknown) => {
      process.exitCode = 1;
      await send({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    })
    .finally(() => {
      process.disconnect?.();
      // Native handles (LanceDB, file watchers) must not keep a finished worker alive.
      setTimeout(() => process.exit(), 2_000).unref();
    });
});
