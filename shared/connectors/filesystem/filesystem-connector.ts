/**
 * Filesystem connector: a folder of Markdown and text files as a Tributary source.
 *
 * Ids are paths relative to the root with POSIX separators; versions are mtime+size, so the
 * core can skip unchanged files without reading them. Deletions and renames are not reported
 * by `pull`: the core finds them by diffing `list()` against its ledger.
 */

import type { Dirent, Stats } from 'node:fs';
import { open, readdir, realpath, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { watch as chokidarWatch } from 'chokidar';
import picomatch from 'picomatch';
import type {
  Cursor,
  FetchResult,
  Hints,
  ListedDocument,
  PullPage,
  PullWindow,
  SourceConnector,
  SourceDocument,
} from '../../ports/index.ts';

/** Options of one filesystem source. */
export interface FilesystemSourceOptions {
  sourceId: string;
  /** Absolute root folder. */
  root: string;
  /**
   * Globs relative to root (picomatch, case-sensitive, dot files excluded unless a pattern names them).
   * @default ['**\/*.md', '**\/*.markdown', '**\/*.txt']
   */
  include?: readonly string[];
  /**
   * Globs relative to root (dot files included). A pattern matching a folder excludes everything
   * beneath it, like `.gitignore`.
   * @default ['**\/node_modules/**', '**\/.git/**']
   */
  exclude?: readonly string[];
  /**
   * Refs per page.
   * @default 200
   */
  pageSize?: number;
  /**
   * Files larger than this are skipped (and reported via onSkip).
   * @default 5 MiB
   */
  maxFileBytes?: number;
  /**
   * Watcher debounce.
   * @default 300 ms
   */
  debounceMs?: number;
  /** Called for files (and unreadable folders) the connector leaves out, with the reason. */
  onSkip?: (path: string, reason: string) => void;
}

/** Default include globs. */
export const DEFAULT_INCLUDE: readonly string[] = ['**/*.md', '**/*.markdown', '**/*.txt'];
/** Default exclude globs. */
export const DEFAULT_EXCLUDE: readonly string[] = ['**/node_modules/**', '**/.git/**'];

const DEFAULT_PAGE_SIZE = 200;
const DEFAULT_MAX_FILE_BYTES = 5 * 1024 * 1024;
const DEFAULT_DEBOUNCE_MS = 300;
/** Parallel stats/reads/readdirs: enough to hide disk latency, few enough to stay clear of EMFILE. */
const IO_CONCURRENCY = 16;
/**
 * Above this many ids a hint says "something changed" (`ids: []`) instead: a `git checkout` can touch
 * thousands of files, and a hint travels in a queue message with a size limit. An incremental sync
 * of a folder lists everything anyway, so nothing is lost.
 */
const MAX_HINT_IDS = 1000;
/** A constant stream of events must still produce hints: flush at the latest this many debounce periods after the first event. */
const MAX_WAIT_DEBOUNCES = 10;

const MARKDOWN_EXTENSIONS = new Set(['.md', '.markdown']);

/** The cursor of a pass: the last id handed out. Ids are sorted, so "the rest" is every id after it. */
interface FilesystemCursor {
  readonly after: string;
}

/**
 * A folder of files as a {@link SourceConnector}.
 *
 * Symlinks: symlinked files are followed (their version and content are the target's); symlinked
 * folders are skipped, because following them can loop (`ln -s .. up`) or pull in trees outside
 * the root. The watcher does not follow symlinks either, so an edit to a symlinked file's target
 * surfaces at the next scheduled pass rather than as a hint.
 */
export class FilesystemConnector implements SourceConnector {
  readonly sourceId: string;
  private readonly root: string;
  private readonly include: readonly string[];
  private readonly exclude: readonly string[];
  private readonly pageSize: number;
  private readonly maxFileBytes: number;
  private readonly debounceMs: number;
  private readonly onSkip: ((path: string, reason: string) => void) | undefined;
  private readonly isIncluded: (id: string) => boolean;
  private readonly isExcluded: (id: string) => boolean;
  /** True when no include pattern can match below a dot folder, so the walk need not enter one. */
  private readonly skipDotFolders: boolean;
  /** The sorted listing of the pass in progress: a 100-page pass walks the tree once. */
  private listing: { readonly snapshotAt: string; readonly ids: Promise<readonly string[]> } | undefined;

  constructor(options: FilesystemSourceOptions) {
    if (!path.isAbsolute(options.root)) {
      throw new Error(`Filesystem source "${options.sourceId}": root must be an absolute path, got "${options.root}".`);
    }
    this.sourceId = options.sourceId;
    this.root = path.resolve(options.root);
    this.include = options.include ?? DEFAULT_INCLUDE;
    this.exclude = options.exclude ?? DEFAULT_EXCLUDE;
    this.pageSize = positiveInteger(options.pageSize ?? DEFAULT_PAGE_SIZE, 'pageSize');
    this.maxFileBytes = positiveInteger(options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES, 'maxFileBytes');
    this.debounceMs = nonNegativeInteger(options.debounceMs ?? DEFAULT_DEBOUNCE_MS, 'debounceMs');
    this.onSkip = options.onSkip;
    // `windows: false`: ids always use `/`, whatever the platform.
    // Includes keep picomatch's default `dot: false`: `**/*.md` must not pick up `.github/x.md`
    // unless the user names the dot folder.
    this.isIncluded = this.include.length > 0 ? picomatch([...this.include], { windows: false }) : () => false;
    // Excludes match dot paths too: `**/node_modules/**` must also exclude `.cache/node_modules/x.md`.
    this.isExcluded = this.exclude.length > 0 ? picomatch([...this.exclude], { windows: false, dot: true }) : () => false;
    this.skipDotFolders = !this.include.some(mayNameDotSegment);
  }

  /**
   * One page of the pass: the next `pageSize` files after `cursor.after`, in id order.
   *
   * The window is deliberately ignored: every pass lists everything. File mtimes cannot bound a
   * window, since restored, copied, unpacked or `git checkout`-ed files keep (or get) old mtimes
   * and would never be seen. Listing is cheap because only `stat` runs here; the core compares
   * versions with its ledger and fetches only what changed.
   */
  async pull(cursor: Cursor | undefined, window: PullWindow): Promise<PullPage> {
    const after = parseCursor(cursor);
    const ids = await this.listingFor(window.snapshotAt);
    const start = firstIndexAfter(ids, after);
    const slice = ids.slice(start, start + this.pageSize);
    const refs = await mapLimit(slice, IO_CONCURRENCY, async (id) => {
      const stats = await this.statIncluded(id, true);
      return stats ? { id, version: versionOf(stats) } : undefined;
    });
    const last = slice.at(-1);
    return {
      changed: refs.filter((ref) => ref !== undefined),
      deleted: [],
      // The cursor moves past skipped (vanished, oversized) ids too, so they are not retried in this pass.
      next: { after: last ?? after } satisfies FilesystemCursor,
      done: start + slice.length >= ids.length,
    };
  }

  /** Reads the named files; ids that do not exist, are not included, are too large or escape the root are absent. */
  async fetch(ids: readonly string[]): Promise<FetchResult> {
    const unique = [...new Set(ids)].filter((id) => this.isSafeId(id) && this.isSelected(id));
    if (unique.length === 0) return { documents: [] };
    await this.assertRoot();
    const realRoot = await realpath(this.root);
    const docs = await mapLimit(unique, IO_CONCURRENCY, (id) => this.read(id, realRoot));
    return { documents: docs.filter((doc) => doc !== undefined) };
  }

  /** Every included file with its version, in id order (reconcile diffs this against the ledger). */
  async *list(): AsyncIterable<ListedDocument> {
    const ids = await this.walk();
    // Stat in batches so a 20,000-file tree neither runs 20,000 stats at once nor one at a time.
    const batch = IO_CONCURRENCY * 16;
    for (let i = 0; i < ids.length; i += batch) {
      const listed = await mapLimit(ids.slice(i, i + batch), IO_CONCURRENCY, async (id) => {
        // Oversized files are left out silently here (pull reports them), so a file that grows past
        // the limit drops out of the index instead of keeping stale vectors.
        const stats = await this.statIncluded(id, false);
        return stats ? { id, version: versionOf(stats) } : undefined;
      });
      for (const doc of listed) if (doc) yield doc;
    }
  }

  /**
   * Watches the root and sends debounced, coalesced hints naming the files that were added, changed
   * or removed (a rename names both paths). Resolves once the watcher is ready; the returned
   * function stops it, drops pending hints and lets the process exit.
   */
  async watch(onHints: (hints: Hints) => void): Promise<() => Promise<void>> {
    await this.assertRoot();
    const pending = new Set<string>();
    let somethingChanged = false;
    let timer: NodeJS.Timeout | undefined;
    let firstEventAt = 0;
    let stopped = false;

    const flush = (): void => {
      timer = undefined;
      if (stopped || (pending.size === 0 && !somethingChanged)) return;
      const ids = somethingChanged || pending.size > MAX_HINT_IDS ? [] : [...pending].sort(compareIds);
      pending.clear();
      somethingChanged = false;
      try {
        onHints({ sourceId: this.sourceId, ids });
      } catch {
        // A failing consumer must not kill the watcher; the next scheduled pass catches up.
      }
    };
    const schedule = (): void => {
      const now = Date.now();
      if (timer === undefined) firstEventAt = now;
      else clearTimeout(timer);
      // Trailing debounce, capped so a steady stream of writes still produces hints.
      const deadline = firstEventAt + this.debounceMs * MAX_WAIT_DEBOUNCES;
      timer = setTimeout(flush, Math.max(0, Math.min(this.debounceMs, deadline - now)));
    };

    const watcher = chokidarWatch(this.root, {
      ignoreInitial: true,
      // Symlinked folders could loop; see the class comment.
      followSymlinks: false,
      // Small thresholds: a half-written file is not hinted (and then read) until its size settles.
      awaitWriteFinish: { stabilityThreshold: 100, pollInterval: 25 },
      ignored: (absolute: string, stats?: Stats) => this.ignoredByWatcher(absolute, stats),
    });
    const onFileEvent = (absolute: string): void => {
      if (stopped) return;
      const id = this.idOf(absolute);
      if (id === undefined || !this.isSelected(id)) return;
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

  // ───────────────────────────── internals ─────────────────────────────

  /** The sorted listing for a pass, walked once per `snapshotAt`. */
  private listingFor(snapshotAt: string): Promise<readonly string[]> {
    if (this.listing?.snapshotAt !== snapshotAt) {
      const ids = this.walk();
      this.listing = { snapshotAt, ids };
      // A failed walk must not be cached: the retry of the page walks again.
      ids.catch(() => {
        if (this.listing?.ids === ids) this.listing = undefined;
      });
    }
    return this.listing.ids;
  }

  /** Included file ids under the root, sorted. Uses directory entries only: no stat per file. */
  private async walk(): Promise<string[]> {
    await this.assertRoot();
    const files: string[] = [];
    let dirs: string[] = [''];
    // Breadth-first, one level at a time with bounded parallel readdirs.
    while (dirs.length > 0) {
      const next: string[] = [];
      await mapLimit(dirs, IO_CONCURRENCY, async (dir) => {
        const entries = await this.readDir(dir);
        for (const entry of entries) {
          const id = dir === '' ? entry.name : `${dir}/${entry.name}`;
          const kind = await this.kindOf(entry, id);
          if (kind === 'dir') {
            if (!this.isPrunedDir(id)) next.push(id);
          } else if (kind === 'file' && this.isFileSelected(id)) {
            files.push(id);
          }
        }
      });
      dirs = next;
    }
    return files.sort(compareIds);
  }

  private async readDir(dir: string): Promise<Dirent[]> {
    try {
      return await readdir(this.absolute(dir), { withFileTypes: true });
    } catch (error) {
      const code = errorCode(error);
      // Vanished between listing its parent and reading it.
      if (code === 'ENOENT' || code === 'ENOTDIR') return [];
      // Reported and left out, like an excluded folder. (Its files then look deleted to reconcile,
      // which the core's deletion breaker guards against.)
      if (code === 'EACCES' || code === 'EPERM') {
        this.onSkip?.(dir, `folder not readable (${code})`);
        return [];
      }
      throw error;
    }
  }

  /** 'file', 'dir' or 'other'; symlinks count as files only when they point at one. */
  private async kindOf(entry: Dirent, id: string): Promise<'file' | 'dir' | 'other'> {
    if (entry.isFile()) return 'file';
    if (entry.isDirectory()) return 'dir';
    if (!entry.isSymbolicLink()) return 'other';
    try {
      return (await stat(this.absolute(id))).isFile() ? 'file' : 'other';
    } catch {
      return 'other'; // Dangling link.
    }
  }

  /** Stats an included file, following symlinks; undefined when gone, not a file, or too large. */
  private async statIncluded(id: string, report: boolean): Promise<Stats | undefined> {
    let stats: Stats;
    try {
      stats = await stat(this.absolute(id));
    } catch (error) {
      if (isGone(error)) return undefined;
      throw error;
    }
    if (!stats.isFile()) return undefined;
    if (stats.size > this.maxFileBytes) {
      if (report) this.reportTooLarge(id, stats.size);
      return undefined;
    }
    return stats;
  }

  private async read(id: string, realRoot: string): Promise<SourceDocument | undefined> {
    const absolute = this.absolute(id);
    // `pull` never descends into symlinked folders, so `fetch` must not reach through one either
    // (or out of the root): the folder's real path must be where the id says.
    if (!(await this.isInRealFolder(id, realRoot))) return undefined;
    let handle: FileHandle;
    try {
      handle = await open(absolute, 'r');
    } catch (error) {
      if (isGone(error) || errorCode(error) === 'EISDIR') return undefined;
      throw error;
    }
    try {
      // Stat before reading: if the file changes in between, the content is newer than the version,
      // so the next pass sees a new version and fetches again. The other order could pair old
      // content with the new version, and the change would never be picked up.
      const stats = await handle.stat();
      if (!stats.isFile()) return undefined;
      if (stats.size > this.maxFileBytes) {
        this.reportTooLarge(id, stats.size);
        return undefined;
      }
      const raw = await handle.readFile({ encoding: 'utf8' });
      const text = raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
      const format = MARKDOWN_EXTENSIONS.has(path.posix.extname(id).toLowerCase()) ? 'markdown' : 'text';
      const name = path.posix.basename(id);
      return {
        id,
        version: versionOf(stats),
        text,
        title: (format === 'markdown' ? firstHeading(text) : undefined) ?? name,
        url: pathToFileURL(absolute).href,
        updatedAt: new Date(stats.mtimeMs).toISOString(),
        format,
        metadata: { path: id },
      };
    } finally {
      await handle.close();
    }
  }

  private async isInRealFolder(id: string, realRoot: string): Promise<boolean> {
    try {
      const realDir = await realpath(path.dirname(this.absolute(id)));
      const dir = path.posix.dirname(id);
      return realDir === (dir === '.' ? realRoot : path.join(realRoot, ...dir.split('/')));
    } catch (error) {
      if (isGone(error)) return false;
      throw error;
    }
  }

  private reportTooLarge(id: string, size: number): void {
    this.onSkip?.(id, `file is ${size} bytes, larger than maxFileBytes (${this.maxFileBytes})`);
  }

  /** Include/exclude for a file whose folders are already known not to be pruned (the walk). */
  private isFileSelected(id: string): boolean {
    return this.isIncluded(id) && !this.isExcluded(id);
  }

  /** Include/exclude for an arbitrary id, folders included (fetch and the watcher). */
  private isSelected(id: string): boolean {
    if (!this.isFileSelected(id)) return false;
    const segments = id.split('/');
    for (let i = 1; i < segments.length; i++) {
      if (this.isPrunedDir(segments.slice(0, i).join('/'))) return false;
    }
    return true;
  }

  private isPrunedDir(dir: string): boolean {
    if (this.isExcluded(dir)) return true;
    return this.skipDotFolders && path.posix.basename(dir).startsWith('.');
  }

  /** A relative POSIX path that stays inside the root: no absolute paths, `..`, empty or `.` segments. */
  private isSafeId(id: string): boolean {
    if (id === '' || id.includes('\0') || path.posix.isAbsolute(id) || path.win32.isAbsolute(id)) return false;
    if (process.platform === 'win32' && id.includes('\\')) return false;
    return id.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..');
  }

  private ignoredByWatcher(absolute: string, stats?: Stats): boolean {
    const id = this.idOf(absolute);
    if (id === undefined) return true;
    if (id === '') return false; // The root itself.
    // chokidar asks without stats first (and on unlink), so decide on what the path alone tells;
    // file-only rules need stats to tell a file from a folder.
    if (!stats) return this.isExcluded(id);
    if (stats.isDirectory()) return this.isPrunedDir(id);
    return !this.isSelected(id);
  }

  /** The id of an absolute path under the root ('' for the root), undefined outside it. */
  private idOf(absolute: string): string | undefined {
    const relative = path.relative(this.root, absolute);
    if (relative.startsWith('..') || path.isAbsolute(relative)) return undefined;
    return relative.split(path.sep).join('/');
  }

  private absolute(id: string): string {
    return id === '' ? this.root : path.join(this.root, ...id.split('/'));
  }

  private async assertRoot(): Promise<void> {
    let stats: Stats | undefined;
    try {
      stats = await stat(this.root);
    } catch (error) {
      if (!isGone(error)) throw error;
    }
    if (!stats?.isDirectory()) {
      throw new Error(
        `Filesystem source "${this.sourceId}": root folder ${this.root} does not exist or is not a folder. ` +
          'Create it, or fix `root` in the config.',
      );
    }
  }
}

// ───────────────────────────── helpers ─────────────────────────────

function versionOf(stats: Stats): string {
  return `${Math.trunc(stats.mtimeMs)}:${stats.size}`;
}

/** Plain code-unit order, the same everywhere (no locale), so cursors compare with `<`. */
function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Index of the first id greater than `after` (binary search: the cursor id may no longer exist). */
function firstIndexAfter(ids: readonly string[], after: string): number {
  let low = 0;
  let high = ids.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((ids[mid] ?? '') <= after) low = mid + 1;
    else high = mid;
  }
  return low;
}

function parseCursor(cursor: Cursor | undefined): string {
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
function mayNameDotSegment(pattern: string): boolean {
  return /(^|[/{,(|!@+[])\./.test(pattern);
}

/** The text of the first `# ` heading outside front matter and code fences. */
function firstHeading(markdown: string): string | undefined {
  const lines = markdown.split(/\r?\n/);
  let i = 0;
  if (lines[0]?.trim() === '---') {
    const end = lines.findIndex((line, index) => index > 0 && /^(---|\.\.\.)\s*$/.test(line));
    if (end > 0) i = end + 1;
  }
  let fence: string | undefined;
  for (; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker !== undefined) {
      if (fence === undefined) fence = marker;
      else if (marker[0] === fence[0] && marker.length >= fence.length) fence = undefined;
      continue;
    }
    if (fence !== undefined) continue;
    const heading = /^ {0,3}#[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/.exec(line)?.[1]?.trim();
    if (heading) return heading;
  }
  return undefined;
}

/** Maps with at most `limit` calls in flight; results keep the input order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
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

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined;
}

/** The file vanished (or a path segment stopped being a folder) since it was listed. */
function isGone(error: unknown): boolean {
  const code = errorCode(error);
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new Error(`Filesystem source: ${name} must be a positive integer, got ${value}.`);
  return value;
}

function nonNegativeInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 0) throw new Error(`Filesystem source: ${name} must be a non-negative integer, got ${value}.`);
  return value;
}
