/**
 * The `fields` system parameter: partial responses.
 *
 * Sources:
 * - https://developers.google.com/workspace/drive/api/guides/fields-parameter — comma-separated
 *   paths, `a/b` for a sub-field, `a(b,c)` for several sub-fields of an object or of every item
 *   of an array, `*` for every field; "an invalid field" in the selection is rejected with 400.
 * - The field names: the Schema$ interfaces of @googleapis/drive 22.0.0 build/v3.d.ts, generated
 *   from Google's discovery document (File, Permission, Drive, Change, ChangeList, FileList, User,
 *   Channel, StartPageToken, PermissionList, DriveList).
 * - The error: 400, reason `invalidParameter`, location `fields` ("Invalid field selection X"),
 *   as Google's front end answers an unknown field (reported in public issue threads).
 * - Defaults without `fields`: "If not specified, the response includes a default set of fields
 *   specific to this method" — files: kind, id, name, mimeType (and resourceKey when present);
 *   lists: kind, nextPageToken, incompleteSearch and the items' defaults.
 */

import { invalidField } from './errors.ts';

type Schema = Readonly<Record<string, string | null>>;

const USER: Schema = { displayName: null, emailAddress: null, kind: null, me: null, permissionId: null, photoLink: null };
const PERMISSION: Schema = {
  allowFileDiscovery: null, deleted: null, displayName: null, domain: null, emailAddress: null, expirationTime: null, id: null,
  inheritedPermissionsDisabled: null, kind: null, pendingOwner: null, permissionDetails: null, photoLink: null, role: null,
  teamDrivePermissionDetails: null, type: null, view: null,
};
const FILE_NAMES = ('appProperties capabilities clientEncryptionDetails contentHints contentRestrictions copyRequiresWriterPermission '
  + 'createdTime description downloadRestrictions driveId explicitlyTrashed exportLinks fileExtension folderColorRgb fullFileExtension '
  + 'hasAugmentedPermissions hasThumbnail headRevisionId iconLink id imageMediaMetadata inheritedPermissionsDisabled isAppAuthorized '
  + 'kind labelInfo lastModifyingUser linkShareMetadata md5Checksum mimeType modifiedByMe modifiedByMeTime modifiedTime name originalFilename '
  + 'ownedByMe owners parents permissionIds permissions properties quotaBytesUsed resourceKey sha1Checksum sha256Checksum shared sharedWithMeTime sharingUser '
  + 'shortcutDetails size spaces starred teamDriveId thumbnailLink thumbnailVersion trashed trashedTime trashingUser version '
  + 'videoMediaMetadata viewedByMe viewedByMeTime viewersCanCopyContent webContentLink webViewLink writersCanShare').split(' ');
const FILE: Schema = Object.fromEntries(FILE_NAMES.map((n) => [n, null]));
const DRIVE: Schema = Object.fromEntries(('backgroundImageFile backgroundImageLink capabilities colorRgb createdTime hidden id kind name '
  + 'orgUnitId restrictions themeId').split(' ').map((n) => [n, null]));

/** Which schema a nested object field follows (others accept any sub-path). */
const NESTED: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  File: { owners: 'User', lastModifyingUser: 'User', sharingUser: 'User', trashingUser: 'User', permissions: 'Permission' },
  Change: { file: 'File', drive: 'Drive' },
  ChangeList: { changes: 'Change' },
  FileList: { files: 'File' },
  PermissionList: { permissions: 'Permission' },
  DriveList: { drives: 'Drive' },
};
const SCHEMAS: Readonly<Record<string, Schema>> = {
  User: USER, Permission: PERMISSION, File: FILE, Drive: DRIVE,
  Change: { changeType: null, drive: null, driveId: null, file: null, fileId: null, kind: null, removed: null, teamDrive: null, teamDriveId: null, time: null, type: null },
  ChangeList: { changes: null, kind: null, newStartPageToken: null, nextPageToken: null },
  FileList: { files: null, incompleteSearch: null, kind: null, nextPageToken: null },
  PermissionList: { kind: null, nextPageToken: null, permissions: null },
  DriveList: { drives: null, kind: null, nextPageToken: null },
  Channel: { address: null, expiration: null, id: null, kind: null, params: null, payload: null, resourceId: null, resourceUri: null, token: null, type: null },
  StartPageToken: { kind: null, startPageToken: null },
};

