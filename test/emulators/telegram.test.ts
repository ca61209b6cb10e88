/**
 * The Telegram doubles against Telegram's and GramJS's own behaviour: every Bot API message kind,
 * webhook delivery (secret header, per-chat order, retries), getUpdates conflicts and 429s; the
 * GramJS fake's paging compared with a model written from GramJS's source; the export generator
 * parsed back and compared with captured exports (./telegram/samples.ts).
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { AddressInfo } from 'node:net';
import { Api, errors, type TelegramClient } from 'telegram';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CAPTURED_CHAT_OPENING, CAPTURED_MENTION_NAME } from './telegram/samples.ts';
import {
  BotApiEmulator, CAPTURED_EXPORT_KEYS, CHANNEL_BOT, exportAccount, exportChat, FakeTelegramClient, GROUP_ANONYMOUS_BOT, span,
  TelegramWorld, type BotMessage, type BotUpdate, type TelegramHistoryClient,
} from './telegram.ts';

type Json = Record<string, unknown>;
const BOB = 42, CAROL = 43, HELPER_BOT = 44;
const FORUM = 1500000001, NEWS = 1600000001, FAMILY = 900001;
const FORUM_BOT_ID = -1001500000001, NEWS_BOT_ID = -1001600000001;

let clock: number;
let world: TelegramWorld;

function seed(): TelegramWorld {
  clock = Date.parse('2026-03-02T09:00:00Z');
  const w = new TelegramWorld(() => clock);
  w.addUser({ id: BOB, firstName: 'Bob', lastName: 'Builder', username: 'bob_builder' });
  w.addUser({ id: CAROL, firstName: 'Carol' });
  w.addUser({ id: HELPER_BOT, firstName: 'GIF', username: 'gif_helper_bot', isBot: true });
  w.addChat({ id: FORUM, kind: 'supergroup', title: 'Engineering', username: 'eng_team', forum: true, members: [BOB, CAROL], bot: true, botIsAdmin: true });
  w.addChat({ id: NEWS, kind: 'channel', title: 'Announcements', username: 'tributary_news', signatures: true, bot: true, botIsAdmin: true });
  w.addChat({ id: FAMILY, kind: 'group', title: 'Family', members: [BOB], bot: true });
  w.addChat({ id: BOB, kind: 'private', peer: BOB });
  w.addChat({ id: w.bot.id, kind: 'private', peer: w.bot.id });
  return w;
}
const tick = (seconds = 1): void => void (clock += seconds * 1000);

describe('Bot API', () => {
  let bot: BotApiEmulator;
  const call = async (method: string, args: Json = {}, token = bot.token): Promise<{ status: number; body: Json }> => {
    const response = await fetch(`${bot.url}/bot${token}/${method}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(args) });
    return { status: response.status, body: (await response.json()) as Json };
  };
  const updates = async (): Promise<BotUpdate[]> => (await call('getUpdates', { timeout: 0 })).body['result'] as BotUpdate[];

  beforeEach(async () => {
    world = seed();
    bot = await BotApiEmulator.start({ world, msPerSecond: 1, random: () => 0, setWebhookIntervalMs: 0 });
  });
  afterEach(async () => bot.close());

  it('text with entities, from a user, in a forum topic (thread id, reply to the topic root)', async () => {
    const topic = world.createTopic(FORUM, 'Deploys', 0xffd67e, BOB);
    const text = 'Ship **it** to https://example.com @bob_builder';
    world.post({ chat: FORUM, from: CAROL, topic, text, entities: [{ type: 'bold', ...span(text, '**it**') }, { type: 'url', ...span(text, 'https://example.com') }, { type: 'mention', ...span(text, '@bob_builder') }] });
    const [created, posted] = (await updates()).map((u) => u.message!);
    expect(created!.forum_topic_created).toEqual({ name: 'Deploys', icon_color: 0xffd67e });
    expect(posted).toMatchObject({ message_thread_id: topic, is_topic_message: true, from: { id: CAROL, is_bot: false, first_name: 'Carol' }, chat: { id: FORUM_BOT_ID, type: 'supergroup', title: 'Engineering', is_forum: true } });
    expect(posted!.reply_to_message?.message_id).toBe(topic);
    expect(posted!.entities).toEqual([{ offset: 5, length: 6, type: 'bold' }, { offset: 15, length: 19, type: 'url' }, { offset: 35, length: 12, type: 'mention' }]);
  });

  it('photo/document/voice with caption and caption_entities, an album, a sticker', async () => {
    world.post({ chat: FORUM, from: BOB, media: { kind: 'photo', width: 1280, height: 960, size: 120000 }, mediaGroupId: '13594934579434573', text: 'album #one', entities: [{ type: 'hashtag', offset: 6, length: 4 }] });
    world.post({ chat: FORUM, from: BOB, media: { kind: 'photo', width: 800, height: 600, size: 50000 }, mediaGroupId: '13594934579434573' });
    world.post({ chat: FORUM, from: BOB, media: { kind: 'document', fileName: 'spec.pdf', mimeType: 'application/pdf', size: 2048 }, text: 'the spec' });
    world.post({ chat: FORUM, from: BOB, media: { kind: 'voice', duration: 7, size: 9000 }, text: 'listen' });
    world.post({ chat: FORUM, from: BOB, media: { kind: 'sticker', emoji: '👍', setName: 'HotCherry', width: 512, height: 512, size: 30000 } });
    const [p1, p2, doc, voice, sticker] = (await updates()).map((u) => u.message!);
    expect(p1).toMatchObject({ media_group_id: '13594934579434573', caption: 'album #one', caption_entities: [{ type: 'hashtag', offset: 6, length: 4 }] });
    expect(p1).not.toHaveProperty('text');
    expect(p1!.photo!.map((s) => [s.width, s.height])).toEqual([[90, 68], [320, 240], [800, 600], [1280, 960]]);
    expect(p1!.photo![0]!.file_id.startsWith('AgAC')).toBe(true);
    expect(p2!.media_group_id).toBe(p1!.media_group_id);
    expect(doc!.document).toMatchObject({ file_name: 'spec.pdf', mime_type: 'application/pdf', file_size: 2048 });
    expect(doc!.caption).toBe('the spec');
    expect(voice!.voice).toMatchObject({ duration: 7, mime_type: 'audio/ogg' });
    expect(sticker!.sticker).toMatchObject({ emoji: '👍', set_name: 'HotCherry', type: 'regular', is_animated: false, is_video: false });
    expect(sticker).not.toHaveProperty('caption');
  });

  it('forwards of each origin, with the pre-7.0 fields the server still sends', async () => {
    const date = world.unixNow() - 3600;
    world.post({ chat: FORUM, from: BOB, text: 'a', forward: { kind: 'user', userId: CAROL, date } });
    world.post({ chat: FORUM, from: BOB, text: 'b', forward: { kind: 'hidden_user', name: 'Secret Sam', date } });
    world.post({ chat: FORUM, from: BOB, text: 'c', forward: { kind: 'chat', chatId: FORUM, date, signature: 'Ops' } });
    world.post({ chat: FORUM, from: BOB, text: 'd', forward: { kind: 'channel', chatId: NEWS, messageId: 7, date } });
    const [u, h, c, ch] = (await updates()).map((x) => x.message!);
    expect(u).toMatchObject({ forward_origin: { type: 'user', date, sender_user: { id: CAROL } }, forward_from: { id: CAROL }, forward_date: date });
    expect(h).toMatchObject({ forward_origin: { type: 'hidden_user', sender_user_name: 'Secret Sam' }, forward_sender_name: 'Secret Sam' });
    expect(c).toMatchObject({ forward_origin: { type: 'chat', sender_chat: { id: FORUM_BOT_ID }, author_signature: 'Ops' }, forward_from_chat: { id: FORUM_BOT_ID }, forward_signature: 'Ops' });
    expect(ch).toMatchObject({ forward_origin: { type: 'channel', chat: { id: NEWS_BOT_ID, type: 'channel' }, message_id: 7 }, forward_from_message_id: 7 });
  });

  it('replies with a quote, anonymous admins, posting as a channel, via_bot', async () => {
    const root = world.post({ chat: FORUM, from: BOB, text: 'The build is red again' });
    world.post({ chat: FORUM, from: CAROL, text: 'fixing', replyTo: root.id, quote: { text: 'red again', position: 13 } });
    world.post({ chat: FORUM, from: { chat: FORUM }, text: 'Admins here', signature: 'Moderator' });
    world.post({ chat: FORUM, from: { chat: NEWS }, text: 'As the channel' });
    world.post({ chat: FORUM, from: BOB, text: 'funny.gif', viaBot: HELPER_BOT });
    const [, reply, anon, asChannel, via] = (await updates()).map((x) => x.message!);
    expect(reply).toMatchObject({ reply_to_message: { message_id: root.id, text: 'The build is red again' }, quote: { text: 'red again', position: 13, is_manual: true } });
    expect(reply!.reply_to_message).not.toHaveProperty('reply_to_message');
    expect(anon).toMatchObject({ from: GROUP_ANONYMOUS_BOT, sender_chat: { id: FORUM_BOT_ID }, author_signature: 'Moderator' });
    expect(asChannel).toMatchObject({ from: CHANNEL_BOT, sender_chat: { id: NEWS_BOT_ID, type: 'channel' } });
    expect(via!.via_bot).toMatchObject({ id: HELPER_BOT, is_bot: true, username: 'gif_helper_bot' });
  });

  it('service messages, edits (edit_date), channel posts; no update for deletions', async () => {
    world.service(FORUM, { kind: 'new_chat_members', userIds: [BOB, CAROL] });
    world.service(FORUM, { kind: 'left_chat_member', userId: CAROL });
    const pinned = world.post({ chat: FORUM, from: BOB, text: 'pin me' });
    world.service(FORUM, { kind: 'pinned_message', messageId: pinned.id });
    world.service(FORUM, { kind: 'new_chat_title', title: 'Eng' });
    tick(60);
    world.edit(FORUM, pinned.id, 'pin me (edited)');
    const post = world.post({ chat: NEWS, from: 'channel', text: 'Release 1.0' });
    world.edit(NEWS, post.id, 'Release 1.0.1');
    world.remove(FORUM, pinned.id);
    const all = await updates();
    expect(all.map((u) => Object.keys(u).filter((k) => k !== 'update_id')[0])).toEqual(['message', 'message', 'message', 'message', 'message', 'edited_message', 'channel_post', 'edited_channel_post']);
    const [joined, left, , pin, title, edited, channelPost, editedPost] = all.map((u) => (u.message ?? u.edited_message ?? u.channel_post ?? u.edited_channel_post)!);
    expect(joined).toMatchObject({ new_chat_members: [{ id: BOB }, { id: CAROL }], new_chat_member: { id: BOB }, new_chat_participant: { id: BOB } });
    expect(left).toMatchObject({ left_chat_member: { id: CAROL }, left_chat_participant: { id: CAROL } });
    expect((pin!.pinned_message as BotMessage).text).toBe('pin me');
    expect(title!.new_chat_title).toBe('Eng');
    expect(edited).toMatchObject({ message_id: pinned.id, text: 'pin me (edited)', edit_date: world.unixNow() });
    expect(channelPost).toMatchObject({ sender_chat: { id: NEWS_BOT_ID, type: 'channel' }, author_signature: 'Ada Lovelace', text: 'Release 1.0' });
    expect(channelPost).not.toHaveProperty('from');
    expect(editedPost!.edit_date).toBeGreaterThan(0);
  });

  it('what bots are not shown: privacy mode, other bots, their own messages; ids are the bot\'s own in basic groups', async () => {
    world.post({ chat: BOB, from: BOB, text: 'a private chat the bot is not in' });
    world.post({ chat: FAMILY, from: BOB, text: 'dinner at 7' });
    const command = world.post({ chat: FAMILY, from: BOB, text: '/start', entities: [{ type: 'bot_command', offset: 0, length: 6 }] });
    world.post({ chat: FORUM, from: HELPER_BOT, text: 'I am a bot' });
    world.post({ chat: FORUM, from: world.bot.id, text: 'my own' });
    world.post({ chat: world.bot.id, text: 'hi bot' });
    const got = await updates();
    expect(got.map((u) => u.message!.text)).toEqual(['/start', 'hi bot']);
    expect(got[0]!.message!.chat).toMatchObject({ id: -FAMILY, type: 'group' });
    expect(got[0]!.message!.message_id).not.toBe(command.id); // account-wide ids differ per account
    expect(got[1]!.message!.chat).toMatchObject({ id: world.me.id, type: 'private', first_name: 'Ada' });
  });

  it('getMe, getChat, tokens, unknown methods, 429, GET and urlencoded transports', async () => {
    expect((await call('getMe')).body['result']).toMatchObject({ id: world.bot.id, is_bot: true, can_read_all_group_messages: false });
    const chat = (await call('GETCHAT', { chat_id: '@eng_team' })).body['result'] as Json;
    expect(chat).toMatchObject({ id: FORUM_BOT_ID, type: 'supergroup', is_forum: true, max_reaction_count: 11 });
    expect(await call('getChat', { chat_id: -100999 })).toEqual({ status: 400, body: { ok: false, error_code: 400, description: 'Bad Request: chat not found' } });
    expect((await call('getMe', {}, 'nonsense')).body).toEqual({ ok: false, error_code: 401, description: 'Unauthorized: invalid token specified' });
    expect((await call('getMe', {}, '123:wrong')).body).toEqual({ ok: false, error_code: 401, description: 'Unauthorized' });
    expect((await call('sendRocket')).body).toEqual({ ok: false, error_code: 404, description: 'Not Found: method not found' });
    bot.rateLimit(1, 17, 'getMe');
    expect(await call('getMe')).toEqual({ status: 429, body: { ok: false, error_code: 429, description: 'Too Many Requests: retry after 17', parameters: { retry_after: 17 } } });
    const viaGet = (await (await fetch(`${bot.apiRoot}getChat?chat_id=${NEWS_BOT_ID}`)).json()) as Json;
    expect((viaGet['result'] as Json)['title']).toBe('Announcements');
    const form = await fetch(`${bot.apiRoot}getChat`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `chat_id=${-FAMILY}` });
    expect(((await form.json()) as Json)['ok']).toBe(true);
  });

  it('getUpdates: offset confirms, negative offset, limit, long poll, competing polls, 24 h', async () => {
    for (const text of ['1', '2', '3']) world.post({ chat: FORUM, from: BOB, text });
    const [a, b] = (await call('getUpdates', { limit: 2 })).body['result'] as BotUpdate[];
    expect(b!.update_id).toBe(a!.update_id + 1);
    expect(((await call('getUpdates', { offset: b!.update_id + 1 })).body['result'] as BotUpdate[]).map((u) => u.message!.text)).toEqual(['3']);
    expect(((await call('getUpdates', { offset: a!.update_id })).body['result'] as BotUpdate[])).toHaveLength(1); // confirmed ones are gone
    expect(((await call('getUpdates', { offset: -1 })).body['result'] as BotUpdate[]).map((u) => u.message!.text)).toEqual(['3']);
    const after = b!.update_id + 2;
    const waiting = call('getUpdates', { offset: after, timeout: 5 });
    await new Promise((r) => setTimeout(r, 50));
    const competing = call('getUpdates', { offset: after, timeout: 1 });
    expect((await waiting).body).toMatchObject({ ok: false, error_code: 409, description: 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running' });
    await competing;
    const poll = call('getUpdates', { timeout: 5, offset: after });
    setTimeout(() => world.post({ chat: FORUM, from: BOB, text: 'wake up' }), 50);
    expect(((await poll).body['result'] as BotUpdate[]).at(-1)!.message!.text).toBe('wake up');
    tick(86401);
    expect((await call('getWebhookInfo')).body['result']).toMatchObject({ url: '', pending_update_count: 0 });
  });

  describe('webhook', () => {
    const received: Array<{ secret: string | undefined; body: BotUpdate }> = [];
    let failures = 0;
    let failOnly: string | undefined;
    let receiver: FastifyInstance;
    let hookUrl: string;
    beforeEach(async () => {
      received.length = 0;
      failures = 0;
      failOnly = undefined;
      receiver = Fastify();
      receiver.post('/hook', async (req: FastifyRequest, reply: FastifyReply) => {
        const body = req.body as BotUpdate;
        if (failures > 0 && (failOnly === undefined || body.message?.text === failOnly)) {
          failures -= 1;
          return reply.code(500).send('boom');
        }
        received.push({ secret: req.headers['x-telegram-bot-api-secret-token'] as string | undefined, body: req.body as BotUpdate });
        return reply.code(200).send('');
      });
      await receiver.listen({ port: 0, host: '127.0.0.1' });
      hookUrl = `http://127.0.0.1:${(receiver.server.address() as AddressInfo).port}/hook`;
    });
    afterEach(async () => receiver.close());

    it('validates the secret token and blocks getUpdates (409) while set', async () => {
      expect((await call('setWebhook', { url: hookUrl, secret_token: 'has spaces' })).body).toMatchObject({ error_code: 400, description: 'Bad Request: secret token contains unallowed characters' });
      expect((await call('setWebhook', { url: hookUrl, secret_token: 'x'.repeat(257) })).body).toMatchObject({ error_code: 400, description: 'Bad Request: secret token is too long' });
      expect((await call('setWebhook', { url: hookUrl, secret_token: 'S3cr3t_-ok' })).body).toEqual({ ok: true, result: true, description: 'Webhook was set' });
      expect((await call('getUpdates')).body).toEqual({ ok: false, error_code: 409, description: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first" });
      expect((await call('setWebhook', { url: hookUrl, secret_token: 'S3cr3t_-ok' })).body).toEqual({ ok: true, result: true, description: 'Webhook is already set' });
      const strict = await BotApiEmulator.start({ world }); // the real server: one setWebhook with a URL per second
      const first = await fetch(`${strict.apiRoot}setWebhook`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: hookUrl }) });
      const second = await fetch(`${strict.apiRoot}setWebhook`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: `${hookUrl}2` }) });
      expect(first.status).toBe(200);
      expect(await second.json()).toEqual({ ok: false, error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } });
      await strict.close();
      expect((await call('deleteWebhook')).body).toEqual({ ok: true, result: true, description: 'Webhook was deleted' });
      expect((await call('deleteWebhook')).body).toEqual({ ok: true, result: true, description: 'Webhook is already deleted' });
    });

    it('POSTs each update with the secret header, in update_id order per chat, retrying non-2xx with backoff', async () => {
      failures = 3;
      failOnly = 'one';
      await call('setWebhook', { url: hookUrl, secret_token: 'S3cr3t', drop_pending_updates: true });
      for (const text of ['one', 'two', 'three']) world.post({ chat: FORUM, from: BOB, text });
      world.post({ chat: NEWS, from: 'channel', text: 'news' });
      await bot.flushWebhook();
      expect(received.every((r) => r.secret === 'S3cr3t')).toBe(true);
      const forum = received.filter((r) => r.body.message).map((r) => r.body.message!.text);
      expect(forum).toEqual(['one', 'two', 'three']);
      expect(received.map((r) => r.body.update_id).filter((id, i, all) => all.indexOf(id) === i)).toHaveLength(4);
      const info = (await call('getWebhookInfo')).body['result'] as Json;
      expect(info).toMatchObject({ url: hookUrl, pending_update_count: 0, last_error_message: 'Wrong response from the webhook: 500 Internal Server Error', max_connections: 40 });
      // The first update failed 3 times: retried at once, then after 2 s, then 4 s (WebhookActor on_update_error).
      const one = received.find((r) => r.body.message?.text === 'one')!.body.update_id;
      const tries = bot.queue.attempts.filter((a) => a.updateId === one);
      expect(tries.map((a) => a.status)).toEqual([500, 500, 500, 200]);
      expect(tries.map((a) => a.retryInSeconds)).toEqual([0, 2, 4, undefined]);
    });

    it('keeps undelivered updates 24 h after the message date, then drops them', async () => {
      failures = 1000;
      await call('setWebhook', { url: hookUrl });
      world.post({ chat: FORUM, from: BOB, text: 'stuck' });
      await new Promise((r) => setTimeout(r, 30));
      expect(((await call('getWebhookInfo')).body['result'] as Json)['pending_update_count']).toBe(1);
      tick(86401);
      expect(((await call('getWebhookInfo')).body['result'] as Json)['pending_update_count']).toBe(0);
    });
  });
});

describe('GramJS fake', () => {
  let fake: FakeTelegramClient;
  const slept: number[] = [];
  beforeEach(async () => {
    world = seed();
    slept.length = 0;
    fake = new FakeTelegramClient({ world, sleep: async (ms) => void slept.push(ms) });
    await fake.connect();
    for (let i = 1; i <= 249; i++) world.post({ chat: FORUM, from: i % 2 ? BOB : CAROL, text: `m${i}` }); // ids 2..250
    for (const id of [10, 11, 150]) world.remove(FORUM, id);
    await fake.getDialogs(); // fills the entity cache, as a real session does
  });
  const ids = (list: ArrayLike<{ id: number } | undefined>): Array<number | undefined> => Array.from(list, (m) => m?.id);
  const existing = (): number[] => world.history(FORUM).map((m) => m.id);

  /**
   * What GramJS's _MessagesIter returns (telegram/client/messages.js, 2.26.22): not reversed,
   * `offsetId = Math.max(offsetId, maxId)` and messages stop at `id <= minId` (`_messageInRange`):
   * newest first, id < offset (exclusive) and id > minId (exclusive). Reversed,
   * `offsetId = Math.max(offsetId, minId)`, then `offsetId += 1` with `addOffset -= limit`, and
   * the range check stops at `id >= maxId`: oldest first, id > offset and id < maxId.
   * `limit` falsy → Number.MAX_SAFE_INTEGER (RequestIter constructor), so limit 0 means all.
   */
  function model(p: { limit?: number; offsetId?: number; minId?: number; maxId?: number; reverse?: boolean }): number[] {
    const all = existing();
    const limit = p.limit ? p.limit : Number.MAX_SAFE_INTEGER;
    if (p.reverse) {
      const low = Math.max(p.offsetId ?? 0, p.minId ?? 0);
      return all.filter((id) => id > low && (!p.maxId || id < p.maxId)).slice(0, limit);
    }
    const high = Math.max(p.offsetId ?? 0, p.maxId ?? 0);
    return all.reverse().filter((id) => (!high || id < high) && id > (p.minId ?? 0)).slice(0, limit);
  }

  it('iterMessages/getMessages page and order as GramJS does (limit, offsetId, minId, maxId, reverse)', async () => {
    const cases = [
      { limit: 100 }, { limit: 0 }, { limit: 30, offsetId: 120 }, { minId: 200, limit: 500 }, { minId: 9, maxId: 13, limit: 10 },
      { reverse: true, limit: 500 }, { reverse: true, minId: 148, limit: 5 }, { reverse: true, offsetId: 240 }, { reverse: true, minId: 100, maxId: 160, limit: 300 },
      { maxId: 12, limit: 3 }, { offsetId: 3, limit: 10 }, { reverse: true, minId: 250 },
    ];
    for (const params of cases) {
      const got: number[] = [];
      for await (const m of fake.iterMessages(FORUM_BOT_ID, params)) got.push((m as Api.Message).id);
      expect(got, JSON.stringify(params)).toEqual(model(params));
      expect(ids(await fake.getMessages(FORUM_BOT_ID, params)), JSON.stringify(params)).toEqual(model(params));
    }
    const whole = await fake.getMessages(FORUM_BOT_ID);
    expect(whole).toHaveLength(existing().length); // no params → no limit at all (messages.js getMessages)
    expect(whole.total).toBe(existing().length);
    // One key that is minId (or maxId) and no limit → limit 1 (messages.js getMessages, first branch).
    expect(ids(await fake.getMessages(FORUM_BOT_ID, { minId: 100 }))).toEqual([250]);
  });

  it('ids: in request order, missing ones undefined, total = number asked; private chats filter by peer', async () => {
    const got = await fake.getMessages(FORUM_BOT_ID, { ids: [12, 10, 999, 250] });
    expect(ids(got)).toEqual([12, undefined, undefined, 250]);
    expect(got.total).toBe(4);
    expect(ids(await fake.getMessages(FORUM_BOT_ID, { ids: [12, 13], reverse: true }))).toEqual([13, 12]);
    const dm = world.post({ chat: BOB, from: BOB, text: 'hi Ada' });
    const family = world.post({ chat: FAMILY, from: BOB, text: 'family' });
    expect(ids(await fake.getMessages(BOB, { ids: [dm.id, family.id] }))).toEqual([dm.id, undefined]);
    expect(fake.calls.at(-1)).toMatchObject({ request: 'messages.GetMessages' });
  });

  it('returns GramJS Api instances; edits set editDate; deletions are updates only', async () => {
    const text = 'see spec.pdf';
    const doc = world.post({ chat: FORUM, from: BOB, text, entities: [{ type: 'bold', offset: 4, length: 8 }], media: { kind: 'document', fileName: 'spec.pdf', mimeType: 'application/pdf', size: 10 }, forward: { kind: 'channel', chatId: NEWS, messageId: 3, date: 1 }, replyTo: 250, quote: { text: 'm249', position: 0 } });
    tick(5);
    world.edit(FORUM, doc.id, 'see spec.pdf v2', [{ type: 'bold', offset: 4, length: 8 }]);
    const [m] = await fake.getMessages(FORUM_BOT_ID, { ids: [doc.id] });
    expect(m).toBeInstanceOf(Api.Message);
    expect(m!.peerId).toBeInstanceOf(Api.PeerChannel);
    expect(m!.entities![0]).toBeInstanceOf(Api.MessageEntityBold);
    expect(m!.media).toBeInstanceOf(Api.MessageMediaDocument);
    expect(m!.fwdFrom).toBeInstanceOf(Api.MessageFwdHeader);
    expect(m!.replyTo).toBeInstanceOf(Api.MessageReplyHeader);
    expect(m!.editDate).toBe(world.unixNow());
    expect(m!.message).toBe('see spec.pdf v2');
    expect(m!.text).toBe('see **spec.pdf** v2'); // the default parseMode (markdown) of a real client
    const [service] = await fake.getMessages(FORUM_BOT_ID, { ids: [1] });
    expect(service).toBeInstanceOf(Api.MessageService);
    expect((await fake.getEntity('eng_team'))).toBeInstanceOf(Api.Channel);
    expect((await fake.getEntity(-FAMILY))).toBeInstanceOf(Api.Chat);
    expect((await fake.getMe())).toBeInstanceOf(Api.User);
    world.remove(FORUM, doc.id);
    world.remove(BOB, world.post({ chat: BOB, text: 'oops' }).id);
    expect(fake.updates.at(-3)).toBeInstanceOf(Api.UpdateDeleteChannelMessages);
    expect(fake.updates.at(-2)).toBeInstanceOf(Api.UpdateNewMessage);
    expect(fake.updates.at(-1)).toBeInstanceOf(Api.UpdateDeleteMessages);
    expect(fake.updates.at(-1)).not.toHaveProperty('channelId');
  });

  it('FLOOD_WAIT: errors.FloodWaitError with seconds; slept through under floodSleepThreshold, thrown above', async () => {
    fake.floodWait(7, 1, 'messages.GetHistory');
    expect(await fake.getMessages(FORUM_BOT_ID, { limit: 1 })).toHaveLength(1);
    expect(slept).toEqual([7000]);
    fake.floodWait(300, 1);
    const error = await fake.getMessages(FORUM_BOT_ID, { limit: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(errors.FloodWaitError);
    expect((error as errors.FloodWaitError).seconds).toBe(300);
    expect(fake.calls.at(-1)!.outcome).toBe('FloodWaitError');
  });

  it('a fresh session cannot resolve an unseen channel id; disconnected clients refuse', async () => {
    const fresh = new FakeTelegramClient({ world });
    await expect(fresh.getMe()).rejects.toThrow('Cannot send requests while disconnected');
    await fresh.connect();
    await expect(fresh.getEntity(FORUM_BOT_ID)).rejects.toThrow('Could not find the input entity');
    expect(await fresh.getEntity('eng_team')).toBeInstanceOf(Api.Channel);
    expect(await fresh.getEntity(FORUM_BOT_ID)).toBeInstanceOf(Api.Channel);
    const narrow: TelegramHistoryClient = fresh;
    const real = (c: TelegramHistoryClient): TelegramHistoryClient => c;
    expect(real(narrow)).toBe(fresh);
    expect(typeof real(null as unknown as TelegramClient)).toBe('object');
  });
});

