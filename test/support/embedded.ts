import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { startEmbeddedDynamoDb } from '../../shared/wiring/embedded-dynamodb.ts';
import { startFauxqs } from 'fauxqs';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDbStateStore } from '../../shared/adapters/aws/dynamodb-state-store.ts';
import { SqsTaskQueue } from '../../shared/adapters/aws/sqs-task-queue.ts';
import { HashingEmbedder } from '../../shared/adapters/local/hashing-embedder.ts';
import { LanceDbVectorStore } from '../../shared/adapters/local/lancedb/lancedb-vector-store.ts';
import { DEFAULT_CHUNKING } from '../../shared/core/chunker.ts';
import type { CoreDeps, SourceSettings } from '../../shared/core/deps.ts';
import { silentLogger } from '../../shared/core/deps.ts';
import type { Clock, SourceConnector } from '../../shared/ports/index.ts';

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
process.env['LANCEDB_LOG'] ??= 'error';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

/** A clock tests move by hand. */
export class ManualClock implements Clock {
  constructor(private t = Date.parse('2026-01-01T00:00:00.000Z')) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
  set(ms: number): void {
    this.t = ms;
  }
}

export interface EmbeddedServers {
  readonly ddb: DynamoDBClient;
  readonly sqs: SQSClient;
  close(): Promise<void>;
}

/** In-memory dynalite and fauxqs on loopback, with real SDK clients pointed at them. */
export async function startServers(): Promise<EmbeddedServers> {
  const dyn = await startEmbeddedDynamoDb();
  const fq = await startFauxqs({ port: 0, host: '127.0.0.1', logger: false });
  const ddb = new DynamoDBClient({ endpoint: dyn.endpoint, region: 'us-east-1', credentials });
  const sqs = new SQSClient({ endpoint: `http://127.0.0.1:${fq.port}`, region: 'us-east-1', credentials });
  return {
    ddb, sqs,
    async close() {
      ddb.destroy();
      sqs.destroy();
      await fq.stop();
      await dyn.close();
    },
  };
}

/** A fresh table in the given servers (unique name, so tests can share servers). */
export async function newStateStore(servers: EmbeddedServers): Promise<DynamoDbStateStore> {
  const store = new DynamoDbStateStore({ client: servers.ddb, tableName: `t-${randomBytes(6).toString('hex')}` });
  await store.ensureTable();
  return store;
}

/** Fresh queues (unique prefix) in the given servers. */
export async function newTaskQueue(servers: EmbeddedServers, maxReceiveCount = 10): Promise<SqsTaskQueue> {
  const urls = await SqsTaskQueue.ensureQueues(servers.sqs, `q${randomBytes(5).toString('hex')}`, maxReceiveCount);
  return new SqsTaskQueue({ client: servers.sqs, urls });
}

export function testSettings(id: string, overrides: Partial<SourceSettings> = {}): SourceSettings {
  return {
    id, lookbackMs: 60_000, leaseTtlMs: 60_000, maxDeleteShare: 0.3, deleteGuardMin: 5,
    chunking: { ...DEFAULT_CHUNKING, targetTokens: 60, maxTokens: 200 }, ...overrides,
  };
}

export interface TestPipeline {
  readonly deps: CoreDeps;
  readonly clock: ManualClock;
  readonly embedder: HashingEmbedder;
  readonly vectors: LanceDbVectorStore;
  readonly state: DynamoDbStateStore;
  readonly queue: SqsTaskQueue;
  close(): Promise<void>;
}

/** The whole pipeline on embedded components, for core tests. */
export async function testPipeline(
  servers: EmbeddedServers,
  sources: Array<{ connector: SourceConnector; settings?: Partial<SourceSettings> }>,
): Promise<TestPipeline> {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-lance-'));
  const state = await newStateStore(servers);
  const queue = await newTaskQueue(servers);
  const embedder = new HashingEmbedder({ dimensions: 64 });
  const vectors = await LanceDbVectorStore.open({ dir, dimensions: 64 });
  const clock = new ManualClock();
  const connectors = new Map(sources.map((s) => [s.connector.sourceId, s.connector]));
  const settings = new Map(sources.map((s) => [s.connector.sourceId, testSettings(s.connector.sourceId, s.settings)]));
  const deps: CoreDeps = {
    state, queue, vectors, embedder, clock, log: silentLogger,
    connector: (id) => connectors.get(id),
    settings: (id) => settings.get(id),
  };
  return {
    deps, clock, embedder, vectors, state, queue,
    async close() {
      await vectors.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
