/**
 * files.list, files.get (+ alt=media), files.export, permissions.list, drives.list.
 *
 * Sources:
 * - https://developers.google.com/workspace/drive/api/reference/rest/v3/files/list — corpora
 *   (user, domain, drive, allDrives; default user), driveId (with corpora=drive),
 *   includeItemsFromAllDrives, supportsAllDrives, orderBy (createdTime, folder, modifiedByMeTime,
 *   modifiedTime, name, name_natural, quotaBytesUsed, recency, sharedWithMeTime, starred,
 *   viewedByMeTime, each optionally ` desc`), pageSize 1–1000 (default 100), pageToken, q,
 *   spaces → `{kind: "drive#fileList", nextPageToken?, incompleteSearch, files}`. Trashed files
 *   are listed unless `q` excludes them (https://developers.google.com/workspace/drive/api/guides/search-files).
 *   Shared drive items need includeItemsFromAllDrives=true and supportsAllDrives=true; the exact
 *   error Google gives when driveId comes without them is not documented — the emulator answers
 *   400 `invalid` naming the missing parameter.
 * - https://developers.google.com/workspace/drive/api/reference/rest/v3/files/get — alt=media
 *   downloads blobs; Docs Editors files → 403 fileNotDownloadable; a shared drive item without
 *   supportsAllDrives=true → 404 (the file "is not found" for apps that do not support them).
 * - https://developers.google.com/workspace/drive/api/reference/rest/v3/files/export — mimeType
 *   required; see ./export.ts.
 * - permissions.list: pageSize 1–100; only callers who can share see permissions (others: 403
 *   insufficientFilePermissions). drives.list: pageSize 1–100, the drives the caller is a member of.
 */

import type { FastifyReply } from 'fastify';
import { DriveError, fileNotFound, invalidValue } from './errors.ts';
import { download, exportFile, plainText } from './export.ts';
import { select } from './fields.ts';
import { FOLDER, atLeast, type StoredFile } from './model.ts';
import { decodePageToken, encodePageToken, Params, type Query } from './params.ts';
import { parseQuery } from './query.ts';
import { driveShape, fileShape, permissionShape, queryView, visiblePermissions } from './shapes.ts';
import type { World } from './world.ts';

export interface Ctx {
  readonly world: World;
  readonly userId: string;
  readonly query: Query;
  readonly reply: FastifyReply;
}

const LIST_PARAMS = ['corpora', 'corpus', 'driveId', 'includeItemsFromAllDrives', 'includeLabels', 'includePermissionsForView', 'includeTeamDriveItems',
  'orderBy', 'pageSize', 'pageToken', 'q', 'spaces', 'supportsAllDrives', 'supportsTeamDrives', 'teamDriveId'];
const ORDER_KEYS = ['createdTime', 'folder', 'modifiedByMeTime', 'modifiedTime', 'name', 'name_natural', 'quotaBytesUsed', 'recency', 'sharedWithMeTime', 'starred', 'viewedByMeTime'];

export function filesList({ world, userId, query }: Ctx): unknown {
  const p = new Params(query, LIST_PARAMS);
  const corpora = p.str('corpora') ?? 'user';
  if (!['user', 'domain', 'drive', 'allDrives'].includes(corpora)) throw invalidValue('corpora');
  const allDrives = p.bool('includeItemsFromAllDrives', p.bool('includeTeamDriveItems', false));
  const supports = p.bool('supportsAllDrives', p.bool('supportsTeamDrives', false));
  const driveId = p.str('driveId') ?? p.str('teamDriveId');
  if ((corpora === 'drive') !== (driveId !== undefined)) throw invalidValue(corpora === 'drive' ? 'driveId' : 'corpora', 'The driveId parameter must be specified if and only if corpora is set to drive.');
  if ((corpora === 'drive' || corpora === 'allDrives') && !allDrives) throw invalidValue('includeItemsFromAllDrives', 'The includeItemsFromAllDrives parameter must be set to true when corpora is drive or allDrives.');
  if (allDrives && !supports) throw invalidValue('supportsAllDrives', 'The includeItemsFromAllDrives parameter can only be set to true when supportsAllDrives is set to true.');
  if (driveId !== undefined) {
    const d = world.drives.get(driveId);
    if (!d || !world.isMember(d, userId)) throw new DriveError(404, 'notFound', `Shared drive not found: ${driveId}`, 'global', 'driveId', 'parameter');
  }
  const pageSize = p.int('pageSize', 100, 1, 1000);
  const q = p.str('q') ?? '';
  const orderBy = parseOrderBy(p.str('orderBy'));
  const spaces = (p.str('spaces') ?? 'drive').split(',').map((s) => s.trim());
  const me = world.principal(userId);
  const pred = parseQuery(q, { root: me.rootId });
  let files = [...world.files.values()].filter((f) => !f.deleted && world.canSee(f, userId, true) && spaces.includes('drive'));
  if (corpora === 'drive') files = files.filter((f) => f.driveId === driveId);
  else if (!allDrives) files = files.filter((f) => f.driveId === undefined);
  files = files.filter((f) => pred(queryView(world, f, userId, plainText(f.content))));
  files.sort(orderBy);
  const key = `${userId}|${q}|${corpora}|${driveId ?? ''}|${p.str('orderBy') ?? ''}|${allDrives}`;
  const offset = decodePageToken(p.str('pageToken'), key);
  const page = files.slice(offset, offset + pageSize);
  const next = offset + pageSize < files.length ? encodePageToken(offset + pageSize, key) : undefined;
  const body = {
    kind: 'drive#fileList', ...(next === undefined ? {} : { nextPageToken: next }), incompleteSearch: false,
    files: page.map((f) => fileShape(world, f, userId)),
  };
  return select(body, 'FileList', p.str('fields'));
}

