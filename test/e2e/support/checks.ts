/**
 * Assertions about an export compared with the folder it indexes.
 */
import { expect } from 'vitest';
import { chunkDocument } from '../../../shared/core/chunker.ts';
import { byDocument, chunkComesFrom, duplicatePositions, listFiles, nonContiguous, readCorpusFile, squash, type ExportRow } from './cli.ts';

/** Lines of the file (whitespace-normalised) that no chunk of the document contains. */
export function uncoveredLines(file: string, rows: readonly ExportRow[]): string[] {
  const all = squash(rows.map((r) => r.text).join('\n'));
  return file.replace(/\r\n?/g, '\n').split('\n').map(squash).filter((l) => l !== '' && !all.includes(l));
}

/**
 * The export is exactly the folder: one entry per file, chunk indexes 0..n-1 without duplicates,
 * every chunk's content taken from the current file, every line of the file in some chunk, and
 * the chunks those of the chunker applied to the current text (so no stale chunk survives).
 */
export async function expectExportMatchesFolder(corpusDir: string, rows: readonly ExportRow[]): Promise<void> {
  const files = await listFiles(corpusDir);
  const docs = byDocument(rows);
  expect([...docs.keys()].sort()).toEqual(files);
  expect(duplicatePositions(rows)).toEqual([]);
  expect(nonContiguous(rows)).toEqual([]);
  const problems: string[] = [];
  for (const docId of files) {
    const text = await readCorpusFile(corpusDir, docId);
    const list = docs.get(docId) ?? [];
    for (const row of list) {
      if (row.sourceId !== 'docs') problems.push(`${docId}#${row.chunkIndex}: sourceId ${row.sourceId}`);
      if (!chunkComesFrom(row.text, text)) problems.push(`${docId}#${row.chunkIndex}: text not in the file: ${JSON.stringify(row.text.slice(0, 120))}`);
    }
    const missing = uncoveredLines(text, list);
    if (missing.length > 0) problems.push(`${docId}: ${missing.length} lines of the file in no chunk, e.g. ${JSON.stringify(missing[0]!.slice(0, 120))}`);
    const expected = chunkDocument(text, 'markdown').map((c) => c.hash);
    const actual = list.map((r) => r.hash);
    if (expected.join() !== actual.join()) problems.push(`${docId}: ${actual.length} chunks in the index, ${expected.length} from chunking the current file (or different hashes)`);
  }
  expect(problems.slice(0, 20)).toEqual([]);
}
