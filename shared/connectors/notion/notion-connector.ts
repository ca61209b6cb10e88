/**
 * Notion connector: pages and data-source rows shared with an internal integration, one
 * Markdown document per page (id = the page id). See docs/sources/notion.md.
 *
 * - `pull`: one provider page per call through ./pass-cursor.ts: search by last edit (newest
 *   first, down to `since` − lookback − 1 minute: Notion's stamps are minute-rounded), then
 *   every known data source's rows by a `last_edited_time` filter (exhaustive), then the
 *   subtrees of pages renamed or moved (their descendants' breadcrumbs changed: refs with new
 *   versions and their documents; the core rewrites vectors from the embedding cache). Refs
 *   from search and queries carry versions only: the core reads only what changed.
 * - `fetch`: the page, its place (a trashed ancestor or a page outside `roots` is gone) and its
 *   block tree.
 * - `list`: a walk of every block tree from the roots (./tree-walk.ts), on an interval
 *   (`reconcileIntervalHours`) and after every full pass.
 */
import { DocumentError } from '../../core/errors.ts';
import type { Logger } from '../../core/deps.ts';
import type {
  Clock, Cursor, DocumentRef, FetchResult, ListedDocument, PullPage, PullWindow, RunStart, SourceConnector, SourceDocument, StateStore,
} from '../../ports/index.ts';
import { decodeCursor, encodeCursor, fetchEach, ProviderNotFoundError, slimListing, type HttpSeams } from '../kit/index.ts';
import { Ancestry } from './ancestry.ts';
import { isNotionId, type NotionSourceConfig } from './config.ts';
import { titleOf } from './markdown.ts';
import { NotionApi, type NotionObject } from './notion-api.ts';
import { isRow, pageDocument, pageVersion, placementOfVersion } from './page-document.ts';
import { PageReader } from './page-reader.ts';
import { doneCursor, notionCursor, type PassCursor } from './pass-cursor.ts';
import { walk, type Root } from './tree-walk.ts';

/** Notion rounds `last_edited_time` down to the minute: every lower bound moves back one more. */
export const MINUTE_MS = 60_000;
/** Empty steps one pull takes before it returns (its cursor is saved). */
const EMPTY_STEPS = 8;

export interface NotionConnectorOptions extends HttpSeams {
  readonly source: NotionSourceConfig;
  readonly token: () => string | undefined;
  readonly state: StateStore;
  readonly clock: Clock;
  readonly log: Logger;
}

export class NotionConnector implements SourceConnector {
  readonly sourceId: string;
  readonly api: NotionApi;
  private readonly source: NotionSourceConfig;
  private readonly state: StateStore;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly ancestry: Ancestry;
  private readonly reader: PageReader;
  private readonly access: readonly string[] | undefined;
  private readonly roots: ReadonlySet<string> | undefined;
  private reconcileDue = false;
  private readonly foundSources = new Set<string>();

  constructor(options: NotionConnectorOptions) {
    const { source } = options;
    this.source = source;
    this.sourceId = source.id;
    this.state = options.state;
    this.clock = options.clock;
    this.log = options.log;
    this.api = new NotionApi({
      sourceId: source.id, apiUrl: source.apiUrl, token: options.token, tokenEnv: source.tokenEnv,
      requestsPerMinute: source.requestsPerMinute, burst: source.burst, timeoutMs: source.requestTimeoutMs, maxRetryWaitMs: source.maxRetryWaitSeconds * 1000,
      clock: options.clock,
      ...(options.fetch ? { fetch: options.fetch } : {}), ...(options.sleep ? { sleep: options.sleep } : {}),
      ...(options.random ? { random: options.random } : {}), ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
    });
    this.roots = source.roots ? new Set(source.roots) : undefined;
    this.ancestry = new Ancestry(this.api, this.roots);
    this.reader = new PageReader({ api: this.api, pageSize: source.pageSize, maxDepth: source.maxBlockDepth, sourceId: source.id, log: options.log });
    this.access = source.accessGroup ? [`group:${source.accessGroup}`] : undefined;
  }

