/**
 * Self-test of the Google Drive emulator, driven through @googleapis/drive and google-auth-library
 * (the official clients) so every answer is parsed the way a connector will see it.
 */

import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { drive, type drive_v3 } from '@googleapis/drive';
import { GaxiosError } from 'gaxios';
import { JWT, OAuth2Client } from 'google-auth-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOC, MAX_CHANNEL_TTL_MS, startGDrive, type GDriveEmulator, type StoredFile } from './gdrive.ts';
import {
  CHANGE_LIST, CHANNEL_RESPONSE, ERROR_401, ERROR_429, ERROR_EXPORT_SIZE, ERROR_PAGE_TOKEN, ERROR_USER_RATE, shapeDiff, START_PAGE_TOKEN,
  SYNC_HEADERS, TOKEN_INVALID_GRANT, TOKEN_REFRESH_RESPONSE,
} from './gdrive/samples.ts';

let offset = 0;
let emu: GDriveEmulator;
let hook: Server;
let hookUrl = '';
const received: IncomingHttpHeaders[] = [];
const f: Record<string, StoredFile> = {};
let driveId = '';

const ALICE = 'alice@example.com';
const BOB = 'bob@example.com';

function client(token: string, retry = true): drive_v3.Drive {
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: token, expiry_date: Date.now() + 3_600_000 });
  return drive({ version: 'v3', auth, rootUrl: emu.rootUrl, retry, ...(retry ? { retryConfig: { retryDelay: 10 } } : {}) });
}

async function failure(p: Promise<unknown>): Promise<GaxiosError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(GaxiosError);
  return e as GaxiosError;
}
const reason = (e: GaxiosError): string => (e.response?.data as { error: { errors: { reason: string }[] } }).error.errors[0]!.reason;

