/**
 * A model change of a profile on a large source, measured: the new generation is built in the
 * background while a second process-like reader (its own local stack on the same state folder:
 * its own database connection and LanceDB handles) searches every 100 ms; the alias flips once
 * the build is complete and audited. Counts the searches, the failed and the empty ones, and
 * prints the plan's estimate beside what the build embedded.
 *
 *   npm run bench:generations                         # 5,000 documents
 *   TRIBUTARY_GEN_DOCS=1000 npm run bench:generations
 *
 * The CI test (test/unit/generation-switch.test.ts) runs it on 300 documents.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { flipSettled } from '../../functions/local/generations-command.ts';
import { syncSources } from '../../functions/local/sync.ts';
import { loadConfig } from '../../shared/config/load.ts';
import { silentLogger } from '../../shared/core/deps.ts';
import { readAliases, withGenerations } from '../../shared/core/generations.ts';
import { planSource } from '../../shared/core/plan.ts';
import { profileKeyOf } from '../../shared/core/profiles.ts';
import { searchIndex } from '../../shared/core/search.ts';
import { openLocalStack, type LocalStack } from '../../shared/wiring/local-stack.ts';

export interface SwitchReport {
  readonly documents: number;
  readonly initialSyncMs: number;
  readonly buildMs: number;
  /** The flip after the build settled: audit of the new generation + the alias write. */
  readonly flipMs: number;
  readonly searches: number;
  readonly failed: number;
  readonly empty: number;
  readonly errors: string[];
  /** Searches answered by each generation (the alias the reader saw when it searched). */
  readonly answeredBy: Record<string, number>;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly plan: { readonly documents: number; readonly chunks: number; readonly tokens: number; readonly textsToEmbed: number; readonly estimatedCostUsd: number };
  readonly measured: { readonly chunksEmbedded: number; readonly tokensEmbedded: number; readonly embeddingCalls: number };
  readonly flipped: boolean;
}

const TOPICS = ['release checklist', 'invoice approval', 'outage review', 'roadmap planning', 'onboarding guide'];
const POLL_MS = 100;

const configOf = (model: string) => ({
  stateDir: '.tributary',
  sources: [{ id: 'docs', kind: 'filesystem', root: './corpus', profiles: [{ name: 'main', embedder: { model } }] }],
});

async function open(dir: string): Promise<LocalStack> {
  return openLocalStack(loadConfig({ cwd: dir, allowDemo: false }), { log: silentLogger });
}

