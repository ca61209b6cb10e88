/**
 * The REST routes (https://api.notion.com/v1/...), each as the reference page named above it.
 */

import { archivedEdit, invalid, notFound, validation } from './errors.ts';
import type { DataSourceNode, Json, Node, PageNode } from './model.ts';
import { matches, pageSize, paginate, sortRows } from './query.ts';
import { asObject, normaliseId, onlyKeys, richTextFromRequest, valueFromRequest } from './requests.ts';
import { plainText } from './richtext.ts';
import {
  blockJson, commentJson, databaseJson, dataSourceJson, liveChildren, pageJson, titleOf, userJson, valueJson, type RenderContext,
} from './shapes.ts';

export interface RouteOptions {
  /** Rows one data-source query can reach before request_status "incomplete". @default 10_000 */
  readonly queryResultLimit: number;
  /** An object becomes searchable this long after its creation. @default 0 */
  readonly searchLagMs: number;
}

export interface Call {
  readonly params: Record<string, string>;
  readonly query: Record<string, string | string[]>;
  readonly body: unknown;
}

type Handler = (ctx: RenderContext, call: Call, options: RouteOptions) => Json;

const list = (type: string, paged: { results: readonly unknown[]; next_cursor: string | null; has_more: boolean }, extra: Json = {}): Json => ({
  object: 'list', results: paged.results, next_cursor: paged.next_cursor, has_more: paged.has_more, type, [type]: {}, ...extra,
});

function visibleNode(ctx: RenderContext, id: string): Node | undefined {
  const node = ctx.world.nodes.get(id);
  return node && ctx.world.visible(id) ? node : undefined;
}

function page(ctx: RenderContext, raw: string): PageNode {
  const id = normaliseId(raw, 'page_id');
  const node = visibleNode(ctx, id);
  if (node?.kind !== 'page') throw notFound('page', id);
  return node;
}

function dataSource(ctx: RenderContext, raw: string): DataSourceNode {
  const id = normaliseId(raw, 'data_source_id');
  const node = visibleNode(ctx, id);
  if (node?.kind !== 'data_source') throw notFound('data_source', id);
  return node;
}

const str = (q: Call['query'], key: string): string | undefined => (Array.isArray(q[key]) ? (q[key] as string[])[0] : (q[key] as string | undefined));

/** https://developers.notion.com/reference/post-search */
const search: Handler = (ctx, call, options) => {
  const body = asObject('body', call.body);
  onlyKeys('body', body, ['query', 'filter', 'sort', 'start_cursor', 'page_size']);
  const filter = body['filter'] as Json | undefined;
  if (filter !== undefined) {
    if (filter['property'] !== undefined && filter['property'] !== 'object') throw invalid('body', 'filter.property', '`"object"`', filter['property']);
    if (filter['value'] !== undefined && filter['value'] !== 'page' && filter['value'] !== 'data_source') {
      throw invalid('body', 'filter.value', '`"page"` or `"data_source"`', filter['value']);
    }
  }
  const sort = body['sort'] as Json | undefined;
  if (sort !== undefined && sort['timestamp'] !== undefined && sort['timestamp'] !== 'last_edited_time') {
    throw invalid('body', 'sort.timestamp', '`"last_edited_time"`', sort['timestamp']);
  }
  const size = pageSize('body', body['page_size']);
  const q = typeof body['query'] === 'string' ? body['query'].toLowerCase() : '';
  const inTrash = filter?.['in_trash'] === true;
  const cutoff = ctx.world.now() - options.searchLagMs;
  const hits = [...ctx.world.nodes.values()].filter((n): n is PageNode | DataSourceNode => {
    if (n.kind !== 'page' && n.kind !== 'data_source') return false;
    if (filter?.['value'] && filter['value'] !== n.kind) return false;
    if (n.inTrash !== inTrash || n.createdAt > cutoff || !ctx.world.visible(n.id)) return false;
    const title = plainText(n.kind === 'page' ? titleOf(ctx, n) : n.title).toLowerCase();
    return title.includes(q);
  });
  const dir = sort?.['direction'] === 'ascending' ? 1 : -1;
  hits.sort((a, b) => dir * (a.editedAt - b.editedAt));
  const paged = paginate(hits, (n) => n.id, body['start_cursor'], size, 'body');
  return list('page_or_data_source', { ...paged, results: paged.results.map((n) => (n.kind === 'page' ? pageJson(ctx, n) : dataSourceJson(ctx, n))) });
};

/** https://developers.notion.com/reference/retrieve-a-page */
const getPage: Handler = (ctx, call) => {
  onlyKeys('query', call.query, ['filter_properties']);
  const fp = call.query['filter_properties'];
  const only = fp === undefined ? undefined : new Set((Array.isArray(fp) ? fp : [fp]).map((p) => decodeURIComponent(p)));
  return pageJson(ctx, page(ctx, call.params['page_id'] ?? ''), only);
};

