import { LRUCache } from 'lru-cache';
import { immediate, sql, type Db } from './database.ts';

/**
 * The embedding cache: one row per model, dimension count and chunk hash, the vector as a
 * BLOB of float32s. Content-addressed, so a row never goes stale; a re-embedding (`--no-cache`)
 * replaces it.
 *
 * Vectors this process wrote or read are also kept in memory, up to `memoryBytes` (least
 * recently used out first): the fetcher embeds a page's new chunks and the embed tasks read
 * them back moments later, which then costs no query. Never stale, for the same reason.
 */
export class SqliteEmbeddingCache {
  private readonly memory: LRUCache<string, Float32Array> | undefined;

  constructor(private readonly db: Db, memoryBytes: number) {
    this.memory = memoryBytes > 0
      ? new LRUCache<string, Float32Array>({ maxSize: memoryBytes, sizeCalculation: (v, k) => v.byteLength + k.length * 2 + 64 })
      : undefined;
  }

  get(model: string, dimensions: number, hashes: readonly string[]): Map<string, Float32Array> {
    const out = new Map<string, Float32Array>();
    const unknown: string[] = [];
    for (const hash of new Set(hashes)) {
      const held = this.memory?.get(memoryKey(model, dimensions, hash));
      if (held) out.set(hash, held);
      else unknown.push(hash);
    }
    if (unknown.length === 0) return out;
    const rows = sql(this.db, 'SELECT hash, vector FROM embeddings WHERE model = ? AND dimensions = ? AND hash IN (SELECT value FROM json_each(?))')
      .all(model, dimensions, JSON.stringify(unknown)) as Array<{ hash: string; vector: Buffer }>;
    for (const { hash, vector } of rows) {
      if (vector.byteLength !== dimensions * 4) continue;
      const decoded = decodeVector(vector);
      out.set(hash, decoded);
      this.memory?.set(memoryKey(model, dimensions, hash), decoded);
    }
    return out;
  }

  put(model: string, dimensions: number, entries: ReadonlyMap<string, Float32Array>): void {
    if (entries.size === 0) return;
    const insert = sql(this.db, `INSERT INTO embeddings (model, dimensions, hash, vector) VALUES (?, ?, ?, ?)
      ON CONFLICT (model, dimensions, hash) DO UPDATE SET vector = excluded.vector`);
    immediate(this.db, () => {
      for (const [hash, vector] of entries) insert.run(model, dimensions, hash, encodeVector(vector));
    });
    // Only once stored: the memory never holds what the file might not.
    if (this.memory) for (const [hash, vector] of entries) this.memory.set(memoryKey(model, dimensions, hash), vector);
  }
}

function memoryKey(model: string, dimensions: number, hash: string): string {
  return `${model}#${dimensions}#${hash}`;
}

function encodeVector(vector: Float32Array): Buffer {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);
}

function decodeVector(bytes: Buffer): Float32Array {
  // Copy: the driver's buffer may be a slice of a larger, unaligned allocation.
  const aligned = new Uint8Array(bytes.byteLength);
  aligned.set(bytes);
  return new Float32Array(aligned.buffer);
}
