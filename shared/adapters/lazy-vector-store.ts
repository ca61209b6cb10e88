import type { Metadata, QueryMatch, TextQuery, VectorQuery, VectorRecord, VectorStore } from '../ports/index.ts';

/**
 * A VectorStore opened on first use. A profile's configured target is opened only when
 * something reads or writes it: after a change of the profile's dimensions its table still
 * holds the old size (the new generation writes elsewhere), and opening it eagerly would
 * refuse the whole stack. `fullText` says whether the target will have a full-text index
 * (LanceDB), so hybrid search keeps its text half behind the wrapper.
 */
export class LazyVectorStore implements VectorStore {
  private opened: Promise<VectorStore> | undefined;
  readonly searchText?: (query: TextQuery) => Promise<QueryMatch[]>;

  constructor(private readonly open: () => Promise<VectorStore>, options: { readonly fullText?: boolean } = {}) {
    if (options.fullText) {
      this.searchText = async (query) => {
        const inner = await this.store();
        return inner.searchText ? inner.searchText(query) : [];
      };
    }
  }

  private store(): Promise<VectorStore> {
    this.opened ??= this.open();
    return this.opened;
  }

  async upsert(records: readonly VectorRecord[]): Promise<void> {
    await (await this.store()).upsert(records);
  }

  async insert(records: readonly VectorRecord[]): Promise<void> {
    const inner = await this.store();
    await (inner.insert ? inner.insert(records) : inner.upsert(records));
  }

  async delete(ids: readonly string[]): Promise<void> {
    await (await this.store()).delete(ids);
  }

  async listIds(prefix: string): Promise<string[]> {
    return (await this.store()).listIds(prefix);
  }

  async scan(prefix: string): Promise<Array<{ id: string; metadata: Metadata }>> {
    return (await this.store()).scan(prefix);
  }

  async query(query: VectorQuery): Promise<QueryMatch[]> {
    return (await this.store()).query(query);
  }

  async close(): Promise<void> {
    if (!this.opened) return;
    await (await this.opened.catch(() => undefined))?.close?.();
  }
}
