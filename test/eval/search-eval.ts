/**
 * Retrieval quality on the demo corpus: recall@5 and MRR of the labelled queries in
 * ./queries.json, for each embedder (the hashing default, the semantic option) and search mode
 * (vector, fts, hybrid), through the real local stack (sync into a state folder, then
 * `searchIndex`, as `tributary search` runs it).
 *
 *   npm run eval:search                  # hashing and semantic, every mode (minutes: semantic embeds 2,400 chunks once)
 *   npm run eval:search -- --no-semantic # hashing only (seconds)
 *   npm run eval:search -- --json
 *   npm run eval:search -- --subset      # both embedders on the subset corpus (below), hashing on the whole too
 *
 * The subset corpus: every document some query names as relevant, plus every 8th other one
 * (sorted by path) as distractors — what the semantic embedder can embed in minutes on 2 busy
 * cores. Fewer distractors make it easier than the whole corpus: compare modes within a corpus.
 *
 * The state folder (default `.tributary-eval/` here, `--state DIR`) keeps the embedding cache,
 * so a second run embeds nothing.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT, parseConfig } from '../../shared/config/load.ts';
import { silentLogger } from '../../shared/core/deps.ts';
import { searchIndex, SEARCH_MODES, type SearchMode } from '../../shared/core/search.ts';
import { openLocalStack } from '../../shared/wiring/local-stack.ts';
import { syncSources } from '../../functions/local/sync.ts';

export interface LabelledQuery {
  readonly query: string;
  readonly relevant: readonly string[];
}

export interface ModeScore {
  readonly embedder: string;
  readonly mode: SearchMode;
  readonly queries: number;
  readonly recallAt5: number;
  readonly mrr: number;
  /** Queries whose first relevant document is not in the top 5. */
  readonly misses: readonly string[];
  /** Rank of the first relevant document (0: not in the top 50 distinct documents). */
  readonly ranks: Readonly<Record<string, number>>;
}

/** Similarities that calibrate the relevance floor (hybrid mode, the cosine each result reports). */
export interface FloorProbe {
  readonly embedder: string;
  /** Per labelled query: the similarity of its best-ranked relevant chunk (when one is in the top 60). */
  readonly relevant: readonly number[];
  /** Per off-topic query: the best similarity of anything it finds. */
  readonly offTopic: readonly number[];
}

export const OFF_TOPIC: readonly string[] = (JSON.parse(readFileSync(new URL('./off-topic.json', import.meta.url), 'utf8')) as { queries: string[] }).queries;

export const QUERIES: readonly LabelledQuery[] = (JSON.parse(readFileSync(new URL('./queries.json', import.meta.url), 'utf8')) as { queries: LabelledQuery[] }).queries;

const K = 5;
/** Chunks fetched per query: enough for 5 distinct documents (and a rank for MRR) in practice. */
const DEPTH = 60;

/** Distinct documents in the order their best chunk ranks. */
function rankedDocs(results: ReadonlyArray<{ docId: string }>): string[] {
  return [...new Set(results.map((r) => r.docId))];
}

/** recall@5 and MRR of one ranking per query. */
export function scoreRankings(queries: readonly LabelledQuery[], rankings: readonly (readonly string[])[]): { recallAt5: number; mrr: number; ranks: number[] } {
  let recall = 0;
  let mrr = 0;
  const ranks: number[] = [];
  queries.forEach((q, i) => {
    const docs = rankings[i] ?? [];
    const relevant = new Set(q.relevant);
    const found = docs.slice(0, K).filter((d) => relevant.has(d)).length;
    recall += found / Math.min(K, relevant.size);
    const first = docs.findIndex((d) => relevant.has(d));
    ranks.push(first + 1);
    if (first >= 0) mrr += 1 / (first + 1);
  });
  return { recallAt5: recall / queries.length, mrr: mrr / queries.length, ranks };
}

export interface EvalOptions {
  readonly stateDir: string;
  readonly root?: string;
  readonly embedder: 'local' | 'semantic';
  readonly queries?: readonly LabelledQuery[];
  readonly modes?: readonly SearchMode[];
}

/** Syncs the corpus with the embedder (a no-op when the state is current), then scores each mode. */
export async function evaluate(options: EvalOptions): Promise<{ scores: ModeScore[]; floor: FloorProbe }> {
  const queries = options.queries ?? QUERIES;
  const config = parseConfig({
    stateDir: options.stateDir,
    embedder: options.embedder === 'semantic' ? { kind: 'semantic' } : { kind: 'local' },
    sources: [{ id: 'demo', kind: 'filesystem', root: options.root ?? join(REPO_ROOT, 'examples', 'corpus'), include: ['**/*.md'] }],
  });
  const loaded = { config, origin: 'eval', baseDir: REPO_ROOT, stateDir: options.stateDir };
  // As `tributary sync` then `tributary search`: the sync's process closes (its queued
  // compaction done) before the searches open the index.
  const syncing = await openLocalStack(loaded, { log: silentLogger });
  try {
    await syncSources(syncing, { sourceIds: ['demo'], full: false, allowMassDelete: false });
  } finally {
    await syncing.close();
  }
  const stack = await openLocalStack(loaded, { log: silentLogger });
  try {
    const out: ModeScore[] = [];
    const embedder = options.embedder === 'semantic' ? 'semantic (USE lite)' : 'hashing';
    const relevantSimilarity: number[] = [];
    for (const mode of options.modes ?? SEARCH_MODES) {
      const rankings: string[][] = [];
      for (const q of queries) {
        const results = await searchIndex(stack.deps, q.query, { topK: DEPTH, sourceIds: ['demo'], mode });
        rankings.push(rankedDocs(results));
        const hit = results.find((r) => q.relevant.includes(r.docId));
        if (mode === 'hybrid' && hit) relevantSimilarity.push(hit.score);
      }
      const { recallAt5, mrr, ranks } = scoreRankings(queries, rankings);
      out.push({
        embedder, mode, queries: queries.length, recallAt5, mrr,
        misses: queries.filter((_, i) => (ranks[i] ?? 0) === 0 || (ranks[i] ?? 0) > K).map((q) => q.query),
        ranks: Object.fromEntries(queries.map((q, i) => [q.query, ranks[i] ?? 0])),
      });
    }
    const offTopic: number[] = [];
    for (const q of OFF_TOPIC) {
      const results = await searchIndex(stack.deps, q, { topK: 5, sourceIds: ['demo'], mode: 'hybrid' });
      offTopic.push(Math.max(0, ...results.map((r) => r.score)));
    }
    return { scores: out, floor: { embedder, relevant: relevantSimilarity, offTopic } };
  } finally {
    await stack.close();
  }
}

