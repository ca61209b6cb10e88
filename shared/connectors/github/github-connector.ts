/**
 * GitHub connector: the included files of each configured repository at one branch (id
 * `<owner>/<repo>:<path>`, version = the blob SHA), and optionally its issues and pull requests
 * (id `<owner>/<repo>#<number>`, version = `updated_at` + comment count).
 *
 * - `pull`: per repository, `GET /repos/{o}/{r}` with the last ETag (304: nothing pushed, the
 *   next repository), then the branch head; a first pass, a changed branch, visibility or path
 *   rules list the tree at head, an incremental pass pages through `compare base...head` (or
 *   the tree diff, ./code-changes.ts). Then issues updated since the window, keyset-paged by
 *   `updated_at`. Refs carry versions only: the core fetches what changed.
 * - `fetch`: a file the pass located is read by its blob SHA; any other (a webhook hint, the
 *   embedder's re-read) through the contents API at the branch head. An issue with its comments.
 * - `list`: every included file (the tree at head, cached from the pass) and every issue.
 *   Incremental passes report deletions themselves, so the core reconciles only after a pass that
 *   listed a tree, or once `reconcileIntervalMinutes` have passed (deleted issues leave then).
 */
import { DocumentError } from '../../core/errors.ts';
import type { Logger } from '../../core/deps.ts';
import type {
  Clock, CredentialStore, Cursor, DocumentIssue, DocumentRef, FetchResult, ListedDocument, PullPage, PullWindow, SourceConnector, SourceDocument,
} from '../../ports/index.ts';
import { decodeCursor, encodeCursor, extractText, fetchEach, firstHeading, ProviderNotFoundError, slimListing } from '../kit/index.ts';
import { changesBetween, compareStrings, pathFilter, treeFiles, type ChangeSet, type FileChange } from './code-changes.ts';
import type { GitHubRepositoryConfig, GitHubSourceConfig } from './config.ts';
import { githubCursor, repoKey, rulesHash, type GitHubCursor, type Plan } from './cursor.ts';
import { GitHubApi, type IssueItem, type TreeEntry } from './github-api.ts';
import { issueDocument, issueId, issueVersion } from './issue-document.ts';

const ISSUES_PER_PAGE = 100;

export interface GitHubConnectorOptions {
  readonly source: GitHubSourceConfig;
  readonly secret: (env: string) => string | undefined;
  readonly credentials: CredentialStore;
  readonly tokenKey: string;
  readonly clock: Clock;
  readonly log: Logger;
  readonly retryAfterBaseMs?: number;
  readonly retries?: number;
}

interface RepoView { readonly cfg: GitHubRepositoryConfig; readonly full: string; readonly head: string; readonly private: boolean; readonly htmlUrl: string }
interface Located { readonly sha: string; readonly size?: number | undefined; readonly view: RepoView }

export const fileAccess = (view: Pick<RepoView, 'full' | 'private'>): string[] => (view.private ? [`group:github-repo:${view.full}`] : ['public']);
export const fileVersion = (sha: string, isPrivate: boolean): string => (isPrivate ? `${sha}:private` : sha);

export class GitHubConnector implements SourceConnector {
  readonly sourceId: string;
  readonly api: GitHubApi;
  private readonly source: GitHubSourceConfig;
  private readonly clock: Clock;
  private readonly included = new Map<string, (path: string) => boolean>();
  private readonly changeSets = new Map<string, Promise<ChangeSet>>();
  private readonly trees = new Map<string, Promise<TreeEntry[]>>();
  private located = new Map<string, Located>();
  private views = new Map<string, Promise<RepoView | undefined>>();
  private readonly reconcileFor = new Map<string, boolean>();
  private passEnd: { snapshotAt: string; cursor: GitHubCursor } | undefined;

  constructor(options: GitHubConnectorOptions) {
    this.source = options.source;
    this.sourceId = options.source.id;
    this.clock = options.clock;
    this.api = new GitHubApi(options);
    for (const r of this.source.repositories) this.included.set(repoKey(r), pathFilter(r.include, r.exclude));
  }

