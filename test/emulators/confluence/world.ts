/**
 * The site's state: users and groups, spaces and their view permission, pages and blog posts
 * with their versions, drafts, labels and read restrictions, and the control API that mutates
 * it. Every mutation stamps the injectable clock and notifies the webhook hub.
 *
 * Sources:
 * - Content statuses `current`, `archived`, `trashed`, `draft` (and `historical` for old
 *   versions): v2 `ContentStatus` in Atlassian's OpenAPI spec as carried by confluence.js 3.x
 *   (src/v2/models/contentStatus.ts; its live suite tests/live/v2/page.test.ts lists
 *   'current', 'draft', 'archived', 'historical', 'trashed', 'deleted', 'any').
 * - Delete → trash, purge → gone: v2 "Delete page" (`DELETE /pages/{id}` moves a current page
 *   to the trash; `?purge=true` on a trashed page removes it for good; a purged page is 404).
 * - Trashing a page that has children moves those children to the trashed page's parent
 *   (Confluence's "Delete or restore a page" help). Restoring puts the page back under its old
 *   parent when that parent is still current, else at the space root.
 * - Renaming edits only that page: a new version of it (version.number + 1, new
 *   version.createdAt); its children keep their versions. Moving changes parentId (and so every
 *   descendant's ancestors) without a new version unless `bumpVersion` is passed — whether a
 *   move adds a version is not documented.
 * - Read restrictions are inherited: a user sees a page only when the page and each ancestor
 *   either has no read restriction or names the user or one of the user's groups, and the user
 *   may view the space ("Page restrictions", support.atlassian.com/confluence-cloud/docs/
 *   what-are-page-restrictions/: "view restrictions are inherited").
 * - Every space has a homepage (v2 `Space.homepageId`); `addSpace` creates it unless
 *   `homepage: false`.
 */

import { adfFromStorage } from './bodies.ts';

export type ContentType = 'page' | 'blogpost';
export type ContentStatus = 'current' | 'archived' | 'trashed' | 'draft';
export type DcEvent =
  | 'page_created' | 'page_updated' | 'page_trashed' | 'page_restored' | 'page_removed' | 'page_moved'
  | 'blog_created' | 'blog_updated' | 'blog_trashed' | 'blog_restored' | 'blog_removed';

export interface UserSeed {
  readonly email: string;
  readonly displayName: string;
  /** IANA zone of the user's profile; CQL date literals are read in it. @default 'UTC' */
  readonly timeZone?: string;
  readonly groups?: readonly string[];
  /** Basic auth secret (email:apiToken). @default a generated token */
  readonly apiToken?: string;
  /** Bearer (OAuth 2.0) token. @default a generated token */
  readonly accessToken?: string;
}

export interface StoredUser {
  readonly accountId: string;
  readonly email: string;
  displayName: string;
  timeZone: string;
  readonly groups: Set<string>;
  readonly apiToken: string;
  readonly accessToken: string;
}

/** Who may view: undefined = every licensed user (the `confluence-users` default). */
export interface Viewers {
  readonly users?: readonly string[];
  readonly groups?: readonly string[];
}

export interface SpaceSeed {
  readonly key: string;
  readonly name: string;
  readonly type?: 'global' | 'personal';
  readonly status?: 'current' | 'archived';
  readonly description?: string;
  readonly viewers?: Viewers;
  /** @default true */
  readonly homepage?: boolean;
  readonly author?: string;
}

export interface StoredSpace {
  readonly id: string;
  readonly key: string;
  name: string;
  readonly type: 'global' | 'personal';
  status: 'current' | 'archived';
  readonly description: string;
  readonly authorId: string;
  readonly createdAt: number;
  homepageId: string | null;
  viewers: Viewers | undefined;
}

export interface Body {
  readonly storage: string;
  /** ADF document; derived from the storage text when omitted. */
  readonly adf: Record<string, unknown>;
}

export interface VersionRecord {
  readonly number: number;
  readonly createdAt: number;
  readonly message: string;
  readonly minorEdit: boolean;
  readonly authorId: string;
  readonly title: string;
  readonly body: Body;
}

