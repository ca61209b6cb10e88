import type { Metadata, QueryMatch, VectorQuery, VectorRecord, VectorStore } from '../../shared/ports/index.ts';
import { ACCESS_KEY, accessAllows } from '../../shared/core/access.ts';
import { cosine } from './cosine.ts';

/**
 * The in-memory twin of the vector stores (LanceDB, Pinecone): upserts overwrite by id,
 * deletes of absent ids are no-ops, prefix listing is exact, queries rank by cosine
 * similarity after an exact metadata filter and the access check. The VectorStore contract suite proves it.
 */
export class InMemoryVectorStore implements VectorStore {
  private readonly records = new Map<string, { values: Float32Array; metadata: Metadata }>();
  /** Upserted vectors over the store's lifetime: tests count writes with it. */
  writes = 0;

  async upsert(records: readonly VectorRecord[]): Promise<void> {
    await tick();
    for (const r of records) {
      this.records.set(r.id, { values: Float32Array.from(r.values), metadata: { ...r.metadata } });
      this.writes += 1;
    }
  }

  async delete(ids: readonly string[]): Promise<void> {
    await tick();
    for (const id of ids) this.records.delete(id);
  }

  async listIds(prefix: string): Promise<string[]> {
    await tick();
    return [...this.records.keys()].filter((id) => id.startsWith(prefix)).sort();
  }

  async scan(prefix: string): Promise<Array<{ id: string; metadata: Metadata }>> {
    await tick();
    return [...this.records].filter(([id]) => id.startsWith(prefix)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([id, r]) => ({ id, metadata: { ...r.metadata } }));
  }

  async query(query: VectorQuery): Promise<QueryMatch[]> {
    await tick();
    const q = Float32Array.from(query.vector);
    const filter = Object.entries(query.filter ?? {});
    const matches: QueryMatch[] = [];
    for (const [id, r] of this.records) {
      if (!filter.every(([k, v]) => r.metadata[k] === v)) continue;
      if (query.access !== undefined && !accessAllows(r.metadata[ACCESS_KEY], query.access)) continue;
      matches.push({ id, score: cosine(q, r.values), metadata: { ...r.metadata } });
    }
    return matches.sort((a, b) => b.score - a.score).slice(0, query.topK);
  }

  /** The stored vector of `id` (a copy), for tests. */
  valuesOf(id: string): Float32Array | undefined {
    const r = this.records.get(id);
    return r ? Float32Array.from(r.values) : undefined;
  }
}

function tick(): Promise<void> {
  return Promise.resolve();
}
