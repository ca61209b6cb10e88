/**
 * REST API v2 routes under `/wiki/api/v2`.
 *
 * Sources (Atlassian's v2 reference, https://developer.atlassian.com/cloud/confluence/rest/v2/,
 * and its OpenAPI spec as generated into confluence.js 3.x src/v2/parameters/*.ts):
 * - GET /spaces (ids, keys, type, status, sort, description-format, cursor, limit ≤ 250),
 *   GET /spaces/{id}.
 * - GET /pages (id, space-id, sort ∈ id|-id|created-date|-created-date|modified-date|
 *   -modified-date|title|-title, status ∈ current|archived|deleted|trashed — "By default,
 *   current and archived are used" — title, body-format ∈ storage|atlas_doc_format, cursor,
 *   limit). Drafts are not listed (`draft` is not in the listing's status enum → 400).
 * - GET /spaces/{id}/pages (depth all|root, sort, status, title, body-format, cursor, limit).
 * - GET /pages/{id} (body-format, get-draft, status ∈ current|archived|trashed|deleted|
 *   historical|draft, version). A trashed page needs `status=trashed`; a never-published
 *   draft needs `get-draft=true` or `status=draft`; an older version comes back with status
 *   `historical`.
 * - GET /pages/{id}/ancestors: "all ancestors … in top-to-bottom order (that is, the highest
 *   ancestor is the first item …). The number of results is limited by the limit parameter and
 *   additional results … by calling this endpoint with the ID of first ancestor in the response
 *   payload" — so `limit=n` returns the n nearest ancestors, still top to bottom; no cursor.
 * - GET /pages/{id}/children (deprecated; ChildPage) and /direct-children (with `type`), sorted
 *   by child position; GET /pages/{id}/labels (prefix, cursor, limit); GET /pages/{id}/versions
 *   (newest first).
 * - Blog posts: GET /blogposts, /blogposts/{id}, /spaces/{id}/blogposts, /blogposts/{id}/labels,
 *   /blogposts/{id}/versions — the same parameters minus the tree.
 * - Content the caller may not view is absent from every listing and 404 by id.
 */

import { notFound } from './errors.ts';
import { boolParam, enumParam, idListParam, idParam, intParam, listParam, v2Page, type Ctx, type Reply } from './http.ts';
import { v2Ancestor, v2Child, v2Content, v2Label, v2Space, v2Version, type BodyFormat } from './shapes.ts';
import type { ConfluenceWorld, ContentType, StoredContent } from './world.ts';

export type Handler = (ctx: Ctx) => Reply;

const SORTS = ['id', '-id', 'created-date', '-created-date', 'modified-date', '-modified-date', 'title', '-title'] as const;
const LIST_STATUSES = ['current', 'archived', 'deleted', 'trashed'] as const;
const GET_STATUSES = ['current', 'archived', 'trashed', 'deleted', 'historical', 'draft'] as const;
const FORMATS = ['storage', 'atlas_doc_format'] as const;

