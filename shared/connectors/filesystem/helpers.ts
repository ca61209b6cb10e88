/** Small pure helpers of the filesystem connector: versions, id order, cursors, globs, headings. */

import type { Stats } from 'node:fs';
import path from 'node:path';
import type { Cursor } from '../../ports/index.ts';
import { errorCode } from './read-file.ts';

/** A relative POSIX path that stays inside the root: no absolute paths, `..`, empty or `.` segments. */
export function isSafeId(id: string): boolean {
  if (id === '' || id.includes('\0') || path.posix.isAbsolute(id) || path.win32.isAbsolute(id)) return false;
  if (process.platform === 'win32' && id.includes('\\')) return false;
  return id.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}

export function versionOf(stats: Stats): string {
  return `${Math.trunc(stats.mtimeMs)}:${stats.size}`;
}

/** Plain code-unit order, the same everywhere (no locale), so cursors compare with `<`. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Index of the first id greater than `after` (binary search: the cursor id may no longer exist). */
export function firstIndexAfter(ids: readonly string[], after: string): number {
  let low = 0;
  let high = ids.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((ids[mid] ?? '') <= after) low = mid + 1;
    else high = mid;
  }
  return low;
}

export function parseCursor(cursor: Cursor | undefined): string {
  if (cursor === undefined) return '';
  const after = cursor['after'];
  if (typeof after !== 'string') {
    throw new Error(`Filesystem cursor must look like { "after": "<path>" }, got ${JSON.stringify(cursor)}.`);
  }
  return after;
}

/**
 * Whether a glob may name a dot segment explicitly (`.github/**`, `{docs,.notes}/*`, `**\/.*`).
 * Conservative: when in doubt the walk enters dot folders and lets the matcher decide.
 */
export function mayNameDotSegment(pattern: string): boolean {
  return /(^|[/{,(|!@+[])\./.test(pattern);
}

/** Maps with at most `limit` calls in flight; results keep the input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let nextIndex = 0;
  const worker = async (): Promise<void> => {
    while (nextIndex < items.length) {
      const index = nextIndex++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** The file vanished (or a path segment stopped being a folder) since it was listed. */
export function isGone(error: unknown): boolean {
  const code = errorCode(error);
  return code === 'ENOENT' || code === 'ENOTDIR';
}

export function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new Error(`Filesystem source: ${name} must be a positive integer, got ${value}.`);
  return value;
}

export function nonNegativeInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 0) throw new Error(`Filesystem source: ${name} must be a non-negative integer, got ${value}.`);
  return value;
}
