import { ACCESS_KEY, searchPrincipals } from './access.ts';
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
  /** The document's own metadata (a Confluence page's breadcrumb, a file's path); absent when it has none. */
  readonly metadata?: Metadata;
}

/** Keys the pipeline writes on every vector; the rest of a vector's metadata is the document's own. */
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
    const own = Object.entries(md).filter(([key]) => !PIPELINE_KEYS.has(key));
    const result: SearchResult = {
      id: m.id, sourceId: String(md['sourceId'] ?? ''), docId: String(md['docId'] ?? ''),
      chunkIndex: Number(md['chunkIndex'] ?? 0), score: m.score, text: String(md['text'] ?? ''),
      ...(typeof md['title'] === 'string' ? { title: md['title'] } : {}),
      ...(typeof md['url'] === 'string' ? { url: md['url'] } : {}),
      ...(Array.isArray(allowed) ? { access: allowed } : {}),
      ...(own.length > 0 ? { metadata: Object.fromEntries(own) as Metadata } : {}),
    };
    return result;
  });
}
