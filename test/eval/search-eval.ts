/**
 * Retrieval quality on the demo corpus: recall@5 and MRR of the labelled queries in
 * ./queries.json, for each embedder (the hashing default, the semantic option) and search mode
 * (vector, fts, hybrid), through the real local stack (sync into a state folder, then
 * `searchIndex`, as `tributary search` runs it).
 *
 *   npm run eval:search                  # hashing and semantic, every mode (minutes: semantic embeds 2,400 chunks once)
 *   npm run eval:search -- --no-semantic # hashing only (seconds)
 *   npm run eval:search -- --json
 *
 * The state folder (default `.tributary-eval/` here, `--state DIR`) keeps the embedding cache,
 * so a second run embeds nothing.
 */
import { readFileSync } from 'node:fs';
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
export async function evaluate(options: EvalOptions): Promise<ModeScore[]> {
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
    for (const mode of options.modes ?? SEARCH_MODES) {
      const rankings: string[][] = [];
      for (const q of queries) {
        const results = await searchIndex(stack.deps, q.query, { topK: DEPTH, sourceIds: ['demo'], mode });
        rankings.push(rankedDocs(results));
      }
      const { recallAt5, mrr, ranks } = scoreRankings(queries, rankings);
      out.push({
        embedder: options.embedder === 'semantic' ? 'semantic (USE lite)' : 'hashing', mode, queries: queries.length, recallAt5, mrr,
        misses: queries.filter((_, i) => (ranks[i] ?? 0) === 0 || (ranks[i] ?? 0) > K).map((q) => q.query),
        ranks: Object.fromEntries(queries.map((q, i) => [q.query, ranks[i] ?? 0])),
      });
    }
    return out;
  } finally {
    await stack.close();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'no-semantic': { type: 'boolean' }, json: { type: 'boolean' }, state: { type: 'string' } } });
  const base = values.state ?? join(REPO_ROOT, '.tributary-eval');
  const scores: ModeScore[] = [];
  const started = Date.now();
  scores.push(...await evaluate({ stateDir: join(base, 'hashing'), embedder: 'local' }));
  if (values['no-semantic'] !== true) scores.push(...await evaluate({ stateDir: join(base, 'semantic'), embedder: 'semantic' }));
  if (values.json === true) {
    console.log(JSON.stringify({ scores, seconds: (Date.now() - started) / 1000 }, null, 2));
    return;
  }
  console.log(`${QUERIES.length} queries over examples/corpus (test/eval/queries.json)\n`);
  console.log('| embedder | mode | recall@5 | MRR |');
  console.log('|---|---|---|---|');
  for (const s of scores) console.log(`| ${s.embedder} | ${s.mode} | ${s.recallAt5.toFixed(3)} | ${s.mrr.toFixed(3)} |`);
  for (const s of scores) if (s.misses.length > 0) console.log(`\n${s.embedder} ${s.mode}: first relevant document not in the top 5 for: ${s.misses.map((m) => JSON.stringify(m)).join(', ')}`);
  console.log(`\n${((Date.now() - started) / 1000).toFixed(1)} s`);
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) await main();
