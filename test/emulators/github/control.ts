/**
 * The emulator's handle: lifecycle, the control API that seeds and mutates the world, the
 * request log, rate-limit and fault controls, webhooks.
 *
 * GitHub-side behaviour lives in the other files; this one only wires them. Mutations fire the
 * webhook GitHub would send to every hook registered on the repository (await `settle()` to
 * wait for the deliveries).
 */

import type { FastifyInstance } from 'fastify';
import { Credentials, signAppJwt, type Credential, type GitHubApp, type Installation } from './auth.ts';
import type { Sha } from './git.ts';
import { RateLimits, type Fault, type SecondaryLimit } from './ratelimit.ts';
import { gitRoutes } from './routes-git.ts';
import { issueRoutes } from './routes-issues.ts';
import { buildServer, type RecordedRequest, type TreeLimits } from './server.ts';
import { Shapes } from './shapes.ts';
import { WebhookHub, type Delivery, type Hook, type WebhookRegistration } from './webhooks.ts';
import { World, type Account, type Comment, type CommitSpec, type FileWrite, type Issue, type Repo } from './world.ts';

export interface GitHubEmulatorOptions {
  /** Clock (epoch ms) for timestamps, token expiry, JWT checks and rate-limit windows. @default Date.now */
  readonly now?: () => number;
  /** @default 0 (any free port) */
  readonly port?: number;
  /** Status of primary rate-limit refusals (GitHub sends 403 or 429). @default 403 */
  readonly primaryLimitStatus?: 403 | 429;
  /** Hourly limit for every credential (PATs default to 5,000, anonymous to 60). */
  readonly rateLimit?: number;
  /** `false` never refuses for the primary limit. @default true */
  readonly rateLimitEnabled?: boolean;
  /** `git/trees?recursive` truncation. @default { maxTreeEntries: 100_000, maxTreeBytes: 7 MB } */
  readonly treeLimits?: Partial<TreeLimits>;
  /** Webhook deliveries not answered within this count as failed. @default 10_000 */
  readonly webhookTimeoutMs?: number;
}

export class GitHubEmulator {
  /** `http://127.0.0.1:<port>` — pass as Octokit's `baseUrl`. */
  url = '';
  readonly world: World;
  readonly credentials: Credentials;
  readonly rateLimits: RateLimits;
  readonly webhooks: WebhookHub;
  private readonly log: RecordedRequest[] = [];
  private readonly server: FastifyInstance;
  private clock: () => number;

  private constructor(options: GitHubEmulatorOptions) {
    this.clock = options.now ?? (() => Date.now());
    const now = (): number => this.clock();
    let shapes: Shapes | undefined;
    const getShapes = (): Shapes => (shapes ??= new Shapes(this.url, this.world));
    this.world = new World(now, (event) => this.webhooks.onEvent(event));
    this.webhooks = new WebhookHub(this.world, getShapes, options.webhookTimeoutMs ?? 10_000);
    this.credentials = new Credentials(now);
    this.rateLimits = new RateLimits(now);
    this.rateLimits.primaryStatus = options.primaryLimitStatus ?? 403;
    this.rateLimits.enabled = options.rateLimitEnabled ?? true;
    this.rateLimits.limitOverride = options.rateLimit;
    this.server = buildServer([...gitRoutes, ...issueRoutes], {
      world: this.world, creds: this.credentials, limits: this.rateLimits, shapes: getShapes, api: () => this.url, log: this.log,
      tree: { maxTreeEntries: options.treeLimits?.maxTreeEntries ?? 100_000, maxTreeBytes: options.treeLimits?.maxTreeBytes ?? 7 * 1024 * 1024 },
    });
  }

  static async start(options: GitHubEmulatorOptions = {}): Promise<GitHubEmulator> {
    const emulator = new GitHubEmulator(options);
    emulator.url = await emulator.server.listen({ port: options.port ?? 0, host: '127.0.0.1' });
    return emulator;
  }

  async close(): Promise<void> {
    await this.webhooks.settle();
    await this.server.close();
  }

  now(): number {
    return this.clock();
  }

  setClock(now: () => number): void {
    this.clock = now;
  }

  // ─────────────────────── accounts and credentials ───────────────────────

  addUser(login: string): Account {
    return this.world.addAccount(login, 'User');
  }

  addOrg(login: string): Account {
    return this.world.addAccount(login, 'Organization');
  }

