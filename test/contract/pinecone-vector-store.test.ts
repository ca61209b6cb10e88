import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, PoisonTaskError, TransientError } from '../../shared/core/errors.ts';
import { PineconeVectorStore, VectorStoreProviderError } from '../../shared/adapters/pinecone/pinecone-vector-store.ts';
import type { PineconeVectorStoreOptions } from '../../shared/adapters/pinecone/pinecone-vector-store.ts';
import type { Clock, Metadata, VectorRecord } from '../../shared/ports/index.ts';
import { DATA_PLANE_PATHS, EMULATOR_LIMITS, startPineconeEmulator } from '../emulators/pinecone.ts';
import type { PineconeEmulator } from '../emulators/pinecone.ts';
import { vectorStoreContract } from './vector-store.contract.ts';

const DIMENSIONS = 32;
/** Default `maxRequestBytes` / `maxMetadataBytes` of the adapter. */
const DEFAULT_MAX_REQUEST_BYTES = 1_900_000;
const DEFAULT_MAX_METADATA_BYTES = 38_912;

/**
 * Records every wait instead of waiting, so retry tests run in milliseconds; `clock` moves on
 * by each recorded wait, for a store that also holds its other calls through a wait.
 */
function recordingSleep(): { sleep: (ms: number) => Promise<void>; waits: number[]; clock: Clock } {
  const waits: number[] = [];
  let now = Date.now();
  return { waits, clock: { now: () => now }, sleep: async (ms) => { waits.push(ms); now += ms; } };
}

function storeFor(emulator: PineconeEmulator, overrides: Partial<PineconeVectorStoreOptions> = {}): PineconeVectorStore {
  return new PineconeVectorStore({
    apiKey: emulator.apiKey,
    indexHost: emulator.host,
    namespace: 'contract',
    dimensions: DIMENSIONS,
    // Any control-plane call would land in the emulator's log (as a 404), never on the internet.
    controllerHostUrl: emulator.host,
    sleep: async () => undefined,
    random: () => 0.5,
    ...overrides,
  });
}

vectorStoreContract('PineconeVectorStore (emulator)', async () => {
  const emulator = await startPineconeEmulator({ dimension: DIMENSIONS });
  const store = storeFor(emulator);
  return {
    store,
    dimensions: DIMENSIONS,
    cleanup: async () => {
      await store.close();
      await emulator.close();
    },
  };
});

/** A deterministic, non-zero vector. */
function vector(seed: number): number[] {
  return Array.from({ length: DIMENSIONS }, (_, i) => Math.sin(seed * 31 + i + 1));
}

function record(id: string, seed: number, metadata: Metadata = {}): VectorRecord {
  return { id, values: vector(seed), metadata };
}

function bulk(count: number, prefix = 'bulk#', metadata: (i: number) => Metadata = (i) => ({ i })): VectorRecord[] {
  return Array.from({ length: count }, (_, i) => record(`${prefix}${String(i).padStart(5, '0')}`, i + 1, metadata(i)));
}

