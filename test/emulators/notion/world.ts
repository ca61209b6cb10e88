/**
 * The workspace: users, pages, blocks, databases, data sources, comments, sharing; every
 * mutation the control API and the REST API make, and the change records webhooks are built from.
 *
 * Sources:
 * - Sharing: https://developers.notion.com/docs/authorization — an internal integration sees only
 *   pages and databases shared with it ("Add connections") and their children; others answer 404
 *   object_not_found (https://developers.notion.com/reference/status-codes).
 * - Times: https://developers.notion.com/changelog/last-edited-time-is-now-rounded-to-the-nearest-minute
 *   — last_edited_time and created_time are rounded down to the minute for pages, databases and
 *   blocks (rounding happens in ./shapes.ts; the exact ms is kept here).
 * - Trash: https://developers.notion.com/reference/archive-a-page — `in_trash: true` (API
 *   2025-09-03 also returns `archived`); a trashed page is still retrievable by id. Purged pages
 *   and pages moved out of every shared subtree answer 404.
 * - Not confirmed, modelled as: trashing a page does not set in_trash on its descendants (they
 *   become unreachable through children listings, not by id); a trashed child is left out of its
 *   parent's block children; a trashed row is left out of data-source queries unless `in_trash`.
 */

import { randomUUID } from 'node:crypto';
import {
  isDatabaseSeed, isPageSeed, type BlockNode, type BlockSeed, type CommentNode, type ContentSeed, type DatabaseNode,
  type DatabaseSeed, type DataSourceNode, type DataSourceSeed, type Json, type Node, type PageNode, type PageSeed,
  type ParentRef, type Placement, type PropertySchema, type RowSeed, type User, type UserSeed,
} from './model.ts';
import { toRichText, type RichText } from './richtext.ts';

export type ChangeType =
  | 'page.created' | 'page.content_updated' | 'page.properties_updated' | 'page.moved' | 'page.deleted' | 'page.undeleted'
  | 'page.locked' | 'page.unlocked' | 'database.created' | 'database.deleted' | 'database.undeleted' | 'database.moved'
  | 'data_source.created' | 'data_source.deleted' | 'data_source.undeleted' | 'data_source.schema_updated'
  | 'data_source.content_updated' | 'comment.created';

export interface Change {
  readonly type: ChangeType;
  readonly entity: { readonly id: string; readonly type: 'page' | 'block' | 'database' | 'data_source' | 'comment' };
  readonly author: string;
  readonly at: number;
  readonly updatedBlocks?: readonly string[];
  readonly updatedProperties?: readonly string[];
  /** The page a comment sits on. */
  readonly pageId?: string;
}

export const newId = (): string => randomUUID();

export class World {
  readonly users = new Map<string, User>();
  readonly nodes = new Map<string, Node>();
  readonly comments = new Map<string, CommentNode>();
  readonly shared = new Set<string>();
  readonly top: string[] = [];
  private listeners: ((change: Change) => void)[] = [];

  constructor(readonly now: () => number, readonly bot: User, public defaultAuthor: string) {
    this.users.set(bot.id, bot);
  }

  onChange(listener: (change: Change) => void): void {
    this.listeners.push(listener);
  }

  private emit(change: Omit<Change, 'at'>): void {
    for (const l of this.listeners) l({ ...change, at: this.now() });
  }

  // ───────────── lookup and visibility ─────────────

  get<K extends Node['kind']>(id: string, kind: K): Extract<Node, { kind: K }> | undefined {
    const node = this.nodes.get(id);
    return node && node.kind === kind ? (node as Extract<Node, { kind: K }>) : undefined;
  }

  parentOf(node: Node): ParentRef {
    return node.kind === 'data_source' ? { kind: 'database', id: node.databaseId } : node.parent;
  }

  /** Shared itself or below something shared. */
  visible(id: string): boolean {
    let node = this.nodes.get(id);
    for (let depth = 0; node && depth < 1000; depth += 1) {
      if (this.shared.has(node.id)) return true;
      const parent = this.parentOf(node);
      if (parent.kind === 'workspace') return false;
      node = this.nodes.get(parent.id);
    }
    return false;
  }

