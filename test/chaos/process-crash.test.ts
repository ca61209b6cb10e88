/**
 * Real-process crash test of the local runtime: `tributary sync` runs as a child process on a
 * generated corpus and is SIGKILLed at least 20 times, with edits to the folder between kills.
 * Half the kill points are seeded, growing delays after the start (they land while the stack
 * boots, while interrupted work is recovered, while the folder is paged); the other half wait
 * for a seeded number of new LanceDB files (they land while documents are being written, on
 * a fast machine or a loaded one alike). Every restart continues where the last one died. At
 * the end, the export must equal that of one uninterrupted sync of the same final folder, and
 * the audit must be clean.
 *
 * `CHAOS_SEED` picks another kill plan; a failure prints the seed and the plan.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectExportMatchesFolder } from '../e2e/support/checks.ts';
import {
  describeResult, lanceFiles, duplicatePositions, exportKeys, exportRows, killStragglers, listFiles, makeWorkspace, parseJson, runCli, spawnCli,
  syncReport, waitFor, type CliResult, type Workspace,
} from '../e2e/support/cli.ts';
import { generateCorpus, makeDocument } from '../e2e/support/corpus.ts';
import { Rng } from '../support/rng.ts';

// 22+ CLI process starts and SIGKILLs: ~80 s alone on a loaded 2-core machine, more beside the other suites.
const TIMEOUT = 360_000;
const SEED = Number(process.env['CHAOS_SEED'] ?? 20_260_101);
const DOCUMENTS = 240;
const MIN_KILLS = 22;
const MAX_ATTEMPTS = 40;
/**
 * Timed kills: delays grow from "still booting" to "into the work". The tests start a prebuilt
 * CLI (test/support/cli-bundle.ts), which boots in a few hundred milliseconds; the first sync of
 * the corpus takes about two seconds here and each later one (five edits) about one.
 */
const FIRST_DELAY_MS = 150;
const LAST_DELAY_MS = 700;
const JITTER_MS = 250;
/** Kills on progress: after this many new LanceDB files (at most; seeded), or when the run ends. */
const MAX_FILES_INITIAL = 30;
const MAX_FILES_LATER = 3;
/** The longest a kill point may take to arrive: the run ends by itself long before. */
const KILL_POINT_TIMEOUT_MS = 90_000;
const workspaces: Workspace[] = [];

afterAll(async () => {
  await killStragglers();
  await Promise.all(workspaces.map((w) => w.remove()));
});

/** The same seeded edits, applied to both folders: some rewritten, one deleted, one new. */
async function editBoth(rng: Rng, round: number, folders: readonly string[]): Promise<string> {
  const files = await listFiles(folders[0] as string);
  const edits: string[] = [];
  for (let i = 0; i < 5 && files.length > 0; i++) {
    const file = files.splice(rng.int(0, files.length - 1), 1)[0] as string;
    const text = makeDocument(() => rng.float(), `r${round}e${i}`, rng.int(2, 6));
    for (const folder of folders) await writeFile(join(folder, ...file.split('/')), text);
    edits.push(`~${file}`);
  }
  for (let i = 0; i < 1 && files.length > 0; i++) {
    const file = files.splice(rng.int(0, files.length - 1), 1)[0] as string;
    for (const folder of folders) await rm(join(folder, ...file.split('/')));
    edits.push(`-${file}`);
  }
  for (let i = 0; i < 1; i++) {
    const file = `added/r${round}-${i}.md`;
    const text = makeDocument(() => rng.float(), `r${round}a${i}`, rng.int(2, 6));
    for (const folder of folders) {
      await mkdir(join(folder, 'added'), { recursive: true });
      await writeFile(join(folder, ...file.split('/')), text);
    }
    edits.push(`+${file}`);
  }
  return edits.join(' ');
}

interface Attempt {
  /** The kill point: a delay after the start, or a number of new LanceDB files. */
  readonly point: string;
  readonly result: CliResult;
  readonly lanceGrowth: number;
  readonly edits?: string;
}