describe('Telegram Desktop export', () => {
  beforeEach(() => {
    world = seed();
  });

  it('writes a chat as tdesktop does and parses back to the captured key orders', () => {
    const topic = world.createTopic(FORUM, 'Deploys', 0x6fb9f0, BOB);
    const text = 'ping Bob and see https://x.io';
    const root = world.post({ chat: FORUM, from: BOB, text: 'hello' });
    world.post({ chat: FORUM, from: CAROL, text, replyTo: root.id, entities: [{ type: 'text_mention', userId: BOB, ...span(text, 'Bob') }, { type: 'url', ...span(text, 'https://x.io') }] });
    world.post({ chat: FORUM, from: BOB, text: 'in topic', topic });
    const gone = world.post({ chat: FORUM, from: BOB, text: 'deleted' });
    world.remove(FORUM, gone.id);
    const raw = exportChat(world, FORUM, { utcOffsetMinutes: 180 });
    expect(raw.startsWith(CAPTURED_CHAT_OPENING)).toBe(true);
    expect(raw).toContain('\n "messages": [\n  {\n   "id": 1,');
    const parsed = JSON.parse(raw) as { messages: Json[] } & Json;
    expect(Object.keys(parsed)).toEqual(CAPTURED_EXPORT_KEYS.CHAT);
    expect(parsed).toMatchObject({ name: 'Engineering', type: 'public_supergroup', id: FORUM });
    const byText = (t: string): Json => parsed.messages.find((m) => m['text'] === t || JSON.stringify(m['text']).includes(t))!;
    expect(parsed.messages.map((m) => m['id'])).not.toContain(gone.id);
    expect(parsed.messages[0]).toMatchObject({ type: 'service', action: 'create_channel', title: 'Engineering' });
    expect(parsed.messages[1]).toMatchObject({ type: 'service', action: 'topic_created', title: 'Deploys', actor: 'Bob Builder', actor_id: `user${BOB}` });
    const reply = byText('ping');
    expect(Object.keys(reply)).toEqual(CAPTURED_EXPORT_KEYS.SUPERGROUP_REPLY);
    expect(reply['text']).toEqual(['ping ', { type: 'mention_name', text: 'Bob', user_id: BOB }, ' and see ', { type: 'link', text: 'https://x.io' }]);
    expect(Object.keys((reply['text'] as Json[])[1]!)).toEqual(Object.keys(CAPTURED_MENTION_NAME));
    expect(reply['text_entities']).toEqual([{ type: 'plain', text: 'ping ' }, { type: 'mention_name', text: 'Bob', user_id: BOB }, { type: 'plain', text: ' and see ' }, { type: 'link', text: 'https://x.io' }]);
    expect(byText('in topic')['reply_to_message_id']).toBe(topic);
    const hello = byText('hello');
    expect(hello).toMatchObject({ text: 'hello', text_entities: [{ type: 'plain', text: 'hello' }], date: '2026-03-02T12:00:00', from_id: `user${BOB}` });
    expect(hello['date_unixtime']).toBe(String(world.history(FORUM).find((m) => m.text === 'hello')!.date));
  });

  it('channel posts, edits, media and groups match the captured shapes', () => {
    const post = world.post({ chat: NEWS, from: 'channel', text: 'launch', media: { kind: 'photo', width: 1280, height: 720, size: 91234 } });
    tick(30);
    world.edit(NEWS, post.id, 'launch!');
    world.post({ chat: FAMILY, from: BOB, text: '', media: { kind: 'sticker', emoji: '😴', setName: 'Cats', width: 512, height: 512, size: 20000 } });
    const news = JSON.parse(exportChat(world, NEWS)) as { messages: Json[] };
    const photo = news.messages[1]!;
    expect(Object.keys(photo).filter((k) => k !== 'photo_file_size')).toEqual(CAPTURED_EXPORT_KEYS.CHANNEL_POST_EDITED);
    expect(photo).toMatchObject({ from: 'Announcements', from_id: `channel${NEWS}`, author: 'Ada Lovelace', photo: '(File not included. Change data exporting settings to download.)', photo_file_size: 91234 });
    const family = JSON.parse(exportChat(world, FAMILY, { includeMedia: true })) as { messages: Json[] } & Json;
    expect(family['type']).toBe('private_group');
    expect(Object.keys(family.messages[0]!)).toEqual(CAPTURED_EXPORT_KEYS.CREATE_GROUP);
    expect(family.messages[0]).toMatchObject({ action: 'create_group', members: ['Ada Lovelace', 'Bob Builder', 'Tributary'] });
    const sticker = family.messages[1]!;
    const captured = CAPTURED_EXPORT_KEYS.STICKER_2022 as readonly string[];
    expect(Object.keys(sticker).filter((k) => captured.includes(k))).toEqual(captured);
    expect(sticker).toMatchObject({ media_type: 'sticker', sticker_emoji: '😴', file: 'stickers/sticker.webp', text: '', text_entities: [] });
  });

  it('the full-account export nests chats under chats.list', () => {
    world.post({ chat: BOB, from: BOB, text: 'hi' });
    const raw = exportAccount(world, [BOB, FAMILY]);
    expect(raw.startsWith('{\n "about": "Here is the data you requested.')).toBe(true);
    const parsed = JSON.parse(raw) as { chats: { list: Json[] } & Json } & Json;
    expect(Object.keys(parsed)).toEqual(CAPTURED_EXPORT_KEYS.ACCOUNT);
    expect(Object.keys(parsed.chats)).toEqual(CAPTURED_EXPORT_KEYS.ACCOUNT_CHATS);
    expect(parsed.chats['about']).toBe('This page lists all chats from this export.');
    expect(parsed.chats.list.map((c) => [c['name'], c['type'], c['id']])).toEqual([['Bob Builder', 'personal_chat', BOB], ['Family', 'private_group', FAMILY]]);
    expect(parsed['personal_information']).toMatchObject({ user_id: world.me.id, username: '@ada', phone_number: '+15550001' });
  });
});
