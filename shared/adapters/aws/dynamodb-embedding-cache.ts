import { LRUCache } from 'lru-cache';
import { decodeVector, embPk, embShardPk, encodeVector } from './dynamodb-items.ts';
import type { DynamoTable } from './dynamodb-table.ts';

/** Key of a vector in the in-process memory: the model's pk and the hash. */
const memoryKey = (pk: string, hash: string): string => `${pk}#${hash}`;

/**
 * The embedding cache: `EMB#<model>#<dims>#<shard>` / chunk hash → the vector as float32
 * bytes, sharded by the hash's first hex digit so a backfill's writes spread over 16 partition
 * keys; misses are looked up under the unsharded `EMB#<model>#<dims>` too, where vectors cached
 * before the sharding stay valid. The vectors this process stored or read are kept in memory in
 * front of it (see DynamoDbStateStoreOptions.embeddingMemoryBytes).
 */
export class DynamoDbEmbeddingCache {
  private readonly vectorMemory: LRUCache<string, Float32Array> | undefined;

  constructor(private readonly t: DynamoTable, memoryBytes: number) {
    this.vectorMemory = memoryBytes > 0
      ? new LRUCache<string, Float32Array>({ maxSize: memoryBytes, sizeCalculation: (v, k) => v.byteLength + k.length * 2 + 64 })
      : undefined;
  }

  async getEmbeddings(model: string, dimensions: number, hashes: readonly string[]): Promise<Map<string, Float32Array>> {
    const pk = embPk(model, dimensions);
    const out = new Map<string, Float32Array>();
    const unknown: string[] = [];
    for (const hash of new Set(hashes)) {
      const held = this.vectorMemory?.get(memoryKey(pk, hash));
      if (held) out.set(hash, held);
      else unknown.push(hash);
    }
    if (unknown.length === 0) return out;
    const take = (items: ReadonlyArray<Record<string, unknown>>): void => {
      for (const item of items) {
        const bytes = item['v'];
        if (bytes instanceof Uint8Array && bytes.byteLength === dimensions * 4) {
          const hash = String(item['sk']);
          const vector = decodeVector(bytes);
          out.set(hash, vector);
          this.vectorMemory?.set(memoryKey(pk, hash), vector);
        }
      }
    };
    take(await this.t.batchGet(unknown.map((h) => ({ pk: embShardPk(model, dimensions, h), sk: h })), false));
    const older = unknown.filter((h) => !out.has(h));
    if (older.length > 0) take(await this.t.batchGet(older.map((h) => ({ pk, sk: h })), false));
    return out;
  }

  async putEmbeddings(model: string, dimensions: number, entries: ReadonlyMap<string, Float32Array>): Promise<void> {
    const pk = embPk(model, dimensions);
    const requests = [...entries].map(([hash, vector]) => ({ PutRequest: { Item: { pk: embShardPk(model, dimensions, hash), sk: hash, v: encodeVector(vector) } } }));
    await this.t.batchWrite(requests);
    // Only once stored: the memory never holds what the table might not.
    if (this.vectorMemory) for (const [hash, vector] of entries) this.vectorMemory.set(memoryKey(pk, hash), vector);
  }
}