  /** The page whose content holds a block (or the page itself). */
  containingPage(id: string): PageNode | undefined {
    let node = this.nodes.get(id);
    while (node && node.kind === 'block') node = node.parent.kind === 'workspace' ? undefined : this.nodes.get(node.parent.id);
    return node?.kind === 'page' ? node : undefined;
  }

  // ───────────── seeding ─────────────

  addUser(seed: UserSeed): User {
    const user: User = { id: seed.id ?? newId(), name: seed.name, type: seed.type ?? 'person', email: seed.email, avatarUrl: seed.avatarUrl ?? null };
    this.users.set(user.id, user);
    return user;
  }

  addPage(seed: PageSeed, where: Placement = 'workspace', author = seed.createdBy ?? this.defaultAuthor): PageNode {
    const parent = this.placement(where);
    const page: PageNode = {
      ...this.common(seed.id, author, seed.createdAt), kind: 'page', parent, title: toRichText(seed.title ?? ''),
      values: {}, icon: seed.icon ?? null, cover: seed.cover ?? null, locked: false, children: [],
    };
    this.insert(page, parent);
    if (seed.shared) this.shared.add(page.id);
    this.addContent(page, seed.children ?? [], author);
    this.emit({ type: 'page.created', entity: { id: page.id, type: 'page' }, author });
    return page;
  }

  addDatabase(seed: DatabaseSeed, where: Placement = 'workspace', author = seed.createdBy ?? this.defaultAuthor): DatabaseNode {
    const parent = this.placement(where);
    const db: DatabaseNode = {
      ...this.common(seed.id, author), kind: 'database', parent, title: toRichText(seed.title ?? ''),
      description: toRichText(seed.description ?? ''), inline: seed.inline ?? false, locked: false, icon: null, dataSources: [],
    };
    this.insert(db, parent);
    if (seed.shared) this.shared.add(db.id);
    this.emit({ type: 'database.created', entity: { id: db.id, type: 'database' }, author });
    for (const ds of seed.dataSources) this.addDataSource(db.id, ds, author);
    return db;
  }

  addDataSource(databaseId: string, seed: DataSourceSeed, author = this.defaultAuthor): DataSourceNode {
    const db = this.need(databaseId, 'database');
    const used = new Set<string>();
    const schema: PropertySchema[] = Object.entries(seed.properties).map(([name, p]) => {
      const { type, id, ...config } = p;
      const pid = type === 'title' ? 'title' : id ?? propertyId(used);
      used.add(pid);
      return { id: pid, name, type, config: normaliseConfig(type, config) };
    });
    if (!schema.some((p) => p.type === 'title')) throw new Error('a data source needs exactly one title property');
    const ds: DataSourceNode = {
      ...this.common(seed.id, author), kind: 'data_source', databaseId, title: toRichText(seed.title ?? ''),
      description: [], schema, rows: [], nextUniqueId: 1,
    };
    this.nodes.set(ds.id, ds);
    db.dataSources.push(ds.id);
    this.emit({ type: 'data_source.created', entity: { id: ds.id, type: 'data_source' }, author });
    for (const row of seed.rows ?? []) this.addRow(ds.id, row);
    return ds;
  }

  addRow(dataSourceId: string, seed: RowSeed, author = seed.createdBy ?? this.defaultAuthor): PageNode {
    const ds = this.need(dataSourceId, 'data_source');
    const values: Record<string, unknown> = { ...seed.values };
    for (const p of ds.schema) if (p.type === 'unique_id') values[p.name] = ds.nextUniqueId;
    ds.nextUniqueId += 1;
    const row: PageNode = {
      ...this.common(seed.id, author, seed.createdAt), kind: 'page', parent: { kind: 'data_source', id: ds.id },
      title: [], values, icon: null, cover: null, locked: false, children: [],
    };
    this.nodes.set(row.id, row);
    ds.rows.push(row.id);
    this.addContent(row, seed.children ?? [], author);
    this.emit({ type: 'page.created', entity: { id: row.id, type: 'page' }, author });
    return row;
  }

