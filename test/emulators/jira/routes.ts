/**
 * Route handlers of the Jira Cloud REST v3 subset, pure functions of the site and the caller.
 *
 * Sources (swagger-v3.v3.json operation descriptions and parameters):
 * - GET|POST /rest/api/3/search/jql: jql, nextPageToken, maxResults (default 50; "The greatest
 *   number of items returned per page is achieved when requesting id or key only. It returns
 *   max 5000 issues" — fewer when more fields are asked for: 100 here, the cap the old search
 *   had), fields (default `id`), expand (comma string), properties, fieldsByKeys, failFast,
 *   reconcileIssues (max 50). Answer `{issues, nextPageToken?, isLast}`; the token is absent on
 *   the last page and "will expire in 7 days". GET|POST /rest/api/3/search answer 410 (CHANGE-2046).
 * - GET /rest/api/3/issue/{idOrKey}: fields (default all), expand; 404 for missing or hidden.
 * - GET …/comment: startAt, maxResults (default 100), orderBy (created, -created, +created),
 *   expand=renderedBody → PageOfComments. GET …/worklog: startAt, maxResults (default 5000),
 *   startedAfter, startedBefore (epoch ms) → PageOfWorklogs.
 * - POST /rest/api/3/issue/bulkfetch: `{issueIdsOrKeys (1..100), fields (default *navigable),
 *   expand[], fieldsByKeys, properties}` → `{issues (ascending id), issueErrors}`; unknown or
 *   hidden issues are left out, moved keys resolve.
 * - GET /rest/api/3/project/search: startAt, maxResults (default 50, max 100), keys, query →
 *   PageBeanProject `{self, nextPage?, maxResults, startAt, total, isLast, values}`.
 * - GET /rest/api/3/worklog/updated|deleted?since=<ms>: pages of 1000, oldest first, `until` =
 *   youngest on the page, `nextPage` URL, `lastPage`; "does not return worklogs updated
 *   [deleted] during the minute preceding the request". POST /rest/api/3/worklog/list `{ids}`:
 *   up to 1000, 400 when empty or more.
 */

import { fail, MESSAGES } from './errors.ts';
import { isBounded, JqlError, parseJql, runJql } from './jql.ts';
import { comment, issueBean, project, selectFields, worklog, ALL_FIELDS, type Json, type View } from './shapes.ts';
import type { JiraSite, JiraUser } from './site.ts';

export interface Ctx extends View { readonly user: JiraUser; readonly now: number; readonly worklogPageSize: number; readonly tokenTtlMs: number }

const SEARCH_KEYS = new Set(['jql', 'nextPageToken', 'maxResults', 'fields', 'expand', 'properties', 'fieldsByKeys', 'failFast', 'reconcileIssues']);
const BULK_KEYS = new Set(['issueIdsOrKeys', 'fields', 'expand', 'fieldsByKeys', 'properties']);

const list = (value: unknown): string[] | undefined =>
  value === undefined ? undefined : (Array.isArray(value) ? value : [value]).flatMap((v) => String(v).split(',')).map((s) => s.trim()).filter(Boolean);

function int(value: unknown, name: string, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n)) throw fail(400, `The '${name}' parameter must be an integer.`);
  return n;
}

interface PageToken { readonly o: number; readonly q: string; readonly e: number }
const encodeToken = (t: PageToken): string => Buffer.from(JSON.stringify(t)).toString('base64url');
function decodeToken(token: string, jql: string, now: number): PageToken {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as PageToken;
    if (typeof t.o === 'number' && t.q === jql && t.e > now) return t;
  } catch { /* fall through */ }
  throw fail(400, MESSAGES.badToken);
}