beforeAll(async () => {
  emu = await startGDrive({ now: () => Date.now() + offset, notificationDelayMs: 10 });
  hook = createServer((req, res) => { received.push(req.headers); req.resume(); res.end(); });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${(hook.address() as { port: number }).port}/hook`;
  emu.addUser(ALICE, 'Alice');
  emu.addUser(BOB, 'Bob');
  emu.addUser('carol@other.org', 'Carol');
  emu.addGroup('eng@example.com', [BOB]);
  const at = { owner: ALICE };
  f['projects'] = emu.addFolder('Projects', at);
  const inProjects = { owner: ALICE, parent: f['projects'].id };
  f['plan'] = emu.addGoogleDoc('Plan 🚀 計画', [{ heading: 1, text: 'Roadmap' }, 'Ship the 同期 feature 🎉', { bullet: true, text: 'one' }], inProjects);
  f['sheet'] = emu.addGoogleSheet('Budget', [{ title: 'Q1', rows: [['item', 'cost'], ['tea, green', '3']] }, { title: 'Q2', rows: [['hidden', 'x']] }], inProjects);
  f['slides'] = emu.addGoogleSlides('Deck', ['Title slide', 'Second'], inProjects);
  f['drawing'] = emu.addGoogleDrawing('Sketch', inProjects);
  f['form'] = emu.addGoogleForm('Survey', inProjects);
  f['notes'] = emu.addBlob('notes.txt', 'text/plain', 'こんにちは 👋 world', inProjects);
  f['readme'] = emu.addBlob('README.md', 'text/markdown', '# Title\n\nbody', inProjects);
  f['csv'] = emu.addBlob('data.csv', 'text/csv', 'a,b\n1,2\n', inProjects);
  f['pdf'] = emu.addBlob('paper.pdf', 'application/pdf', Buffer.from('%PDF-1.7\n%%EOF'), inProjects);
  f['docx'] = emu.addBlob('memo.docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', Buffer.from([0x50, 0x4b, 3, 4, 1]), inProjects);
  f['empty'] = emu.addBlob('empty.txt', 'text/plain', '', inProjects);
  f['big'] = emu.addGoogleDoc('Huge', ['x'.repeat(1000)], { ...inProjects, sizeOverride: 11 * 1024 * 1024 });
  f['shortcut'] = emu.addShortcut('Plan link', f['plan'].id, inProjects);
  f['secret'] = emu.addBlob('secret.txt', 'text/plain', 'private', at);
  f['link'] = emu.addBlob('link-only.txt', 'text/plain', 'via link', at);
  emu.share(f['projects'].id, { type: 'group', role: 'reader', emailAddress: 'eng@example.com' });
  emu.share(f['link'].id, { type: 'anyone', role: 'reader', allowFileDiscovery: false });
  driveId = emu.addSharedDrive('Engineering', [{ email: ALICE, role: 'organizer' }, { email: BOB, role: 'reader' }]).id;
  f['specs'] = emu.addGoogleDoc('Specs', ['in the shared drive'], { owner: ALICE, driveId });
});

afterAll(async () => {
  await emu.close();
  await new Promise((r) => hook.close(r));
});

describe('OAuth token endpoint', () => {
  it('refreshes through OAuth2Client, refreshes again after expiry, and refuses revoked tokens', async () => {
    emu.addOAuthClient('cid.apps.googleusercontent.com', 'shh');
    const refresh = emu.issueRefreshToken('cid.apps.googleusercontent.com', BOB);
    const auth = new OAuth2Client({ clientId: 'cid.apps.googleusercontent.com', clientSecret: 'shh', endpoints: { oauth2TokenUrl: emu.tokenUrl }, forceRefreshOnFailure: true });
    auth.setCredentials({ refresh_token: refresh });
    const d = drive({ version: 'v3', auth, rootUrl: emu.rootUrl });
    const before = emu.count('token');
    expect((await d.files.get({ fileId: f['notes']!.id })).data.name).toBe('notes.txt');
    expect(emu.count('token')).toBe(before + 1);
    offset += 3_600_000;
    await d.files.get({ fileId: f['notes']!.id });
    expect(emu.count('token')).toBe(before + 2);
    offset -= 3_600_000;
    const raw = await fetch(emu.tokenUrl, { method: 'POST', body: new URLSearchParams({ grant_type: 'refresh_token', client_id: 'cid.apps.googleusercontent.com', client_secret: 'shh', refresh_token: refresh }) });
    expect(shapeDiff(TOKEN_REFRESH_RESPONSE, await raw.json())).toEqual([]);
    emu.revokeToken(refresh);
    const bad = await fetch(emu.tokenUrl, { method: 'POST', body: new URLSearchParams({ grant_type: 'refresh_token', client_id: 'cid.apps.googleusercontent.com', client_secret: 'shh', refresh_token: refresh }) });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual(TOKEN_INVALID_GRANT);
  });

  it('verifies service-account JWTs (RS256) and domain-wide delegation', async () => {
    const sa = emu.addServiceAccount('indexer@proj.iam.gserviceaccount.com', { delegation: true });
    // gtoken posts to the fixed https://oauth2.googleapis.com/token; point the client's transporter at the emulator.
    const toEmulator = (c: JWT): JWT => {
      c.transporter.interceptors.request.add({ resolved: async (o) => ({ ...o, url: new URL(String(o.url).replace('https://oauth2.googleapis.com/token', emu.tokenUrl)) }) });
      return c;
    };
    const jwt = toEmulator(new JWT({ email: sa.email, key: sa.privateKeyPem, scopes: ['https://www.googleapis.com/auth/drive.readonly'], subject: ALICE }));
    const d = drive({ version: 'v3', auth: jwt, rootUrl: emu.rootUrl });
    const mine = await d.files.list({ q: "name = 'secret.txt'", fields: 'files(id,ownedByMe)' });
    expect(mine.data.files).toEqual([{ id: f['secret']!.id, ownedByMe: true }]);
    const other = emu.addServiceAccount('other@proj.iam.gserviceaccount.com');
    const forged = toEmulator(new JWT({ email: sa.email, key: other.privateKeyPem, scopes: ['https://www.googleapis.com/auth/drive'] }));
    await expect(forged.getAccessToken()).rejects.toThrow(/invalid_grant.*Invalid JWT Signature/);
    const noDwd = toEmulator(new JWT({ email: other.email, key: other.privateKeyPem, scopes: ['https://www.googleapis.com/auth/drive'], subject: ALICE }));
    await expect(noDwd.getAccessToken()).rejects.toThrow(/unauthorized_client/);
  });

  it('answers 401 authError for expired, revoked and missing tokens', async () => {
    const short = emu.accessToken(ALICE, { ttlSec: 1 });
    offset += 2000;
    const e = await failure(client(short).files.list({}));
    offset -= 2000;
    expect(e.status).toBe(401);
    expect(shapeDiff(ERROR_401, e.response?.data)).toEqual([]);
    const res = await fetch(`${emu.url}/drive/v3/files`);
    expect(res.status).toBe(401);
  });
});

describe('files', () => {
  it('lists every page to the end with fields honoured, and counts the calls', async () => {
    const d = client(emu.accessToken(ALICE));
    emu.clearRequests();
    const names: string[] = [];
    let pageToken: string | undefined;
    do {
      const res = await d.files.list({ pageSize: 4, q: `'${f['projects']!.id}' in parents and trashed = false`, orderBy: 'name', fields: 'nextPageToken, files(id,name,md5Checksum,size,headRevisionId)', ...(pageToken ? { pageToken } : {}) });
      for (const file of res.data.files ?? []) names.push(file.name!);
      pageToken = res.data.nextPageToken ?? undefined;
    } while (pageToken);
    expect(names).toHaveLength(13);
    expect(names[0]).toBe('Budget');
    expect(emu.count('files.list')).toBe(4);
    const notes = await d.files.get({ fileId: f['notes']!.id, fields: '*' });
    expect(notes.data.md5Checksum).toMatch(/^[0-9a-f]{32}$/);
    expect(notes.data.size).toBe(String(Buffer.byteLength('こんにちは 👋 world')));
    expect(notes.data.headRevisionId).toBeTruthy();
    const doc = await d.files.get({ fileId: f['plan']!.id, fields: '*' });
    expect(doc.data.md5Checksum).toBeUndefined();
    expect(doc.data.webViewLink).toBe(`https://docs.google.com/document/d/${f['plan']!.id}/edit?usp=drivesdk`);
    expect(doc.data.owners?.[0]?.emailAddress).toBe(ALICE);
    expect((await d.files.get({ fileId: f['shortcut']!.id, fields: 'shortcutDetails' })).data.shortcutDetails).toEqual({ targetId: f['plan']!.id, targetMimeType: DOC });
    expect(Object.keys((await d.files.get({ fileId: f['notes']!.id })).data).sort()).toEqual(['id', 'kind', 'mimeType', 'name']);
  });

  it('evaluates q with and/or/not, parentheses, dates; refuses bad q, fields and parameters', async () => {
    const d = client(emu.accessToken(ALICE));
    const q = `'${f['projects']!.id}' in parents and (mimeType = 'text/plain' or name contains 'plan') and not name contains 'empty' and modifiedTime > '2000-01-01T00:00:00'`;
    const names = (await d.files.list({ q, fields: 'files(name)' })).data.files!.map((x) => x.name).sort();
    expect(names).toEqual(['Plan link', 'Plan 🚀 計画', 'notes.txt']);
    expect(reason(await failure(d.files.list({ q: "name contans 'x'" })))).toBe('invalid');
    const bad = await failure(d.files.list({ fields: 'files(id,nope)' }));
    expect([bad.status, reason(bad)]).toEqual([400, 'invalidParameter']);
    expect((await failure(d.files.list({ pageSize: 1001 }))).status).toBe(400);
    expect((await failure(d.files.list({ bogus: 1 } as drive_v3.Params$Resource$Files$List))).status).toBe(400);
    expect(shapeDiff(ERROR_PAGE_TOKEN, (await failure(d.files.list({ pageToken: 'BOGUS' }))).response?.data)).toEqual([]);
  });

  it('downloads bytes exactly, refuses Docs downloads, exports Docs / Sheets / Slides as documented', async () => {
    const d = client(emu.accessToken(ALICE));
    const media = await d.files.get({ fileId: f['notes']!.id, alt: 'media' }, { responseType: 'arraybuffer' });
    expect(Buffer.from(media.data as unknown as ArrayBuffer).toString('utf8')).toBe('こんにちは 👋 world');
    const empty = await d.files.get({ fileId: f['empty']!.id, alt: 'media' }, { responseType: 'arraybuffer' });
    expect((empty.data as unknown as ArrayBuffer).byteLength).toBe(0);
    expect(reason(await failure(d.files.get({ fileId: f['plan']!.id, alt: 'media' })))).toBe('fileNotDownloadable');
    const text = async (fileId: string, mimeType: string): Promise<string> =>
      Buffer.from((await d.files.export({ fileId, mimeType }, { responseType: 'arraybuffer' })).data as ArrayBuffer).toString('utf8');
    expect(await text(f['plan']!.id, 'text/markdown')).toBe('# Roadmap\n\nShip the 同期 feature 🎉\n\n* one\n');
    expect(await text(f['plan']!.id, 'text/plain')).toBe('\ufeffRoadmap\r\nShip the 同期 feature 🎉\r\n* one');
    expect(await text(f['sheet']!.id, 'text/csv')).toBe('item,cost\r\n"tea, green",3');
    expect(await text(f['slides']!.id, 'text/plain')).toBe('Title slide\r\n\r\nSecond');
    const big = await failure(d.files.export({ fileId: f['big']!.id, mimeType: 'text/plain' }));
    expect([big.status, shapeDiff(ERROR_EXPORT_SIZE, big.response?.data)]).toEqual([403, []]);
    expect((await failure(d.files.export({ fileId: f['form']!.id, mimeType: 'text/plain' }))).status).toBe(400);
  });

  it('shows each user only what they may see: groups, link-only shares, shared drives', async () => {
    const d = client(emu.accessToken(BOB));
    expect((await failure(d.files.get({ fileId: f['secret']!.id }))).status).toBe(404);
    expect((await d.files.get({ fileId: f['link']!.id })).data.name).toBe('link-only.txt');
    const listed = (await d.files.list({ pageSize: 1000, fields: 'files(id)' })).data.files!.map((x) => x.id);
    expect(listed).toContain(f['plan']!.id);
    expect(listed).not.toContain(f['link']!.id);
    expect(listed).not.toContain(f['specs']!.id);
    const inDrive = await d.files.list({ corpora: 'drive', driveId, includeItemsFromAllDrives: true, supportsAllDrives: true, fields: 'files(id,driveId)' });
    expect(inDrive.data.files).toEqual([{ id: f['specs']!.id, driveId }]);
    expect((await failure(d.files.get({ fileId: f['specs']!.id }))).status).toBe(404);
    expect((await d.drives.list({})).data.drives!.map((x) => x.name)).toEqual(['Engineering']);
    expect(reason(await failure(d.permissions.list({ fileId: f['plan']!.id })))).toBe('insufficientFilePermissions');
    const perms = await client(emu.accessToken(ALICE)).permissions.list({ fileId: f['plan']!.id, fields: 'permissions(type,role,emailAddress)' });
    expect(perms.data.permissions).toEqual(expect.arrayContaining([{ type: 'user', role: 'owner', emailAddress: ALICE }, { type: 'group', role: 'reader', emailAddress: 'eng@example.com' }]));
  });
});

