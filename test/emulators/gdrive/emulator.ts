/**
 * The emulator handle: `startGDrive()` and the control API tests seed and mutate the world with.
 * Every mutation logs a change (./world.ts) and wakes the watch channels that see it (./push.ts).
 */

import { DRIVE_SCOPE, type ServiceAccount } from './auth.ts';
import {
  DOC, DRAWING, FOLDER, FORM, SHEET, SHORTCUT, SLIDES,
  type Content, type DocBlock, type DriveMember, type Principal, type SheetSeed, type StoredDrive, type StoredFile, type StoredPermission,
} from './model.ts';
import type { Channel, Notification } from './push.ts';
import type { RateLimitOptions } from './ratelimit.ts';
import { GDriveServer, type GDriveEmulatorOptions, type RecordedRequest } from './server.ts';
import type { FileSeed, ShareSeed } from './world.ts';

type Placement = { readonly owner: string; readonly parent?: string; readonly driveId?: string; readonly createdTime?: number };

export class GDriveEmulator extends GDriveServer {
  static async start(options: GDriveEmulatorOptions = {}): Promise<GDriveEmulator> {
    const emu = new GDriveEmulator(options);
    await emu.listen();
    return emu;
  }

  /** The Drive SDK's rootUrl (`<url>/`). */
  get rootUrl(): string {
    return `${this.url}/`;
  }

  /** The OAuth token endpoint (`<url>/token`). */
  get tokenUrl(): string {
    return `${this.url}/token`;
  }

  // ── principals and credentials ─────────────────────────────────────────────────────────────
  addUser(email: string, displayName = email.split('@')[0]!): Principal {
    return this.world.addPrincipal(email, displayName, 'user');
  }

  addGroup(email: string, members: readonly string[]): void {
    this.world.addGroup(email, members);
  }

  /** An OAuth client (web / installed app) for the refresh_token grant. */
  addOAuthClient(clientId: string, clientSecret: string): void {
    this.oauth.addClient(clientId, clientSecret);
  }

  /** A refresh token of `clientId` for `email` (as the consent flow would have issued). */
  issueRefreshToken(clientId: string, email: string, scopes: readonly string[] = [DRIVE_SCOPE]): string {
    return this.oauth.issueRefreshToken(clientId, email, scopes);
  }

  /** A service account with a fresh RSA key pair (the PEM is what its JSON key file holds). */
  addServiceAccount(email: string, opts: { delegation?: boolean; displayName?: string } = {}): ServiceAccount {
    this.world.addPrincipal(email, opts.displayName ?? email.split('@')[0]!, 'serviceAccount');
    return this.oauth.addServiceAccount(email, opts.delegation ?? false);
  }

  /** An access token straight away (bypassing /token). */
  accessToken(email: string, opts: { ttlSec?: number } = {}): string {
    return this.oauth.issueAccessToken(email, opts).token;
  }

  revokeToken(token: string): void {
    this.oauth.revoke(token);
  }

  // ── shared drives ──────────────────────────────────────────────────────────────────────────
  addSharedDrive(name: string, members: readonly DriveMember[]): StoredDrive {
    return this.world.addDrive(name, members);
  }

  setDriveMembers(driveId: string, members: readonly DriveMember[]): void {
    this.world.setDriveMembers(driveId, members);
  }

  renameSharedDrive(driveId: string, name: string): void {
    this.world.renameDrive(driveId, name);
  }

  // ── files ──────────────────────────────────────────────────────────────────────────────────
  addFile(seed: FileSeed): StoredFile {
    return this.world.addFile(seed);
  }

  addFolder(name: string, at: Placement): StoredFile {
    return this.world.addFile({ ...at, name, mimeType: FOLDER });
  }

  /** A blob (text, Markdown, CSV, PDF, Office, binary): the bytes are served as given. */
  addBlob(name: string, mimeType: string, content: string | Uint8Array, at: Placement & { sizeOverride?: number }): StoredFile {
    return this.world.addFile({ ...at, name, mimeType, content: { kind: 'bytes', bytes: toBuffer(content) } });
  }

  /** A Google Doc; plain strings become paragraphs. */
  addGoogleDoc(name: string, blocks: readonly (DocBlock | string)[], at: Placement & { sizeOverride?: number }): StoredFile {
    return this.world.addFile({ ...at, name, mimeType: DOC, content: { kind: 'doc', blocks: blocks.map(toBlock) } });
  }

