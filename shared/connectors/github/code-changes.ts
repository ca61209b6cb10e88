/**
 * What changed in a repository between two commits, and what a commit holds, as sorted lists of
 * file changes keyed by path (so a page cursor is the last path handed out).
 *
 * - `treeFiles`: the files at a commit from `git/trees/{sha}?recursive=1`; a truncated answer
 *   (past 100,000 entries or 7 MB) is completed by walking that tree's subtrees one level at a
 *   time, each tried recursively first.
 * - `changesBetween`: `compare base...head` when GitHub gives a complete answer (status
 *   `ahead`, fewer than 300 files, at most 250 commits); otherwise — truncated, diverged or
 *   behind (a force-push), or the base gone — the two trees compared by blob SHA. A rename is
 *   the old path deleted and the new one changed. `full: true` when the base tree could not be
 *   read either: every file is listed as changed and deletions are left to reconcile.
 */
import picomatch from 'picomatch';
import type { GitHubApi, TreeEntry } from './github-api.ts';

/** GitHub's documented compare limits: files of the whole comparison, and commits without paging. */
export const COMPARE_MAX_FILES = 300;
export const COMPARE_MAX_COMMITS = 250;

export interface RepoRef { readonly owner: string; readonly repo: string }
export interface FileChange { readonly path: string; readonly sha?: string; readonly size?: number | undefined; readonly deleted?: true }
export interface ChangeSet { readonly changes: readonly FileChange[]; readonly full: boolean; readonly via: 'compare' | 'trees' | 'tree' }

/** Which paths a repository indexes (include globs minus exclude globs, dotfiles too). */
export function pathFilter(include: readonly string[], exclude: readonly string[]): (path: string) => boolean {
  const inc = picomatch([...include], { dot: true });
  const exc = exclude.length > 0 ? picomatch([...exclude], { dot: true }) : () => false;
  return (path) => inc(path) && !exc(path);
}

/** Every blob at `sha` (a commit or tree), sorted by path. */
export async function treeFiles(api: GitHubApi, ref: RepoRef, sha: string): Promise<TreeEntry[]> {
  const out: TreeEntry[] = [];
  await walk(api, ref, sha, '', out);
  return out.sort((a, b) => compareStrings(a.path, b.path));
}

async function walk(api: GitHubApi, ref: RepoRef, sha: string, prefix: string, out: TreeEntry[]): Promise<void> {
  const recursive = await api.tree(ref.owner, ref.repo, sha, true);
  if (!recursive.truncated) {
    for (const e of recursive.entries) if (e.type === 'blob') out.push({ ...e, path: prefix + e.path });
    return;
  }
  const level = await api.tree(ref.owner, ref.repo, sha, false);
  for (const e of level.entries) {
    if (e.type === 'blob') out.push({ ...e, path: prefix + e.path });
    else if (e.type === 'tree') await walk(api, ref, e.sha, `${prefix}${e.path}/`, out);
  }
}

/** The included files changed from `base` to `head`, sorted by path. */
export async function changesBetween(api: GitHubApi, ref: RepoRef, base: string, head: string, included: (path: string) => boolean): Promise<ChangeSet> {
  const comparison = await api.compare(ref.owner, ref.repo, base, head);
  if (comparison && comparison.status === 'identical') return { changes: [], full: false, via: 'compare' };
  const complete = comparison && comparison.status === 'ahead' && comparison.files.length < COMPARE_MAX_FILES
    && comparison.totalCommits <= COMPARE_MAX_COMMITS && comparison.commits >= comparison.totalCommits;
  if (comparison && complete) {
    const changes: FileChange[] = [];
    for (const f of comparison.files) {
      if (f.status === 'removed') changes.push({ path: f.filename, deleted: true });
      else {
        if (f.status === 'renamed' && f.previous_filename) changes.push({ path: f.previous_filename, deleted: true });
        if (f.sha && f.status !== 'unchanged') changes.push({ path: f.filename, sha: f.sha });
      }
    }
    return { changes: sortUnique(changes.filter((c) => included(c.path))), full: false, via: 'compare' };
  }
  const after = (await treeFiles(api, ref, head)).filter((e) => included(e.path));
  let before: TreeEntry[];
  try {
    before = (await treeFiles(api, ref, base)).filter((e) => included(e.path));
  } catch (error) {
    if ((error as { status?: number }).status !== 404) throw error;
    return { changes: after.map(toChange), full: true, via: 'tree' };
  }
  const old = new Map(before.map((e) => [e.path, e.sha]));
  const now = new Set(after.map((e) => e.path));
  const changes: FileChange[] = after.filter((e) => old.get(e.path) !== e.sha).map(toChange);
  for (const e of before) if (!now.has(e.path)) changes.push({ path: e.path, deleted: true });
  return { changes: sortUnique(changes), full: false, via: 'trees' };
}

const toChange = (e: TreeEntry): FileChange => ({ path: e.path, sha: e.sha, ...(e.size !== undefined ? { size: e.size } : {}) });

/** Sorted by path; a path both deleted and changed (a rename onto a removed file) keeps the change. */
function sortUnique(changes: FileChange[]): FileChange[] {
  const byPath = new Map<string, FileChange>();
  for (const c of changes) if (!byPath.has(c.path) || !c.deleted) byPath.set(c.path, c);
  return [...byPath.values()].sort((a, b) => compareStrings(a.path, b.path));
}

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