function parseOrderBy(text: string | undefined): (a: StoredFile, b: StoredFile) => number {
  const keys = (text ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '').map((s) => {
    const [k, dir, extra] = s.split(/\s+/);
    if (!ORDER_KEYS.includes(k!) || (dir !== undefined && dir !== 'desc' && dir !== 'asc') || extra !== undefined) throw invalidValue('orderBy');
    return { k: k!, desc: dir === 'desc' };
  });
  return (a, b) => {
    for (const { k, desc } of keys) {
      const c = orderValue(a, k) < orderValue(b, k) ? -1 : orderValue(a, k) > orderValue(b, k) ? 1 : 0;
      if (c !== 0) return desc ? -c : c;
    }
    return a.createdTime - b.createdTime || (a.id < b.id ? -1 : 1);
  };
}

function orderValue(f: StoredFile, k: string): string | number {
  switch (k) {
    case 'folder': return f.mimeType === FOLDER ? 0 : 1;
    case 'name': case 'name_natural': return f.name.toLowerCase();
    case 'createdTime': return f.createdTime;
    case 'starred': return f.starred ? 0 : 1;
    case 'quotaBytesUsed': return f.content.kind === 'bytes' ? f.content.bytes.length : 0;
    default: return f.modifiedTime;
  }
}

/** A file the caller may open by id (link-only shares count), else Drive's 404. */
export function visibleFile(world: World, userId: string, id: string, supportsAllDrives: boolean): StoredFile {
  const f = world.files.get(id);
  if (!f || f.deleted || !world.canSee(f, userId) || (f.driveId !== undefined && !supportsAllDrives)) throw fileNotFound(id);
  return f;
}

export function filesGet({ world, userId, query, reply }: Ctx, id: string): unknown {
  const p = new Params(query, ['acknowledgeAbuse', 'includeLabels', 'includePermissionsForView', 'supportsAllDrives', 'supportsTeamDrives']);
  const f = visibleFile(world, userId, id, p.bool('supportsAllDrives', p.bool('supportsTeamDrives', false)));
  p.bool('acknowledgeAbuse', false);
  const alt = p.str('alt') ?? 'json';
  if (alt === 'media') {
    const bytes = download(f);
    void reply.header('content-type', f.mimeType).header('content-disposition', `attachment`);
    return bytes;
  }
  if (alt !== 'json') throw invalidValue('alt');
  return select(fileShape(world, f, userId), 'File', p.str('fields'));
}

export function filesExport({ world, userId, query, reply }: Ctx, id: string): unknown {
  const p = new Params(query, ['mimeType']);
  const mimeType = p.required('mimeType');
  const f = visibleFile(world, userId, id, true);
  const bytes = exportFile(f, mimeType);
  void reply.header('content-type', mimeType.startsWith('text/') ? `${mimeType}; charset=utf-8` : mimeType);
  return bytes;
}

export function permissionsList({ world, userId, query }: Ctx, id: string): unknown {
  const p = new Params(query, ['pageSize', 'pageToken', 'supportsAllDrives', 'supportsTeamDrives', 'useDomainAdminAccess', 'includePermissionsForView']);
  const f = visibleFile(world, userId, id, p.bool('supportsAllDrives', p.bool('supportsTeamDrives', false)));
  if (!atLeast(world.roleOf(f, userId), 'writer')) {
    throw new DriveError(403, 'insufficientFilePermissions', 'The user does not have sufficient permissions for this file.', 'global');
  }
  const pageSize = p.int('pageSize', 100, 1, 100);
  const all = visiblePermissions(world, f);
  const key = `perm|${id}`;
  const offset = decodePageToken(p.str('pageToken'), key);
  const next = offset + pageSize < all.length ? encodePageToken(offset + pageSize, key) : undefined;
  const body = {
    kind: 'drive#permissionList', ...(next === undefined ? {} : { nextPageToken: next }),
    permissions: all.slice(offset, offset + pageSize).map((x) => permissionShape(x.perm, x.inherited)),
  };
  return select(body, 'PermissionList', p.str('fields'));
}

export function drivesList({ world, userId, query }: Ctx): unknown {
  const p = new Params(query, ['pageSize', 'pageToken', 'q', 'useDomainAdminAccess']);
  const pageSize = p.int('pageSize', 10, 1, 100);
  const drives = [...world.drives.values()].filter((d) => world.isMember(d, userId));
  const key = `drives|${userId}`;
  const offset = decodePageToken(p.str('pageToken'), key);
  const next = offset + pageSize < drives.length ? encodePageToken(offset + pageSize, key) : undefined;
  const body = { kind: 'drive#driveList', ...(next === undefined ? {} : { nextPageToken: next }), drives: drives.slice(offset, offset + pageSize).map((d) => driveShape(world, d, userId)) };
  return select(body, 'DriveList', p.str('fields'));
}
