/**
 * Issue, pull request and issue comment routes.
 *
 * Sources (operation descriptions and parameters in @octokit/openapi-types, mirroring
 * docs.github.com/rest/issues and /rest/pulls):
 * - issues/list-for-repo: `state` open (default) / closed / all, `sort` created (default) /
 *   updated / comments, `direction` desc (default) / asc, `since` (ISO 8601; issues updated at
 *   or after), `labels` (comma-separated, all must match), `per_page` (default 30, max 100),
 *   `page`. Pull requests are included, marked by `pull_request`. Invalid enum values → 422
 *   `Validation Failed` (GitHub validates enums; unknown parameters are ignored, not refused).
 * - issues/get: "301 Moved Permanently status if the issue was transferred to another
 *   repository. If the issue was transferred to or deleted from a repository where the
 *   authenticated user lacks read access, the API returns a 404 Not Found status. If the issue
 *   was deleted from a repository where the authenticated user has read access, the API
 *   returns a 410 Gone status."
 * - issues/list-comments: `since`, `per_page`, `page`, ascending by creation.
 * - issues/list-comments-for-repo: `sort` created (default) / updated, `direction` asc / desc
 *   ("ignored without the sort parameter"), `since`.
 * - pulls/get: 404 when the number is an issue, not a pull request.
 */

import { ApiError, gone, invalid, notFound, Redirect } from './errors.ts';
import type { Route, RouteContext } from './server.ts';
import type { Comment, Issue } from './world.ts';

const DOC = 'https://docs.github.com/rest';

function oneOf<T extends string>(ctx: RouteContext, name: string, allowed: readonly T[], fallback: T, resource: string, docs: string): T {
  const value = ctx.query[name];
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) throw invalid(resource, name, value, docs);
  return value as T;
}

function since(ctx: RouteContext, resource: string, docs: string): number | undefined {
  const value = ctx.query['since'];
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(ms)) throw invalid(resource, 'since', value, docs);
  return ms;
}

/** The issue as `GET /issues/{n}` sees it: 301 after a transfer, 410 after a deletion. */
function lookup(ctx: RouteContext, docs: string): Issue {
  const repo = ctx.repo!;
  const issue = repo.issues.get(Number(ctx.params['number']));
  if (!issue) throw notFound(docs);
  if (issue.transferredTo) {
    const target = ctx.world.repos.get(issue.transferredTo.repoId);
    if (!target || target.deleted || !ctx.canSee(target)) throw notFound(docs);
    const rest = ctx.path.replace(/^\/repos\/[^/]+\/[^/]+\/issues\/\d+/, `/issues/${issue.transferredTo.number}`);
    throw new Redirect(`${ctx.api}/repositories/${target.id}${rest}`);
  }
  if (issue.deleted) throw gone(docs);
  return issue;
}

const visibleComments = (ctx: RouteContext): Comment[] => [...ctx.repo!.comments.values()].filter((c) => {
  const issue = ctx.repo!.issues.get(c.issueNumber);
  return !c.deleted && issue && !issue.deleted && !issue.transferredTo;
});

