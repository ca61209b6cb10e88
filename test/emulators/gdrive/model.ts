/**
 * The stored world: principals, shared drives, files and their permissions, the change log.
 *
 * Sources:
 * - Roles and grantee types: https://developers.google.com/workspace/drive/api/guides/ref-roles
 *   (owner, organizer, fileOrganizer, writer, commenter, reader; user, group, domain, anyone);
 *   https://developers.google.com/workspace/drive/api/reference/rest/v3/permissions
 *   (`allowFileDiscovery`: whether a domain / anyone permission makes the file findable — a
 *   link-only share gives access by id but keeps it out of searches).
 * - Inheritance: permissions on a folder apply to everything under it; shared drive members see
 *   every item of the drive (https://developers.google.com/workspace/drive/api/guides/about-shareddrives).
 * - Ids: https://developers.google.com/workspace/drive/api/guides/about-files — file ids are
 *   opaque strings; shared drive ids and the My Drive root are the `0A…Uk9PVA` form seen in
 *   every real answer.
 */

import { createHash, randomBytes } from 'node:crypto';

export type Role = 'owner' | 'organizer' | 'fileOrganizer' | 'writer' | 'commenter' | 'reader';
export type GranteeType = 'user' | 'group' | 'domain' | 'anyone';

export interface Principal {
  readonly id: string;
  readonly email: string;
  readonly displayName: string;
  readonly domain: string;
  /** Numeric permission id Drive gives this principal everywhere. */
  readonly permissionId: string;
  readonly rootId: string;
  readonly kind: 'user' | 'serviceAccount';
}

export interface StoredPermission {
  readonly id: string;
  readonly type: GranteeType;
  role: Role;
  readonly emailAddress?: string;
  readonly domain?: string;
  readonly allowFileDiscovery?: boolean;
  readonly displayName?: string;
}

export interface DocBlock {
  /** 1–6 for headings, 0 or absent for a paragraph. */
  readonly heading?: number;
  readonly bullet?: boolean;
  readonly text: string;
}

export interface SheetSeed {
  readonly title: string;
  readonly rows: readonly (readonly string[])[];
}

export type Content =
  | { readonly kind: 'none' }
  | { readonly kind: 'bytes'; readonly bytes: Buffer }
  | { readonly kind: 'doc'; readonly blocks: readonly DocBlock[] }
  | { readonly kind: 'sheet'; readonly sheets: readonly SheetSeed[] }
  | { readonly kind: 'slides'; readonly slides: readonly string[] };

export interface StoredFile {
  readonly id: string;
  name: string;
  readonly mimeType: string;
  description?: string;
  parents: string[];
  driveId?: string;
  ownerId?: string;
  trashed: boolean;
  explicitlyTrashed: boolean;
  trashedTime?: number;
  trashingUserId?: string;
  starred: boolean;
  readonly createdTime: number;
  modifiedTime: number;
  lastModifyingUserId: string;
  version: number;
  headRevisionId?: string;
  content: Content;
  permissions: StoredPermission[];
  properties: Record<string, string>;
  appProperties: Record<string, string>;
  readonly shortcutTargetId?: string;
  /** The extra size Drive reports (tests set it to make a file "very large"). */
  sizeOverride?: number;
  deleted: boolean;
}

export interface DriveMember {
  readonly email: string;
  readonly role: Role;
}

export interface StoredDrive {
  readonly id: string;
  name: string;
  readonly createdTime: number;
  members: DriveMember[];
  hidden: boolean;
  deleted: boolean;
}

export interface ChangeEntry {
  readonly seq: number;
  readonly time: number;
  readonly changeType: 'file' | 'drive';
  readonly id: string;
  /** Shared drive the item belongs to (its own log), if any. */
  readonly driveId: string | undefined;
  /** Principals that could see the item just before or just after the change. */
  readonly audience: ReadonlySet<string>;
}

export const FOLDER = 'application/vnd.google-apps.folder';
export const SHORTCUT = 'application/vnd.google-apps.shortcut';
export const DOC = 'application/vnd.google-apps.document';
export const SHEET = 'application/vnd.google-apps.spreadsheet';
export const SLIDES = 'application/vnd.google-apps.presentation';
export const DRAWING = 'application/vnd.google-apps.drawing';
export const FORM = 'application/vnd.google-apps.form';

export const isGoogleNative = (mimeType: string): boolean => mimeType.startsWith('application/vnd.google-apps.');

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
export function randomId(length: number, prefix = ''): string {
  const bytes = randomBytes(length);
  let out = prefix;
  for (let i = out.length; i < length; i += 1) out += ALPHABET[bytes[i]! % 64];
  return out;
}
/** The `0A…Uk9PVA` ids of shared drives and My Drive roots. */
export const rootLikeId = (): string => `0A${randomId(17).replace(/[-_]/g, 'x')}Uk9PVA`;
export const permissionNumber = (): string => Array.from(randomBytes(20), (b) => String(b % 10)).join('').replace(/^0/, '1');

export const md5 = (b: Buffer): string => createHash('md5').update(b).digest('hex');
export const sha1 = (b: Buffer): string => createHash('sha1').update(b).digest('hex');
export const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

const RANK: Readonly<Record<Role, number>> = { reader: 1, commenter: 2, writer: 3, fileOrganizer: 4, organizer: 5, owner: 6 };
export const higher = (a: Role | undefined, b: Role | undefined): Role | undefined =>
  a === undefined ? b : b === undefined ? a : RANK[a] >= RANK[b] ? a : b;
export const atLeast = (role: Role | undefined, min: Role): boolean => role !== undefined && RANK[role] >= RANK[min];
