/**
 * Jira connector: the issues of a site that the config's `projects` and `jql` select, one
 * Markdown document per issue (id = the numeric issue id; keys change when issues move).
 *
 * - `pull`: one `search/jql` page per call (./pass-cursor.ts), slim fields only (summary,
 *   updated, parent): refs with versions (./issue-document.ts), so the core reads only what
 *   changed. An incremental pass searches `updated >= "<since − lookback>"`, a minute literal in
 *   the API user's zone (read from `GET /myself` at the start of every pass); a full pass the
 *   whole scope. An issue whose title differs from the ledger's (renamed, or moved to a new
 *   key) has its children (`parent in (…)`) added to the page: their text names the parent.
 * - `fetch`: `id in (…)` searches over the scope with every field, then the comments an
 *   issue's `comment` field did not carry. An id outside the scope (moved away) or gone is absent.
 * - `list`: every issue in scope with `updated` and `parent` (the version's inputs), after a
 *   full pass or every `reconcileIntervalMinutes`; after a full pass from what that pass read.
 */
import { errorMessage } from '../../core/errors.ts';
import type {
  Clock, Cursor, DocumentIssue, DocumentRef, FetchResult, ListedDocument, PullPage, PullWindow, SourceConnector, SourceDocument, StateStore,
} from '../../ports/index.ts';
import { decodeCursor, encodeCursor, minuteLiteral, ProviderNotFoundError, ProviderRequestError, ProviderResponseError, slimListing } from '../kit/index.ts';
import { scopeJql, type JiraSourceConfig } from './config.ts';
import { JiraApi, PageTokenRejected, type JiraApiOptions, type JiraComment, type JiraIssue, type SearchPage } from './jira-api.ts';
import { FULL_FIELDS, issueDocument, LIST_FIELDS, SLIM_FIELDS, titleOf, versionOf } from './issue-document.ts';
import { jiraCursor, passJql, reconcileDue, type JiraCursor } from './pass-cursor.ts';

/** JQL date literals have minute precision: every pass reaches at least this far back. */
const MIN_LOOKBACK_MS = 60_000;
/** Ids per `id in (…)` search of `fetch` (one page of full issues). */
const FETCH_BATCH = 100;
/** Jira answers up to 5000 ids per page when only ids are asked for, fewer with fields: it caps, the token pages on. */
const LIST_PAGE = 5000;
const ISSUE_ID = /^\d{1,19}$/;

export interface JiraConnectorOptions
  extends Pick<JiraApiOptions, 'authorization' | 'authHint' | 'fetch' | 'sleep' | 'random' | 'maxAttempts' | 'baseBackoffMs'> {
  readonly source: JiraSourceConfig;
  readonly state: StateStore;
  readonly clock: Clock;
}

/** What the full pass this instance read from its first page holds, for the reconcile after it. */
interface PassListing { readonly snapshotAt: string; readonly items: Map<string, string>; complete: boolean }

export class JiraConnector implements SourceConnector {
  readonly sourceId: string;
  /** The API client; exposed for its request counter. */
  readonly api: JiraApi;
  private readonly source: JiraSourceConfig;
  private readonly state: StateStore;
  private readonly scope: string;
  private readonly reconcileBySnapshot = new Map<string, boolean>();
  private passListing: PassListing | undefined;