describe('changes', () => {
  async function drain(d: drive_v3.Drive, pageToken: string, extra: Partial<drive_v3.Params$Resource$Changes$List> = {}): Promise<{ changes: drive_v3.Schema$Change[]; next: string }> {
    const changes: drive_v3.Schema$Change[] = [];
    let token = pageToken;
    for (;;) {
      const res = await d.changes.list({ pageToken: token, pageSize: 1, fields: 'nextPageToken,newStartPageToken,changes(changeType,time,removed,fileId,driveId,file(id,name,trashed,parents))', ...extra });
      changes.push(...(res.data.changes ?? []));
      if (res.data.newStartPageToken) return { changes, next: res.data.newStartPageToken };
      token = res.data.nextPageToken!;
    }
  }

  it('lists each changed item once at its latest position, with trash, tombstones and lost access', async () => {
    const d = client(emu.accessToken(BOB));
    const start = (await d.changes.getStartPageToken({})).data;
    expect(shapeDiff(START_PAGE_TOKEN, start)).toEqual([]);
    emu.editContent(f['notes']!.id, 'v2');
    emu.rename(f['readme']!.id, 'LIES.md');
    emu.editContent(f['notes']!.id, 'v3 ✓');
    emu.trash(f['csv']!.id);
    emu.deleteForever(f['pdf']!.id);
    const sub = emu.addFolder('Archive', { owner: ALICE, parent: f['projects']!.id });
    emu.move(f['docx']!.id, sub.id);
    emu.editContent(f['secret']!.id, 'bob never sees this');
    const { changes, next } = await drain(d, start.startPageToken!);
    expect(changes.map((c) => c.fileId)).toEqual([f['readme']!.id, f['notes']!.id, f['csv']!.id, f['pdf']!.id, sub.id, f['docx']!.id]);
    expect(changes[0]!.file!.name).toBe('LIES.md');
    expect(changes[2]!.file!.trashed).toBe(true);
    expect(changes[3]).toMatchObject({ removed: true });
    expect(changes[3]!.file).toBeUndefined();
    expect(changes[5]!.file!.parents).toEqual([sub.id]);
    const raw = await d.changes.list({ pageToken: start.startPageToken! });
    expect(shapeDiff(CHANGE_LIST, raw.data)).toEqual([]);
    const perm = emu.share(f['secret']!.id, { type: 'user', role: 'reader', emailAddress: BOB });
    emu.unshare(f['secret']!.id, perm.id);
    const lost = await drain(d, next);
    expect(lost.changes).toEqual([expect.objectContaining({ fileId: f['secret']!.id, removed: true })]);
    expect((await drain(d, next, { includeRemoved: false })).changes).toEqual([]);
    expect(shapeDiff(ERROR_PAGE_TOKEN, (await failure(d.changes.list({ pageToken: 'nope' }))).response?.data)).toEqual([]);
    expect((await failure(d.changes.list({ pageToken: '99999999' }))).status).toBe(400);
  });

  it('keeps a shared drive log of its own, and reports lost membership as removal', async () => {
    const d = client(emu.accessToken(BOB));
    const start = (await d.changes.getStartPageToken({ driveId, supportsAllDrives: true })).data.startPageToken!;
    const userStart = (await d.changes.getStartPageToken({})).data.startPageToken!;
    emu.editContent(f['specs']!.id, ['v2 of the spec']);
    const inDrive = await drain(d, start, { driveId, supportsAllDrives: true, includeItemsFromAllDrives: true });
    expect(inDrive.changes.map((c) => c.fileId)).toEqual([f['specs']!.id]);
    expect((await drain(d, userStart)).changes).toEqual([]);
    emu.setDriveMembers(driveId, [{ email: ALICE, role: 'organizer' }]);
    const gone = await drain(d, userStart, { supportsAllDrives: true, includeItemsFromAllDrives: true });
    expect(gone.changes).toEqual(expect.arrayContaining([
      expect.objectContaining({ changeType: 'drive', driveId, removed: true }),
      expect.objectContaining({ fileId: f['specs']!.id, removed: true }),
    ]));
    emu.setDriveMembers(driveId, [{ email: ALICE, role: 'organizer' }, { email: BOB, role: 'reader' }]);
  });
});