  beginRun(): void {
    // Per-run knowledge: what a pass located, and repositories looked up for fetches.
    this.located = new Map();
    this.views = new Map();
  }

  reconcileAfterPass(pass: { readonly snapshotAt: string }): boolean {
    return this.reconcileFor.get(pass.snapshotAt) ?? true;
  }

  async pull(cursor: Cursor | undefined, window: PullWindow): Promise<PullPage> {
    let pos = decodeCursor(this.sourceId, cursor, githubCursor) ?? this.start(window);
    const changed: DocumentRef[] = [];
    const deleted: string[] = [];
    const skipped: DocumentIssue[] = [];
    while (!pos.done && changed.length === 0 && deleted.length === 0) pos = await this.step(pos, window, { changed, deleted, skipped });
    if (pos.done) {
      pos = { ...pos, ...(pos.reconcile ? { reconciledAt: window.snapshotAt } : {}) };
      this.passEnd = { snapshotAt: window.snapshotAt, cursor: pos };
      // Repositories that could not be read: their documents stay (a prefix skip on the last page).
      for (const full of pos.unreadable) skipped.push({ id: `${full}:`, prefix: true, reason: `repository ${full} could not be read` }, { id: `${full}#`, prefix: true, reason: `repository ${full} could not be read` });
    }
    this.reconcileFor.set(window.snapshotAt, pos.reconcile);
    return { changed, deleted, next: encodeCursor(pos), done: pos.done, ...(skipped.length > 0 ? { skipped } : {}) };
  }

  async fetch(ids: readonly string[]): Promise<FetchResult> {
    return fetchEach(ids, (id) => this.read(id));
  }

  list(pass?: { readonly snapshotAt: string }): AsyncIterable<ListedDocument> {
    return slimListing(this.listPages(pass), (item: ListedDocument) => item, { sourceId: this.sourceId });
  }

  // ───────────────────────────── pull ─────────────────────────────

  private start(window: PullWindow): GitHubCursor {
    let resume: GitHubCursor | undefined;
    try {
      resume = window.full ? undefined : decodeCursor(this.sourceId, window.resume, githubCursor);
    } catch {
      resume = undefined;
    }
    const intervalMs = this.source.reconcileIntervalMinutes * 60_000;
    const due = !resume?.reconciledAt || Date.parse(window.snapshotAt) - Date.parse(resume.reconciledAt) >= intervalMs;
    return {
      kind: 'github', v: 1, repos: resume?.repos ?? {}, reconcile: window.full || !resume || due,
      ...(resume?.reconciledAt ? { reconciledAt: resume.reconciledAt } : {}), at: 0, stage: 'code', unreadable: [], done: false,
    };
  }

