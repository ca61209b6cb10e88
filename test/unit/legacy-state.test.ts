/**
 * A state folder of the previous local layout (state in dynalite's LevelDB folder, queues in
 * memory) is moved into the SQLite file on the first open: cursors, ledger and embedding cache
 * survive, so the next sync reads no unchanged file and embeds nothing, and a document whose
 * task was lost with the in-memory queue is recovered.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { startFauxqs } from 'fauxqs';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { syncSources } from '../../functions/local/sync.ts';
import { DynamoDbStateStore } from '../../shared/adapters/aws/dynamodb-state-store.ts';
import { SqsTaskQueue } from '../../shared/adapters/aws/sqs-task-queue.ts';
import { HashingEmbedder } from '../../shared/adapters/local/hashing-embedder.ts';
import { LanceDbVectorStore } from '../../shared/adapters/local/lancedb/lancedb-vector-store.ts';
import { loadConfig } from '../../shared/config/load.ts';
import { silentLogger, type CoreDeps, type SourceSettings } from '../../shared/core/deps.ts';
import { runFetch } from '../../shared/core/fetch-run.ts';
import { FilesystemConnector } from '../../shared/connectors/filesystem/filesystem-connector.ts';
import { startEmbeddedDynamoDb } from '../../shared/wiring/embedded-dynamodb.ts';
import { openLocalStack } from '../../shared/wiring/local-stack.ts';
import { drainEmbedQueue } from '../support/drain.ts';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

/** Indexes `corpus` the way the previous layout's `tributary sync` did, into `stateDir`. */
async function legacySync(stateDir: string, corpus: string, options: { loseLast?: boolean } = {}): Promise<void> {
  const dyn = await startEmbeddedDynamoDb({ path: join(stateDir, 'dynamodb') });
  const fq = await startFauxqs({ port: 0, host: '127.0.0.1', logger: false });
  const ddb = new DynamoDBClient({ endpoint: dyn.endpoint, region: 'us-east-1', credentials });
  const sqs = new SQSClient({ endpoint: `http://127.0.0.1:${fq.port}`, region: 'us-east-1', credentials });
  const state = new DynamoDbStateStore({ client: ddb, tableName: 'tributary-state' });
  await state.ensureTable();
  const queue = new SqsTaskQueue({ client: sqs, urls: await SqsTaskQueue.ensureQueues(sqs, 'tributary', 7) });
  const vectors = await LanceDbVectorStore.open({ dir: join(stateDir, 'lancedb'), dimensions: 384 });
  const connector = new FilesystemConnector({ sourceId: 'docs', root: corpus, include: ['**/*.md'] });
  // The config's defaults, as the local stack derives them (same chunker signature).
  const settings: SourceSettings = {
    id: 'docs', lookbackMs: 600_000, leaseTtlMs: 60_000, maxDeleteShare: 0.3, deleteGuardMin: 5,
    chunking: { targetTokens: 300, maxTokens: 800, overlapTurns: 0 },
  };
  const deps: CoreDeps = {
    state, queue, vectors, embedder: new HashingEmbedder({ dimensions: 384 }), clock: { now: () => Date.now() }, log: silentLogger,
    connector: () => connector, settings: () => settings,
  };
  try {
    await runFetch(deps, { type: 'fetch', sourceId: 'docs', trigger: 'cli', requestedAt: new Date().toISOString() }, { owner: 'legacy' });
    if (options.loseLast) {
      // The process died before the last task ran: with the in-memory queue, the task is gone.
      const all = await queue.receive('embed', { max: 10, waitSeconds: 0 });
      const lost = all.filter((m) => (m.body as { docId: string }).docId === 'c.md');
      expect(lost).toHaveLength(1);
      await queue.ack('embed', lost.map((m) => m.receipt));
      for (const m of all.filter((x) => !lost.includes(x))) await queue.release('embed', m.receipt, 0);
      await drainEmbedQueue(deps);
    } else {
      await drainEmbedQueue(deps);
    }
  } finally {
    await vectors.close();
    ddb.destroy();
    sqs.destroy();
    await fq.stop();
    await dyn.close();
  }
}

/** Three files indexed by the previous layout, with a config over them. */
async function legacyFolder(options: { loseLast?: boolean }): Promise<{ dir: string; stateDir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-legacy-'));
  dirs.push(dir);
  const corpus = join(dir, 'corpus');
  await mkdir(corpus);
  for (const [name, text] of [['a.md', '# A\n\nalpha text'], ['b.md', '# B\n\nbeta text'], ['c.md', '# C\n\ngamma text']]) {
    await writeFile(join(corpus, name!), text!);
  }
  const stateDir = join(dir, '.tributary');
  await legacySync(stateDir, corpus, options);
  await writeFile(join(dir, 'tributary.config.json'), JSON.stringify({ sources: [{ id: 'docs', kind: 'filesystem', root: './corpus', include: ['**/*.md'] }] }));
  return { dir, stateDir };
}

describe('moving a state folder of the previous layout', () => {
  it('carries cursors, ledger and embedding cache into SQLite: the next sync embeds nothing', async () => {
    // Prepare: a folder indexed by the previous layout.
    const { dir, stateDir } = await legacyFolder({});
    await writeFile(join(stateDir, 'host.json'), '{}');

    // Act
    const stack = await openLocalStack(loadConfig({ cwd: dir, allowDemo: false }), { log: silentLogger });
    let report;
    try {
      [report] = await syncSources(stack, { sourceIds: ['docs'], full: false, allowMassDelete: false });
    } finally {
      await stack.close();
    }

    // Assess: nothing re-read for embedding, the old folder kept aside, the host record gone.
    expect(report).toMatchObject({ status: 'synced', docsSeen: 3, docsChanged: 0, docsUnchanged: 3, chunksEmbedded: 0, embeddingCalls: 0, recovered: 0 });
    expect(existsSync(join(stateDir, 'dynamodb'))).toBe(false);
    expect(existsSync(join(stateDir, 'dynamodb.migrated'))).toBe(true);
    expect(existsSync(join(stateDir, 'host.json'))).toBe(false);
  }, 60_000);

  it('recovers a document whose task was lost with the in-memory queue, from the cached embedding', async () => {
    // Prepare: the last task of the legacy sync never ran.
    const { dir } = await legacyFolder({ loseLast: true });

    // Act
    const stack = await openLocalStack(loadConfig({ cwd: dir, allowDemo: false }), { log: silentLogger });
    let report;
    let hits;
    try {
      [report] = await syncSources(stack, { sourceIds: ['docs'], full: false, allowMassDelete: false });
      hits = await stack.deps.vectors.scan('docs#');
    } finally {
      await stack.close();
    }

    // Assess: c.md recovered; its chunk was embedded ahead by the fetcher, so the cache holds it.
    expect(report).toMatchObject({ status: 'synced', recovered: 1, embeddingCalls: 0, tasksFailed: 0 });
    expect(hits.map((h) => h.metadata['docId']).sort()).toEqual(['a.md', 'b.md', 'c.md']);
  }, 60_000);
});