describe('push notifications', () => {
  it('sends sync then batched change notifications, stops on channels.stop and after expiry', async () => {
    const d = client(emu.accessToken(ALICE));
    const pageToken = (await d.changes.getStartPageToken({})).data.startPageToken!;
    received.length = 0;
    const far = Date.now() + offset + 30 * 86_400_000;
    const ch = await d.changes.watch({ pageToken, requestBody: { id: 'chan-1', type: 'web_hook', address: hookUrl, token: 'secret-token', expiration: String(far) } });
    expect(shapeDiff(CHANNEL_RESPONSE, ch.data)).toEqual([]);
    expect(Number(ch.data.expiration)).toBeLessThanOrEqual(Date.now() + offset + MAX_CHANNEL_TTL_MS);
    await emu.flushNotifications();
    expect(received).toHaveLength(1);
    expect(shapeDiff(SYNC_HEADERS, received[0])).toEqual([]);
    expect(received[0]!['x-goog-resource-state']).toBe('sync');
    expect(received[0]!['x-goog-channel-token']).toBe('secret-token');
    emu.rename(f['plan']!.id, 'Plan v2');
    emu.rename(f['plan']!.id, 'Plan v3');
    await new Promise((r) => setTimeout(r, 30));
    await emu.flushNotifications();
    expect(received.map((h) => [h['x-goog-resource-state'], h['x-goog-message-number']])).toEqual([['sync', '1'], ['change', '2']]);
    expect(received[1]!['x-goog-resource-id']).toBe(ch.data.resourceId);
    await d.channels.stop({ requestBody: { id: ch.data.id!, resourceId: ch.data.resourceId! } });
    emu.rename(f['plan']!.id, 'Plan v4');
    await emu.flushNotifications();
    expect(received).toHaveLength(2);
    const short = await d.changes.watch({ pageToken, requestBody: { id: 'chan-2', type: 'web_hook', address: hookUrl } });
    expect(Number(short.data.expiration)).toBe(emu.channels().find((c) => c.id === 'chan-2')!.expiration);
    await emu.flushNotifications();
    offset += 3_600_001;
    emu.rename(f['plan']!.id, 'Plan v5');
    await emu.flushNotifications();
    offset -= 3_600_001;
    expect(received.map((h) => h['x-goog-resource-state'])).toEqual(['sync', 'change', 'sync']);
    expect(emu.notifications().every((n) => n.status === 200)).toBe(true);
    expect((await failure(d.channels.stop({ requestBody: { id: 'nope', resourceId: 'x' } }))).status).toBe(404);
  });
});

