/**
 * What the Telegram connector owes beyond the SourceConnector contract (registry-contract.test.ts),
 * against the GramJS fake: documents per chat-day and topic-day for every chat kind, incremental
 * passes that read only what is above each chat's position plus the edit window (quiet chats
 * cost no request), edits and deletions inside the window, whole days across pages and resumed
 * cursors, FLOOD_WAIT, and one chat's or one message's failure kept to itself.
 */
import bigInt from 'big-integer';
import { Api, errors } from 'telegram';
import { describe, expect, it } from 'vitest';
import { TelegramFloodWaitError } from '../../shared/connectors/telegram/errors.ts';
import type { TelegramHistoryClient } from '../../shared/connectors/telegram/history-client.ts';
import { ConfigError, TransientError } from '../../shared/core/errors.ts';
import type { Cursor, PullWindow } from '../../shared/ports/index.ts';
import { span } from '../emulators/telegram.ts';
import { collect, pullPass } from './source-connector.contract.ts';
import {
  BOB, BOB_ID, byId, CAROL, CREW, CREW_ID, FAMILY, FAMILY_ID, FORUM, FORUM_ID, NEWS, NEWS_ID, SECRETS, TelegramFixture, turnsOf,
} from './telegram-fixtures.ts';

const DAY = 86_400;

