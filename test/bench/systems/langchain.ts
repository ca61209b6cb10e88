/**
 * LangChain.js's indexing API: `index()` from @langchain/core/indexing with a record manager
 * and a vector store that supports delete, in `incremental` or `full` cleanup mode.
 *
 * @langchain/core ships the API and the abstract `RecordManager` and `VectorStore`, but no
 * concrete ones (those live in @langchain/community and the `langchain` package, not installed
 * here), so both are implemented below on the public base classes, in memory:
 * - the record manager follows @langchain/community's InMemoryRecordManager, with a strictly
 *   increasing clock (two syncs within one millisecond must not share a timestamp, or cleanup
 *   misses keys) and an index by group id (what the SQL record manager's index gives);
 * - the vector store is a map by id with brute-force cosine search.
 *
 * Documents are Tributary's chunks, each `{ pageContent: chunk text, metadata: { source: path } }`:
 * LangChain's best case (see docs/benchmarks.md: splitters that add `loc.lines` metadata make
 * every chunk after an insertion look new).
 */
import type { DocumentInterface } from '@langchain/core/documents';
import { Document } from '@langchain/core/documents';
import { Embeddings } from '@langchain/core/embeddings';
import { index, RecordManager, type ListKeyOptions, type UpdateOptions } from '@langchain/core/indexing';
import { VectorStore } from '@langchain/core/vectorstores';
import { chunkDocument } from '../../../shared/core/chunker.ts';
import type { CountingEmbedder } from '../counting-embedder.ts';
import { loadFolder, type BenchSystem, type IndexEntry, type SyncOutcome, type SystemContext } from './system.ts';

/** LangChain's `Embeddings` interface over the counting embedder. */
export class LangChainCountingEmbeddings extends Embeddings {
  readonly #inner: CountingEmbedder;

  constructor(inner: CountingEmbedder) {
    super({});
    this.#inner = inner;
  }

  async embedDocuments(documents: string[]): Promise<number[][]> {
    const { vectors } = await this.#inner.embed(documents);
    return vectors.map((v) => Array.from(v));
  }

  async embedQuery(document: string): Promise<number[]> {
    return Array.from(await this.#inner.embedQuery(document));
  }
}

interface RecordEntry {
  updatedAt: number;
  groupId: string | null;
}

/** In-memory record manager (the semantics of @langchain/community's InMemoryRecordManager). */
export class MemoryRecordManager extends RecordManager {
  override lc_namespace = ['tributary', 'bench', 'record_manager'];
  private readonly records = new Map<string, RecordEntry>();
  private readonly byGroup = new Map<string | null, Set<string>>();
  private lastTime = 0;

  constructor() {
    super();
  }

  async createSchema(): Promise<void> {}

  async getTime(): Promise<number> {
    this.lastTime = Math.max(Date.now(), this.lastTime + 1);
    return this.lastTime;
  }

  async update(keys: string[], options: UpdateOptions = {}): Promise<void> {
    const updatedAt = await this.getTime();
    const { timeAtLeast, groupIds } = options;
    if (timeAtLeast !== undefined && updatedAt < timeAtLeast) throw new Error(`time sync issue: ${updatedAt} < ${timeAtLeast}`);
    if (groupIds !== undefined && groupIds.length !== keys.length) throw new Error('keys and groupIds differ in length');
    keys.forEach((key, i) => {
      const groupId = groupIds?.[i] ?? this.records.get(key)?.groupId ?? null;
      const old = this.records.get(key);
      if (old && old.groupId !== groupId) this.byGroup.get(old.groupId)?.delete(key);
      this.records.set(key, { updatedAt, groupId });
      let members = this.byGroup.get(groupId);
      if (!members) this.byGroup.set(groupId, (members = new Set()));
      members.add(key);
    });
  }

  async exists(keys: string[]): Promise<boolean[]> {
    return keys.map((key) => this.records.has(key));
  }

