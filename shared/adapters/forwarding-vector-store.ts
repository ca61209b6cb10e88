import type { Metadata, QueryMatch, TextQuery, VectorQuery, VectorRecord, VectorStore } from '../ports/index.ts';

/**
 * A VectorStore that hands every call to another one. Wrappers that change one or two
 * operations (group commit, counting) extend it and override only those.
 */
export class ForwardingVectorStore implements VectorStore {
  /** Present exactly when the inner store has a full-text index. */
  readonly searchText?: (query: TextQuery) => Promise<QueryMatch[]>;

  constructor(protected readonly inner: VectorStore) {
    const { searchText } = inner;
    if (searchText) this.searchText = (query) => searchText.call(inner, query);
  }

  upsert(records: readonly VectorRecord[]): Promise<void> {
    return this.inner.upsert(records);
  }

  insert(records: readonly VectorRecord[]): Promise<void> {
    return this.inner.insert ? this.inner.insert(records) : this.inner.upsert(records);
  }

  delete(ids: readonly string[]): Promise<void> {
    return this.inner.delete(ids);
  }

  listIds(prefix: string): Promise<string[]> {
    return this.inner.listIds(prefix);
  }

  scan(prefix: string): Promise<Array<{ id: string; metadata: Metadata }>> {
    return this.inner.scan(prefix);
  }

  query(query: VectorQuery): Promise<QueryMatch[]> {
    return this.inner.query(query);
  }

  async close(): Promise<void> {
    await this.inner.close?.();
  }
}