export function v2Routes(world: ConfluenceWorld): Record<string, Handler> {
  const format = (ctx: Ctx): BodyFormat | undefined => enumParam(ctx.query, 'body-format', FORMATS, 'PrimaryBodyRepresentation');

  const sortItems = (items: StoredContent[], sort: (typeof SORTS)[number] | undefined): StoredContent[] => {
    const s = sort ?? 'id';
    const desc = s.startsWith('-');
    const key = (c: StoredContent): number | string =>
      s.endsWith('modified-date') ? world.lastModified(c) : s.endsWith('created-date') ? c.createdAt : s.endsWith('title') ? world.current(c).title : Number(c.id);
    return items.sort((a, b) => {
      const [x, y] = [key(a), key(b)];
      const cmp = x < y ? -1 : x > y ? 1 : Number(a.id) - Number(b.id);
      return desc ? -cmp : cmp;
    });
  };

  const listing = (ctx: Ctx, type: ContentType, spaceIds: readonly string[] | undefined): Reply => {
    const q = ctx.query;
    const statuses = listParam(q, 'status', LIST_STATUSES, 'ContentStatus') ?? ['current', 'archived'];
    const ids = idListParam(q, 'id');
    const sort = enumParam(q, 'sort', SORTS, type === 'page' ? 'PageSortOrder' : 'BlogPostSortOrder');
    const depth = type === 'page' ? enumParam(q, 'depth', ['all', 'root'] as const, 'String') : undefined;
    const fmt = format(ctx);
    const limit = intParam(q, 'limit', 25, 1, 250);
    const items = [...world.content.values()].filter((c) =>
      c.type === type && (statuses as readonly string[]).includes(c.status)
      && (!spaceIds || spaceIds.includes(c.spaceId)) && (!ids || ids.includes(c.id))
      && (q['title'] === undefined || world.current(c).title === q['title'])
      && (depth !== 'root' || c.parentId === null || c.id === world.spaces.get(c.spaceId)?.homepageId)
      && world.canView(ctx.user, c));
    return v2Page(ctx, sortItems(items, sort), (c) => v2Content(world, c, { format: fmt }), limit);
  };

  const visible = (ctx: Ctx, type: ContentType, opts: { statuses?: readonly string[]; draft?: boolean } = {}): StoredContent => {
    const item = world.content.get(idParam(ctx));
    if (!item || item.type !== type || !world.canView(ctx.user, item)) throw notFound();
    const allowed = opts.statuses ?? ['current', 'archived'];
    if (item.status === 'draft' ? !(opts.draft || allowed.includes('draft')) : !allowed.includes(item.status)) throw notFound();
    return item;
  };

  const single = (type: ContentType) => (ctx: Ctx): Reply => {
    const q = ctx.query;
    const statuses = listParam(q, 'status', GET_STATUSES, 'ContentStatus');
    const draft = boolParam(q, 'get-draft');
    const fmt = format(ctx);
    const versionNo = q['version'] !== undefined ? intParam(q, 'version', 1, 1, Number.MAX_SAFE_INTEGER) : undefined;
    const item = visible(ctx, type, { ...(statuses ? { statuses } : {}), draft });
    const version = versionNo !== undefined ? item.versions.find((v) => v.number === versionNo) : undefined;
    if (versionNo !== undefined && !version) throw notFound();
    return { body: v2Content(world, item, { format: fmt, version, draft: draft || item.status === 'draft' }) };
  };

  const space = (ctx: Ctx): string => {
    const s = world.spaces.get(idParam(ctx));
    if (!s || !world.canViewSpace(ctx.user, s)) throw notFound();
    return s.id;
  };

  const labels = (type: ContentType) => (ctx: Ctx): Reply => {
    const item = visible(ctx, type, { statuses: ['current', 'archived', 'trashed'] });
    const prefix = enumParam(ctx.query, 'prefix', ['my', 'team', 'global', 'system'] as const, 'String');
    return v2Page(ctx, prefix && prefix !== 'global' ? [] : item.labels, v2Label, intParam(ctx.query, 'limit', 25, 1, 250));
  };

  const versions = (type: ContentType) => (ctx: Ctx): Reply => {
    const item = visible(ctx, type, { statuses: ['current', 'archived', 'trashed'] });
    const sort = enumParam(ctx.query, 'sort', ['modified-date', '-modified-date'] as const, 'VersionSortOrder') ?? '-modified-date';
    const list = [...item.versions].sort((a, b) => (sort === '-modified-date' ? b.number - a.number : a.number - b.number));
    const key = type === 'page' ? 'page' : 'blogpost';
    return v2Page(ctx, list, (v) => ({ ...v2Version(v), [key]: { id: item.id, title: v.title } }), intParam(ctx.query, 'limit', 50, 1, 250));
  };

  const children = (direct: boolean) => (ctx: Ctx): Reply => {
    const item = visible(ctx, 'page');
    enumParam(ctx.query, 'sort', ['id', '-id', 'created-date', '-created-date', 'modified-date', '-modified-date', 'child-position', '-child-position'] as const, 'ChildPageSortOrder');
    const list = world.children(item).filter((c) => c.status === 'current' && world.canView(ctx.user, c));
    return v2Page(ctx, list, (c) => v2Child(world, c, direct), intParam(ctx.query, 'limit', 25, 1, 250));
  };

  return {
    'GET /wiki/api/v2/spaces': (ctx) => {
      const q = ctx.query;
      const ids = idListParam(q, 'ids');
      const keys = listParam(q, 'keys');
      const type = enumParam(q, 'type', ['global', 'personal', 'collaboration', 'knowledge_base'] as const, 'SpaceType');
      const status = enumParam(q, 'status', ['current', 'archived'] as const, 'SpaceStatus');
      const sort = enumParam(q, 'sort', ['id', '-id', 'key', '-key', 'name', '-name'] as const, 'SpaceSortOrder') ?? 'id';
      const descriptionFormat = enumParam(q, 'description-format', ['plain', 'view'] as const, 'SpaceDescriptionBodyRepresentation');
      const limit = intParam(q, 'limit', 25, 1, 250);
      const field = sort.replace('-', '') as 'id' | 'key' | 'name';
      const list = [...world.spaces.values()].filter((s) =>
        (!ids || ids.includes(s.id)) && (!keys || keys.includes(s.key)) && (!type || s.type === type) && (!status || s.status === status)
        && world.canViewSpace(ctx.user, s))
        .sort((a, b) => {
          const [x, y] = field === 'id' ? [Number(a.id), Number(b.id)] : [a[field], b[field]];
          return (x < y ? -1 : x > y ? 1 : 0) * (sort.startsWith('-') ? -1 : 1);
        });
      return v2Page(ctx, list, (s) => v2Space(world, s, descriptionFormat), limit);
    },
    'GET /wiki/api/v2/spaces/:id': (ctx) => {
      const descriptionFormat = enumParam(ctx.query, 'description-format', ['plain', 'view'] as const, 'SpaceDescriptionBodyRepresentation');
      return { body: v2Space(world, world.spaces.get(space(ctx))!, descriptionFormat) };
    },
    'GET /wiki/api/v2/pages': (ctx) => {
      const spaceIds = idListParam(ctx.query, 'space-id');
      return listing(ctx, 'page', spaceIds?.filter((id) => { const s = world.spaces.get(id); return s && world.canViewSpace(ctx.user, s); }));
    },
    'GET /wiki/api/v2/spaces/:id/pages': (ctx) => listing(ctx, 'page', [space(ctx)]),
    'GET /wiki/api/v2/pages/:id': single('page'),
    'GET /wiki/api/v2/pages/:id/ancestors': (ctx) => {
      const item = visible(ctx, 'page', { statuses: ['current', 'archived', 'trashed'] });
      const limit = intParam(ctx.query, 'limit', 25, 1, 250);
      const chain = world.ancestorIds(item);
      return { body: { results: chain.slice(Math.max(0, chain.length - limit)).map(v2Ancestor), _links: { base: ctx.base } } };
    },
    'GET /wiki/api/v2/pages/:id/children': children(false),
    'GET /wiki/api/v2/pages/:id/direct-children': children(true),
    'GET /wiki/api/v2/pages/:id/labels': labels('page'),
    'GET /wiki/api/v2/pages/:id/versions': versions('page'),
    'GET /wiki/api/v2/blogposts': (ctx) => listing(ctx, 'blogpost', idListParam(ctx.query, 'space-id')),
    'GET /wiki/api/v2/spaces/:id/blogposts': (ctx) => listing(ctx, 'blogpost', [space(ctx)]),
    'GET /wiki/api/v2/blogposts/:id': single('blogpost'),
    'GET /wiki/api/v2/blogposts/:id/labels': labels('blogpost'),
    'GET /wiki/api/v2/blogposts/:id/versions': versions('blogpost'),
  };
}