/** GET (query) and POST (body) /rest/api/3/search/jql. */
export function searchJql(ctx: Ctx, input: Record<string, unknown>, fromBody: boolean): Json {
  if (fromBody && Object.keys(input).some((k) => !SEARCH_KEYS.has(k))) throw fail(400, MESSAGES.invalidPayload);
  const jql = typeof input['jql'] === 'string' ? input['jql'] : '';
  let query;
  try {
    query = parseJql(jql);
  } catch (error) {
    if (error instanceof JqlError) throw fail(400, error.message);
    throw error;
  }
  if (!isBounded(query)) throw fail(400, MESSAGES.unbounded);
  const fields = selectFields(list(input['fields']), ['id']);
  const idOnly = fields.every((f) => f === 'id' || f === 'key');
  const requested = int(input['maxResults'], 'maxResults', 50);
  const pageSize = Math.max(1, Math.min(requested, idOnly ? 5000 : 100));
  const reconcile = list(input['reconcileIssues']) ?? [];
  if (reconcile.length > 50) throw fail(400, 'The reconcileIssues parameter accepts a maximum of 50 issue ids.');
  let matched;
  try {
    matched = runJql(query, ctx.site, ctx.user, ctx.now);
  } catch (error) {
    if (error instanceof JqlError) throw fail(400, error.message);
    throw error;
  }
  const offset = typeof input['nextPageToken'] === 'string' && input['nextPageToken'] !== '' ? decodeToken(input['nextPageToken'], jql, ctx.now).o : 0;
  const page = matched.slice(offset, offset + pageSize);
  const expand = new Set(list(input['expand']) ?? []);
  const isLast = offset + page.length >= matched.length;
  const out: Json = { issues: page.map((i) => issueBean(ctx, i, fields, expand)) };
  if (expand.has('names')) out['names'] = Object.fromEntries(page.flatMap((i) => Object.entries((issueBean(ctx, i, fields, new Set(['names']))['names'] ?? {}) as Json)));
  if (!isLast) out['nextPageToken'] = encodeToken({ o: offset + page.length, q: jql, e: ctx.now + ctx.tokenTtlMs });
  out['isLast'] = isLast;
  return out;
}

function visibleIssue(ctx: Ctx, idOrKey: string): ReturnType<JiraSite['findIssue']> & object {
  const issue = ctx.site.findIssue(idOrKey);
  if (!issue || !ctx.site.canSee(ctx.user, issue)) throw fail(404, MESSAGES.issueNotFound);
  return issue;
}

export function getIssue(ctx: Ctx, idOrKey: string, query: Record<string, unknown>): Json {
  const issue = visibleIssue(ctx, idOrKey);
  return issueBean(ctx, issue, selectFields(list(query['fields']), ['*all']), new Set(list(query['expand']) ?? []));
}

export function getComments(ctx: Ctx, idOrKey: string, query: Record<string, unknown>): Json {
  const issue = visibleIssue(ctx, idOrKey);
  const startAt = Math.max(0, int(query['startAt'], 'startAt', 0));
  const maxResults = Math.max(0, int(query['maxResults'], 'maxResults', 100));
  const order = String(query['orderBy'] ?? 'created');
  if (!['created', '+created', '-created'].includes(order)) throw fail(400, `Invalid orderBy value '${order}'.`);
  const sorted = [...issue.comments].sort((a, b) => (a.created - b.created || Number(a.id) - Number(b.id)) * (order === '-created' ? -1 : 1));
  const rendered = (list(query['expand']) ?? []).includes('renderedBody');
  return { startAt, maxResults, total: sorted.length, comments: sorted.slice(startAt, startAt + maxResults).map((c) => comment(ctx, c, rendered)) };
}

export function getWorklogs(ctx: Ctx, idOrKey: string, query: Record<string, unknown>): Json {
  const issue = visibleIssue(ctx, idOrKey);
  const startAt = Math.max(0, int(query['startAt'], 'startAt', 0));
  const maxResults = Math.max(0, int(query['maxResults'], 'maxResults', 5000));
  const after = query['startedAfter'] !== undefined ? int(query['startedAfter'], 'startedAfter', 0) : undefined;
  const before = query['startedBefore'] !== undefined ? int(query['startedBefore'], 'startedBefore', 0) : undefined;
  const chosen = issue.worklogs.filter((w) => (after === undefined || w.started >= after) && (before === undefined || w.started <= before));
  return { startAt, maxResults, total: chosen.length, worklogs: chosen.slice(startAt, startAt + maxResults).map((w) => worklog(ctx, w)) };
}

export function bulkFetch(ctx: Ctx, body: Record<string, unknown>): Json {
  if (Object.keys(body).some((k) => !BULK_KEYS.has(k)) || !Array.isArray(body['issueIdsOrKeys'])) throw fail(400, MESSAGES.invalidPayload);
  const wanted = (body['issueIdsOrKeys'] as unknown[]).map(String);
  if (wanted.length === 0 || wanted.length > 100) throw fail(400, 'The number of issue IDs or keys must be between 1 and 100.');
  const seen = new Map<string, ReturnType<JiraSite['mustFind']>>();
  for (const idOrKey of wanted) {
    const issue = ctx.site.findIssue(idOrKey);
    if (issue && ctx.site.canSee(ctx.user, issue)) seen.set(issue.id, issue);
  }
  const fields = selectFields(list(body['fields']), ['*navigable']);
  const expand = new Set(list(body['expand']) ?? []);
  const issues = [...seen.values()].sort((a, b) => Number(a.id) - Number(b.id)).map((i) => issueBean(ctx, i, fields, expand));
  return { expand: [...expand].join(','), issues, issueErrors: [] };
}

