/**
 * Tempo connector: the worklogs of some Jira projects, one `text` document per worklog, with the
 * issue's key and summary resolved through Jira (./jira-issues.ts) and its project as access.
 *
 * - `pull`: one Tempo (or Jira) request per call, through the phases of ./pass-cursor.ts. Refs
 *   carry their documents: a worklog page holds every field a document needs, so no worklog is
 *   read twice, and the core, comparing versions, drops the unchanged ones without any request.
 * - `fetch` (webhook hints, retries of skipped worklogs): `GET /4/worklogs/{id}` each; a worklog
 *   Tempo does not have, or of an issue outside `projects`, is gone.
 * - `list` (reconcile): every worklog of the scope, ids and versions — after a full pass, the
 *   listing that pass just read, without a request.
 */
import { DocumentError } from '../../core/errors.ts';
import type { Logger } from '../../core/deps.ts';
import type {
  Clock, Cursor, DocumentIssue, DocumentRef, FetchResult, ListedDocument, PullPage, PullWindow, SourceConnector,
} from '../../ports/index.ts';
import { decodeCursor, encodeCursor, expire, fetchEach, slimListing, type HttpSeams } from '../kit/index.ts';
import type { TempoSourceConfig } from './config.ts';
import { JiraIssues, type IssueInfo } from './jira-issues.ts';
import { nextOffset, reconcileDue, tempoCursor, type DoneCursor, type PassCursor } from './pass-cursor.ts';
import { PAPERTRAIL_DAYS, TempoApi, type TempoWorklog, type WorklogQuery } from './tempo-api.ts';
import { docIdOf, unresolvedVersion, versionOf, worklogDocument, worklogIdOf } from './worklog-document.ts';

const DAY = 86_400_000;

export interface TempoConnectorOptions extends HttpSeams {
  readonly source: TempoSourceConfig;
  readonly secret: (envName: string) => string | undefined;
  readonly clock: Clock;
  readonly log: Logger;
}

/** A listing page: the worklogs handed out (ids above `lastId`), the unreadable ones, and where the next page starts. */
interface ListedPage {
  readonly worklogs: readonly TempoWorklog[];
  readonly skipped: readonly DocumentIssue[];
  readonly lastId: number | undefined;
  readonly next: number | undefined;
}

export class TempoConnector implements SourceConnector {
  readonly sourceId: string;
  readonly tempo: TempoApi;
  readonly jira: JiraIssues;
  private readonly source: TempoSourceConfig;
  private readonly clock: Clock;
  private readonly log: Logger;
  /** What the current full pass handed out, for the reconcile right after it. */
  private passListing: { snapshotAt: string; items: Map<string, string>; complete: boolean } | undefined;
  /** Whether the pass that ended at `snapshotAt` should be reconciled. */
  private decision: { snapshotAt: string; reconcile: boolean } | undefined;

  constructor(options: TempoConnectorOptions) {
    const { source } = options;
    this.source = source;
    this.sourceId = source.id;
    this.clock = options.clock;
    this.log = options.log;
    const injected = {
      ...(options.fetch ? { fetch: options.fetch } : {}), ...(options.sleep ? { sleep: options.sleep } : {}), ...(options.random ? { random: options.random } : {}),
    };
    const common = { sourceId: source.id, timeoutMs: source.requestTimeoutMs, maxRetryWaitMs: source.maxRetryWaitSeconds * 1000, clock: options.clock, log: options.log, ...injected };
    this.tempo = new TempoApi({
      ...common, apiUrl: source.apiUrl, token: () => options.secret(source.tokenEnv), tokenEnv: source.tokenEnv, requestsPerSecond: source.requestsPerSecond,
    });
    this.jira = new JiraIssues({ ...common, jira: source.jira, cacheMs: source.issueCacheSeconds * 1000, token: () => options.secret(source.jira.tokenEnv) });
  }

  async pull(cursor: Cursor | undefined, window: PullWindow): Promise<PullPage> {
    const decoded = decodeCursor(this.sourceId, cursor, tempoCursor);
    if (decoded?.kind === 'done') return this.finish(decoded, window, [], [], []);
    const incremental = !window.full && window.since !== undefined;
    const sinceMs = incremental ? Date.parse(window.since!) : undefined;
    if (sinceMs !== undefined && this.clock.now() - sinceMs > (PAPERTRAIL_DAYS - 1) * DAY) {
      // Tempo's audit trail answers only for the last 180 days: deletions before then need a full pass and its reconcile.
      expire(this.sourceId, new Error(`the last pass is more than ${PAPERTRAIL_DAYS - 1} days old, beyond Tempo's deleted-worklog feed`));
    }
    let position: PassCursor;
    if (decoded) position = decoded;
    else {
      position = { kind: 'tempo', phase: 'worklogs', offset: 0, ...reconcileDue({ full: !incremental, snapshotAt: window.snapshotAt, resume: window.resume, intervalHours: this.source.reconcileIntervalHours }) };
      this.passListing = incremental ? undefined : { snapshotAt: window.snapshotAt, items: new Map(), complete: false };
    }
    switch (position.phase) {
      case 'worklogs': return this.worklogsPhase(position, window, sinceMs);
      case 'issues': return this.issuesPhase(position, window, sinceMs!);
      case 'deleted': return this.deletedPhase(position, window, sinceMs!);
    }
  }

