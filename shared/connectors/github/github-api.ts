/**
 * The GitHub REST calls the connector makes, through @octokit/rest with the throttling and retry
 * plugins, loaded on first use (`await import`): every CLI start and Lambda cold start loads the
 * registry and must not pay for this SDK unless a github source runs.
 *
 * - Auth: a PAT (`tokenEnv`) or a GitHub App installation token (./app-auth.ts), set per request;
 *   an installation token GitHub refuses (401) is minted again once.
 * - Limits: the throttling plugin waits out a primary limit until `x-ratelimit-reset` and a
 *   secondary one for `retry-after`, up to `maxRetryWaitSeconds`; a longer wait, or a third
 *   limit on one request, fails it with a TransientError (./errors.ts). The retry plugin
 *   retries 5xx and network failures.
 * - Conditional requests: `repository` sends `If-None-Match` with the ETag of the last pass; a
 *   304 costs nothing against the primary limit.
 */
import type { Octokit } from '@octokit/rest';
import { ConfigError } from '../../core/errors.ts';
import type { Logger } from '../../core/deps.ts';
import type { Clock, CredentialStore } from '../../ports/index.ts';
import { installationToken } from './app-auth.ts';
import { tokenEnvOf, type GitHubSourceConfig } from './config.ts';
import { isOctokitError, mapGitHubError } from './errors.ts';

export interface RepoInfo { readonly etag: string | undefined; readonly private: boolean; readonly defaultBranch: string; readonly htmlUrl: string }
export interface TreeEntry { readonly path: string; readonly type: string; readonly sha: string; readonly size?: number | undefined }
export interface CompareFile { readonly filename: string; readonly status: string; readonly sha: string | null; readonly previous_filename?: string | undefined }
export interface Comparison { readonly status: string; readonly totalCommits: number; readonly commits: number; readonly files: readonly CompareFile[] }
export interface IssueItem {
  readonly number: number; readonly title: string; readonly state: string; readonly state_reason?: string | null; readonly body?: string | null;
  readonly updated_at: string; readonly created_at: string; readonly comments: number; readonly html_url: string;
  readonly user: { readonly login: string } | null; readonly labels: ReadonlyArray<string | { readonly name?: string }>;
  readonly pull_request?: { readonly merged_at?: string | null } | undefined;
}
export interface CommentItem { readonly user: { readonly login: string } | null; readonly created_at: string; readonly body?: string | undefined }

export interface GitHubApiOptions {
  readonly source: GitHubSourceConfig;
  readonly secret: (env: string) => string | undefined;
  readonly credentials: CredentialStore;
  readonly tokenKey: string;
  readonly clock: Clock;
  readonly log: Logger;
  /** Multiplies the plugins' waits (seconds → ms); tests pass 0. @default 1000 */
  readonly retryAfterBaseMs?: number;
  /** Retries of a 5xx. @default 3 */
  readonly retries?: number;
}

/** Limits met on one request before it fails instead of waiting again. */
const MAX_LIMIT_RETRIES = 2;

export class GitHubApi {
  private client: Promise<Octokit> | undefined;
  private readonly source: GitHubSourceConfig;
  private readonly authHint: string;

  constructor(private readonly options: GitHubApiOptions) {
    this.source = options.source;
    this.authHint = this.source.app
      ? `check that ${this.source.app.privateKeyEnv} holds the private key of GitHub App ${this.source.app.appId} and that installation ${this.source.app.installationId} includes the repository`
      : `check that ${tokenEnvOf(this.source)} holds a token that can read the repositories (fine-grained: Contents and Metadata read, Issues and Pull requests read for issues; classic: repo)`;
  }

  /** The repository, or `undefined` when its ETag still matches (304). */
  async repository(owner: string, repo: string, etag?: string): Promise<RepoInfo | undefined> {
    try {
      const res = await this.call('GET /repos/{owner}/{repo}', { owner, repo, headers: etag ? { 'if-none-match': etag } : {} });
      const data = res.data as { private: boolean; default_branch: string; html_url: string };
      return { etag: res.headers.etag, private: data.private, defaultBranch: data.default_branch, htmlUrl: data.html_url };
    } catch (error) {
      if (etag && (error as { status?: number }).status === 304) return undefined;
      throw error;
    }
  }