describe('TelegramConnector', () => {
  it('renders every chat kind as chat-day (or forum topic-day) conversation documents, with links and access', async () => {
    // Prepare
    const f = new TelegramFixture().seed();
    const w = f.world;
    const deploys = w.createTopic(FORUM, 'Deploys', 0x6fb9f0, BOB);
    w.post({ chat: FORUM, from: BOB, text: 'good morning' });
    f.tick(60);
    const text = 'shipped, see the notes';
    w.post({ chat: FORUM, from: CAROL, topic: deploys, text, entities: [{ type: 'text_link', url: 'https://x.io/notes', ...span(text, 'notes') }] });
    w.post({ chat: NEWS, from: 'channel', text: 'Release 1.0', media: { kind: 'photo', width: 800, height: 600, size: 1000 } });
    w.post({ chat: FAMILY, from: BOB, text: 'dinner at 7', forward: { kind: 'user', userId: CAROL, date: 1 } });
    w.post({ chat: FAMILY, from: BOB, text: 'hello' });
    w.service(FAMILY, { kind: 'new_chat_title', title: 'Family' });
    w.post({ chat: CREW, from: CAROL, text: 'the spec', media: { kind: 'document', fileName: 'spec.pdf', mimeType: 'application/pdf', size: 5 } });
    w.post({ chat: BOB, from: BOB, text: '', media: { kind: 'voice', duration: 3, size: 3 } });
    w.post({ chat: BOB, text: 'sure', media: { kind: 'sticker', emoji: '👍', setName: 'x', width: 1, height: 1, size: 1 } });

    // Act
    const pass = await f.pass(f.connector());

    // Assess
    const docs = byId(pass.docs);
    expect([...docs.keys()].sort()).toEqual([
      '-1001500000001/2026-03-02', '-1001500000001/topic-2/2026-03-02', '-1001600000001/2026-03-02', '-1001700000001/2026-03-02',
      '-900001/2026-03-02', '42/2026-03-02',
    ]);
    expect(docs.get(`${FORUM_ID}/topic-${deploys}/2026-03-02`)).toMatchObject({
      title: 'Engineering › Deploys — 2026-03-02', text: 'Carol: shipped, see the notes (https://x.io/notes)', format: 'conversation',
      access: ['public'], url: `https://t.me/eng_team/${deploys}/4`, metadata: { chatId: FORUM_ID, topicId: deploys, day: '2026-03-02', chatKind: 'supergroup' },
    });
    expect(docs.get(`${FORUM_ID}/2026-03-02`)).toMatchObject({ title: 'Engineering — 2026-03-02', text: 'Bob Builder: good morning', url: 'https://t.me/eng_team/3' });
    expect(docs.get(`${NEWS_ID}/2026-03-02`)).toMatchObject({ text: 'Announcements (Ada Lovelace): Release 1.0 [photo]', access: ['public'] });
    expect(turnsOf(docs.get(`${FAMILY_ID}/2026-03-02`))).toEqual(['Bob Builder: (forwarded from Carol) dinner at 7', 'Bob Builder: hello']);
    expect(docs.get(`${FAMILY_ID}/2026-03-02`)).toMatchObject({ access: [`group:${FAMILY_ID}`] });
    expect(docs.get(`${FAMILY_ID}/2026-03-02`)).not.toHaveProperty('url');
    expect(docs.get(`${CREW_ID}/2026-03-02`)).toMatchObject({ text: 'Carol: the spec [file: spec.pdf]', access: [`group:${CREW_ID}`], url: 'https://t.me/c/1700000001/2' });
    expect(docs.get(`${BOB_ID}/2026-03-02`)).toMatchObject({
      text: 'Bob Builder: [voice message]\u001eAda Lovelace: sure [sticker 👍]', access: [`user:${BOB_ID}`, `user:${w.me.id}`], title: 'Bob Builder — 2026-03-02',
    });
  });

  it('reads, in an incremental pass, only chats with new messages or messages in the edit window: quiet chats cost no request', async () => {
    // Prepare: every chat has messages five days old; a first (full) pass indexes them.
    const f = new TelegramFixture().seed();
    for (const chat of [FORUM, NEWS, FAMILY, CREW, BOB]) f.world.post({ chat, from: chat === NEWS ? 'channel' : BOB, text: `old news in ${chat}` });
    f.tick(5 * DAY);
    const connector = f.connector();
    const first = await f.pass(connector);
    f.tick(60);

    // Act: nothing happened; then one message in the basic group.
    const quiet = await f.pass(connector);
    f.tick(60);
    f.world.post({ chat: FAMILY, from: BOB, text: 'are we there yet' });
    const one = await f.pass(connector);

    // Assess
    expect(first.docs).toHaveLength(5);
    expect(quiet.history).toBe(0);
    expect(quiet.refs).toEqual([]);
    expect(quiet.calls.map((c) => c.request)).toEqual(['messages.GetDialogs']);
    expect(quiet.pages).toBe(1); // quiet chats are passed over within one pull: no cursor write each
    expect(one.history).toBe(1);
    expect(one.messagesRead).toBe(1); // just the new message: a read above the position (minId, reverse)
    expect(one.refs.map((r) => r.id)).toEqual([`${FAMILY_ID}/2026-03-07`]);
    expect(one.docs[0]!.text).toBe('Bob Builder: are we there yet');
  });

  it('completes the position\'s day from below when new messages continue it, and reads the whole edit window when the chat had messages in it', async () => {
    // Prepare: a day of four messages, three days old; indexed.
    const f = new TelegramFixture().seed();
    for (let i = 0; i < 4; i++) f.world.post({ chat: CREW, from: CAROL, text: `morning ${i}` });
    const connector = f.connector({ chats: [CREW_ID] });
    f.tick(3 * DAY);
    await f.pass(connector);

    // Act 1: a message on that same day (back-dated: as if the pass had run at noon).
    f.world.post({ chat: CREW, from: CAROL, text: 'afternoon', date: Math.floor(Date.parse('2026-03-02T15:00:00Z') / 1000) });
    const sameDay = await f.pass(connector);
    // Act 2: now the chat's newest message is inside the window: the next pass reads the window again.
    f.world.post({ chat: CREW, from: CAROL, text: 'today' });
    await f.pass(connector);
    f.tick(60);
    const inWindow = await f.pass(connector);

    // Assess
    expect(sameDay.refs.map((r) => r.id)).toEqual([`${CREW_ID}/2026-03-02`]);
    expect(turnsOf(sameDay.docs[0])).toEqual(['Carol: morning 0', 'Carol: morning 1', 'Carol: morning 2', 'Carol: morning 3', 'Carol: afternoon']);
    expect(sameDay.history).toBe(2); // the new message, then the day's older part
    expect(inWindow.refs.map((r) => r.id)).toEqual([`${CREW_ID}/2026-03-05`]);
    expect(inWindow.messagesRead).toBe(1);
  });

  it('sees an edit or a deletion inside the edit window at the next pass; a day left without messages is reported deleted', async () => {
    // Prepare: three messages on one day, one on the next, all inside the 48 h window.
    const f = new TelegramFixture().seed();
    const a = f.world.post({ chat: FORUM, from: BOB, text: 'first draft' });
    const b = f.world.post({ chat: FORUM, from: CAROL, text: 'looks good' });
    f.tick(DAY);
    const c = f.world.post({ chat: FORUM, from: CAROL, text: 'a lone message' });
    const connector = f.connector({ chats: [FORUM_ID] });
    await f.pass(connector);
    f.tick(3600);

    // Act
    f.world.edit(FORUM, a.id, 'final draft');
    f.world.remove(FORUM, b.id);
    f.world.remove(FORUM, c.id);
    const next = await f.pass(connector);

    // Assess
    expect(next.refs.map((r) => r.id)).toEqual([`${FORUM_ID}/2026-03-02`]);
    expect(turnsOf(next.docs[0])).toEqual(['Bob Builder: final draft']);
    const deleted = (await collectDeleted(f, connector, next.window)).filter((id) => id.startsWith(FORUM_ID));
    expect(deleted).toContain(`${FORUM_ID}/2026-03-03`);
    expect(deleted).not.toContain(`${FORUM_ID}/2026-03-02`);
  });

  it('leaves an edit older than the edit window to fetch (a hint) or a full pass, and says so in no version', async () => {
    // Prepare
    const f = new TelegramFixture().seed();
    const old = f.world.post({ chat: NEWS, from: 'channel', text: 'Release 0.9' });
    f.tick(10 * DAY);
    const connector = f.connector({ chats: [NEWS_ID] });
    const first = await f.pass(connector);

    // Act: a channel admin edits the old post (admins may, at any age).
    f.world.edit(NEWS, old.id, 'Release 0.9 (withdrawn)');
    const incremental = await f.pass(connector);
    const fetched = await connector.fetch([`${NEWS_ID}/2026-03-02`]);
    const full = await f.pass(connector, { full: true });

    // Assess
    expect(incremental.refs).toEqual([]);
    expect(fetched.documents[0]!.text).toBe('Announcements (Ada Lovelace): Release 0.9 (withdrawn)');
    expect(fetched.documents[0]!.version).not.toBe(first.docs[0]!.version);
    expect(full.docs[0]!.version).toBe(fetched.documents[0]!.version);
  });

  it('indexes a day longer than a page whole, and resumes a pass from a saved cursor in a new process with no gap and no repeat', async () => {
    // Prepare: three days of 7 messages each, pages of 3.
    const f = new TelegramFixture().seed();
    for (let d = 0; d < 3; d++) {
      for (let i = 0; i < 7; i++) {
        f.world.post({ chat: CREW, from: CAROL, text: `day ${d} message ${i}` });
        f.tick(60);
      }
      f.tick(DAY);
    }
    const config = { chats: [CREW_ID], pageSize: 3 };
    const whole = await f.pass(f.connector(config));
    const window: PullWindow = { snapshotAt: new Date(f.clock).toISOString(), full: true };

    // Act: one page, then the rest by another connector from the JSON cursor.
    const first = await f.connector(config).pull(undefined, window);
    const saved = JSON.parse(JSON.stringify(first.next)) as Cursor;
    const rest = await pullPass(f.connector(config), window, saved);

    // Assess
    expect(whole.docs.map((d) => turnsOf(d).length)).toEqual([7, 7, 7]);
    const ids = [...first.changed, ...rest.refs].map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual(whole.docs.map((d) => d.id).sort());
    expect([...first.changed, ...rest.refs].map((r) => r.version).sort()).toEqual(whole.docs.map((d) => d.version).sort());
  });

  it('sleeps through FLOOD_WAIT under the threshold; a longer one fails the run with a retryable error after the saved pages', async () => {
    // Prepare
    const f = new TelegramFixture().seed();
    for (let i = 0; i < 5; i++) {
      f.world.post({ chat: CREW, from: CAROL, text: `crew ${i}` });
      f.tick(DAY);
    }
    const connector = f.connector({ chats: [CREW_ID], pageSize: 2 });
    const window: PullWindow = { snapshotAt: new Date(f.clock).toISOString(), full: true };

    // Act
    f.fake.floodWait(7, 1, 'messages.GetHistory');
    const first = await connector.pull(undefined, window);
    f.fake.floodWait(3600, 1, 'messages.GetHistory');
    const error = await connector.pull(first.next, window).catch((e: unknown) => e);
    const rest = await pullPass(connector, window, first.next);

    // Assess
    expect(f.fake.slept).toEqual([7000]);
    expect(first.changed.length).toBeGreaterThan(0);
    expect(error).toBeInstanceOf(TelegramFloodWaitError);
    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).retryable).toBe(true);
    expect((error as Error).message).toMatch(/wait 3600 s \(FLOOD_WAIT\).*a later run resumes/);
    expect(first.changed.length + rest.refs.length).toBe(5);
  });

  it('skips a chat Telegram refuses (a prefix issue on the last page) and reads the others', async () => {
    // Prepare: the account was banned from the supergroup, which its dialogs still list.
    const f = new TelegramFixture('2026-03-02T09:00:00Z', { client: refusing(CREW, 'CHANNEL_PRIVATE') }).seed();
    f.world.post({ chat: CREW, from: CAROL, text: 'crew' });
    f.world.post({ chat: FAMILY, from: BOB, text: 'family' });
    const connector = f.connector({ chats: [CREW_ID, FAMILY_ID, '-100999'] });

    // Act
    const pass = await f.pass(connector);

    // Assess
    expect(pass.refs.map((r) => r.id)).toEqual([`${FAMILY_ID}/2026-03-02`]);
    expect(pass.skipped).toEqual([
      { id: `${CREW_ID}/`, prefix: true, reason: expect.stringMatching(/refused to read this chat \(CHANNEL_PRIVATE\)/) },
      { id: '-100999/', prefix: true, reason: expect.stringMatching(/not among the account's dialogs/) },
    ]);
  });

  it('holds back only the document of a message it cannot render', async () => {
    // Prepare: the client hands back one message whose text cannot be read.
    const f = new TelegramFixture('2026-03-02T09:00:00Z', { client: poisoning('poison') }).seed();
    f.world.post({ chat: FAMILY, from: BOB, text: 'fine' });
    f.tick(DAY);
    f.world.post({ chat: FAMILY, from: BOB, text: 'poison' });

    // Act
    const pass = await f.pass(f.connector({ chats: [FAMILY_ID] }));

    // Assess
    expect(pass.refs.map((r) => r.id)).toEqual([`${FAMILY_ID}/2026-03-02`]);
    expect(pass.skipped).toEqual([{ id: `${FAMILY_ID}/2026-03-03`, reason: expect.stringMatching(/could not be rendered: unreadable text/) }]);
  });

  it('names a topic created before the walked range by one getMessages of its creation', async () => {
    // Prepare
    const f = new TelegramFixture().seed();
    const topic = f.world.createTopic(FORUM, 'Incidents', 0xff93b2, CAROL);
    f.world.post({ chat: FORUM, from: CAROL, topic, text: 'pager went off' });
    for (let i = 0; i < 4; i++) f.world.post({ chat: FORUM, from: BOB, text: `general ${i}` });
    f.tick(10 * DAY);
    await f.pass(f.connector({ chats: [FORUM_ID] }));
    f.world.post({ chat: FORUM, from: BOB, topic, text: 'all quiet now' });

    // Act: a new connector (a new process) knows no topic titles, and its pages (of 2) do not reach the topic's creation.
    const next = await f.pass(f.connector({ chats: [FORUM_ID], pageSize: 2 }));

    // Assess
    expect(next.docs.map((d) => d.title)).toEqual(['Engineering › Incidents — 2026-03-12']);
    expect(next.calls.filter((c) => c.request === 'channels.GetMessages').map((c) => c.args['id'])).toEqual([[topic]]);
  });

  it('fetches a document by reading its day; other ids, days without messages and chats outside `chats` are absent', async () => {
    // Prepare
    const f = new TelegramFixture().seed();
    f.world.post({ chat: FAMILY, from: BOB, text: 'one' });
    f.tick(3600);
    f.world.post({ chat: FAMILY, from: CAROL, text: 'two' });
    f.world.post({ chat: CREW, from: CAROL, text: 'crew' });
    const connector = f.connector({ chats: [FAMILY_ID] });

    // Act
    const result = await connector.fetch([`${FAMILY_ID}/2026-03-02`, `${FAMILY_ID}/2026-03-01`, `${CREW_ID}/2026-03-02`, 'nonsense', `${FAMILY_ID}/2026-02-30`]);

    // Assess
    expect(result.documents.map((d) => [d.id, turnsOf(d)])).toEqual([[`${FAMILY_ID}/2026-03-02`, ['Bob Builder: one', 'Carol: two']]]);
    expect(result.skipped).toEqual([]);
  });

  it('lists (reconcile: true) the ids and versions a full pass returns', async () => {
    // Prepare
    const f = new TelegramFixture().seed();
    for (let i = 0; i < 4; i++) {
      f.world.post({ chat: i % 2 ? FAMILY : FORUM, from: BOB, text: `m${i}` });
      f.tick(DAY);
    }
    const connector = f.connector({ reconcile: true, pageSize: 2 });

    // Act
    const pass = await f.pass(connector);
    const listed = await collect(connector.list!());

    // Assess
    expect(listed.map((l) => `${l.id}@${l.version}`).sort()).toEqual(pass.refs.map((r) => `${r.id}@${r.version}`).sort());
  });

  it('fails the run with a ConfigError naming a missing variable, and never puts the session in a message', async () => {
    // Prepare
    const f = new TelegramFixture().seed();
    const withoutSession = f.connector({ sessionEnv: 'NOT_SET_ANYWHERE' });

    // Act
    const error = await withoutSession.pull(undefined, { snapshotAt: new Date(f.clock).toISOString(), full: true }).catch((e: unknown) => e);
    const { parseSession } = await import('../../shared/connectors/telegram/gramjs-client.ts');
    const malformed = (() => {
      try {
        return parseSession('not-a-session-but-a-secret-value', 'TELEGRAM_SESSION');
      } catch (e) {
        return e;
      }
    })();

    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/NOT_SET_ANYWHERE is not set: set it to the account's GramJS StringSession/);
    expect(malformed).toBeInstanceOf(ConfigError);
    expect((malformed as Error).message).toMatch(/TELEGRAM_SESSION does not hold a GramJS StringSession/);
    expect((malformed as Error).message).not.toContain('secret-value');
    expect(f.built).toEqual([]);
    await f.pass(f.connector({ chats: [BOB_ID] }));
    expect(f.built).toEqual([{ session: SECRETS['TELEGRAM_SESSION'], apiHash: SECRETS['TELEGRAM_API_HASH'] }]);
  });
});

