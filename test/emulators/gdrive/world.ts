/**
 * The world's state and its mutations (the control API's core), with access and the change log.
 *
 * Sources:
 * - Changes: https://developers.google.com/workspace/drive/api/guides/about-changes — "a change
 *   entry represents the state of the file or shared drive at a given point in time"; "since
 *   changes represent the current state of an item, individual change entries may be invalidated
 *   and replaced with a newer change entry" (so an item changed several times is listed once, at
 *   its latest position); tombstones: items no longer available are marked removed with only
 *   their id; each shared drive has its own change log, and a user's log also carries changes
 *   to the shared drives they are a member of.
 * - Trash: https://developers.google.com/workspace/drive/api/guides/delete — trashing a folder
 *   trashes its descendants (`explicitlyTrashed` false on them); deleting forever removes the
 *   whole subtree.
 * - Access: see ./model.ts.
 */

import {
  atLeast, FOLDER, higher, permissionNumber, randomId, rootLikeId, SHORTCUT,
  type ChangeEntry, type Content, type DriveMember, type Principal, type Role, type StoredDrive, type StoredFile, type StoredPermission,
} from './model.ts';

export interface FileSeed {
  readonly name: string;
  readonly mimeType: string;
  /** Owner (My Drive) or creator (shared drive): an email. */
  readonly owner: string;
  /** Parent folder id; default the owner's My Drive root or the shared drive's root. */
  readonly parent?: string;
  readonly driveId?: string;
  readonly content?: Content;
  readonly description?: string;
  readonly starred?: boolean;
  readonly properties?: Record<string, string>;
  readonly appProperties?: Record<string, string>;
  readonly shortcutTargetId?: string;
  readonly createdTime?: number;
  readonly sizeOverride?: number;
}

export interface ShareSeed {
  readonly type: 'user' | 'group' | 'domain' | 'anyone';
  readonly role: Role;
  readonly emailAddress?: string;
  readonly domain?: string;
  /** For domain / anyone: findable in searches (true) or link-only (false). @default false */
  readonly allowFileDiscovery?: boolean;
}

export class World {
  readonly principals = new Map<string, Principal>();
  readonly groups = new Map<string, Set<string>>();
  readonly drives = new Map<string, StoredDrive>();
  readonly files = new Map<string, StoredFile>();
  readonly log: ChangeEntry[] = [];
  private seq = 100;
  private versionCounter = 1;

  constructor(readonly now: () => number, private readonly onChange: (entry: ChangeEntry) => void) {}

  get lastSeq(): number {
    return this.seq;
  }

  principal(email: string): Principal {
    const p = this.principals.get(email.toLowerCase());
    if (!p) throw new Error(`gdrive emulator: no user ${email}`);
    return p;
  }

  addPrincipal(email: string, displayName: string, kind: Principal['kind']): Principal {
    const lower = email.toLowerCase();
    const p: Principal = {
      id: lower, email: lower, displayName, domain: lower.split('@')[1] ?? '', permissionId: permissionNumber(), rootId: rootLikeId(), kind,
    };
    this.principals.set(lower, p);
    return p;
  }

  addGroup(email: string, members: readonly string[]): void {
    this.groups.set(email.toLowerCase(), new Set(members.map((m) => m.toLowerCase())));
  }

  addDrive(name: string, members: readonly DriveMember[]): StoredDrive {
    const drive: StoredDrive = { id: rootLikeId(), name, createdTime: this.now(), members: members.map((m) => ({ ...m, email: m.email.toLowerCase() })), hidden: false, deleted: false };
    this.drives.set(drive.id, drive);
    this.driveChange(drive, new Set());
    return drive;
  }

