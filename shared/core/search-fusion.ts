/**
 * Hybrid retrieval: the vector and full-text result lists fused by reciprocal rank fusion
 * (RRF: Cormack, Clarke & Büttcher, SIGIR 2009), and the relevance floor.
 */
import { HttpError } from './errors.ts';
import type { QueryMatch } from '../ports/index.ts';

/** How a search ranks: nearest vectors, full-text (BM25), or both fused. */
export const SEARCH_MODES = ['hybrid', 'vector', 'fts'] as const;
export type SearchMode = (typeof SEARCH_MODES)[number];
export const DEFAULT_SEARCH_MODE: SearchMode = 'hybrid';

/**
 * RRF's constant: a result at rank r of a list adds 1 / (k + r). 60 is the paper's value and
 * the one LanceDB's, Elasticsearch's and OpenSearch's RRF use; it lets agreement between the
 * lists outweigh a single first place.
 */
export const RRF_K = 60;

/**
 * The relevance floor when `search.minScore` is not set, by embedder kind: cosine similarities
 * mean different things per model. Measured with `npm run eval:search` (README, "Search
 * quality"): hashing 0.25 keeps 89% of the labelled queries' first relevant hits and marks
 * 27% (whole corpus) to 53% (subset) of off-topic queries' best hits weak — a lexical embedder
 * cannot separate them better; the semantic embedder's 0.4 keeps all of them and marks 67%.
 * OpenAI's models were not measured here: no floor.
 */
export const DEFAULT_MIN_SCORE: Readonly<Record<'local' | 'semantic' | 'openai', number>> = { local: 0.25, semantic: 0.4, openai: 0 };

/** A search mode from a request; a wrong one is an HttpError(400) naming the choices. */
export function parseSearchMode(value: string, key = 'mode'): SearchMode {
  if ((SEARCH_MODES as readonly string[]).includes(value)) return value as SearchMode;
  throw new HttpError(400, `${key} must be one of ${SEARCH_MODES.join(', ')}, got "${value}"`);
}

/** Candidates each list contributes before fusion: enough depth for agreement to show. */
export function candidateDepth(topK: number): number {
  return Math.max(topK * 4, 40);
}

/** A match after fusion: what ranked it, and its cosine similarity to the query when known. */
export interface RankedMatch {
  readonly match: QueryMatch;
  /** The score it is ordered by: cosine (vector), BM25 (fts) or the RRF sum (hybrid). */
  readonly rankScore: number;
  readonly similarity: number | undefined;
  readonly matchedBy: ReadonlyArray<'vector' | 'text'>;
}

/** Each list ranked best first; a match in both adds both reciprocal ranks. */
export function fuse(vector: readonly QueryMatch[], text: readonly QueryMatch[], k = RRF_K): RankedMatch[] {
  const byId = new Map<string, { match: QueryMatch; rrf: number; similarity: number | undefined; matchedBy: Array<'vector' | 'text'> }>();
  vector.forEach((m, i) => {
    byId.set(m.id, { match: m, rrf: 1 / (k + i + 1), similarity: m.score, matchedBy: ['vector'] });
  });
  text.forEach((m, i) => {
    const known = byId.get(m.id);
    if (known) {
      known.rrf += 1 / (k + i + 1);
      known.matchedBy.push('text');
    } else {
      byId.set(m.id, { match: m, rrf: 1 / (k + i + 1), similarity: m.similarity, matchedBy: ['text'] });
    }
  });
  return [...byId.values()]
    .map((e) => ({ match: e.match, rankScore: e.rrf, similarity: e.similarity, matchedBy: e.matchedBy }))
    .sort((a, b) => b.rankScore - a.rankScore || (b.similarity ?? 0) - (a.similarity ?? 0));
}

/** One list as ranked matches (vector or fts mode). */
export function ranked(matches: readonly QueryMatch[], by: 'vector' | 'text'): RankedMatch[] {
  return matches.map((m) => ({ match: m, rankScore: m.score, similarity: by === 'vector' ? m.score : m.similarity, matchedBy: [by] }));
}

/**
 * Applies the floor: results whose similarity to the query is below `minScore` are weak. The
 * order stays the ranking's (a floor that moved results would change what the ranking found
 * best); a result of unknown similarity is not weak.
 */
export function markWeak(results: readonly RankedMatch[], minScore: number): Array<RankedMatch & { weak: boolean }> {
  return results.map((r) => ({ ...r, weak: r.similarity !== undefined && r.similarity < minScore }));
}
