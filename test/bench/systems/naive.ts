/**
 * The baseline users start from: on every sync, read every file, chunk everything, embed
 * every chunk, upsert every vector by a deterministic id (`<path>#<index>`) and delete the ids
 * the new set no longer has. Always exact, never cheap.
 */
import { chunkDocument } from '../../../shared/core/chunker.ts';
import { loadFolder, type BenchSystem, type IndexEntry, type SyncOutcome, type SystemContext } from './system.ts';

interface StoredVector {
  readonly docId: string;
  readonly text: string;
  readonly vector: Float32Array;
}

export class NaiveSystem implements BenchSystem {
  /** The vector index: an in-memory map by vector id. */
  private readonly store = new Map<string, StoredVector>();

  constructor(private readonly ctx: SystemContext) {}

  async sync(): Promise<SyncOutcome> {
    const docs = await loadFolder(this.ctx.corpusDir);
    const chunks = docs.flatMap((doc) => chunkDocument(doc.text, 'markdown', this.ctx.chunking)
      .map((c) => ({ id: `${doc.path}#${c.index}`, docId: doc.path, text: c.text })));
    const { vectors } = await this.ctx.embedder.embed(chunks.map((c) => c.text));
    const keep = new Set<string>();
    chunks.forEach((c, i) => {
      this.store.set(c.id, { docId: c.docId, text: c.text, vector: vectors[i]! });
      keep.add(c.id);
    });
    let deletes = 0;
    for (const id of [...this.store.keys()]) {
      if (!keep.has(id)) {
        this.store.delete(id);
        deletes += 1;
      }
    }
    return { upserts: chunks.length, deletes };
  }

  async contents(): Promise<IndexEntry[]> {
    return [...this.store.values()].map((v) => ({ docId: v.docId, text: v.text }));
  }

  async close(): Promise<void> {
    this.store.clear();
  }
}
