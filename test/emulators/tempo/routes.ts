/**
 * The routes, each a function of the authenticated request to a JSON answer.
 *
 * Sources (https://apidocs.tempo.io/, OpenAPI v4.0 — operation ids in brackets):
 * - GET /4/worklogs [getWorklogs], POST /4/worklogs/search [searchWorklogs], GET /4/worklogs/{id}
 *   [getWorklogById; 404 "Worklog cannot be found in the system"], DELETE /4/worklogs/{id}
 *   [deleteWorklog; 204, no body], GET /4/worklogs/issue/{issueId} [getWorklogsByIssueId],
 *   GET /4/worklogs/project/{projectId} [getWorklogsByProjectId; 404 "Project cannot be found"],
 *   GET /4/worklogs/user/{accountId} [getWorklogsByUser], POST /4/worklogs/tempo-to-jira and
 *   /4/worklogs/jira-to-tempo [`{tempoWorklogIds}` / `{jiraWorklogIds}` → PageableWorklogIdMapper;
 *   unknown ids are left out].
 * - Deleted worklogs, current: POST /4/papertrail/search [searchAuditLogs] with
 *   `AuditLogSearchInput {from (required, ISO date-time, "within the last 180 days"), to,
 *   entityType[], action[], author[], worker[]}`, query `nextPageToken`, `limit` (1–1000, default
 *   100) → `PageableAuditLogEvent {self, metadata {limit, nextPageToken?, nextPageUrl?},
 *   results [AuditLogEvent]}`; nextPageToken is absent on the last page.
 * - Deleted worklogs, deprecated ("Please migrate to v4 API at /4/papertrail/search"): GET
 *   /papertrail/1/events/deleted/types/worklog [getDeletedWorklogAuditEvent] — `updatedFrom`
 *   (required, date-time), `limit` (50–1000, default 50), `lastEvaluatedKey` →
 *   `DeletedWorklogAuditEventsBean {self, metadata {count, limit, lastEvaluatedKey?, next?},
 *   results [{deletedAt, jiraWorklogId, tempoWorklogId}]}` — both ids are strings there. The
 *   `/audit/1/events/deleted/types/worklog` path some clients call is not in the current
 *   document and is not served (404).
 * - Audit timestamps are ISO-8601 UTC with milliseconds (`AuditLogEvent.timestamp`: "ISO 8601
 *   format (UTC timezone)"); `changes` values are strings. What Tempo writes into `changes`
 *   for a worklog is not published: the emulator lists the fields that changed.
 */

import { badRequest, notFound } from './errors.ts';
import { checkKnown, filterFromBody, filterFromQuery, int, list, page, select, type Query, type QueryPolicy } from './query.ts';
import { offsetPage, worklogJson, type ShapeContext } from './shapes.ts';
import { subscriptionJson, type WebhookHub } from './webhooks.ts';
import type { TempoWorld } from './world.ts';

export interface RouteRequest {
  readonly token: string;
  readonly params: Readonly<Record<string, string>>;
  readonly query: Query;
  readonly body: unknown;
  /** The request's full URL on the emulator. */
  readonly url: URL;
}

export interface RouteContext {
  readonly world: TempoWorld;
  readonly hub: WebhookHub;
  readonly shape: ShapeContext;
  readonly policy: QueryPolicy;
}

export type Reply = { readonly status: number; readonly json?: unknown };
export type Handler = (ctx: RouteContext, req: RouteRequest) => Reply | Promise<Reply>;

const ok = (json: unknown): Reply => ({ status: 200, json });
const GET_PARAMS = ['projectId', 'issueId', 'from', 'to', 'updatedFrom', 'offset', 'limit', 'orderBy'];
const SCOPED_PARAMS = ['from', 'to', 'updatedFrom', 'offset', 'limit'];
const DAY = 86_400_000;

function listWorklogs(ctx: RouteContext, req: RouteRequest, known: readonly string[], extra: (w: ReturnType<typeof select>[number]) => boolean = () => true): Reply {
  checkKnown(req.query, known, ctx.policy);
  const { offset, limit } = page(req.query, ctx.policy);
  const hits = select(ctx.world, req.token, filterFromQuery(req.query)).filter(extra);
  return ok(offsetPage(hits.map((w) => worklogJson(w, ctx.shape)), offset, limit, req.url));
}