export function searchProjects(ctx: Ctx, query: Record<string, unknown>): Json {
  const startAt = Math.max(0, int(query['startAt'], 'startAt', 0));
  const maxResults = Math.max(1, Math.min(100, int(query['maxResults'], 'maxResults', 50)));
  const keys = list(query['keys'])?.map((k) => k.toUpperCase());
  const text = typeof query['query'] === 'string' ? query['query'].toLowerCase() : undefined;
  const all = [...ctx.site.projects.values()]
    .filter((p) => ctx.site.canBrowseProject(ctx.user, p.id) && (!keys || keys.includes(p.key.toUpperCase())) && (!text || p.key.toLowerCase().includes(text) || p.name.toLowerCase().includes(text)))
    .sort((a, b) => a.key.localeCompare(b.key));
  const values = all.slice(startAt, startAt + maxResults).map((p) => project(ctx, p));
  const isLast = startAt + values.length >= all.length;
  const self = `${ctx.base}/rest/api/3/project/search?startAt=${startAt}&maxResults=${maxResults}`;
  return { self, ...(isLast ? {} : { nextPage: `${ctx.base}/rest/api/3/project/search?startAt=${startAt + maxResults}&maxResults=${maxResults}` }), maxResults, startAt, total: all.length, isLast, values };
}

export function getProject(ctx: Ctx, idOrKey: string): Json {
  const p = ctx.site.projects.get(idOrKey) ?? ctx.site.projectByKey(idOrKey);
  if (!p || !ctx.site.canBrowseProject(ctx.user, p.id)) throw fail(404, MESSAGES.projectNotFound(idOrKey));
  const issueTypes = ['Epic', 'Task', 'Story', 'Bug', 'Subtask'];
  return { ...project(ctx, p), description: '', lead: null, issueTypes, assigneeType: 'UNASSIGNED', components: [], versions: [], roles: {} };
}

/** /worklog/updated and /worklog/deleted. */
export function changedWorklogs(ctx: Ctx, kind: 'updated' | 'deleted', query: Record<string, unknown>): Json {
  const since = int(query['since'], 'since', 0);
  const cutoff = ctx.now - 60_000;
  const source = kind === 'deleted'
    ? ctx.site.deletedWorklogs
    : [...ctx.site.issues.values()].filter((i) => ctx.site.canSee(ctx.user, i)).flatMap((i) => i.worklogs.map((w) => ({ worklogId: Number(w.id), updatedTime: w.updated })));
  const all = source.filter((e) => e.updatedTime > since && e.updatedTime <= cutoff).sort((a, b) => a.updatedTime - b.updatedTime || a.worklogId - b.worklogId);
  const page = all.slice(0, ctx.worklogPageSize);
  const until = page.length > 0 ? page[page.length - 1]!.updatedTime : since;
  const url = (s: number): string => `${ctx.base}/rest/api/3/worklog/${kind}?since=${s}`;
  return {
    values: page.map((e) => ({ worklogId: e.worklogId, updatedTime: e.updatedTime, properties: [] })), since, until, self: url(since),
    nextPage: url(until), lastPage: all.length <= ctx.worklogPageSize,
  };
}

export function listWorklogs(ctx: Ctx, body: Record<string, unknown>): Json[] {
  if (Object.keys(body).some((k) => k !== 'ids') || !Array.isArray(body['ids'])) throw fail(400, MESSAGES.invalidPayload);
  const ids = (body['ids'] as unknown[]).map(String);
  if (ids.length === 0 || ids.length > 1000) throw fail(400, 'The number of worklog IDs must be between 1 and 1000.');
  return ids.flatMap((id) => {
    const found = ctx.site.findWorklog(id);
    return found && ctx.site.canSee(ctx.user, found.issue) ? [worklog(ctx, found.worklog)] : [];
  });
}

export { ALL_FIELDS };