describe('crash safety of the local runtime under SIGKILL', () => {
  it(`SIGKILLed at ${MIN_KILLS}+ points and restarted, sync ends with the index of an uninterrupted run (seed ${SEED})`, async () => {
    // Prepare: the folder, and a reference copy that only ever sees uninterrupted syncs
    const rng = new Rng(SEED);
    const ws = await makeWorkspace('chaos-crash', { docs: generateCorpus({ count: DOCUMENTS, seed: SEED % 1000 }) });
    workspaces.push(ws);
    const ref = await makeWorkspace('chaos-crash-ref', { copyCorpusFrom: ws.corpus });
    workspaces.push(ref);
    const sync = (w: Workspace) => ['sync', '--json', '--config', w.configPath];

    // Act: kill, restart, kill… with delays growing from "still booting" to "deep in the work"
    const attempts: Attempt[] = [];
    let kills = 0;
    let indexed = false;
    for (let i = 0; kills < MIN_KILLS && i < MAX_ATTEMPTS; i++) {
      const onProgress = i % 2 === 1;
      // Edits land mid-way through the first index too; once it is in, edits before each
      // progress kill keep work coming.
      const edits = (indexed && onProgress) || i === 8 || i === 16 ? await editBoth(rng, i, [ws.corpus, ref.corpus]) : undefined;
      const before = await lanceFiles(ws.stateDir);
      const run = spawnCli(ws.dir, sync(ws));
      let ended = false;
      void run.exited.then(() => { ended = true; }, () => { ended = true; });
      let point: string;
      if (onProgress) {
        const files = rng.int(1, indexed ? MAX_FILES_LATER : MAX_FILES_INITIAL);
        point = `${files} new index files`;
        await waitFor(point, async () => ended || (await lanceFiles(ws.stateDir)) - before >= files, { timeoutMs: KILL_POINT_TIMEOUT_MS, intervalMs: 10 });
      } else {
        const delayMs = FIRST_DELAY_MS + Math.round((i / MAX_ATTEMPTS) * (LAST_DELAY_MS - FIRST_DELAY_MS)) + rng.int(0, JITTER_MS);
        point = `${delayMs} ms`;
        const until = Date.now() + delayMs;
        await waitFor(point, () => ended || Date.now() >= until, { timeoutMs: delayMs + KILL_POINT_TIMEOUT_MS, intervalMs: 10 });
      }
      if (!ended) run.child.kill('SIGKILL');
      const result = await run.exited;
      if (result.signal === 'SIGKILL') kills += 1;
      // A sync that ran to its end has indexed the folder as it was.
      if (result.code === 0) indexed = true;
      attempts.push({ point, result, lanceGrowth: (await lanceFiles(ws.stateDir)) - before, ...(edits ? { edits } : {}) });
    }
    const plan = attempts.map((a, i) => `#${i + 1} after ${a.point}: ${a.result.signal ?? `exit ${a.result.code}`}, index +${a.lanceGrowth} files${a.edits ? `, after edits ${a.edits}` : ''}`).join('\n');
    const context = `seed ${SEED}; kill plan:\n${plan}`;
    if (process.env['CHAOS_VERBOSE']) console.log(context);

    // Then run to completion, and the reference once, uninterrupted, on the same final folder
    const reference = runCli(ref.dir, sync(ref));
    let completed: CliResult | undefined;
    const retries: CliResult[] = [];
    for (let i = 0; i < 3 && !completed; i++) {
      const r = await runCli(ws.dir, sync(ws));
      retries.push(r);
      if (r.code === 0 && syncReport(r).status === 'synced' && syncReport(r).tasksFailed === 0) completed = r;
    }
    const referenceRun = await reference;

    // Assess: enough kills, spread over the run, and some while the index was being written
    expect(kills, context).toBeGreaterThanOrEqual(MIN_KILLS);
    expect(attempts.filter((a) => a.result.signal === 'SIGKILL' && a.lanceGrowth > 0).length, context).toBeGreaterThanOrEqual(3);
    for (const a of attempts.filter((x) => x.result.signal !== 'SIGKILL')) expect(a.result.code, `${context}\n${describeResult(a.result)}`).toBe(0);
    expect(completed, `${context}\n${retries.map(describeResult).join('\n\n')}`).toBeDefined();
    expect(referenceRun.code, describeResult(referenceRun)).toBe(0);

    // The index is exactly the folder, and exactly what an uninterrupted run built
    const rows = await exportRows(ws.dir);
    expect(duplicatePositions(rows), context).toEqual([]);
    await expectExportMatchesFolder(ws.corpus, rows);
    expect(exportKeys(rows), context).toEqual(exportKeys(await exportRows(ref.dir)));
    const audit = await runCli(ws.dir, ['audit', '--json', '--config', ws.configPath]);
    expect(audit.code, `${context}\n${describeResult(audit)}`).toBe(0);
    expect(parseJson<{ ok: boolean }>(audit).ok, context).toBe(true);

    // Nothing is left to recover: one more sync does no work
    const again = syncReport(await runCli(ws.dir, sync(ws)));
    expect(again, context).toMatchObject({ status: 'synced', docsChanged: 0, docsDeleted: 0, embeddingCalls: 0, vectorsUpserted: 0, vectorsDeleted: 0 });
  }, TIMEOUT);
});
