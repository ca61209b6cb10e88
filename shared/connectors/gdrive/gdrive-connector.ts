/**
 * Google Drive connector: the files under the configured folders (recursively) and shared
 * drives, one document per file (id = the Drive file id).
 *
 * - Full pass (`pull` without `window.resume`, or `window.full`): `changes.getStartPageToken`
 *   first, then the scope listed one files.list page per call (folders breadth first, then each
 *   shared drive), refs with versions only; the last page's cursor is the change log from the
 *   token taken before the listing, so nothing changed meanwhile is lost.
 * - Incremental pass: `changes.list` from `window.resume`, one page per call, `nextPageToken`
 *   within the pass and `newStartPageToken` only on the last page. `removed` (deleted, or
 *   access lost) and `trashed` delete; a file whose parents leave the scope deletes; a folder
 *   that leaves the scope asks for a reconcile after the pass; a folder with children moving
 *   into the scope (Drive lists no change for its children) restarts as a full pass. An
 *   invalid page token → CursorExpiredError (full pass + reconcile).
 * - `fetch`: the files asked for (the metadata read on the page when the core asks right after
 *   it, else files.get), exported or downloaded (./document.ts); one file's refusal is skipped.
 * - `list`: every file of the scope with its version — after a full pass, what it just listed.
 *   The core reconciles after full passes and after passes where a folder left the scope.
 * - Push (./channels.ts): `beginRun` keeps the changes.watch channel (opens, renews within one
 *   schedule interval, or stops it when push is off), so on AWS the schedule renews it; locally
 *   `watch` also runs a timer over the same keeper.
 */
import { ConfigError, CursorExpiredError, errorMessage } from '../../core/errors.ts';
import type { Logger } from '../../core/deps.ts';
import { rateMs } from '../../config/source-base.ts';
import type {
  Clock, CredentialStore, Cursor, DocumentIssue, DocumentRef, FetchResult, Hints, ListedDocument, PullPage, PullWindow, SourceConnector,
} from '../../ports/index.ts';
import { decodeCursor, encodeCursor, fetchEach, ProviderNotFoundError, slimListing, type HttpSeams } from '../kit/index.ts';
import type { TokenSource } from './auth.ts';
import { ChannelKeeper, realSchedule, type Schedule } from './channels.ts';
import type { GDriveSourceConfig } from './config.ts';
import { changesCursor, gdriveCursor, type ChangesPosition, type FolderMap, type WalkCursor } from './cursor.ts';
import { documentOf, refusalOf, versionOf } from './document.ts';
import { DriveApi, FOLDER, type DriveFile, type FilePage } from './drive-api.ts';
import { dropSubtree, Scope } from './scope.ts';

export interface GDriveConnectorOptions extends HttpSeams {
  readonly source: GDriveSourceConfig;
  readonly tokens: TokenSource;
  /** Where the push channel's state lives (./channels.ts). */
  readonly credentials: CredentialStore;
  readonly secret: (envName: string) => string | undefined;
  readonly clock: Clock;
  readonly log: Logger;
  readonly schedule?: Schedule;
}

/** How far up the folder tree `fetch` walks to find a scope folder. */
const MAX_DEPTH = 100;

export class GDriveConnector implements SourceConnector {
  readonly sourceId: string;
  readonly api: DriveApi;
  /** Keeps the push channel (every run and, locally, `watch`). */
  readonly keeper: ChannelKeeper;

  private readonly source: GDriveSourceConfig;
  private readonly scope: Scope;
  /** Files read on the latest page, for the `fetch` that follows it (saves a files.get each). */
  private readonly seen = new Map<string, DriveFile>();
  /** The folders of the scope as of the latest cursor. */
  private folders: FolderMap | undefined;
  private pass: { snapshotAt: string; full: boolean; listing: Map<string, string>; complete: boolean; scopeLeft: boolean } | undefined;

  constructor(private readonly options: GDriveConnectorOptions) {
    this.source = options.source;
    this.sourceId = options.source.id;
    this.scope = new Scope(options.source);
    const who = options.source.serviceAccountKeyEnv ?? options.source.refreshTokenEnv ?? 'the credential';
    this.api = new DriveApi({
      sourceId: this.sourceId, apiUrl: options.source.apiUrl, tokens: options.tokens, requestsPerMinute: options.source.requestsPerMinute,
      authHint: `check that ${who} is valid for Drive (scope drive.readonly) and that the folders and shared drives are shared with that account`,
      clock: options.clock, ...(options.fetch ? { fetch: options.fetch } : {}), ...(options.sleep ? { sleep: options.sleep } : {}),
      ...(options.random ? { random: options.random } : {}),
    });
    this.keeper = new ChannelKeeper({
      source: options.source, api: this.api, credentials: options.credentials, secret: options.secret, clock: options.clock, log: options.log,
    });
  }

  /**
   * Every run keeps the channel for the time until the next scheduled one. A channel that
   * cannot be kept now does not stop the sync: the schedule still finds every change.
   */
  async beginRun(): Promise<void> {
    try {
      await this.keeper.keep(rateMs(this.source.schedule));
    } catch (error) {
      this.options.log.warn('gdrive.channel.keep_failed', { sourceId: this.sourceId, error: errorMessage(error) });
    }
  }

