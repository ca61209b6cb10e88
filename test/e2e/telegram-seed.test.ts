/**
 * The Telegram seed scenario, through the real CLI: 10,000 messages in six chats (a forum with
 * topics, a channel, groups, private chats) over sixty days are synced; 50 new ones arrive; the
 * next sync asks Telegram for those 50 messages only and embeds only their text; the one after
 * makes no embedding call and no write. A second account whose chats were active within the last
 * hour shows the price of the edit window: the next sync reads the last 48 hours again (and
 * still embeds only the new text). The numbers are printed (docs/sources/telegram.md quotes
 * them): `npx vitest run test/e2e/telegram-seed.test.ts`.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../support/rng.ts';
import { killStragglers, type SyncSourceReport } from './support/cli.ts';
import { eveningZone, historyStats, TelegramCliWorkspace, type FakeCallLine } from './support/telegram.ts';

const TIMEOUT = 600_000;
/** It is about 18:00 there now: the 50 new messages share today, whenever the test runs. */
const ZONE = eveningZone();
const PEOPLE = [42, 43, 44, 45, 46, 47, 48, 49];
const NAMES = ['Bob', 'Carol', 'Dan', 'Erin', 'Frank', 'Grace', 'Heidi', 'Ivan'];
const FORUM = 1500000001;
const NEWS = 1600000001;
const FAMILY = 900001;
const CREW = 1700000001;
const WORDS = (
  'build deploy release review merge branch test flaky green red pipeline cache latency incident pager rollback migration schema index query '
  + 'dinner weekend holiday trip tickets birthday coffee lunch meeting agenda notes draft budget invoice customer ticket support feature bug'
).split(' ');

const workspaces: TelegramCliWorkspace[] = [];
afterAll(async () => {
  await killStragglers();
  for (const w of workspaces) await w.remove();
});

function sentence(rng: Rng, i: number): string {
  const words = Array.from({ length: rng.int(6, 28) }, () => rng.pick(WORDS));
  return `${words.join(' ')} (#${i})`;
}

/** An account with 10,000 messages spread over sixty days, the newest `endAgoMs` before now. */
async function account(name: string, endAgoMs: number): Promise<{ tg: TelegramCliWorkspace; topics: number[] }> {
  const rng = new Rng(42);
  const end = Date.now() - endAgoMs;
  const start = end - 60 * 86_400_000;
  const tg = await TelegramCliWorkspace.create(name, start, { timezone: ZONE });
  workspaces.push(tg);
  const w = tg.log;
  PEOPLE.forEach((id, i) => w.addUser({ id, firstName: NAMES[i]!, ...(i % 2 ? { lastName: 'Example' } : {}) }));
  w.addChat({ id: FORUM, kind: 'supergroup', title: 'Engineering', username: 'eng_team', forum: true, members: PEOPLE });
  w.addChat({ id: NEWS, kind: 'channel', title: 'Announcements', username: 'tributary_news' });
  w.addChat({ id: FAMILY, kind: 'group', title: 'Family', members: [42, 43, 44] });
  w.addChat({ id: CREW, kind: 'supergroup', title: 'Crew', members: PEOPLE.slice(2) });
  w.addChat({ id: 42, kind: 'private', peer: 42 });
  w.addChat({ id: 43, kind: 'private', peer: 43 });
  const topics = [w.createTopic(FORUM, 'Deploys', 42), w.createTopic(FORUM, 'Incidents', 43)];
  const chats: Array<[number, number]> = [[FORUM, 0.4], [CREW, 0.25], [FAMILY, 0.15], [NEWS, 0.05], [42, 0.1], [43, 0.05]];
  const times = Array.from({ length: 10_000 }, () => start + Math.floor(rng.float() * (end - start))).sort((a, b) => a - b);
  w.postMany(times.map((at, i) => {
    let r = rng.float();
    const chat = chats.find(([, share]) => (r -= share) < 0)?.[0] ?? FORUM;
    const from = chat === NEWS ? 'channel' as const : chat === 42 || chat === 43 ? rng.pick([chat, 5000000001]) : rng.pick(PEOPLE);
    const topic = chat === FORUM && rng.chance(0.4) ? { topic: rng.pick(topics) } : {};
    return { at, input: { chat, from, text: sentence(rng, i), ...topic } };
  }));
  return { tg, topics };
}