describe('limits and faults', () => {
  it('answers 403 userRateLimitExceeded or 429 rateLimitExceeded over the per-user quota', async () => {
    const d = client(emu.accessToken(ALICE), false);
    emu.setRateLimit({ perUser: 2, windowMs: 60_000, status: 403 });
    await d.files.list({});
    await d.files.list({});
    const e403 = await failure(d.files.list({}));
    expect(shapeDiff(ERROR_USER_RATE, e403.response?.data)).toEqual([]);
    emu.setRateLimit({ perUser: 1, status: 429 });
    await d.files.list({});
    const e429 = await failure(d.files.list({}));
    expect([e429.status, shapeDiff(ERROR_429, e429.response?.data)]).toEqual([429, []]);
    offset += 60_001;
    await d.files.list({});
    offset -= 60_001;
    emu.setRateLimit(false);
  });

  it('injects backendError; the SDK retries 5xx and 429 and then succeeds', async () => {
    const d = client(emu.accessToken(ALICE));
    emu.clearRequests();
    emu.failNext('files.list', 2, 503);
    expect((await d.files.list({})).status).toBe(200);
    expect(emu.requests().map((r) => r.status)).toEqual([503, 503, 200]);
    emu.failNext('changes.getStartPageToken', 1, 429);
    await d.changes.getStartPageToken({});
    expect(emu.counts()['changes.getStartPageToken']).toBe(2);
    emu.failNext('files.get', 1, 500);
    const e = await failure(client(emu.accessToken(ALICE), false).files.get({ fileId: f['notes']!.id }));
    expect([e.status, reason(e)]).toEqual([500, 'backendError']);
  });
});