export interface StoredContent {
  readonly id: string;
  readonly type: ContentType;
  spaceId: string;
  parentId: string | null;
  position: number;
  status: ContentStatus;
  readonly authorId: string;
  ownerId: string;
  readonly createdAt: number;
  readonly versions: VersionRecord[];
  readonly labels: { id: string; name: string }[];
  readRestriction: Viewers;
  /** Unpublished edit of a current page (or the only state of a never-published draft). */
  draft: { title: string; body: Body; createdAt: number; authorId: string } | undefined;
  /** Parent before trashing, for restore. */
  trashedFrom?: string | null;
}

export interface ContentSeed {
  /** Space key. */
  readonly space: string;
  readonly title: string;
  /** Page only. */
  readonly parentId?: string | null;
  readonly body?: string | Partial<Body>;
  /** accountId; @default the first user */
  readonly author?: string;
  /** 'draft' = never published. @default 'current' */
  readonly status?: 'current' | 'draft';
  readonly labels?: readonly string[];
  readonly readRestriction?: Viewers;
}

export interface EditOptions {
  readonly author?: string;
  readonly message?: string;
  readonly minorEdit?: boolean;
}

export type WorldListener = (event: DcEvent, content: StoredContent, actor: string, extra?: Record<string, unknown>) => void;

const bodyOf = (body: string | Partial<Body> | undefined): Body => {
  const value = typeof body === 'string' ? { storage: body } : body ?? {};
  const storage = value.storage ?? '';
  return { storage, adf: value.adf ?? adfFromStorage(storage) };
};

export class ConfluenceWorld {
  readonly users = new Map<string, StoredUser>();
  readonly spaces = new Map<string, StoredSpace>();
  readonly content = new Map<string, StoredContent>();
  private readonly listeners: WorldListener[] = [];
  private nextContentId = 65_537;
  private nextSpaceId = 98_305;
  private nextLabelId = 4_001;
  private nextUserSeq = 1;

  constructor(readonly now: () => number) {}

  onChange(listener: WorldListener): void {
    this.listeners.push(listener);
  }

  private emit(event: DcEvent, item: StoredContent, actor: string, extra?: Record<string, unknown>): void {
    for (const l of this.listeners) l(event, item, actor, extra);
  }

  // ───────────── users, spaces ─────────────

  addUser(seed: UserSeed): StoredUser {
    const seq = this.nextUserSeq++;
    const accountId = `5b10ac8d82e05b22cc7d${String(4000 + seq).padStart(4, '0')}`;
    const user: StoredUser = {
      accountId, email: seed.email, displayName: seed.displayName, timeZone: seed.timeZone ?? 'UTC',
      groups: new Set(['confluence-users', ...(seed.groups ?? [])]),
      apiToken: seed.apiToken ?? `ATATT3xFfGF0${seq}emu`, accessToken: seed.accessToken ?? `eyJhbGciOiJIUzI1NiJ9.emu${seq}`,
    };
    this.users.set(accountId, user);
    return user;
  }

  user(accountId: string): StoredUser {
    const user = this.users.get(accountId);
    if (!user) throw new Error(`no user ${accountId}`);
    return user;
  }

  setTimeZone(accountId: string, timeZone: string): void {
    this.user(accountId).timeZone = timeZone;
  }

  addToGroup(accountId: string, group: string): void {
    this.user(accountId).groups.add(group);
  }

  removeFromGroup(accountId: string, group: string): void {
    this.user(accountId).groups.delete(group);
  }

  private defaultAuthor(): string {
    const first = this.users.keys().next();
    if (first.done) throw new Error('add a user before content');
    return first.value;
  }

  addSpace(seed: SpaceSeed): StoredSpace {
    const space: StoredSpace = {
      id: String(this.nextSpaceId++), key: seed.key, name: seed.name, type: seed.type ?? 'global', status: seed.status ?? 'current',
      description: seed.description ?? '', authorId: seed.author ?? this.defaultAuthor(), createdAt: this.now(), homepageId: null,
      viewers: seed.viewers,
    };
    this.spaces.set(space.id, space);
    if (seed.homepage !== false) {
      const home = this.createPage({ space: space.key, title: `${seed.name} Home`, body: `<p>Welcome to ${seed.name}.</p>`, author: space.authorId });
      space.homepageId = home.id;
    }
    return space;
  }

  spaceByKey(key: string): StoredSpace {
    for (const s of this.spaces.values()) if (s.key === key) return s;
    throw new Error(`no space ${key}`);
  }

