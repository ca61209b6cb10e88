/**
 * Objects as Confluence serialises them: v2 Page / BlogPost / Space / Version / Ancestor /
 * ChildPage / Label, and v1 Content, SearchResult, User and ContentRestriction.
 *
 * Sources:
 * - v2 fields: Atlassian's OpenAPI spec as generated into confluence.js 3.x
 *   (src/v2/models/page.ts: id, status, title, spaceId, parentId, parentType, position,
 *   authorId, ownerId, lastOwnerId, createdAt, version, body, _links; version.ts: createdAt,
 *   message, number, minorEdit, authorId; abstractPageLinks: webui, editui, edituiv2, tinyui;
 *   blogPost.ts; space.ts: id, key, name, type, status, authorId, createdAt, homepageId,
 *   description, icon, _links.webui; ancestor.ts {id, type}; childPage.ts {id, status, title,
 *   spaceId, childPosition}; label.ts {id, name, prefix}). Ids are numeric strings; dates ISO
 *   8601 with milliseconds (`YYYY-MM-DDTHH:mm:ss.sssZ`, page.ts comment).
 * - `body` is `{}` unless `body-format` is asked for; atlas_doc_format `value` is a JSON string
 *   (v2 "BodyType": `{representation, value}`).
 * - v1 shapes: confluence.js 2.1.0 models (Content, SearchResult, SearchPageResponseSearchResult,
 *   User, ContentRestriction, UserArray/GroupArray) — the SDK this project installs.
 *   `timeZone` on `/user/current` is not in that model; the API sends it at the top level
 *   (the project's SOURCES.md relies on it for CQL date literals).
 */

import type { ConfluenceWorld, StoredContent, StoredSpace, StoredUser, VersionRecord } from './world.ts';

export type BodyFormat = 'storage' | 'atlas_doc_format';
type Json = Record<string, unknown>;

export const iso = (ms: number): string => new Date(ms).toISOString();
const slug = (title: string): string => encodeURIComponent(title).replace(/%20/g, '+');
const tiny = (id: string): string => Buffer.from(Number(id).toString(16), 'hex').toString('base64url') || 'AA';

export function webui(world: ConfluenceWorld, item: StoredContent, title: string): string {
  const key = world.spaces.get(item.spaceId)?.key ?? '';
  if (item.type === 'blogpost') {
    const d = new Date(item.createdAt).toISOString().slice(0, 10).replace(/-/g, '/');
    return `/spaces/${key}/blog/${d}/${item.id}/${slug(title)}`;
  }
  return `/spaces/${key}/pages/${item.id}/${slug(title)}`;
}

export function v2Version(v: VersionRecord): Json {
  return { createdAt: iso(v.createdAt), message: v.message, number: v.number, minorEdit: v.minorEdit, authorId: v.authorId };
}

export function v2Body(v: Pick<VersionRecord, 'body'>, format: BodyFormat | undefined): Json {
  if (format === 'storage') return { storage: { representation: 'storage', value: v.body.storage } };
  if (format === 'atlas_doc_format') return { atlas_doc_format: { representation: 'atlas_doc_format', value: JSON.stringify(v.body.adf) } };
  return {};
}

export interface ContentView {
  readonly format?: BodyFormat | undefined;
  /** Serve this version instead of the current one (status becomes `historical`). */
  readonly version?: VersionRecord | undefined;
  /** Serve the unpublished draft (status `draft`). */
  readonly draft?: boolean;
}

/** v2 Page or BlogPost. */
export function v2Content(world: ConfluenceWorld, item: StoredContent, view: ContentView = {}): Json {
  const latest = world.current(item);
  const draft = view.draft && item.draft ? item.draft : undefined;
  const version = view.version ?? latest;
  const title = draft?.title ?? version.title;
  const status = draft ? 'draft' : view.version && view.version.number !== latest.number ? 'historical' : item.status;
  const versionOut = draft ? { ...v2Version(latest), createdAt: iso(draft.createdAt), authorId: draft.authorId, number: item.status === 'draft' ? 1 : latest.number + 1 } : v2Version(version);
  const key = world.spaces.get(item.spaceId)?.key ?? '';
  const links: Json = {
    editui: `/pages/resumedraft.action?draftId=${item.id}`, webui: webui(world, item, title),
    ...(item.type === 'page' ? { edituiv2: `/spaces/${key}/pages/edit-v2/${item.id}` } : { edituiv2: `/spaces/${key}/blog/edit-v2/${item.id}` }),
    tinyui: `/x/${tiny(item.id)}`,
  };
  const common: Json = {
    id: item.id, status, title, spaceId: item.spaceId,
  };
  const page: Json = item.type === 'page'
    ? { parentId: item.parentId, parentType: item.parentId ? 'page' : null, position: item.position }
    : {};
  return {
    ...common, ...page, authorId: item.authorId, ownerId: item.ownerId, lastOwnerId: null, createdAt: iso(item.createdAt),
    version: versionOut, body: v2Body(draft ?? version, view.format), _links: links,
  };
}

export function v2Space(world: ConfluenceWorld, space: StoredSpace, descriptionFormat?: 'plain' | 'view'): Json {
  return {
    id: space.id, key: space.key, name: space.name, type: space.type, status: space.status, authorId: space.authorId,
    createdAt: iso(space.createdAt), homepageId: space.homepageId, spaceOwnerId: space.authorId,
    description: descriptionFormat ? { [descriptionFormat]: { representation: descriptionFormat, value: descriptionFormat === 'view' ? `<p>${space.description}</p>` : space.description } } : null,
    icon: null, _links: { webui: `/spaces/${space.key}` },
  };
}

