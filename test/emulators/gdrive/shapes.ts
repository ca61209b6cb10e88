/**
 * Resources as Drive returns them: File, Permission, User, Drive.
 *
 * Sources:
 * - https://developers.google.com/workspace/drive/api/reference/rest/v3/files — kind "drive#file";
 *   `md5Checksum` / `sha1Checksum` / `sha256Checksum` / `headRevisionId` "only populated for files
 *   with content stored in Google Drive; not populated for Docs Editors or shortcut files";
 *   `size` "size in bytes of blobs and Docs Editors files; won't be populated for files that have
 *   no size, like shortcuts and folders"; `version` "a monotonically increasing version number";
 *   `owners` "not populated for items in shared drives"; `driveId` only for shared drive items;
 *   `shortcutDetails {targetId, targetMimeType}`; `exportLinks` for Docs Editors files.
 * - int64 fields (`size`, `version`, `quotaBytesUsed`) are JSON strings, as the discovery document
 *   declares (`format: int64`, `type: string`) and the SDK's types (`string | null`) expect.
 * - https://developers.google.com/workspace/drive/api/reference/rest/v3/permissions — kind
 *   "drive#permission"; https://developers.google.com/workspace/drive/api/reference/rest/v3/drives
 *   — kind "drive#drive".
 * - webViewLink forms: docs.google.com/{document,spreadsheets,presentation,drawings,forms}/d/<id>/edit
 *   and drive.google.com/file/d/<id>/view for blobs, drive.google.com/drive/folders/<id> for
 *   folders (the links every real answer carries, `?usp=drivesdk` for API callers).
 */

import { exportFile, EXPORT_FORMATS } from './export.ts';
import {
  atLeast, DOC, DRAWING, FOLDER, FORM, isGoogleNative, md5, sha1, sha256, SHEET, SHORTCUT, SLIDES,
  type Principal, type Role, type StoredDrive, type StoredFile, type StoredPermission,
} from './model.ts';
import type { World } from './world.ts';

const iso = (ms: number): string => new Date(ms).toISOString();

export function userShape(p: Principal, viewer: string): Record<string, unknown> {
  return { kind: 'drive#user', displayName: p.displayName, emailAddress: p.email, me: p.id === viewer, permissionId: p.permissionId };
}

export function permissionShape(perm: StoredPermission, inherited = false): Record<string, unknown> {
  return {
    kind: 'drive#permission', id: perm.id, type: perm.type, role: perm.role,
    ...(perm.emailAddress === undefined ? {} : { emailAddress: perm.emailAddress }),
    ...(perm.domain === undefined ? {} : { domain: perm.domain }),
    ...(perm.allowFileDiscovery === undefined ? {} : { allowFileDiscovery: perm.allowFileDiscovery }),
    ...(perm.displayName === undefined ? {} : { displayName: perm.displayName }),
    deleted: false, pendingOwner: false,
    ...(inherited ? { permissionDetails: [{ permissionType: 'file', role: perm.role, inherited: true }] } : {}),
  };
}

function webViewLink(f: StoredFile): string {
  const editor: Record<string, string> = { [DOC]: 'document', [SHEET]: 'spreadsheets', [SLIDES]: 'presentation', [DRAWING]: 'drawings', [FORM]: 'forms' };
  const e = editor[f.mimeType];
  if (e !== undefined) return `https://docs.google.com/${e}/d/${f.id}/edit?usp=drivesdk`;
  if (f.mimeType === FOLDER) return `https://drive.google.com/drive/folders/${f.id}`;
  return `https://drive.google.com/file/d/${f.id}/view?usp=drivesdk`;
}

function capabilities(role: Role | undefined, f: StoredFile): Record<string, boolean> {
  const write = atLeast(role, 'writer');
  const comment = atLeast(role, 'commenter');
  const folder = f.mimeType === FOLDER;
  const inDrive = f.driveId !== undefined;
  return {
    canEdit: write && !folder, canComment: comment, canCopy: !folder, canDownload: true, canShare: write,
    canRename: write, canTrash: inDrive ? atLeast(role, 'fileOrganizer') : role === 'owner', canDelete: inDrive ? atLeast(role, 'organizer') : role === 'owner',
    canUntrash: inDrive ? atLeast(role, 'fileOrganizer') : role === 'owner', canAddChildren: folder && write, canListChildren: folder,
    canReadRevisions: write, canModifyContent: write, canMoveItemWithinDrive: write, canRemoveChildren: folder && write,
    canReadDrive: inDrive, canChangeCopyRequiresWriterPermission: write,
  };
}