  setSpaceViewers(key: string, viewers: Viewers | undefined): void {
    this.spaceByKey(key).viewers = viewers;
  }

  // ───────────── content ─────────────

  get(id: string): StoredContent {
    const item = this.content.get(id);
    if (!item) throw new Error(`no content ${id}`);
    return item;
  }

  current(item: StoredContent): VersionRecord {
    return item.versions[item.versions.length - 1]!;
  }

  /** Time of the last published change (version.createdAt of the current version). */
  lastModified(item: StoredContent): number {
    return this.current(item).createdAt;
  }

  createPage(seed: ContentSeed): StoredContent {
    return this.create('page', seed);
  }

  createBlogPost(seed: Omit<ContentSeed, 'parentId'>): StoredContent {
    return this.create('blogpost', seed);
  }

  private create(type: ContentType, seed: ContentSeed): StoredContent {
    const space = this.spaceByKey(seed.space);
    const author = seed.author ?? this.defaultAuthor();
    const parentId = type === 'page' ? (seed.parentId === undefined ? space.homepageId : seed.parentId) : null;
    if (parentId) this.get(parentId);
    const at = this.now();
    const body = bodyOf(seed.body);
    const siblings = [...this.content.values()].filter((c) => c.parentId === parentId && c.spaceId === space.id);
    const item: StoredContent = {
      id: String(this.nextContentId++), type, spaceId: space.id, parentId, position: siblings.length, status: seed.status ?? 'current',
      authorId: author, ownerId: author, createdAt: at, versions: [], labels: [], readRestriction: seed.readRestriction ?? {}, draft: undefined,
    };
    if (item.status === 'draft') item.draft = { title: seed.title, body, createdAt: at, authorId: author };
    item.versions.push({ number: 1, createdAt: at, message: '', minorEdit: false, authorId: author, title: seed.title, body });
    this.content.set(item.id, item);
    for (const name of seed.labels ?? []) this.addLabel(item.id, name);
    if (item.status === 'current') this.emit(type === 'page' ? 'page_created' : 'blog_created', item, author);
    return item;
  }

  private publish(item: StoredContent, change: Partial<Pick<VersionRecord, 'title' | 'body'>>, options: EditOptions, trigger: string): VersionRecord {
    const last = this.current(item);
    const version: VersionRecord = {
      number: last.number + 1, createdAt: this.now(), message: options.message ?? '', minorEdit: options.minorEdit ?? false,
      authorId: options.author ?? last.authorId, title: change.title ?? last.title, body: change.body ?? last.body,
    };
    item.versions.push(version);
    if (item.status === 'current') this.emit(item.type === 'page' ? 'page_updated' : 'blog_updated', item, version.authorId, { updateTrigger: trigger });
    return version;
  }

  editBody(id: string, body: string | Partial<Body>, options: EditOptions = {}): VersionRecord {
    return this.publish(this.get(id), { body: bodyOf(body) }, options, 'edit_page');
  }

  rename(id: string, title: string, options: EditOptions = {}): VersionRecord {
    return this.publish(this.get(id), { title }, options, 'edit_page');
  }

  /** Saves an unpublished edit; listings and search keep showing the published version. */
  saveDraft(id: string, change: { title?: string; body?: string | Partial<Body> }, author?: string): void {
    const item = this.get(id);
    const last = this.current(item);
    item.draft = {
      title: change.title ?? last.title, body: change.body !== undefined ? bodyOf(change.body) : last.body,
      createdAt: this.now(), authorId: author ?? last.authorId,
    };
  }

  /** Publishes the draft: a never-published page becomes current at version 1, else a new version. */
  publishDraft(id: string, options: EditOptions = {}): void {
    const item = this.get(id);
    const draft = item.draft;
    if (!draft) throw new Error(`${id} has no draft`);
    item.draft = undefined;
    if (item.status === 'draft') {
      item.status = 'current';
      item.versions.splice(0, item.versions.length, { ...this.current(item), createdAt: this.now(), title: draft.title, body: draft.body });
      this.emit(item.type === 'page' ? 'page_created' : 'blog_created', item, draft.authorId);
      return;
    }
    this.publish(item, { title: draft.title, body: draft.body }, { author: draft.authorId, ...options }, 'edit_page');
  }

