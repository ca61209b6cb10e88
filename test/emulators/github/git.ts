/**
 * A small in-memory git object database: blobs, trees and commits hashed exactly as git hashes
 * them, so the SHAs the emulator serves are the SHAs `git hash-object` / `git commit` would give.
 *
 * Sources:
 * - https://git-scm.com/book/en/v2/Git-Internals-Git-Objects — an object's id is the SHA-1 of
 *   `<type> <byte length>\0<content>`; a tree's content is `<mode> <name>\0<20-byte id>` per
 *   entry (directories with mode `40000`), entries sorted by name with directories compared as
 *   `name/`; a commit's content is `tree`, `parent`…, `author`, `committer` lines, a blank line,
 *   then the message, newline-terminated as `git commit` / `git commit-tree -m` write it (the API's
 *   `message` field shows it without the final newline).
 * - The REST API reports directory modes as `040000` and file modes as `100644`
 *   (https://docs.github.com/rest/git/trees#get-a-tree).
 */

import { createHash } from 'node:crypto';

export type Sha = string;

export interface Signature {
  readonly name: string;
  readonly email: string;
  /** Epoch ms. */
  readonly at: number;
}

export interface TreeEntry {
  readonly name: string;
  readonly mode: '100644' | '100755' | '040000' | '120000';
  readonly type: 'blob' | 'tree';
  readonly sha: Sha;
}

export interface CommitObject {
  readonly tree: Sha;
  readonly parents: readonly Sha[];
  readonly author: Signature;
  readonly committer: Signature;
  readonly message: string;
}

export const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

const hash = (type: string, body: Buffer): Sha => createHash('sha1').update(`${type} ${body.length}\0`).update(body).digest('hex');

/** `git hash-object` of `content`. */
export const blobSha = (content: Buffer | string): Sha => hash('blob', Buffer.from(content));

const signatureLine = (s: Signature): string => `${s.name} <${s.email}> ${Math.floor(s.at / 1000)} +0000`;

export class ObjectStore {
  readonly blobs = new Map<Sha, Buffer>();
  readonly trees = new Map<Sha, readonly TreeEntry[]>();
  readonly commits = new Map<Sha, CommitObject>();
  private readonly flatCache = new Map<Sha, ReadonlyMap<string, Sha>>();

  constructor() {
    this.trees.set(EMPTY_TREE, []);
  }

  putBlob(content: Buffer | string): Sha {
    const bytes = Buffer.from(content);
    const sha = blobSha(bytes);
    this.blobs.set(sha, bytes);
    return sha;
  }

  putTree(entries: readonly TreeEntry[]): Sha {
    const sorted = [...entries].sort((a, b) => Buffer.compare(Buffer.from(sortKey(a)), Buffer.from(sortKey(b))));
    const body = Buffer.concat(sorted.map((e) => Buffer.concat([
      Buffer.from(`${e.mode === '040000' ? '40000' : e.mode} ${e.name}\0`), Buffer.from(e.sha, 'hex'),
    ])));
    const sha = hash('tree', body);
    this.trees.set(sha, sorted);
    return sha;
  }

  putCommit(commit: CommitObject): Sha {
    const lines = [`tree ${commit.tree}`, ...commit.parents.map((p) => `parent ${p}`),
      `author ${signatureLine(commit.author)}`, `committer ${signatureLine(commit.committer)}`, '', commit.message.endsWith('\n') ? commit.message : `${commit.message}\n`];
    const sha = hash('commit', Buffer.from(lines.join('\n')));
    this.commits.set(sha, commit);
    return sha;
  }

  /** Writes the nested trees for a flat `path → blob sha` map; returns the root tree. */
  writeFlat(files: ReadonlyMap<string, Sha>): Sha {
    interface Dir { files: Map<string, Sha>; dirs: Map<string, Dir> }
    const root: Dir = { files: new Map(), dirs: new Map() };
    for (const [path, sha] of files) {
      const parts = path.split('/');
      let dir = root;
      for (const part of parts.slice(0, -1)) {
        let next = dir.dirs.get(part);
        if (!next) dir.dirs.set(part, (next = { files: new Map(), dirs: new Map() }));
        dir = next;
      }
      dir.files.set(parts[parts.length - 1]!, sha);
    }
    const write = (dir: Dir): Sha => this.putTree([
      ...[...dir.files].map(([name, sha]): TreeEntry => ({ name, mode: '100644', type: 'blob', sha })),
      ...[...dir.dirs].map(([name, sub]): TreeEntry => ({ name, mode: '040000', type: 'tree', sha: write(sub) })),
    ]);
    const sha = write(root);
    this.flatCache.set(sha, new Map(files));
    return sha;
  }