  constructor(options: JiraConnectorOptions) {
    const { source } = options;
    this.source = source;
    this.sourceId = source.id;
    this.state = options.state;
    this.scope = scopeJql(source);
    this.api = new JiraApi({
      sourceId: source.id, apiUrl: source.apiUrl ?? source.siteUrl, authorization: options.authorization, authHint: options.authHint,
      requestsPerMinute: source.requestsPerMinute, timeoutMs: source.requestTimeoutMs, maxRetryWaitMs: source.maxRetryWaitSeconds * 1000, clock: options.clock,
      ...(options.fetch ? { fetch: options.fetch } : {}), ...(options.sleep ? { sleep: options.sleep } : {}), ...(options.random ? { random: options.random } : {}),
      ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}), ...(options.baseBackoffMs !== undefined ? { baseBackoffMs: options.baseBackoffMs } : {}),
    });
  }

  async pull(cursor: Cursor | undefined, window: PullWindow): Promise<PullPage> {
    const position = decodeCursor(this.sourceId, cursor, jiraCursor) ?? await this.startPass(window);
    this.reconcileBySnapshot.set(window.snapshotAt, position.reconcile);
    if (position.done) return { changed: [], deleted: [], next: encodeCursor(position), done: true };
    let page: SearchPage;
    let queryAfterId = position.queryAfterId;
    try {
      page = await this.api.search({ jql: passJql(this.scope, position, queryAfterId), fields: SLIM_FIELDS, maxResults: this.source.pageSize, nextPageToken: position.token });
    } catch (error) {
      if (!(error instanceof PageTokenRejected)) throw error;
      // The token expired (or the scope changed): the same search again, after the last id handed out.
      queryAfterId = position.afterId;
      page = await this.api.search({ jql: passJql(this.scope, position, queryAfterId), fields: SLIM_FIELDS, maxResults: this.source.pageSize });
    }
    const { refs, skipped } = this.refsOf(page);
    refs.push(...await this.childrenOfRenamed(page.issues, new Set(refs.map((r) => r.id))));
    const last = page.issues.at(-1)?.id ?? page.unreadable.at(-1)?.id ?? position.afterId;
    const next: JiraCursor = {
      ...position, done: page.nextPageToken === undefined,
      ...(page.nextPageToken ? { token: page.nextPageToken } : { token: undefined }),
      ...(last !== undefined ? { afterId: last } : {}), ...(queryAfterId !== undefined ? { queryAfterId } : {}),
    };
    this.remember(cursor === undefined, window, refs, next.done);
    return { changed: refs, deleted: [], next: encodeCursor(next), done: next.done, ...(skipped.length > 0 ? { skipped } : {}) };
  }

  async fetch(ids: readonly string[]): Promise<FetchResult> {
    const wanted = [...new Set(ids)].filter((id) => ISSUE_ID.test(id));
    const documents: SourceDocument[] = [];
    const skipped: DocumentIssue[] = [];
    for (let i = 0; i < wanted.length; i += FETCH_BATCH) {
      const result = await this.readBatch(wanted.slice(i, i + FETCH_BATCH));
      documents.push(...result.documents);
      skipped.push(...(result.skipped ?? []));
    }
    return { documents, skipped };
  }

  list(pass?: { readonly snapshotAt: string }): AsyncIterable<ListedDocument> {
    return this.listAll(pass);
  }

  /** The reconcile after a pass runs when that pass was full or the interval has passed. */
  reconcileAfterPass(pass: { readonly snapshotAt: string }): boolean {
    return this.reconcileBySnapshot.get(pass.snapshotAt) ?? true;
  }

  // ───────────────────────────── internals ─────────────────────────────

  /** A pass's first position: the user's zone now (it may have changed), the window as a minute literal in it. */
  private async startPass(window: PullWindow): Promise<JiraCursor> {
    const zone = await this.api.timeZone();
    const previous = window.resume ? jiraCursor.safeParse(window.resume) : undefined;
    const reconciledAt = previous?.success ? previous.data.reconciledAt : undefined;
    const reconcile = reconcileDue({ full: window.full || window.since === undefined, snapshotAt: window.snapshotAt, reconciledAt, intervalMinutes: this.source.reconcileIntervalMinutes });
    const extra = Math.max(0, MIN_LOOKBACK_MS - this.source.lookbackSeconds * 1000);
    const from = window.full || window.since === undefined ? undefined : minuteLiteral(Date.parse(window.since) - extra, zone);
    return {
      kind: 'jira', zone, done: false, reconcile, ...(from !== undefined ? { from } : {}),
      ...(reconcile ? { reconciledAt: window.snapshotAt } : reconciledAt !== undefined ? { reconciledAt } : {}),
    };
  }

  private refsOf(page: SearchPage): { refs: DocumentRef[]; skipped: DocumentIssue[] } {
    const refs: DocumentRef[] = [];
    const skipped: DocumentIssue[] = page.unreadable.map((u) => ({ id: u.id, reason: u.reason }));
    for (const issue of page.issues) {
      try {
        refs.push({ id: issue.id, version: versionOf(issue, this.source.includeComments) });
      } catch (error) {
        skipped.push({ id: issue.id, reason: errorMessage(error) });
      }
    }
    return { refs, skipped };
  }

  /**
   * Children of the page's issues whose title changed since they were indexed (the ledger keeps
   * the title): a child's text and version name its parent's key and summary, and its own
   * `updated` does not move, so it is handed out here, in the same pass.
   */
  private async childrenOfRenamed(issues: readonly JiraIssue[], seen: Set<string>): Promise<DocumentRef[]> {
    if (issues.length === 0) return [];
    const ledger = await this.state.getDocuments(this.sourceId, issues.map((i) => i.id));
    const renamed = issues.filter((i) => {
      const entry = ledger.get(i.id);
      return entry !== undefined && !entry.deleted && entry.title !== undefined && entry.title !== titleOf(i);
    }).map((i) => i.id);
    if (renamed.length === 0) return [];
    const refs: DocumentRef[] = [];
    let token: string | undefined;
    do {
      const page = await this.api.search({ jql: `(${this.scope}) AND parent in (${renamed.join(', ')}) ORDER BY id ASC`, fields: SLIM_FIELDS, maxResults: this.source.pageSize, nextPageToken: token });
      for (const ref of this.refsOf(page).refs) if (!seen.has(ref.id)) { seen.add(ref.id); refs.push(ref); }
      token = page.nextPageToken;
    } while (token);
    return refs;
  }

  /** During a full pass started here, keep what it hands out: the reconcile after it needs no listing of its own. */
  private remember(first: boolean, window: PullWindow, refs: readonly DocumentRef[], done: boolean): void {
    if (first) this.passListing = window.full || window.since === undefined ? { snapshotAt: window.snapshotAt, items: new Map(), complete: false } : undefined;
    const listing = this.passListing;
    if (!listing || listing.snapshotAt !== window.snapshotAt || listing.complete) return;
    for (const ref of refs) listing.items.set(ref.id, ref.version);
    if (done) listing.complete = true;
  }

  private async *listAll(pass?: { readonly snapshotAt: string }): AsyncIterable<ListedDocument> {
    const listing = this.passListing;
    if (pass && listing?.complete && listing.snapshotAt === pass.snapshotAt) {
      for (const [id, version] of listing.items) yield { id, version };
      return;
    }
    yield* slimListing(this.listingPages(), (issue: JiraIssue) => ({ id: issue.id, version: versionOf(issue, this.source.includeComments) }), { sourceId: this.sourceId });
  }

  private async *listingPages(): AsyncGenerator<JiraIssue[]> {
    let token: string | undefined;
    do {
      const page = await this.api.search({ jql: `${this.scope} ORDER BY id ASC`, fields: LIST_FIELDS, maxResults: LIST_PAGE, nextPageToken: token });
      // An issue the listing cannot read would be deleted if left out: the listing cannot be completed.
      if (page.unreadable.length > 0) throw new ProviderResponseError(`source "${this.sourceId}": listing: ${page.unreadable[0]!.reason}`, { sourceId: this.sourceId, provider: 'Jira', method: 'POST', path: '/rest/api/3/search/jql' });
      yield page.issues;
      token = page.nextPageToken;
    } while (token);
  }

  /** Full reads of up to 100 issues; a batch Jira refuses is halved down to the issue it refuses. */
  private async readBatch(ids: readonly string[]): Promise<FetchResult> {
    const found: JiraIssue[] = [];
    const skipped: DocumentIssue[] = [];
    try {
      let token: string | undefined;
      do {
        const page = await this.api.search({
          jql: `(${this.scope}) AND id in (${ids.join(', ')}) ORDER BY id ASC`,
          fields: this.source.includeComments ? [...FULL_FIELDS, 'comment'] : FULL_FIELDS, maxResults: FETCH_BATCH, nextPageToken: token,
        });
        found.push(...page.issues);
        skipped.push(...page.unreadable);
        token = page.nextPageToken;
      } while (token);
    } catch (error) {
      if (!(error instanceof ProviderRequestError)) throw error;
      if (ids.length > 1) {
        const half = Math.ceil(ids.length / 2);
        const [a, b] = [await this.readBatch(ids.slice(0, half)), await this.readBatch(ids.slice(half))];
        return { documents: [...a.documents, ...b.documents], skipped: [...(a.skipped ?? []), ...(b.skipped ?? [])] };
      }
      // One id Jira refuses to search for: gone when it says so, else skipped with its reason.
      if (/does not exist/i.test(error.message)) return { documents: [] };
      return { documents: [], skipped: [{ id: ids[0]!, reason: error.message }] };
    }
    const documents: SourceDocument[] = [];
    for (const issue of found) {
      let comments: JiraComment[];
      try {
        comments = await this.commentsOf(issue);
      } catch (error) {
        if (error instanceof ProviderNotFoundError) continue;   // deleted between the search and this read
        if (!(error instanceof ProviderRequestError || error instanceof ProviderResponseError)) throw error;
        skipped.push({ id: issue.id, reason: `its comments could not be read: ${errorMessage(error)}` });
        continue;
      }
      try {
        documents.push(issueDocument(issue, comments, { siteUrl: this.source.siteUrl, includeComments: this.source.includeComments }));
      } catch (error) {
        // Rendering is pure: whatever fails in it is this issue's alone.
        skipped.push({ id: issue.id, reason: `could not be rendered: ${errorMessage(error)}` });
      }
    }
    return { documents, skipped };
  }

  /** Every comment, oldest first: those the issue carried, and the rest page by page. */
  private async commentsOf(issue: JiraIssue): Promise<JiraComment[]> {
    if (!this.source.includeComments) return [];
    const embedded = issue.fields?.comment;
    if (embedded && embedded.comments.length >= embedded.total) return [...embedded.comments];
    const all: JiraComment[] = [];
    for (let startAt = 0; ;) {
      const page = await this.api.comments(issue.id, startAt);
      all.push(...page.comments);
      startAt += page.comments.length;
      if (page.comments.length === 0 || startAt >= page.total) return all;
    }
  }
}
