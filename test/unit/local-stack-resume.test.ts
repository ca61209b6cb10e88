/**
 * The local queue is durable: a run killed after enqueuing its tasks leaves them in the
 * database file, and the next `tributary sync` applies them instead of fetching the documents
 * again, and returns only once they are applied (the index is then complete).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { syncSources } from '../../functions/local/sync.ts';
import { loadConfig } from '../../shared/config/load.ts';
import { silentLogger } from '../../shared/core/deps.ts';
import { runFetch } from '../../shared/core/fetch-run.ts';
import { openLocalStack } from '../../shared/wiring/local-stack.ts';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe('a sync after a run that died with its tasks queued', () => {
  it('applies the queued tasks, fetches nothing again, and returns once the index is complete', async () => {
    // Prepare: 30 documents; a run enqueues every task and "dies" (its process never embeds them).
    const dir = await mkdtemp(join(tmpdir(), 'tributary-resume-'));
    dirs.push(dir);
    await mkdir(join(dir, 'corpus'));
    for (let i = 0; i < 30; i++) await writeFile(join(dir, 'corpus', `doc-${String(i).padStart(2, '0')}.md`), `# Doc ${i}\n\nText of document number ${i}.`);
    await writeFile(join(dir, 'tributary.config.json'), JSON.stringify({ sources: [{ id: 'docs', kind: 'filesystem', root: './corpus', watch: false, pageSize: 7 }] }));
    const loaded = loadConfig({ cwd: dir, allowDemo: false });
    const dead = await openLocalStack(loaded, { log: silentLogger });
    const first = await runFetch(dead.deps, { type: 'fetch', sourceId: 'docs', trigger: 'cli', requestedAt: new Date().toISOString() }, { owner: dead.owner });
    expect(first.counters.tasksEnqueued).toBe(30);
    await dead.close();

    // Act
    const stack = await openLocalStack(loaded, { log: silentLogger });
    let report;
    let indexed;
    try {
      [report] = await syncSources(stack, { sourceIds: ['docs'], full: false, allowMassDelete: false });
      indexed = new Set((await stack.deps.vectors.scan('docs#')).map((r) => r.metadata['docId']));
    } finally {
      await stack.close();
    }

    // Assess: nothing enqueued again (the markers name the queued tasks), all 30 applied.
    expect(report).toMatchObject({ status: 'synced', docsChanged: 0, docsUnchanged: 30, continued: 30, recovered: 0 });
    expect(indexed.size).toBe(30);
  });
});

describe('a state database lost while the index was kept', () => {
  it('re-syncs without a second copy of any vector (appends turn into merges)', async () => {
    // Prepare: a folder indexed, then the database deleted.
    const dir = await mkdtemp(join(tmpdir(), 'tributary-lost-db-'));
    dirs.push(dir);
    await mkdir(join(dir, 'corpus'));
    for (let i = 0; i < 5; i++) await writeFile(join(dir, 'corpus', `doc-${i}.md`), `# Doc ${i}\n\nText ${i}.`);
    await writeFile(join(dir, 'tributary.config.json'), JSON.stringify({ sources: [{ id: 'docs', kind: 'filesystem', root: './corpus', watch: false }] }));
    const loaded = loadConfig({ cwd: dir, allowDemo: false });
    const first = await openLocalStack(loaded, { log: silentLogger });
    await syncSources(first, { sourceIds: ['docs'], full: false, allowMassDelete: false });
    const before = (await first.deps.vectors.listIds('docs#')).length;
    await first.close();
    for (const suffix of ['', '-wal', '-shm']) await rm(join(dir, '.tributary', `tributary.db${suffix}`), { force: true });

    // Act
    const warnings: string[] = [];
    const stack = await openLocalStack(loaded, { log: { ...silentLogger, warn: (message) => void warnings.push(message) } });
    let ids: string[];
    try {
      await syncSources(stack, { sourceIds: ['docs'], full: false, allowMassDelete: false });
      ids = await stack.deps.vectors.listIds('docs#');
    } finally {
      await stack.close();
    }

    // Assess
    expect(ids).toHaveLength(before);
    expect(new Set(ids).size).toBe(ids.length);
    expect(warnings.some((w) => w.includes('audit --repair'))).toBe(true);
  });
});
