/**
 * The filesystem source's watcher: chokidar events turned into debounced, coalesced hints.
 */

import type { Stats } from 'node:fs';
import { watch as chokidarWatch } from 'chokidar';
import type { Hints } from '../../ports/index.ts';

/**
 * Above this many ids a hint says "something changed" (`ids: []`) instead: a `git checkout` can touch
 * thousands of files, and a hint travels in a queue message with a size limit. An incremental sync
 * of a folder lists everything anyway, so nothing is lost.
 */
const MAX_HINT_IDS = 1000;
/** A constant stream of events must still produce hints: flush at the latest this many debounce periods after the first event. */
const MAX_WAIT_DEBOUNCES = 10;

export interface WatchFolderOptions {
  readonly sourceId: string;
  readonly root: string;
  readonly debounceMs: number;
  /** The id of an absolute path under the root ('' for the root), undefined outside it. */
  readonly idOf: (absolute: string) => string | undefined;
  /** Include/exclude of a file id (folders included). */
  readonly isSelected: (id: string) => boolean;
  /** Whether the walk would not enter this folder. */
  readonly isPrunedDir: (id: string) => boolean;
  readonly isExcluded: (id: string) => boolean;
  readonly compareIds: (a: string, b: string) => number;
}

/**
 * Watches the root and sends debounced, coalesced hints naming the files that were added, changed
 * or removed (a rename names both paths). Resolves once the watcher is ready; the returned
 * function stops it, drops pending hints and lets the process exit.
 */
export async function watchFolder(options: WatchFolderOptions, onHints: (hints: Hints) => void): Promise<() => Promise<void>> {
  const pending = new Set<string>();
  let somethingChanged = false;
  let timer: NodeJS.Timeout | undefined;
  let firstEventAt = 0;
  let stopped = false;

  const flush = (): void => {
    timer = undefined;
    if (stopped || (pending.size === 0 && !somethingChanged)) return;
    const ids = somethingChanged || pending.size > MAX_HINT_IDS ? [] : [...pending].sort(options.compareIds);
    pending.clear();
    somethingChanged = false;
    try {
      onHints({ sourceId: options.sourceId, ids });
    } catch {
      // A failing consumer must not kill the watcher; the next scheduled pass catches up.
    }
  };
  const schedule = (): void => {
    const now = Date.now();
    if (timer === undefined) firstEventAt = now;
    else clearTimeout(timer);
    // Trailing debounce, capped so a steady stream of writes still produces hints.
    const deadline = firstEventAt + options.debounceMs * MAX_WAIT_DEBOUNCES;
    timer = setTimeout(flush, Math.max(0, Math.min(options.debounceMs, deadline - now)));
  };

  const ignored = (absolute: string, stats?: Stats): boolean => {
    const id = options.idOf(absolute);
    if (id === undefined) return true;
    if (id === '') return false; // The root itself.
    // chokidar asks without stats first (and on unlink), so decide on what the path alone tells;
    // file-only rules need stats to tell a file from a folder.
    if (!stats) return options.isExcluded(id);
    if (stats.isDirectory()) return options.isPrunedDir(id);
    // FIFOs, sockets and devices are never read; the next pass reports them as skipped.
    if (stats.isFIFO() || stats.isSocket() || stats.isCharacterDevice() || stats.isBlockDevice()) return true;
    return !options.isSelected(id);
  };

  const watcher = chokidarWatch(options.root, {
    ignoreInitial: true,
    // Symlinked folders could loop or lead out of the root.
    followSymlinks: false,
    // Small thresholds: a half-written file is not hinted (and then read) until its size settles.
    awaitWriteFinish: { stabilityThreshold: 100, pollInterval: 25 },
    ignored,
  });
  const onFileEvent = (absolute: string): void => {
    if (stopped) return;
    const id = options.idOf(absolute);
    if (id === undefined || !options.isSelected(id)) return;
    pending.add(id);
    schedule();
  };
  watcher.on('add', onFileEvent);
  watcher.on('change', onFileEvent);
  watcher.on('unlink', onFileEvent);
  watcher.on('error', () => {
    // Events may have been lost: ask for an incremental sync instead of guessing ids.
    if (stopped) return;
    somethingChanged = true;
    schedule();
  });
  await new Promise<void>((resolve) => watcher.once('ready', resolve));

  return async () => {
    if (stopped) return;
    stopped = true;
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    pending.clear();
    await watcher.close();
  };
}
