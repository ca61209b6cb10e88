/**
 * Loopback emulator of the GitHub REST API (repositories with real git objects, issues, pull
 * requests, comments, GitHub App auth, rate limits) and of repository webhooks — built from
 * docs.github.com, the OpenAPI description shipped as @octokit/openapi-types and the captured
 * payloads of octokit/webhooks, not from a connector. Each file under ./github/ names, at its
 * top, the docs it follows; ./github/samples.ts pins documented payloads; ./github.test.ts drives
 * the emulator through @octokit/rest (+ plugin-throttling, plugin-retry).
 *
 * - ./github/git.ts          object store: blobs/trees/commits hashed as git does, ancestry, gc
 * - ./github/diff.ts         tree-vs-tree file changes (renames), patches
 * - ./github/world.ts        accounts, repos, branches, issues/PRs, comments, mutations → events
 * - ./github/shapes.ts       REST objects (repo, commit, branch, ref, issue, pull, comment …)
 * - ./github/auth.ts         PATs, app JWT (RS256) verification, installation tokens, visibility
 * - ./github/ratelimit.ts    primary/secondary limits, x-ratelimit-* headers, fault injection
 * - ./github/errors.ts       error bodies, 301 redirects, `Link` pagination
 * - ./github/routes-git.ts   repo, branch, ref, commits, compare, trees, blobs, contents
 * - ./github/routes-issues.ts issues, comments, pulls, installation access tokens
 * - ./github/webhooks.ts     payloads, X-Hub-Signature(-256), delivery, redelivery
 * - ./github/server.ts       fastify pipeline, ETag/304, request log
 * - ./github/control.ts      the handle returned by `startGitHub()`
 *
 * Control API (on the handle): accounts and credentials `addUser`, `addOrg`, `addToken`,
 * `revokeToken`, `addApp`, `install`, `appJwt`, `token`; git `createRepo`, `commit`, `seedFiles`,
 * `createBranch`, `forcePush`, `rewriteHistory`, `deleteBranch`, `gc`, `renameRepo`,
 * `deleteRepo`, `setPrivate`; issues `createIssue`, `createPull`, `editIssue`, `closeIssue`,
 * `reopenIssue`, `labelIssue`, `mergePull`, `deleteIssue`, `transferIssue`, `addComment`,
 * `editComment`, `deleteComment`; webhooks `registerWebhook`, `deliveries`, `redeliver`,
 * `settle`; limits and faults `secondaryLimit`, `failNext`, `setRateLimit`, `resetRateLimits`;
 * clock `now`, `setClock`; log `requests`, `count`, `countsByRoute`, `clearRequests`.
 */

export { GitHubEmulator, startGitHub, type GitHubEmulatorOptions } from './github/control.ts';
export type { RecordedRequest, TreeLimits } from './github/server.ts';
export { INSTALLATION_TOKEN_TTL_MS, signAppJwt, type Credential, type GitHubApp, type Installation } from './github/auth.ts';
export { blobSha, EMPTY_TREE, type Sha } from './github/git.ts';
export type { FileStatus } from './github/diff.ts';
export { ZERO_SHA, type Account, type Comment, type CommitSpec, type FileWrite, type Issue, type Repo } from './github/world.ts';
export {
  HOOKSHOT_UA, postGitHubWebhook, signSha1, signSha256, verifySha256, type Delivery, type Hook, type WebhookEventName, type WebhookRegistration,
} from './github/webhooks.ts';