describe('PineconeVectorStore', () => {
  let emulator: PineconeEmulator;

  beforeEach(async () => {
    emulator = await startPineconeEmulator({ dimension: DIMENSIONS });
  });

  afterEach(async () => {
    await emulator.close();
  });

  const upserts = () => emulator.requests.filter((r) => r.path === '/vectors/upsert');

  it('sends 2,500 records in ⌈2500/batch⌉ requests, each under the byte budget', async () => {
    // Prepare
    const store = storeFor(emulator);
    const records = bulk(2_500);

    // Act
    await store.upsert(records);

    // Assess
    const sent = upserts();
    expect(sent.length).toBeLessThanOrEqual(Math.ceil(2_500 / 200) + 1);
    expect(sent.every((r) => r.status === 200 && r.bytes <= DEFAULT_MAX_REQUEST_BYTES)).toBe(true);
    expect(sent.reduce((sum, r) => sum + (r.vectors ?? 0), 0)).toBe(2_500);
    expect(emulator.count('contract')).toBe(2_500);
  });

  it('splits by bytes when records are large, never over the budget', async () => {
    // Prepare: ~30 KB of metadata each, so the 1.9 MB budget binds long before 200 records.
    const store = storeFor(emulator);
    const records = bulk(300, 'big#', (i) => ({ i, text: `${i} `.padEnd(30_000, 'x') }));
    const totalBytes = records.reduce((sum, r) => sum + JSON.stringify({ id: r.id, values: r.values, metadata: r.metadata }).length, 0);

    // Act
    await store.upsert(records);

    // Assess
    const sent = upserts();
    expect(sent.every((r) => r.status === 200 && r.bytes <= DEFAULT_MAX_REQUEST_BYTES)).toBe(true);
    expect(sent.length).toBeLessThanOrEqual(Math.ceil(totalBytes / DEFAULT_MAX_REQUEST_BYTES) + 1);
    expect(sent.length).toBeGreaterThan(1);
    expect(emulator.count('contract')).toBe(300);
  });

  it('trims a 100 KB text to fit the metadata limit, marks it, and keeps the rest intact', async () => {
    // Prepare: multi-byte characters, emoji (surrogate pairs) and JSON-escaped characters.
    const store = storeFor(emulator);
    const text = 'Ünïcødé 日本語 🙂 "quoted" \\ back\n'.repeat(4_000).slice(0, 100_000);
    const metadata: Metadata = {
      sourceId: 'src', docId: 'doc', chunkIndex: 3, version: 'v9', hash: 'h'.repeat(16), contentHash: 'c'.repeat(64),
      updatedAt: '2024-05-01T00:00:00.000Z', title: 'A title', url: 'https://example.com/doc', text,
    };

    // Act
    await store.upsert([{ id: 'src#0123456789abcdef#3', values: vector(1), metadata }]);

    // Assess
    const [stored] = await store.scan('src#');
    const storedText = stored?.metadata['text'];
    expect(typeof storedText).toBe('string');
    const trimmed = storedText as string;
    expect(trimmed.length).toBeGreaterThan(5_000);
    expect(text.startsWith(trimmed)).toBe(true);
    expect(/[\ud800-\udbff]$/.test(trimmed)).toBe(false);
    const { text: _text, ...rest } = metadata;
    expect(stored?.metadata).toEqual({ ...rest, text: trimmed, textTruncated: true });
    expect(Buffer.byteLength(JSON.stringify(stored?.metadata))).toBeLessThanOrEqual(DEFAULT_MAX_METADATA_BYTES);
    expect(Buffer.byteLength(JSON.stringify(stored?.metadata))).toBeGreaterThan(DEFAULT_MAX_METADATA_BYTES - 64);
  });

  it('leaves metadata that fits untouched', async () => {
    // Prepare
    const store = storeFor(emulator);
    const metadata = { sourceId: 's', text: 'short', title: 't' };

    // Act
    await store.upsert([record('fits', 1, metadata)]);

    // Assess
    expect(emulator.peek('contract', 'fits')?.metadata).toEqual(metadata);
  });

  it('rejects an id over 512 bytes with a PoisonTaskError before any request', async () => {
    // Prepare: 300 two-byte characters (600 bytes, only 300 characters) next to a valid record.
    const store = storeFor(emulator);
    const longId = 'é'.repeat(300);

    // Act
    const error = await store.upsert([record('ok', 1), record(longId, 2)]).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(PoisonTaskError);
    expect((error as PoisonTaskError).message).toContain(longId);
    expect((error as PoisonTaskError).context['id']).toBe(longId);
    expect(emulator.requests).toHaveLength(0);
  });

  it('rejects a vector of another size than configured as a configuration error (not one bad record), before any request', async () => {
    // Prepare
    const store = storeFor(emulator);

    // Act
    const error = await store.upsert([{ id: 'short', values: [1, 2, 3], metadata: {} }]).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).retryable).toBe(false);
    expect(String(error)).toContain(`has 3 dimensions, but the store is configured for ${DIMENSIONS}`);
    expect(emulator.requests).toHaveLength(0);
  });

  it('turns Pinecone\'s 400 for an index of another dimension into a VectorStoreProviderError, without retrying', async () => {
    // Prepare: the store is configured for 4 dimensions, the index has DIMENSIONS.
    const { sleep, waits } = recordingSleep();
    const store = storeFor(emulator, { sleep, dimensions: 4 });

    // Act
    const error = await store.upsert([{ id: 'small', values: [1, 2, 3, 4], metadata: {} }]).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(VectorStoreProviderError);
    expect((error as VectorStoreProviderError).status).toBe(400);
    expect(String(error)).toContain('embedder.dimensions (4)');
    expect(upserts()).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it('rides out a 429 storm: everything lands, requests bounded, waits honour Retry-After', async () => {
    // Prepare
    const { sleep, waits, clock } = recordingSleep();
    const store = storeFor(emulator, { sleep, clock, random: () => 0.999 });
    const records = bulk(2_500);
    const batches = Math.ceil(2_500 / 200);
    emulator.startStorm({ probability: 0.4, seed: 42, retryAfterSeconds: 2 });

    // Act
    await store.upsert(records);
    const listed = await store.listIds('bulk#');

    // Assess
    emulator.stopStorm();
    expect(emulator.count('contract')).toBe(2_500);
    expect(new Set(listed)).toEqual(new Set(records.map((r) => r.id)));
    const sent = upserts();
    const throttled = emulator.requests.filter((r) => r.status === 429);
    expect(throttled.length).toBeGreaterThan(0);
    expect(sent.length).toBeLessThanOrEqual(batches * 8);
    expect(sent.filter((r) => r.status === 200)).toHaveLength(batches);
    expect(waits).toHaveLength(throttled.length);
    expect(waits.every((ms) => ms >= 2_000 && ms <= 20_000)).toBe(true);
  });

  it('backs off exponentially with full jitter when no Retry-After is sent', async () => {
    // Prepare
    const { sleep, waits } = recordingSleep();
    const store = storeFor(emulator, { sleep, random: () => 0.5, baseDelayMs: 100, maxDelayMs: 1_000 });
    emulator.failNext(6, { status: 503 });

    // Act
    await store.upsert([record('a', 1)]);

    // Assess: ceilings 100, 200, 400, 800, 1000 (capped), 1000; half of each.
    expect(waits).toEqual([50, 100, 200, 400, 500, 500]);
    expect(emulator.peek('contract', 'a')).toBeDefined();
  });

  it('turns a 400 into a PoisonTaskError with Pinecone\'s message, without retrying', async () => {
    // Prepare: Pinecone refuses all-zero dense vectors; the adapter leaves that check to it.
    const { sleep, waits } = recordingSleep();
    const store = storeFor(emulator, { sleep });

    // Act
    const error = await store.upsert([{ id: 'zero', values: new Float32Array(DIMENSIONS), metadata: {} }]).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(PoisonTaskError);
    expect(String(error)).toContain('must contain at least one non-zero value');
    expect((error as PoisonTaskError).retryable).toBe(false);
    expect(upserts()).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it('turns a 401 into a VectorStoreProviderError naming the API key, without retrying', async () => {
    // Prepare
    const { sleep, waits } = recordingSleep();
    const store = storeFor(emulator, { sleep, apiKey: 'wrong-key' });

    // Act
    const error = await store.upsert([record('a', 1)]).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(VectorStoreProviderError);
    expect((error as VectorStoreProviderError).status).toBe(401);
    expect((error as VectorStoreProviderError).retryable).toBe(false);
    expect(String(error)).toContain('API key');
    expect(emulator.requests).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it('turns a 404 into a VectorStoreProviderError naming host and namespace', async () => {
    // Prepare: a host path that is not an index.
    const store = storeFor(emulator, { indexHost: `${emulator.host}/no-such-index` });

    // Act
    const error = await store.listIds('').catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(VectorStoreProviderError);
    expect((error as VectorStoreProviderError).status).toBe(404);
    expect(String(error)).toContain('index host');
    expect(String(error)).toContain('namespace "contract"');
    expect(emulator.requests).toHaveLength(1);
  });

  it('gives up with a TransientError after maxAttempts', async () => {
    // Prepare
    const { sleep, waits } = recordingSleep();
    const store = storeFor(emulator, { sleep, maxAttempts: 3 });
    emulator.failNext(10, { status: 500 });

    // Act
    const error = await store.upsert([record('a', 1)]).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).retryable).toBe(true);
    expect(String(error)).toContain('after 3 attempts: HTTP 500');
    expect(upserts()).toHaveLength(3);
    expect(waits).toHaveLength(2);
    expect(emulator.peek('contract', 'a')).toBeUndefined();
  });

  it('retries network failures', async () => {
    // Prepare: a port nobody listens on (the emulator's, after it closed).
    const { sleep, waits } = recordingSleep();
    const closed = await startPineconeEmulator({ dimension: DIMENSIONS });
    await closed.close();
    const store = storeFor(closed, { sleep, maxAttempts: 2 });

    // Act
    const error = await store.listIds('').catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(TransientError);
    expect(String(error)).toContain('network error');
    expect(waits).toHaveLength(1);
  });

  it('follows list pagination across more than 100 ids', async () => {
    // Prepare
    const store = storeFor(emulator);
    await store.upsert(bulk(250, 'page#'));
    await store.upsert(bulk(5, 'other#'));
    emulator.clearRequests();

    // Act
    const ids = await store.listIds('page#');

    // Assess
    expect(ids).toHaveLength(250);
    expect(new Set(ids).size).toBe(250);
    const lists = emulator.requests.filter((r) => r.path === '/vectors/list');
    expect(lists).toHaveLength(3);
    expect(lists[0]?.query).not.toContain('paginationToken');
    expect(lists[1]?.query).toContain('paginationToken=');
    expect(lists.every((r) => r.query.includes('limit=100') && r.query.includes('prefix=page%23'))).toBe(true);
  });

  it('scans and deletes in bounded batches', async () => {
    // Prepare
    const store = storeFor(emulator);
    const records = bulk(2_500, 'del#');
    await store.upsert(records);
    emulator.clearRequests();

    // Act
    const scanned = await store.scan('del#');
    await store.delete([...records.map((r) => r.id), 'never-written']);

    // Assess
    expect(scanned).toHaveLength(2_500);
    const fetches = emulator.requests.filter((r) => r.path === '/vectors/fetch');
    expect(fetches.every((r) => (r.ids ?? 0) <= 100 && r.urlLength < 8_000)).toBe(true);
    const deletes = emulator.requests.filter((r) => r.path === '/vectors/delete');
    expect(deletes.map((r) => r.ids)).toEqual([1_000, 1_000, 501]);
    expect(deletes.every((r) => (r.ids ?? 0) <= EMULATOR_LIMITS.maxIdsPerDelete)).toBe(true);
    expect(await store.listIds('')).toEqual([]);
  });

  it('sends equality filters as $eq, several keys under $and', async () => {
    // Prepare
    const store = storeFor(emulator);
    await store.upsert([record('a', 1, { sourceId: 's', lang: 'en' }), record('b', 2, { sourceId: 's', lang: 'fr' })]);
    emulator.clearRequests();

    // Act
    const one = await store.query({ vector: vector(1), topK: 5, filter: { lang: 'fr' } });
    const both = await store.query({ vector: vector(1), topK: 5, filter: { sourceId: 's', lang: 'en' } });

    // Assess
    expect(one.map((m) => m.id)).toEqual(['b']);
    expect(both.map((m) => m.id)).toEqual(['a']);
    const bodies = emulator.requests.map((r) => r.body);
    expect(bodies[0]).toEqual({
      vector: vector(1), topK: 5, filter: { lang: { $eq: 'fr' } }, includeValues: false, includeMetadata: true, namespace: 'contract',
    });
    expect((bodies[1] as { filter: unknown }).filter).toEqual({ $and: [{ sourceId: { $eq: 's' } }, { lang: { $eq: 'en' } }] });
  });

  it('talks only to the data plane, with the Api-Key and API version headers', async () => {
    // Prepare
    const store = storeFor(emulator);

    // Act: every operation of the port.
    await store.upsert(bulk(150, 'cp#'));
    await store.listIds('cp#');
    await store.scan('cp#00');
    await store.query({ vector: vector(3), topK: 3, filter: { i: 3 } });
    await store.delete(['cp#00001']);
    await store.close();

    // Assess
    const paths = new Set(emulator.requests.map((r) => r.path));
    expect([...paths].every((path) => DATA_PLANE_PATHS.includes(path))).toBe(true);
    expect(emulator.requests.every((r) => r.status === 200)).toBe(true);
    expect(emulator.requests.every((r) => /^\d{4}-\d{2}$/.test(r.apiVersion ?? ''))).toBe(true);
  });

  it('isolates namespaces', async () => {
    // Prepare
    const red = storeFor(emulator, { namespace: 'red' });
    const blue = storeFor(emulator, { namespace: 'blue' });

    // Act
    await red.upsert([record('shared-id', 1, { color: 'red' }), record('red-only', 2)]);
    await blue.upsert([record('shared-id', 3, { color: 'blue' })]);
    await blue.delete(['red-only']);

    // Assess
    expect((await red.listIds('')).sort()).toEqual(['red-only', 'shared-id']);
    expect(await blue.listIds('')).toEqual(['shared-id']);
    expect(await red.scan('shared')).toEqual([{ id: 'shared-id', metadata: { color: 'red' } }]);
    expect(await blue.scan('shared')).toEqual([{ id: 'shared-id', metadata: { color: 'blue' } }]);
    const [best] = await blue.query({ vector: vector(2), topK: 5 });
    expect(best?.id).toBe('shared-id');
  });

  it('shows eventual consistency when the emulator lags (writes visible after K reads)', async () => {
    // Prepare
    const store = storeFor(emulator);
    emulator.setConsistencyLag(2);

    // Act
    await store.upsert([record('late', 1)]);
    const first = await store.listIds('');
    const second = await store.listIds('');
    const third = await store.listIds('');

    // Assess
    expect(first).toEqual([]);
    expect(second).toEqual([]);
    expect(third).toEqual(['late']);
  });

  it('refuses calls after close', async () => {
    // Prepare
    const store = storeFor(emulator);
    await store.close();

    // Act & Assess
    await expect(store.upsert([record('a', 1)])).rejects.toThrow('closed');
    expect(emulator.requests).toHaveLength(0);
  });
});

/** The emulator itself, spoken to over raw HTTP: the limits and answers the adapter relies on. */
describe('Pinecone emulator', () => {
  let emulator: PineconeEmulator;

  beforeEach(async () => {
    emulator = await startPineconeEmulator({ dimension: DIMENSIONS });
  });

  afterEach(async () => {
    await emulator.close();
  });

  const call = async (method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; json: unknown }> => {
    const response = await fetch(`${emulator.host}${path}`, {
      method,
      headers: { 'Api-Key': emulator.apiKey, 'Content-Type': 'application/json', 'X-Pinecone-Api-Version': '2026-04' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, json: text.startsWith('{') ? JSON.parse(text) : text };
  };
  const upsert = (vectors: unknown[], namespace = 'ns') => call('POST', '/vectors/upsert', { vectors, namespace });
  const v = (id: string, seed: number, metadata?: Record<string, unknown>) => ({ id, values: vector(seed), ...(metadata ? { metadata } : {}) });

  it('enforces the upsert limits with 400 INVALID_ARGUMENT in Pinecone\'s shape', async () => {
    // Act
    const tooMany = await upsert(Array.from({ length: 1_001 }, (_, i) => v(`n${i}`, i + 1)));
    const tooBig = await upsert([v('big', 1, { text: 'x'.repeat(41_000) })]);
    const longId = await upsert([v('i'.repeat(513), 1)]);
    const wrongDims = await upsert([{ id: 'd', values: [1, 2] }]);
    const nullMeta = await upsert([v('n', 1, { bad: null })]);
    const hugeRequest = await upsert(Array.from({ length: 60 }, (_, i) => v(`h${i}`, i + 1, { text: 'y'.repeat(39_000) })));

    // Assess
    for (const result of [tooMany, tooBig, longId, wrongDims, nullMeta, hugeRequest]) {
      expect(result.status).toBe(400);
      expect(result.json).toMatchObject({ code: 3, details: [] });
    }
    expect(JSON.stringify(tooBig.json)).toContain('exceeds the limit of 40960 bytes');
    expect(JSON.stringify(wrongDims.json)).toContain(`Vector dimension 2 does not match the dimension of the index ${DIMENSIONS}`);
    expect(JSON.stringify(hugeRequest.json)).toContain('2 MB');
    expect(emulator.count('ns')).toBe(0);
  });

  it('enforces the read limits: topK, list limit, fetch ids', async () => {
    // Act
    const topK = await call('POST', '/query', { vector: vector(1), topK: 10_001, namespace: 'ns' });
    const listLimit = await call('GET', '/vectors/list?limit=101&namespace=ns');
    const fetchMany = await call('GET', `/vectors/fetch?${Array.from({ length: 1_001 }, (_, i) => `ids=${i}`).join('&')}&namespace=ns`);
    const deleteMany = await call('POST', '/vectors/delete', { ids: Array.from({ length: 1_001 }, (_, i) => `${i}`), namespace: 'ns' });

    // Assess
    expect([topK.status, listLimit.status, fetchMany.status, deleteMany.status]).toEqual([400, 400, 400, 400]);
  });

  it('answers 401 without a valid Api-Key and 404 off the data plane', async () => {
    // Act
    const noKey = await fetch(`${emulator.host}/vectors/list`);
    const controlPlane = await call('GET', '/indexes/my-index');

    // Assess
    expect(noKey.status).toBe(401);
    expect(await noKey.text()).toBe('Unauthorized');
    expect(controlPlane.status).toBe(404);
  });

  it('filters with $eq / $ne / $in / $and and the shorthand, and counts per namespace', async () => {
    // Prepare
    await upsert([
      v('a', 1, { lang: 'en', page: 1, tags: ['x', 'y'] }),
      v('b', 2, { lang: 'fr', page: 2 }),
      v('c', 3, { lang: 'de', page: 3 }),
    ]);
    await upsert([v('z', 4)], 'other');
    const ids = async (filter: unknown): Promise<string[]> => {
      const { json } = await call('POST', '/query', { vector: vector(1), topK: 10, filter, includeMetadata: true, namespace: 'ns' });
      return (json as { matches: Array<{ id: string }> }).matches.map((m) => m.id).sort();
    };

    // Act & Assess
    expect(await ids({ lang: 'en' })).toEqual(['a']);
    expect(await ids({ lang: { $ne: 'en' } })).toEqual(['b', 'c']);
    expect(await ids({ lang: { $in: ['en', 'de'] } })).toEqual(['a', 'c']);
    expect(await ids({ $and: [{ page: { $gte: 2 } }, { lang: { $eq: 'fr' } }] })).toEqual(['b']);
    expect(await ids({ tags: 'y' })).toEqual(['a']);
    expect(await ids({ page: '1' })).toEqual([]);
    const stats = await call('POST', '/describe_index_stats', {});
    expect(stats.json).toMatchObject({ namespaces: { ns: { vectorCount: 3 }, other: { vectorCount: 1 } }, totalVectorCount: 4, dimension: DIMENSIONS });
  });

  it('scores by cosine similarity', async () => {
    // Prepare: e0, and a vector at 60° from it.
    const e0 = Array.from({ length: DIMENSIONS }, (_, i) => (i === 0 ? 1 : 0));
    const at60 = Array.from({ length: DIMENSIONS }, (_, i) => (i === 0 ? 0.5 * 7 : i === 1 ? (Math.sqrt(3) / 2) * 7 : 0));
    await upsert([{ id: 'e0', values: e0 }, { id: 'at60', values: at60 }]);

    // Act
    const { json } = await call('POST', '/query', { vector: e0, topK: 2, namespace: 'ns' });

    // Assess
    const [first, second] = (json as { matches: Array<{ id: string; score: number }> }).matches;
    expect(first).toMatchObject({ id: 'e0' });
    expect(first?.score).toBeCloseTo(1, 6);
    expect(second).toMatchObject({ id: 'at60' });
    expect(second?.score).toBeCloseTo(0.5, 6);
  });
});
