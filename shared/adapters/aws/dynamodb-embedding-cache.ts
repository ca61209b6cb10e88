import { LRUCache } from 'lru-cache';
import { decodeVector, embPk, encodeVector } from './dynamodb-items.ts';
import type { DynamoTable } from './dynamodb-table.ts';

/** Key of a vector in the in-process memory: the item's pk and sk. */
const memoryKey = (pk: string, hash: string): string => `${pk}#${hash}`;

/**
 * The embedding cache: `EMB#<model>#<dims>` / chunk hash → the vector as float32 bytes, with
 * the vectors this process stored or read kept in memory in front of it (see
 * DynamoDbStateStoreOptions.embeddingMemoryBytes).
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
    const items = await this.t.batchGet(unknown.map((h) => ({ pk, sk: h })), false);
    for (const item of items) {
      const bytes = item['v'];
      if (bytes instanceof Uint8Array && bytes.byteLength === dimensions * 4) {
        const hash = String(item['sk']);
        const vector = decodeVector(bytes);
        out.set(hash, vector);
        this.vectorMemory?.set(memoryKey(pk, hash), vector);
      }
    }
    return out;
  }

  async putEmbeddings(model: string, dimensions: number, entries: ReadonlyMap<string, Float32Array>): Promise<void> {
    const pk = embPk(model, dimensions);
    const requests = [...entries].map(([hash, vector]) => ({ PutRequest: { Item: { pk, sk: hash, v: encodeVector(vector) } } }));
    await this.t.batchWrite(requests);
    // Only once stored: the memory never holds what the table might not.
    if (this.vectorMemory) for (const [hash, vector] of entries) this.vectorMemory.set(memoryKey(pk, hash), vector);
  }
}
