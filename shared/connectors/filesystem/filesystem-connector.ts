/**
 * Filesystem connector: a folder of Markdown and text files as a Tributary source.
 *
 * Ids are paths relative to the root with POSIX separators; versions are mtime+size, so the
 * core can skip unchanged files without reading them. Deletions and renames are not reported
 * by `pull`: the core finds them by diffing `list()` against its ledger.
 */

import type { Stats } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import picomatch from 'picomatch';
import type {
  Cursor,
  DocumentIssue,
  DocumentRef,
  FetchResult,
  Hints,
  ListedDocument,
  PullPage,
  PullWindow,
  SourceConnector,
  SourceDocument,
} from '../../ports/index.ts';
import { firstHeading } from '../kit/text.ts';
import { errorCode, inspectEntry, readTextFile, type ReadContext } from './read-file.ts';
import {
  compareIds, firstIndexAfter, isGone, isSafeId, mapLimit, mayNameDotSegment, nonNegativeInteger, parseCursor, positiveInteger, versionOf,
} from './helpers.ts';
import { PassListing } from './pass-listing.ts';
import { walkTree, type Walk } from './walk.ts';
import { watchFolder } from './watcher.ts';

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
  /** Called for files (and unreadable folders) the connector leaves out or skips, with the reason (for logs). */
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

const MARKDOWN_EXTENSIONS = new Set(['.md', '.markdown']);

/** The cursor of a pass: the last id handed out. Ids are sorted, so "the rest" is every id after it. */
interface FilesystemCursor {
  readonly after: string;
}

