/**
 * Helpers for end-to-end tests that drive the real `tributary` CLI as child processes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeCorpus, type CorpusDoc } from './corpus.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** The CLI's own entry point (TypeScript compiled as it loads, by tsx). */
export const TSX_BIN = join(REPO_ROOT, 'functions', 'local', 'bin.mjs');
/** What the tests start: the same sources compiled once per run (test/support/cli-bundle.ts), or {@link TSX_BIN}. */
export const BIN = process.env['TRIBUTARY_TEST_CLI'] ?? TSX_BIN;

/** One finished CLI process. */
export interface CliResult {
  readonly args: readonly string[];
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
}

export interface RunOptions {
  readonly env?: Readonly<Record<string, string>>;
  /** Kill (SIGKILL) the process after this long; the test fails rather than hangs. @default 150 s */
  readonly timeoutMs?: number;
  /** Run the CLI as this user and group (a test running as root drops privileges so file permissions apply). */
  readonly user?: { readonly uid: number; readonly gid: number };
  /** The entry point to run instead of {@link BIN} (the Telegram tests' wrapper installs the GramJS fake first). */
  readonly bin?: string;
}

function childEnv(extra: Readonly<Record<string, string>> | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  // Never let a developer's debugging settings leak into what the tests observe.
  delete env['TRIBUTARY_DEBUG'];
  delete env['NODE_OPTIONS'];
  return env;
}

/** A CLI process that is running; `exited` settles with its result. */
export interface RunningCli {
  readonly child: ChildProcess;
  readonly exited: Promise<CliResult>;
  /** Output so far. */
  stdout(): string;
  stderr(): string;
}

/** Children still running, so a failed test can stop what it started. */
const live = new Set<ChildProcess>();

/** SIGKILLs every CLI process this module started that is still running, and waits for them. */
export async function killStragglers(): Promise<void> {
  const waits = [...live].map((child) => new Promise<void>((resolve) => {
    child.once('close', () => resolve());
    child.kill('SIGKILL');
  }));
  await Promise.all(waits);
}

export function spawnCli(cwd: string, args: readonly string[], options: RunOptions = {}): RunningCli {
  const started = Date.now();
  const child = spawn(process.execPath, [options.bin ?? BIN, ...args], {
    cwd, env: childEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.user ? { uid: options.user.uid, gid: options.user.gid } : {}),
  });
  live.add(child);
  child.once('close', () => live.delete(child));
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => { out += d; });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => { err += d; });
  const timeoutMs = options.timeoutMs ?? 150_000;
  const exited = new Promise<CliResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tributary ${args.join(' ')} did not exit within ${timeoutMs} ms\nstdout: ${out}\nstderr: ${err}`));
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ args, code, signal, stdout: out, stderr: err, durationMs: Date.now() - started });
    });
  });
  return { child, exited, stdout: () => out, stderr: () => err };
}

/** Runs the CLI to completion; never throws on a non-zero exit (the caller asserts). */
export function runCli(cwd: string, args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
  return spawnCli(cwd, args, options).exited;
}

/** Formats a result for assertion messages. */
export function describeResult(r: CliResult): string {
  return `tributary ${r.args.join(' ')} → code ${r.code} signal ${r.signal} in ${r.durationMs} ms\n--- stdout\n${r.stdout.slice(0, 4000)}\n--- stderr\n${r.stderr.slice(0, 4000)}`;
}

/** Runs the CLI and throws (with its output) unless it exits 0. */
export async function runOk(cwd: string, args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
  const r = await runCli(cwd, args, options);
  if (r.code !== 0) throw new Error(`expected exit code 0\n${describeResult(r)}`);
  return r;
}

/** One source line of `sync --json`. */
export interface SyncSourceReport {
  id: string;
  status: 'synced' | 'deferred' | 'failed';
  docsSeen: number;
  docsChanged: number;
  docsDeleted: number;
  docsUnchanged: number;
  chunksEmbedded: number;
  embeddingCalls: number;
  tokensEmbedded: number;
  vectorsUpserted: number;
  vectorsDeleted: number;
  tasksFailed: number;
  docsSkipped: number;
  skipped: Array<{ id: string; reason: string; prefix?: boolean }>;
  warnings: Array<{ id: string; reason: string }>;
  durationMs: number;
  breaker?: string;
  error?: string;
}

/** stdout of a `--json` command: exactly one JSON value. */
export function parseJson<T>(r: CliResult): T {
  try {
    return JSON.parse(r.stdout) as T;
  } catch (error) {
    throw new Error(`stdout is not one JSON value (${(error as Error).message})\n${describeResult(r)}`);
  }
}

/** Parses `sync --json` output and returns the report of `sourceId`. */
export function syncReport(r: CliResult, sourceId = 'docs'): SyncSourceReport {
  const parsed = parseJson<{ sources: SyncSourceReport[] }>(r);
  const report = parsed.sources.find((s) => s.id === sourceId);
  if (!report) throw new Error(`no report for source ${sourceId}\n${describeResult(r)}`);
  return report;
}

/** `sync --json` that must succeed; returns the source's report. */
export async function syncJson(cwd: string, extra: readonly string[] = [], sourceId = 'docs'): Promise<SyncSourceReport> {
  const r = await runOk(cwd, ['sync', '--json', ...extra]);
  return syncReport(r, sourceId);
}

/** One line of `export`. */
export interface ExportRow {
  id: string;
  sourceId: string;
  docId: string;
  chunkIndex: number;
  version: string;
  hash: string;
  text: string;
  /** The document's title, when its connector gives one (it is part of each chunk's embedded context). */
  title?: string;
  context?: string;
}

/** The title the index holds for a document, to chunk the expected text as the pipeline did. */
export function titleIn(docs: ReadonlyMap<string, readonly ExportRow[]>, docId: string): { title?: string } {
  const title = docs.get(docId)?.[0]?.title;
  return title !== undefined ? { title } : {};
}

export function parseExport(stdout: string): ExportRow[] {
  return stdout.split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as ExportRow);
}

export async function exportRows(cwd: string, sourceId = 'docs'): Promise<ExportRow[]> {
  const r = await runOk(cwd, ['export', '--source', sourceId]);
  return parseExport(r.stdout);
}

/** `docId#chunkIndex#hash` of every row, sorted: the content of an index independent of versions. */
export function exportKeys(rows: readonly ExportRow[]): string[] {
  return rows.map((r) => `${r.docId}#${r.chunkIndex}#${r.hash}`).sort();
}

