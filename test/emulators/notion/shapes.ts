/**
 * Objects as the API returns them (Notion-Version 2025-09-03, the default of
 * @notionhq/client 5.26.0: `Client.defaultNotionVersion = "2025-09-03"`).
 *
 * Sources: https://developers.notion.com/reference/page, /reference/block, /reference/database,
 * /reference/data-source, /reference/property-object, /reference/page-property-values,
 * /reference/user, /reference/comment-object, /reference/file-object (Notion-hosted file URLs
 * "valid for one hour"), and the response types of the SDK (build/src/api-endpoints/*.d.ts:
 * PageObjectResponse, BlockObjectResponse, DatabaseObjectResponse, DataSourceObjectResponse,
 * UserObjectResponse, CommentObjectResponse). `archived` mirrors `in_trash` and is "present for
 * backwards compatibility with API versions prior to 2026-03-11", so it is left out when a client
 * sends 2026-03-11. Timestamps are rounded down to the minute (changelog, 2022).
 */

import type { BlockNode, CommentNode, DatabaseNode, DataSourceNode, Json, Node, PageNode, ParentRef, PropertySchema, User } from './model.ts';
import { plainText, toRichText, type RichText } from './richtext.ts';
import type { World } from './world.ts';

export const FILE_URL_TTL_MS = 3_600_000;

export const iso = (ms: number): string => new Date(ms).toISOString();
export const minute = (ms: number): string => iso(Math.floor(ms / 60_000) * 60_000);
const user = (id: string): Json => ({ object: 'user', id });
const compact = (id: string): string => id.replace(/-/g, '');

export interface RenderContext {
  readonly world: World;
  readonly baseUrl: string;
  readonly version: string;
  readonly workspaceName: string;
  readonly workspaceId: string;
}

function trash(ctx: RenderContext, inTrash: boolean): Json {
  return ctx.version >= '2026-03-11' ? { in_trash: inTrash } : { archived: inTrash, in_trash: inTrash };
}

export function parentJson(ctx: RenderContext, parent: ParentRef): Json {
  switch (parent.kind) {
    case 'workspace': return { type: 'workspace', workspace: true };
    case 'page': return { type: 'page_id', page_id: parent.id };
    case 'block': return { type: 'block_id', block_id: parent.id };
    case 'database': return { type: 'database_id', database_id: parent.id };
    case 'data_source': {
      const ds = ctx.world.get(parent.id, 'data_source');
      return { type: 'data_source_id', data_source_id: parent.id, database_id: ds?.databaseId ?? null };
    }
  }
}

function stamps(node: Node): Json {
  return {
    created_time: minute(node.createdAt), last_edited_time: minute(node.editedAt),
    created_by: user(node.createdBy), last_edited_by: user(node.editedBy),
  };
}

export function titleOf(ctx: RenderContext, page: PageNode): RichText[] {
  const ds = ctx.world.rowSource(page);
  const prop = ds?.schema.find((p) => p.type === 'title');
  return ds && prop ? toRichText(page.values[prop.name] as string | RichText[] | undefined) : page.title;
}

const slug = (title: string, id: string): string => {
  const s = title.replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-|-$/g, '');
  return `https://www.notion.so/${s ? `${s}-` : ''}${compact(id)}`;
};

export function pageJson(ctx: RenderContext, page: PageNode, only?: ReadonlySet<string>): Json {
  const ds = ctx.world.rowSource(page);
  const properties: Json = {};
  if (ds) {
    for (const p of ds.schema) if (!only || only.has(p.id)) properties[p.name] = { id: p.id, type: p.type, [p.type]: valueJson(ctx, page, p) };
  } else if (!only || only.has('title')) properties['title'] = { id: 'title', type: 'title', title: page.title };
  return {
    object: 'page', id: page.id, ...stamps(page), cover: page.cover, icon: page.icon, parent: parentJson(ctx, page.parent),
    ...trash(ctx, page.inTrash), is_locked: page.locked, properties, url: slug(plainText(titleOf(ctx, page)), page.id), public_url: null,
  };
}

function option(schema: PropertySchema, name: unknown): Json | null {
  if (name === undefined || name === null) return null;
  const found = ((schema.config['options'] ?? []) as Json[]).find((o) => o['name'] === name || o['id'] === name);
  return found ? { id: found['id'], name: found['name'], color: found['color'] } : { id: String(name), name, color: 'default' };
}

export function userJson(ctx: RenderContext, u: User | undefined, id: string, full = false): Json {
  if (!u) return user(id);
  const base = { object: 'user', id: u.id, name: u.name, avatar_url: u.avatarUrl };
  if (u.type === 'person') return { ...base, type: 'person', person: u.email !== undefined ? { email: u.email } : {} };
  if (u.id !== ctx.world.bot.id || !full) return { ...base, type: 'bot', bot: {} };
  return {
    ...base, type: 'bot',
    bot: {
      owner: { type: 'workspace', workspace: true }, workspace_name: ctx.workspaceName, workspace_id: ctx.workspaceId,
      workspace_limits: { max_file_upload_size_in_bytes: 5_368_709_120 },
    },
  };
}

