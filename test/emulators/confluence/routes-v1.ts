/**
 * REST API v1 routes under `/wiki/rest/api` — the ones v2 has no equivalent for.
 *
 * Sources (https://developer.atlassian.com/cloud/confluence/rest/v1/ and the confluence.js
 * 2.1.0 client, which is v1):
 * - GET /user/current (users.getCurrentUser) — the caller, with `timeZone`.
 * - GET /search (search.searchByCQL: cql, cqlcontext, cursor, next, prev, limit, start,
 *   includeArchivedSpaces, excludeCurrentSpaces, excerpt, expand) → SearchPageResponse
 *   {results[SearchResult{content, title, excerpt, url, resultGlobalContainer, breadcrumbs,
 *   entityType, iconCssClass, lastModified, friendlyLastModified}], start, limit, size,
 *   totalSize, cqlQuery, searchDuration, _links}. "search returns hits wrapping content;
 *   content search returns the content itself" (confluence.js live suite search.test.ts).
 * - GET /content/search (content.searchContentByCQL: cql, cqlcontext, expand, cursor, limit —
 *   no `start`) → ContentArray {results[Content], start, limit, size, _links}.
 * - `limit` "may be restricted by fixed system limits": larger values are lowered to the
 *   emulator's `searchMaxLimit` (not published; default 100) and the page says the limit used.
 * - GET /content/{id} (status default `current`; `any` = current and trashed; expand).
 * - GET /content/{id}/restriction/byOperation and …/byOperation/{read|update}
 *   (contentRestrictions.getRestrictionsByOperation / getRestrictionsForOperation) →
 *   ContentRestriction {operation, restrictions{user: UserArray, group: GroupArray}, _expandable,
 *   _links}. They list the page's own restrictions; inherited ones show on the ancestor.
 */

import { badRequest, notFound } from './errors.ts';
import { parseCql, runCql } from './cql.ts';
import { intParam, v1SearchPage, type Ctx, type Reply } from './http.ts';
import type { Handler } from './routes-v2.ts';
import { v1Content, v1SearchResult, v1User } from './shapes.ts';
import type { ConfluenceWorld, StoredContent, Viewers } from './world.ts';

export interface V1Options {
  readonly searchMaxLimit: number;
}

const expandOf = (ctx: Ctx): Set<string> => new Set((ctx.query['expand'] ?? '').split(',').map((s) => s.trim()).filter(Boolean));

export function v1Routes(world: ConfluenceWorld, options: V1Options): Record<string, Handler> {
  const search = (ctx: Ctx): StoredContent[] => {
    const cql = ctx.query['cql'];
    if (cql === undefined || cql.trim() === '') throw badRequest('CQL query parameter is required.');
    const parsed = parseCql(cql);
    return runCql(parsed, { world, zone: ctx.user.timeZone, cql }, (item) => world.canView(ctx.user, item));
  };

  const contentById = (ctx: Ctx): StoredContent => {
    const id = ctx.params['id'] ?? '';
    const item = /^\d+$/.test(id) ? world.content.get(id) : undefined;
    const status = (ctx.query['status'] ?? 'current').split(',');
    const allowed = status.includes('any') ? ['current', 'trashed', 'archived'] : status;
    if (!item || !world.canView(ctx.user, item) || !allowed.includes(item.status)) throw notFound(`No content found with id : ContentId{id=${id}}`);
    return item;
  };

  const restriction = (ctx: Ctx, item: StoredContent, operation: 'read' | 'update'): Record<string, unknown> => {
    const viewers: Viewers = operation === 'read' ? item.readRestriction : {};
    const users = (viewers.users ?? []).flatMap((id) => { const u = world.users.get(id); return u ? [v1User(u, ctx.base)] : []; });
    const groups = (viewers.groups ?? []).map((name) => ({ type: 'group', name, id: `group-${Buffer.from(name).toString('hex').slice(0, 12)}`, _links: { self: `${ctx.base}/rest/api/group/by-id?id=${name}` } }));
    return {
      operation,
      restrictions: {
        user: { results: users, start: 0, limit: 200, size: users.length },
        group: { results: groups, start: 0, limit: 200, size: groups.length },
      },
      _expandable: { content: `/rest/api/content/${item.id}` },
      _links: { base: ctx.base, context: '/wiki', self: `${ctx.base}/rest/api/content/${item.id}/restriction/byOperation/${operation}` },
    };
  };

  return {
    'GET /wiki/rest/api/user/current': (ctx): Reply => ({ body: v1User(ctx.user, ctx.base) }),
    'GET /wiki/rest/api/search': (ctx) => {
      const started = world.now();
      const hits = search(ctx);
      const expand = expandOf(ctx);
      const innerExpand = new Set([...expand].filter((e) => e.startsWith('content.')).map((e) => e.slice('content.'.length)));
      return v1SearchPage(ctx, hits, (item) => v1SearchResult(world, item, innerExpand, ctx.base), {
        maxLimit: options.searchMaxLimit, acceptStart: true,
        envelope: (page) => ({ ...page, totalSize: hits.length, cqlQuery: ctx.query['cql'], searchDuration: Math.max(1, world.now() - started) }),
      });
    },
    'GET /wiki/rest/api/content/search': (ctx) => {
      const hits = search(ctx);
      const expand = expandOf(ctx);
      return v1SearchPage(ctx, hits, (item) => v1Content(world, item, expand, ctx.base), { maxLimit: options.searchMaxLimit, acceptStart: false, envelope: (page) => page });
    },
    'GET /wiki/rest/api/content/:id': (ctx) => ({ body: v1Content(world, contentById(ctx), expandOf(ctx), ctx.base) }),
    'GET /wiki/rest/api/content/:id/restriction/byOperation': (ctx) => {
      const item = contentById({ ...ctx, query: { ...ctx.query, status: 'any' } });
      return { body: { read: restriction(ctx, item, 'read'), update: restriction(ctx, item, 'update'), _links: { base: ctx.base, context: '/wiki' } } };
    },
    'GET /wiki/rest/api/content/:id/restriction/byOperation/:operationKey': (ctx) => {
      const op = ctx.params['operationKey'];
      if (op !== 'read' && op !== 'update') throw badRequest(`Operation key must be one of [read, update]: ${op}`);
      intParam(ctx.query, 'limit', 100, 0, 200);
      return { body: restriction(ctx, contentById({ ...ctx, query: { ...ctx.query, status: 'any' } }), op) };
    },
  };
}

