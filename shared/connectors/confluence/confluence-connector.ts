/**
 * Confluence Cloud connector: the pages (and optionally blog posts) of configured spaces, one
 * Markdown document per page (id = the content id).
 *
 * - `pull`: one CQL search page per call (./cql-listing.ts), `lastmodified` from the window's
 *   `since` in the API user's time zone, refs with versions only (./page-document.ts), so the
 *   core reads only what changed. A page on it renamed or moved since indexed brings its
 *   descendants along (./page-reader.ts). The cursor is saved after every page; no page cap.
 * - `fetch`: batch reads by id; trashed, archived and purged pages are absent (deleted). In a
 *   targeted run (webhook hints: `page_moved`, `page_updated`) the descendants of a renamed or
 *   moved page are returned too.
 * - `list`: every page's id and version (no bodies), after a full pass from what it read. The
 *   core reconciles after full passes and every `reconcileIntervalMinutes`: that is how trashed
 *   and purged pages leave the index without webhooks, and how moves reach it.
 */
import type {
  Clock, Cursor, DocumentRef, FetchResult, ListedDocument, PullPage, PullWindow, RunStart, SourceConnector, StateStore,
} from '../../ports/index.ts';
import { decodeCursor, encodeCursor, slimListing } from '../kit/index.ts';
import { RestrictionCache } from './access.ts';
import { apiBaseOf, tokenEnvOf, type ConfluenceSourceConfig } from './config.ts';
import { BASE_EXPAND, ConfluenceApi, type ConfluenceApiOptions } from './confluence-api.ts';
import { cursorSchema, doneSchema, firstPosition, listingCql, nextPosition, scopeCql, type Position } from './cql-listing.ts';
import { versionOf } from './page-document.ts';
import { changedPage, PageReader, splitItems } from './page-reader.ts';

export interface ConfluenceConnectorOptions extends Pick<ConfluenceApiOptions, 'fetch' | 'sleep' | 'random' | 'maxAttempts' | 'baseBackoffMs'> {
  readonly source: ConfluenceSourceConfig;
  readonly secret: (envName: string) => string | undefined;
  readonly state: StateStore;
  readonly clock: Clock;
}

/** The listing of a full pass this instance read from its first page to its last. */
interface PassListing {
  readonly snapshotAt: string;
  readonly items: Map<string, string>;
  complete: boolean;
}

export class ConfluenceConnector implements SourceConnector {
  readonly sourceId: string;
  /** The API client; exposed for its request counter. */
  readonly api: ConfluenceApi;

  private readonly source: ConfluenceSourceConfig;
  private readonly scope: string;
  private readonly restrictions: RestrictionCache;
  private readonly reader: PageReader;
  private zone: Promise<string> | undefined;
  private targeted = false;
  private reconcileDecision: boolean | undefined;
  private passListing: PassListing | undefined;

  constructor(options: ConfluenceConnectorOptions) {
    const { source } = options;
    this.source = source;
    this.sourceId = source.id;
    this.scope = scopeCql(source.spaces, source.includeBlogPosts);
    this.api = new ConfluenceApi({
      sourceId: source.id, apiBase: apiBaseOf(source), secret: options.secret, clock: options.clock,
      auth: source.bearerTokenEnv !== undefined ? { bearerTokenEnv: source.bearerTokenEnv } : { email: source.email ?? '', tokenEnv: tokenEnvOf(source) },
      requestsPerMinute: source.requestsPerMinute, timeoutMs: source.requestTimeoutMs, maxRetryWaitMs: source.maxRetryWaitSeconds * 1000,
      ...(options.fetch ? { fetch: options.fetch } : {}), ...(options.sleep ? { sleep: options.sleep } : {}),
      ...(options.random ? { random: options.random } : {}), ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
      ...(options.baseBackoffMs !== undefined ? { baseBackoffMs: options.baseBackoffMs } : {}),
    });
    this.restrictions = new RestrictionCache((id) => this.api.readRestriction(id));
    this.reader = new PageReader({
      sourceId: source.id, api: this.api, state: options.state, restrictions: this.restrictions, scope: this.scope,
      pageSize: source.pageSize, fetchBatchSize: source.fetchBatchSize, zone: () => this.timeZone(),
    });
  }