/** 50 messages in the last few minutes: 30 in the forum's General topic, 12 in Crew, 8 in the private chat with Bob. */
function fifty(tg: TelegramCliWorkspace): void {
  const rng = new Rng(7);
  const w = tg.log;
  w.clock = Date.now() - 10 * 60_000;
  for (let i = 0; i < 50; i++) {
    w.tick(6);
    const chat = i < 30 ? FORUM : i < 42 ? CREW : 42;
    w.post({ chat, from: chat === 42 ? 42 : rng.pick(PEOPLE), text: `new ${sentence(rng, 20_000 + i)}` });
  }
}

interface Measured {
  readonly report: SyncSourceReport;
  readonly telegram: ReturnType<typeof historyStats>;
}

function measured(run: { report: SyncSourceReport; calls: FakeCallLine[] }): Measured {
  return { report: run.report, telegram: historyStats(run.calls) };
}

function line(what: string, m: Measured): string {
  const r = m.report;
  return `${what}: docs seen ${r.docsSeen}, changed ${r.docsChanged}, deleted ${r.docsDeleted}; `
    + `Telegram: ${m.telegram.dialogs} getDialogs, ${m.telegram.getHistory} getHistory, ${m.telegram.byIds} getMessages by id, ${m.telegram.messagesRead} messages returned; `
    + `embedding: ${r.chunksEmbedded} chunks in ${r.embeddingCalls} calls, ${r.tokensEmbedded} tokens; vectors ${r.vectorsUpserted} written, ${r.vectorsDeleted} deleted; ${(r.durationMs / 1000).toFixed(1)} s`;
}

describe('telegram seed scenario', () => {
  it('10,000 messages synced; 50 new arrive; the next sync reads and embeds only those', async () => {
    // Prepare: a history that ended three days ago (outside the 48 h edit window).
    const { tg } = await account('telegram-seed', 3 * 86_400_000);

    // Act
    const initial = measured(await tg.sync());
    fifty(tg);
    const next = measured(await tg.sync());
    const quiet = measured(await tg.sync());

    // Assess
    console.log(['seed scenario (history ended 3 days ago):', line('  initial', initial), line('  50 new', next), line('  no change', quiet)].join('\n'));
    expect(initial.report).toMatchObject({ status: 'synced', tasksFailed: 0, docsSkipped: 0 });
    expect(initial.telegram.messagesRead).toBeGreaterThanOrEqual(10_000);
    // Three documents (today in three chats), read with one request each, returning the 50 new messages and nothing else.
    expect(next.report).toMatchObject({ docsSeen: 3, docsChanged: 3, docsDeleted: 0, vectorsDeleted: 0 });
    expect(next.telegram).toMatchObject({ dialogs: 1, getHistory: 3, byIds: 0, messagesRead: 50 });
    expect(next.report.chunksEmbedded).toBe(next.report.vectorsUpserted);
    expect(next.report.tokensEmbedded).toBeLessThan(initial.report.tokensEmbedded / 100);
    expect(quiet.report).toMatchObject({ docsChanged: 0, embeddingCalls: 0, chunksEmbedded: 0, tokensEmbedded: 0, vectorsUpserted: 0, vectorsDeleted: 0 });
    expect(quiet.telegram).toMatchObject({ getHistory: 3, messagesRead: 50 }); // today's messages are in the edit window now
  }, TIMEOUT);

  it('with the chats active an hour ago, the next sync reads the 48 h edit window again and still embeds only the new text', async () => {
    // Prepare: the same history, ending an hour ago.
    const { tg } = await account('telegram-seed-recent', 3_600_000);

    // Act
    const initial = measured(await tg.sync());
    fifty(tg);
    const next = measured(await tg.sync());

    // Assess
    console.log(['seed scenario (history ended an hour ago):', line('  50 new', next)].join('\n'));
    expect(next.report).toMatchObject({ docsDeleted: 0, vectorsDeleted: 0, tasksFailed: 0 });
    expect(next.report.docsChanged).toBeLessThanOrEqual(3);
    expect(next.telegram.messagesRead).toBeGreaterThan(50);
    // Only the chunks the new messages changed are embedded and written (each day's last chunk and those after it).
    expect(next.report.chunksEmbedded).toBe(next.report.vectorsUpserted);
    expect(next.report.tokensEmbedded).toBeLessThan(initial.report.tokensEmbedded / 100);
  }, TIMEOUT);
});