/** Builds the corpus, syncs it under model A, switches to model B and measures the switch. */
export async function runGenerationSwitch(options: { documents: number; dir?: string }): Promise<SwitchReport> {
  const dir = options.dir ?? await mkdtemp(join(tmpdir(), 'tributary-gen-'));
  try {
    await mkdir(join(dir, 'corpus'), { recursive: true });
    for (let i = 0; i < options.documents; i++) {
      const topic = TOPICS[i % TOPICS.length]!;
      await writeFile(join(dir, 'corpus', `n${i}.md`), `# Note ${i}: ${topic}\n\nThe ${topic} for team ${i % 17}, item ${i}. Owner: person ${i % 31}.\n`);
    }
    const writeConfig = (model: string) => writeFile(join(dir, 'tributary.config.json'), JSON.stringify(configOf(model)));
    await writeConfig('hashing-a');
    let t0 = performance.now();
    const first = await open(dir);
    try {
      await syncSources(first, { sourceIds: ['docs'], full: false, allowMassDelete: false });
    } finally {
      await first.close();
    }
    const initialSyncMs = performance.now() - t0;

    // The model changes: a writer with the new config, a reader searching every 100 ms.
    await writeConfig('hashing-b');
    const writer = await open(dir);
    const reader = await open(dir);
    const latencies: number[] = [];
    const errors: string[] = [];
    const answeredBy: Record<string, number> = {};
    let empty = 0;
    let stop = false;
    const poll = (async () => {
      while (!stop) {
        const started = performance.now();
        try {
          const alias = (await readAliases(reader.deps.generations!, 'docs', reader.deps.profiles!('docs')!)).get('main');
          const generation = `g${alias?.alias.current.number ?? 0}`;
          const serving = await withGenerations(reader.deps, ['docs'], 'serving');
          const results = await searchIndex(serving, TOPICS[latencies.length % TOPICS.length]!, { topK: 5, sourceIds: ['docs'] });
          if (results.length === 0) empty += 1;
          answeredBy[generation] = (answeredBy[generation] ?? 0) + 1;
        } catch (error) {
          errors.push(error instanceof Error ? error.message : String(error));
        }
        const took = performance.now() - started;
        latencies.push(took);
        await new Promise((r) => setTimeout(r, Math.max(0, POLL_MS - took)));
      }
    })();
    let report: Omit<SwitchReport, 'searches' | 'failed' | 'empty' | 'errors' | 'answeredBy' | 'p50Ms' | 'p99Ms'>;
    try {
      const [plan] = await planSource(writer.deps, 'docs', { profiles: ['main'] });
      t0 = performance.now();
      const [synced] = await syncSources(writer, { sourceIds: ['docs'], full: false, allowMassDelete: false });
      const buildMs = performance.now() - t0;
      t0 = performance.now();
      const flips = await flipSettled(writer, ['docs']);
      const flipMs = performance.now() - t0;
      // Keep searching a little after the flip: the reader must switch without a gap.
      await new Promise((r) => setTimeout(r, 1000));
      const runs = await writer.state.listRuns(profileKeyOf('docs', 'main@g1'), 100);
      report = {
        documents: options.documents, initialSyncMs, buildMs, flipMs, flipped: flips.some((l) => l.includes('searches now answer from it')),
        plan: { documents: plan!.documents, chunks: plan!.chunks, tokens: plan!.tokens, textsToEmbed: plan!.textsToEmbed, estimatedCostUsd: plan!.estimatedCostUsd },
        measured: {
          chunksEmbedded: runs.reduce((n, r) => n + r.chunksEmbedded, 0), tokensEmbedded: runs.reduce((n, r) => n + r.tokensEmbedded, 0),
          embeddingCalls: synced?.profiles?.['main@g1']?.embeddingCalls ?? 0,
        },
      };
    } finally {
      stop = true;
      await poll;
      await writer.close();
      await reader.close();
    }
    const sorted = [...latencies].sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
    return { ...report, searches: latencies.length, failed: errors.length, empty, errors: errors.slice(0, 5), answeredBy, p50Ms: at(0.5), p99Ms: at(0.99) };
  } finally {
    if (options.dir === undefined) await rm(dir, { recursive: true, force: true });
  }
}

export function formatSwitch(r: SwitchReport): string {
  return [
    `generation switch, ${r.documents} documents (local stack: SQLite, LanceDB, hashing embedder)`,
    `  initial sync (model hashing-a): ${(r.initialSyncMs / 1000).toFixed(1)} s`,
    `  build of generation 1 (hashing-b) in the background: ${(r.buildMs / 1000).toFixed(1)} s; flip (audit + alias write): ${r.flipMs.toFixed(0)} ms; flipped: ${r.flipped}`,
    `  searches every ${POLL_MS} ms during the switch: ${r.searches} made, ${r.failed} failed, ${r.empty} empty; answered by ${JSON.stringify(r.answeredBy)}; latency p50 ${r.p50Ms.toFixed(0)} ms, p99 ${r.p99Ms.toFixed(0)} ms`,
    `  plan's estimate: ${r.plan.documents} documents, ${r.plan.chunks} chunks, ${r.plan.textsToEmbed} texts to embed, ${r.plan.tokens} tokens (cl100k), ~$${r.plan.estimatedCostUsd.toFixed(4)}`,
    `  measured: ${r.measured.chunksEmbedded} chunks embedded in ${r.measured.embeddingCalls} calls, ${r.measured.tokensEmbedded} tokens (as the embedder counts them)`,
    ...(r.errors.length > 0 ? [`  errors: ${r.errors.join(' | ')}`] : []),
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const documents = Number(process.env['TRIBUTARY_GEN_DOCS'] ?? 5000);
  const report = await runGenerationSwitch({ documents });
  console.log(formatSwitch(report));
  if (report.failed > 0 || report.empty > 0 || !report.flipped) process.exitCode = 1;
}