/** Every id a pass names as deleted (the fixture's pass keeps only changed refs). */
async function collectDeleted(f: TelegramFixture, connector: ReturnType<TelegramFixture['connector']>, window: PullWindow): Promise<string[]> {
  // Run the same incremental pass again from the same resume point: deletions are named every time.
  const resume = window.resume;
  const deleted: string[] = [];
  let cursor: Cursor | undefined;
  for (;;) {
    const page = await connector.pull(cursor, { ...window, ...(resume ? { resume } : {}) });
    deleted.push(...page.deleted);
    if (page.done) return deleted;
    cursor = page.next;
  }
}

/** A client for which reading `chat`'s history fails with the RPC error `message` (406, as Telegram answers CHANNEL_PRIVATE). */
function refusing(chat: number, message: string): (fake: TelegramHistoryClient) => TelegramHistoryClient {
  return (fake) => new Proxy(fake, {
    get(target, prop, receiver) {
      if (prop !== 'getMessages') return Reflect.get(target, prop, receiver) as unknown;
      return async (...args: Parameters<TelegramHistoryClient['getMessages']>) => {
        const peer = args[0];
        if (peer instanceof Api.InputPeerChannel && peer.channelId.toJSNumber() === chat) {
          const request = new Api.messages.GetHistory({ peer, offsetId: 0, offsetDate: 0, addOffset: 0, limit: 1, maxId: 0, minId: 0, hash: bigInt.zero });
          throw errors.RPCMessageToError(new Api.RpcError({ errorCode: 406, errorMessage: message }), request);
        }
        return target.getMessages(...args);
      };
    },
  });
}

/** A client whose getMessages hands back messages with the given text as unreadable (a getter that throws). */
function poisoning(text: string): (fake: TelegramHistoryClient) => TelegramHistoryClient {
  return (fake) => new Proxy(fake, {
    get(target, prop, receiver) {
      if (prop !== 'getMessages') return Reflect.get(target, prop, receiver) as unknown;
      return async (...args: Parameters<TelegramHistoryClient['getMessages']>) => {
        const list = await target.getMessages(...args);
        for (const m of list) {
          if (m instanceof Api.Message && m.message === text) Object.defineProperty(m, 'message', { get: () => { throw new Error('unreadable text'); } });
        }
        return list;
      };
    },
  });
}
