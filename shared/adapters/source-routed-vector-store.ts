import type { Metadata, QueryMatch, VectorQuery, VectorRecord, VectorStore } from '../ports/index.ts';

/**
 * A VectorStore that keeps each source in its own store (a Pinecone namespace per source):
 * writes and prefix reads route by the `<sourceId>#` id prefix; a query filtered on
 * `sourceId` goes to that source's store, an unfiltered one to all of them, merged by score.
 */
export class SourceRoutedVectorStore implements VectorStore {
  private readonly stores = new Map<string, VectorStore>();

  constructor(private readonly sourceIds: readonly string[], private readonly open: (sourceId: string) => VectorStore) {}

  private storeOf(sourceId: string): VectorStore {
    let store = this.stores.get(sourceId);
    if (!store) {
      store = this.open(sourceId);
      this.stores.set(sourceId, store);
    }
    return store;
  }

  private static sourceOf(id: string): string {
    const cut = id.indexOf('#');
    if (cut <= 0) throw new Error(`vector id "${id}" has no "<sourceId>#" prefix`);
    return id.slice(0, cut);
  }

  private group<T>(items: readonly T[], idOf: (item: T) => string): Map<string, T[]> {
    const out = new Map<string, T[]>();
    for (const item of items) {
      const source = SourceRoutedVectorStore.sourceOf(idOf(item));
      out.set(source, [...(out.get(source) ?? []), item]);
    }
    return out;
  }

  async upsert(records: readonly VectorRecord[]): Promise<void> {
    await Promise.all([...this.group(records, (r) => r.id)].map(([source, batch]) => this.storeOf(source).upsert(batch)));
  }

  async delete(ids: readonly string[]): Promise<void> {
    await Promise.all([...this.group(ids, (id) => id)].map(([source, batch]) => this.storeOf(source).delete(batch)));
  }

  /** A prefix inside one source goes to it; a shorter one is asked of every configured source. */
  private targets(prefix: string): string[] {
    const cut = prefix.indexOf('#');
    return cut > 0 ? [prefix.slice(0, cut)] : this.sourceIds.filter((s) => `${s}#`.startsWith(prefix));
  }

  async listIds(prefix: string): Promise<string[]> {
    const lists = await Promise.all(this.targets(prefix).map((s) => this.storeOf(s).listIds(prefix)));
    return lists.flat();
  }

  async scan(prefix: string): Promise<Array<{ id: string; metadata: Metadata }>> {
    const lists = await Promise.all(this.targets(prefix).map((s) => this.storeOf(s).scan(prefix)));
    return lists.flat();
  }

  async query(query: VectorQuery): Promise<QueryMatch[]> {
    const only = query.filter?.['sourceId'];
    const sources = typeof only === 'string' ? [only] : this.sourceIds;
    const results = await Promise.all(sources.map((s) => this.storeOf(s).query(query)));
    return results.flat().sort((a, b) => b.score - a.score).slice(0, query.topK);
  }

  async close(): Promise<void> {
    await Promise.all([...this.stores.values()].map((s) => s.close?.()));
  }
}
