/**
 * File-level and line-level diffs between two trees, as the compare and commit endpoints report
 * them.
 *
 * Sources:
 * - https://docs.github.com/rest/commits/commits#compare-two-commits — `files[]` with `sha`,
 *   `filename`, `status` (OpenAPI enum: added, removed, modified, renamed, copied, changed,
 *   unchanged), `additions`, `deletions`, `changes`, `blob_url`, `raw_url`, `contents_url`,
 *   `patch` (absent for binary data), `previous_filename` for renames (schema `diff-entry` in
 *   @octokit/openapi-types).
 * - Renames: git's rename detection pairs a removed and an added path; the emulator pairs exact
 *   content matches (similarity 100 %) and, for single-file moves, any pair whose content is
 *   ≥ 50 % the same lines (git's default `-M50%`). `copied`, `changed` (mode-only) and
 *   `unchanged` are never produced because the emulated trees hold only regular files.
 * - `patch` is the unified-diff body without the `diff --git`/`---`/`+++` header, starting at the
 *   first `@@` hunk, with 3 lines of context, as captured examples show.
 */

import type { ObjectStore, Sha } from './git.ts';

export type FileStatus = 'added' | 'removed' | 'modified' | 'renamed' | 'copied' | 'changed' | 'unchanged';

export interface FileChange {
  readonly filename: string;
  readonly status: FileStatus;
  readonly sha: Sha;
  readonly previousFilename?: string;
  readonly additions: number;
  readonly deletions: number;
  readonly patch?: string;
}

/** Lines compared per file before the patch is dropped (GitHub omits patches of huge diffs). */
const MAX_PATCH_LINES = 4000;

export function diffTrees(store: ObjectStore, baseTree: Sha | undefined, headTree: Sha): FileChange[] {
  const before = baseTree ? store.flatten(baseTree) : new Map<string, Sha>();
  const after = store.flatten(headTree);
  const removed = [...before].filter(([p]) => !after.has(p));
  const added = [...after].filter(([p]) => !before.has(p));
  const changes: FileChange[] = [];
  const pairedOld = new Set<string>();
  const pairedNew = new Set<string>();
  const byContent = new Map<Sha, string[]>();
  for (const [path, sha] of removed) byContent.set(sha, [...(byContent.get(sha) ?? []), path]);
  for (const [path, sha] of added) {
    const candidates = byContent.get(sha);
    const from = candidates?.shift();
    if (from === undefined) continue;
    pairedOld.add(from);
    pairedNew.add(path);
    changes.push({ filename: path, status: 'renamed', sha, previousFilename: from, additions: 0, deletions: 0 });
  }
  const leftRemoved = removed.filter(([p]) => !pairedOld.has(p));
  const leftAdded = added.filter(([p]) => !pairedNew.has(p));
  if (leftRemoved.length === 1 && leftAdded.length === 1) {
    const [[from, oldSha]] = leftRemoved as [[string, Sha]];
    const [[to, newSha]] = leftAdded as [[string, Sha]];
    const a = text(store, oldSha);
    const b = text(store, newSha);
    const d = a !== undefined && b !== undefined ? lineDiff(a, b) : undefined;
    if (d && d.common * 2 >= Math.max(lines(a!).length, lines(b!).length)) {
      pairedOld.add(from);
      pairedNew.add(to);
      changes.push({ filename: to, status: 'renamed', sha: newSha, previousFilename: from, ...counts(d) });
    }
  }
  for (const [path, sha] of after) {
    const old = before.get(path);
    if (old === sha || pairedNew.has(path)) continue;
    changes.push(fileChange(store, path, old === undefined ? 'added' : 'modified', old, sha));
  }
  for (const [path, sha] of before) {
    if (after.has(path) || pairedOld.has(path)) continue;
    changes.push(fileChange(store, path, 'removed', sha, sha));
  }
  return changes.sort((x, y) => (x.filename < y.filename ? -1 : x.filename > y.filename ? 1 : 0));
}

