/**
 * A Telegram source through the real CLI (`tributary sync` / `export` as child processes), its
 * GramJS client the fake installed in the child through the connector's test seam: the initial
 * sync indexes every message exactly once; a new message re-embeds one chunk; an edit and two
 * deletions inside the edit window reach the index at the next sync; a sync with no change makes
 * no embedding call and no write; a source backfilled from a Telegram Desktop export ends with
 * exactly the index of the source that read everything through MTProto, having read a fraction;
 * and the session string appears in no output and no file the CLI wrote.
 */
import { copyFileSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dayOfMs } from '../../shared/connectors/kit/days.ts';
import { exportAccount, type StoredMessage } from '../emulators/telegram.ts';
import { byDocument, exportKeys, killStragglers } from './support/cli.ts';
import { eveningZone, historyStats, SESSION, TelegramCliWorkspace } from './support/telegram.ts';

const TIMEOUT = 240_000;
const BOB = 42;
const CAROL = 43;
const FORUM = 1500000001;
const NEWS = 1600000001;
const FAMILY = 900001;
const FORUM_ID = '-1001500000001';
const NEWS_ID = '-1001600000001';
const FAMILY_ID = '-900001';
/** Days of the source and of the expectations: it is about 18:00 there now, so no test day straddles midnight. */
const ZONE = eveningZone();

const workspaces: TelegramCliWorkspace[] = [];
afterAll(async () => {
  await killStragglers();
  for (const w of workspaces) await w.remove();
});

const NAMES: Record<number, string> = { [BOB]: 'Bob Builder', [CAROL]: 'Carol', 5000000001: 'Ada Lovelace' };

/** The turn the source renders for a plain text message. */
function turn(m: StoredMessage): string {
  if (m.sender.kind === 'channel') return `Announcements: ${m.text}`;
  return `${NAMES[(m.sender as { userId: number }).userId]}: ${m.text}`;
}

/** The document a message belongs to (chat-day, or topic-day in the forum). */
function docOf(chatId: string, m: StoredMessage): string {
  const day = dayOfMs(m.date * 1000, ZONE);
  return m.topicId !== undefined ? `${chatId}/topic-${m.topicId}/${day}` : `${chatId}/${day}`;
}

const MARKED: Record<number, string> = { [FORUM]: FORUM_ID, [NEWS]: NEWS_ID, [FAMILY]: FAMILY_ID, [BOB]: String(BOB) };

/** `days` days of four chats (six by default), today's forum day long enough for several chunks. */
async function seeded(name: string, days = 6): Promise<{ tg: TelegramCliWorkspace; deploys: number }> {
  const start = Date.now() - (days - 1) * 86_400_000 - 2 * 3_600_000;
  const tg = await TelegramCliWorkspace.create(name, start, { timezone: ZONE });
  workspaces.push(tg);
  const w = tg.log;
  w.addUser({ id: BOB, firstName: 'Bob', lastName: 'Builder' });
  w.addUser({ id: CAROL, firstName: 'Carol' });
  w.addChat({ id: FORUM, kind: 'supergroup', title: 'Engineering', username: 'eng_team', forum: true, members: [BOB, CAROL] });
  w.addChat({ id: NEWS, kind: 'channel', title: 'Announcements', username: 'tributary_news' });
  w.addChat({ id: FAMILY, kind: 'group', title: 'Family', members: [BOB] });
  w.addChat({ id: BOB, kind: 'private', peer: BOB });
  const deploys = w.createTopic(FORUM, 'Deploys', BOB);
  const posts: Array<{ at: number; input: Parameters<typeof w.post>[0] }> = [];
  for (let d = 0; d < days; d++) {
    const day = start + d * 86_400_000;
    const general = d === days - 1 ? 40 : 3;
    for (let i = 0; i < general; i++) posts.push({ at: day + i * 60_000, input: { chat: FORUM, from: i % 2 ? BOB : CAROL, text: `day ${d} standup note ${i}: the build of service ${i} is green again after the flaky test was quarantined` } });
    for (let i = 0; i < 2; i++) posts.push({ at: day + (50 + i) * 60_000, input: { chat: FORUM, from: BOB, topic: deploys, text: `day ${d} deploy ${i} to production` } });
    posts.push({ at: day + 55 * 60_000, input: { chat: NEWS, from: 'channel', text: `day ${d} release notes` } });
    for (let i = 0; i < 2; i++) posts.push({ at: day + (56 + i) * 60_000, input: { chat: FAMILY, from: i ? BOB : CAROL, text: `day ${d} family message ${i}` } });
    posts.push({ at: day + 58 * 60_000, input: { chat: BOB, from: d % 2 ? BOB : 5000000001, text: `day ${d} private note` } });
  }
  w.postMany(posts.sort((a, b) => a.at - b.at));
  return { tg, deploys };
}