  /** Advances one step (a request or a page); what it finds goes into `out`. */
  private async step(pos: GitHubCursor, window: PullWindow, out: { changed: DocumentRef[]; deleted: string[]; skipped: DocumentIssue[] }): Promise<GitHubCursor> {
    const cfg = this.source.repositories[pos.at];
    if (!cfg) return { ...pos, done: true };
    const key = repoKey(cfg);
    const full = `${cfg.owner}/${cfg.repo}`;
    const next = (p: GitHubCursor): GitHubCursor => {
      const { plan: _plan, after: _after, issues: _issues, ...rest } = p;
      return { ...rest, at: p.at + 1, stage: 'code' };
    };
    const toIssues = (p: GitHubCursor): GitHubCursor => {
      const { plan: _plan, after: _after, ...rest } = p;
      return this.source.issues.enabled ? { ...rest, stage: 'issues' } : next(p);
    };
    try {
      if (pos.stage === 'issues') return await this.issuesStep(pos, window, cfg, out, next);
      if (!pos.plan) {
        const prev = window.full ? undefined : pos.repos[key];
        const info = await this.api.repository(cfg.owner, cfg.repo, prev?.etag);
        if (!info) {
          // 304: nothing pushed; the last pass's head and visibility still hold.
          if (prev && !this.views.has(key)) this.views.set(key, Promise.resolve({ cfg, full, head: prev.head, private: prev.private, htmlUrl: prev.htmlUrl }));
          return toIssues(pos);
        }
        const branch = cfg.branch ?? info.defaultBranch;
        const head = await this.api.head(cfg.owner, cfg.repo, branch);
        const rules = rulesHash(cfg, this.source.maxFileBytes);
        const same = prev && prev.branch === branch && prev.private === info.private && prev.rules === rules;
        if (same && prev.head === head) {
          if (!this.views.has(key)) this.views.set(key, Promise.resolve({ cfg, full, head, private: info.private, htmlUrl: info.htmlUrl }));
        }
        if (same && prev.head === head) return toIssues({ ...pos, repos: { ...pos.repos, [key]: { ...prev, ...(info.etag ? { etag: info.etag } : {}), htmlUrl: info.htmlUrl } } });
        const plan: Plan = { mode: same ? 'diff' : 'tree', ...(same ? { base: prev.head } : {}), head, private: info.private, branch, htmlUrl: info.htmlUrl, ...(info.etag ? { etag: info.etag } : {}) };
        return { ...pos, plan, reconcile: pos.reconcile || !same };
      }
      const plan = pos.plan;
      const set = await this.changeSet(cfg, plan);
      const view: RepoView = { cfg, full, head: plan.head, private: plan.private, htmlUrl: plan.htmlUrl };
      if (!this.views.has(key)) this.views.set(key, Promise.resolve(view));
      const rest = pos.after === undefined ? set.changes : set.changes.filter((c) => compareStrings(c.path, pos.after!) > 0);
      const page = rest.slice(0, this.source.pageSize);
      for (const c of page) this.handOut(c, view, out);
      if (rest.length > page.length) return { ...pos, after: page.at(-1)!.path, reconcile: pos.reconcile || set.full };
      const state = { head: plan.head, private: plan.private, branch: plan.branch, rules: rulesHash(cfg, this.source.maxFileBytes), htmlUrl: plan.htmlUrl, ...(plan.etag ? { etag: plan.etag } : {}), ...(pos.repos[key]?.issues && plan.mode === 'diff' ? { issues: true } : {}) };
      return toIssues({ ...pos, repos: { ...pos.repos, [key]: state }, reconcile: pos.reconcile || set.full });
    } catch (error) {
      if (!(error instanceof ProviderNotFoundError)) throw error;
      // The repository (or its branch) is gone or hidden from the credentials: keep its documents, say so.
      return next({ ...pos, unreadable: [...new Set([...pos.unreadable, full])] });
    }
  }

  private handOut(c: FileChange, view: RepoView, out: { changed: DocumentRef[]; deleted: string[] }): void {
    const id = `${view.full}:${c.path}`;
    if (c.deleted || c.sha === undefined || (c.size !== undefined && c.size > this.source.maxFileBytes)) {
      out.deleted.push(id);
      return;
    }
    this.located.set(id, { sha: c.sha, size: c.size, view });
    out.changed.push({ id, version: fileVersion(c.sha, view.private) });
  }

  private changeSet(cfg: GitHubRepositoryConfig, plan: Plan): Promise<ChangeSet> {
    const key = `${repoKey(cfg)}:${plan.mode}:${plan.base ?? ''}:${plan.head}`;
    let set = this.changeSets.get(key);
    if (!set) {
      const included = this.included.get(repoKey(cfg))!;
      set = plan.mode === 'diff' && plan.base
        ? changesBetween(this.api, cfg, plan.base, plan.head, included)
        : this.files(cfg, plan.head).then((files) => ({ changes: files.filter((f) => included(f.path)).map((f) => ({ path: f.path, sha: f.sha, size: f.size })), full: true, via: 'tree' as const }));
      set.catch(() => this.changeSets.delete(key));
      if (this.changeSets.size > 2 * this.source.repositories.length) this.changeSets.clear();
      this.changeSets.set(key, set);
    }
    return set;
  }

