import { ACCESS_KEY, searchPrincipals } from './access.ts';
import { HttpError } from './errors.ts';
import { DEFAULT_PROFILE, type IndexProfile } from './profiles.ts';
import { candidateDepth, DEFAULT_MIN_SCORE, DEFAULT_SEARCH_MODE, fuse, markWeak, ranked, type RankedMatch, type SearchMode } from './search-fusion.ts';

export { DEFAULT_MIN_SCORE, DEFAULT_SEARCH_MODE, SEARCH_MODES, parseSearchMode, type SearchMode } from './search-fusion.ts';
import type { Embedder, Metadata, VectorStore } from '../ports/index.ts';

export interface SearchResult {
  readonly id: string;
  readonly sourceId: string;
  readonly docId: string;
  readonly chunkIndex: number;
  /**
   * Cosine similarity of the chunk to the query (with the index's embedder), in every mode:
   * what the relevance floor compares.
   */
  readonly score: number;
  /** What the results are ordered by: cosine (`vector`), BM25 (`fts`) or the RRF sum (`hybrid`). */
  readonly rankScore: number;
  /** Which searches found it. */
  readonly matchedBy: ReadonlyArray<'vector' | 'text'>;
  /** Below the relevance floor (`search.minScore`): shown as a weak match, not a hit. */
  readonly weak: boolean;
  readonly title?: string;
  readonly url?: string;
  /** Where the chunk sits in its document: `Title > Section > Subsection`. */
  readonly context?: string;
  readonly text: string;
  /** The document's principals; absent: everyone may see it. */
  readonly access?: readonly string[];
  /** The document's own metadata (a Notion page's `breadcrumb`); absent when it has none. */
  readonly metadata?: Metadata;
}

/** Keys the pipeline writes on every vector; the rest are the document's own. */
const PIPELINE_KEYS = new Set(['sourceId', 'docId', 'chunkIndex', 'version', 'hash', 'contentHash', 'updatedAt', 'text', 'textTruncated', 'title', 'url', 'context', ACCESS_KEY]);

export interface SearchOptions {
  readonly topK: number;
  readonly sourceId?: string;
  /**
   * Search as these principals (`user:<id>`, `group:<id>`; comma-separated or several): only
   * documents without access, or whose access names one of them or `public`, are found.
   * Absent: every document (an operator's search). A malformed principal is an HttpError(400).
   */
  readonly as?: readonly string[];
  /**
   * `hybrid` (vectors and full text fused by RRF), `vector` or `fts`. A store without a text
   * index searches hybrid as vector, and refuses `fts` (HttpError 400).
   * @default 'hybrid'
   */
  readonly mode?: SearchMode;
  /** The relevance floor: results less similar than this are `weak`. @default 0 (none) */
  readonly minScore?: number;
}

/** Embeds the query with the index's embedder and returns the best chunks, those below the floor marked weak. */
export async function search(
  deps: { embedder: Embedder; vectors: VectorStore },
  query: string,
  options: SearchOptions,
): Promise<SearchResult[]> {
  // Checked before anything else: a bad principal is refused even for an empty query.
  const access = options.as !== undefined ? searchPrincipals(options.as) : undefined;
  const mode = options.mode ?? DEFAULT_SEARCH_MODE;
  if (mode === 'fts' && !deps.vectors.searchText) throw new HttpError(400, 'mode "fts" needs a full-text index, which this vector store (Pinecone) does not have: use mode "vector" or "hybrid"');
  const text = query.trim();
  if (text.length === 0) return [];
  const { vectors: [vector] } = await deps.embedder.embed([text]);
  if (!vector) return [];
  const filters = {
    ...(options.sourceId !== undefined ? { filter: { sourceId: options.sourceId } } : {}),
    ...(access !== undefined ? { access } : {}),
  };
  const depth = mode === 'hybrid' ? candidateDepth(options.topK) : options.topK;
  const [byVector, byText] = await Promise.all([
    mode === 'fts' ? [] : deps.vectors.query({ vector, topK: depth, ...filters }),
    mode === 'vector' || !deps.vectors.searchText ? [] : deps.vectors.searchText({ text, vector, topK: depth, ...filters }),
  ]);
  const rankedMatches = mode === 'hybrid' ? fuse(byVector, byText) : mode === 'fts' ? ranked(byText, 'text') : ranked(byVector, 'vector');
  return markWeak(rankedMatches.slice(0, options.topK), options.minScore ?? 0).map(toResult);
}