  /** The `path → blob sha` map of a tree, recursively. */
  flatten(tree: Sha): ReadonlyMap<string, Sha> {
    const cached = this.flatCache.get(tree);
    if (cached) return cached;
    const out = new Map<string, Sha>();
    const walk = (sha: Sha, prefix: string): void => {
      for (const e of this.trees.get(sha) ?? []) {
        if (e.type === 'tree') walk(e.sha, `${prefix}${e.name}/`);
        else out.set(`${prefix}${e.name}`, e.sha);
      }
    };
    walk(tree, '');
    this.flatCache.set(tree, out);
    return out;
  }

  /** Every entry under `tree` with its path, trees before their contents (git ls-tree -r -t order). */
  walk(tree: Sha): { path: string; entry: TreeEntry }[] {
    const out: { path: string; entry: TreeEntry }[] = [];
    const visit = (sha: Sha, prefix: string): void => {
      for (const entry of this.trees.get(sha) ?? []) {
        out.push({ path: `${prefix}${entry.name}`, entry });
        if (entry.type === 'tree') visit(entry.sha, `${prefix}${entry.name}/`);
      }
    };
    visit(tree, '');
    return out;
  }

  /** The tree at `path` inside `tree` ('' is the root), or the blob entry there. */
  lookup(tree: Sha, path: string): TreeEntry | { type: 'tree'; sha: Sha; name: ''; mode: '040000' } | undefined {
    if (path === '') return { type: 'tree', sha: tree, name: '', mode: '040000' };
    let current: TreeEntry | undefined;
    let dir: Sha | undefined = tree;
    for (const part of path.split('/')) {
      if (dir === undefined) return undefined;
      current = (this.trees.get(dir) ?? []).find((e) => e.name === part);
      if (!current) return undefined;
      dir = current.type === 'tree' ? current.sha : undefined;
    }
    return current;
  }

  /** Commits reachable from `sha` (itself included). */
  ancestors(sha: Sha): Set<Sha> {
    const seen = new Set<Sha>();
    const stack = [sha];
    while (stack.length > 0) {
      const next = stack.pop()!;
      if (seen.has(next)) continue;
      seen.add(next);
      stack.push(...(this.commits.get(next)?.parents ?? []));
    }
    return seen;
  }

  /** Commits reachable from `head` and not from `base`, oldest first (topological, then by date). */
  range(base: Sha | undefined, head: Sha): Sha[] {
    const exclude = base ? this.ancestors(base) : new Set<Sha>();
    return [...this.ancestors(head)].filter((s) => !exclude.has(s)).reverse().sort((a, b) => this.depth(a) - this.depth(b));
  }

  /** The best common ancestor (the newest by depth), as `git merge-base` picks for linear and merge histories. */
  mergeBase(a: Sha, b: Sha): Sha | undefined {
    const left = this.ancestors(a);
    const common = [...this.ancestors(b)].filter((s) => left.has(s));
    return common.sort((x, y) => this.depth(y) - this.depth(x))[0];
  }

  /** Length of the longest parent chain below `sha`. */
  depth(sha: Sha): number {
    let depth = 0;
    let frontier = [sha];
    const memo = new Set<Sha>();
    while (frontier.length > 0) {
      frontier = frontier.flatMap((s) => this.commits.get(s)?.parents ?? []).filter((p) => !memo.has(p) && (memo.add(p), true));
      if (frontier.length > 0) depth += 1;
    }
    return depth;
  }

  /** Drops every object not reachable from `roots` (what `git gc` does with dangling commits). */
  gc(roots: readonly Sha[]): void {
    const keepCommits = new Set(roots.flatMap((r) => [...this.ancestors(r)]));
    const keepTrees = new Set<Sha>([EMPTY_TREE]);
    const keepBlobs = new Set<Sha>();
    for (const sha of keepCommits) {
      const tree = this.commits.get(sha)!.tree;
      keepTrees.add(tree);
      for (const { entry } of this.walk(tree)) (entry.type === 'tree' ? keepTrees : keepBlobs).add(entry.sha);
    }
    for (const sha of [...this.commits.keys()]) if (!keepCommits.has(sha)) this.commits.delete(sha);
    for (const sha of [...this.trees.keys()]) if (!keepTrees.has(sha)) { this.trees.delete(sha); this.flatCache.delete(sha); }
    for (const sha of [...this.blobs.keys()]) if (!keepBlobs.has(sha)) this.blobs.delete(sha);
  }
}

function sortKey(e: TreeEntry): string {
  return e.type === 'tree' ? `${e.name}/` : e.name;
}
