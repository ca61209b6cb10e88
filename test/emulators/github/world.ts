/**
 * The emulated world: accounts, repositories (each with its own git object store and branches),
 * issues, pull requests and comments, and the mutations the control API applies to them. Every
 * mutation reports the webhook event GitHub would send (./webhooks.ts turns them into payloads).
 *
 * Sources:
 * - Issues and pull requests share one number sequence per repository; every pull request is an
 *   issue (https://docs.github.com/rest/issues/issues#list-repository-issues, note).
 * - Deleting an issue (admins only) and transferring it:
 *   https://docs.github.com/issues/tracking-your-work-with-issues/administering-issues/deleting-an-issue,
 *   https://docs.github.com/issues/tracking-your-work-with-issues/administering-issues/transferring-an-issue-to-another-repository
 *   — a transferred issue gets the next number in the target repository, and `issues.transferred`
 *   carries `changes.new_issue` / `changes.new_repository` (octokit/webhooks
 *   payload-examples/api.github.com/issues/transferred.payload.json).
 * - A renamed repository redirects its old name (https://docs.github.com/repositories/creating-and-managing-repositories/renaming-a-repository).
 * - Force-pushed-away commits stay readable by SHA until garbage collection, as on GitHub.
 */

import { ObjectStore, type Sha, type Signature } from './git.ts';

export interface Account { readonly login: string; readonly id: number; readonly type: 'User' | 'Organization'; readonly name: string; readonly email: string }

export interface Repo {
  readonly id: number;
  owner: Account;
  name: string;
  private: boolean;
  defaultBranch: string;
  readonly branches: Map<string, Sha>;
  readonly store: ObjectStore;
  readonly createdAt: number;
  updatedAt: number;
  pushedAt: number;
  deleted: boolean;
  nextNumber: number;
  readonly issues: Map<number, Issue>;
  readonly comments: Map<number, Comment>;
  readonly labels: Map<string, Label>;
}

export interface Label { readonly id: number; readonly name: string; readonly color: string; readonly description: string | null; readonly default: boolean }

export interface PullInfo { head: string; base: string; headSha: Sha; baseSha: Sha; draft: boolean; mergedAt: number | null; mergeCommitSha: Sha | null }

export interface Issue {
  readonly id: number;
  readonly number: number;
  readonly repoId: number;
  title: string;
  body: string | null;
  readonly user: Account;
  labels: string[];
  assignees: Account[];
  milestone: { number: number; title: string } | null;
  state: 'open' | 'closed';
  stateReason: 'completed' | 'not_planned' | 'reopened' | 'duplicate' | null;
  locked: boolean;
  readonly createdAt: number;
  updatedAt: number;
  closedAt: number | null;
  pull?: PullInfo;
  deleted: boolean;
  transferredTo?: { repoId: number; number: number };
}

export interface Comment {
  readonly id: number;
  readonly repoId: number;
  issueNumber: number;
  body: string;
  readonly user: Account;
  readonly createdAt: number;
  updatedAt: number;
  deleted: boolean;
}

/** A change to a file in a commit: content (string or bytes) to write, null to delete. */
export type FileWrite = string | Buffer | null;

export interface CommitSpec {
  readonly message?: string;
  /** path → new content, or null to delete. */
  readonly files?: Readonly<Record<string, FileWrite>> | ReadonlyMap<string, FileWrite>;
  /** old path → new path (content kept). */
  readonly renames?: Readonly<Record<string, string>>;
  readonly author?: Account;
  /** Commit time (epoch ms). @default now() */
  readonly at?: number;
  /** Parents; default: the branch head. [] starts an unrelated history. */
  readonly parents?: readonly Sha[];
  /** Use this tree as is (merge commits). */
  readonly tree?: Sha;
}

export type WorldEvent =
  | { kind: 'push'; repo: Repo; ref: string; before: Sha; after: Sha; forced: boolean; pusher: Account; commits: Sha[] }
  | { kind: 'issues'; action: string; repo: Repo; issue: Issue; sender: Account; extra?: Record<string, unknown> }
  | { kind: 'pull_request'; action: string; repo: Repo; issue: Issue; sender: Account; extra?: Record<string, unknown> }
  | { kind: 'issue_comment'; action: string; repo: Repo; issue: Issue; comment: Comment; sender: Account; extra?: Record<string, unknown> }
  | { kind: 'repository'; action: string; repo: Repo; sender: Account; extra?: Record<string, unknown> };