  async listKeys(options: ListKeyOptions = {}): Promise<string[]> {
    const { before, after, groupIds, limit } = options;
    const candidates = groupIds === undefined
      ? this.records.keys()
      : new Set(groupIds.flatMap((g) => [...(this.byGroup.get(g) ?? [])])).values();
    const out: string[] = [];
    for (const key of candidates) {
      const entry = this.records.get(key);
      if (!entry) continue;
      if (before !== undefined && entry.updatedAt >= before) continue;
      if (after !== undefined && entry.updatedAt <= after) continue;
      out.push(key);
      if (limit !== undefined && out.length >= limit) break;
    }
    return out;
  }

  async deleteKeys(keys: string[]): Promise<void> {
    for (const key of keys) {
      const entry = this.records.get(key);
      if (!entry) continue;
      this.records.delete(key);
      this.byGroup.get(entry.groupId)?.delete(key);
    }
  }
}

interface StoredVector {
  readonly text: string;
  readonly source: string;
  readonly vector: Float32Array;
}

/** In-memory LangChain vector store with ids and delete; counts the writes it receives. */
export class MemoryDeletableVectorStore extends VectorStore {
  declare FilterType: never;
  readonly entries = new Map<string, StoredVector>();
  upserts = 0;
  deletes = 0;

  constructor(embeddings: Embeddings) {
    super(embeddings, {});
  }

  _vectorstoreType(): string {
    return 'tributary-bench-memory';
  }

  async addDocuments(documents: DocumentInterface[], options?: { ids?: string[] }): Promise<string[]> {
    const vectors = await this.embeddings.embedDocuments(documents.map((d) => d.pageContent));
    return this.addVectors(vectors, documents, options);
  }

  async addVectors(vectors: number[][], documents: DocumentInterface[], options?: { ids?: string[] }): Promise<string[]> {
    const ids = options?.ids ?? documents.map((_, i) => `${Date.now()}-${this.entries.size + i}`);
    documents.forEach((doc, i) => {
      this.entries.set(ids[i]!, { text: doc.pageContent, source: String(doc.metadata['source']), vector: Float32Array.from(vectors[i]!) });
    });
    this.upserts += documents.length;
    return ids;
  }

  override async delete(params?: { ids?: string[] }): Promise<void> {
    for (const id of params?.ids ?? []) if (this.entries.delete(id)) this.deletes += 1;
  }

  async similaritySearchVectorWithScore(query: number[], k: number): Promise<[DocumentInterface, number][]> {
    const scored: Array<[string, number]> = [];
    for (const [id, v] of this.entries) {
      let dot = 0;
      for (let i = 0; i < query.length; i++) dot += (query[i] ?? 0) * (v.vector[i] ?? 0);
      scored.push([id, dot]);
    }
    scored.sort((a, b) => b[1] - a[1]);
    return scored.slice(0, k).map(([id, score]) => {
      const v = this.entries.get(id)!;
      return [new Document({ pageContent: v.text, metadata: { source: v.source }, id }), score];
    });
  }
}

export class LangChainSystem implements BenchSystem {
  private readonly recordManager = new MemoryRecordManager();
  private readonly store: MemoryDeletableVectorStore;

  constructor(private readonly ctx: SystemContext, private readonly cleanup: 'incremental' | 'full') {
    this.store = new MemoryDeletableVectorStore(new LangChainCountingEmbeddings(ctx.embedder));
  }

  async sync(): Promise<SyncOutcome> {
    const docs = await loadFolder(this.ctx.corpusDir);
    const chunks = docs.flatMap((doc) => chunkDocument(doc.text, 'markdown', this.ctx.chunking)
      .map((c) => new Document({ pageContent: c.text, metadata: { source: doc.path } })));
    const before = { upserts: this.store.upserts, deletes: this.store.deletes };
    const result = await index({
      docsSource: chunks, recordManager: this.recordManager, vectorStore: this.store,
      options: { cleanup: this.cleanup, sourceIdKey: 'source' },
    });
    return {
      upserts: this.store.upserts - before.upserts, deletes: this.store.deletes - before.deletes,
      reported: { numAdded: result.numAdded, numUpdated: result.numUpdated, numSkipped: result.numSkipped, numDeleted: result.numDeleted },
    };
  }

  async contents(): Promise<IndexEntry[]> {
    return [...this.store.entries.values()].map((v) => ({ docId: v.source, text: v.text }));
  }

  async close(): Promise<void> {
    this.store.entries.clear();
  }
}
