/**
 * A toy "wiki" provider on 127.0.0.1 and a connector for it built only from the kit: the
 * worked example of docs/connectors.md, run through the real core in kit-connector.test.ts.
 *
 * The API has the three shapes real providers have:
 * - `GET /v1/pages?cursor=&limit=` — a cursor-paginated listing of `{ id, rev }` in id order;
 * - `GET /v1/pages/:id` — one page with its content, 404 when gone;
 * - `GET /v1/changes?since=<iso>|token=<seq>&limit=` — a change feed (edits and removals)
 *   whose tokens expire: a token older than the retained log answers 410 Gone.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import {
  changesCursor,
  changesCursorSchema,
  decodeCursor,
  encodeCursor,
  fetchEach,
  HttpClient,
  pageCursor,
  pageCursorSchema,
  paginateCursor,
  slimListing,
} from '../../../shared/connectors/kit/index.ts';
import type { HttpClientOptions } from '../../../shared/connectors/kit/index.ts';
import type { Clock, Cursor, DocumentRef, FetchResult, ListedDocument, PullPage, PullWindow, SourceConnector, SourceDocument } from '../../../shared/ports/index.ts';

interface WikiPage {
  readonly id: string;
  readonly rev: number;
  readonly body: string;
}

interface Change {
  readonly seq: number;
  readonly id: string;
  readonly removed: boolean;
  /** Epoch ms, from the provider's clock. */
  readonly at: number;
}

export interface Served {
  readonly path: string;
  readonly query: URLSearchParams;
  readonly status: number;
}

/** The provider. Its clock is the test's, so windows line up. */
export class WikiServer {
  readonly pages = new Map<string, WikiPage>();
  readonly log: Change[] = [];
  readonly served: Served[] = [];
  /** Tokens below this seq answer 410 (the log was compacted). */
  expiredBelow = 0;
  /** Compact the log right after the next `since` request is answered (a token expiring mid-pass). */
  expireAfterNextSince = false;
  url = '';
  private server: Server | undefined;
  private seq = 0;
  private rev = 0;

  constructor(private readonly clock: Clock) {}

  put(id: string, body: string): void {
    this.rev += 1;
    this.pages.set(id, { id, rev: this.rev, body });
    this.log.push({ seq: ++this.seq, id, removed: false, at: this.clock.now() });
  }

  remove(id: string): void {
    this.pages.delete(id);
    this.log.push({ seq: ++this.seq, id, removed: true, at: this.clock.now() });
  }

  /** Removes a page without a change-log entry (a change feed that missed it): only reconcile can find it. */
  removeSilently(id: string): void {
    this.pages.delete(id);
  }

  requests(path: string): Served[] {
    return this.served.filter((s) => s.path === path);
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
    return this.url;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://wiki');
    const send = (status: number, body: unknown): void => {
      this.served.push({ path: url.pathname, query: url.searchParams, status });
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (req.headers.authorization !== 'Bearer wiki-token') return send(401, { message: 'invalid token' });
    const limit = Number(url.searchParams.get('limit') ?? '2');
    if (url.pathname === '/v1/pages') {
      const after = url.searchParams.get('cursor') ?? '';
      const rest = [...this.pages.values()].filter((p) => p.id > after).sort((a, b) => (a.id < b.id ? -1 : 1));
      const page = rest.slice(0, limit);
      return send(200, { results: page.map((p) => ({ id: p.id, rev: p.rev })), next_cursor: rest.length > limit ? page.at(-1)!.id : null });
    }
    if (url.pathname.startsWith('/v1/pages/')) {
      const page = this.pages.get(decodeURIComponent(url.pathname.slice('/v1/pages/'.length)));
      return page ? send(200, page) : send(404, { message: 'no such page' });
    }
    if (url.pathname === '/v1/changes') {
      const since = url.searchParams.get('since');
      const token = url.searchParams.get('token');
      let from: number;
      if (since !== null) {
        from = this.log.find((c) => c.at >= Date.parse(since))?.seq ?? this.seq + 1;
      } else {
        from = Number(token);
        if (from < this.expiredBelow) return send(410, { message: 'token expired; start a full sync' });
      }
      const changes = this.log.filter((c) => c.seq >= from).slice(0, limit);
      const next = (changes.at(-1)?.seq ?? from - 1) + 1;
      // A change names the page's current revision (absent once the page is gone).
      send(200, { changes: changes.map((c) => ({ id: c.id, removed: c.removed, ...(this.pages.has(c.id) ? { rev: this.pages.get(c.id)!.rev } : {}) })), next_token: String(next), has_more: next <= this.seq });
      if (since !== null && this.expireAfterNextSince) {
        this.expireAfterNextSince = false;
        this.expiredBelow = this.seq + 1;
      }
      return;
    }
    send(404, { message: 'no such endpoint' });
  }
}

// ───────────────────────────── the connector ─────────────────────────────

const listingSchema = z.object({ results: z.array(z.object({ id: z.string(), rev: z.number() })), next_cursor: z.string().nullable() });
const pageSchema = z.object({ id: z.string(), rev: z.number(), body: z.string() });
const changesSchema = z.object({ changes: z.array(z.object({ id: z.string(), removed: z.boolean(), rev: z.number().optional() })), next_token: z.string(), has_more: z.boolean() });
/** A full pass pages the listing; an incremental one follows the change feed. */
const wikiCursor = z.discriminatedUnion('kind', [pageCursorSchema, changesCursorSchema, z.strictObject({ kind: z.literal('done') })]);

export interface WikiConnectorOptions {
  readonly sourceId: string;
  readonly baseUrl: string;
  /** The token (from the env var the config names). */
  readonly token: string;
  readonly pageSize: number;
  readonly clock: Clock;
  /** Passed through to the HttpClient (budgets, fake sleep). */
  readonly http?: Partial<HttpClientOptions>;
}

export class WikiConnector implements SourceConnector {
  readonly sourceId: string;
  readonly http: HttpClient;
  private readonly pageSize: number;
  private readonly clock: Clock;

