/**
 * The Telegram Desktop export as a one-time backfill: a chat imported from `result.json` gets
 * the same document ids, texts and versions a pass through MTProto gives it, so the MTProto
 * passes that follow continue the import instead of duplicating it; the first pass reads from
 * Telegram only what is newer than the export and the edit window; no later pass, full or not,
 * imports a chat again (which would bring back what was deleted since).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SourceState, StateStore } from '../../shared/ports/index.ts';
import { ConfigError } from '../../shared/core/errors.ts';
import { exportAccount, exportChat, span } from '../emulators/telegram.ts';
import { BOB, BOB_ID, byId, CAROL, CREW, CREW_ID, FAMILY, FAMILY_ID, FORUM, FORUM_ID, NEWS, TelegramFixture, turnsOf } from './telegram-fixtures.ts';

const DAY = 86_400;

describe('Telegram Desktop export import', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tributary-tg-export-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Twenty days of every kind of chat and message, with edits, replies in forum topics and deletions. */
  function history(f: TelegramFixture): void {
    const w = f.world;
    const deploys = w.createTopic(FORUM, 'Deploys', 0x6fb9f0, BOB);
    for (let d = 0; d < 20; d++) {
      const root = w.post({ chat: FORUM, from: BOB, topic: deploys, text: `deploy ${d} started` });
      w.post({ chat: FORUM, from: CAROL, topic: deploys, replyTo: root.id, text: `deploy ${d} looks fine` });
      w.post({ chat: FORUM, from: CAROL, text: `general chatter ${d}` });
      const text = `release notes ${d} are here`;
      const post = w.post({ chat: NEWS, from: 'channel', text, entities: [{ type: 'text_link', url: `https://x.io/${d}`, ...span(text, 'here') }] });
      if (d % 5 === 0) w.edit(NEWS, post.id, `${text} (updated)`, [{ type: 'text_link', url: `https://x.io/${d}`, ...span(text, 'here') }]);
      w.post({ chat: FAMILY, from: d % 2 ? BOB : CAROL, text: `family ${d}`, ...(d % 7 === 0 ? { media: { kind: 'photo', width: 10, height: 10, size: 9 } } : {}) });
      const gone = w.post({ chat: BOB, from: BOB, text: `private ${d}`, ...(d % 4 === 0 ? { media: { kind: 'document', fileName: `f${d}.pdf`, mimeType: 'application/pdf', size: 3 } } : {}) });
      if (d % 6 === 0) w.remove(BOB, gone.id);
      w.post({ chat: CREW, from: CAROL, text: `crew ${d}`, forward: { kind: 'hidden_user', name: 'Secret Sam', date: 1 } });
      f.tick(DAY);
    }
  }

  it('imports chats with the ids and versions MTProto gives them, reading only what is newer than the export and the edit window', async () => {
    // Prepare: the history, exported (on a machine three hours east of UTC), then a few changes.
    const f = new TelegramFixture('2026-02-01T10:00:00Z').seed();
    history(f);
    const path = join(dir, 'result.json');
    writeFileSync(path, exportAccount(f.world, [FORUM, NEWS, FAMILY, BOB, CREW], { utcOffsetMinutes: 180 }));
    f.tick(3600);
    f.world.post({ chat: FAMILY, from: BOB, text: 'after the export' });
    const lastDeploy = f.world.history(FORUM).filter((m) => m.text.startsWith('deploy 19 started'))[0]!;
    f.world.edit(FORUM, lastDeploy.id, 'deploy 19 started (rolled back)');

    // Act: one source imports the export; another reads everything through MTProto.
    const imported = await f.pass(f.connector({ desktopExport: path, pageSize: 20 }));
    const mtproto = await f.pass(f.connector({ pageSize: 20 }), { full: true });

    // Assess: the same documents, byte for byte.
    const a = byId(imported.docs);
    const b = byId(mtproto.docs);
    expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
    for (const [id, doc] of b) expect(a.get(id), id).toEqual(doc);
    expect(a.size).toBeGreaterThan(80);
    expect(turnsOf(a.get(`${FORUM_ID}/topic-2/2026-02-20`))).toEqual(['Bob Builder: deploy 19 started (rolled back)', 'Carol: deploy 19 looks fine']);
    // Telegram was read for the edit window only: one page per chat, and the forum topic's title by id.
    expect(imported.calls.filter((c) => c.request === 'messages.GetHistory')).toHaveLength(5);
    expect(imported.calls.filter((c) => c.request === 'channels.GetMessages').map((c) => c.args['id'])).toEqual([[2]]);
    expect(mtproto.history).toBe(11); // every message, 20 a page (the open day of a page carried, not read twice)
  });

  it('continues an imported chat from the export\'s highest id, and never imports it again, not even in a full pass', async () => {
    // Prepare: an import, then an old exported message deleted in Telegram.
    const f = new TelegramFixture('2026-02-01T10:00:00Z').seed();
    history(f);
    const path = join(dir, 'family.json');
    writeFileSync(path, exportChat(f.world, FAMILY));
    f.tick(3 * DAY);
    // The source's state as the core keeps it: the cursor the last completed pass ended with (its feed).
    const source = async (): Promise<SourceState> => ({ sourceId: 'tg', epoch: 1, rerunRequested: false, consecutiveFailures: 0, ...(f.lastFeed ? { feed: f.lastFeed } : {}) });
    const state = { getSource: source } as unknown as StateStore;
    const connector = f.connector({ chats: [FAMILY_ID], desktopExport: path }, { state });
    const first = await f.pass(connector);
    const oldest = f.world.history(FAMILY).find((m) => m.text === 'family 0')!;
    f.world.remove(FAMILY, oldest.id);
    f.tick(60);

    // Act: new messages arrive; an incremental pass; then a full pass (`sync --full`).
    f.world.post({ chat: FAMILY, from: BOB, text: 'back from holiday' });
    const incremental = await f.pass(connector);
    const full = await f.pass(connector, { full: true });

    // Assess
    expect(first.history).toBe(0);
    expect(first.docs).toHaveLength(20);
    expect(incremental.refs.map((r) => r.id)).toEqual([`${FAMILY_ID}/2026-02-24`]);
    expect(incremental.history).toBe(1);
    const day0 = full.docs.find((d) => d.id === `${FAMILY_ID}/2026-02-01`);
    expect(day0).toBeUndefined(); // read from Telegram: the deleted message is gone, not brought back by the export
    expect(full.docs).toHaveLength(20);
  });

  it('reports an exported chat the account no longer has, and refuses a file that is not an export with the key and the fix', async () => {
    // Prepare
    const f = new TelegramFixture('2026-02-01T10:00:00Z').seed();
    history(f);
    const path = join(dir, 'result.json');
    writeFileSync(path, exportAccount(f.world, [CREW, BOB]));
    f.world.chats.delete(CREW);
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, JSON.stringify({ hello: 'world' }));

    // Act
    const pass = await f.pass(f.connector({ desktopExport: path }));
    const error = await f.connector({ desktopExport: broken }).pull(undefined, { snapshotAt: new Date(f.clock).toISOString(), full: true }).catch((e: unknown) => e);

    // Assess
    expect(pass.skipped).toEqual([{ id: `${CREW_ID}/`, prefix: true, reason: expect.stringMatching(/export holds chat -1001700000001 \(21 messages\), which is not among the account's dialogs/) }]);
    expect(pass.docs.filter((d) => d.id.startsWith(`${BOB_ID}/`))).toHaveLength(16);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/desktopExport .*broken\.json is not a Telegram Desktop JSON export.*export the chat again from Telegram Desktop/);
  });
});
