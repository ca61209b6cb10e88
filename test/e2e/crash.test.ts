/**
 * Crash safety: `sync` is SIGKILLed at several points (before the stack is up, while documents
 * are being embedded), then run again until it completes. The index must end up exactly as an
 * uninterrupted run over an identical copy of the corpus leaves it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { expectExportMatchesFolder } from './support/checks.ts';
import {
  describeResult, lanceFiles, killStragglers, duplicatePositions, exportKeys, exportRows, makeWorkspace, parseJson, runCli, spawnCli, syncJson,
  syncReport, waitFor, type CliResult, type Workspace,
} from './support/cli.ts';
import { generateCorpus } from './support/corpus.ts';

const TIMEOUT = 240_000;
const workspaces: Workspace[] = [];

afterAll(async () => {
  await killStragglers();
  await Promise.all(workspaces.map((w) => w.remove()));
});

type KillPoint = { readonly afterMs: number } | { readonly afterLanceFiles: number };

interface Attempt {
  readonly point: KillPoint;
  readonly result: CliResult;
  /** Whether the index had grown during this run before it ended. */
  readonly progressed: boolean;
}

describe('crash safety', () => {
  it('SIGKILLed syncs, run again until complete, leave the same index as an uninterrupted run', async () => {
    const docs = generateCorpus({ count: 300, seed: 2 });
    const ws = await makeWorkspace('crash', { docs });
    workspaces.push(ws);
    const ref = await makeWorkspace('crash-ref', { copyCorpusFrom: ws.corpus });
    workspaces.push(ref);

    // The uninterrupted reference runs meanwhile; the kills below are correct wherever they land.
    const reference = (async () => {
      const report = await syncJson(ref.dir);
      expect(report, JSON.stringify(report)).toMatchObject({ status: 'synced', docsChanged: 300, tasksFailed: 0 });
      return exportRows(ref.dir);
    })();
    reference.catch(() => undefined);

    // Thresholds are small: LanceDB groups concurrent upserts, so a 300-document sync adds only
    // about 150 files. A run that finishes before its kill point simply ends the plan.
    const plan: KillPoint[] = [
      { afterMs: 200 }, // still loading
      { afterMs: 1_000 }, // loading or opening the stack
      { afterLanceFiles: 5 }, // the first documents are in
      { afterLanceFiles: 30 }, // well into the embedding (after recovering the previous run's work)
      { afterMs: 2_500 },
      { afterLanceFiles: 15 },
    ];
    const attempts: Attempt[] = [];
    for (const point of plan) {
      const baseline = await lanceFiles(ws.stateDir);
      const run = spawnCli(ws.dir, ['sync', '--json']);
      let ended = false;
      void run.exited.then(() => { ended = true; }, () => { ended = true; });
      if ('afterMs' in point) {
        const until = Date.now() + point.afterMs;
        await waitFor('the kill delay', () => ended || Date.now() >= until, { timeoutMs: point.afterMs + 5_000, intervalMs: 20 });
      } else {
        await waitFor(`${point.afterLanceFiles} new LanceDB files`, async () => ended || (await lanceFiles(ws.stateDir)) - baseline >= point.afterLanceFiles, { timeoutMs: 120_000, intervalMs: 20 });
      }
      if (!ended) run.child.kill('SIGKILL');
      const result = await run.exited;
      attempts.push({ point, result, progressed: (await lanceFiles(ws.stateDir)) > baseline });
      if (result.code === 0) {
        // It finished before the kill: nothing left to interrupt.
        expect(syncReport(result).status, describeResult(result)).toBe('synced');
        break;
      }
      expect(result.signal, describeResult(result)).toBe('SIGKILL');
    }
    const summary = attempts.map((a) => `${JSON.stringify(a.point)}: ${a.result.signal ?? `exit ${a.result.code}`} after ${a.result.durationMs} ms, index grew: ${a.progressed}`).join('\n');
    const killed = attempts.filter((a) => a.result.signal === 'SIGKILL');
    expect(killed.length, summary).toBeGreaterThanOrEqual(3);
    // At least one kill landed while documents were being written to the index.
    expect(killed.some((a) => a.progressed), summary).toBe(true);

    // Run again until a sync completes.
    let completed: CliResult | undefined;
    const retries: CliResult[] = [];
    for (let i = 0; i < 3 && !completed; i++) {
      const r = await runCli(ws.dir, ['sync', '--json']);
      retries.push(r);
      if (r.code === 0 && syncReport(r).status === 'synced' && syncReport(r).tasksFailed === 0) completed = r;
    }
    expect(completed, retries.map(describeResult).join('\n\n')).toBeDefined();

    const rows = await exportRows(ws.dir);
    expect(duplicatePositions(rows)).toEqual([]);
    await expectExportMatchesFolder(ws.corpus, rows);
    expect(exportKeys(rows)).toEqual(exportKeys(await reference));

    const audit = await runCli(ws.dir, ['audit', '--json']);
    expect(audit.code, describeResult(audit)).toBe(0);
    expect(parseJson<{ ok: boolean }>(audit).ok).toBe(true);

    // Nothing is left to recover: one more sync is a no-op.
    const again = await syncJson(ws.dir);
    expect(again, JSON.stringify(again)).toMatchObject({ status: 'synced', docsChanged: 0, docsDeleted: 0, embeddingCalls: 0, vectorsUpserted: 0, vectorsDeleted: 0 });
  }, TIMEOUT);
});