export const v2Ancestor = (id: string): Json => ({ id, type: 'page' });

export function v2Child(world: ConfluenceWorld, item: StoredContent, direct: boolean): Json {
  const base = { id: item.id, status: item.status, title: world.current(item).title, spaceId: item.spaceId, childPosition: item.position };
  return direct ? { ...base, type: item.type } : base;
}

export const v2Label = (label: { id: string; name: string }): Json => ({ id: label.id, name: label.name, prefix: 'global' });

// ───────────────────────────── v1 ─────────────────────────────

export function v1User(user: StoredUser, base: string): Json {
  return {
    type: 'known', accountId: user.accountId, accountType: 'atlassian', email: user.email, publicName: user.displayName,
    profilePicture: { path: '/wiki/aa-avatar/default.png', width: 48, height: 48, isDefault: true },
    displayName: user.displayName, timeZone: user.timeZone, isExternalCollaborator: false,
    _expandable: { operations: '', personalSpace: '' },
    _links: { self: `${base}/rest/api/user?accountId=${user.accountId}`, base, context: '/wiki' },
  };
}

/** v1 Content with the expansions the emulator supports (space, version, history, ancestors, body.storage, body.atlas_doc_format). */
export function v1Content(world: ConfluenceWorld, item: StoredContent, expand: ReadonlySet<string>, base: string): Json {
  const v = world.current(item);
  const space = world.spaces.get(item.spaceId);
  const out: Json = { id: item.id, type: item.type, status: item.status, title: v.title };
  const expandable: Json = {
    childTypes: '', container: `/rest/api/space/${space?.key}`, metadata: '', operations: '', children: `/rest/api/content/${item.id}/child`,
    restrictions: `/rest/api/content/${item.id}/restriction/byOperation`, history: `/rest/api/content/${item.id}/history`,
    ancestors: '', body: '', version: '', descendants: `/rest/api/content/${item.id}/descendant`, space: `/rest/api/space/${space?.key}`,
  };
  if (expand.has('space') && space) {
    out['space'] = { id: Number(space.id), key: space.key, name: space.name, type: space.type, status: space.status, _expandable: {}, _links: { webui: `/spaces/${space.key}`, self: `${base}/rest/api/space/${space.key}` } };
    delete expandable['space'];
  }
  if (expand.has('version')) {
    const by = world.users.get(v.authorId);
    out['version'] = {
      by: by ? v1User(by, base) : { type: 'unknown', accountId: v.authorId }, when: iso(v.createdAt), friendlyWhen: 'just a moment ago',
      message: v.message, number: v.number, minorEdit: v.minorEdit, contentTypeModified: false, _expandable: {}, _links: {},
    };
    delete expandable['version'];
  }
  if (expand.has('history')) {
    out['history'] = { latest: item.status === 'current', createdDate: iso(item.createdAt), _expandable: {}, _links: {} };
    delete expandable['history'];
  }
  if (expand.has('ancestors')) {
    out['ancestors'] = world.ancestorIds(item).map((id) => {
      const a = world.content.get(id)!;
      return { id, type: a.type, status: a.status, title: world.current(a).title, _expandable: {}, _links: { webui: webui(world, a, world.current(a).title) } };
    });
    delete expandable['ancestors'];
  }
  const storage = expand.has('body.storage');
  const adf = expand.has('body.atlas_doc_format');
  if (storage || adf) {
    out['body'] = {
      ...(storage ? { storage: { value: v.body.storage, representation: 'storage', embeddedContent: [], _expandable: { content: `/rest/api/content/${item.id}` } } } : {}),
      ...(adf ? { atlas_doc_format: { value: JSON.stringify(v.body.adf), representation: 'atlas_doc_format', embeddedContent: [], _expandable: { content: `/rest/api/content/${item.id}` } } } : {}),
      _expandable: {},
    };
    delete expandable['body'];
  }
  out['_expandable'] = expandable;
  out['_links'] = {
    webui: webui(world, item, v.title), edit: `/pages/resumedraft.action?draftId=${item.id}`, tinyui: `/x/${tiny(item.id)}`,
    self: `${base}/rest/api/content/${item.id}`,
  };
  return out;
}

export function v1SearchResult(world: ConfluenceWorld, item: StoredContent, expand: ReadonlySet<string>, base: string): Json {
  const v = world.current(item);
  const space = world.spaces.get(item.spaceId);
  const content = v1Content(world, item, expand, base);
  const excerpt = v.body.storage.replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 300);
  const modified = new Date(v.createdAt);
  return {
    content, title: v.title, excerpt, url: (content['_links'] as Json)['webui'],
    resultGlobalContainer: { title: space?.name ?? '', displayUrl: `/spaces/${space?.key}` },
    breadcrumbs: [], entityType: 'content', iconCssClass: item.type === 'page' ? 'aui-icon content-type-page' : 'aui-icon content-type-blogpost',
    lastModified: modified.toISOString(), friendlyLastModified: modified.toLocaleDateString('en-US', { month: 'short', day: '2-digit', year: 'numeric', timeZone: 'UTC' }),
    score: 0,
  };
}