/** Share of `values` at or above `floor`. */
function shareAbove(values: readonly number[], floor: number): number {
  return values.length === 0 ? 0 : values.filter((v) => v >= floor).length / values.length;
}

/** The floor table: for candidate floors, the relevant first hits kept and the off-topic best hits marked weak. */
export function floorTable(probe: FloorProbe, candidates: readonly number[]): string[] {
  const sorted = [...probe.offTopic].sort((a, b) => a - b);
  const lines = [`${probe.embedder}: off-topic best similarity ${sorted.map((v) => v.toFixed(3)).join(' ')}`];
  for (const floor of candidates) {
    lines.push(`  floor ${floor.toFixed(2)}: keeps ${(100 * shareAbove(probe.relevant, floor)).toFixed(0)}% of relevant first hits, marks ${(100 * (1 - shareAbove(probe.offTopic, floor))).toFixed(0)}% of off-topic best hits weak`);
  }
  return lines;
}

const CORPUS = join(REPO_ROOT, 'examples', 'corpus');

/** The documents of the subset corpus (see the header), relative to the corpus root. */
export function subsetDocuments(queries: readonly LabelledQuery[] = QUERIES, every = 8): string[] {
  const relevant = new Set(queries.flatMap((q) => q.relevant));
  const all = (readdirSync(CORPUS, { recursive: true }) as string[]).filter((p) => p.endsWith('.md')).sort();
  const others = all.filter((p) => !relevant.has(p));
  return [...relevant, ...others.filter((_, i) => i % every === 0)].sort();
}

/** A folder holding a copy of those documents under their paths. */
export function subsetCorpus(docs: readonly string[]): { root: string; remove: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'tributary-eval-corpus-'));
  for (const doc of docs) cpSync(join(CORPUS, doc), join(root, doc));
  return { root, remove: () => rmSync(root, { recursive: true, force: true }) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'no-semantic': { type: 'boolean' }, subset: { type: 'boolean' }, json: { type: 'boolean' }, state: { type: 'string' } } });
  const base = values.state ?? join(REPO_ROOT, '.tributary-eval');
  const scores: Array<ModeScore & { corpus: string }> = [];
  const floors: FloorProbe[] = [];
  const started = Date.now();
  const runs: Array<{ embedder: 'local' | 'semantic'; corpus: 'whole' | 'subset' }> = [{ embedder: 'local', corpus: 'whole' }];
  if (values.subset === true) runs.push({ embedder: 'local', corpus: 'subset' }, { embedder: 'semantic', corpus: 'subset' });
  else if (values['no-semantic'] !== true) runs.push({ embedder: 'semantic', corpus: 'whole' });
  const docs = subsetDocuments();
  const subset = values.subset === true ? subsetCorpus(docs) : undefined;
  try {
    for (const run of runs) {
      const stateDir = join(base, `${run.embedder === 'local' ? 'hashing' : 'semantic'}${run.corpus === 'subset' ? '-subset' : ''}`);
      const result = await evaluate({ stateDir, embedder: run.embedder, ...(run.corpus === 'subset' && subset ? { root: subset.root } : {}) });
      const corpus = run.corpus === 'subset' ? `subset (${docs.length} docs)` : 'whole (300 docs)';
      scores.push(...result.scores.map((s) => ({ ...s, corpus })));
      floors.push({ ...result.floor, embedder: `${result.floor.embedder}, ${corpus}` });
    }
  } finally {
    subset?.remove();
  }
  if (values.json === true) {
    console.log(JSON.stringify({ scores, floors, seconds: (Date.now() - started) / 1000 }, null, 2));
    return;
  }
  console.log(`${QUERIES.length} queries over examples/corpus (test/eval/queries.json)\n`);
  console.log('| corpus | embedder | mode | recall@5 | MRR |');
  console.log('|---|---|---|---|---|');
  for (const s of scores) console.log(`| ${s.corpus} | ${s.embedder} | ${s.mode} | ${s.recallAt5.toFixed(3)} | ${s.mrr.toFixed(3)} |`);
  for (const s of scores) if (s.misses.length > 0) console.log(`\n${s.embedder} ${s.mode}: first relevant document not in the top 5 for: ${s.misses.map((m) => JSON.stringify(m)).join(', ')}`);
  console.log('');
  for (const probe of floors) for (const line of floorTable(probe, [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4])) console.log(line);
  console.log(`\n${((Date.now() - started) / 1000).toFixed(1)} s`);
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) await main();