export const issueRoutes: readonly Route[] = [
  {
    method: 'GET', path: '/repos/:owner/:repo/issues', docs: `${DOC}/issues/issues#list-repository-issues`,
    handler: (ctx) => {
      const docs = `${DOC}/issues/issues#list-repository-issues`;
      const state = oneOf(ctx, 'state', ['open', 'closed', 'all'], 'open', 'Issue', docs);
      const sort = oneOf(ctx, 'sort', ['created', 'updated', 'comments'], 'created', 'Issue', docs);
      const direction = oneOf(ctx, 'direction', ['asc', 'desc'], 'desc', 'Issue', docs);
      const from = since(ctx, 'Issue', docs);
      const labels = ctx.query['labels']?.split(',').map((l) => l.trim()).filter(Boolean) ?? [];
      const comments = (i: Issue): number => visibleComments(ctx).filter((c) => c.issueNumber === i.number).length;
      const key = (i: Issue): number => (sort === 'created' ? i.createdAt : sort === 'updated' ? i.updatedAt : comments(i));
      const issues = [...ctx.repo!.issues.values()]
        .filter((i) => !i.deleted && !i.transferredTo && (state === 'all' || i.state === state))
        .filter((i) => from === undefined || i.updatedAt >= from)
        .filter((i) => labels.every((l) => i.labels.includes(l)))
        .sort((a, b) => (direction === 'asc' ? 1 : -1) * (key(a) - key(b) || a.number - b.number));
      return ctx.paginate(issues.map((i) => ctx.shapes.issue(i)));
    },
  },

  {
    method: 'GET', path: '/repos/:owner/:repo/issues/comments', docs: `${DOC}/issues/comments#list-issue-comments-for-a-repository`,
    handler: (ctx) => {
      const docs = `${DOC}/issues/comments#list-issue-comments-for-a-repository`;
      const sort = oneOf(ctx, 'sort', ['created', 'updated'], 'created', 'IssueComment', docs);
      const direction = ctx.query['sort'] === undefined ? 'asc' : oneOf(ctx, 'direction', ['asc', 'desc'], 'desc', 'IssueComment', docs);
      const from = since(ctx, 'IssueComment', docs);
      const key = (c: Comment): number => (sort === 'updated' ? c.updatedAt : c.createdAt);
      const comments = visibleComments(ctx)
        .filter((c) => from === undefined || c.updatedAt >= from)
        .sort((a, b) => (direction === 'asc' ? 1 : -1) * (key(a) - key(b) || a.id - b.id));
      return ctx.paginate(comments.map((c) => ctx.shapes.comment(c)));
    },
  },

  {
    method: 'GET', path: '/repos/:owner/:repo/issues/comments/:id', docs: `${DOC}/issues/comments#get-an-issue-comment`,
    handler: (ctx) => {
      const comment = visibleComments(ctx).find((c) => c.id === Number(ctx.params['id']));
      if (!comment) throw notFound(`${DOC}/issues/comments#get-an-issue-comment`);
      return { body: ctx.shapes.comment(comment) };
    },
  },

  {
    method: 'GET', path: '/repos/:owner/:repo/issues/:number', docs: `${DOC}/issues/issues#get-an-issue`,
    handler: (ctx) => ({ body: ctx.shapes.issue(lookup(ctx, `${DOC}/issues/issues#get-an-issue`)) }),
  },

  {
    method: 'GET', path: '/repos/:owner/:repo/issues/:number/comments', docs: `${DOC}/issues/comments#list-issue-comments`,
    handler: (ctx) => {
      const docs = `${DOC}/issues/comments#list-issue-comments`;
      const issue = lookup(ctx, docs);
      const from = since(ctx, 'IssueComment', docs);
      const comments = visibleComments(ctx)
        .filter((c) => c.issueNumber === issue.number && (from === undefined || c.updatedAt >= from))
        .sort((a, b) => a.createdAt - b.createdAt || a.id - b.id);
      return ctx.paginate(comments.map((c) => ctx.shapes.comment(c)));
    },
  },

  {
    method: 'GET', path: '/repos/:owner/:repo/pulls/:number', docs: `${DOC}/pulls/pulls#get-a-pull-request`,
    handler: (ctx) => {
      const issue = ctx.repo!.issues.get(Number(ctx.params['number']));
      if (!issue?.pull) throw notFound(`${DOC}/pulls/pulls#get-a-pull-request`);
      return { body: ctx.shapes.pull(issue) };
    },
  },

  {
    method: 'POST', path: '/app/installations/:id/access_tokens', docs: `${DOC}/apps/apps#create-an-installation-access-token-for-an-app`, auth: 'jwt',
    handler: (ctx) => {
      const docs = `${DOC}/apps/apps#create-an-installation-access-token-for-an-app`;
      const installation = ctx.creds.installations.get(Number(ctx.params['id']));
      if (!installation || installation.appId !== ctx.app!.id) throw notFound(docs);
      const body = (ctx.body ?? {}) as { repositories?: unknown; repository_ids?: unknown };
      const names = Array.isArray(body.repositories) ? body.repositories.map(String) : undefined;
      const ids = Array.isArray(body.repository_ids) ? body.repository_ids.map(Number) : undefined;
      const all = [...ctx.world.repos.values()].filter((r) => !r.deleted && r.owner.id === installation.account.id && (installation.repos === 'all' || installation.repos.has(r.id)));
      let narrowed = undefined as typeof all | undefined;
      if (names || ids) {
        narrowed = all.filter((r) => names?.includes(r.name) || ids?.includes(r.id));
        if (narrowed.length !== (names?.length ?? 0) + (ids?.length ?? 0)) {
          throw new ApiError(422, 'There is at least one repository that does not exist or is not accessible to the parent installation.', docs);
        }
      }
      const credential = ctx.creds.mintInstallationToken(installation, narrowed);
      const selection = narrowed || installation.repos !== 'all' ? 'selected' : 'all';
      return {
        status: 201,
        body: {
          token: credential.token, expires_at: new Date(credential.expiresAt!).toISOString().replace(/\.\d{3}Z$/, 'Z'),
          permissions: { contents: 'read', issues: 'read', metadata: 'read', pull_requests: 'read' }, repository_selection: selection,
          ...(narrowed ? { repositories: narrowed.map((r) => ctx.shapes.repo(r)) } : {}),
        },
      };
    },
  },
];
