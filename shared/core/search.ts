import { ACCESS_KEY, searchPrincipals } from './access.ts';
import { DEFAULT_PROFILE, type IndexProfile } from './profiles.ts';
import type { Embedder, Metadata, VectorStore } from '../ports/index.ts';

export interface SearchResult {
  readonly id: string;
  readonly sourceId: string;
  readonly docId: string;
  readonly chunkIndex: number;
  readonly score: number;
  readonly title?: string;
  readonly url?: string;
  readonly text: string;
  /** The document's principals; absent: everyone may see it. */
  readonly access?: readonly string[];
  /** The document's own metadata (a Notion page's `breadcrumb`); absent when it has none. */
  readonly metadata?: Metadata;
}

/** Keys the pipeline writes on every vector; the rest are the document's own. */
const PIPELINE_KEYS = new Set(['sourceId', 'docId', 'chunkIndex', 'version', 'hash', 'contentHash', 'updatedAt', 'text', 'textTruncated', 'title', 'url', ACCESS_KEY]);

export interface SearchOptions {
  readonly topK: number;
  readonly sourceId?: string;
  /**
   * Search as these principals (`user:<id>`, `group:<id>`; comma-separated or several): only
   * documents without access, or whose access names one of them or `public`, are found.
   * Absent: every document (an operator's search). A malformed principal is an HttpError(400).
   */
  readonly as?: readonly string[];
}

/** Embeds the query with the index's embedder and returns the best chunks. */
export async function search(
  deps: { embedder: Embedder; vectors: VectorStore },
  query: string,
  options: SearchOptions,
): Promise<SearchResult[]> {
  // Checked before anything else: a bad principal is refused even for an empty query.
  const access = options.as !== undefined ? searchPrincipals(options.as) : undefined;
  const text = query.trim();
  if (text.length === 0) return [];
  const { vectors: [vector] } = await deps.embedder.embed([text]);
  if (!vector) return [];
  const matches = await deps.vectors.query({
    vector, topK: options.topK,
    ...(options.sourceId !== undefined ? { filter: { sourceId: options.sourceId } } : {}),
    ...(access !== undefined ? { access } : {}),
  });
  return matches.map((m) => {
    const md = m.metadata;
    const allowed = md[ACCESS_KEY];
    const own = Object.fromEntries(Object.entries(md).filter(([key]) => !PIPELINE_KEYS.has(key)));
    const result: SearchResult = {
      id: m.id, sourceId: String(md['sourceId'] ?? ''), docId: String(md['docId'] ?? ''),
      chunkIndex: Number(md['chunkIndex'] ?? 0), score: m.score, text: String(md['text'] ?? ''),
      ...(typeof md['title'] === 'string' ? { title: md['title'] } : {}),
      ...(typeof md['url'] === 'string' ? { url: md['url'] } : {}),
      ...(Array.isArray(allowed) ? { access: allowed } : {}),
      ...(Object.keys(own).length > 0 ? { metadata: own } : {}),
    };
    return result;
  });
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
 * query is embedded with its own model; results are merged by score.
 */
export async function searchIndex(
  deps: IndexSearchDeps, query: string, options: SearchOptions & { readonly sourceIds: readonly string[]; readonly profile?: string },
): Promise<SearchResult[]> {
  const ids = options.sourceId !== undefined ? [options.sourceId] : options.sourceIds;
  const base: SearchOptions = { topK: options.topK, ...(options.as !== undefined ? { as: options.as } : {}) };
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
  return results.flat().sort((a, b) => b.score - a.score).slice(0, options.topK);
}