  async head(owner: string, repo: string, branch: string): Promise<string> {
    const res = await this.call('GET /repos/{owner}/{repo}/git/ref/{ref}', { owner, repo, ref: `heads/${branch}` });
    return (res.data as { object: { sha: string } }).object.sha;
  }

  /** `base...head`; `undefined` when GitHub has no comparison (a base gone after a force-push, no common ancestor). */
  async compare(owner: string, repo: string, base: string, head: string): Promise<Comparison | undefined> {
    try {
      const res = await this.call('GET /repos/{owner}/{repo}/compare/{basehead}', { owner, repo, basehead: `${base}...${head}` });
      const data = res.data as { status: string; total_commits: number; commits: unknown[]; files?: CompareFile[] };
      return { status: data.status, totalCommits: data.total_commits, commits: data.commits.length, files: data.files ?? [] };
    } catch (error) {
      if ((error as { status?: number }).status === 404 || (error as { status?: number }).status === 422) return undefined;
      throw error;
    }
  }

  async tree(owner: string, repo: string, sha: string, recursive: boolean): Promise<{ entries: TreeEntry[]; truncated: boolean }> {
    const res = await this.call('GET /repos/{owner}/{repo}/git/trees/{tree_sha}', { owner, repo, tree_sha: sha, ...(recursive ? { recursive: '1' } : {}) });
    const data = res.data as { tree: TreeEntry[]; truncated: boolean };
    return { entries: data.tree, truncated: data.truncated };
  }

  async blob(owner: string, repo: string, sha: string): Promise<Uint8Array> {
    const res = await this.call('GET /repos/{owner}/{repo}/git/blobs/{file_sha}', { owner, repo, file_sha: sha });
    const data = res.data as { content: string; encoding: string };
    return data.encoding === 'base64' ? Buffer.from(data.content, 'base64') : Buffer.from(data.content, 'utf8');
  }

  /** A path at a commit: its blob, or `undefined` when no file is there (absent, or a folder). */
  async file(owner: string, repo: string, path: string, ref: string): Promise<{ sha: string; size: number; content?: Uint8Array } | undefined> {
    const res = await this.call('GET /repos/{owner}/{repo}/contents/{path}', { owner, repo, path, ref });
    const data = res.data as { type?: string; sha: string; size: number; content?: string; encoding?: string } | unknown[];
    if (Array.isArray(data) || data.type !== 'file') return undefined;
    return { sha: data.sha, size: data.size, ...(data.encoding === 'base64' && data.content ? { content: Buffer.from(data.content, 'base64') } : {}) };
  }

  /** One page of issues updated at or after `since`, oldest update first. */
  async issuesPage(owner: string, repo: string, since: string | undefined, page: number, perPage: number): Promise<IssueItem[]> {
    const res = await this.call('GET /repos/{owner}/{repo}/issues', {
      owner, repo, state: 'all', sort: 'updated', direction: 'asc', per_page: perPage, page, ...(since ? { since } : {}),
    });
    return res.data as IssueItem[];
  }

  async issue(owner: string, repo: string, issueNumber: number): Promise<IssueItem> {
    return (await this.call('GET /repos/{owner}/{repo}/issues/{issue_number}', { owner, repo, issue_number: issueNumber })).data as IssueItem;
  }

  /** Every comment of an issue, following `Link: rel="next"`. */
  async comments(owner: string, repo: string, issueNumber: number): Promise<CommentItem[]> {
    const octokit = await this.octokit();
    try {
      return (await octokit.paginate('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', { owner, repo, issue_number: issueNumber, per_page: 100 })) as CommentItem[];
    } catch (error) {
      throw mapGitHubError(error, { sourceId: this.source.id, method: 'GET', path: `/repos/${owner}/${repo}/issues/${issueNumber}/comments`, authHint: this.authHint });
    }
  }

  // ───────────────────────────── internals ─────────────────────────────