function fileChange(store: ObjectStore, path: string, status: FileStatus, oldSha: Sha | undefined, newSha: Sha): FileChange {
  const a = oldSha && status !== 'added' ? text(store, oldSha) : '';
  const b = status === 'removed' ? '' : text(store, newSha);
  if (a === undefined || b === undefined) return { filename: path, status, sha: newSha, additions: 0, deletions: 0 };
  return { filename: path, status, sha: newSha, ...counts(lineDiff(a, b)) };
}

/** UTF-8 text of a blob, or undefined for binary content (a NUL byte, as git decides). */
function text(store: ObjectStore, sha: Sha): string | undefined {
  const bytes = store.blobs.get(sha);
  if (!bytes || bytes.includes(0)) return undefined;
  return bytes.toString('utf8');
}

const lines = (s: string): string[] => (s === '' ? [] : s.replace(/\n$/, '').split('\n'));

interface LineDiff { ops: { op: ' ' | '-' | '+'; line: string }[]; common: number; tooBig: boolean }

function lineDiff(a: string, b: string): LineDiff {
  const x = lines(a);
  const y = lines(b);
  if (x.length * y.length > MAX_PATCH_LINES * MAX_PATCH_LINES / 4) {
    return { ops: [...x.map((line) => ({ op: '-' as const, line })), ...y.map((line) => ({ op: '+' as const, line }))], common: 0, tooBig: true };
  }
  // LCS table, then walk it to emit the edit script.
  const n = x.length;
  const m = y.length;
  const table = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i -= 1) {
    for (let j = m - 1; j >= 0; j -= 1) {
      table[i]![j] = x[i] === y[j] ? table[i + 1]![j + 1]! + 1 : Math.max(table[i + 1]![j]!, table[i]![j + 1]!);
    }
  }
  const ops: LineDiff['ops'] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && x[i] === y[j]) { ops.push({ op: ' ', line: x[i]! }); i += 1; j += 1; }
    else if (j < m && (i >= n || table[i]![j + 1]! >= table[i + 1]![j]!)) { ops.push({ op: '+', line: y[j]! }); j += 1; }
    else { ops.push({ op: '-', line: x[i]! }); i += 1; }
  }
  return { ops, common: table[0]?.[0] ?? 0, tooBig: false };
}

function counts(d: LineDiff): { additions: number; deletions: number; patch?: string } {
  const additions = d.ops.filter((o) => o.op === '+').length;
  const deletions = d.ops.filter((o) => o.op === '-').length;
  if (additions + deletions === 0) return { additions, deletions };
  return { additions, deletions, ...(d.tooBig ? {} : { patch: hunks(d.ops) }) };
}

/** Unified-diff hunks with three lines of context. */
function hunks(ops: LineDiff['ops']): string {
  const CONTEXT = 3;
  const out: string[] = [];
  let k = 0;
  let oldLine = 1;
  let newLine = 1;
  const positions = ops.map((o) => {
    const at = { old: oldLine, new: newLine };
    if (o.op !== '+') oldLine += 1;
    if (o.op !== '-') newLine += 1;
    return at;
  });
  while (k < ops.length) {
    if (ops[k]!.op === ' ') { k += 1; continue; }
    const start = Math.max(0, k - CONTEXT);
    let end = k;
    let lastChange = k;
    while (end < ops.length && (ops[end]!.op !== ' ' || end - lastChange <= CONTEXT * 2)) {
      if (ops[end]!.op !== ' ') lastChange = end;
      end += 1;
    }
    end = Math.min(ops.length, lastChange + CONTEXT + 1);
    const slice = ops.slice(start, end);
    const oldCount = slice.filter((o) => o.op !== '+').length;
    const newCount = slice.filter((o) => o.op !== '-').length;
    const oldStart = oldCount === 0 ? positions[start]!.old - 1 : positions[start]!.old;
    const newStart = newCount === 0 ? positions[start]!.new - 1 : positions[start]!.new;
    out.push(`@@ -${oldStart}${oldCount === 1 ? '' : `,${oldCount}`} +${newStart}${newCount === 1 ? '' : `,${newCount}`} @@`);
    for (const o of slice) out.push(`${o.op}${o.line}`);
    k = end;
  }
  return out.join('\n');
}
