/**
 * The SQLite source's watcher: writes to the database file (or its `-wal`, where a WAL-mode
 * writer appends every commit, or its `-journal`) become a debounced "something changed" hint;
 * the run that follows reads the window as any incremental sync does. The `-shm` file is left
 * out: readers (this source too) write to it, and a read must not cause a sync.
 */
import { realpath } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { watch as chokidarWatch } from 'chokidar';
import type { Hints } from '../../ports/index.ts';

/** A steady stream of commits still produces hints: one at the latest this many debounce periods after the first. */
const MAX_WAIT_DEBOUNCES = 10;

export interface WatchDatabaseOptions {
  readonly sourceId: string;
  /** The database file. */
  readonly path: string;
  readonly debounceMs: number;
}

/**
 * Watches the database's folder for changes to the file and its journals and sends one hint per
 * burst. Resolves once the watcher is ready; the returned function stops it.
 */
export async function watchDatabase(options: WatchDatabaseOptions, onHints: (hints: Hints) => void): Promise<() => Promise<void>> {
  // The folder of the real file: a symlinked path would otherwise watch the link's folder.
  const file = await realpath(options.path);
  const folder = dirname(file);
  const watched = new Set([file, `${file}-wal`, `${file}-journal`]);
  let timer: NodeJS.Timeout | undefined;
  let firstEventAt = 0;
  let stopped = false;

  const flush = (): void => {
    timer = undefined;
    if (stopped) return;
    try {
      onHints({ sourceId: options.sourceId, ids: [] });
    } catch {
      // A failing consumer must not stop the watcher; the schedule catches up.
    }
  };
  const schedule = (): void => {
    if (stopped) return;
    const now = Date.now();
    if (timer === undefined) firstEventAt = now;
    else clearTimeout(timer);
    const deadline = firstEventAt + options.debounceMs * MAX_WAIT_DEBOUNCES;
    timer = setTimeout(flush, Math.max(0, Math.min(options.debounceMs, deadline - now)));
  };

  const watcher = chokidarWatch(folder, {
    ignoreInitial: true,
    depth: 0,
    // Only the folder itself and the database's files: a bot's folder may hold many others.
    ignored: (path) => resolve(path) !== folder && !watched.has(resolve(path)),
  });
  const onEvent = (path: string): void => {
    if (watched.has(resolve(path))) schedule();
  };
  watcher.on('add', onEvent);
  watcher.on('change', onEvent);
  watcher.on('unlink', onEvent);
  // Events may have been lost: a sync finds whatever they were about.
  watcher.on('error', schedule);
  await new Promise<void>((resolve) => watcher.once('ready', resolve));

  return async () => {
    if (stopped) return;
    stopped = true;
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    await watcher.close();
  };
}