/** The full File resource as `viewer` sees it (before `fields` is applied). */
export function fileShape(world: World, f: StoredFile, viewer: string): Record<string, unknown> {
  const role = world.roleOf(f, viewer);
  const native = isGoogleNative(f.mimeType);
  const bytes = f.content.kind === 'bytes' ? f.content.bytes : undefined;
  const owner = f.ownerId === undefined ? undefined : world.principals.get(f.ownerId);
  const lastMod = world.principals.get(f.lastModifyingUserId);
  const target = f.shortcutTargetId === undefined ? undefined : world.files.get(f.shortcutTargetId);
  let size: number | undefined;
  if (bytes) size = f.sizeOverride ?? bytes.length;
  else if (native && f.mimeType !== FOLDER && f.mimeType !== SHORTCUT) size = f.sizeOverride ?? nativeSize(f);
  const ext = /\.([^.]+)$/.exec(f.name)?.[1];
  const canSeePerms = atLeast(role, 'writer');
  const shared = f.permissions.some((p) => p.role !== 'owner');
  return {
    kind: 'drive#file', id: f.id, name: f.name, mimeType: f.mimeType,
    ...(f.description === undefined ? {} : { description: f.description }),
    starred: f.starred, trashed: f.trashed, explicitlyTrashed: f.explicitlyTrashed,
    ...(f.trashed && f.trashedTime !== undefined ? { trashedTime: iso(f.trashedTime) } : {}),
    ...(f.trashed && f.trashingUserId !== undefined && world.principals.has(f.trashingUserId) ? { trashingUser: userShape(world.principals.get(f.trashingUserId)!, viewer) } : {}),
    parents: [...f.parents], properties: { ...f.properties }, appProperties: { ...f.appProperties }, spaces: ['drive'],
    version: String(f.version), webViewLink: webViewLink(f),
    ...(bytes ? { webContentLink: `https://drive.google.com/uc?id=${f.id}&export=download` } : {}),
    iconLink: `https://drive-thirdparty.googleusercontent.com/16/type/${f.mimeType}`, hasThumbnail: !!bytes,
    thumbnailVersion: '0', viewedByMe: f.ownerId === viewer, createdTime: iso(f.createdTime), modifiedTime: iso(f.modifiedTime),
    modifiedByMe: f.lastModifyingUserId === viewer, ...(f.lastModifyingUserId === viewer ? { modifiedByMeTime: iso(f.modifiedTime) } : {}),
    ...(f.driveId === undefined && f.ownerId !== viewer && role !== undefined ? { sharedWithMeTime: iso(f.createdTime) } : {}),
    ...(owner ? { owners: [userShape(owner, viewer)] } : {}),
    ...(f.driveId === undefined ? {} : { driveId: f.driveId, teamDriveId: f.driveId }),
    ...(lastMod ? { lastModifyingUser: userShape(lastMod, viewer) } : {}),
    shared, ownedByMe: f.ownerId === viewer, capabilities: capabilities(role, f),
    viewersCanCopyContent: true, copyRequiresWriterPermission: false, writersCanShare: true,
    ...(canSeePerms ? { permissions: visiblePermissions(world, f).map((p) => permissionShape(p.perm, p.inherited)), permissionIds: visiblePermissions(world, f).map((p) => p.perm.id) } : {}),
    hasAugmentedPermissions: false,
    ...(bytes ? {
      originalFilename: f.name, ...(ext === undefined ? {} : { fullFileExtension: ext, fileExtension: ext }),
      md5Checksum: md5(bytes), sha1Checksum: sha1(bytes), sha256Checksum: sha256(bytes),
      ...(f.headRevisionId === undefined ? {} : { headRevisionId: f.headRevisionId }),
    } : {}),
    ...(size === undefined ? {} : { size: String(size) }),
    quotaBytesUsed: String(bytes ? bytes.length : 0), isAppAuthorized: false,
    ...(native && (EXPORT_FORMATS[f.mimeType]?.length ?? 0) > 0 ? { exportLinks: exportLinks(f) } : {}),
    ...(f.mimeType === SHORTCUT && f.shortcutTargetId !== undefined ? { shortcutDetails: { targetId: f.shortcutTargetId, ...(target ? { targetMimeType: target.mimeType } : {}) } } : {}),
    ...(f.mimeType === FOLDER ? { folderColorRgb: '#8f8f8f' } : {}),
    inheritedPermissionsDisabled: false,
  };
}