  addFile(seed: FileSeed): StoredFile {
    const owner = this.principal(seed.owner);
    const drive = seed.driveId === undefined ? undefined : this.drives.get(seed.driveId);
    if (seed.driveId !== undefined && !drive) throw new Error(`gdrive emulator: no shared drive ${seed.driveId}`);
    const parent = seed.parent ?? drive?.id ?? owner.rootId;
    const parentFile = this.files.get(parent);
    const driveId = drive?.id ?? parentFile?.driveId;
    const now = seed.createdTime ?? this.now();
    const file: StoredFile = {
      id: randomId(33, '1'), name: seed.name, mimeType: seed.mimeType, parents: [parent], trashed: false, explicitlyTrashed: false,
      starred: seed.starred ?? false, createdTime: now, modifiedTime: now, lastModifyingUserId: owner.id, version: 0,
      content: seed.content ?? { kind: 'none' }, permissions: [], properties: { ...seed.properties }, appProperties: { ...seed.appProperties },
      deleted: false,
      ...(driveId === undefined ? { ownerId: owner.id } : { driveId }),
      ...(seed.description === undefined ? {} : { description: seed.description }),
      ...(seed.shortcutTargetId === undefined ? {} : { shortcutTargetId: seed.shortcutTargetId }),
      ...(seed.sizeOverride === undefined ? {} : { sizeOverride: seed.sizeOverride }),
    };
    if (driveId === undefined) file.permissions.push({ id: owner.permissionId, type: 'user', role: 'owner', emailAddress: owner.email, displayName: owner.displayName });
    this.files.set(file.id, file);
    this.touch(file, owner.id, new Set(), seed.content !== undefined);
    return file;
  }

  file(id: string): StoredFile {
    const f = this.files.get(id);
    if (!f || f.deleted) throw new Error(`gdrive emulator: no file ${id}`);
    return f;
  }

  /** Applies `mutate` to a file and logs one change (audience before ∪ after). */
  mutate(id: string, by: string | undefined, mutate: (f: StoredFile) => void, opts: { content?: boolean; modifies?: boolean } = {}): StoredFile {
    const f = this.file(id);
    const subtree = this.subtree(f);
    const before = new Map(subtree.map((s) => [s.id, this.audience(s)]));
    mutate(f);
    const who = by === undefined ? f.lastModifyingUserId : this.principal(by).id;
    for (const s of subtree) {
      if (s === f) this.touch(s, who, before.get(s.id)!, opts.content ?? false, opts.modifies ?? true);
      else this.touch(s, s.lastModifyingUserId, before.get(s.id)!, false, false);
    }
    return f;
  }

  trash(id: string, by?: string): void {
    const f = this.file(id);
    const who = by === undefined ? f.lastModifyingUserId : this.principal(by).id;
    this.mutate(id, by, () => {
      for (const s of this.subtree(f)) {
        if (s.trashed) continue;
        s.trashed = true;
        s.explicitlyTrashed = s === f;
        s.trashedTime = this.now();
        s.trashingUserId = who;
      }
    }, { modifies: false });
  }

  untrash(id: string, by?: string): void {
    const f = this.file(id);
    this.mutate(id, by, () => {
      for (const s of this.subtree(f)) {
        if (s !== f && s.explicitlyTrashed) continue;
        s.trashed = false;
        s.explicitlyTrashed = false;
        delete s.trashedTime;
        delete s.trashingUserId;
      }
    }, { modifies: false });
  }

  deleteForever(id: string): void {
    const f = this.file(id);
    for (const s of this.subtree(f).reverse()) {
      const before = this.audience(s);
      s.deleted = true;
      this.log.push(this.entry('file', s.id, s.driveId, before));
      this.onChange(this.log[this.log.length - 1]!);
    }
  }

  share(id: string, seed: ShareSeed): StoredPermission {
    const perm: StoredPermission = {
      id: seed.type === 'anyone' ? (seed.allowFileDiscovery ? 'anyone' : 'anyoneWithLink')
        : seed.type === 'domain' ? `${permissionNumber()}k` : seed.type === 'user' && seed.emailAddress && this.principals.has(seed.emailAddress.toLowerCase())
          ? this.principal(seed.emailAddress).permissionId : permissionNumber(),
      type: seed.type, role: seed.role,
      ...(seed.emailAddress === undefined ? {} : { emailAddress: seed.emailAddress.toLowerCase() }),
      ...(seed.domain === undefined ? {} : { domain: seed.domain }),
      ...(seed.type === 'domain' || seed.type === 'anyone' ? { allowFileDiscovery: seed.allowFileDiscovery ?? false } : {}),
      ...(seed.type === 'user' && seed.emailAddress && this.principals.has(seed.emailAddress.toLowerCase())
        ? { displayName: this.principal(seed.emailAddress).displayName } : {}),
    };
    this.mutate(id, undefined, (f) => {
      f.permissions = f.permissions.filter((p) => p.id !== perm.id);
      f.permissions.push(perm);
    }, { modifies: false });
    return perm;
  }