  beginRun(_run: RunStart): void {
    // Titles and places read in an earlier run may have changed since.
    this.ancestry.clear();
  }

  async pull(cursor: Cursor | undefined, window: PullWindow): Promise<PullPage> {
    const decoded = decodeCursor(this.sourceId, cursor, notionCursor);
    if (decoded?.kind === 'done') return { changed: [], deleted: [], next: encodeCursor(decoded), done: true };
    let position = decoded ?? this.firstPosition(window);
    const now = Date.parse(window.snapshotAt);
    // Steps that find nothing (a phase ending, an empty query) go on within the call, a few at most.
    for (let step = 1; ; step++) {
      const page = await this.step(position, now);
      if (page.done || page.changed.length > 0 || page.deleted.length > 0 || step >= EMPTY_STEPS) return page;
      position = decodeCursor(this.sourceId, page.next, notionCursor) as PassCursor;
    }
  }

  private step(position: PassCursor, now: number): Promise<PullPage> {
    switch (position.phase) {
      case 'search': return this.searchPage(position, now);
      case 'query': return this.queryPage(position, now);
      case 'refresh': return this.refreshPage(position, now);
    }
  }

  reconcileAfterPass(): boolean {
    return this.reconcileDue;
  }

  async fetch(ids: readonly string[]): Promise<FetchResult> {
    const now = this.clock.now();
    return fetchEach(ids.filter(isNotionId), async (id) => {
      const page = await this.api.page(id);
      if (page.object !== 'page' || page.in_trash === true || page.archived === true) return undefined;
      return this.documentOf(page, now);
    }, { concurrency: 2 });
  }

  list(): AsyncIterable<ListedDocument> {
    return slimListing(this.walkAll(), (d) => d, { sourceId: this.sourceId });
  }

  // ───────────────────────────── pull phases ─────────────────────────────

  private firstPosition(window: PullWindow): PassCursor {
    const resumed = doneCursor.safeParse(window.resume);
    const sources = new Set(resumed.success ? resumed.data.sources : []);
    const floor = window.full || window.since === undefined ? undefined : new Date(Date.parse(window.since) - MINUTE_MS).toISOString();
    return {
      kind: 'notion', phase: 'search', index: 0, sources: [...sources], refresh: [],
      ...(floor ? { floor } : {}), ...(resumed.success && resumed.data.reconciledAt && !window.full ? { reconciledAt: resumed.data.reconciledAt } : {}),
    };
  }

  private async searchPage(position: PassCursor, now: number): Promise<PullPage> {
    const page = await this.api.search(position.token, this.source.pageSize);
    const sources = new Set(position.sources);
    const refresh = new Set(position.refresh);
    const changed: DocumentRef[] = [];
    const deleted: string[] = [];
    const pages: Array<{ page: NotionObject; version: string }> = [];
    let below = false;
    for (const obj of page.results) this.ancestry.remember(obj);
    for (const obj of page.results) {
      if (position.floor && obj.last_edited_time && obj.last_edited_time < position.floor) {
        below = true;
        break;
      }
      if (obj.object === 'data_source') {
        const placed = await this.ancestry.place(obj.id, obj.database_parent);
        if (placed.inScope && !placed.trashed && obj.in_trash !== true) sources.add(obj.id);
        continue;
      }
      if (obj.object !== 'page') continue;
      const placed = await this.ancestry.place(obj.id, obj.parent);
      if (!placed.inScope) continue;
      if (placed.trashed || obj.in_trash === true || obj.archived === true) {
        deleted.push(obj.id);
        continue;
      }
      // A row is handed out by its data source's query (exhaustive), once per pass.
      if (obj.parent?.type === 'data_source_id' && obj.parent.data_source_id) {
        sources.add(obj.parent.data_source_id);
        continue;
      }
      if (isRow(obj)) continue;
      const version = pageVersion(obj.last_edited_time ?? '', { breadcrumb: placed.breadcrumb, access: this.access }, now);
      changed.push({ id: obj.id, version });
      pages.push({ page: obj, version });
    }
    for (const id of await this.renamedOrMoved(pages)) refresh.add(id);
    const more = page.has_more && page.next_cursor && !below;
    const next: PassCursor = more
      ? { ...position, token: page.next_cursor!, sources: [...sources], refresh: [...refresh] }
      : { ...withoutToken(position), phase: 'query', index: 0, sources: [...sources], refresh: [...refresh] };
    return { changed, deleted, next: encodeCursor(next), done: false };
  }