  addComment(targetId: string, body: string | readonly RichText[], author = this.defaultAuthor): CommentNode {
    const target = this.nodes.get(targetId);
    if (!target || (target.kind !== 'page' && target.kind !== 'block')) throw new Error(`no page or block ${targetId}`);
    const comment: CommentNode = {
      id: newId(), parent: { kind: target.kind, id: targetId }, discussionId: newId(), createdAt: this.now(), createdBy: author,
      richText: toRichText(body),
    };
    this.comments.set(comment.id, comment);
    this.emit({ type: 'comment.created', entity: { id: comment.id, type: 'comment' }, author, pageId: this.containingPage(targetId)?.id ?? targetId });
    return comment;
  }

  // ───────────── mutations ─────────────

  /** Appends blocks (or pages / databases) under a page or block; the page's last_edited_time moves. */
  append(parentId: string, content: readonly ContentSeed[], author = this.defaultAuthor): string[] {
    const parent = this.nodes.get(parentId);
    if (!parent || (parent.kind !== 'page' && parent.kind !== 'block')) throw new Error(`no page or block ${parentId}`);
    const ids = this.addContent(parent, content, author);
    this.touchContent(parentId, author, ids);
    return ids;
  }

  /** Changes a block's content (merged into the type's object). */
  editBlock(blockId: string, content: Json, author = this.defaultAuthor): void {
    const block = this.need(blockId, 'block');
    block.content = { ...block.content, ...normaliseBlock(block.type, content) };
    this.touchContent(blockId, author, [blockId]);
  }

  /** Deletes a block (Notion's DELETE /v1/blocks: in_trash, gone from its parent's children). */
  deleteBlock(blockId: string, author = this.defaultAuthor): void {
    const block = this.need(blockId, 'block');
    block.inTrash = true;
    this.touchContent(blockId, author, [blockId]);
  }

  /** Renames a page (its title property) — that page's last_edited_time only. */
  rename(id: string, title: string | readonly RichText[], author = this.defaultAuthor): void {
    const node = this.nodes.get(id);
    if (node?.kind === 'page') {
      const ds = this.rowSource(node);
      const titleProp = ds?.schema.find((p) => p.type === 'title');
      if (ds && titleProp) node.values[titleProp.name] = toRichText(title);
      else node.title = toRichText(title);
      this.touch(node, author);
      this.emit({ type: 'page.properties_updated', entity: { id, type: 'page' }, author, updatedProperties: ['title'] });
    } else if (node?.kind === 'database' || node?.kind === 'data_source') {
      node.title = toRichText(title);
      this.touch(node, author);
      if (node.kind === 'data_source') this.emit({ type: 'data_source.schema_updated', entity: { id, type: 'data_source' }, author });
    } else throw new Error(`no page, database or data source ${id}`);
  }

  /** Sets row values by property name. */
  setValues(pageId: string, values: Record<string, unknown>, author = this.defaultAuthor): void {
    const page = this.need(pageId, 'page');
    const ds = this.rowSource(page);
    const ids: string[] = [];
    for (const [name, value] of Object.entries(values)) {
      const prop = ds?.schema.find((p) => p.name === name || p.id === name);
      if (!prop) throw new Error(`no property ${name}`);
      page.values[prop.name] = value;
      ids.push(prop.id);
    }
    this.touch(page, author);
    this.emit({ type: 'page.properties_updated', entity: { id: pageId, type: 'page' }, author, updatedProperties: ids });
  }

  /** Moves a page or database under another parent. */
  move(id: string, where: Placement, author = this.defaultAuthor): void {
    const node = this.nodes.get(id);
    if (!node || (node.kind !== 'page' && node.kind !== 'database')) throw new Error(`no page or database ${id}`);
    this.detach(node.id, node.parent);
    node.parent = this.placement(where);
    this.insert(node, node.parent);
    this.touch(node, author);
    this.emit({ type: node.kind === 'page' ? 'page.moved' : 'database.moved', entity: { id, type: node.kind }, author });
  }

  trash(id: string, inTrash: boolean, author = this.defaultAuthor): void {
    const node = this.nodes.get(id);
    if (!node) throw new Error(`no object ${id}`);
    if (node.inTrash === inTrash) return;
    node.inTrash = inTrash;
    this.touch(node, author);
    if (node.kind === 'block') return this.touchContent(id, author, [id]);
    const kind = node.kind;
    this.emit({ type: `${kind}.${inTrash ? 'deleted' : 'undeleted'}` as ChangeType, entity: { id, type: kind }, author });
  }