/** https://developers.notion.com/reference/retrieve-a-page-property — title, rich_text, people
 * and relation come back as a paginated list of property_item objects, one element each. */
const getProperty: Handler = (ctx, call) => {
  onlyKeys('query', call.query, ['start_cursor', 'page_size']);
  const p = page(ctx, call.params['page_id'] ?? '');
  const propId = decodeURIComponent(call.params['property_id'] ?? '');
  const ds = ctx.world.rowSource(p);
  const schema = ds ? ds.schema.find((s) => s.id === propId || encodeURIComponent(s.id) === propId || s.name === propId)
    : propId === 'title' ? { id: 'title', name: 'title', type: 'title', config: {} } : undefined;
  if (!schema) throw validation(`Could not find property with id: ${propId}`);
  const value = ds ? valueJson(ctx, p, schema) : p.title;
  if (!['title', 'rich_text', 'people', 'relation'].includes(schema.type)) {
    return { object: 'property_item', id: schema.id, type: schema.type, [schema.type]: value };
  }
  const items = (value as unknown[]).map((v, i) => ({ object: 'property_item', id: schema.id, type: schema.type, [schema.type]: v, _cursor: String(i) }));
  const paged = paginate(items, (i) => i._cursor, str(call.query, 'start_cursor'), pageSize('query', str(call.query, 'page_size')), 'query');
  const results = paged.results.map(({ _cursor, ...rest }) => (void _cursor, rest));
  const next = paged.next_cursor;
  return list('property_item', { ...paged, results, next_cursor: next }, {
    property_item: { id: schema.id, next_url: next === null ? null : `/v1/pages/${p.id}/properties/${schema.id}?start_cursor=${next}`, type: schema.type, [schema.type]: {} },
  });
};

/** https://developers.notion.com/reference/patch-page — properties (rename), in_trash / archived, icon, cover, is_locked. */
const patchPage: Handler = (ctx, call) => {
  const p = page(ctx, call.params['page_id'] ?? '');
  const body = asObject('body', call.body);
  onlyKeys('body', body, ['properties', 'in_trash', 'archived', 'icon', 'cover', 'is_locked', 'erase_content']);
  const w = ctx.world;
  const bot = w.bot.id;
  const trashFlag = (body['in_trash'] ?? body['archived']) as boolean | undefined;
  if (trashFlag !== undefined && typeof trashFlag !== 'boolean') throw invalid('body', 'in_trash', 'a boolean', trashFlag);
  if (p.inTrash && trashFlag !== false) throw archivedEdit();
  if (trashFlag === false) w.trash(p.id, false, bot);
  const props = body['properties'];
  if (props !== undefined) {
    if (!props || typeof props !== 'object') throw invalid('body', 'properties', 'an object', props);
    const ds = w.rowSource(p);
    const values: Record<string, unknown> = {};
    for (const [key, raw] of Object.entries(props as Json)) {
      if (!ds) {
        if (key !== 'title') throw validation(`${key} is not a property that exists.`);
        w.rename(p.id, richTextFromRequest((raw as Json)['title'] ?? raw, 'properties.title.title'), bot);
        continue;
      }
      const schema = ds.schema.find((s) => s.name === key || s.id === key);
      if (!schema) throw validation(`${key} is not a property that exists.`);
      values[schema.name] = valueFromRequest(schema, raw, `body.properties.${key}`);
    }
    if (Object.keys(values).length > 0) w.setValues(p.id, values, bot);
  }
  if (body['icon'] !== undefined) p.icon = body['icon'] as Json | null;
  if (body['cover'] !== undefined) p.cover = body['cover'] as Json | null;
  if (typeof body['is_locked'] === 'boolean' && body['is_locked'] !== p.locked) w.lock(p.id, body['is_locked'], bot);
  if (trashFlag === true) w.trash(p.id, true, bot);
  return pageJson(ctx, p);
};

/** https://developers.notion.com/reference/retrieve-a-block — pages and databases answer as child_page / child_database. */
const getBlock: Handler = (ctx, call) => {
  const id = normaliseId(call.params['block_id'] ?? '', 'block_id');
  const node = visibleNode(ctx, id);
  if (!node || node.kind === 'data_source') throw notFound('block', id);
  return blockJson(ctx, node);
};

/** https://developers.notion.com/reference/get-block-children — one level; has_children on each. */
const getChildren: Handler = (ctx, call) => {
  onlyKeys('query', call.query, ['start_cursor', 'page_size']);
  const id = normaliseId(call.params['block_id'] ?? '', 'block_id');
  const node = visibleNode(ctx, id);
  if (!node || (node.kind !== 'page' && node.kind !== 'block')) throw notFound('block', id);
  const children = liveChildren(ctx, node);
  const paged = paginate(children, (n) => n.id, str(call.query, 'start_cursor'), pageSize('query', str(call.query, 'page_size')), 'query');
  return list('block', { ...paged, results: paged.results.map((n) => blockJson(ctx, n)) });
};