  private async queryPage(position: PassCursor, now: number): Promise<PullPage> {
    const dataSourceId = position.sources[position.index];
    if (dataSourceId === undefined) return this.advance({ ...withoutToken(position), phase: 'refresh', index: 0 });
    const since = position.queryFloor ?? position.floor;
    let page;
    try {
      page = await this.api.query(dataSourceId, since, position.token, this.source.pageSize);
    } catch (error) {
      if (!(error instanceof ProviderNotFoundError)) throw error;
      // Unshared or deleted: its rows leave through webhooks and reconcile; stop querying it.
      const sources = position.sources.filter((s) => s !== dataSourceId);
      return this.advance({ ...withoutToken(position), sources });
    }
    // Its rows' place: the data source's title under its database's ancestors.
    const placed = await this.ancestry.place('', { type: 'data_source_id', data_source_id: dataSourceId });
    const changed: DocumentRef[] = [];
    const deleted: string[] = [];
    for (const row of placed.inScope ? page.results : []) {
      if (placed.trashed || row.in_trash === true) deleted.push(row.id);
      else changed.push({ id: row.id, version: pageVersion(row.last_edited_time ?? '', { breadcrumb: placed.breadcrumb, access: this.access }, now) });
    }
    let next: PassCursor;
    if (page.has_more && page.next_cursor) next = { ...position, token: page.next_cursor };
    else if (page.request_status?.type === 'incomplete' && page.results.at(-1)?.last_edited_time && page.results.at(-1)!.last_edited_time !== since) {
      // Notion stops one query at 10,000 rows: go on from the last edit seen (overlap is safe).
      next = { ...withoutToken(position), queryFloor: page.results.at(-1)!.last_edited_time! };
    } else {
      if (page.request_status?.type === 'incomplete') this.log.warn('Notion data source has more rows edited in one minute than one query returns; the rest wait for reconcile', { sourceId: this.sourceId, dataSourceId });
      const { queryFloor: _q, ...rest } = withoutToken(position);
      next = { ...rest, index: position.index + 1 };
    }
    return { changed, deleted, next: encodeCursor(next), done: false };
  }

  private async refreshPage(position: PassCursor, now: number): Promise<PullPage> {
    const [pageId, ...rest] = position.refresh;
    if (pageId === undefined) return this.finish(position, now);
    const changed: DocumentRef[] = [];
    const sources = new Set(position.sources);
    try {
      const root = await this.api.page(pageId);
      for await (const listed of walk([{ kind: 'page', page: root }], this.walkOptions(now, (id) => sources.add(id)))) {
        for (const ref of listed) if (ref.id !== pageId) changed.push(ref);
      }
    } catch (error) {
      if (!(error instanceof ProviderNotFoundError)) throw error;
    }
    return { changed, deleted: [], next: encodeCursor({ ...position, refresh: rest, sources: [...sources] }), done: false };
  }

  private advance(next: PassCursor): PullPage {
    return { changed: [], deleted: [], next: encodeCursor(next), done: false };
  }

