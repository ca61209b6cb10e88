import { immediate, sql, type Db } from './database.ts';

/**
 * The embedding cache: one row per model, dimension count and chunk hash, the vector as a
 * BLOB of float32s. Content-addressed, so a row never goes stale; a re-embedding (`--no-cache`)
 * replaces it.
 */
export class SqliteEmbeddingCache {
  constructor(private readonly db: Db) {}

  get(model: string, dimensions: number, hashes: readonly string[]): Map<string, Float32Array> {
    const out = new Map<string, Float32Array>();
    if (hashes.length === 0) return out;
    const rows = sql(this.db, 'SELECT hash, vector FROM embeddings WHERE model = ? AND dimensions = ? AND hash IN (SELECT value FROM json_each(?))')
      .all(model, dimensions, JSON.stringify([...new Set(hashes)])) as Array<{ hash: string; vector: Buffer }>;
    for (const { hash, vector } of rows) {
      if (vector.byteLength === dimensions * 4) out.set(hash, decodeVector(vector));
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
  }
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
