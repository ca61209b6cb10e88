/**
 * The filesystem source's walk of its tree: the entries under the root that may be documents,
 * from directory entries alone, and the folders that could not be read.
 */

import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import type { DocumentIssue } from '../../ports/index.ts';
import { compareIds, isGone, mapLimit } from './helpers.ts';
import { errorCode } from './read-file.ts';

/** The included entries of a tree, sorted, and the folders that could not be read. */
export interface Walk {
  readonly ids: readonly string[];
  readonly unreadable: readonly DocumentIssue[];
}

export interface WalkTreeOptions {
  /** The absolute path of an id ('' for the root). */
  readonly absolute: (id: string) => string;
  /** Whether the walk does not enter this folder. */
  readonly isPrunedDir: (id: string) => boolean;
  /** Include/exclude for a file whose folders are already known not to be pruned. */
  readonly isFileSelected: (id: string) => boolean;
  /** The issue reporting a skipped entry (also told to `onSkip`). */
  readonly skipped: (id: string, reason: string, prefix: boolean) => DocumentIssue;
  /** Parallel readdirs and stats. */
  readonly concurrency: number;
}

/**
 * Included entry ids under the root, sorted: files, symlinks to files and special files (a
 * listing reports these as skipped), and the folders that could not be read. Uses directory
 * entries only: no stat per regular file.
 */
export async function walkTree(options: WalkTreeOptions): Promise<Walk> {
  const files: string[] = [];
  const unreadable: DocumentIssue[] = [];
  let dirs: string[] = [''];
  // Breadth-first, one level at a time with bounded parallel readdirs.
  while (dirs.length > 0) {
    const next: string[] = [];
    await mapLimit(dirs, options.concurrency, async (dir) => {
      const entries = await readDir(options, dir, unreadable);
      for (const entry of entries) {
        const id = dir === '' ? entry.name : `${dir}/${entry.name}`;
        const kind = await kindOf(options, entry, id);
        if (kind === 'dir') {
          if (!options.isPrunedDir(id)) next.push(id);
        } else if (kind === 'file' && options.isFileSelected(id)) {
          files.push(id);
        }
      }
    });
    dirs = next;
  }
  return { ids: files.sort(compareIds), unreadable: unreadable.sort((a, b) => compareIds(a.id, b.id)) };
}

async function readDir(options: WalkTreeOptions, dir: string, unreadable: DocumentIssue[]): Promise<Dirent[]> {
  try {
    return await readdir(options.absolute(dir), { withFileTypes: true });
  } catch (error) {
    const code = errorCode(error);
    // Vanished between listing its parent and reading it.
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    // Skipped, and reported as a prefix: reconcile deletes none of its files meanwhile.
    if (code === 'EACCES' || code === 'EPERM' || code === 'ELOOP' || code === 'EIO') {
      if (dir === '') throw error;
      unreadable.push(options.skipped(`${dir}/`, `folder not readable (${code})`, true));
      return [];
    }
    throw error;
  }
}

/**
 * 'file' for entries that may be documents (files, special files, symlinks that do not lead
 * to a folder: a listing inspects those), 'dir', or 'other' (dangling links, symlinked folders).
 */
async function kindOf(options: WalkTreeOptions, entry: Dirent, id: string): Promise<'file' | 'dir' | 'other'> {
  if (entry.isDirectory()) return 'dir';
  if (!entry.isSymbolicLink()) return 'file';
  try {
    return (await stat(options.absolute(id))).isDirectory() ? 'other' : 'file';
  } catch (error) {
    // A loop or a permission error is reported when the entry is inspected; a dangling link is nothing.
    return isGone(error) ? 'other' : 'file';
  }
}