export const ZERO_SHA = '0000000000000000000000000000000000000000';

export class World {
  readonly accounts = new Map<string, Account>();
  readonly repos = new Map<number, Repo>();
  /** `owner/name` (lower-case) → repo id, including names a repo had before a rename or transfer. */
  readonly names = new Map<string, number>();
  private nextId = 1000;

  constructor(readonly now: () => number, private readonly emit: (event: WorldEvent) => void) {}

  id(): number {
    this.nextId += 1;
    return this.nextId;
  }

  addAccount(login: string, type: Account['type'] = 'User'): Account {
    const existing = this.accounts.get(login.toLowerCase());
    if (existing) return existing;
    const account: Account = { login, id: this.id(), type, name: login, email: `${this.nextId}+${login}@users.noreply.github.com` };
    this.accounts.set(login.toLowerCase(), account);
    return account;
  }

  account(login: string): Account {
    const found = this.accounts.get(login.toLowerCase());
    if (!found) throw new Error(`unknown account ${login}`);
    return found;
  }

  createRepo(fullName: string, options: { private?: boolean; defaultBranch?: string; files?: CommitSpec['files']; ownerType?: Account['type'] } = {}): Repo {
    const [ownerLogin, name] = fullName.split('/') as [string, string];
    const owner = this.addAccount(ownerLogin, options.ownerType);
    const at = this.now();
    const repo: Repo = {
      id: this.id(), owner, name, private: options.private ?? false, defaultBranch: options.defaultBranch ?? 'main', branches: new Map(),
      store: new ObjectStore(), createdAt: at, updatedAt: at, pushedAt: at, deleted: false, nextNumber: 1, issues: new Map(), comments: new Map(), labels: new Map(),
    };
    this.repos.set(repo.id, repo);
    this.names.set(fullName.toLowerCase(), repo.id);
    if (options.files) this.commit(repo, repo.defaultBranch, { message: 'Initial commit', files: options.files, parents: [] });
    return repo;
  }

  repo(fullName: string): Repo {
    const id = this.names.get(fullName.toLowerCase());
    const repo = id === undefined ? undefined : this.repos.get(id);
    if (!repo || repo.deleted) throw new Error(`unknown repository ${fullName}`);
    return repo;
  }

  fullName(repo: Repo): string {
    return `${repo.owner.login}/${repo.name}`;
  }

  // ───────────────────────────── git ─────────────────────────────

  /** Writes a commit on `branch` (created when missing) and moves the branch to it. */
  commit(repo: Repo, branch: string, spec: CommitSpec): Sha {
    const head = repo.branches.get(branch);
    const parents = spec.parents ?? (head ? [head] : []);
    const base = parents[0] ? repo.store.commits.get(parents[0]) : undefined;
    const files = new Map(base ? repo.store.flatten(base.tree) : []);
    for (const [from, to] of Object.entries(spec.renames ?? {})) {
      const sha = files.get(from);
      if (sha === undefined) throw new Error(`${from} does not exist on ${branch}`);
      files.delete(from);
      files.set(to, sha);
    }
    const writes = spec.files instanceof Map ? [...spec.files] : Object.entries(spec.files ?? {});
    for (const [path, content] of writes as [string, FileWrite][]) {
      if (content === null) files.delete(path);
      else files.set(path, repo.store.putBlob(content));
    }
    const at = spec.at ?? this.now();
    const who = spec.author ?? repo.owner;
    const signature: Signature = { name: who.name, email: who.email, at };
    const tree = spec.tree ?? repo.store.writeFlat(files);
    const sha = repo.store.putCommit({ tree, parents, author: signature, committer: signature, message: spec.message ?? 'Update files' });
    this.moveBranch(repo, branch, sha, false, who);
    return sha;
  }

  /** Points `branch` at `sha` (any commit in the store); `forced` when it is not a fast-forward. */
  moveBranch(repo: Repo, branch: string, sha: Sha, forced?: boolean, pusher: Account = repo.owner): void {
    if (!repo.store.commits.has(sha)) throw new Error(`${sha} is not a commit of ${this.fullName(repo)}`);
    const before = repo.branches.get(branch) ?? ZERO_SHA;
    const fastForward = before === ZERO_SHA || repo.store.ancestors(sha).has(before);
    repo.branches.set(branch, sha);
    repo.pushedAt = this.now();
    const commits = before === ZERO_SHA ? [sha] : fastForward ? repo.store.range(before, sha) : repo.store.range(repo.store.mergeBase(before, sha), sha);
    this.emit({ kind: 'push', repo, ref: `refs/heads/${branch}`, before, after: sha, forced: forced ?? !fastForward, pusher, commits });
  }