  addGoogleSheet(name: string, sheets: readonly SheetSeed[], at: Placement): StoredFile {
    return this.world.addFile({ ...at, name, mimeType: SHEET, content: { kind: 'sheet', sheets } });
  }

  addGoogleSlides(name: string, slides: readonly string[], at: Placement): StoredFile {
    return this.world.addFile({ ...at, name, mimeType: SLIDES, content: { kind: 'slides', slides } });
  }

  addGoogleDrawing(name: string, at: Placement): StoredFile {
    return this.world.addFile({ ...at, name, mimeType: DRAWING });
  }

  addGoogleForm(name: string, at: Placement): StoredFile {
    return this.world.addFile({ ...at, name, mimeType: FORM });
  }

  addShortcut(name: string, targetId: string, at: Placement): StoredFile {
    return this.world.addFile({ ...at, name, mimeType: SHORTCUT, shortcutTargetId: targetId });
  }

  /** New content: bytes for blobs, blocks for Docs, sheets for Sheets, slide texts for Slides. */
  editContent(id: string, content: string | Uint8Array | readonly (DocBlock | string)[] | readonly SheetSeed[], by?: string): StoredFile {
    return this.world.mutate(id, by, (f) => { f.content = contentFor(f, content); }, { content: true });
  }

  rename(id: string, name: string, by?: string): StoredFile {
    return this.world.mutate(id, by, (f) => { f.name = name; });
  }

  setDescription(id: string, description: string, by?: string): StoredFile {
    return this.world.mutate(id, by, (f) => { f.description = description; });
  }

  move(id: string, newParent: string, by?: string): StoredFile {
    const target = this.world.files.get(newParent);
    const drive = this.world.drives.get(newParent);
    return this.world.mutate(id, by, (f) => {
      f.parents = [newParent];
      const driveId = drive?.id ?? target?.driveId;
      if (driveId !== undefined) f.driveId = driveId;
      else delete f.driveId;
    }, { modifies: false });
  }

  trash(id: string, by?: string): void {
    this.world.trash(id, by);
  }

  untrash(id: string, by?: string): void {
    this.world.untrash(id, by);
  }

  deleteForever(id: string): void {
    this.world.deleteForever(id);
  }

  share(id: string, seed: ShareSeed): StoredPermission {
    return this.world.share(id, seed);
  }

  unshare(id: string, permissionId: string): void {
    this.world.unshare(id, permissionId);
  }

  // ── limits, faults, logs ───────────────────────────────────────────────────────────────────
  setRateLimit(options: RateLimitOptions | false): void {
    this.limiter.options = options;
    this.limiter.reset();
  }

  /** Fail the next `count` requests of `route` ("files.list", …, or "*") with `status`. */
  failNext(route: string, count: number, status: number): void {
    this.faults.failNext(route, count, status);
  }

  requests(): readonly RecordedRequest[] {
    return this.log;
  }

  /** Calls made to a route (its discovery method id, e.g. "changes.list"; "token"). */
  count(route: string): number {
    return this.log.filter((r) => r.route === route).length;
  }

  /** Calls per route. */
  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.log) out[r.route] = (out[r.route] ?? 0) + 1;
    return out;
  }

  clearRequests(): void {
    this.log.length = 0;
  }

  channels(): readonly Channel[] {
    return [...this.push.channels.values()];
  }

  notifications(): readonly Notification[] {
    return this.push.notifications;
  }

  /** Delivers the pending `change` notifications now and waits for every delivery. */
  async flushNotifications(): Promise<void> {
    await this.push.flush();
  }
}

function toBuffer(content: string | Uint8Array): Buffer {
  return typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content);
}

const toBlock = (b: DocBlock | string): DocBlock => (typeof b === 'string' ? { text: b } : b);

function contentFor(f: StoredFile, content: string | Uint8Array | readonly (DocBlock | string)[] | readonly SheetSeed[]): Content {
  if (typeof content === 'string' || content instanceof Uint8Array) {
    if (f.mimeType === DOC) return { kind: 'doc', blocks: [{ text: String(content) }] };
    return { kind: 'bytes', bytes: toBuffer(content) };
  }
  if (f.mimeType === SHEET) return { kind: 'sheet', sheets: content as readonly SheetSeed[] };
  if (f.mimeType === SLIDES) return { kind: 'slides', slides: content as readonly string[] };
  return { kind: 'doc', blocks: (content as readonly (DocBlock | string)[]).map(toBlock) };
}

export const startGDrive = (options: GDriveEmulatorOptions = {}): Promise<GDriveEmulator> => GDriveEmulator.start(options);
