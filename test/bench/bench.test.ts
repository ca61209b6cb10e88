/**
 * The benchmark harness on a tiny corpus (no scale curve, no latency): every system runs the
 * whole change stream in its worker process, and the properties the benchmark exists to show
 * hold. Counts only; no timing is asserted (the workers even run side by side).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBench, type BenchOutput } from './harness.ts';
import { SCENARIO_IDS, SYSTEM_IDS, type ScenarioId, type StepMetrics, type SystemId } from './types.ts';

let dir: string;
let bench: BenchOutput;

function metrics(system: SystemId, scenario: ScenarioId): StepMetrics {
  const step = bench.result.runs.find((r) => r.system === system)?.steps.find((s) => s.scenario === scenario);
  if (!step) throw new Error(`no ${scenario} measurement for ${system}`);
  return step;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tributary-bench-test-'));
  bench = await runBench({
    docs: 40, seed: 7, latencyMs: 0, latencyEdits: 0, watcherEdits: 0,
    // 40 comes from the scenario run; at 60 only Tributary runs (the peers stop at 40).
    scaleSizes: [40, 60], peerScaleMax: 40,
    outDir: join(dir, 'out'), workRoot: join(dir, 'work'), command: 'vitest test/bench/bench.test.ts',
    // Workers side by side: this test checks counts and correctness, never times.
    concurrency: 3,
  });
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('benchmark harness on a 40-document corpus', () => {
  it('measures every system on every scenario', () => {
    for (const system of SYSTEM_IDS) {
      expect(bench.result.runs.find((r) => r.system === system)?.steps.map((s) => s.scenario)).toEqual([...SCENARIO_IDS]);
    }
  });

  it('finds Tributary\'s index exact after every step', () => {
    for (const scenario of SCENARIO_IDS) {
      const m = metrics('tributary', scenario);
      const expected = bench.result.reference.find((r) => r.scenario === scenario)!.expectedChunks;
      expect(m.correctness, scenario).toEqual({ expected, actual: expected, missing: 0, stale: 0, duplicates: 0 });
    }
  });

  it('makes Tributary embed and write nothing when nothing changed', () => {
    const m = metrics('tributary', 'no-change');
    expect(m).toMatchObject({ embeddingCalls: 0, textsEmbedded: 0, tokensEmbedded: 0, vectorUpserts: 0, vectorDeletes: 0 });
  });

  it('has Tributary embed exactly the minimum: each new chunk text once (with its title and heading path)', () => {
    for (const ref of bench.result.reference) expect(metrics('tributary', ref.scenario).tokensEmbedded, ref.scenario).toBe(ref.minimumEmbeddedTokens);
    // Its own run report agrees with the counting vector store.
    for (const scenario of SCENARIO_IDS) {
      const m = metrics('tributary', scenario);
      expect(m.reported, scenario).toMatchObject({ vectorsUpserted: m.vectorUpserts, vectorsDeleted: m.vectorDeletes });
    }
  });

  it('counts the peers\' work where they must do some', () => {
    const chunks = bench.result.reference[0]!.expectedChunks;
    for (const system of SYSTEM_IDS) {
      const initial = metrics(system, 'initial');
      expect(initial.embeddingCalls, system).toBeGreaterThan(0);
      expect(initial.tokensEmbedded, system).toBeGreaterThanOrEqual(bench.result.reference[0]!.minimumTokens);
      expect(initial.vectorUpserts, system).toBeGreaterThan(0);
    }
    expect(metrics('tributary', 'initial').vectorUpserts).toBe(chunks);
    expect(metrics('naive', 'initial').vectorUpserts).toBe(chunks);
    // The naive sync re-embeds everything, changed or not.
    expect(metrics('naive', 'no-change').tokensEmbedded).toBe(metrics('naive', 'initial').tokensEmbedded);
    // Edits cost every peer something; LlamaIndex re-embeds whole documents, so at least the minimum.
    for (const system of ['langchain-full', 'llamaindex', 'naive'] as const) {
      expect(metrics(system, 'edit-small').tokensEmbedded, system).toBeGreaterThanOrEqual(bench.result.reference.find((r) => r.scenario === 'edit-small')!.minimumTokens);
      expect(metrics(system, 'edit-small').tokensEmbedded, system).toBeGreaterThan(0);
      expect(metrics(system, 'delete').vectorDeletes, system).toBeGreaterThan(0);
    }
    // A rename costs the peers a re-embedding (Tributary's cache has the texts).
    expect(metrics('llamaindex', 'rename').tokensEmbedded).toBeGreaterThan(0);
    expect(metrics('tributary', 'rename').tokensEmbedded).toBe(0);
  });

  it('reports what the incremental LangChain mode leaves behind instead of hiding it', () => {
    // Incremental cleanup only covers sources seen in this sync: a deleted file's chunks stay.
    const deleted = metrics('langchain-incremental', 'delete').correctness!;
    expect(deleted.stale).toBeGreaterThan(0);
    expect(bench.markdown).toContain('LangChain incremental was not exact after');
    expect(bench.markdown).toMatch(/0\.5% deleted \| LangChain incremental .*\*\*\d[\d,]* stale\*\*/);
  });

  it('runs the scale curve for Tributary at every size and for the peers up to --peer-scale-max, and says so', () => {
    const at = (n: number) => bench.result.scale.filter((p) => p.docs === n);
    expect(at(40).map((p) => p.system).sort()).toEqual([...SYSTEM_IDS].sort());
    expect(at(40).every((p) => p.fromScenarioRun)).toBe(true);
    expect(at(60).map((p) => p.system)).toEqual(['tributary']);
    const tributary60 = at(60)[0]!;
    expect(tributary60.fromScenarioRun).toBe(false);
    expect(tributary60.initial?.vectorUpserts).toBeGreaterThan(metrics('tributary', 'initial').vectorUpserts);
    expect(tributary60.noChange).toMatchObject({ embeddingCalls: 0, vectorUpserts: 0, vectorDeletes: 0 });
    expect(bench.markdown).toMatch(/\| LangChain incremental \|[^\n]*\| not run \| not run \|/);
    expect(bench.markdown).toContain('`--peer-scale-max 40`');
    expect(bench.result.options.peerScaleMax).toBe(40);
  });

  it('writes the Markdown report, the SVG chart and the JSON results', async () => {
    const markdown = await readFile(bench.files.markdown, 'utf8');
    expect(markdown).toBe(bench.markdown);
    expect(markdown).toContain('## Tokens embedded');
    expect(markdown).toContain('## Tributary as a ratio to each peer');
    const svg = await readFile(bench.files.chart, 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('Tokens embedded');
    expect((svg.match(/<rect /g) ?? []).length).toBeGreaterThan(20);
    const json = JSON.parse(await readFile(bench.files.json, 'utf8')) as { runs: unknown[] };
    expect(json.runs).toHaveLength(SYSTEM_IDS.length);
  });
});