function toResult(r: RankedMatch & { weak: boolean }): SearchResult {
  const md = r.match.metadata;
  const allowed = md[ACCESS_KEY];
  const own = Object.fromEntries(Object.entries(md).filter(([key]) => !PIPELINE_KEYS.has(key)));
  return {
    id: r.match.id, sourceId: String(md['sourceId'] ?? ''), docId: String(md['docId'] ?? ''),
    chunkIndex: Number(md['chunkIndex'] ?? 0), score: r.similarity ?? 0, rankScore: r.rankScore, matchedBy: r.matchedBy, weak: r.weak,
    text: String(md['text'] ?? ''),
    ...(typeof md['title'] === 'string' ? { title: md['title'] } : {}),
    ...(typeof md['url'] === 'string' ? { url: md['url'] } : {}),
    ...(typeof md['context'] === 'string' ? { context: md['context'] } : {}),
    ...(Array.isArray(allowed) ? { access: allowed } : {}),
    ...(Object.keys(own).length > 0 ? { metadata: own } : {}),
  };
}

/** The configured search defaults (`search` in the config) over which a request's `mode` wins. */
export function searchDefaults(
  config: { readonly search: { readonly mode: SearchMode; readonly minScore?: number | undefined }; readonly embedder: { readonly kind: keyof typeof DEFAULT_MIN_SCORE } },
  mode?: SearchMode,
): { mode: SearchMode; minScore: number } {
  return { mode: mode ?? config.search.mode, minScore: config.search.minScore ?? DEFAULT_MIN_SCORE[config.embedder.kind] };
}

/** What `searchIndex` reads: the default index and each source's profiles. */
export interface IndexSearchDeps {
  readonly embedder: Embedder;
  readonly vectors: VectorStore;
  readonly profiles?: (sourceId: string) => readonly IndexProfile[] | undefined;
}

/**
 * Searches the index of every source (or `sourceId`'s) in one of its profiles: `profile`, or
 * else `default` (the first one listed when there is none). Sources without profiles are
 * searched in the default index, as one query when no source has profiles. Each profile's
 * query is embedded with its own model; results are merged by their rank score.
 */
export async function searchIndex(
  deps: IndexSearchDeps, query: string, options: SearchOptions & { readonly sourceIds: readonly string[]; readonly profile?: string },
): Promise<SearchResult[]> {
  const ids = options.sourceId !== undefined ? [options.sourceId] : options.sourceIds;
  const base: SearchOptions = {
    topK: options.topK, ...(options.as !== undefined ? { as: options.as } : {}),
    ...(options.mode !== undefined ? { mode: options.mode } : {}), ...(options.minScore !== undefined ? { minScore: options.minScore } : {}),
  };
  if (options.profile === undefined && ids.every((id) => !deps.profiles?.(id))) return search(deps, query, options);
  const targets: Array<{ sourceId: string; embedder: Embedder; vectors: VectorStore }> = [];
  for (const id of ids) {
    const configured = deps.profiles?.(id);
    if (!configured) {
      if (options.profile === undefined || options.profile === DEFAULT_PROFILE) targets.push({ sourceId: id, embedder: deps.embedder, vectors: deps.vectors });
      continue;
    }
    const profile = options.profile !== undefined
      ? configured.find((p) => p.name === options.profile)
      : configured.find((p) => p.name === DEFAULT_PROFILE) ?? configured[0];
    if (profile) targets.push({ sourceId: id, embedder: profile.embedder, vectors: profile.vectors });
  }
  const results = await Promise.all(targets.map((t) => search(t, query, { ...base, sourceId: t.sourceId })));
  return results.flat().sort((a, b) => b.rankScore - a.rankScore).slice(0, options.topK);
}
