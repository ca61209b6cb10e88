/** Search results carry the document's own metadata (what the pipeline writes on every vector is left out). */
import { describe, expect, it } from 'vitest';
import { HashingEmbedder } from '../../../shared/adapters/local/hashing-embedder.ts';
import { search } from '../../../shared/core/search.ts';
import { InMemoryVectorStore } from '../../support/memory-vector-store.ts';

describe('search results', () => {
  it('name the document\'s own metadata, and none for a document without', async () => {
    // Prepare: two vectors as the embedder writes them, one with a document's breadcrumb.
    const embedder = new HashingEmbedder({ dimensions: 16 });
    const vectors = new InMemoryVectorStore();
    const [a, b] = (await embedder.embed(['alpha', 'beta'])).vectors;
    const pipeline = (docId: string) => ({
      sourceId: 'wiki', docId, chunkIndex: 0, version: '3', hash: 'h', contentHash: 'c', updatedAt: '2026-01-01T00:00:00.000Z', text: docId,
      title: `Title ${docId}`, url: `https://x/${docId}`, access: ['group:g'],
    });
    await vectors.upsert([
      { id: 'wiki#a#0', values: a!, metadata: { ...pipeline('a'), breadcrumb: 'Home > Guides', labels: ['ops'] } },
      { id: 'wiki#b#0', values: b!, metadata: pipeline('b') },
    ]);

    // Act
    const results = await search({ embedder, vectors }, 'alpha', { topK: 2 });

    // Assess
    const byDoc = new Map(results.map((r) => [r.docId, r]));
    expect(byDoc.get('a')).toMatchObject({ title: 'Title a', url: 'https://x/a', access: ['group:g'], metadata: { breadcrumb: 'Home > Guides', labels: ['ops'] } });
    expect(Object.keys(byDoc.get('a')!.metadata!).sort()).toEqual(['breadcrumb', 'labels']);
    expect(byDoc.get('b')).not.toHaveProperty('metadata');
  });
});
