/**
 * End to end through the real CLI (issue #12): a folder holding emoji, CJK, invalid UTF-8, a
 * binary file, a symlink out of the root (and one to /proc/self/environ), a symlink inside it,
 * a file the process may not read and a FIFO syncs with exit code 0, indexes every text file
 * exactly, reads nothing outside the root, and names each skipped file with its reason in
 * `sync --json` and `status --json`; the next sync tries them again.
 *
 * Permissions do not stop root, so when the tests run as root the CLI runs as `nobody`
 * (the workspace is handed to that user), which makes `chmod 000` mean what it says.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chunkDocument } from '../../shared/core/chunker.ts';
import {
  byDocument, describeResult, killStragglers, makeWorkspace, parseExport, parseJson, runCli, syncReport,
  type ExportRow, type RunOptions, type Workspace,
} from './support/cli.ts';
import { makeDocument, mulberry32 } from './support/corpus.ts';

const TIMEOUT = 180_000;
const isRoot = process.getuid?.() === 0;
const hasProcEnviron = existsSync('/proc/self/environ');
const CANARY_ENV = `CANARY_ENV_${randomBytes(6).toString('hex')}`;
const CANARY_FILE = `CANARY_FILE_${randomBytes(6).toString('hex')}`;

interface StatusJson {
  sources: Array<{
    id: string; documents: number; healthy: boolean; docsSkipped: number;
    skipped: Array<{ id: string; reason: string }>; warnings: Array<{ id: string; reason: string }>;
  }>;
}

let ws: Workspace;
let outside: string;
let run: RunOptions;

/** The text each indexed document must have: the file's bytes decoded as UTF-8 (invalid sequences → U+FFFD). */
const INDEXED: Record<string, { file: string; format: 'markdown' | 'text' }> = {
  'guide.md': { file: 'guide.md', format: 'markdown' },
  'emoji.md': { file: 'emoji.md', format: 'markdown' },
  'cjk.md': { file: 'cjk.md', format: 'markdown' },
  'notes/latin1.txt': { file: 'notes/latin1.txt', format: 'text' },
  'real/target.md': { file: 'real/target.md', format: 'markdown' },
  // A symlink inside the root is followed: the link's id, the target's content.
  'alias.md': { file: 'real/target.md', format: 'markdown' },
};

const SKIPPED: Record<string, RegExp> = {
  'data/noise.bin.txt': /^binary content/,
  'escape.md': /outside the root/,
  ...(hasProcEnviron ? { 'env.md': /outside the root/ } : {}),
  'locked.md': /^permission denied \(EACCES\)$/,
  'zz.md': /^not a regular file \(FIFO\)$/,
};

beforeAll(async () => {
  ws = await makeWorkspace('isolation', {
    config: { sources: [{ id: 'docs', kind: 'filesystem', root: './corpus', include: ['**/*.md', '**/*.txt'], watch: false }] },
  });
  outside = await mkdtemp(join(tmpdir(), 'tributary-e2e-outside-'));
  await chmod(outside, 0o755);
  await writeFile(join(outside, 'secret.md'), `# Secret\n\n${CANARY_FILE}\n`, { mode: 0o644 });

  const file = (id: string): string => join(ws.corpus, ...id.split('/'));
  const rng = mulberry32(12);
  await mkdir(join(ws.corpus, 'notes'), { recursive: true });
  await mkdir(join(ws.corpus, 'data'), { recursive: true });
  await mkdir(join(ws.corpus, 'real'), { recursive: true });
  await writeFile(file('guide.md'), makeDocument(rng, 'guide', 4));
  await writeFile(file('emoji.md'), '# Release notes 🚀\n\nShipped 🎉 the 🦀 rewrite; 👩🏽‍💻 on call.\n\n## Flags 🇯🇵🇧🇷\n\nNothing 🤷 else.\n');
  await writeFile(file('cjk.md'), '# 東京の案内\n\n東京駅から皇居までは徒歩で約十分です。\n\n## 中文\n\n这是一个关于数据同步的段落，包含汉字。\n\n## 한국어\n\n색인은 변경된 것만 다시 만듭니다.\n');
  await writeFile(file('notes/latin1.txt'), Buffer.concat([
    Buffer.from('Caf'), Buffer.from([0xe9]), Buffer.from(' au lait: a note saved as Latin-1 by an old editor, '),
    Buffer.from('with a cr'), Buffer.from([0xe8]), Buffer.from('me br'), Buffer.from([0xfb]), Buffer.from('l'), Buffer.from([0xe9]), Buffer.from('e too.\n'),
  ]));
  const noise = mulberry32(99);
  await writeFile(file('data/noise.bin.txt'), Buffer.from(Array.from({ length: 16 * 1024 }, () => Math.floor(noise() * 256))));
  await writeFile(file('real/target.md'), '# Target\n\nThe real file behind a symlink inside the root.\n');
  await symlink(join(ws.corpus, 'real', 'target.md'), file('alias.md'));
  await symlink(join(outside, 'secret.md'), file('escape.md'));
  if (hasProcEnviron) await symlink('/proc/self/environ', file('env.md'));
  await writeFile(file('locked.md'), '# Locked\n\nNobody may read this.\n');
  await chmod(file('locked.md'), 0o000);
  execFileSync('mkfifo', [file('zz.md')]);

  run = { env: { TRIBUTARY_E2E_CANARY: CANARY_ENV }, timeoutMs: TIMEOUT };
  if (isRoot) {
    // Root reads any file whatever its mode: run the CLI as nobody, owning the workspace.
    execFileSync('chown', ['-R', '65534:65534', ws.dir]);
    run = { ...run, user: { uid: 65534, gid: 65534 } };
    console.warn('running as root: the CLI runs as nobody (uid 65534) so that chmod 000 makes locked.md unreadable');
  }
}, TIMEOUT);

