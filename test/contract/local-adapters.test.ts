import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HashingEmbedder } from '../../shared/adapters/local/hashing-embedder.ts';
import { LanceDbVectorStore } from '../../shared/adapters/local/lancedb/lancedb-vector-store.ts';
import { embedderContract } from './embedder.contract.ts';
import { vectorStoreContract } from './vector-store.contract.ts';

const DIMENSIONS = 32;

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'tributary-lancedb-'));
}

vectorStoreContract('LanceDbVectorStore', async () => {
  const dir = await tempDir();
  const store = await LanceDbVectorStore.open({ dir, dimensions: DIMENSIONS });
  return {
    store,
    dimensions: DIMENSIONS,
    cleanup: async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

embedderContract('HashingEmbedder', async () => new HashingEmbedder());
embedderContract('HashingEmbedder (64 dimensions)', async () => new HashingEmbedder({ dimensions: 64 }));

/** LanceDB specifics the shared contract does not cover. */
describe('LanceDbVectorStore', () => {
  const withDir = async (fn: (dir: string) => Promise<void>): Promise<void> => {
    const dir = await tempDir();
    try {
      await fn(dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
  const unit = (index: number): Float32Array => {
    const values = new Float32Array(DIMENSIONS);
    values[index] = 1;
    return values;
  };

  it('rejects vectors of the wrong dimension, naming both counts', async () => {
    await withDir(async (dir) => {
      // Prepare
      const store = await LanceDbVectorStore.open({ dir, dimensions: DIMENSIONS });

      // Act & Assess
      await expect(store.upsert([{ id: 'a', values: new Float32Array(DIMENSIONS + 1), metadata: {} }]))
        .rejects.toThrow(`has ${DIMENSIONS + 1} dimensions, expected ${DIMENSIONS}`);
      await expect(store.query({ vector: [1, 2, 3], topK: 1 })).rejects.toThrow(`has 3 dimensions, expected ${DIMENSIONS}`);
      expect(await store.listIds('')).toEqual([]);
      await store.close();
    });
  });

  it('keeps records across reopen, and refuses to reopen with other dimensions', async () => {
    await withDir(async (dir) => {
      // Prepare
      const first = await LanceDbVectorStore.open({ dir, table: 'vectors', dimensions: DIMENSIONS });
      await first.upsert([{ id: 'kept', values: unit(3), metadata: { sourceId: 's' } }]);
      await first.close();

      // Act
      const second = await LanceDbVectorStore.open({ dir, table: 'vectors', dimensions: DIMENSIONS });
      const reopened = await second.scan('');
      const otherDims = await LanceDbVectorStore.open({ dir, table: 'vectors', dimensions: DIMENSIONS * 2 }).then(
        () => undefined,
        (error: unknown) => error,
      );

      // Assess
      expect(reopened).toEqual([{ id: 'kept', metadata: { sourceId: 's' } }]);
      expect(otherDims).toBeInstanceOf(Error);
      expect(String(otherDims)).toContain(`holds vectors of ${DIMENSIONS} dimensions, expected ${DIMENSIONS * 2}`);
      await second.close();
    });
  });

  it('appends inserts, and merges them instead once told the table may hold ids the caller does not know', async () => {
    await withDir(async (dir) => {
      // Prepare: "stray" is in the table although the caller believes it new (its state was lost).
      const store = await LanceDbVectorStore.open({ dir, dimensions: DIMENSIONS });
      await store.upsert([{ id: 'stray', values: unit(0), metadata: { n: 1 } }]);
      await store.insert([{ id: 'new', values: unit(2), metadata: { n: 1 } }]);

      // Act
      store.trustAppends(false);
      await store.insert([{ id: 'stray', values: unit(1), metadata: { n: 2 } }]);

      // Assess: one row per id.
      expect(await store.scan('')).toEqual([{ id: 'new', metadata: { n: 1 } }, { id: 'stray', metadata: { n: 2 } }]);
      expect(await store.count()).toBe(2);
      await store.close();
    });
  });

  it('keeps the last of duplicate ids within one upsert', async () => {
    await withDir(async (dir) => {
      // Prepare
      const store = await LanceDbVectorStore.open({ dir, dimensions: DIMENSIONS });

      // Act
      await store.upsert([
        { id: 'dup', values: unit(0), metadata: { n: 1 } },
        { id: 'dup', values: unit(1), metadata: { n: 2 } },
      ]);

      // Assess
      expect(await store.scan('')).toEqual([{ id: 'dup', metadata: { n: 2 } }]);
      const [best] = await store.query({ vector: unit(1), topK: 1 });
      expect(best?.score).toBeCloseTo(1, 5);
      await store.close();
    });
  });

  it.each([
    ['in a child process (the default)', true],
    ['in this process', false],
  ])('compacts every N commits %s without losing or resurrecting records', async (_how, compactInChild) => {
    await withDir(async (dir) => {
      // Prepare
      const store = await LanceDbVectorStore.open({ dir, dimensions: DIMENSIONS, compactEveryCommits: 5, compactInChild });

      // Act: 12 upserts and 2 deletes, one commit each, so two automatic compactions.
      for (let i = 0; i < 12; i++) await store.upsert([{ id: `r${i}`, values: unit(i % DIMENSIONS), metadata: { i } }]);
      await store.delete(['r0']);
      await store.delete(['r1']);
      await store.close();

      // Assess: all data intact, and far fewer fragments than commits.
      const reopened = await LanceDbVectorStore.open({ dir, dimensions: DIMENSIONS });
      expect(await reopened.listIds('')).toEqual(['r10', 'r11', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9']);
      const [best] = await reopened.query({ vector: unit(7), topK: 1 });
      expect(best).toMatchObject({ id: 'r7', metadata: { i: 7 } });
      await reopened.close();
      const lancedb = await import('@lancedb/lancedb');
      const db = await lancedb.connect(dir);
      const table = await db.openTable('chunks');
      expect((await table.stats()).fragmentStats.numFragments).toBeLessThan(5);
      table.close();
      db.close();
    });
  });

  it('sees writes made by another handle on the same directory', async () => {
    await withDir(async (dir) => {
      // Prepare: the reader opens before the table exists; the writer creates it.
      const reader = await LanceDbVectorStore.open({ dir, dimensions: DIMENSIONS });
      const writer = await LanceDbVectorStore.open({ dir, dimensions: DIMENSIONS });

      // Act
      await writer.upsert([{ id: 'w', values: unit(2), metadata: {} }]);

      // Assess
      expect(await reader.listIds('')).toEqual(['w']);
      await Promise.all([reader.close(), writer.close()]);
    });
  });
});