  /** A PAT acting as `login`; `repos` = the private repositories it may read ('all' = the owner's own). */
  addToken(login: string, repos: readonly string[] | 'all' = 'all', options: { token?: string; limit?: number } = {}): string {
    const ids = repos === 'all' ? 'all' : repos.map((r) => this.world.repo(r).id);
    return this.credentials.addToken(this.world.addAccount(login), ids, options).token;
  }

  revokeToken(token: string): void {
    this.credentials.revoke(token);
  }

  /** Registers a GitHub App with a fresh RSA key pair (`privateKey` is PEM, for the app to sign JWTs). */
  addApp(id = 1, slug = 'tributary'): GitHubApp {
    return this.credentials.addApp(id, slug);
  }

  /** Installs an app on `owner`, for all its repositories or the named ones. */
  install(appId: number, owner: string, repos: readonly string[] | 'all' = 'all', installationId?: number): Installation {
    const ids = repos === 'all' ? 'all' : repos.map((r) => this.world.repo(r).id);
    return this.credentials.addInstallation(installationId ?? this.world.id(), appId, this.world.account(owner), ids);
  }

  /** An app JWT signed with the app's key at the emulator's clock (claims overridable). */
  appJwt(app: GitHubApp, claims: { iat?: number; exp?: number } = {}): string {
    return signAppJwt(app, this.now(), claims);
  }

  token(token: string): Credential | undefined {
    return this.credentials.tokens.get(token);
  }

  // ─────────────────────────── repositories ───────────────────────────

  createRepo(fullName: string, options: { private?: boolean; defaultBranch?: string; files?: Readonly<Record<string, FileWrite>> | ReadonlyMap<string, FileWrite> } = {}): Repo {
    return this.world.createRepo(fullName, options);
  }

  repo(fullName: string): Repo {
    return this.world.repo(fullName);
  }

  /** Commits adds/modifies (content), deletes (null) and renames on `branch`; returns the SHA. */
  commit(fullName: string, branch: string, spec: CommitSpec): Sha {
    return this.world.commit(this.world.repo(fullName), branch, spec);
  }

  /** One commit adding `count` generated files (`prefix/000001.md` …) — the fast bulk seed. */
  seedFiles(fullName: string, branch: string, count: number, content: (i: number) => string = (i) => `# File ${i}\n`, prefix = 'docs'): Sha {
    const files = new Map<string, string>();
    for (let i = 1; i <= count; i += 1) files.set(`${prefix}/${String(i).padStart(6, '0')}.md`, content(i));
    return this.commit(fullName, branch, { message: `Add ${count} files`, files });
  }

  /** Creates `branch` at `from` (a branch name or SHA). */
  createBranch(fullName: string, branch: string, from: string): void {
    const repo = this.world.repo(fullName);
    const sha = repo.branches.get(from) ?? from;
    this.world.moveBranch(repo, branch, sha, false);
  }

  /** Force-pushes `branch` to `sha` (an earlier commit, or one of an unrelated history). */
  forcePush(fullName: string, branch: string, sha: Sha): void {
    this.world.moveBranch(this.world.repo(fullName), branch, sha, true);
  }

  /** Commits a fresh root commit (no parents) with exactly `files` and force-pushes `branch` to it. */
  rewriteHistory(fullName: string, branch: string, files: Readonly<Record<string, FileWrite>>, message = 'Rewrite history'): Sha {
    const repo = this.world.repo(fullName);
    const before = repo.branches.get(branch);
    repo.branches.delete(branch);
    const sha = this.world.commit(repo, branch, { message, files, parents: [] });
    if (before) { repo.branches.set(branch, before); this.world.moveBranch(repo, branch, sha, true); }
    return sha;
  }

  deleteBranch(fullName: string, branch: string): void {
    this.world.deleteBranch(this.world.repo(fullName), branch);
  }

  /** Forgets commits no branch reaches (after a force-push the old base then answers 404). */
  gc(fullName: string): void {
    const repo = this.world.repo(fullName);
    repo.store.gc([...repo.branches.values()]);
  }

  renameRepo(fullName: string, newName: string): void {
    this.world.renameRepo(this.world.repo(fullName), newName);
  }

  deleteRepo(fullName: string): void {
    this.world.deleteRepo(this.world.repo(fullName));
  }

  setPrivate(fullName: string, isPrivate: boolean): void {
    this.world.setVisibility(this.world.repo(fullName), isPrivate);
  }

  // ───────────────────────── issues and pulls ─────────────────────────

  createIssue(fullName: string, spec: { title: string; body?: string | null; user?: string; labels?: string[]; at?: number }): Issue {
    const { user, ...rest } = spec;
    return this.world.createIssue(this.world.repo(fullName), { ...rest, ...(user ? { user: this.world.addAccount(user) } : {}) });
  }

