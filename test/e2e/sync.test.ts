/**
 * End to end through the real CLI: initial sync of a 500-document folder, a no-op sync, a mixed
 * batch of edits/deletes/adds/a rename, and a one-section edit of a long document. The tests share
 * one workspace and run in order; each starts from the state the previous one left.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectExportMatchesFolder } from './support/checks.ts';
import {
  byDocument, describeResult, killStragglers, exportKeys, exportRows, listFiles, makeWorkspace, runCli, parseJson, syncJson,
  type ExportRow, type Workspace,
} from './support/cli.ts';
import { generateCorpus, longDocument, makeDocument, mulberry32, paragraph } from './support/corpus.ts';

const TIMEOUT = 180_000;
const LONG_DOC = 'long/handbook.md';
const LONG_SECTIONS = 12;
const EDITED_SECTION = 6;

let ws: Workspace;
/** Export after the previous step: what the next step compares against. */
let previous: ExportRow[] = [];

async function expectAuditClean(dir: string): Promise<void> {
  const r = await runCli(dir, ['audit', '--json']);
  expect(r.code, describeResult(r)).toBe(0);
  expect(parseJson<{ ok: boolean }>(r).ok).toBe(true);
}

beforeAll(async () => {
  const docs = generateCorpus({ count: 499, seed: 1 });
  docs.push({ path: LONG_DOC, text: longDocument(7, LONG_SECTIONS) });
  ws = await makeWorkspace('sync', { docs });
}, TIMEOUT);

afterAll(async () => {
  await killStragglers();
  await ws?.remove();
});