  private async call(route: string, params: Record<string, unknown>): Promise<{ data: unknown; headers: Record<string, string | undefined> }> {
    const octokit = await this.octokit();
    try {
      return await octokit.request(route, params) as { data: unknown; headers: Record<string, string | undefined> };
    } catch (error) {
      if (isOctokitError(error) && error.status === 304) throw error;
      const [method = 'GET', template = route] = route.split(' ');
      const path = template.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`));
      throw mapGitHubError(error, { sourceId: this.source.id, method, path, authHint: this.authHint });
    }
  }

  private octokit(): Promise<Octokit> {
    this.client ??= this.build().catch((error: unknown) => {
      this.client = undefined;
      throw error;
    });
    return this.client;
  }

  private async build(): Promise<Octokit> {
    const [{ Octokit: Base }, { throttling }, { retry }] = await Promise.all([
      import('@octokit/rest'), import('@octokit/plugin-throttling'), import('@octokit/plugin-retry'),
    ]);
    const base = this.options.retryAfterBaseMs ?? 1000;
    const maxWaitS = this.source.maxRetryWaitSeconds;
    const log = this.options.log;
    const onLimit = (kind: string) => (retryAfter: number, options: { method?: string; url?: string }, _octokit: unknown, retryCount: number): boolean => {
      const retrying = retryCount < MAX_LIMIT_RETRIES && retryAfter <= maxWaitS;
      log.warn(`github source "${this.source.id}": ${kind} rate limit on ${options.method ?? ''} ${options.url ?? ''}; ${retrying ? `retrying in ${retryAfter} s` : 'not waiting'}`);
      return retrying;
    };
    const Kit = Base.plugin(throttling, retry);
    const octokit = new Kit({
      baseUrl: this.source.apiUrl.replace(/\/+$/, ''),
      userAgent: 'tributary-github-connector',
      log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
      throttle: { onRateLimit: onLimit('primary'), onSecondaryRateLimit: onLimit('secondary'), retryAfterBaseValue: base, fallbackSecondaryRateRetryAfter: 60 },
      retry: { retries: this.options.retries ?? 3, retryAfterBaseValue: base },
    }) as unknown as Octokit;
    const tokenOf = this.tokenSource(octokit);
    octokit.hook.wrap('request', async (request, options) => {
      if (String(options.url).startsWith('/app/')) return request(options);
      const token = await tokenOf();
      options.headers.authorization = `token ${token}`;
      try {
        return await request(options);
      } catch (error) {
        if (!this.source.app || !isOctokitError(error) || error.status !== 401) throw error;
        options.headers.authorization = `token ${await tokenOf(token)}`;
        return request(options);
      }
    });
    return octokit;
  }

  /** The token for a request; `rejected` names one GitHub refused. */
  private tokenSource(octokit: Octokit): (rejected?: string) => Promise<string> {
    const { source, secret, credentials, tokenKey, clock } = this.options;
    const app = source.app;
    if (!app) {
      return () => {
        const token = secret(tokenEnvOf(source));
        if (!token) return Promise.reject(new ConfigError(`${tokenEnvOf(source)} is not set: set it to a GitHub token that can read the repositories (locally), or add it to aws.secrets`));
        return Promise.resolve(token);
      };
    }
    const mint = async (jwt: string, installationId: number): Promise<{ token: string; expires_at: string }> => {
      try {
        const res = await octokit.request('POST /app/installations/{installation_id}/access_tokens', { installation_id: installationId, headers: { authorization: `Bearer ${jwt}` } });
        return res.data as { token: string; expires_at: string };
      } catch (error) {
        throw mapGitHubError(error, { sourceId: source.id, method: 'POST', path: `/app/installations/${installationId}/access_tokens`, authHint: this.authHint });
      }
    };
    return (rejected) => installationToken({
      appId: app.appId, installationId: app.installationId, privateKey: () => secret(app.privateKeyEnv), privateKeyEnv: app.privateKeyEnv,
      store: credentials, key: tokenKey, clock, mint,
    }, rejected);
  }
}