function nativeSize(f: StoredFile): number {
  const target = f.mimeType === SHEET ? 'text/csv' : f.mimeType === DRAWING ? 'image/svg+xml' : f.mimeType === FORM ? undefined : 'text/plain';
  if (target === undefined) return 1024;
  try {
    return exportFile(f, target).length;
  } catch {
    return 0;
  }
}

function exportLinks(f: StoredFile): Record<string, string> {
  return Object.fromEntries((EXPORT_FORMATS[f.mimeType] ?? []).map((m) => [m, `https://docs.google.com/feeds/download/export?id=${f.id}&exportFormat=${encodeURIComponent(m)}`]));
}

/** The file's own permissions and those inherited from its folders (and its shared drive's members). */
export function visiblePermissions(world: World, f: StoredFile): { perm: StoredPermission; inherited: boolean }[] {
  const out: { perm: StoredPermission; inherited: boolean }[] = [];
  const seen = new Set<string>();
  let inherited = false;
  for (let cur: StoredFile | undefined = f; cur; cur = world.files.get(cur.parents[0] ?? '')) {
    for (const perm of cur.permissions) if (!seen.has(perm.id)) { seen.add(perm.id); out.push({ perm, inherited }); }
    inherited = true;
  }
  if (f.driveId !== undefined) {
    for (const m of world.drives.get(f.driveId)?.members ?? []) {
      const p = world.principals.get(m.email);
      const id = p?.permissionId ?? m.email;
      if (seen.has(id)) continue;
      seen.add(id);
      out.push({ perm: { id, type: 'user', role: m.role, emailAddress: m.email, ...(p ? { displayName: p.displayName } : {}) }, inherited: true });
    }
  }
  return out;
}

export function driveShape(world: World, d: StoredDrive, viewer: string): Record<string, unknown> {
  const role = d.members.find((m) => m.email === viewer)?.role;
  return {
    kind: 'drive#drive', id: d.id, name: d.name, createdTime: iso(d.createdTime), hidden: d.hidden, colorRgb: '#2952a3',
    themeId: 'abacus', backgroundImageLink: 'https://ssl.gstatic.com/team_drive_themes/abacus_background.jpg',
    capabilities: {
      canAddChildren: atLeast(role, 'fileOrganizer'), canEdit: atLeast(role, 'fileOrganizer'), canListChildren: true,
      canManageMembers: role === 'organizer', canRename: role === 'organizer', canDeleteDrive: role === 'organizer',
      canShare: atLeast(role, 'fileOrganizer'), canReadRevisions: atLeast(role, 'commenter'), canComment: atLeast(role, 'commenter'),
    },
    restrictions: { adminManagedRestrictions: false, copyRequiresWriterPermission: false, domainUsersOnly: false, driveMembersOnly: false, sharingFoldersRequiresOrganizerPermission: false },
  };
}

export const queryView = (world: World, f: StoredFile, viewer: string, text: string) => ({
  name: f.name, mimeType: f.mimeType, trashed: f.trashed, starred: f.starred, parents: f.parents,
  owners: f.ownerId === undefined ? [] : [f.ownerId],
  writers: visiblePermissions(world, f).filter((p) => atLeast(p.perm.role, 'writer')).map((p) => p.perm.emailAddress ?? ''),
  readers: visiblePermissions(world, f).map((p) => p.perm.emailAddress ?? ''),
  modifiedTime: f.modifiedTime, createdTime: f.createdTime,
  sharedWithMe: f.driveId === undefined && f.ownerId !== viewer,
  fullText: `${f.name} ${f.description ?? ''} ${text}`, properties: f.properties, appProperties: f.appProperties,
  shortcutTargetId: f.shortcutTargetId,
});