/** Every indexed chunk text of each document, joined, and the expected turns of the world now. */
function expected(tg: TelegramCliWorkspace): Map<string, string[]> {
  const docs = new Map<string, string[]>();
  for (const chat of [FORUM, NEWS, FAMILY, BOB]) {
    for (const m of tg.world.history(chat)) {
      if (m.service) continue;
      const id = docOf(MARKED[chat]!, m);
      docs.set(id, [...(docs.get(id) ?? []), turn(m)]);
    }
  }
  return docs;
}

describe('telegram source through `tributary sync`', () => {
  it('syncs exactly, then a new message, an edit, deletions and no change, each with the least work', async () => {
    // Prepare
    const { tg } = await seeded('telegram');

    // Act 1: the initial sync.
    const initial = await tg.sync();
    const rows = await tg.rows();

    // Assess 1: every message indexed once, in its day's document, in order.
    const want = expected(tg);
    expect(initial.report).toMatchObject({ status: 'synced', docsChanged: want.size, docsDeleted: 0, tasksFailed: 0, docsSkipped: 0 });
    const got = byDocument(rows);
    expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
    for (const [id, turns] of want) expect(got.get(id)!.map((r) => r.text).join('\n').split('\n'), id).toEqual(turns);
    const today = [...got.entries()].find(([id, list]) => id.startsWith(`${FORUM_ID}/`) && !id.includes('topic') && list.length > 1)!;
    expect(today[1].length).toBeGreaterThan(2);

    // Act 2: one new message in today's long forum day.
    tg.log.clock = Date.now() - 60_000;
    const added = tg.log.post({ chat: FORUM, from: CAROL, text: 'a kangaroo reviewed the pull request' });
    const afterNew = await tg.sync();

    // Assess 2: that day only; its last chunk re-embedded, nothing else.
    expect(afterNew.report).toMatchObject({ docsChanged: 1, chunksEmbedded: 1, embeddingCalls: 1, docsDeleted: 0 });
    const newRows = byDocument(await tg.rows()).get(docOf(FORUM_ID, added))!;
    expect(newRows.at(-1)!.text.split('\n').at(-1)).toBe('Carol: a kangaroo reviewed the pull request');
    expect(newRows.slice(0, -1).map((r) => r.hash)).toEqual(today[1].slice(0, newRows.length - 1).map((r) => r.hash));

    // Act 3: an edit and two deletions inside the 48 h edit window.
    const family = tg.world.history(FAMILY).filter((m) => !m.service);
    const yesterdayFamily = family.at(-3)!; // day 4, message 1
    tg.log.edit(FAMILY, yesterdayFamily.id, 'day 4 family message 1, edited: dinner moved to eight');
    const doomedFamily = family.at(-1)!; // day 5, message 1: its day keeps message 0
    tg.log.remove(FAMILY, doomedFamily.id);
    const lonely = tg.world.history(BOB).at(-2)!; // day 4's only private note: its day is left empty
    tg.log.remove(BOB, lonely.id);
    const afterChanges = await tg.sync();
    const changedRows = byDocument(await tg.rows());

    // Assess 3
    expect(afterChanges.report).toMatchObject({ docsChanged: 2, docsDeleted: 1, tasksFailed: 0 });
    expect(changedRows.get(docOf(FAMILY_ID, yesterdayFamily))!.map((r) => r.text).join('\n')).toContain('dinner moved to eight');
    expect(changedRows.get(docOf(FAMILY_ID, doomedFamily))!.map((r) => r.text).join('\n')).not.toContain(doomedFamily.text);
    expect(changedRows.has(docOf(String(BOB), lonely))).toBe(false);
    expect([...changedRows.keys()].sort()).toEqual([...expected(tg).keys()].sort());

    // Act 4: nothing changes.
    const quiet = await tg.sync();

    // Assess 4: no embedding call, no write; Telegram read for the edit window only.
    expect(quiet.report).toMatchObject({ docsChanged: 0, docsDeleted: 0, embeddingCalls: 0, chunksEmbedded: 0, tokensEmbedded: 0, vectorsUpserted: 0, vectorsDeleted: 0 });
    const stats = historyStats(quiet.calls);
    expect(stats.dialogs).toBe(1);
    expect(stats.getHistory).toBe(4); // one page per chat with messages in the last 48 h

    // Assess: the session string is nowhere the CLI wrote.
    assertNoSession(tg);
  }, TIMEOUT);

  it('backfills from a Telegram Desktop export to exactly the index a full MTProto read builds, reading a fraction', async () => {
    // Prepare: the same world twice; one source imports an export of it.
    const { tg: mtproto } = await seeded('telegram-mtproto', 30);
    const { tg: imported } = await seeded('telegram-import', 30);
    const exportPath = join(imported.ws.dir, 'result.json');
    writeFileSync(exportPath, exportAccount(imported.world, [FORUM, NEWS, FAMILY, BOB], { utcOffsetMinutes: -300 }));
    await imported.configure({ desktopExport: './result.json', pageSize: 10, timezone: ZONE });
    await mtproto.configure({ pageSize: 10, timezone: ZONE });
    for (const w of [mtproto, imported]) {
      w.log.clock = Date.now() - 30_000;
      w.log.post({ chat: FAMILY, from: BOB, text: 'posted after the export' });
    }

    // Act
    const full = await mtproto.sync();
    const backfill = await imported.sync();
    const again = await imported.sync();

    // Assess: the same chunks, ids and hashes; far fewer requests; the next sync continues with no work.
    expect(exportKeys(await imported.rows())).toEqual(exportKeys(await mtproto.rows()));
    expect(backfill.report).toMatchObject({ status: 'synced', docsChanged: full.report.docsChanged, tasksFailed: 0 });
    const [a, b] = [historyStats(full.calls), historyStats(backfill.calls)];
    expect(b.getHistory).toBeLessThan(a.getHistory);
    expect(b.messagesRead).toBeLessThan(a.messagesRead / 2); // the edit window and what is newer than the export
    expect(again.report).toMatchObject({ docsChanged: 0, embeddingCalls: 0, vectorsUpserted: 0, vectorsDeleted: 0 });
    assertNoSession(imported);
    copyFileSync(exportPath, join(imported.ws.dir, 'result.copy.json')); // the file is left as it was: read, never written
    expect(readFileSync(exportPath, 'utf8')).toBe(readFileSync(join(imported.ws.dir, 'result.copy.json'), 'utf8'));
  }, TIMEOUT);
});

/** The session string in no stdout or stderr of any run, and in no file under the workspace's state folder. */
function assertNoSession(tg: TelegramCliWorkspace): void {
  for (const out of tg.outputs) {
    expect(out.stdout.includes(SESSION) || out.stderr.includes(SESSION), out.args.join(' ')).toBe(false);
  }
  const walk = (dir: string): string[] => readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
  for (const file of walk(tg.ws.stateDir)) expect(readFileSync(file).includes(SESSION), file).toBe(false);
}
