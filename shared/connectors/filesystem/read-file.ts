/**
 * Reading one file of a folder source safely: only regular files, only inside the real root
 * (a symlink is followed only to a target under it), never blocking on a FIFO or device, and
 * only text (binary content is refused, invalid UTF-8 reported). Each outcome is one of
 * "here is the text", "skip it, because…" or "there is no such file".
 */

import { constants, type Stats } from 'node:fs';
import { lstat, open, realpath, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { decodeText } from '../kit/text.ts';

/** `open` flags: never block on a FIFO or device, never follow a symlink swapped in after the checks. */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOFOLLOW ?? 0);

/** Error codes that mean "no such file (any more)": the id names nothing. */
const ABSENT_CODES = new Set(['ENOENT', 'ENOTDIR', 'ENAMETOOLONG', 'EISDIR']);
/** Error codes about the process, not the file: fail the run instead of skipping the file. */
const PROCESS_CODES = new Set(['EMFILE', 'ENFILE', 'ENOMEM', 'EBADF']);

export type FileOutcome =
  | { readonly kind: 'text'; readonly text: string; readonly stats: Stats; readonly warning?: string }
  | { readonly kind: 'skipped'; readonly reason: string }
  | { readonly kind: 'absent' }
  | { readonly kind: 'tooLarge'; readonly size: number };

/** What a listing may say about an entry before reading it: its version's stats, or why it cannot be read. */
export type EntryOutcome =
  | { readonly kind: 'file'; readonly stats: Stats }
  | { readonly kind: 'skipped'; readonly reason: string }
  | { readonly kind: 'absent' };

export interface ReadContext {
  /** The root's real path (symlinks resolved). */
  readonly realRoot: string;
  readonly maxFileBytes: number;
  /** Whether a path relative to the root lies in an excluded folder or is excluded itself: a symlink must not lead there. */
  readonly isExcluded: (id: string) => boolean;
}

/**
 * Inspects a listed entry without opening it: a regular file (or a symlink to one inside the
 * root) gives its stats; a FIFO, socket or device, a symlink leading out of the root or into
 * an excluded folder, a symlink loop or a permission error gives the reason to skip it; a
 * vanished entry, a dangling symlink or a folder is absent.
 */
export async function inspectEntry(absolute: string, context: ReadContext): Promise<EntryOutcome> {
  try {
    const link = await lstat(absolute);
    const target = link.isSymbolicLink() ? await followLink(absolute, context) : { path: absolute };
    if ('reason' in target) return { kind: 'skipped', reason: target.reason };
    const stats = link.isSymbolicLink() ? await stat(target.path) : link;
    if (stats.isDirectory()) return { kind: 'absent' };
    if (!stats.isFile()) return { kind: 'skipped', reason: `not a regular file (${fileType(stats)})` };
    return { kind: 'file', stats };
  } catch (error) {
    return failure(error);
  }
}

/**
 * Reads a file as text. The checks run before anything is opened, and again on the open file
 * (it may have been swapped meanwhile); the open never blocks. Stats are taken before reading:
 * if the file changes in between, its content is newer than its version, so the next pass sees
 * a new version and reads it again (the other order could pair old content with a new version).
 */
export async function readTextFile(absolute: string, context: ReadContext): Promise<FileOutcome> {
  let handle: FileHandle | undefined;
  try {
    const link = await lstat(absolute);
    const target = link.isSymbolicLink() ? await followLink(absolute, context) : { path: absolute };
    if ('reason' in target) return { kind: 'skipped', reason: target.reason };
    const before = link.isSymbolicLink() ? await stat(target.path) : link;
    if (before.isDirectory()) return { kind: 'absent' };
    if (!before.isFile()) return { kind: 'skipped', reason: `not a regular file (${fileType(before)})` };
    handle = await open(target.path, OPEN_FLAGS);
    const stats = await handle.stat();
    if (!stats.isFile()) return { kind: 'skipped', reason: `not a regular file (${fileType(stats)})` };
    if (stats.size > context.maxFileBytes) return { kind: 'tooLarge', size: stats.size };
    const decoded = decodeText(await handle.readFile());
    if ('binary' in decoded) return { kind: 'skipped', reason: decoded.binary };
    return { kind: 'text', text: decoded.text, stats, ...(decoded.warning !== undefined ? { warning: decoded.warning } : {}) };
  } catch (error) {
    return failure(error);
  } finally {
    await handle?.close();
  }
}

/** Where a symlink leads, if it may be followed: a real path under the root and outside excluded folders. */
async function followLink(absolute: string, context: ReadContext): Promise<{ path: string } | { reason: string }> {
  const real = await realpath(absolute);
  const relative = path.relative(context.realRoot, real);
  if (relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative)) {
    return { reason: `symlink to ${real}, outside the root: not followed` };
  }
  if (context.isExcluded(relative.split(path.sep).join('/'))) return { reason: `symlink to ${real}, which is excluded: not followed` };
  return { path: real };
}

function fileType(stats: Stats): string {
  if (stats.isFIFO()) return 'FIFO';
  if (stats.isSocket()) return 'socket';
  if (stats.isCharacterDevice()) return 'character device';
  if (stats.isBlockDevice()) return 'block device';
  return 'special file';
}

/** Maps a failed fs call on one file to its outcome; errors of the process itself are thrown. */
function failure(error: unknown): { kind: 'skipped'; reason: string } | { kind: 'absent' } {
  const code = errorCode(error);
  if (code === undefined || PROCESS_CODES.has(code)) throw error;
  if (ABSENT_CODES.has(code)) return { kind: 'absent' };
  if (code === 'EACCES' || code === 'EPERM') return { kind: 'skipped', reason: `permission denied (${code})` };
  if (code === 'ELOOP') return { kind: 'skipped', reason: 'symlink loop (ELOOP)' };
  return { kind: 'skipped', reason: `cannot be read (${code})` };
}

export function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined;
}