  async pull(cursor: Cursor | undefined, window: PullWindow): Promise<PullPage> {
    const position = decodeCursor(this.sourceId, cursor, gdriveCursor);
    if (position === undefined) {
      const resume = window.full ? undefined : changesCursor.safeParse(window.resume);
      if (resume?.success) {
        this.pass = { snapshotAt: window.snapshotAt, full: false, listing: new Map(), complete: false, scopeLeft: false };
        return this.changesPage(resume.data);
      }
      this.pass = { snapshotAt: window.snapshotAt, full: true, listing: new Map(), complete: false, scopeLeft: false };
      return this.walkPage(await this.startWalk());
    }
    return position.kind === 'walk' ? this.walkPage(position) : this.changesPage(position);
  }

  async fetch(ids: readonly string[]): Promise<FetchResult> {
    return fetchEach([...new Set(ids)], async (id) => {
      let file = this.seen.get(id);
      this.seen.delete(id);
      if (!file) {
        try {
          file = await this.api.file(id);
        } catch (error) {
          if (error instanceof ProviderNotFoundError) return undefined;
          throw error;
        }
      }
      if (file.trashed || !this.scope.indexes(file) || !(await this.inScope(file))) return undefined;
      return documentOf(this.api, file, this.source.maxFileBytes);
    });
  }

  list(pass?: { readonly snapshotAt: string }): AsyncIterable<ListedDocument> {
    const current = this.pass;
    if (pass && current?.full && current.complete && current.snapshotAt === pass.snapshotAt) {
      return (async function* listed() {
        for (const [id, version] of current.listing) yield { id, version };
      })();
    }
    return slimListing(this.walkAll(), (ref: DocumentRef) => ({ id: ref.id, version: ref.version }), { sourceId: this.sourceId });
  }

  reconcileAfterPass(pass: { readonly snapshotAt: string }): boolean {
    const current = this.pass;
    return current === undefined || current.snapshotAt !== pass.snapshotAt || current.full || current.scopeLeft;
  }

  /** Notifications reach the webhook route, not `onHints`: this only renews the channel on time. */
  async watch(_onHints: (hints: Hints) => void): Promise<() => Promise<void>> {
    if (!this.source.push) return async () => {};
    return this.keeper.runTimer(this.options.schedule ?? realSchedule);
  }

  // ───────────────────────────── full pass ─────────────────────────────

  private async startWalk(): Promise<WalkCursor> {
    // Before the listing: a change made while it runs is then in the change log that follows.
    const startToken = await this.api.startPageToken();
    for (const id of this.scope.roots) await this.checkRoot(id);
    return { kind: 'walk', startToken, pending: [...this.scope.roots], drives: [...this.scope.drives], folders: this.scope.rootMap() };
  }

  /** A scope folder that is gone would list as empty and have reconcile delete everything under it. */
  private async checkRoot(id: string): Promise<void> {
    let root: DriveFile;
    try {
      root = await this.api.file(id);
    } catch (error) {
      if (error instanceof ProviderNotFoundError) {
        throw new ConfigError(`folder ${id} of source "${this.sourceId}" was not found: check "folders" and that the folder is shared with the source's account`);
      }
      throw error;
    }
    if (root.mimeType !== FOLDER) throw new ConfigError(`"folders" entry ${id} of source "${this.sourceId}" is a ${root.mimeType}, not a folder`);
    if (root.trashed) throw new ConfigError(`folder ${id} of source "${this.sourceId}" is in the trash: restore it or remove it from "folders"`);
  }

  private async walkPage(walk: WalkCursor): Promise<PullPage> {
    const step = await this.walkStep(walk);
    const done = step.next === undefined;
    const next = step.next ?? { kind: 'changes' as const, token: walk.startToken, folders: walk.folders };
    this.folders = next.folders;
    const pass = this.pass;
    if (pass?.full) {
      for (const ref of step.changed) pass.listing.set(ref.id, ref.version);
      for (const issue of step.skipped) pass.listing.set(issue.id, issue.version);
      if (done) pass.complete = true;
    }
    return { changed: step.changed, deleted: [], skipped: step.skipped.map(({ id, reason }) => ({ id, reason })), next: encodeCursor(next), done };
  }