  /** Per run: the user's zone is read again (it may change) and restrictions are read afresh. */
  beginRun(run: RunStart): void {
    this.zone = undefined;
    this.restrictions.clear();
    this.targeted = run.targeted;
  }

  async pull(cursor: Cursor | undefined, window: PullWindow): Promise<PullPage> {
    const decoded = decodeCursor(this.sourceId, cursor, cursorSchema);
    if (decoded?.kind === 'done') return { changed: [], deleted: [], next: encodeCursor(decoded), done: true };
    const position = decoded ?? this.startPass(window);
    this.reconcileDecision = position.reconcile;

    const zone = await this.timeZone();
    const page = await this.api.search(listingCql(this.scope, position.fromMs, zone), { start: position.skip, limit: this.source.pageSize, expand: BASE_EXPAND });
    const { contents, skipped } = splitItems(page.items, this.sourceId);
    const refs = new Map<string, string>(contents.map((c) => [c.id, versionOf(c)]));
    // A full pass lists every page anyway; an incremental one adds what a rename or move changed below.
    if (position.fromMs !== null) {
      const below = await this.reader.descendantsToRefresh(contents.map(changedPage));
      for (const ref of below) if (!refs.has(ref.id)) refs.set(ref.id, ref.version);
    }
    const listing = this.passListing;
    if (listing?.snapshotAt === window.snapshotAt && !listing.complete) {
      for (const c of contents) listing.items.set(c.id, versionOf(c));
      // A skipped page is left out; the core neither deletes nor re-reads it on this reconcile (§1.1).
      if (!page.more) listing.complete = true;
    }
    const next = page.more
      ? nextPosition(position, page.items.map((i) => (i.ok ? Date.parse(i.content.version.when) : undefined)))
      : { kind: 'done' as const, reconciledAt: position.reconcile ? window.snapshotAt : position.reconciledAt };
    const changed: DocumentRef[] = [...refs].map(([id, version]) => ({ id, version }));
    return { changed, deleted: [], next: encodeCursor(next), done: !page.more, ...(skipped.length > 0 ? { skipped } : {}) };
  }

  async fetch(ids: readonly string[]): Promise<FetchResult> {
    return this.reader.read(ids, this.targeted);
  }

  list(pass?: { readonly snapshotAt: string }): AsyncIterable<ListedDocument> {
    return this.listAll(pass);
  }

  /** After full passes, and after incremental ones once `reconcileIntervalMinutes` have passed. */
  reconcileAfterPass(): boolean {
    return this.reconcileDecision ?? true;
  }

  // ───────────────────────────── internals ─────────────────────────────

  private startPass(window: PullWindow): Position {
    // The last completed pass's final cursor says when it last reconciled (another shape: never).
    const previous = doneSchema.safeParse(window.resume);
    const reconciledAt = previous.success ? previous.data.reconciledAt : null;
    const due = reconciledAt === null || Date.parse(window.snapshotAt) - Date.parse(reconciledAt) >= this.source.reconcileIntervalMinutes * 60_000;
    const full = window.full || window.since === undefined;
    this.passListing = full ? { snapshotAt: window.snapshotAt, items: new Map(), complete: false } : undefined;
    return firstPosition(full ? undefined : window.since, full || due, reconciledAt);
  }

  private timeZone(): Promise<string> {
    if (!this.zone) {
      this.zone = this.api.timeZone();
      this.zone.catch(() => { this.zone = undefined; });
    }
    return this.zone;
  }

  private async *listAll(pass?: { readonly snapshotAt: string }): AsyncIterable<ListedDocument> {
    const listing = this.passListing;
    if (pass && listing?.complete && listing.snapshotAt === pass.snapshotAt) {
      for (const [id, version] of listing.items) yield { id, version };
      return;
    }
    yield* slimListing(this.reader.pagesOf(this.scope), (c) => ({ id: c.id, version: versionOf(c) }), { sourceId: this.sourceId });
  }
}
