/**
 * What the local SQLite queue does beyond the TaskQueue contract: several processes (here,
 * connections) share one file without ever handing a message out twice, a receive waiting in
 * this process wakes on a send at once, messages a dead process held come back without
 * waiting out their visibility, and a process SIGKILLed mid-send loses nothing it committed.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../shared/adapters/local/sqlite/database.ts';
import { SqliteTaskQueue } from '../../shared/adapters/local/sqlite/sqlite-task-queue.ts';
import type { DeleteTask, EmbedTask } from '../../shared/ports/index.ts';
import { REPO_ROOT } from '../../shared/config/load.ts';

const dirs: string[] = [];
const dbs: Db[] = [];

afterEach(async () => {
  for (const db of dbs.splice(0)) db.close();
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function file(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-sqlite-queue-'));
  dirs.push(dir);
  return join(dir, 'tributary.db');
}

function open(path: string): Db {
  const db = openDatabase({ file: path });
  dbs.push(db);
  return db;
}

const remove = (docId: string, rev = '000000000001.0000000001'): DeleteTask => ({
  type: 'delete', sourceId: 'docs', docId, rev, runId: 'RUN#2026-01-01T00:00:00.000Z#00000001',
});

describe('SqliteTaskQueue on one file shared by several connections', () => {
  it('hands every message to exactly one of four receivers polling at once', async () => {
    // Prepare: four connections, as four processes would have; 300 tasks of 300 documents.
    const path = await file();
    const queues = [0, 1, 2, 3].map((i) => new SqliteTaskQueue(open(path), { maxReceiveCount: 10, receiver: `r${i}` }));
    await queues[0]!.sendEmbed(Array.from({ length: 300 }, (_, i) => remove(`doc-${i}.md`)));

    // Act: every receiver drains as fast as it can.
    const got: string[] = [];
    await Promise.all(queues.map(async (q) => {
      for (let idle = 0; idle < 3;) {
        const batch = await q.receive('embed', { max: 10, waitSeconds: 0 });
        if (batch.length === 0) {
          idle += 1;
          continue;
        }
        got.push(...batch.map((m) => (m.body as EmbedTask).docId));
        await q.ack('embed', batch.map((m) => m.receipt));
        await new Promise((r) => setImmediate(r));
      }
    }));

    // Assess
    expect(got).toHaveLength(300);
    expect(new Set(got).size).toBe(300);
    expect(await queues[3]!.depth('embed')).toEqual({ visible: 0, inFlight: 0 });
  });

  it('wakes a waiting receive as soon as this process sends, long before the poll interval', async () => {
    // Prepare: a receive that would poll other processes' sends only every 5 s.
    const queue = new SqliteTaskQueue(open(await file()), { maxReceiveCount: 10, receiver: 'me', pollMs: 5_000 });
    const started = Date.now();
    const waiting = queue.receive('embed', { max: 10, waitSeconds: 10 });

    // Act
    setTimeout(() => void queue.sendEmbed([remove('wake.md')]), 50);
    const got = await waiting;

    // Assess
    expect(got.map((m) => (m.body as EmbedTask).docId)).toEqual(['wake.md']);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('sees another connection\'s send within the poll interval', async () => {
    // Prepare
    const path = await file();
    const receiver = new SqliteTaskQueue(open(path), { maxReceiveCount: 10, receiver: 'a', pollMs: 50 });
    const sender = new SqliteTaskQueue(open(path), { maxReceiveCount: 10, receiver: 'b' });
    const waiting = receiver.receive('fetch', { max: 1, waitSeconds: 10 });

    // Act
    await sender.sendFetch([{ type: 'fetch', sourceId: 'docs', trigger: 'cli', requestedAt: new Date().toISOString() }]);
    const got = await waiting;

    // Assess
    expect(got).toHaveLength(1);
  });

  it('returns the messages a dead receiver held at once, and keeps a live one\'s in flight', async () => {
    // Prepare: "dead" and "alive" each take a message and never ack it.
    const path = await file();
    const alive = new Set(['dead', 'alive', 'survivor']);
    const options = { maxReceiveCount: 10, isReceiverAlive: (r: string) => alive.has(r) };
    const dead = new SqliteTaskQueue(open(path), { ...options, receiver: 'dead' });
    const live = new SqliteTaskQueue(open(path), { ...options, receiver: 'alive' });
    await dead.sendEmbed([remove('held-by-dead.md'), remove('held-by-live.md')]);
    const [first] = await dead.receive('embed', { max: 1, waitSeconds: 0, visibilitySeconds: 300 });
    const [second] = await live.receive('embed', { max: 1, waitSeconds: 0, visibilitySeconds: 300 });
    expect([first, second].map((m) => (m?.body as EmbedTask).docId)).toEqual(['held-by-dead.md', 'held-by-live.md']);

    // Act: "dead" dies; a process restarted after the crash receives.
    alive.delete('dead');
    const survivor = new SqliteTaskQueue(open(path), { ...options, receiver: 'survivor' });
    const got = await survivor.receive('embed', { max: 10, waitSeconds: 0 });

    // Assess: the dead one's message again (second receive), the live one's still held.
    expect(got.map((m) => [(m.body as EmbedTask).docId, m.receiveCount])).toEqual([['held-by-dead.md', 2]]);
    expect(await survivor.depth('embed')).toEqual({ visible: 0, inFlight: 2 });
    // The old receipt no longer acks the redelivered message.
    await dead.ack('embed', [first!.receipt]);
    expect(await survivor.depth('embed')).toEqual({ visible: 0, inFlight: 2 });
  });

  it('moves a message received maxReceiveCount times to the dead-letter queue, with the reason', async () => {
    // Prepare
    const queue = new SqliteTaskQueue(open(await file()), { maxReceiveCount: 2, receiver: 'me' });
    await queue.sendEmbed([remove('poison.md')]);
    for (let i = 0; i < 2; i++) {
      const [m] = await queue.receive('embed', { max: 1, waitSeconds: 0 });
      await queue.release('embed', m!.receipt, 0);
    }

    // Act
    const third = await queue.receive('embed', { max: 1, waitSeconds: 0 });

    // Assess
    expect(third).toEqual([]);
    const [dead] = await queue.listDeadLetters('embed', 10);
    expect(JSON.parse(dead!.body)).toMatchObject({ docId: 'poison.md' });
    expect(dead!.reason).toMatch(/received 2 times/);
  });

  it('loses no task it reported sent when the sending process is SIGKILLed mid-stream', async () => {
    // Prepare: a child process sends one task per transaction, printing each index once sent.
    const path = await file();
    const script = join(dirs[0]!, 'sender.mts');
    await writeFile(script, `
      import { openDatabase } from ${JSON.stringify(join(REPO_ROOT, 'shared/adapters/local/sqlite/database.ts'))};
      import { SqliteTaskQueue } from ${JSON.stringify(join(REPO_ROOT, 'shared/adapters/local/sqlite/sqlite-task-queue.ts'))};
      const queue = new SqliteTaskQueue(openDatabase({ file: ${JSON.stringify(path)} }), { maxReceiveCount: 10, receiver: 'child' });
      for (let i = 0; ; i++) {
        await queue.sendEmbed([{ type: 'delete', sourceId: 'docs', docId: 'doc-' + i + ' 🎉', rev: '1', runId: 'RUN#x' }]);
        process.stdout.write(i + '\\n');
      }
    `);
    const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });

    // Act: kill it once it has sent a few hundred.
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (out.split('\n').length > 300) {
          clearInterval(timer);
          child.kill('SIGKILL');
          resolve();
        }
      }, 5);
      child.once('exit', (code) => {
        clearInterval(timer);
        reject(new Error(`sender exited early (${code})`));
      });
    });
    await new Promise((r) => child.once('close', r));
    const reported = out.split('\n').filter((l) => l !== '').map(Number);

    // Assess: every task the child reported sent is in the queue, emoji intact.
    const queue = new SqliteTaskQueue(open(path), { maxReceiveCount: 10, receiver: 'me' });
    const depth = await queue.depth('embed');
    expect(depth.visible).toBeGreaterThanOrEqual(reported.length);
    const first = await queue.receive('embed', { max: 1, waitSeconds: 0 });
    expect((first[0]?.body as EmbedTask).docId).toBe('doc-0 🎉');
  }, 60_000);
});