afterAll(async () => {
  await killStragglers();
  await chmod(join(ws.corpus, 'locked.md'), 0o644).catch(() => undefined);
  await ws?.remove();
  await rm(outside, { recursive: true, force: true });
});

/** `export` as the same user as the syncs (a root process would leave state files nobody cannot write). */
async function exportRows(dir: string): Promise<ExportRow[]> {
  const r = await runCli(dir, ['export', '--source', 'docs'], run);
  expect(r.code, describeResult(r)).toBe(0);
  return parseExport(r.stdout);
}

async function expectedChunks(docId: string): Promise<string[]> {
  const { file, format } = INDEXED[docId]!;
  const text = new TextDecoder('utf-8').decode(await readFile(join(ws.corpus, ...file.split('/'))));
  return chunkDocument(text, format).map((c) => c.text);
}

describe.skipIf(process.platform === 'win32')('a folder of awkward files through the CLI', () => {
  it('syncs with exit code 0, indexes every text file exactly, reads nothing outside the root, and names every skipped file', async () => {
    // Act
    const synced = await runCli(ws.dir, ['sync', '--json'], run);
    const rows = await exportRows(ws.dir);
    const statusJson = await runCli(ws.dir, ['status', '--json'], run);
    const statusText = await runCli(ws.dir, ['status'], run);
    const audit = await runCli(ws.dir, ['audit', '--json'], run);

    // Assess: the sync succeeded and says what it skipped, and why.
    expect(synced.code, describeResult(synced)).toBe(0);
    const report = syncReport(synced);
    expect(report, JSON.stringify(report)).toMatchObject({ status: 'synced', tasksFailed: 0, docsSkipped: Object.keys(SKIPPED).length });
    expect(report.skipped.map((s) => s.id).sort()).toEqual(Object.keys(SKIPPED).sort());
    for (const { id, reason } of report.skipped) expect(reason, id).toMatch(SKIPPED[id]!);
    expect(report.warnings).toEqual([{ id: 'notes/latin1.txt', reason: '4 invalid UTF-8 sequences replaced by U+FFFD' }]);

    // Every text file, exactly: the chunks of its current (decoded) text, nothing else.
    const docs = byDocument(rows);
    expect([...docs.keys()].sort()).toEqual(Object.keys(INDEXED).sort());
    for (const docId of Object.keys(INDEXED)) expect((docs.get(docId) ?? []).map((r) => r.text), docId).toEqual(await expectedChunks(docId));
    expect(rows.find((r) => r.docId === 'notes/latin1.txt')?.text).toContain('Caf\ufffd au lait');
    expect(rows.find((r) => r.docId === 'emoji.md')?.text).toContain('👩🏽‍💻');

    // Nothing from outside the root: neither the file a symlink points at, nor the process environment.
    const everything = JSON.stringify(rows);
    expect(everything).not.toContain(CANARY_FILE);
    expect(everything).not.toContain(CANARY_ENV);
    expect(everything).not.toContain('PATH=');

    // status --json names them too, and does not call the source healthy.
    expect(statusJson.code, describeResult(statusJson)).toBe(0);
    const source = parseJson<StatusJson>(statusJson).sources[0]!;
    expect(source).toMatchObject({ id: 'docs', documents: Object.keys(INDEXED).length, healthy: false, docsSkipped: Object.keys(SKIPPED).length });
    expect(source.skipped.map((s) => s.id).sort()).toEqual(Object.keys(SKIPPED).sort());
    for (const { id, reason } of source.skipped) expect(reason, id).toMatch(SKIPPED[id]!);
    expect(source.warnings.map((w) => w.id)).toEqual(['notes/latin1.txt']);
    expect(statusText.stdout).toContain('skipped zz.md: not a regular file (FIFO)');
    expect(statusText.stdout).toContain(`${Object.keys(SKIPPED).length} skipped`);

    // audit keeps them apart (the FIFO is not even listed): the index is in step with what can be read.
    expect(audit.code, describeResult(audit)).toBe(0);
    const audited = parseJson<{ ok: boolean; sources: Array<{ skipped: string[]; unindexed: string[] }> }>(audit);
    expect(audited.ok).toBe(true);
    expect(audited.sources[0]?.skipped.sort()).toEqual(Object.keys(SKIPPED).filter((id) => id !== 'zz.md').sort());
  }, TIMEOUT);

  it('the next sync tries the skipped files again: still skipped while unreadable, indexed once readable', async () => {
    // Act: once as is, then with locked.md readable.
    const again = await runCli(ws.dir, ['sync', '--json'], run);
    await chmod(join(ws.corpus, 'locked.md'), 0o644);
    const healed = await runCli(ws.dir, ['sync', '--json'], run);
    const rows = await exportRows(ws.dir);

    // Assess
    expect(again.code, describeResult(again)).toBe(0);
    expect(syncReport(again)).toMatchObject({ status: 'synced', docsChanged: 0, chunksEmbedded: 0, docsSkipped: Object.keys(SKIPPED).length });
    expect(healed.code, describeResult(healed)).toBe(0);
    const report = syncReport(healed);
    expect(report).toMatchObject({ status: 'synced', docsChanged: 1, docsSkipped: Object.keys(SKIPPED).length - 1 });
    expect(report.skipped.map((s) => s.id)).not.toContain('locked.md');
    expect(byDocument(rows).get('locked.md')?.map((r) => r.text).join('\n')).toContain('Nobody may read this.');
  }, TIMEOUT);
});