  move(id: string, parentId: string | null, options: { space?: string; bumpVersion?: boolean; author?: string } = {}): void {
    const item = this.get(id);
    if (item.type !== 'page') throw new Error('only pages move');
    if (parentId !== null && (parentId === id || this.ancestorIds(this.get(parentId)).includes(id))) throw new Error('cannot move under itself');
    const oldParentId = item.parentId;
    const spaceId = options.space ? this.spaceByKey(options.space).id : parentId ? this.get(parentId).spaceId : item.spaceId;
    item.parentId = parentId;
    for (const d of [item, ...this.descendants(item)]) d.spaceId = spaceId;
    item.position = [...this.content.values()].filter((c) => c.parentId === parentId && c.id !== id).length;
    if (options.bumpVersion) this.publish(item, {}, options.author ? { author: options.author } : {}, 'move_page');
    this.emit('page_moved', item, options.author ?? this.current(item).authorId, { oldParentId });
  }

  archive(id: string): void {
    this.get(id).status = 'archived';
  }

  trash(id: string, actor?: string): void {
    const item = this.get(id);
    item.trashedFrom = item.parentId;
    item.status = 'trashed';
    for (const child of this.children(item)) child.parentId = item.parentId;
    this.emit(item.type === 'page' ? 'page_trashed' : 'blog_trashed', item, actor ?? this.current(item).authorId);
  }

  restore(id: string, actor?: string): void {
    const item = this.get(id);
    if (item.status !== 'trashed') throw new Error(`${id} is not in the trash`);
    const parent = item.trashedFrom ? this.content.get(item.trashedFrom) : undefined;
    item.parentId = parent && parent.status === 'current' ? parent.id : item.type === 'page' ? this.spaces.get(item.spaceId)?.homepageId ?? null : null;
    if (item.parentId === item.id) item.parentId = null;
    item.status = 'current';
    this.emit(item.type === 'page' ? 'page_restored' : 'blog_restored', item, actor ?? this.current(item).authorId);
  }

  /** Removes the item for good (404 from then on). */
  purge(id: string, actor?: string): void {
    const item = this.get(id);
    for (const child of this.children(item)) child.parentId = item.parentId;
    this.content.delete(id);
    this.emit(item.type === 'page' ? 'page_removed' : 'blog_removed', item, actor ?? this.current(item).authorId);
  }

  addLabel(id: string, name: string): void {
    const item = this.get(id);
    if (!item.labels.some((l) => l.name === name)) item.labels.push({ id: String(this.nextLabelId++), name });
  }

  setReadRestriction(id: string, viewers: Viewers): void {
    this.get(id).readRestriction = viewers;
  }

  // ───────────── tree and visibility ─────────────

  children(item: StoredContent): StoredContent[] {
    return [...this.content.values()].filter((c) => c.parentId === item.id && c.status !== 'trashed').sort((a, b) => a.position - b.position || Number(a.id) - Number(b.id));
  }

  descendants(item: StoredContent): StoredContent[] {
    return this.children(item).flatMap((c) => [c, ...this.descendants(c)]);
  }

  /** Ancestor ids, top to bottom. */
  ancestorIds(item: StoredContent): string[] {
    const out: string[] = [];
    let parentId = item.parentId;
    while (parentId) {
      out.unshift(parentId);
      parentId = this.content.get(parentId)?.parentId ?? null;
    }
    return out;
  }

  private allows(viewers: Viewers | undefined, user: StoredUser): boolean {
    if (!viewers || (!viewers.users?.length && !viewers.groups?.length)) return true;
    return Boolean(viewers.users?.includes(user.accountId) || viewers.groups?.some((g) => user.groups.has(g)));
  }

  canViewSpace(user: StoredUser, space: StoredSpace): boolean {
    return space.viewers === undefined || this.allows(space.viewers, user);
  }

  /** Space permission plus the item's and every ancestor's read restriction. Drafts: the author only. */
  canView(user: StoredUser, item: StoredContent): boolean {
    const space = this.spaces.get(item.spaceId);
    if (!space || !this.canViewSpace(user, space)) return false;
    if (item.status === 'draft' && item.authorId !== user.accountId) return false;
    return [item.id, ...this.ancestorIds(item)].every((id) => {
      const c = this.content.get(id);
      return !c || this.allows(c.readRestriction, user);
    });
  }
}
