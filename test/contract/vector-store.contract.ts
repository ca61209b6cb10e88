import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Metadata, VectorRecord, VectorStore } from '../../shared/ports/index.ts';
import { mulberry32 as prng } from '../../examples/generate-corpus.ts';

/** A fresh, empty store; `cleanup` closes it and removes whatever it created. */
export interface VectorStoreHarness {
  store: VectorStore;
  dimensions: number;
  cleanup: () => Promise<void>;
}

/**
 * The behaviour every VectorStore adapter must have, as a vitest suite. Each test gets a
 * fresh store from `make`. Run it once per adapter (LanceDB here; Pinecone against its
 * emulator later), so adapters cannot drift apart on overwrite, prefix or filter semantics.
 */
export function vectorStoreContract(name: string, make: () => Promise<VectorStoreHarness>): void {
  describe(`VectorStore contract: ${name}`, () => {
    let harness: VectorStoreHarness;
    let store: VectorStore;
    let dims: number;

    beforeEach(async () => {
      harness = await make();
      store = harness.store;
      dims = harness.dimensions;
    });

    afterEach(async () => {
      await harness.cleanup();
    });

    const record = (id: string, seed: number, metadata: Metadata = {}): VectorRecord => ({
      id,
      values: randomUnit(dims, seed),
      metadata,
    });

    it('returns nothing from an empty store', async () => {
      // Prepare: nothing written.

      // Act
      const matches = await store.query({ vector: randomUnit(dims, 1), topK: 5 });
      const filtered = await store.query({ vector: randomUnit(dims, 1), topK: 5, filter: { sourceId: 's', lang: 'en' } });
      const ids = await store.listIds('');
      const scanned = await store.scan('');
      await store.delete(['never-written']);

      // Assess
      expect(matches).toEqual([]);
      expect(filtered).toEqual([]);
      expect(ids).toEqual([]);
      expect(scanned).toEqual([]);
    });

    it('finds an upserted record with score ≈ 1 for its own vector', async () => {
      // Prepare: one record given as number[], the others as Float32Array.
      const a = record('a', 11, { sourceId: 's1', docId: 'd1', title: 'A' });
      const b: VectorRecord = { id: 'b', values: Array.from(randomUnit(dims, 12)), metadata: { sourceId: 's1', docId: 'd2' } };
      const c = record('c', 13, { sourceId: 's2', docId: 'd3' });
      await store.upsert([a, b, c]);

      // Act
      const [bestForA] = await store.query({ vector: a.values, topK: 1 });
      const [bestForB] = await store.query({ vector: b.values, topK: 1 });

      // Assess
      expect(bestForA?.id).toBe('a');
      expect(bestForA?.score).toBeCloseTo(1, 4);
      expect(bestForA?.metadata).toEqual({ sourceId: 's1', docId: 'd1', title: 'A' });
      expect(bestForB?.id).toBe('b');
      expect(bestForB?.score).toBeCloseTo(1, 4);
    });

    it('overwrites a record upserted again under the same id', async () => {
      // Prepare
      await store.upsert([record('x', 21, { sourceId: 's', version: 1 }), record('y', 22)]);

      // Act
      const replacement = record('x', 23, { sourceId: 's', version: 2, extra: true });
      await store.upsert([replacement]);

      // Assess: still one "x", with the new metadata and the new vector.
      expect(await store.listIds('x')).toEqual(['x']);
      expect(await store.scan('x')).toEqual([{ id: 'x', metadata: { sourceId: 's', version: 2, extra: true } }]);
      const [best] = await store.query({ vector: replacement.values, topK: 1 });
      expect(best?.id).toBe('x');
      expect(best?.score).toBeCloseTo(1, 4);
      expect(best?.metadata).toEqual({ sourceId: 's', version: 2, extra: true });
    });

    it('deletes by id, and treats unknown ids as no-ops', async () => {
      // Prepare
      const a = record('a', 31);
      await store.upsert([a, record('b', 32), record('c', 33)]);

      // Act
      await store.delete(['a', 'unknown', "it's-not-there"]);
      await store.delete([]);

      // Assess
      expect(sorted(await store.listIds(''))).toEqual(['b', 'c']);
      const matches = await store.query({ vector: a.values, topK: 10 });
      expect(matches.map((m) => m.id)).not.toContain('a');
      expect(matches).toHaveLength(2);
    });

    it('lists exactly the ids under a prefix, special characters included', async () => {
      // Prepare: each group has decoys that a naive LIKE or a broken escape would match.
      const groups: Record<string, { hits: string[]; decoys: string[] }> = {
        "o'brien#": { hits: ["o'brien#1", "o'brien#2'"], decoys: ["o'brien", "o''brien#1", 'obrien#1'] },
        '50%_': { hits: ['50%_a', '50%_'], decoys: ['50%x', '50xx_y', '50%'] },
        'a_b#': { hits: ['a_b#1'], decoys: ['axb#1', 'a_bb#1'] },
        '%': { hits: ['%lead'], decoys: ['lead%'] },
        'has space#': { hits: ['has space#1', 'has space#two words'], decoys: ['has  space#1', 'hasspace#1'] },
        'ünï/日本#': { hits: ['ünï/日本#1', 'ünï/日本#émoji🙂'], decoys: ['uni/日本#1'] },
        'back\\slash#': { hits: ['back\\slash#1'], decoys: ['back\\\\slash#1', 'backslash#1'] },
        '"dq"#': { hits: ['"dq"#1'], decoys: ['dq#1'] },
      };
      const all = Object.values(groups).flatMap((group) => [...group.hits, ...group.decoys]);
      await store.upsert(all.map((id, i) => record(id, 100 + i)));

      for (const [prefix, group] of Object.entries(groups)) {
        // Act
        const ids = await store.listIds(prefix);

        // Assess
        expect(sorted(ids), `prefix ${JSON.stringify(prefix)}`).toEqual(sorted(group.hits));
      }
      expect(sorted(await store.listIds(''))).toEqual(sorted(all));
      expect(await store.listIds('no-such-prefix')).toEqual([]);
    });

    it('scans ids with their metadata (values keep their types) under a prefix', async () => {
      // Prepare
      await store.upsert([
        record('src#doc1#0', 41, { sourceId: 'src', docId: 'doc1', chunk: 0, draft: true, title: "it's \"quoted\"" }),
        record('src#doc1#1', 42, { sourceId: 'src', docId: 'doc1', chunk: 1, draft: false, title: 'ünïcødé' }),
        record('src#doc2#0', 43, { sourceId: 'src', docId: 'doc2', chunk: 0, score: 0.25 }),
      ]);

      // Act
      const scanned = await store.scan('src#doc1#');

      // Assess
      expect(sortById(scanned)).toEqual([
        { id: 'src#doc1#0', metadata: { sourceId: 'src', docId: 'doc1', chunk: 0, draft: true, title: "it's \"quoted\"" } },
        { id: 'src#doc1#1', metadata: { sourceId: 'src', docId: 'doc1', chunk: 1, draft: false, title: 'ünïcødé' } },
      ]);
      expect(await store.scan('src#doc2#')).toEqual([
        { id: 'src#doc2#0', metadata: { sourceId: 'src', docId: 'doc2', chunk: 0, score: 0.25 } },
      ]);
    });

    it('filters queries on sourceId, docId and any other metadata key', async () => {
      // Prepare: 2 sources × 2 docs × 2 languages, all near the query vector.
      const query = randomUnit(dims, 50);
      const records: VectorRecord[] = [];
      for (const sourceId of ['s1', "s'2"]) {
        for (const docId of ['d1', 'd2']) {
          for (const lang of ['en', 'fr']) {
            records.push({
              id: `${sourceId}#${docId}#${lang}`,
              values: jitter(query, records.length + 1),
              metadata: { sourceId, docId, lang, page: lang === 'en' ? 1 : 2, draft: docId === 'd2' },
            });
          }
        }
      }
      await store.upsert(records);
      const idsFor = async (filter: Record<string, string | number | boolean>): Promise<string[]> =>
        sorted((await store.query({ vector: query, topK: 100, filter })).map((m) => m.id));

      // Act & Assess
      expect(await idsFor({ sourceId: 's1' })).toEqual(['s1#d1#en', 's1#d1#fr', 's1#d2#en', 's1#d2#fr']);
      expect(await idsFor({ sourceId: "s'2", docId: 'd2' })).toEqual(["s'2#d2#en", "s'2#d2#fr"]);
      expect(await idsFor({ docId: 'd1', lang: 'fr' })).toEqual(["s'2#d1#fr", 's1#d1#fr']);
      expect(await idsFor({ lang: 'en', page: 1, draft: true })).toEqual(["s'2#d2#en", 's1#d2#en']);
      expect(await idsFor({ page: 2, sourceId: 's1', docId: 'd1' })).toEqual(['s1#d1#fr']);
      expect(await idsFor({ sourceId: 'nope' })).toEqual([]);
      expect(await idsFor({ lang: 'de' })).toEqual([]);
      expect(await idsFor({ page: '1' })).toEqual([]);
      const filtered = await store.query({ vector: query, topK: 100, filter: { lang: 'fr' } });
      expect(filtered.every((m) => m.metadata['lang'] === 'fr')).toBe(true);
    });

    it('finds filtered matches that rank below many records the filter rejects', async () => {
      // Prepare: 300 records close to the query, 2 "rare" ones far from it.
      const query = randomUnit(dims, 60);
      const near = Array.from({ length: 300 }, (_, i): VectorRecord => ({
        id: `near-${i}`, values: jitter(query, 1000 + i), metadata: { sourceId: 's', tag: 'common' },
      }));
      const far = [0, 1].map((i): VectorRecord => ({
        id: `far-${i}`, values: randomUnit(dims, 2000 + i), metadata: { sourceId: 's', tag: 'rare' },
      }));
      await store.upsert([...near, ...far]);

      // Act
      const matches = await store.query({ vector: query, topK: 2, filter: { tag: 'rare' } });
      const withNative = await store.query({ vector: query, topK: 5, filter: { sourceId: 's', tag: 'rare' } });

      // Assess
      expect(sorted(matches.map((m) => m.id))).toEqual(['far-0', 'far-1']);
      expect(sorted(withNative.map((m) => m.id))).toEqual(['far-0', 'far-1']);
    });

    it('filters by principal: a record without access is everyone\'s, one with access only its principals\'', async () => {
      // Prepare: access lists as the pipeline writes them (sorted principals), and one record without.
      const q = randomUnit(dims, 70);
      await store.upsert([
        { id: 'open', values: jitter(q, 71), metadata: { sourceId: 's', docId: 'open' } },
        { id: 'alice', values: jitter(q, 72), metadata: { sourceId: 's', docId: 'alice', access: ['user:alice'] } },
        { id: 'team', values: jitter(q, 73), metadata: { sourceId: 's', docId: 'team', access: ['group:eng', 'user:bob'] } },
        { id: 'public', values: jitter(q, 74), metadata: { sourceId: 's', docId: 'public', access: ['public'] } },
        { id: 'nobody', values: jitter(q, 75), metadata: { sourceId: 's', docId: 'nobody', access: ['none'] } },
        { id: 'other', values: jitter(q, 76), metadata: { sourceId: 't', docId: 'other', access: ['user:alice'] } },
      ]);
      const as = async (principals: string[], filter?: Record<string, string>) => sorted((await store.query({
        vector: q, topK: 10, access: principals, ...(filter ? { filter } : {}),
      })).map((m) => m.id));

      // Act
      const alice = await as(['user:alice', 'public']);
      const engineer = await as(['group:eng', 'public']);
      const bob = await as(['user:bob', 'group:eng', 'public']);
      const stranger = await as(['user:carol', 'public']);
      const aliceInS = await as(['user:alice', 'public'], { sourceId: 's' });
      const everyone = sorted((await store.query({ vector: q, topK: 10 })).map((m) => m.id));

      // Assess
      expect(alice).toEqual(['alice', 'open', 'other', 'public']);
      expect(engineer).toEqual(['open', 'public', 'team']);
      expect(bob).toEqual(['open', 'public', 'team']);
      expect(stranger).toEqual(['open', 'public']);
      expect(aliceInS).toEqual(['alice', 'open', 'public']);
      expect(everyone).toEqual(['alice', 'nobody', 'open', 'other', 'public', 'team']);
    });

    it('keeps an access list through scan and query, and finds an allowed record below many it hides', async () => {
      // Prepare: 300 records near the query that only bob may see, one far away for alice.
      const q = randomUnit(dims, 80);
      const hidden = Array.from({ length: 300 }, (_, i): VectorRecord => ({
        id: `bob-${i}`, values: jitter(q, 3000 + i), metadata: { sourceId: 's', access: ['user:bob'] },
      }));
      await store.upsert([...hidden, { id: 'for-alice', values: randomUnit(dims, 81), metadata: { sourceId: 's', access: ['group:eng', 'user:alice'] } }]);

      // Act
      const matches = await store.query({ vector: q, topK: 3, access: ['user:alice', 'public'] });
      const [scanned] = await store.scan('for-alice');

      // Assess
      expect(matches.map((m) => m.id)).toEqual(['for-alice']);
      expect(matches[0]?.metadata['access']).toEqual(['group:eng', 'user:alice']);
      expect(scanned?.metadata['access']).toEqual(['group:eng', 'user:alice']);
    });

    it('returns at most topK matches, best first', async () => {
      // Prepare: vectors at growing angles from e0, so cosine to e0 falls with the index.
      const records = Array.from({ length: 10 }, (_, i): VectorRecord => ({
        id: `angle-${i}`, values: planar(dims, (i * 8 * Math.PI) / 180), metadata: { i },
      }));
      await store.upsert(shuffled(records));
      const e0 = planar(dims, 0);

      // Act
      const top4 = await store.query({ vector: e0, topK: 4 });
      const all = await store.query({ vector: e0, topK: 50 });

      // Assess
      expect(top4.map((m) => m.id)).toEqual(['angle-0', 'angle-1', 'angle-2', 'angle-3']);
      top4.forEach((match, i) => expect(match.score).toBeCloseTo(Math.cos((i * 8 * Math.PI) / 180), 4));
      expect(all).toHaveLength(10);
      for (let i = 1; i < all.length; i++) expect(all[i]!.score).toBeLessThanOrEqual(all[i - 1]!.score);
    });

    it('lists all of 2,500 records upserted in one call', async () => {
      // Prepare
      const records = Array.from({ length: 2_500 }, (_, i) => record(`bulk#${String(i).padStart(4, '0')}`, 3000 + i, { i }));

      // Act
      await store.upsert(records);

      // Assess
      const ids = await store.listIds('bulk#');
      expect(ids).toHaveLength(2_500);
      expect(new Set(ids)).toEqual(new Set(records.map((r) => r.id)));
      expect(await store.scan('bulk#24')).toHaveLength(100);
    });

    it('lands every write of concurrent upserts and deletes', async () => {
      // Prepare
      const batches = Array.from({ length: 5 }, (_, b) =>
        Array.from({ length: 100 }, (_, i) => record(`c${b}#${i}`, 10_000 + b * 100 + i, { b })));
      const doomed = Array.from({ length: 50 }, (_, i) => record(`doomed#${i}`, 20_000 + i));
      await store.upsert(doomed);

      // Act
      await Promise.all([
        ...batches.map((batch) => store.upsert(batch)),
        store.delete(doomed.map((r) => r.id)),
      ]);

      // Assess
      const ids = await store.listIds('');
      expect(ids).toHaveLength(500);
      expect(new Set(ids)).toEqual(new Set(batches.flat().map((r) => r.id)));
    });

    it('inserts records of new ids (where it can append), and a later upsert of them overwrites', async () => {
      // Prepare: adapters without an append path take upserts for inserts (the core falls back).
      const insert = store.insert?.bind(store) ?? store.upsert.bind(store);

      // Act
      await insert([record('fresh#0', 40_001, { v: 1 }), record('fresh#1', 40_002, { v: 1 })]);
      await store.upsert([record('fresh#0', 40_003, { v: 2 })]);

      // Assess: one row per id, the upsert's values won.
      const rows = await store.scan('fresh#');
      expect(rows.map((r) => [r.id, r.metadata['v']]).sort()).toEqual([['fresh#0', 2], ['fresh#1', 1]]);
    });

    it('applies concurrent writes of one id in call order', async () => {
      // Prepare: "kept" is deleted then upserted again, "gone" upserted then deleted, all at once.
      await store.upsert([record('order#kept', 30_001, { v: 1 }), record('order#gone', 30_002)]);

      // Act
      await Promise.all([
        store.delete(['order#kept']),
        store.upsert([record('order#kept', 30_003, { v: 2 }), record('order#gone', 30_004)]),
        store.delete(['order#gone']),
        store.upsert([record('order#new', 30_005)]),
      ]);

      // Assess
      expect((await store.scan('order#')).map((r) => [r.id, r.metadata['v'] ?? null]).sort()).toEqual([
        ['order#kept', 2], ['order#new', null],
      ]);
    });
  });
}

function normalise(values: Float32Array): Float32Array {
  const norm = Math.hypot(...values);
  return values.map((v) => v / norm);
}

/** A random unit vector, the same for the same seed. */
function randomUnit(dims: number, seed: number): Float32Array {
  const next = prng(seed);
  return normalise(Float32Array.from({ length: dims }, () => next() * 2 - 1));
}

/** `base` nudged a little in a random direction: cosine to `base` stays high (≈0.99). */
function jitter(base: Float32Array, seed: number): Float32Array {
  const noise = randomUnit(base.length, seed);
  return normalise(base.map((v, i) => v + 0.15 * (noise[i] ?? 0)));
}

/** Unit vector in the plane of the first two axes, `angle` radians from e0. */
function planar(dims: number, angle: number): Float32Array {
  const values = new Float32Array(dims);
  values[0] = Math.cos(angle);
  values[1] = Math.sin(angle);
  return values;
}

function shuffled<T>(items: readonly T[]): T[] {
  const next = prng(7);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

function sorted(ids: readonly string[]): string[] {
  return [...ids].sort();
}

function sortById<T extends { id: string }>(rows: readonly T[]): T[] {
  return [...rows].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