/**
 * A folder of files as a {@link SourceConnector}.
 *
 * Only regular files are read. A symlinked file is followed when its real path lies under the
 * real root (and outside excluded folders); its version and content are the target's. A
 * symlink leading elsewhere (`ln -s /proc/self/environ env.md`), a symlink loop, a FIFO, socket
 * or device, an unreadable file and a binary file are skipped and reported with the reason,
 * never read. Symlinked folders are not entered, because following them can loop
 * (`ln -s .. up`) or pull in trees outside the root. The watcher does not follow symlinks
 * either, so an edit to a symlinked file's target surfaces at the next scheduled pass rather
 * than as a hint.
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
  /** What the pass in progress saw (see PassListing). */
  private listing: PassListing | undefined;

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
    const listing = this.listingFor(window.snapshotAt);
    const { ids, unreadable } = await listing.walk;
    const start = firstIndexAfter(ids, after);
    const slice = ids.slice(start, start + this.pageSize);
    const context = await this.readContext();
    const changed: DocumentRef[] = [];
    const skipped: DocumentIssue[] = [];
    const found: Array<[string, string]> = [];
    const outcomes = await mapLimit(slice, IO_CONCURRENCY, (id) => inspectEntry(this.absolute(id), context));
    outcomes.forEach((outcome, i) => {
      const id = slice[i] as string;
      if (outcome.kind === 'skipped') skipped.push(this.skipped(id, outcome.reason));
      else if (outcome.kind === 'file' && outcome.stats.size > this.maxFileBytes) this.reportTooLarge(id, outcome.stats.size);
      else if (outcome.kind === 'file') {
        const version = versionOf(outcome.stats);
        changed.push({ id, version });
        found.push([id, version]);
      }
    });
    const done = start + slice.length >= ids.length;
    listing.record(start, slice.length, ids.length, found);
    // Folders that could not be read come with the last page: a resumed pass reaches it too,
    // before the reconcile that must not delete their files.
    if (done) skipped.push(...unreadable);
    const last = slice.at(-1);
    return {
      changed,
      deleted: [],
      // The cursor moves past skipped (vanished, oversized) ids too, so they are not retried in this pass.
      next: { after: last ?? after } satisfies FilesystemCursor,
      done,
      ...(skipped.length > 0 ? { skipped } : {}),
    };
  }

  /**
   * Reads the named files. Ids that do not exist, are not included, are too large, escape the
   * root or pass through a symlinked folder are absent; files that exist but cannot be read
   * as text (permissions, binary, a FIFO, a symlink out of the root) are skipped with the reason.
   */
  async fetch(ids: readonly string[]): Promise<FetchResult> {
    const unique = [...new Set(ids)].filter((id) => isSafeId(id) && this.isSelected(id));
    if (unique.length === 0) return { documents: [] };
    await this.assertRoot();
    const context = await this.readContext();
    const documents: SourceDocument[] = [];
    const skipped: DocumentIssue[] = [];
    await mapLimit(unique, IO_CONCURRENCY, async (id) => {
      const read = await this.read(id, context);
      if (read && 'reason' in read) skipped.push(read);
      else if (read) documents.push(read);
    });
    return { documents, skipped };
  }

  /**
   * Every included file with its version, in id order (reconcile diffs this against the
   * ledger). After a pass this instance served whole, the versions its pages found, as of that
   * pass (a file changed since is the next pass's); otherwise a fresh walk.
   */
  async *list(pass?: { readonly snapshotAt: string }): AsyncIterable<ListedDocument> {
    const listing = this.listing;
    if (pass !== undefined && listing?.snapshotAt === pass.snapshotAt && listing.complete) {
      yield* listing.documents();
      return;
    }
    const { ids } = await this.walk();
    // Stat in batches so a 20,000-file tree neither runs 20,000 stats at once nor one at a time.
    const batch = IO_CONCURRENCY * 16;
    for (let i = 0; i < ids.length; i += batch) {
      const listed = await mapLimit(ids.slice(i, i + batch), IO_CONCURRENCY, async (id) => {
        // Oversized files are left out silently here (pull reports them), so a file that grows past
        // the limit drops out of the index instead of keeping stale vectors.
        const stats = await this.statIncluded(id);
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
    return watchFolder({
      sourceId: this.sourceId, root: this.root, debounceMs: this.debounceMs, compareIds,
      idOf: (absolute) => this.idOf(absolute),
      isSelected: (id) => this.isSelected(id),
      isPrunedDir: (id) => this.isPrunedDir(id),
      isExcluded: (id) => this.isExcluded(id),
    }, onHints);
  }

  // ───────────────────────────── internals ─────────────────────────────

  /** The sorted listing for a pass, walked once per `snapshotAt`. */
  private listingFor(snapshotAt: string): PassListing {
    if (this.listing?.snapshotAt !== snapshotAt) {
      const walk = this.walk();
      this.listing = new PassListing(snapshotAt, walk);
      // A failed walk must not be cached: the retry of the page walks again.
      walk.catch(() => {
        if (this.listing?.walk === walk) this.listing = undefined;
      });
    }
    return this.listing;
  }

  /** The tree as the walk sees it (./walk.ts), once the root is known to be a folder. */
  private async walk(): Promise<Walk> {
    await this.assertRoot();
    return walkTree({
      absolute: (id) => this.absolute(id), concurrency: IO_CONCURRENCY,
      isPrunedDir: (id) => this.isPrunedDir(id), isFileSelected: (id) => this.isFileSelected(id),
      skipped: (id, reason, prefix) => this.skipped(id, reason, prefix),
    });
  }

  /**
   * Stats an included file for the slim listing, following symlinks; undefined when it is not
   * a file or too large. (Entries a pass skips stay listed when stat can see them, so reconcile
   * does not delete them; the core keeps them out of its diff.)
   */
  private async statIncluded(id: string): Promise<Stats | undefined> {
    let stats: Stats;
    try {
      stats = await stat(this.absolute(id));
    } catch (error) {
      const code = errorCode(error);
      if (isGone(error) || code === 'ELOOP' || code === 'EACCES' || code === 'EPERM' || code === 'ENAMETOOLONG') return undefined;
      throw error;
    }
    if (!stats.isFile()) return undefined;
    return stats.size > this.maxFileBytes ? undefined : stats;
  }

  private async readContext(): Promise<ReadContext> {
    return {
      realRoot: await realpath(this.root), maxFileBytes: this.maxFileBytes,
      isExcluded: (id) => this.isExcludedPath(id),
    };
  }

  /** A skip, also told to `onSkip` (the wiring logs it). */
  private skipped(id: string, reason: string, prefix = false): DocumentIssue {
    this.onSkip?.(id, reason);
    return { id, reason, ...(prefix ? { prefix: true } : {}) };
  }

  /** The file as a document, why it is skipped, or undefined when there is no such file. */
  private async read(id: string, context: ReadContext): Promise<SourceDocument | DocumentIssue | undefined> {
    const absolute = this.absolute(id);
    // `pull` never descends into symlinked folders, so `fetch` must not reach through one either
    // (or out of the root): the folder's real path must be where the id says.
    const folder = await this.isInRealFolder(id, context.realRoot);
    if (folder !== true) return folder === false ? undefined : this.skipped(id, folder.reason);
    const outcome = await readTextFile(absolute, context);
    if (outcome.kind === 'absent') return undefined;
    if (outcome.kind === 'skipped') return this.skipped(id, outcome.reason);
    if (outcome.kind === 'tooLarge') {
      this.reportTooLarge(id, outcome.size);
      return undefined;
    }
    const { text, stats } = outcome;
    if (outcome.warning !== undefined) this.onSkip?.(id, outcome.warning);
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
      ...(outcome.warning !== undefined ? { warning: outcome.warning } : {}),
    };
  }

  /** True when the id's folder is a real folder where the id says; false when not (or gone); a reason when it cannot be read. */
  private async isInRealFolder(id: string, realRoot: string): Promise<boolean | { reason: string }> {
    try {
      const realDir = await realpath(path.dirname(this.absolute(id)));
      const dir = path.posix.dirname(id);
      return realDir === (dir === '.' ? realRoot : path.join(realRoot, ...dir.split('/')));
    } catch (error) {
      const code = errorCode(error);
      if (isGone(error) || code === 'ENAMETOOLONG') return false;
      if (code === 'EACCES' || code === 'EPERM') return { reason: `folder not readable (${code})` };
      if (code === 'ELOOP') return false; // Through a looping symlinked folder: not a path the walk lists.
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
    return this.isFileSelected(id) && !this.inPrunedFolder(id);
  }

  /** Whether a path lies in an excluded or pruned folder, or is excluded itself: symlinks must not lead there. */
  private isExcludedPath(id: string): boolean {
    return this.isExcluded(id) || this.inPrunedFolder(id);
  }

  private inPrunedFolder(id: string): boolean {
    const segments = id.split('/');
    for (let i = 1; i < segments.length; i++) {
      if (this.isPrunedDir(segments.slice(0, i).join('/'))) return true;
    }
    return false;
  }

  private isPrunedDir(dir: string): boolean {
    if (this.isExcluded(dir)) return true;
    return this.skipDotFolders && path.posix.basename(dir).startsWith('.');
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