  deleteBranch(repo: Repo, branch: string): void {
    const before = repo.branches.get(branch);
    if (!before) throw new Error(`no branch ${branch}`);
    repo.branches.delete(branch);
    this.emit({ kind: 'push', repo, ref: `refs/heads/${branch}`, before, after: ZERO_SHA, forced: false, pusher: repo.owner, commits: [] });
  }

  // ──────────────────────── issues and pulls ────────────────────────

  createIssue(repo: Repo, spec: { title: string; body?: string | null; user?: Account; labels?: string[]; assignees?: Account[]; at?: number; pull?: Omit<PullInfo, 'headSha' | 'baseSha' | 'mergedAt' | 'mergeCommitSha' | 'draft'> & { draft?: boolean } }): Issue {
    const at = spec.at ?? this.now();
    for (const label of spec.labels ?? []) this.label(repo, label);
    const issue: Issue = {
      id: this.id(), number: repo.nextNumber, repoId: repo.id, title: spec.title, body: spec.body === undefined ? null : spec.body, user: spec.user ?? repo.owner,
      labels: [...(spec.labels ?? [])], assignees: [...(spec.assignees ?? [])], milestone: null, state: 'open', stateReason: null, locked: false,
      createdAt: at, updatedAt: at, closedAt: null, deleted: false,
    };
    if (spec.pull) {
      const headSha = repo.branches.get(spec.pull.head);
      const baseSha = repo.branches.get(spec.pull.base);
      if (!headSha || !baseSha) throw new Error('pull request branches must exist');
      issue.pull = { head: spec.pull.head, base: spec.pull.base, headSha, baseSha, draft: spec.pull.draft ?? false, mergedAt: null, mergeCommitSha: null };
    }
    repo.nextNumber += 1;
    repo.issues.set(issue.number, issue);
    this.issueEvent(issue, 'opened', issue.user);
    return issue;
  }

  issue(repo: Repo, number: number): Issue {
    const issue = repo.issues.get(number);
    if (!issue || issue.deleted || issue.transferredTo) throw new Error(`no issue #${number} in ${this.fullName(repo)}`);
    return issue;
  }

  editIssue(issue: Issue, changes: { title?: string; body?: string | null; at?: number }, sender?: Account): void {
    const from: Record<string, { from: unknown }> = {};
    if (changes.title !== undefined) { from['title'] = { from: issue.title }; issue.title = changes.title; }
    if (changes.body !== undefined) { from['body'] = { from: issue.body }; issue.body = changes.body; }
    this.touch(issue, changes.at);
    this.issueEvent(issue, 'edited', sender, { changes: from });
  }

  closeIssue(issue: Issue, reason: 'completed' | 'not_planned' | 'duplicate' = 'completed', sender?: Account): void {
    issue.state = 'closed';
    issue.stateReason = reason;
    issue.closedAt = this.touch(issue);
    this.issueEvent(issue, 'closed', sender);
  }

  reopenIssue(issue: Issue, sender?: Account): void {
    issue.state = 'open';
    issue.stateReason = 'reopened';
    issue.closedAt = null;
    this.touch(issue);
    this.issueEvent(issue, 'reopened', sender);
  }

  addLabel(issue: Issue, name: string, sender?: Account): void {
    const label = this.label(this.repos.get(issue.repoId)!, name);
    if (!issue.labels.includes(name)) issue.labels.push(name);
    this.touch(issue);
    this.issueEvent(issue, 'labeled', sender, { label });
  }

  removeLabel(issue: Issue, name: string, sender?: Account): void {
    issue.labels = issue.labels.filter((l) => l !== name);
    this.touch(issue);
    this.issueEvent(issue, 'unlabeled', sender, { label: this.label(this.repos.get(issue.repoId)!, name) });
  }

  mergePull(issue: Issue, sender?: Account): Sha {
    const repo = this.repos.get(issue.repoId)!;
    if (!issue.pull) throw new Error('not a pull request');
    const head = repo.branches.get(issue.pull.head)!;
    const base = repo.branches.get(issue.pull.base)!;
    const tree = repo.store.commits.get(head)!.tree;
    const merge = this.commit(repo, issue.pull.base, { message: `Merge pull request #${issue.number}`, parents: [base, head], tree });
    issue.pull.mergedAt = this.now();
    issue.pull.mergeCommitSha = merge;
    issue.state = 'closed';
    issue.closedAt = this.touch(issue);
    this.issueEvent(issue, 'closed', sender);
    return merge;
  }