/** https://developers.notion.com/reference/database-retrieve — lists its data_sources. */
const getDatabase: Handler = (ctx, call) => {
  const id = normaliseId(call.params['database_id'] ?? '', 'database_id');
  const node = visibleNode(ctx, id);
  if (node?.kind !== 'database') throw notFound('database', id);
  return databaseJson(ctx, node);
};

/** https://developers.notion.com/reference/retrieve-a-data-source */
const getDataSource: Handler = (ctx, call) => dataSourceJson(ctx, dataSource(ctx, call.params['data_source_id'] ?? ''));

/** https://developers.notion.com/reference/query-a-data-source */
const queryDataSource: Handler = (ctx, call, options) => {
  const ds = dataSource(ctx, call.params['data_source_id'] ?? '');
  onlyKeys('query', call.query, ['filter_properties']);
  const body = asObject('body', call.body);
  onlyKeys('body', body, ['filter', 'sorts', 'start_cursor', 'page_size', 'in_trash', 'archived', 'result_type']);
  const size = pageSize('body', body['page_size']);
  const inTrash = (body['in_trash'] ?? body['archived']) === true;
  const filter = body['filter'] as Json | undefined;
  const rows = ds.rows.flatMap((id) => {
    const row = ctx.world.get(id, 'page');
    return row && row.inTrash === inTrash && (!filter || matches(ctx, ds, row, filter)) ? [row] : [];
  });
  const sorted = sortRows(ctx, ds, rows, body['sorts']);
  const capped = sorted.slice(0, options.queryResultLimit);
  const fp = call.query['filter_properties'];
  const only = fp === undefined ? undefined : new Set((Array.isArray(fp) ? fp : [fp]).map((p) => decodeURIComponent(p)));
  const paged = paginate(capped, (n) => n.id, body['start_cursor'], size, 'body');
  const extra = sorted.length > capped.length ? { request_status: { type: 'incomplete', incomplete_reason: 'query_result_limit_reached' } } : {};
  return list('page_or_data_source', { ...paged, results: paged.results.map((r) => pageJson(ctx, r, only)) }, extra);
};

/** https://developers.notion.com/reference/get-users */
const listUsers: Handler = (ctx, call) => {
  onlyKeys('query', call.query, ['start_cursor', 'page_size']);
  const users = [...ctx.world.users.values()];
  const paged = paginate(users, (u) => u.id, str(call.query, 'start_cursor'), pageSize('query', str(call.query, 'page_size')), 'query');
  return list('user', { ...paged, results: paged.results.map((u) => userJson(ctx, u, u.id)) });
};

/** https://developers.notion.com/reference/get-self — the bot, with bot.owner and workspace_name. */
const me: Handler = (ctx) => userJson(ctx, ctx.world.bot, ctx.world.bot.id, true);

/** https://developers.notion.com/reference/get-user */
const getUser: Handler = (ctx, call) => {
  const id = normaliseId(call.params['user_id'] ?? '', 'user_id');
  const u = ctx.world.users.get(id);
  if (!u) throw notFound('user', id);
  return userJson(ctx, u, id, u.id === ctx.world.bot.id);
};

/** https://developers.notion.com/reference/list-comments — `block_id` (a page or block) required. */
const listComments: Handler = (ctx, call) => {
  onlyKeys('query', call.query, ['block_id', 'start_cursor', 'page_size']);
  const raw = str(call.query, 'block_id');
  if (raw === undefined) throw invalid('query', 'block_id', 'defined', undefined);
  const id = normaliseId(raw, 'block_id');
  if (!visibleNode(ctx, id)) throw notFound('block', id);
  const comments = [...ctx.world.comments.values()].filter((c) => c.parent.id === id);
  const paged = paginate(comments, (c) => c.id, str(call.query, 'start_cursor'), pageSize('query', str(call.query, 'page_size')), 'query');
  return list('comment', { ...paged, results: paged.results.map((c) => commentJson(ctx, c)) });
};

export const ROUTES: readonly (readonly [method: 'GET' | 'POST' | 'PATCH', url: string, handler: Handler])[] = [
  ['POST', '/v1/search', search],
  ['GET', '/v1/pages/:page_id', getPage],
  ['GET', '/v1/pages/:page_id/properties/:property_id', getProperty],
  ['PATCH', '/v1/pages/:page_id', patchPage],
  ['GET', '/v1/blocks/:block_id', getBlock],
  ['GET', '/v1/blocks/:block_id/children', getChildren],
  ['GET', '/v1/databases/:database_id', getDatabase],
  ['GET', '/v1/data_sources/:data_source_id', getDataSource],
  ['POST', '/v1/data_sources/:data_source_id/query', queryDataSource],
  ['GET', '/v1/users', listUsers],
  ['GET', '/v1/users/me', me],
  ['GET', '/v1/users/:user_id', getUser],
  ['GET', '/v1/comments', listComments],
];