  private files(cfg: GitHubRepositoryConfig, head: string): Promise<TreeEntry[]> {
    const key = `${repoKey(cfg)}@${head}`;
    let files = this.trees.get(key);
    if (!files) {
      files = treeFiles(this.api, cfg, head);
      files.catch(() => this.trees.delete(key));
      if (this.trees.size > 2 * this.source.repositories.length) this.trees.clear();
      this.trees.set(key, files);
    }
    return files;
  }

  private async issuesStep(
    pos: GitHubCursor, window: PullWindow, cfg: GitHubRepositoryConfig, out: { changed: DocumentRef[] }, next: (p: GitHubCursor) => GitHubCursor,
  ): Promise<GitHubCursor> {
    const key = repoKey(cfg);
    const state = pos.repos[key];
    if (!state) return next(pos);
    const since = pos.issues ? pos.issues.since : !window.full && state.issues ? window.since : undefined;
    const page = pos.issues?.page ?? 1;
    const boundary = new Set(pos.issues?.boundary ?? []);
    const items = await this.api.issuesPage(cfg.owner, cfg.repo, since, page, ISSUES_PER_PAGE);
    for (const issue of items) {
      if (boundary.has(issue.number) || !this.indexesIssue(issue)) continue;
      out.changed.push({ id: issueId(`${cfg.owner}/${cfg.repo}`, issue.number), version: issueVersion(issue, state.private) });
    }
    const last = items.at(-1);
    if (!last || items.length < ISSUES_PER_PAGE || last.updated_at >= window.snapshotAt) {
      return next({ ...pos, repos: { ...pos.repos, [key]: { ...state, issues: true } } });
    }
    // Keyset by updated_at (an issue updated meanwhile moves to the end, never skips one); a page
    // all at one second continues by page number.
    const stuck = since === last.updated_at && items.every((i) => i.updated_at === last.updated_at);
    const atLast = items.filter((i) => i.updated_at === last.updated_at).map((i) => i.number);
    return { ...pos, issues: stuck ? { since, page: page + 1, boundary: [...boundary, ...atLast] } : { since: last.updated_at, page: 1, boundary: atLast } };
  }

  private indexesIssue(issue: Pick<IssueItem, 'pull_request'>): boolean {
    return issue.pull_request === undefined || this.source.issues.includePullRequests;
  }

  // ───────────────────────────── fetch ─────────────────────────────