/** A parsed selection: field → sub-selection (`true` = the whole value). */
export type Selection = Map<string, Selection | true>;

export function parseFields(text: string, schema: string): Selection {
  let pos = 0;
  const parseList = (schemaName: string | undefined, path: string): Selection => {
    const sel: Selection = new Map();
    for (;;) {
      const start = pos;
      while (pos < text.length && /[A-Za-z0-9_*/]/.test(text[pos]!)) pos += 1;
      const token = text.slice(start, pos).trim();
      if (token === '') throw invalidField(text.slice(start) || text);
      const parts = token.split('/');
      let target = sel;
      let sName = schemaName;
      for (let i = 0; i < parts.length; i += 1) {
        const name = parts[i]!;
        const full = path === '' ? parts.slice(0, i + 1).join('/') : `${path}/${parts.slice(0, i + 1).join('/')}`;
        if (name !== '*' && sName !== undefined && !(name in SCHEMAS[sName]!)) throw invalidField(full);
        const last = i === parts.length - 1;
        const childSchema = sName === undefined ? undefined : NESTED[sName]?.[name];
        if (last && text[pos] === '(') {
          pos += 1;
          const inner = parseList(childSchema, full);
          if (text[pos] !== ')') throw invalidField(text);
          pos += 1;
          const prev = target.get(name);
          target.set(name, prev === true ? true : merge(prev, inner));
        } else if (last) {
          target.set(name, true);
        } else {
          const prev = target.get(name);
          if (prev === true) break;
          const next: Selection = prev ?? new Map();
          target.set(name, next);
          target = next;
          sName = childSchema;
        }
      }
      while (text[pos] === ' ') pos += 1;
      if (text[pos] === ',') {
        pos += 1;
        while (text[pos] === ' ') pos += 1;
        continue;
      }
      return sel;
    }
  };
  const sel = parseList(schema, '');
  if (pos !== text.length) throw invalidField(text.slice(pos));
  return sel;
}

function merge(a: Selection | undefined, b: Selection): Selection {
  if (a === undefined) return b;
  for (const [k, v] of b) a.set(k, v === true || a.get(k) === true ? true : merge(a.get(k) as Selection | undefined, v));
  return a;
}

/** Applies a selection to a value (arrays: to each item). */
export function project(value: unknown, sel: Selection | true): unknown {
  if (sel === true || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => project(v, sel));
  const obj = value as Record<string, unknown>;
  if (sel.has('*')) return obj;
  const out: Record<string, unknown> = {};
  for (const [k, sub] of sel) if (obj[k] !== undefined) out[k] = project(obj[k], sub);
  return out;
}

export const FILE_DEFAULT = 'kind,id,name,mimeType,resourceKey';
export const DEFAULT_FIELDS: Readonly<Record<string, string>> = {
  File: FILE_DEFAULT,
  FileList: `kind,nextPageToken,incompleteSearch,files(${FILE_DEFAULT})`,
  Permission: 'kind,id,type,role,emailAddress,domain,allowFileDiscovery,displayName,deleted,pendingOwner,view,expirationTime',
  PermissionList: 'kind,nextPageToken,permissions(kind,id,type,role,emailAddress,domain,allowFileDiscovery,displayName,deleted,pendingOwner,view,expirationTime)',
  Drive: 'kind,id,name',
  DriveList: 'kind,nextPageToken,drives(kind,id,name)',
  ChangeList: `kind,nextPageToken,newStartPageToken,changes(kind,changeType,time,removed,fileId,driveId,file(${FILE_DEFAULT}),drive(kind,id,name))`,
  StartPageToken: '*',
  Channel: '*',
};

/** The response as the client asked for it: `fields` if given, else the method's default set. */
export function select(value: unknown, schema: string, fields: string | undefined): unknown {
  const text = fields === undefined || fields === '' ? DEFAULT_FIELDS[schema] ?? '*' : fields;
  return project(value, parseFields(text, schema));
}
