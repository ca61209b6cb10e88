/**
 * The SQLite source's watcher: writes to the database file (or its `-wal`, where a WAL-mode
 * writer appends every commit, or its `-journal`) become a debounced "something changed" hint;
 * the run that follows reads the window as any incremental sync does. The `-shm` file is left
 * out: readers (this source too) write to it, and a read must not cause a sync.
 */
import { realpath, stat } from 'node:fs/promises';
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

  // The files as they are before watching: an event after this is compared with them.
  const files = new FileSignatures();
  for (const path of watched) await files.changed(path);
  const watcher = chokidarWatch(folder, {
    ignoreInitial: true,
    depth: 0,
    // Only the folder itself and the database's files: a bot's folder may hold many others.
    ignored: (path) => resolve(path) !== folder && !watched.has(resolve(path)),
  });
  // Every raw event on one of the files is checked against the file's last known identity,
  // size and mtime. chokidar's own `change` is not used: it drops the events that follow
  // another on the same file within 5 ms, then emits only if its stat shows a new mtime, so a
  // commit whose first event came before its write moved the mtime (closing a reader raises
  // one) was never seen, about one commit in three here. The comparison keeps out what
  // readers cause (this source's own connection closing raises events too), so a sync does
  // not wake itself.
  const onEvent = (path: string): void => {
    if (!watched.has(path)) return;
    void files.changed(path).then((changed) => {
      if (changed) schedule();
    });
  };
  watcher.on('raw', (_event: string, name: string | null, details: unknown) => {
    const watchedPath = (details as { watchedPath?: unknown } | undefined)?.watchedPath;
    const at = resolve(typeof watchedPath === 'string' ? watchedPath : folder);
    if (watched.has(at)) onEvent(at);
    else if (name) onEvent(resolve(at, name));
    else for (const path of watched) onEvent(path); // the platform did not say which file
  });
  watcher.on('add', (path: string) => onEvent(resolve(path)));
  watcher.on('unlink', (path: string) => onEvent(resolve(path)));
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

/**
 * The identity, size and mtime last seen for each file, read one stat at a time per file (a
 * late stat never overwrites a newer one); `changed` tells whether they moved since.
 */
class FileSignatures {
  private readonly seen = new Map<string, string>();
  private readonly reading = new Map<string, Promise<boolean>>();

  changed(path: string): Promise<boolean> {
    const before = this.reading.get(path) ?? Promise.resolve(false);
    const next = before.then(async () => {
      const signature = await stat(path).then((s) => `${s.ino}:${s.size}:${s.mtimeMs}`, () => 'absent');
      const changed = this.seen.has(path) && this.seen.get(path) !== signature;
      this.seen.set(path, signature);
      return changed;
    });
    this.reading.set(path, next);
    void next.finally(() => {
      if (this.reading.get(path) === next) this.reading.delete(path);
    });
    return next;
  }
}