function idMap(ctx: RouteContext, req: RouteRequest, from: 'tempoWorklogIds' | 'jiraWorklogIds'): Reply {
  const ids = (req.body as Record<string, unknown> | null)?.[from];
  if (!Array.isArray(ids) || ids.length === 0 || !ids.every((v) => Number.isInteger(v))) throw badRequest(`'${from}' must not be empty`);
  const { offset, limit } = page(req.query, ctx.policy);
  const visible = [...ctx.world.worklogs.values()].filter((w) => ctx.world.canSee(req.token, w));
  const hits = (ids as number[]).flatMap((id) => visible.filter((w) => (from === 'tempoWorklogIds' ? w.tempoWorklogId : w.jiraWorklogId) === id))
    .map((w) => ({ tempoWorklogId: w.tempoWorklogId, jiraWorklogId: w.jiraWorklogId }));
  return ok(offsetPage(hits, offset, limit, req.url));
}

const b64 = (n: number): string => Buffer.from(`seq:${n}`).toString('base64');
const unb64 = (s: string, name: string): number => {
  const m = /^seq:(\d+)$/.exec(Buffer.from(s, 'base64').toString());
  if (!m) throw badRequest(`'${name}' is invalid`);
  return Number(m[1]);
};

function isoDateTime(value: unknown, name: string): number {
  const ms = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(value)
    ? Date.parse(/(Z|[+-]\d{2}:?\d{2})$/.test(value) ? value : `${value}Z`) : NaN;
  if (Number.isNaN(ms)) throw badRequest(`'${name}' must be a valid ISO 8601 date time`);
  return ms;
}