  /** Deletes permanently (emptied from the trash): the object and everything under it answer 404. */
  purge(id: string): void {
    const node = this.nodes.get(id);
    if (!node) return;
    if (!node.inTrash && node.kind !== 'block') this.trash(id, true);
    const drop = (nid: string): void => {
      const n = this.nodes.get(nid);
      if (!n) return;
      const below = n.kind === 'data_source' ? n.rows : n.kind === 'database' ? n.dataSources : n.children;
      for (const c of below) drop(c);
      this.nodes.delete(nid);
      this.shared.delete(nid);
    };
    if (node.kind !== 'data_source') this.detach(id, node.parent);
    else this.need(node.databaseId, 'database').dataSources = this.need(node.databaseId, 'database').dataSources.filter((d) => d !== id);
    drop(id);
  }

  lock(pageId: string, locked: boolean, author = this.defaultAuthor): void {
    const page = this.need(pageId, 'page');
    page.locked = locked;
    this.emit({ type: locked ? 'page.locked' : 'page.unlocked', entity: { id: pageId, type: 'page' }, author });
  }

  // ───────────── internals ─────────────

  rowSource(page: PageNode): DataSourceNode | undefined {
    return page.parent.kind === 'data_source' ? this.get(page.parent.id, 'data_source') : undefined;
  }

  need<K extends Node['kind']>(id: string, kind: K): Extract<Node, { kind: K }> {
    const node = this.get(id, kind);
    if (!node) throw new Error(`no ${kind} ${id}`);
    return node;
  }

  private common(id: string | undefined, author: string, at?: number): Omit<PageNode, 'kind' | 'parent' | 'title' | 'values' | 'icon' | 'cover' | 'locked' | 'children'> {
    const t = at ?? this.now();
    return { id: id ?? newId(), createdAt: t, editedAt: t, createdBy: author, editedBy: author, inTrash: false };
  }

  private touch(node: Node, author: string): void {
    node.editedAt = this.now();
    node.editedBy = author;
  }

  /** A content change under `id`: the block (if any), the blocks above it and the page move. */
  private touchContent(id: string, author: string, blocks: readonly string[]): void {
    let node = this.nodes.get(id);
    while (node) {
      this.touch(node, author);
      if (node.kind !== 'block') break;
      node = node.parent.kind === 'workspace' ? undefined : this.nodes.get(node.parent.id);
    }
    const page = this.containingPage(id);
    if (page) this.emit({ type: 'page.content_updated', entity: { id: page.id, type: 'page' }, author, updatedBlocks: blocks });
  }

  private placement(where: Placement): ParentRef {
    if (where === 'workspace') return { kind: 'workspace' };
    if ('pageId' in where) return { kind: 'page', id: this.need(where.pageId, 'page').id };
    return { kind: 'block', id: this.need(where.blockId, 'block').id };
  }

  private insert(node: Node, parent: ParentRef): void {
    if (parent.kind === 'workspace') this.top.push(node.id);
    else {
      const holder = this.nodes.get(parent.id);
      if (holder && (holder.kind === 'page' || holder.kind === 'block')) holder.children.push(node.id);
    }
    this.nodes.set(node.id, node);
  }

  private detach(id: string, parent: ParentRef): void {
    if (parent.kind === 'workspace') this.top.splice(this.top.indexOf(id) >>> 0, this.top.includes(id) ? 1 : 0);
    const holder = parent.kind === 'workspace' ? undefined : this.nodes.get(parent.id);
    if (holder && (holder.kind === 'page' || holder.kind === 'block')) holder.children = holder.children.filter((c) => c !== id);
  }

  private addContent(holder: PageNode | BlockNode, content: readonly ContentSeed[], author: string): string[] {
    const where: Placement = holder.kind === 'page' ? { pageId: holder.id } : { blockId: holder.id };
    return content.map((seed) => {
      if (isPageSeed(seed)) return this.addPage(seed.page, where, author).id;
      if (isDatabaseSeed(seed)) return this.addDatabase(seed.database, where, author).id;
      return this.addBlock(holder, seed as BlockSeed, author).id;
    });
  }

