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

/** Bytes the NUL check looks at, as git and grep do. */
export const BINARY_SNIFF_BYTES = 8 * 1024;
/**
 * A file whose characters are more than this share invalid UTF-8 sequences or control
 * characters (other than tab, line feed, carriage return, form feed, vertical tab, escape) is
 * binary. Text in a legacy 8-bit encoding stays under it (a few accented letters in a
 * hundred); random or compressed bytes are far above it (about half).
 */
export const BINARY_SUSPICIOUS_SHARE = 0.1;
/** …and has at least this many of them: one accented letter in a five-letter Latin-1 note is text. */
export const BINARY_MIN_SUSPICIOUS = 4;

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

/** Decoded text, or why the bytes are not text. */
export function decodeText(bytes: Uint8Array): { text: string; warning?: string } | { binary: string } {
  // UTF-16 with a byte order mark (Windows "Unicode" text): decode it as such.
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    return { text: new TextDecoder(bytes[0] === 0xff ? 'utf-16le' : 'utf-16be').decode(bytes) };
  }
  const sniff = bytes.subarray(0, BINARY_SNIFF_BYTES);
  if (sniff.includes(0)) return { binary: 'binary content (NUL bytes): not indexed' };
  // The decoder drops a UTF-8 byte order mark.
  const text = new TextDecoder('utf-8').decode(bytes);
  const invalid = countChar(text, 0xfffd) - countEncodedReplacement(bytes);
  let suspicious = invalid;
  for (let i = 0; i < text.length; i++) if (isControl(text.charCodeAt(i))) suspicious += 1;
  if (suspicious >= BINARY_MIN_SUSPICIOUS && suspicious / text.length > BINARY_SUSPICIOUS_SHARE) {
    return { binary: `binary content (${Math.round((suspicious / text.length) * 100)}% invalid UTF-8 or control characters): not indexed` };
  }
  if (invalid > 0) return { text, warning: `${invalid} invalid UTF-8 sequence${invalid === 1 ? '' : 's'} replaced by U+FFFD` };
  return { text };
}

/** C0 controls and DEL that text does not contain; tab, LF, VT, FF, CR and ESC (ANSI colours) pass. */
function isControl(code: number): boolean {
  return (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0b && code !== 0x0c && code !== 0x0d && code !== 0x1b) || code === 0x7f;
}

function countChar(text: string, code: number): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === code) n += 1;
  return n;
}

/** U+FFFD written in the file itself (EF BF BD) is text, not an invalid sequence. */
function countEncodedReplacement(bytes: Uint8Array): number {
  let n = 0;
  for (let i = bytes.indexOf(0xef); i !== -1 && i + 2 < bytes.length; i = bytes.indexOf(0xef, i + 1)) {
    if (bytes[i + 1] === 0xbf && bytes[i + 2] === 0xbd) n += 1;
  }
  return n;
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
