/**
 * Two `sync` processes started at the same moment on one config share one state folder (its
 * SQLite file), and the source's lease decides which one runs. Whoever wins, both must exit
 * cleanly and the index must be exact.
 */
import { appendFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectExportMatchesFolder } from './support/checks.ts';
import {
  describeResult, killStragglers, exportKeys, exportRows, listFiles, makeWorkspace, parseJson, runCli, spawnCli, syncJson, syncReport,
  type Workspace,
} from './support/cli.ts';
import { generateCorpus, makeDocument, mulberry32 } from './support/corpus.ts';

const TIMEOUT = 180_000;
const workspaces: Workspace[] = [];

afterAll(async () => {
  await killStragglers();
  await Promise.all(workspaces.map((w) => w.remove()));
});

/** Starts two syncs at once and checks both outcomes; returns the reports. */
async function syncTwiceAtOnce(dir: string) {
  const a = spawnCli(dir, ['sync', '--json']);
  const b = spawnCli(dir, ['sync', '--json']);
  const results = await Promise.all([a.exited, b.exited]);
  for (const r of results) expect(r.code, describeResult(r)).toBe(0);
  const reports = results.map((r) => syncReport(r));
  const statuses = reports.map((r) => r.status).sort();
  const why = results.map(describeResult).join('\n\n');
  expect(statuses.includes('synced'), why).toBe(true);
  for (const s of statuses) expect(['synced', 'deferred'], why).toContain(s);
  for (const r of reports) expect(r.tasksFailed, why).toBe(0);
  return reports;
}

async function expectAuditClean(dir: string): Promise<void> {
  const r = await runCli(dir, ['audit', '--json']);
  expect(r.code, describeResult(r)).toBe(0);
  expect(parseJson<{ ok: boolean }>(r).ok).toBe(true);
}

describe('two syncs at once', () => {
  it('both exit 0, one syncs, the other syncs or defers, and the index equals a single run', async () => {
    const ws = await makeWorkspace('concurrent', { docs: generateCorpus({ count: 150, seed: 3 }) });
    workspaces.push(ws);

    // Round 1: the initial sync, raced.
    const first = await syncTwiceAtOnce(ws.dir);
    // Between them every document was indexed once.
    expect(Math.max(...first.map((r) => r.docsChanged))).toBe(150);
    await expectExportMatchesFolder(ws.corpus, await exportRows(ws.dir));
    await expectAuditClean(ws.dir);

    // Round 2: some changes, raced again (the state folder now exists, so the race is different).
    const files = await listFiles(ws.corpus);
    await appendFile(join(ws.corpus, files[5]!), '\nOne more paragraph appended by the concurrency test.\n');
    await appendFile(join(ws.corpus, files[77]!), '\nAnother paragraph appended by the concurrency test.\n');
    await rm(join(ws.corpus, files[40]!));
    await mkdir(join(ws.corpus, 'extra'), { recursive: true });
    await writeFile(join(ws.corpus, 'extra/added.md'), makeDocument(mulberry32(11), 'concurrentadded', 3));

    // A single uninterrupted run over an identical copy, meanwhile.
    const ref = await makeWorkspace('concurrent-ref', { copyCorpusFrom: ws.corpus });
    workspaces.push(ref);
    const reference = (async () => {
      expect(await syncJson(ref.dir)).toMatchObject({ status: 'synced', docsChanged: 150, tasksFailed: 0 });
      return exportRows(ref.dir);
    })();
    reference.catch(() => undefined);

    const second = await syncTwiceAtOnce(ws.dir);
    expect(second.reduce((n, r) => n + r.docsDeleted, 0)).toBe(1);

    const rows = await exportRows(ws.dir);
    await expectExportMatchesFolder(ws.corpus, rows);
    expect(exportKeys(rows)).toEqual(exportKeys(await reference));
    await expectAuditClean(ws.dir);
  }, TIMEOUT);
});