  private addBlock(holder: PageNode | BlockNode, seed: BlockSeed, author: string): BlockNode {
    const parent: ParentRef = { kind: holder.kind, id: holder.id };
    const content = normaliseBlock(seed.type, { ...(seed.text !== undefined ? { rich_text: toRichText(seed.text) } : {}), ...seed.content });
    const hosted = seed.hosted
      ? { name: seed.hosted.name, bytes: typeof seed.hosted.bytes === 'string' ? new TextEncoder().encode(seed.hosted.bytes) : seed.hosted.bytes }
      : undefined;
    const block: BlockNode = {
      ...this.common(seed.id, author), kind: 'block', parent, type: seed.type, content, children: [], ...(hosted ? { hosted } : {}),
    };
    this.insert(block, parent);
    this.addContent(block, seed.children ?? [], author);
    return block;
  }
}

/** Short URL-safe property ids like Notion's (`%3AUPp`, `bDf%5B`). */
function propertyId(used: ReadonlySet<string>): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:;<=>?@[]^_';
  for (;;) {
    const raw = Array.from({ length: 4 }, () => alphabet[Math.floor(Math.random() * alphabet.length)]).join('');
    const id = encodeURIComponent(raw);
    if (!used.has(id) && id !== 'title') return id;
  }
}

const COLORS = ['default', 'gray', 'brown', 'orange', 'yellow', 'green', 'blue', 'purple', 'pink', 'red'];

function normaliseConfig(type: string, config: Json): Json {
  const own = (config[type] ?? {}) as Json;
  if (type === 'select' || type === 'multi_select' || type === 'status') {
    const options = ((own['options'] ?? []) as Json[]).map((o, i) => ({
      id: (o['id'] as string | undefined) ?? newId(), name: o['name'], color: o['color'] ?? COLORS[i % COLORS.length], description: o['description'] ?? null,
    }));
    if (type !== 'status') return { options };
    const groups = (own['groups'] as Json[] | undefined) ?? [
      { id: newId(), name: 'To-do', color: 'gray', option_ids: options.slice(0, 1).map((o) => o.id) },
      { id: newId(), name: 'In progress', color: 'blue', option_ids: options.slice(1, 2).map((o) => o.id) },
      { id: newId(), name: 'Complete', color: 'green', option_ids: options.slice(2).map((o) => o.id) },
    ];
    return { options, groups };
  }
  if (type === 'number') return { format: own['format'] ?? 'number' };
  if (type === 'unique_id') return { prefix: own['prefix'] ?? null };
  if (type === 'formula') return { expression: own['expression'] ?? '' };
  return own;
}

/** The defaults Notion fills into each block type's object. */
export function normaliseBlock(type: string, content: Json): Json {
  const rich = { rich_text: [] as RichText[], color: 'default' };
  switch (type) {
    case 'paragraph': case 'bulleted_list_item': case 'numbered_list_item': case 'quote': case 'toggle':
      return { ...rich, ...content };
    case 'heading_1': case 'heading_2': case 'heading_3':
      return { ...rich, is_toggleable: false, ...content };
    case 'to_do': return { ...rich, checked: false, ...content };
    case 'callout': return { rich_text: [], icon: { type: 'emoji', emoji: '💡' }, color: 'gray_background', ...content };
    case 'code': return { caption: [], rich_text: [], language: 'plain text', ...content };
    case 'template': return { rich_text: [], ...content };
    case 'table_of_contents': return { color: 'default', ...content };
    case 'table': return { table_width: 1, has_column_header: false, has_row_header: false, ...content };
    case 'table_row': return { cells: [], ...content };
    case 'synced_block': return { synced_from: null, ...content };
    case 'image': case 'video': case 'pdf': case 'file': case 'audio': return { caption: [], ...content };
    case 'bookmark': case 'embed': return { caption: [], url: '', ...content };
    case 'unsupported': return { block_type: 'unsupported', ...content };
    default: return { ...content };
  }
}