  /** Deletes an issue (GitHub lets admins do this; pull requests cannot be deleted). */
  deleteIssue(issue: Issue, sender?: Account): void {
    if (issue.pull) throw new Error('pull requests cannot be deleted');
    issue.deleted = true;
    this.issueEvent(issue, 'deleted', sender);
  }

  /** Moves an issue (and its comments) to `target`; the old number answers 301 from then on. */
  transferIssue(issue: Issue, target: Repo, sender?: Account): Issue {
    const source = this.repos.get(issue.repoId)!;
    const moved: Issue = { ...issue, id: issue.id, number: target.nextNumber, repoId: target.id, labels: [], updatedAt: this.now() };
    target.nextNumber += 1;
    target.issues.set(moved.number, moved);
    issue.transferredTo = { repoId: target.id, number: moved.number };
    for (const comment of source.comments.values()) {
      if (comment.issueNumber !== issue.number || comment.deleted) continue;
      source.comments.delete(comment.id);
      comment.issueNumber = moved.number;
      target.comments.set(comment.id, { ...comment, repoId: target.id });
    }
    this.issueEvent(issue, 'transferred', sender, { changes: { new_issue: moved, new_repository: target } });
    this.issueEvent(moved, 'opened', sender);
    return moved;
  }

  addComment(issue: Issue, body: string, user?: Account, at?: number): Comment {
    const repo = this.repos.get(issue.repoId)!;
    const when = at ?? this.now();
    const comment: Comment = { id: this.id(), repoId: repo.id, issueNumber: issue.number, body, user: user ?? repo.owner, createdAt: when, updatedAt: when, deleted: false };
    repo.comments.set(comment.id, comment);
    this.touch(issue, when);
    this.emit({ kind: 'issue_comment', action: 'created', repo, issue, comment, sender: comment.user });
    return comment;
  }

  editComment(comment: Comment, body: string, at?: number): void {
    const from = comment.body;
    comment.body = body;
    comment.updatedAt = at ?? this.now();
    const repo = this.repos.get(comment.repoId)!;
    this.emit({ kind: 'issue_comment', action: 'edited', repo, issue: repo.issues.get(comment.issueNumber)!, comment, sender: comment.user, extra: { changes: { body: { from } } } });
  }

  deleteComment(comment: Comment): void {
    comment.deleted = true;
    const repo = this.repos.get(comment.repoId)!;
    const issue = repo.issues.get(comment.issueNumber)!;
    this.touch(issue);
    this.emit({ kind: 'issue_comment', action: 'deleted', repo, issue, comment, sender: comment.user });
  }

  // ─────────────────────────── repositories ───────────────────────────

  renameRepo(repo: Repo, newName: string): void {
    const from = repo.name;
    repo.name = newName;
    repo.updatedAt = this.now();
    this.names.set(this.fullName(repo).toLowerCase(), repo.id);
    this.emit({ kind: 'repository', action: 'renamed', repo, sender: repo.owner, extra: { changes: { repository: { name: { from } } } } });
  }

  deleteRepo(repo: Repo): void {
    repo.deleted = true;
    this.emit({ kind: 'repository', action: 'deleted', repo, sender: repo.owner });
  }

  setVisibility(repo: Repo, isPrivate: boolean): void {
    repo.private = isPrivate;
    this.emit({ kind: 'repository', action: isPrivate ? 'privatized' : 'publicized', repo, sender: repo.owner });
  }

  label(repo: Repo, name: string): Label {
    let label = repo.labels.get(name);
    if (!label) repo.labels.set(name, (label = { id: this.id(), name, color: 'ededed', description: null, default: false }));
    return label;
  }

  private touch(issue: Issue, at?: number): number {
    issue.updatedAt = Math.max(issue.updatedAt, at ?? this.now());
    return issue.updatedAt;
  }

  private issueEvent(issue: Issue, action: string, sender: Account | undefined, extra?: Record<string, unknown>): void {
    const repo = this.repos.get(issue.repoId)!;
    const kind = issue.pull && action !== 'transferred' ? 'pull_request' : 'issues';
    this.emit({ kind, action, repo, issue, sender: sender ?? issue.user, ...(extra ? { extra } : {}) });
  }
}