  constructor(options: WikiConnectorOptions) {
    this.sourceId = options.sourceId;
    this.pageSize = options.pageSize;
    this.clock = options.clock;
    this.http = new HttpClient({
      sourceId: options.sourceId, provider: 'Wiki', baseUrl: options.baseUrl, clock: options.clock,
      headers: { authorization: `Bearer ${options.token}` },
      authHint: 'check that WIKI_TOKEN holds a valid API token',
      ...options.http,
    });
  }

  /** The core says a run starts: the request budget of the run starts over (HttpClient.beginRun). */
  beginRun(): void {
    this.http.beginRun();
  }

  async pull(cursor: Cursor | undefined, window: PullWindow): Promise<PullPage> {
    const position = decodeCursor(this.sourceId, cursor, wikiCursor);
    // A pass resumed after its last page was saved (a crash before the run finished): nothing left.
    if (position?.kind === 'done') return { changed: [], deleted: [], next: encodeCursor(position), done: true };
    if (position?.kind === 'changes' || (position === undefined && window.since !== undefined)) {
      return this.pullChanges(position?.kind === 'changes' ? position.token : undefined, window);
    }
    // Full pass: one listing page per pull; versions only, content is fetched for what changed.
    const [page] = await collect(paginateCursor({
      what: `Wiki listing of source "${this.sourceId}"`,
      stopAfterPages: 1,
      ...(position?.kind === 'page' ? { start: position.token } : {}),
      fetchPage: async (at) => {
        const body = await this.http.getJson('pages', { query: { cursor: at, limit: this.pageSize }, schema: listingSchema });
        return { items: body.results, nextCursor: body.next_cursor };
      },
    }));
    const items = page?.items ?? [];
    return {
      changed: items.map((item) => ({ id: item.id, version: String(item.rev) })),
      deleted: [],
      next: encodeCursor(page?.next === undefined ? { kind: 'done' } : pageCursor(page.next)),
      done: page?.done ?? true,
    };
  }

  async fetch(ids: readonly string[]): Promise<FetchResult> {
    // One request per page; a page the API refuses (or answers out of schema) is skipped, not fatal.
    return fetchEach(ids, async (id) => {
      const page = await this.http.getJson(`pages/${encodeURIComponent(id)}`, { schema: pageSchema });
      return { id: page.id, version: String(page.rev), text: page.body, format: 'markdown', title: page.id } satisfies SourceDocument;
    });
  }

  list(): AsyncIterable<ListedDocument> {
    const pages = paginateCursor({
      what: `Wiki listing of source "${this.sourceId}"`,
      fetchPage: async (at) => {
        const body = await this.http.getJson('pages', { query: { cursor: at, limit: this.pageSize }, schema: listingSchema });
        return { items: body.results, nextCursor: body.next_cursor };
      },
    });
    return slimListing(pages, (item) => ({ id: item.id, version: String(item.rev) }), { sourceId: this.sourceId });
  }

  /** The change feed from `window.since` (first page) or a token; a 410 becomes CursorExpiredError. */
  private async pullChanges(token: string | undefined, window: PullWindow): Promise<PullPage> {
    const body = await this.http.getJson('changes', {
      query: token === undefined ? { since: window.since, limit: this.pageSize } : { token, limit: this.pageSize },
      changeToken: token !== undefined,
      schema: changesSchema,
    });
    // The last change of an id in the page wins. Refs carry versions only: the core fetches
    // just the documents whose version its ledger does not hold.
    const latest = new Map<string, { removed: boolean; rev?: number | undefined }>();
    for (const change of body.changes) latest.set(change.id, change);
    const changed: DocumentRef[] = [];
    const deleted: string[] = [];
    for (const [id, change] of latest) {
      if (change.removed || change.rev === undefined) deleted.push(id);
      else changed.push({ id, version: String(change.rev) });
    }
    return {
      changed,
      deleted,
      next: encodeCursor(changesCursor(body.next_token, this.clock.now())),
      done: !body.has_more,
    };
  }
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}
