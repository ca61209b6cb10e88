/**
 * Run ids are opaque to the core: the stores key run records `RUN#<id>`, the core never
 * builds a sort key. State and tasks written before that named runs by their sort key
 * (`runSk: "RUN#<id>"`); these tests hold that such state still reads as the same run.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runKey, toRunRecord, toSourceState } from '../../shared/adapters/aws/dynamodb-items.ts';
import { openDatabase } from '../../shared/adapters/local/sqlite/database.ts';
import { SqliteStateStore } from '../../shared/adapters/local/sqlite/sqlite-state-store.ts';
import { decodeEmbedTask } from '../../shared/core/tasks.ts';
import { HashingEmbedder } from '../../shared/adapters/local/hashing-embedder.ts';
import { silentLogger, type CoreDeps } from '../../shared/core/deps.ts';
import { runFetch } from '../../shared/core/fetch-run.ts';
import { ManualClock, testSettings } from '../support/embedded.ts';
import { MemorySource } from '../support/memory-source.ts';
import { InMemoryStateStore } from '../support/memory-state-store.ts';
import { InMemoryTaskQueue } from '../support/memory-task-queue.ts';
import { InMemoryVectorStore } from '../support/memory-vector-store.ts';

const RUN_ID = '2026-01-01T00:00:00.000Z#00000001';
const PASS = { snapshotAt: '2026-01-01T00:00:00.000Z', full: true, pages: 2, cursor: { after: 'b.md' } };
const RUN = {
  sourceId: 'docs', trigger: 'schedule', startedAt: '2026-01-01T00:00:00.000Z', pages: 0, status: 'running' as const,
  docsSeen: 0, docsChanged: 0, docsDeleted: 0, docsUnchanged: 0, tasksEnqueued: 0, tasksDone: 0, tasksFailed: 0,
  chunksEmbedded: 0, embeddingCalls: 0, tokensEmbedded: 0, estimatedCostUsd: 0, vectorsUpserted: 0, vectorsDeleted: 0,
};

describe('opaque run ids', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  it('the core makes ids without the table\'s key prefix; the store keys them itself', async () => {
    // Prepare
    const clock = new ManualClock();
    const source = new MemorySource('docs', 2);
    source.put('a.md', '# A\n\nBody.\n');
    const state = new InMemoryStateStore();
    const settings = testSettings('docs');
    const queue = new InMemoryTaskQueue({ clock });
    const deps: CoreDeps = {
      state, queue, vectors: new InMemoryVectorStore(), embedder: new HashingEmbedder({ dimensions: 16 }), clock, log: silentLogger,
      connector: (id) => (id === 'docs' ? source : undefined), settings: (id) => (id === 'docs' ? settings : undefined),
    };

    // Act
    const result = await runFetch(deps, { type: 'fetch', sourceId: 'docs', trigger: 'cli', requestedAt: new Date(clock.now()).toISOString() }, { owner: 'host:1:ids' });
    const [message] = await queue.receive('embed', { max: 1, waitSeconds: 0 });

    // Assess
    const runId = result.runId ?? '';
    expect(runId).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z#\d{8}$/);
    expect((message?.body as { runId?: string }).runId).toBe(runId);
    expect((await state.listRuns('docs', 5)).map((r) => r.runId)).toEqual([runId]);
    expect(runKey(runId)).toBe(`RUN#${runId}`);
  });

  it('an embed task queued with the old runSk counts into the same run', () => {
    // Act
    const task = decodeEmbedTask({ type: 'delete', sourceId: 'docs', docId: 'a.md', rev: 'r1', runSk: `RUN#${RUN_ID}` });

    // Assess
    expect(task).toEqual({ type: 'delete', sourceId: 'docs', docId: 'a.md', rev: 'r1', runId: RUN_ID });
  });

  it('DynamoDB items of the old layout read as the same run and pass', () => {
    // Act
    const state = toSourceState('docs', { pk: 'SRC#docs', sk: 'STATE', epoch: 1, pass: { ...PASS, runSk: `RUN#${RUN_ID}` } });
    const run = toRunRecord({ pk: 'SRC#docs', sk: `RUN#${RUN_ID}`, ...RUN, runSk: `RUN#${RUN_ID}` });

    // Assess
    expect(state.pass).toEqual({ ...PASS, runId: RUN_ID });
    expect(run).toEqual({ ...RUN, runId: RUN_ID });
  });

  it('a local database of schema 4 is upgraded: runs and the pass in progress hold bare ids', async () => {
    // Prepare: a file with a run and a pass as schema 4 wrote them.
    const dir = await mkdtemp(join(tmpdir(), 'tributary-runids-'));
    dirs.push(dir);
    const file = join(dir, 'state.db');
    const old = openDatabase({ file });
    old.prepare('INSERT INTO runs (source_id, run_id, started_at, record) VALUES (?, ?, ?, ?)')
      .run('docs', `RUN#${RUN_ID}`, RUN.startedAt, JSON.stringify({ ...RUN, runSk: `RUN#${RUN_ID}` }));
    old.prepare('INSERT INTO sources (source_id, epoch, pass) VALUES (?, ?, ?)').run('docs', 1, JSON.stringify({ ...PASS, runSk: `RUN#${RUN_ID}` }));
    old.pragma('user_version = 4');
    old.close();

    // Act
    const db = openDatabase({ file });
    const store = new SqliteStateStore(db);
    try {
      // Assess
      expect(db.pragma('user_version', { simple: true })).toBe(5);
      expect(await store.getRun('docs', RUN_ID)).toEqual({ ...RUN, runId: RUN_ID });
      expect((await store.listRuns('docs', 5)).map((r) => r.runId)).toEqual([RUN_ID]);
      expect((await store.getSource('docs'))?.pass).toEqual({ ...PASS, runId: RUN_ID });
    } finally {
      db.close();
    }
  });
});