  private finish(position: PassCursor, now: number): PullPage {
    const sources = [...new Set([...position.sources, ...this.foundSources])];
    const last = position.reconciledAt ? Date.parse(position.reconciledAt) : undefined;
    this.reconcileDue = position.floor === undefined || last === undefined || now - last >= this.source.reconcileIntervalHours * 3_600_000;
    const reconciledAt = this.reconcileDue ? new Date(now).toISOString() : position.reconciledAt;
    return { changed: [], deleted: [], next: encodeCursor({ kind: 'done', sources, ...(reconciledAt ? { reconciledAt } : {}) }), done: true };
  }

  /** Pages whose title or place differs from what the ledger holds: their descendants' breadcrumbs changed. */
  private async renamedOrMoved(pages: ReadonlyArray<{ page: NotionObject; version: string }>): Promise<string[]> {
    if (pages.length === 0) return [];
    const ledger = await this.state.getDocuments(this.sourceId, pages.map((p) => p.page.id));
    return pages.filter(({ page, version }) => {
      const entry = ledger.get(page.id);
      if (!entry || entry.deleted) return false;
      const title = titleOf(page.properties) || 'Untitled';
      return entry.title !== title || placementOfVersion(entry.version) !== placementOfVersion(version);
    }).map(({ page }) => page.id);
  }

  // ───────────────────────────── documents ─────────────────────────────

  private async documentOf(page: NotionObject, now: number): Promise<SourceDocument | undefined> {
    this.ancestry.remember(page);
    const placed = await this.ancestry.place(page.id, page.parent);
    if (!placed.inScope || placed.trashed) return undefined;
    let body: string;
    try {
      body = (await this.reader.read(page.id)).markdown;
    } catch (error) {
      // Trashed or unshared while it was read.
      if (error instanceof ProviderNotFoundError) return undefined;
      throw error;
    }
    return pageDocument(page, body, { breadcrumb: placed.breadcrumb, access: this.access }, now);
  }

  // ───────────────────────────── reconcile ─────────────────────────────

  private walkOptions(now: number, onDataSource: (id: string) => void) {
    return {
      api: this.api, reader: this.reader, ancestry: this.ancestry, pageSize: this.source.pageSize, access: this.access, nowMs: now,
      onDataSource: (id: string) => {
        this.foundSources.add(id);
        onDataSource(id);
      },
    };
  }

  private async *walkAll(): AsyncGenerator<ListedDocument[]> {
    const now = this.clock.now();
    yield* walk(await this.rootsToWalk(), this.walkOptions(now, () => undefined));
  }

  /** The configured roots (each read once: a page or a data source), or every top-level object search shows. */
  private async rootsToWalk(): Promise<Root[]> {
    if (this.roots) {
      const roots: Root[] = [];
      for (const id of this.roots) {
        try {
          roots.push({ kind: 'page', page: await this.api.page(id) });
        } catch (error) {
          if (!(error instanceof ProviderNotFoundError)) throw error;
          try {
            const ds = await this.api.dataSource(id);
            this.ancestry.remember(ds);
            roots.push({ kind: 'data_source', id: ds.id });
          } catch (inner) {
            if (!(inner instanceof ProviderNotFoundError)) throw inner;
            throw new DocumentError(id, `root ${id} is neither a page nor a data source shared with the integration: share it (… → Connections) or remove it from "roots"`);
          }
        }
      }
      return roots;
    }
    const tops: Root[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await this.api.search(cursor, this.source.pageSize);
      for (const obj of page.results) this.ancestry.remember(obj);
      for (const obj of page.results) {
        if (obj.in_trash === true) continue;
        if (obj.object === 'page' && !isRow(obj) && (await this.ancestry.place(obj.id, obj.parent)).breadcrumb.length === 0) tops.push({ kind: 'page', page: obj });
        if (obj.object === 'data_source' && (await this.ancestry.place(obj.id, obj.database_parent)).breadcrumb.length === 0) tops.push({ kind: 'data_source', id: obj.id });
      }
      if (!page.has_more || !page.next_cursor) return tops;
      cursor = page.next_cursor;
    }
  }
}

function withoutToken(position: PassCursor): PassCursor {
  const { token: _token, ...rest } = position;
  return rest;
}