describe('sync of a folder through the CLI', () => {
  it('indexes every document of a 500-document folder, each exactly once', async () => {
    expect(await listFiles(ws.corpus)).toHaveLength(500);
    const report = await syncJson(ws.dir);
    expect(report, JSON.stringify(report)).toMatchObject({ id: 'docs', status: 'synced', docsSeen: 500, docsChanged: 500, docsDeleted: 0, docsUnchanged: 0, tasksFailed: 0 });
    expect(report.embeddingCalls).toBeGreaterThan(0);

    const rows = await exportRows(ws.dir);
    await expectExportMatchesFolder(ws.corpus, rows);
    expect(report.vectorsUpserted).toBe(rows.length);
    // Every distinct chunk text was embedded once: nothing was cached before.
    expect(report.chunksEmbedded).toBe(new Set(rows.map((r) => r.hash)).size);
    expect(rows.every((r) => r.id.startsWith('docs#'))).toBe(true);
    previous = rows;
  }, TIMEOUT);

  it('a second sync without changes embeds and writes nothing', async () => {
    const report = await syncJson(ws.dir);
    expect(report, JSON.stringify(report)).toMatchObject({
      status: 'synced', docsSeen: 500, docsChanged: 0, docsDeleted: 0, docsUnchanged: 500,
      chunksEmbedded: 0, embeddingCalls: 0, tokensEmbedded: 0, vectorsUpserted: 0, vectorsDeleted: 0, tasksFailed: 0,
    });
  }, TIMEOUT);

  it('edits, deletions, additions and a rename: the index follows the folder, and only new chunk texts are embedded', async () => {
    const files = (await listFiles(ws.corpus)).filter((f) => f !== LONG_DOC);
    const edited = [files[3]!, files[50]!, files[101]!, files[222]!, files[380]!];
    const deleted = [files[10]!, files[200]!, files[301]!];
    const renamedFrom = files[150]!;
    const renamedTo = 'renamed/moved-document.md';
    const added = ['added/new-one.md', 'added/new-two.md'];
    const rng = mulberry32(99);

    for (const [i, docId] of edited.entries()) {
      // A small edit in one section: one sentence more in the first paragraph of section 1.
      const path = join(ws.corpus, docId);
      const text = await readFile(path, 'utf8');
      const heading = text.indexOf('\n## Section 1');
      const paraStart = text.indexOf('\n\n', heading + 1) + 2;
      const paraEnd = text.indexOf('\n', paraStart);
      expect(heading > 0 && paraStart > heading && paraEnd > paraStart).toBe(true);
      await writeFile(path, `${text.slice(0, paraEnd)} Amended line number ${i} for the edit test.${text.slice(paraEnd)}`);
    }
    for (const docId of deleted) await rm(join(ws.corpus, docId));
    await mkdir(join(ws.corpus, 'added'), { recursive: true });
    await writeFile(join(ws.corpus, added[0]!), makeDocument(rng, 'addedone', 4));
    await writeFile(join(ws.corpus, added[1]!), makeDocument(rng, 'addedtwo', 3));
    await mkdir(join(ws.corpus, 'renamed'), { recursive: true });
    await rename(join(ws.corpus, renamedFrom), join(ws.corpus, renamedTo));

    const before = previous;
    const report = await syncJson(ws.dir);
    expect(report, JSON.stringify(report)).toMatchObject({
      status: 'synced', docsSeen: 499, docsChanged: 5 + 2 + 1, docsDeleted: 3 + 1, docsUnchanged: 500 - 5 - 3 - 1, tasksFailed: 0,
    });

    const after = await exportRows(ws.dir);
    await expectExportMatchesFolder(ws.corpus, after);
    const docs = byDocument(after);
    for (const gone of [...deleted, renamedFrom]) expect(docs.has(gone), gone).toBe(false);

    // Unchanged documents keep their vectors exactly (same ids, hashes, versions).
    const touched = new Set([...edited, ...deleted, renamedFrom, renamedTo, ...added]);
    const untouchedBefore = before.filter((r) => !touched.has(r.docId)).map((r) => JSON.stringify(r)).sort();
    const untouchedAfter = after.filter((r) => !touched.has(r.docId)).map((r) => JSON.stringify(r)).sort();
    expect(untouchedAfter).toEqual(untouchedBefore);

    // Only chunk texts that did not exist before may be embedded.
    const beforeHashes = new Set(before.map((r) => r.hash));
    const newHashes = new Set(after.map((r) => r.hash).filter((h) => !beforeHashes.has(h)));
    expect(newHashes.size).toBeGreaterThan(0);
    expect(report.chunksEmbedded).toBeGreaterThan(0);
    expect(report.chunksEmbedded).toBeLessThanOrEqual(newHashes.size);
    expect(report.embeddingCalls).toBeGreaterThan(0);
    // Vectors written: the changed documents' chunks whose position or text is new.
    const changedRows = after.filter((r) => touched.has(r.docId));
    expect(report.vectorsUpserted).toBeLessThanOrEqual(changedRows.length);

    // The rename re-embeds nothing: the moved document's chunks are exactly the old ones.
    const oldChunks = before.filter((r) => r.docId === renamedFrom).map((r) => r.hash);
    const movedChunks = (docs.get(renamedTo) ?? []).map((r) => r.hash);
    expect(movedChunks).toEqual(oldChunks);
    expect(movedChunks.every((h) => !newHashes.has(h))).toBe(true);
    // Each edit re-chunked only the edited section: its new chunks all belong to section 1.
    for (const docId of edited) {
      const fresh = (docs.get(docId) ?? []).filter((r) => newHashes.has(r.hash));
      expect(fresh.length, docId).toBeGreaterThanOrEqual(1);
      for (const row of fresh) expect(row.text.startsWith('## Section 1:'), `${docId}: ${row.text.slice(0, 80)}`).toBe(true);
    }

    await expectAuditClean(ws.dir);

    // A fresh index of an identical copy of the folder holds exactly the same chunks.
    const fresh = await makeWorkspace('sync-fresh', { copyCorpusFrom: ws.corpus });
    try {
      const freshReport = await syncJson(fresh.dir);
      expect(freshReport, JSON.stringify(freshReport)).toMatchObject({ status: 'synced', docsChanged: 499, tasksFailed: 0 });
      expect(exportKeys(await exportRows(fresh.dir))).toEqual(exportKeys(after));
    } finally {
      await fresh.remove();
    }
    previous = after;
  }, TIMEOUT);

  it('appending a paragraph to one section of a long document re-embeds only that section', async () => {
    const path = join(ws.corpus, LONG_DOC);
    const text = await readFile(path, 'utf8');
    const heading = `\n## Section ${EDITED_SECTION}:`;
    const start = text.indexOf(heading);
    const next = text.indexOf('\n## Section ', start + heading.length);
    expect(start).toBeGreaterThan(0);
    expect(next).toBeGreaterThan(start);
    const sectionHeading = text.slice(start + 1, text.indexOf('\n', start + 1));
    const addition = `\n${paragraph(mulberry32(5), 3, 4)}\n`;
    await writeFile(path, `${text.slice(0, next)}${addition}${text.slice(next)}`);

    const before = previous;
    const oldDoc = before.filter((r) => r.docId === LONG_DOC);
    expect(new Set(oldDoc.map((r) => r.text.split('\n')[0])).size).toBeGreaterThanOrEqual(LONG_SECTIONS);

    const report = await syncJson(ws.dir);
    expect(report, JSON.stringify(report)).toMatchObject({ status: 'synced', docsChanged: 1, docsDeleted: 0, docsUnchanged: 498, tasksFailed: 0 });

    const after = await exportRows(ws.dir);
    await expectExportMatchesFolder(ws.corpus, after);
    const newDoc = after.filter((r) => r.docId === LONG_DOC);

    const beforeHashes = new Set(before.map((r) => r.hash));
    const newHashes = newDoc.map((r) => r.hash).filter((h) => !beforeHashes.has(h));
    expect(newHashes.length).toBeGreaterThanOrEqual(1);
    expect(report.chunksEmbedded).toBe(newHashes.length);
    expect(report.chunksEmbedded).toBeLessThanOrEqual(3);
    expect(report.embeddingCalls).toBe(1);

    // Every new chunk belongs to the edited section; every other section's chunks are unchanged, in order.
    for (const row of newDoc.filter((r) => !beforeHashes.has(r.hash))) expect(row.text.startsWith(sectionHeading), row.text).toBe(true);
    const outside = (rows: ExportRow[]) => rows.filter((r) => !r.text.startsWith(sectionHeading)).map((r) => r.hash);
    expect(outside(newDoc)).toEqual(outside(oldDoc));
    expect(outside(oldDoc).length).toBeGreaterThanOrEqual(LONG_SECTIONS - 1);

    // No other document changed in the index.
    const others = (rows: ExportRow[]) => rows.filter((r) => r.docId !== LONG_DOC).map((r) => JSON.stringify(r)).sort();
    expect(others(after)).toEqual(others(before));
    await expectAuditClean(ws.dir);
  }, TIMEOUT);
});
