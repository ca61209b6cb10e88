/**
 * The gdrive connector against the Drive emulator, directly (no CLI): the change feed's removals,
 * trash and moves out of scope, shared drives, access from permissions, skips with reasons,
 * quota 403s retried, an invalid token → CursorExpiredError, a large folder paged to the end, and
 * the push webhook decoder (channels: ./gdrive-channels.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CursorExpiredError } from '../../shared/core/errors.ts';
import { channelToken, decodeGDriveWebhook } from '../../shared/connectors/gdrive/webhooks.ts';
import type { GDriveConnector } from '../../shared/connectors/gdrive/gdrive-connector.ts';
import type { Cursor, PullPage, PullWindow } from '../../shared/ports/index.ts';
import { startGDrive, type GDriveEmulator } from '../emulators/gdrive.ts';
import { connectorFromConfig } from './harnesses/harness.ts';

const SA = 'indexer@proj.iam.gserviceaccount.com';
const ALICE = 'alice@example.com';
const SECRET = 'channel-secret';
let emu: GDriveEmulator;
let key = '';

beforeAll(async () => {
  emu = await startGDrive({ notificationDelayMs: 5 });
  const sa = emu.addServiceAccount(SA);
  emu.addUser(ALICE, 'Alice');
  key = JSON.stringify({ client_email: sa.email, private_key: sa.privateKeyPem });
});
afterAll(() => emu.close());

function connector(extra: Record<string, unknown>): GDriveConnector {
  return connectorFromConfig({ id: 'drive', kind: 'gdrive', serviceAccountKeyEnv: 'K', apiUrl: emu.rootUrl, tokenUrl: emu.tokenUrl, ...extra }, {
    secret: (n) => (n === 'K' ? key : n === 'S' ? SECRET : undefined),
  }) as GDriveConnector;
}

async function pass(c: GDriveConnector, window: PullWindow): Promise<{ pages: PullPage[]; last: Cursor }> {
  const pages: PullPage[] = [];
  let cursor: Cursor | undefined;
  for (;;) {
    const page = await c.pull(cursor, window);
    pages.push(page);
    cursor = page.next;
    if (page.done) return { pages, last: page.next };
  }
}
const now = (): string => new Date().toISOString();
const changed = (pages: PullPage[]) => pages.flatMap((p) => p.changed.map((r) => r.id)).sort();
const deleted = (pages: PullPage[]) => pages.flatMap((p) => p.deleted).sort();

describe('gdrive connector', () => {
  it('walks a folder tree, then follows the change feed: edits, trash, removal, moves out of scope', async () => {
    const root = emu.addFolder('Root', { owner: SA });
    const sub = emu.addFolder('Sub', { owner: SA, parent: root.id });
    const a = emu.addBlob('a.md', 'text/markdown', '# A', { owner: SA, parent: root.id });
    const b = emu.addBlob('b.txt', 'text/plain', 'bee', { owner: SA, parent: sub.id });
    const c = emu.addBlob('c.txt', 'text/plain', 'sea', { owner: SA, parent: sub.id });
    const skippedOne = emu.addGoogleForm('Survey', { owner: SA, parent: root.id });
    emu.addBlob('x.log', 'text/plain', 'excluded', { owner: SA, parent: root.id });
    const elsewhere = emu.addFolder('Elsewhere', { owner: SA });
    const conn = connector({ folders: [root.id], pageSize: 2, exclude: ['*.log'] });
    const snapshotAt = now();
    const full = await pass(conn, { snapshotAt, full: true });
    expect(changed(full.pages)).toEqual([a.id, b.id, c.id].sort());
    expect(full.pages.flatMap((p) => p.skipped ?? [])).toEqual([{ id: skippedOne.id, reason: expect.stringMatching(/form files have no text export/) }]);
    expect(conn.reconcileAfterPass({ snapshotAt })).toBe(true);

    emu.editContent(a.id, '# A2');
    emu.trash(b.id);
    emu.move(c.id, elsewhere.id);
    emu.clearRequests();
    const fresh = connector({ folders: [root.id], pageSize: 2, exclude: ['*.log'] });
    const inc = await pass(fresh, { snapshotAt: now(), full: false, resume: full.last });
    expect(changed(inc.pages)).toEqual([a.id]);
    expect(deleted(inc.pages)).toEqual([b.id, c.id].sort());
    // Three changes, two per page; no files.get or files.list: scope is decided from the cursor's folders.
    expect(emu.counts()).toEqual({ token: 1, 'changes.list': 2 });
    const fetched = await fresh.fetch([a.id, b.id, c.id]);
    expect(fetched.documents.map((d) => [d.id, d.text, d.access])).toEqual([[a.id, '# A2', [`user:${SA}`]]]);

    // A folder leaving the scope asks for a reconcile; the list then no longer names its files.
    emu.move(sub.id, elsewhere.id);
    const left = await pass(fresh, { snapshotAt: 'left', full: false, resume: inc.last });
    expect(fresh.reconcileAfterPass({ snapshotAt: 'left' })).toBe(true);
    expect(left.pages.at(-1)!.done).toBe(true);
    const listed: string[] = [];
    for await (const d of fresh.list()) listed.push(d.id);
    expect(listed.sort()).toEqual([a.id, skippedOne.id].sort());

    // An unknown page token: the core must run a full pass.
    await expect(fresh.pull(undefined, { snapshotAt: now(), full: false, resume: { kind: 'changes', token: '999999', folders: {} } })).rejects.toBeInstanceOf(CursorExpiredError);
  });

  it('indexes a shared drive with access from permissions, retrying quota 403s', async () => {
    const drive = emu.addSharedDrive('Eng', [{ email: SA, role: 'organizer' }, { email: ALICE, role: 'reader' }]);
    const doc = emu.addGoogleDoc('Spec', [{ heading: 1, text: 'Spec' }, 'body'], { owner: SA, driveId: drive.id });
    emu.share(doc.id, { type: 'domain', role: 'reader', domain: 'example.com' });
    emu.share(doc.id, { type: 'anyone', role: 'reader' });
    const conn = connector({ sharedDrives: [drive.id] });
    (conn.api.http as unknown as { retry: { random: () => number } }).retry.random = () => 0;
    emu.failNext('files.list', 1, 403);
    const full = await pass(conn, { snapshotAt: now(), full: true });
    expect(changed(full.pages)).toEqual([doc.id]);
    const { documents } = await conn.fetch([doc.id]);
    expect(documents[0]).toMatchObject({ text: '# Spec\n\nbody\n', format: 'markdown', title: 'Spec' });
    expect(documents[0]!.access).toEqual(['group:domain:example.com', 'public', `user:${ALICE}`, `user:${SA}`]);
  });

  it('pages a folder of 2,500 files to the end', async () => {
    const big = emu.addFolder('Big', { owner: SA });
    for (let i = 0; i < 2500; i += 1) emu.addBlob(`f${i}.txt`, 'text/plain', `n${i}`, { owner: SA, parent: big.id });
    emu.clearRequests();
    const conn = connector({ folders: [big.id] });
    const full = await pass(conn, { snapshotAt: now(), full: true });
    expect(changed(full.pages)).toHaveLength(2500);
    expect(emu.count('files.list')).toBe(3);
  });
});

describe('gdrive push', () => {
  const channelId = 'tributary-drive-0d1f';
  const request = (headers: Record<string, string>) => ({ headers, rawBody: new Uint8Array(), body: '', secret: SECRET, nowMs: Date.now() });
  const good = { 'x-goog-channel-id': channelId, 'x-goog-channel-token': channelToken(SECRET, channelId), 'x-goog-resource-id': 'r1', 'x-goog-message-number': '2', 'x-goog-resource-state': 'change' };

  it('verifies the channel token, answers sync without a hint and change with one, dedupes by message number', () => {
    expect(decodeGDriveWebhook({ id: 'drive' }, request(good))).toMatchObject({ statusCode: 200, hints: { sourceId: 'drive', ids: [] }, delivery: { id: `${channelId}#r1#2` } });
    expect(decodeGDriveWebhook({ id: 'drive' }, request({ ...good, 'x-goog-resource-state': 'sync', 'x-goog-message-number': '1' })).hints).toBeUndefined();
    expect(() => decodeGDriveWebhook({ id: 'drive' }, request({ ...good, 'x-goog-channel-token': 'nope' }))).toThrow(expect.objectContaining({ statusCode: 401 }));
    expect(() => decodeGDriveWebhook({ id: 'other' }, request(good))).toThrow(expect.objectContaining({ statusCode: 401 }));
    expect(() => decodeGDriveWebhook({ id: 'drive' }, request({ ...good, 'x-goog-message-number': 'x' }))).toThrow(expect.objectContaining({ statusCode: 400 }));
    expect(() => decodeGDriveWebhook({ id: 'drive' }, request({ ...good, 'x-goog-resource-state': 'exists' }))).toThrow(expect.objectContaining({ statusCode: 400 }));
    expect(() => decodeGDriveWebhook({ id: 'drive' }, request({ ...good, 'x-goog-channel-expiration': new Date(Date.now() - 3_600_000).toUTCString() })))
      .toThrow(expect.objectContaining({ statusCode: 401 }));
  });
});
