/**
 * Wrappers around a vector store keep its full-text half: hybrid search over a profile's
 * lazily opened table or a group-commit wrapper must not silently become vector-only.
 */
import { describe, expect, it } from 'vitest';
import { ForwardingVectorStore } from '../../shared/adapters/forwarding-vector-store.ts';
import { LazyVectorStore } from '../../shared/adapters/lazy-vector-store.ts';
import type { QueryMatch, TextQuery, VectorStore } from '../../shared/ports/index.ts';
import { InMemoryVectorStore } from '../support/memory-vector-store.ts';

/** An in-memory store with a full-text search that answers every query with one fixed match. */
function withFullText(): { store: VectorStore; queries: TextQuery[] } {
  const queries: TextQuery[] = [];
  const store = Object.assign(new InMemoryVectorStore(), {
    searchText: async (query: TextQuery): Promise<QueryMatch[]> => {
      queries.push(query);
      return [{ id: 'docs#a#0', score: 1, metadata: { text: query.text } }];
    },
  });
  return { store, queries };
}

const query: TextQuery = { text: 'rotate credentials', vector: [1, 0], topK: 3 };

describe('vector store wrappers and full-text search', () => {
  it('a forwarding wrapper has searchText exactly when its inner store has it', async () => {
    const { store, queries } = withFullText();
    const wrapped = new ForwardingVectorStore(store);
    expect((await wrapped.searchText!(query)).map((m) => m.id)).toEqual(['docs#a#0']);
    expect(queries).toEqual([query]);
    expect(new ForwardingVectorStore(new InMemoryVectorStore()).searchText).toBeUndefined();
  });

  it('a lazy store opens its target on the first text search and forwards it; without fullText it has none', async () => {
    const { store, queries } = withFullText();
    let opens = 0;
    const lazy = new LazyVectorStore(async () => { opens += 1; return store; }, { fullText: true });
    expect(opens).toBe(0);
    expect((await lazy.searchText!(query)).map((m) => m.id)).toEqual(['docs#a#0']);
    await lazy.searchText!(query);
    expect(opens).toBe(1);
    expect(queries).toHaveLength(2);
    expect(new LazyVectorStore(async () => store).searchText).toBeUndefined();
  });
});