  unshare(id: string, permissionId: string): void {
    this.mutate(id, undefined, (f) => { f.permissions = f.permissions.filter((p) => p.id !== permissionId); }, { modifies: false });
  }

  setDriveMembers(driveId: string, members: readonly DriveMember[]): void {
    const drive = this.drives.get(driveId)!;
    const items = [...this.files.values()].filter((f) => f.driveId === driveId && !f.deleted);
    const before = new Map(items.map((f) => [f.id, this.audience(f)]));
    const driveBefore = new Set(drive.members.map((m) => m.email));
    drive.members = members.map((m) => ({ ...m, email: m.email.toLowerCase() }));
    this.driveChange(drive, driveBefore);
    for (const f of items) this.touch(f, f.lastModifyingUserId, before.get(f.id)!, false, false);
  }

  renameDrive(driveId: string, name: string): void {
    const drive = this.drives.get(driveId)!;
    drive.name = name;
    this.driveChange(drive, new Set(drive.members.map((m) => m.email)));
  }

  /** The role `userId` holds on a file, through the file, its ancestors, groups, domain, drive. */
  roleOf(f: StoredFile, userId: string, forSearch = false): Role | undefined {
    if (f.deleted) return undefined;
    const p = this.principals.get(userId);
    if (!p) return undefined;
    let role: Role | undefined;
    if (f.driveId !== undefined) role = this.drives.get(f.driveId)?.members.find((m) => m.email === p.email)?.role;
    for (let cur: StoredFile | undefined = f; cur; cur = this.files.get(cur.parents[0] ?? '')) {
      if (cur.deleted) break;
      for (const perm of cur.permissions) {
        const discoverable = perm.allowFileDiscovery !== false || !forSearch;
        const hit = perm.type === 'user' ? perm.emailAddress === p.email
          : perm.type === 'group' ? this.groups.get(perm.emailAddress ?? '')?.has(p.email) === true
            : perm.type === 'domain' ? perm.domain === p.domain && discoverable
              : discoverable;
        if (hit) role = higher(role, perm.role);
      }
    }
    return role;
  }

  canSee(f: StoredFile, userId: string, forSearch = false): boolean {
    return this.roleOf(f, userId, forSearch) !== undefined;
  }

  canEdit(f: StoredFile, userId: string): boolean {
    return atLeast(this.roleOf(f, userId), 'writer');
  }

  isMember(drive: StoredDrive, userId: string): boolean {
    return !drive.deleted && drive.members.some((m) => m.email === userId);
  }

  private subtree(f: StoredFile): StoredFile[] {
    const out = [f];
    for (let i = 0; i < out.length; i += 1) {
      const cur = out[i]!;
      if (cur.mimeType !== FOLDER) continue;
      for (const c of this.files.values()) if (!c.deleted && c.parents.includes(cur.id) && !out.includes(c)) out.push(c);
    }
    return out;
  }

  private audience(f: StoredFile): Set<string> {
    const out = new Set<string>();
    for (const p of this.principals.values()) if (this.canSee(f, p.id, true)) out.add(p.id);
    return out;
  }

  private touch(f: StoredFile, by: string, before: Set<string>, content: boolean, modifies = true): void {
    f.version = ++this.versionCounter;
    if (modifies) {
      f.modifiedTime = Math.max(this.now(), f.createdTime);
      f.lastModifyingUserId = by;
    }
    if (content && f.content.kind === 'bytes') f.headRevisionId = randomId(51, '0B');
    if (f.mimeType === SHORTCUT || f.mimeType === FOLDER) delete f.headRevisionId;
    for (const u of this.audience(f)) before.add(u);
    const entry = this.entry('file', f.id, f.driveId, before);
    this.log.push(entry);
    this.onChange(entry);
  }

  private driveChange(drive: StoredDrive, before: Set<string>): void {
    for (const m of drive.members) before.add(m.email);
    const entry = this.entry('drive', drive.id, drive.id, before);
    this.log.push(entry);
    this.onChange(entry);
  }

  private entry(changeType: 'file' | 'drive', id: string, driveId: string | undefined, audience: Set<string>): ChangeEntry {
    this.seq += 1;
    return { seq: this.seq, time: this.now(), changeType, id, driveId, audience };
  }
}
