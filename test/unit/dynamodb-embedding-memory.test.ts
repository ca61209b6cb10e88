/**
 * The DynamoDB state store keeps recently read or written embedding vectors in process memory:
 * the fetcher embeds a page and stores the vectors, and the embedder reads the same vectors
 * moments later. Entries are content-addressed, so the memory can never disagree with the table.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDbStateStore } from '../../shared/adapters/aws/dynamodb-state-store.ts';
import { startServers, type EmbeddedServers } from '../support/embedded.ts';

let servers: EmbeddedServers;
/** BatchGetItem requests sent by the client, by table. */
const batchGets: string[] = [];

beforeAll(async () => {
  servers = await startServers();
  servers.ddb.middlewareStack.add((next, context) => async (args) => {
    if (context.commandName === 'BatchGetItemCommand') {
      const input = args.input as { RequestItems?: Record<string, unknown> };
      batchGets.push(...Object.keys(input.RequestItems ?? {}));
    }
    return next(args);
  }, { step: 'initialize', name: 'countBatchGets' });
});
afterAll(async () => {
  await servers.close();
});

async function store(embeddingMemoryBytes?: number): Promise<{ store: DynamoDbStateStore; table: string; gets: () => number }> {
  const table = `t-${randomBytes(6).toString('hex')}`;
  const s = new DynamoDbStateStore({ client: servers.ddb, tableName: table, ...(embeddingMemoryBytes !== undefined ? { embeddingMemoryBytes } : {}) });
  await s.ensureTable();
  return { store: s, table, gets: () => batchGets.filter((t) => t === table).length };
}

const vector = (seed: number, dims = 8): Float32Array => Float32Array.from({ length: dims }, (_, i) => seed + i / 10);

describe('DynamoDB state store: embedding vectors in memory', () => {
  it('answers a read of vectors it stored without a request, and the table holds them too', async () => {
    const { store: s, table, gets } = await store();
    await s.putEmbeddings('m', 8, new Map([['a', vector(1)], ['b', vector(2)]]));

    const read = await s.getEmbeddings('m', 8, ['a', 'b']);
    expect(gets()).toBe(0);
    expect([...read.get('a')!]).toEqual([...vector(1)]);

    // A second store on the same table (another process, a cold Lambda) reads them from DynamoDB.
    const other = new DynamoDbStateStore({ client: servers.ddb, tableName: table });
    const fromTable = await other.getEmbeddings('m', 8, ['a', 'b', 'missing']);
    expect([...fromTable.keys()].sort()).toEqual(['a', 'b']);
    expect([...fromTable.get('b')!]).toEqual([...vector(2)]);
  });

  it('asks the table only for what it does not hold, and keeps what the table returned', async () => {
    const { store: s, table, gets } = await store();
    const writer = new DynamoDbStateStore({ client: servers.ddb, tableName: table, embeddingMemoryBytes: 0 });
    await writer.putEmbeddings('m', 8, new Map([['cold', vector(3)]]));
    await s.putEmbeddings('m', 8, new Map([['warm', vector(4)]]));

    const first = await s.getEmbeddings('m', 8, ['warm', 'cold']);
    expect([...first.keys()].sort()).toEqual(['cold', 'warm']);
    expect(gets()).toBe(1);
    await s.getEmbeddings('m', 8, ['warm', 'cold']);
    expect(gets()).toBe(1);
  });

  it('keeps models and dimensions apart', async () => {
    const { store: s } = await store();
    await s.putEmbeddings('m', 8, new Map([['a', vector(1)]]));
    expect((await s.getEmbeddings('other-model', 8, ['a'])).size).toBe(0);
    expect((await s.getEmbeddings('m', 16, ['a'])).size).toBe(0);
  });

  it('holds no more than its byte budget, dropping the least recently used first', async () => {
    // Each 8-dimension entry counts 32 bytes of vector + 2 bytes per key character + 64.
    const perEntry = 32 + `EMB#m#8#k00`.length * 2 + 64;
    const { store: s, gets } = await store(perEntry * 3);
    for (const k of ['k01', 'k02', 'k03']) await s.putEmbeddings('m', 8, new Map([[k, vector(1)]]));
    await s.getEmbeddings('m', 8, ['k01']); // k01 is now the most recently used
    await s.putEmbeddings('m', 8, new Map([['k04', vector(4)]])); // evicts k02

    expect(gets()).toBe(0);
    await s.getEmbeddings('m', 8, ['k01', 'k03', 'k04']);
    expect(gets()).toBe(0);
    const k02 = await s.getEmbeddings('m', 8, ['k02']);
    expect(gets()).toBe(1);
    expect(k02.has('k02')).toBe(true);
  });

  it('with a budget of 0, every read goes to the table', async () => {
    const { store: s, gets } = await store(0);
    await s.putEmbeddings('m', 8, new Map([['a', vector(1)]]));
    await s.getEmbeddings('m', 8, ['a']);
    await s.getEmbeddings('m', 8, ['a']);
    expect(gets()).toBe(2);
  });

  it('remembers nothing from a write that failed', async () => {
    const { store: s, gets } = await store();
    const broken = new DynamoDbStateStore({ client: servers.ddb, tableName: 'no-such-table' });
    await expect(broken.putEmbeddings('m', 8, new Map([['a', vector(1)]]))).rejects.toThrow();
    expect((await broken.getEmbeddings('m', 8, ['a']).catch(() => new Map())).size).toBe(0);
    expect(gets()).toBe(0);
    expect((await s.getEmbeddings('m', 8, ['a'])).size).toBe(0);
  });

  it('writes each vector to its hash\'s shard key and still reads vectors cached under the unsharded key', async () => {
    // Prepare: a vector cached before the sharding (under EMB#m#8), and one stored now.
    const { store: s, table } = await store(0);
    const hash = 'c0ffee';
    await servers.ddb.send(new PutItemCommand({
      TableName: table, Item: { pk: { S: 'EMB#m#8' }, sk: { S: 'old1' }, v: { B: new Uint8Array(vector(7).buffer) } },
    }));
    // Act
    await s.putEmbeddings('m', 8, new Map([[hash, vector(3)]]));
    const read = await s.getEmbeddings('m', 8, [hash, 'old1', 'missing']);
    // Assess
    const { Item } = await servers.ddb.send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'EMB#m#8#c' }, sk: { S: hash } } }));
    expect(Item).toBeDefined();
    expect([...read.keys()].sort()).toEqual([hash, 'old1']);
    expect([...read.get('old1')!]).toEqual([...vector(7)]);
  });
});
