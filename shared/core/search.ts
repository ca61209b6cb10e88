import type { Embedder, VectorStore } from '../ports/index.ts';

export interface SearchResult {
  readonly id: string;
  readonly sourceId: string;
  readonly docId: string;
  readonly chunkIndex: number;
  readonly score: number;
  readonly title?: string;
  readonly url?: string;
  readonly text: string;
}

/** Embeds the query with the index's embedder and returns the best chunks. */
export async function search(
  deps: { embedder: Embedder; vectors: VectorStore },
  query: string,
  options: { topK: number; sourceId?: string },
): Promise<SearchResult[]> {
  const text = query.trim();
  if (text.length === 0) return [];
  const { vectors: [vector] } = await deps.embedder.embed([text]);
  if (!vector) return [];
  const matches = await deps.vectors.query({
    vector, topK: options.topK, ...(options.sourceId !== undefined ? { filter: { sourceId: options.sourceId } } : {}),
  });
  return matches.map((m) => {
    const md = m.metadata;
    const result: SearchResult = {
      id: m.id, sourceId: String(md['sourceId'] ?? ''), docId: String(md['docId'] ?? ''),
      chunkIndex: Number(md['chunkIndex'] ?? 0), score: m.score, text: String(md['text'] ?? ''),
      ...(typeof md['title'] === 'string' ? { title: md['title'] } : {}),
      ...(typeof md['url'] === 'string' ? { url: md['url'] } : {}),
    };
    return result;
  });
}