  /** One files.list page of the walk; `next` undefined when the walk is over. */
  private async walkStep(walk: WalkCursor): Promise<{ changed: DocumentRef[]; skipped: (DocumentIssue & { version: string })[]; next: WalkCursor | undefined }> {
    const state: WalkCursor = { ...walk, pending: [...walk.pending], drives: [...walk.drives], folders: { ...walk.folders } };
    let page: FilePage;
    if (state.current === undefined && state.pending.length > 0) state.current = state.pending.shift()!;
    if (state.current !== undefined) {
      page = await this.api.children(state.current, state.pageToken, this.source.pageSize);
      for (const f of page.files) {
        if (f.mimeType === FOLDER && state.folders[f.id] === undefined) {
          state.folders[f.id] = state.current;
          state.pending.push(f.id);
        }
      }
    } else if (state.drives.length > 0) {
      page = await this.api.driveItems(state.drives[0]!, state.pageToken, this.source.pageSize);
    } else {
      return { changed: [], skipped: [], next: undefined };
    }
    if (page.nextPageToken) state.pageToken = page.nextPageToken;
    else {
      delete state.pageToken;
      if (state.current !== undefined) delete state.current;
      else state.drives.shift();
    }
    const { changed, skipped } = this.refsOf(page.files);
    const over = state.current === undefined && state.pending.length === 0 && state.drives.length === 0;
    return { changed, skipped, next: over ? undefined : state };
  }

  private refsOf(files: readonly DriveFile[]): { changed: DocumentRef[]; skipped: (DocumentIssue & { version: string })[] } {
    const changed: DocumentRef[] = [];
    const skipped: (DocumentIssue & { version: string })[] = [];
    for (const f of files) {
      if (f.trashed || !this.scope.indexes(f)) continue;
      const version = versionOf(f);
      const refusal = refusalOf(f, this.source.maxFileBytes);
      if (refusal !== undefined) skipped.push({ id: f.id, reason: refusal, version });
      else {
        this.seen.set(f.id, f);
        changed.push({ id: f.id, version });
      }
    }
    return { changed, skipped };
  }

  private async *walkAll(): AsyncGenerator<DocumentRef[]> {
    let walk: WalkCursor | undefined = await this.startWalk();
    while (walk) {
      const step = await this.walkStep(walk);
      yield [...step.changed, ...step.skipped.map(({ id, version }) => ({ id, version }))];
      walk = step.next;
    }
  }

  // ───────────────────────────── change log ─────────────────────────────

  private async changesPage(position: ChangesPosition): Promise<PullPage> {
    const page = await this.api.changes(position.token, this.source.pageSize);
    const folders = { ...position.folders };
    const deleted: string[] = [];
    const inScope: DriveFile[] = [];
    for (const change of page.changes) {
      if (change.changeType === 'drive') continue;
      const file = change.file;
      const id = file?.id ?? change.fileId;
      if (id === undefined) continue;
      if (change.removed === true || file === undefined || file.trashed === true) {
        if (dropSubtree(folders, id)) this.scopeLeft();
        deleted.push(id);
        continue;
      }
      const contained = this.scope.contains(file, folders) || this.scope.roots.has(id);
      if (file.mimeType === FOLDER) {
        await this.folderChanged(file, contained, folders);
        continue;
      }
      if (contained && this.scope.indexes(file)) inScope.push(file);
      else deleted.push(id);
    }
    const { changed, skipped } = this.refsOf(inScope);
    const last = page.nextPageToken === undefined;
    const token = page.nextPageToken ?? page.newStartPageToken;
    if (token === undefined) throw new CursorExpiredError(this.sourceId);
    this.folders = folders;
    return {
      changed, deleted,
      skipped: skipped.map(({ id, reason }) => ({ id, reason })), next: encodeCursor({ kind: 'changes', token, folders }), done: last,
    };
  }

  private async folderChanged(folder: DriveFile, contained: boolean, folders: FolderMap): Promise<void> {
    if (this.scope.roots.has(folder.id) || (folder.driveId !== undefined && this.scope.drives.has(folder.driveId))) return;
    const known = folders[folder.id] !== undefined;
    if (known && !contained) {
      dropSubtree(folders, folder.id);
      this.scopeLeft();
    } else if (known) {
      folders[folder.id] = folder.parents?.[0] ?? folders[folder.id]!;
    } else if (contained) {
      // Moved in (or new): Drive logs no change for the children of a moved folder.
      const children = await this.api.children(folder.id, undefined, 1);
      if (children.files.length > 0) throw new CursorExpiredError(this.sourceId);
      folders[folder.id] = folder.parents?.find((p) => folders[p] !== undefined) ?? folder.id;
    }
  }

  private scopeLeft(): void {
    if (this.pass) this.pass.scopeLeft = true;
  }

  /** Whether a file is under the scope: by the known folders, else by walking up its parents. */
  private async inScope(file: DriveFile): Promise<boolean> {
    if (this.scope.contains(file, this.folders ?? this.scope.rootMap())) return true;
    if (this.scope.roots.size === 0) return false;
    let frontier = [...(file.parents ?? [])];
    const visited = new Set<string>();
    for (let depth = 0; frontier.length > 0 && depth < MAX_DEPTH; depth += 1) {
      const up: string[] = [];
      for (const id of frontier) {
        if (this.scope.roots.has(id) || this.folders?.[id] !== undefined) return true;
        if (visited.has(id)) continue;
        visited.add(id);
        try {
          up.push(...(await this.api.parentsOf(id)).parents);
        } catch (error) {
          if (!(error instanceof ProviderNotFoundError)) throw error;
        }
      }
      frontier = up;
    }
    return false;
  }
}