/** Rows grouped by document, each list sorted by chunk index. */
export function byDocument(rows: readonly ExportRow[]): Map<string, ExportRow[]> {
  const docs = new Map<string, ExportRow[]>();
  for (const row of rows) {
    const list = docs.get(row.docId) ?? [];
    list.push(row);
    docs.set(row.docId, list);
  }
  for (const list of docs.values()) list.sort((a, b) => a.chunkIndex - b.chunkIndex);
  return docs;
}

/** `(docId, chunkIndex)` pairs that occur more than once. */
export function duplicatePositions(rows: readonly ExportRow[]): string[] {
  const seen = new Set<string>();
  const dupes: string[] = [];
  for (const r of rows) {
    const key = `${r.docId}#${r.chunkIndex}`;
    if (seen.has(key)) dupes.push(key);
    seen.add(key);
  }
  return dupes;
}

/** Documents whose chunk indexes are not exactly 0..n-1. */
export function nonContiguous(rows: readonly ExportRow[]): string[] {
  const bad: string[] = [];
  for (const [docId, list] of byDocument(rows)) {
    if (!list.every((r, i) => r.chunkIndex === i)) bad.push(docId);
  }
  return bad;
}

/** Collapses every whitespace run to one space (after CRLF normalisation). */
export function squash(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(/\s+/g, ' ').trim();
}

/**
 * Whether a chunk's content comes from `file`: every line of the chunk (a heading line or a
 * piece of body text; the chunker repeats a section's heading at the start of each of its chunks
 * and may normalise spacing between sentences) occurs in the file, whitespace-normalised.
 */
export function chunkComesFrom(chunkText: string, file: string): boolean {
  const haystack = squash(file);
  return chunkText.split('\n').map(squash).filter((l) => l !== '').every((line) => haystack.includes(line));
}

/** Relative POSIX paths of the files under `dir` whose names end in `ext`. */
export async function listFiles(dir: string, ext = '.md'): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith(ext))
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'))
    .sort();
}

export async function readCorpusFile(corpusDir: string, docId: string): Promise<string> {
  return readFile(join(corpusDir, ...docId.split('/')), 'utf8');
}

/**
 * Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`.
 * An error thrown by `check` fails at once, unless `retryErrors` (then the last one is reported
 * on timeout).
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  options: { timeoutMs?: number; intervalMs?: number; retryErrors?: boolean } = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const intervalMs = options.intervalMs ?? 100;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      if (!options.retryErrors) throw error;
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** A temp folder holding `tributary.config.json` and a corpus folder. */
export interface Workspace {
  readonly dir: string;
  readonly corpus: string;
  readonly stateDir: string;
  readonly configPath: string;
  writeConfig(config: unknown): Promise<void>;
  remove(): Promise<void>;
}

export interface WorkspaceOptions {
  /** Config object; default: one filesystem source "docs" over ./corpus. */
  readonly config?: unknown;
  readonly docs?: readonly CorpusDoc[];
  /** Copy this corpus folder instead of writing docs. */
  readonly copyCorpusFrom?: string;
}

export function defaultConfig(extra: Record<string, unknown> = {}): unknown {
  return { sources: [{ id: 'docs', kind: 'filesystem', root: './corpus', include: ['**/*.md'], ...extra }] };
}

export async function makeWorkspace(name: string, options: WorkspaceOptions = {}): Promise<Workspace> {
  const dir = await mkdtemp(join(tmpdir(), `tributary-e2e-${name}-`));
  const corpus = join(dir, 'corpus');
  const configPath = join(dir, 'tributary.config.json');
  if (options.copyCorpusFrom) {
    // Copy preserving timestamps, so versions (mtime+size) are alike too.
    await cp(options.copyCorpusFrom, corpus, { recursive: true, preserveTimestamps: true });
  } else {
    await mkdir(corpus, { recursive: true });
    if (options.docs) await writeCorpus(corpus, options.docs);
  }
  const writeConfig = (config: unknown) => writeFile(configPath, `${JSON.stringify(config, null, 2)}\n`);
  await writeConfig(options.config ?? defaultConfig());
  return {
    dir, corpus, configPath, stateDir: join(dir, '.tributary'), writeConfig,
    remove: () => rm(dir, { recursive: true, force: true, maxRetries: 3 }),
  };
}

/** Files under a state folder's LanceDB folder: every committed write adds some, so growth means work was done. */
export async function lanceFiles(stateDir: string): Promise<number> {
  try {
    return (await readdir(join(stateDir, 'lancedb'), { recursive: true })).length;
  } catch {
    return 0;
  }
}