  async fetch(ids: readonly string[]): Promise<FetchResult> {
    const wanted = ids.filter((id) => worklogIdOf(id) !== undefined);
    return fetchEach(wanted, async (id) => {
      const worklog = await this.tempo.worklog(worklogIdOf(id)!);
      const issue = (await this.jira.resolve([worklog.issue.id])).get(worklog.issue.id);
      if (!issue) throw new DocumentError(id, this.unresolvedReason(worklog));
      if (!this.inScope(issue)) return undefined;
      return worklogDocument(worklog, issue, this.source.jira.siteUrl);
    });
  }

  list(pass?: { readonly snapshotAt: string }): AsyncIterable<ListedDocument> {
    return this.listAll(pass);
  }

  reconcileAfterPass(pass: { readonly snapshotAt: string }): boolean {
    return this.decision?.snapshotAt === pass.snapshotAt ? this.decision.reconcile : true;
  }

  // ───────────────────────────── phases ─────────────────────────────

  private async worklogsPhase(position: PassCursor, window: PullWindow, sinceMs: number | undefined): Promise<PullPage> {
    const page = await this.listPage({ projectIds: this.source.projects, updatedFromMs: sinceMs }, position.offset, position.lastId);
    const { refs, skipped } = await this.refsOf(page);
    const listing = this.passListing;
    if (listing?.snapshotAt === window.snapshotAt) for (const ref of refs) listing.items.set(ref.id, ref.version);
    if (page.next !== undefined) return this.continueWith({ ...position, offset: page.next, ...lastIdOf(page) }, refs, [], skipped);
    if (sinceMs === undefined) {
      if (listing?.snapshotAt === window.snapshotAt) listing.complete = true;
      return this.finish(doneOf(position), window, refs, [], skipped);
    }
    return this.continueWith(restart(position, 'issues'), refs, [], skipped);
  }

  private async issuesPhase(position: PassCursor, window: PullWindow, sinceMs: number): Promise<PullPage> {
    if (!position.issueIds) {
      const { issues, next } = await this.jira.updatedSince(sinceMs, this.source.projects, position.issueToken);
      const ids = issues.filter((issue) => this.inScope(issue)).map((issue) => issue.id);
      if (ids.length > 0) return this.continueWith({ ...restart(position, 'issues'), issueIds: ids, ...(next ? { issueToken: next } : {}) }, [], [], []);
      if (next) return this.continueWith({ ...restart(position, 'issues'), issueToken: next }, [], [], []);
      return this.continueWith(restart(position, 'deleted'), [], [], []);
    }
    const page = await this.listPage({ projectIds: this.source.projects, issueIds: position.issueIds }, position.offset, position.lastId);
    const { refs, skipped } = await this.refsOf(page);
    if (page.next !== undefined) return this.continueWith({ ...position, offset: page.next, ...lastIdOf(page) }, refs, [], skipped);
    if (position.issueToken) return this.continueWith({ ...restart(position, 'issues'), issueToken: position.issueToken }, refs, [], skipped);
    return this.continueWith(restart(position, 'deleted'), refs, [], skipped);
  }

  private async deletedPhase(position: PassCursor, window: PullWindow, sinceMs: number): Promise<PullPage> {
    const { ids, next } = await this.tempo.deletions(sinceMs, position.deletedToken);
    const deleted = [...new Set(ids)].map(docIdOf);
    if (next) return this.continueWith({ ...position, deletedToken: next }, [], deleted, []);
    return this.finish(doneOf(position), window, [], deleted, []);
  }

  private continueWith(next: PassCursor, changed: DocumentRef[], deleted: string[], skipped: readonly DocumentIssue[]): PullPage {
    return { changed, deleted, skipped, next: encodeCursor(next), done: false };
  }

  private finish(done: DoneCursor, window: PullWindow, changed: DocumentRef[], deleted: string[], skipped: readonly DocumentIssue[]): PullPage {
    const final: DoneCursor = done.reconcile ? { ...done, reconciledAt: window.snapshotAt } : done;
    this.decision = { snapshotAt: window.snapshotAt, reconcile: done.reconcile };
    return { changed, deleted, skipped, next: encodeCursor(final), done: true };
  }

  // ───────────────────────────── listing ─────────────────────────────