/** The value of one property of a row, as in the page object. */
export function valueJson(ctx: RenderContext, page: PageNode, p: PropertySchema): unknown {
  const v = page.values[p.name];
  switch (p.type) {
    case 'title': case 'rich_text': return toRichText(v as string | RichText[] | undefined);
    case 'number': return typeof v === 'number' ? v : null;
    case 'select': case 'status': return option(p, v);
    case 'multi_select': return ((v ?? []) as unknown[]).map((n) => option(p, n));
    case 'date': {
      if (v === undefined || v === null) return null;
      const d = (typeof v === 'string' ? { start: v } : v) as Json;
      return { start: d['start'], end: d['end'] ?? null, time_zone: d['time_zone'] ?? null };
    }
    case 'people': return ((v ?? []) as string[]).map((id) => userJson(ctx, ctx.world.users.get(id), id));
    case 'checkbox': return v === true;
    case 'url': case 'email': case 'phone_number': return typeof v === 'string' ? v : null;
    case 'relation': return ((v ?? []) as string[]).map((id) => ({ id }));
    case 'formula': return v ?? { type: 'string', string: null };
    case 'files': return v ?? [];
    case 'created_time': return minute(page.createdAt);
    case 'last_edited_time': return minute(page.editedAt);
    case 'created_by': return userJson(ctx, ctx.world.users.get(page.createdBy), page.createdBy);
    case 'last_edited_by': return userJson(ctx, ctx.world.users.get(page.editedBy), page.editedBy);
    case 'unique_id': return { prefix: (p.config['prefix'] as string | null) ?? null, number: typeof v === 'number' ? v : null };
    default: return v ?? null;
  }
}

/** A child's children as the API lists them: live blocks, child pages and child databases. */
export function liveChildren(ctx: RenderContext, holder: PageNode | BlockNode): Node[] {
  return holder.children.flatMap((id) => {
    const n = ctx.world.nodes.get(id);
    return n && !n.inTrash ? [n] : [];
  });
}

export function blockJson(ctx: RenderContext, node: Node): Json {
  const common = (type: string, content: Json, hasChildren: boolean): Json => ({
    object: 'block', id: node.id, parent: parentJson(ctx, ctx.world.parentOf(node)), ...stamps(node),
    has_children: hasChildren, ...trash(ctx, node.inTrash), type, [type]: content,
  });
  if (node.kind === 'page') return common('child_page', { title: plainText(titleOf(ctx, node)) }, liveChildren(ctx, node).length > 0);
  if (node.kind === 'database') return common('child_database', { title: plainText(node.title) }, false);
  if (node.kind === 'data_source') throw new Error('a data source is not a block');
  return common(node.type, mediaContent(ctx, node), liveChildren(ctx, node).length > 0);
}

/** Notion-hosted files get a fresh URL valid for an hour at every read. */
function mediaContent(ctx: RenderContext, block: BlockNode): Json {
  if (!block.hosted) return block.content;
  const expires = ctx.world.now() + FILE_URL_TTL_MS;
  const url = `${ctx.baseUrl}/files/${block.id}/${encodeURIComponent(block.hosted.name)}?X-Amz-Expires=3600&expires=${expires}`;
  return { ...block.content, type: 'file', file: { url, expiry_time: iso(expires) }, ...(block.type === 'file' ? { name: block.hosted.name } : {}) };
}

export function databaseJson(ctx: RenderContext, db: DatabaseNode): Json {
  return {
    object: 'database', id: db.id, title: db.title, description: db.description, parent: parentJson(ctx, db.parent),
    is_inline: db.inline, ...trash(ctx, db.inTrash), is_locked: db.locked, created_time: minute(db.createdAt), last_edited_time: minute(db.editedAt),
    data_sources: db.dataSources.flatMap((id) => {
      const ds = ctx.world.get(id, 'data_source');
      return ds ? [{ id, name: plainText(ds.title) }] : [];
    }),
    icon: db.icon, cover: null, url: `https://www.notion.so/${compact(db.id)}`, public_url: null,
  };
}

export function dataSourceJson(ctx: RenderContext, ds: DataSourceNode): Json {
  const db = ctx.world.need(ds.databaseId, 'database');
  const properties: Json = {};
  for (const p of ds.schema) properties[p.name] = { id: p.id, name: p.name, description: null, type: p.type, [p.type]: p.config };
  return {
    object: 'data_source', id: ds.id, ...stamps(ds), title: ds.title, description: ds.description, icon: null, cover: null,
    properties, parent: { type: 'database_id', database_id: db.id }, database_parent: parentJson(ctx, db.parent),
    is_inline: db.inline, ...trash(ctx, ds.inTrash), url: `https://www.notion.so/${compact(db.id)}`, public_url: null,
  };
}

export function commentJson(ctx: RenderContext, c: CommentNode): Json {
  const u = ctx.world.users.get(c.createdBy);
  return {
    object: 'comment', id: c.id,
    parent: c.parent.kind === 'page' ? { type: 'page_id', page_id: c.parent.id } : { type: 'block_id', block_id: c.parent.id },
    discussion_id: c.discussionId, created_time: minute(c.createdAt), last_edited_time: minute(c.createdAt),
    created_by: user(c.createdBy), rich_text: c.richText,
    display_name: { type: u?.type === 'bot' ? 'integration' : 'user', resolved_name: u?.name ?? null },
  };
}