export const ROUTES: readonly (readonly [method: 'GET' | 'POST' | 'DELETE' | 'PATCH', url: string, handler: Handler])[] = [
  ['GET', '/4/worklogs', (ctx, req) => listWorklogs(ctx, req, GET_PARAMS)],
  ['POST', '/4/worklogs/search', (ctx, req) => {
    checkKnown(req.query, ['offset', 'limit'], ctx.policy);
    const { offset, limit } = page(req.query, ctx.policy);
    const hits = select(ctx.world, req.token, filterFromBody(req.body));
    return ok(offsetPage(hits.map((w) => worklogJson(w, ctx.shape)), offset, limit, req.url));
  }],
  ['GET', '/4/worklogs/issue/:issueId', (ctx, req) => {
    const issueId = int(req.params['issueId'], 'issueId')!;
    return listWorklogs(ctx, req, SCOPED_PARAMS, (w) => w.issueId === issueId);
  }],
  ['GET', '/4/worklogs/project/:projectId', (ctx, req) => {
    const projectId = int(req.params['projectId'], 'projectId')!;
    if (![...ctx.world.issues.values()].includes(projectId)) throw notFound(`Project '${projectId}' not found`);
    return listWorklogs(ctx, req, SCOPED_PARAMS, (w) => ctx.world.projectOf(w) === projectId);
  }],
  ['GET', '/4/worklogs/user/:accountId', (ctx, req) => listWorklogs(ctx, req, SCOPED_PARAMS, (w) => w.authorAccountId === req.params['accountId'])],
  ['POST', '/4/worklogs/tempo-to-jira', (ctx, req) => idMap(ctx, req, 'tempoWorklogIds')],
  ['POST', '/4/worklogs/jira-to-tempo', (ctx, req) => idMap(ctx, req, 'jiraWorklogIds')],
  ['GET', '/4/worklogs/:id', (ctx, req) => {
    const w = /^\d+$/.test(req.params['id'] ?? '') ? ctx.world.get(Number(req.params['id'])) : undefined;
    if (!w || !ctx.world.canSee(req.token, w)) throw notFound(`Worklog '${req.params['id']}' not found`);
    return ok(worklogJson(w, ctx.shape));
  }],
  ['DELETE', '/4/worklogs/:id', (ctx, req) => {
    const w = /^\d+$/.test(req.params['id'] ?? '') ? ctx.world.get(Number(req.params['id'])) : undefined;
    if (!w || !ctx.world.canSee(req.token, w)) throw notFound(`Worklog '${req.params['id']}' not found`);
    ctx.world.deleteWorklog(w.tempoWorklogId);
    return { status: 204 };
  }],
  ['GET', '/papertrail/1/events/deleted/types/worklog', (ctx, req) => {
    checkKnown(req.query, ['updatedFrom', 'limit', 'lastEvaluatedKey'], ctx.policy);
    const one = (n: string): string | undefined => list(req.query[n]).at(-1);
    if (!one('updatedFrom')) throw badRequest("'updatedFrom' must not be empty");
    const since = isoDateTime(one('updatedFrom'), 'updatedFrom');
    const limit = int(one('limit'), 'limit') ?? 50;
    if (limit < 50 || limit > 1000) throw badRequest("'limit' must be between 50 and 1000");
    const after = one('lastEvaluatedKey') !== undefined ? unb64(one('lastEvaluatedKey')!, 'lastEvaluatedKey') : 0;
    const hits = ctx.world.deleted.filter((d) => d.deletedAt >= since && d.seq > after).sort((a, b) => a.seq - b.seq);
    const results = hits.slice(0, limit);
    const more = hits.length > limit ? b64(results.at(-1)!.seq) : undefined;
    const next = more ? new URL(req.url) : undefined;
    next?.searchParams.set('lastEvaluatedKey', more!);
    return ok({
      self: req.url.toString(),
      metadata: { count: results.length, limit, ...(more ? { lastEvaluatedKey: more, next: next!.toString() } : {}) },
      results: results.map((d) => ({ deletedAt: new Date(d.deletedAt).toISOString(), jiraWorklogId: String(d.jiraWorklogId), tempoWorklogId: String(d.tempoWorklogId) })),
    });
  }],
  ['POST', '/4/papertrail/search', (ctx, req) => {
    checkKnown(req.query, ['nextPageToken', 'limit'], ctx.policy);
    const body = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, unknown>;
    if (body['from'] === undefined) throw badRequest("'from' must not be null");
    const from = isoDateTime(body['from'], 'from');
    if (from < ctx.world.now() - 180 * DAY) throw badRequest("'from' must be within the last 180 days");
    const to = body['to'] !== undefined ? isoDateTime(body['to'], 'to') : Infinity;
    const strings = (n: string): string[] | undefined => (Array.isArray(body[n]) && (body[n] as unknown[]).length ? (body[n] as unknown[]).map(String) : undefined);
    const [entityType, action, author, worker] = ['entityType', 'action', 'author', 'worker'].map(strings);
    const limit = int(list(req.query['limit']).at(-1), 'limit') ?? 100;
    if (limit < 1 || limit > 1000) throw badRequest("'limit' must be between 1 and 1000");
    const token = list(req.query['nextPageToken']).at(-1);
    const after = token !== undefined ? unb64(token, 'nextPageToken') : 0;
    const scope = ctx.world.tokens.get(req.token)?.projectIds;
    const hits = ctx.world.audit.filter((e) => e.seq > after && e.timestamp >= from && e.timestamp <= to
      && (!entityType || entityType.includes('worklog')) && (!action || action.includes(e.action))
      && (!author || author.includes(e.author)) && (!worker || worker.includes(e.worker)) && (!scope || scope.includes(e.projectId)));
    const results = hits.slice(0, limit);
    const more = hits.length > limit ? b64(results.at(-1)!.seq) : undefined;
    const next = new URL(req.url);
    if (more) next.searchParams.set('nextPageToken', more);
    return ok({
      self: req.url.toString(),
      metadata: { limit, ...(more ? { nextPageToken: more, nextPageUrl: next.toString() } : {}) },
      results: results.map((e) => ({
        action: e.action, author: e.author, changes: e.changes, entityId: e.entityId, entityType: 'worklog', parentId: e.parentId,
        timestamp: new Date(e.timestamp).toISOString(), worker: e.worker,
      })),
    });
  }],
  ['GET', '/4/webhooks/subscriptions', (ctx, req) => {
    const { offset, limit } = page(req.query, ctx.policy);
    const results = [...ctx.hub.subscriptions.values()].slice(offset, offset + limit).map((s) => subscriptionJson(s, ctx.shape.base));
    return ok({ self: req.url.toString(), metadata: { count: results.length }, results });
  }],
  ['POST', '/4/webhooks/subscriptions', async (ctx, req) => ok(subscriptionJson(await ctx.hub.create(req.body), ctx.shape.base))],
  ['GET', '/4/webhooks/subscriptions/:id', (ctx, req) => ok(subscriptionJson(ctx.hub.get(req.params['id']!), ctx.shape.base))],
  ['DELETE', '/4/webhooks/subscriptions/:id', (ctx, req) => {
    ctx.hub.remove(req.params['id']!);
    return { status: 204 };
  }],
  ['PATCH', '/4/webhooks/subscriptions/:id/refresh', (ctx, req) => {
    ctx.hub.refresh(req.params['id']!);
    return { status: 204 };
  }],
];