  private async read(id: string): Promise<SourceDocument | undefined> {
    const match = /^([^/:#]+\/[^/:#]+)([:#])(.+)$/.exec(id);
    const cfg = match ? this.source.repositories.find((r) => repoKey(r) === match[1]!.toLowerCase()) : undefined;
    if (!match || !cfg) return undefined;
    return match[2] === ':' ? this.readFile(id, cfg, match[3]!) : this.readIssue(cfg, match[3]!);
  }

  private async readFile(id: string, cfg: GitHubRepositoryConfig, path: string): Promise<SourceDocument | undefined> {
    if (!this.included.get(repoKey(cfg))!(path)) return undefined;
    const max = this.source.maxFileBytes;
    let found = this.located.get(id);
    let bytes: Uint8Array | undefined;
    if (!found) {
      const view = await this.view(cfg);
      if (!view) return undefined;
      const file = await this.api.file(cfg.owner, cfg.repo, path, view.head);
      if (!file || file.size > max) return undefined;
      found = { sha: file.sha, size: file.size, view };
      bytes = file.content;
    }
    if (found.size !== undefined && found.size > max) return undefined;
    bytes ??= await this.api.blob(cfg.owner, cfg.repo, found.sha);
    if (bytes.length > max) return undefined;
    const extracted = await extractText(bytes, { name: path });
    if ('skip' in extracted) throw new DocumentError(id, extracted.skip);
    const { view } = found;
    const encoded = path.split('/').map(encodeURIComponent).join('/');
    return {
      id, version: fileVersion(found.sha, view.private), text: extracted.text,
      title: (extracted.format === 'markdown' ? firstHeading(extracted.text) : undefined) ?? path.slice(path.lastIndexOf('/') + 1),
      url: `${view.htmlUrl}/blob/${view.head}/${encoded}`, format: extracted.format, access: fileAccess(view),
      metadata: { repository: view.full, path, branch: cfg.branch ?? '' },
      ...(extracted.warning ? { warning: extracted.warning } : {}),
    };
  }

  private async readIssue(cfg: GitHubRepositoryConfig, numberText: string): Promise<SourceDocument | undefined> {
    if (!this.source.issues.enabled || !/^[1-9]\d{0,9}$/.test(numberText)) return undefined;
    const issueNumber = Number(numberText);
    const full = `${cfg.owner}/${cfg.repo}`;
    const issue = await this.api.issue(cfg.owner, cfg.repo, issueNumber);
    // Transferred: GitHub redirects to the issue in its new repository; here it is gone.
    if (issue.number !== issueNumber || !issue.html_url.toLowerCase().includes(`/${full.toLowerCase()}/`)) return undefined;
    if (!this.indexesIssue(issue)) return undefined;
    const view = await this.view(cfg);
    if (!view) return undefined;
    const comments = this.source.issues.includeComments && issue.comments > 0 ? await this.api.comments(cfg.owner, cfg.repo, issueNumber) : [];
    return issueDocument(issue, { fullName: full, isPrivate: view.private, access: fileAccess(view), comments });
  }

  /** The repository's head and visibility for reads outside a pass, looked up once per run. */
  private view(cfg: GitHubRepositoryConfig): Promise<RepoView | undefined> {
    const key = repoKey(cfg);
    let view = this.views.get(key);
    if (!view) {
      view = (async () => {
        try {
          const info = (await this.api.repository(cfg.owner, cfg.repo))!;
          const head = await this.api.head(cfg.owner, cfg.repo, cfg.branch ?? info.defaultBranch);
          return { cfg, full: `${cfg.owner}/${cfg.repo}`, head, private: info.private, htmlUrl: info.htmlUrl };
        } catch (error) {
          if (error instanceof ProviderNotFoundError) return undefined;
          throw error;
        }
      })();
      view.catch(() => this.views.delete(key));
      this.views.set(key, view);
    }
    return view;
  }

  // ───────────────────────────── list ─────────────────────────────

  private async *listPages(pass?: { readonly snapshotAt: string }): AsyncGenerator<ListedDocument[]> {
    const end = pass && this.passEnd?.snapshotAt === pass.snapshotAt ? this.passEnd.cursor : undefined;
    for (const cfg of this.source.repositories) {
      const full = `${cfg.owner}/${cfg.repo}`;
      if (end?.unreadable.includes(full)) continue;
      const state = end?.repos[repoKey(cfg)];
      const view = state ? { head: state.head, private: state.private } : await this.view(cfg);
      if (!view) throw new ProviderNotFoundError(`GitHub repository ${full} of source "${this.sourceId}" could not be read: no listing`, { sourceId: this.sourceId, provider: 'GitHub', method: 'GET', path: `/repos/${full}` });
      const included = this.included.get(repoKey(cfg))!;
      const files = await this.files(cfg, view.head);
      yield files.filter((f) => included(f.path) && (f.size === undefined || f.size <= this.source.maxFileBytes))
        .map((f) => ({ id: `${full}:${f.path}`, version: fileVersion(f.sha, view.private) }));
      if (!this.source.issues.enabled) continue;
      let since: string | undefined;
      let page = 1;
      let boundary = new Set<number>();
      for (;;) {
        const items = await this.api.issuesPage(cfg.owner, cfg.repo, since, page, ISSUES_PER_PAGE);
        yield items.filter((i) => !boundary.has(i.number) && this.indexesIssue(i)).map((i) => ({ id: issueId(full, i.number), version: issueVersion(i, view.private) }));
        const last = items.at(-1);
        if (!last || items.length < ISSUES_PER_PAGE) break;
        const atLast = items.filter((i) => i.updated_at === last.updated_at).map((i) => i.number);
        if (since === last.updated_at && atLast.length === items.length) { page += 1; boundary = new Set([...boundary, ...atLast]); } else { since = last.updated_at; page = 1; boundary = new Set(atLast); }
      }
    }
  }
}