  /**
   * One page of worklogs in ascending id order from `offset`, handing out ids above `lastId`.
   * Each page overlaps the one before (./pass-cursor.ts): if its first worklog is still above
   * `lastId`, worklogs before the offset were deleted and the page may have skipped some, so the
   * read moves back a page until it overlaps.
   */
  private async listPage(query: Omit<WorklogQuery, 'offset' | 'limit'>, offset: number, lastId: number | undefined): Promise<ListedPage> {
    const limit = this.source.pageSize;
    let start = offset;
    for (;;) {
      const page = await this.tempo.worklogs({ ...query, offset: start, limit });
      const first = page.worklogs[0]?.tempoWorklogId;
      if (start > 0 && lastId !== undefined && first !== undefined && first > lastId) {
        start = Math.max(0, start - limit);
        continue;
      }
      const fresh = page.worklogs.filter((w) => lastId === undefined || w.tempoWorklogId > lastId);
      const skipped = page.unreadable.flatMap((u) => (u.id === undefined ? [] : [{ id: docIdOf(u.id), reason: u.reason }]));
      if (page.unreadable.some((u) => u.id === undefined)) this.logUnreadable(page.unreadable.length);
      const highest = Math.max(lastId ?? Number.NEGATIVE_INFINITY, ...page.worklogs.map((w) => w.tempoWorklogId));
      const done = !page.hasNext || page.count === 0;
      return { worklogs: fresh, skipped, lastId: Number.isFinite(highest) ? highest : lastId, next: done ? undefined : nextOffset(start, page.count) };
    }
  }

  /** Refs (with documents) of a page's worklogs; those whose issue Jira does not give are skipped. */
  private async refsOf(page: ListedPage): Promise<{ refs: DocumentRef[]; skipped: DocumentIssue[] }> {
    const issues = await this.jira.resolve(page.worklogs.map((w) => w.issue.id));
    const refs: DocumentRef[] = [];
    const skipped: DocumentIssue[] = [...page.skipped];
    for (const worklog of page.worklogs) {
      const issue = issues.get(worklog.issue.id);
      if (!issue) {
        skipped.push({ id: docIdOf(worklog.tempoWorklogId), reason: this.unresolvedReason(worklog) });
        continue;
      }
      if (!this.inScope(issue)) continue;
      const document = worklogDocument(worklog, issue, this.source.jira.siteUrl);
      refs.push({ id: document.id, version: document.version, document });
    }
    return { refs, skipped };
  }

  private async *listAll(pass?: { readonly snapshotAt: string }): AsyncIterable<ListedDocument> {
    const listing = this.passListing;
    if (pass && listing?.complete && listing.snapshotAt === pass.snapshotAt) {
      for (const [id, version] of listing.items) yield { id, version };
      return;
    }
    yield* slimListing(this.listingPages(), (item) => item, { sourceId: this.sourceId });
  }

  private async *listingPages(): AsyncGenerator<ListedDocument[]> {
    let offset: number | undefined = 0;
    let lastId: number | undefined;
    while (offset !== undefined) {
      const page: ListedPage = await this.listPage({ projectIds: this.source.projects }, offset, lastId);
      const issues = await this.jira.resolve(page.worklogs.map((w) => w.issue.id));
      yield page.worklogs.flatMap((worklog) => {
        const issue = issues.get(worklog.issue.id);
        if (issue && !this.inScope(issue)) return [];
        return [{ id: docIdOf(worklog.tempoWorklogId), version: issue ? versionOf(worklog, issue) : unresolvedVersion(worklog) }];
      });
      // An unreadable worklog is listed at a version no document has: reconcile re-reads it instead of deleting it.
      yield page.skipped.map((s) => ({ id: s.id, version: 'unreadable' }));
      offset = page.next;
      lastId = page.lastId;
    }
  }

  // ───────────────────────────── helpers ─────────────────────────────

  private inScope(issue: IssueInfo): boolean {
    return !this.source.projects || this.source.projects.includes(issue.projectId);
  }

  private unresolvedReason(worklog: TempoWorklog): string {
    return `Jira does not return issue ${worklog.issue.id} of this worklog: the issue was deleted, or the Jira user ` +
      `(${this.source.jira.email ?? this.source.jira.tokenEnv}) may not browse its project — grant Browse projects to index it`;
  }

  private logUnreadable(count: number): void {
    this.log.warn('Tempo listed worklogs without a readable id; left out', { sourceId: this.sourceId, count });
  }
}

function restart(position: PassCursor, phase: PassCursor['phase']): PassCursor {
  return { kind: 'tempo', phase, offset: 0, reconcile: position.reconcile, ...(position.reconciledAt ? { reconciledAt: position.reconciledAt } : {}) };
}

function doneOf(position: PassCursor): DoneCursor {
  return { kind: 'done', reconcile: position.reconcile, ...(position.reconciledAt ? { reconciledAt: position.reconciledAt } : {}) };
}

function lastIdOf(page: ListedPage): { lastId?: number } {
  return page.lastId !== undefined ? { lastId: page.lastId } : {};
}