  createPull(fullName: string, spec: { title: string; head: string; base: string; body?: string | null; user?: string; draft?: boolean }): Issue {
    const { head, base, draft, user, ...rest } = spec;
    return this.world.createIssue(this.world.repo(fullName), { ...rest, ...(user ? { user: this.world.addAccount(user) } : {}), pull: { head, base, ...(draft !== undefined ? { draft } : {}) } });
  }

  issue(fullName: string, number: number): Issue {
    return this.world.issue(this.world.repo(fullName), number);
  }

  editIssue(fullName: string, number: number, changes: { title?: string; body?: string | null; at?: number }): void {
    this.world.editIssue(this.issue(fullName, number), changes);
  }

  closeIssue(fullName: string, number: number, reason?: 'completed' | 'not_planned' | 'duplicate'): void {
    this.world.closeIssue(this.issue(fullName, number), reason);
  }

  reopenIssue(fullName: string, number: number): void {
    this.world.reopenIssue(this.issue(fullName, number));
  }

  labelIssue(fullName: string, number: number, label: string): void {
    this.world.addLabel(this.issue(fullName, number), label);
  }

  mergePull(fullName: string, number: number): Sha {
    return this.world.mergePull(this.issue(fullName, number));
  }

  deleteIssue(fullName: string, number: number): void {
    this.world.deleteIssue(this.issue(fullName, number));
  }

  /** Moves the issue to `target`; returns its new number there. */
  transferIssue(fullName: string, number: number, target: string): number {
    return this.world.transferIssue(this.issue(fullName, number), this.world.repo(target)).number;
  }

  addComment(fullName: string, number: number, body: string, user?: string, at?: number): Comment {
    return this.world.addComment(this.issue(fullName, number), body, user ? this.world.addAccount(user) : undefined, at);
  }

  editComment(comment: Comment, body: string, at?: number): void {
    this.world.editComment(comment, body, at);
  }

  deleteComment(comment: Comment): void {
    this.world.deleteComment(comment);
  }

  // ─────────────────────────── webhooks ───────────────────────────

  /** Registers a repository webhook (GitHub pings it right away). */
  registerWebhook(fullName: string, registration: WebhookRegistration): Hook {
    return this.webhooks.register(this.world.repo(fullName), registration);
  }

  get deliveries(): readonly Delivery[] {
    return this.webhooks.deliveries;
  }

  /** Manual redelivery (GitHub never redelivers on its own): same GUID, same body. */
  redeliver(guid: string): void {
    this.webhooks.redeliver(guid);
  }

  /** Waits for every webhook delivery in flight. */
  settle(): Promise<void> {
    return this.webhooks.settle();
  }

  // ──────────────────── limits, faults, request log ────────────────────

  /** The next `count` requests of `route` (or '*') get a secondary rate limit refusal. */
  secondaryLimit(route: string, count = 1, options: { status?: 403 | 429; retryAfter?: number } = {}): void {
    const limit: SecondaryLimit = { route, count, status: options.status ?? 403, ...(options.retryAfter !== undefined ? { retryAfter: options.retryAfter } : { retryAfter: 60 }) };
    this.rateLimits.injectSecondary(limit);
  }

  /** The next `count` requests of `route` (or '*') fail with `status` (500, 502, 503 …). */
  failNext(route: string, count: number, status: number, message?: string): void {
    const fault: Fault = { route, count, status, ...(message !== undefined ? { message } : {}) };
    this.rateLimits.injectFault(fault);
  }

  setRateLimit(options: { limit?: number; enabled?: boolean; status?: 403 | 429 }): void {
    if ('limit' in options) this.rateLimits.limitOverride = options.limit;
    if (options.enabled !== undefined) this.rateLimits.enabled = options.enabled;
    if (options.status !== undefined) this.rateLimits.primaryStatus = options.status;
  }

  resetRateLimits(): void {
    this.rateLimits.reset();
  }

  requests(): readonly RecordedRequest[] {
    return this.log;
  }

  /** Requests that matched `route` (`GET /repos/{owner}/{repo}/issues`), optionally with `status`. */
  count(route: string, status?: number): number {
    return this.log.filter((r) => r.route === route && (status === undefined || r.status === status)).length;
  }

  /** Requests per route template. */
  countsByRoute(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.log) out[r.route] = (out[r.route] ?? 0) + 1;
    return out;
  }

  clearRequests(): void {
    this.log.length = 0;
  }
}

export const startGitHub = (options?: GitHubEmulatorOptions): Promise<GitHubEmulator> => GitHubEmulator.start(options);
