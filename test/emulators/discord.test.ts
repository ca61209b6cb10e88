/**
 * The Discord emulator's REST API against Discord's docs and captured payloads (field sets in
 * ./discord/samples.ts): each message kind's shape, newest-first pagination, error codes, the
 * MESSAGE_CONTENT rule, rate limits through @discordjs/rest. The Gateway: discord-gateway.test.ts.
 */
import { REST, RESTEvents, type RateLimitData } from '@discordjs/rest';
import { ChannelType, MessageType, PermissionFlagsBits as P } from 'discord-api-types/v10';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DiscordEmulator, snowflakeAt } from './discord.ts';
import { expectedKeys, GATEWAY, REST as SAMPLE } from './discord/samples.ts';
import { api, keys, seed, type Json, type Seeded } from './discord/testkit.ts';

const T0 = Date.parse('2026-01-05T10:00:00Z');
let emu: DiscordEmulator;
let s: Seeded;
let clock: number;

beforeEach(async () => {
  clock = T0;
  emu = await DiscordEmulator.start({ now: () => clock });
  s = seed(emu, T0);
});

afterEach(async () => {
  await emu.close();
});

const minute = (n: number): number => T0 + n * 60_000;
const get = async (path: string): Promise<Json> => {
  const { status, body } = await api(emu, path);
  expect(status, JSON.stringify(body)).toBe(200);
  return body;
};

describe('REST: auth, identity, guilds', () => {
  it('refuses a missing or wrong token with 401 {"message": "401: Unauthorized", "code": 0}; /gateway needs none', async () => {
    for (const token of [null, 'not-the-token']) {
      const { status, body } = await api(emu, '/users/@me', token);
      expect([status, body]).toEqual([401, { message: '401: Unauthorized', code: 0 }]);
    }
    expect((await api(emu, '/gateway', null)).body).toEqual({ url: emu.gateway.url });
    expect((await api(emu, '/nope')).body).toEqual({ message: '404: Not Found', code: 0 });
  });

  it('answers /users/@me, /applications/@me (MESSAGE_CONTENT flags) and /users/@me/guilds', async () => {
    const me = await get('/users/@me');
    expect(me).toMatchObject({ id: emu.bot.id, bot: true, verified: true, email: null });
    expect(((await get('/applications/@me'))['flags'] as number) & (1 << 19)).toBe(1 << 19);
    emu.setMessageContentIntent(false);
    expect(((await get('/applications/@me'))['flags'] as number) & ((1 << 18) | (1 << 19))).toBe(0);
    emu.setMessageContentIntent(true, { limited: false });
    expect(((await get('/applications/@me'))['flags'] as number) & (1 << 18)).toBe(1 << 18);
    emu.addGuild({ name: 'Elsewhere', botMember: false });
    const guilds = (await api(emu, '/users/@me/guilds')).body as unknown as Json[];
    expect(guilds.map((g) => g['name'])).toEqual(['Tributary']);
    expect(keys(guilds[0])).toEqual(['banner', 'features', 'icon', 'id', 'name', 'owner', 'permissions']);
  });

  it('serves the guild, its channels with overwrites, roles, members and active threads', async () => {
    expect(await get(`/guilds/${s.guild}`)).toMatchObject({ id: s.guild, name: 'Tributary', roles: expect.any(Array) });
    const channels = (await get(`/guilds/${s.guild}/channels`)) as unknown as Json[];
    const secret = channels.find((c) => c['id'] === s.secret)!;
    expect(secret['permission_overwrites']).toEqual([
      { id: s.guild, type: 0, allow: '0', deny: String(P.ViewChannel) }, { id: s.alice, type: 1, allow: String(P.ViewChannel), deny: '0' },
    ]);
    const roles = (await get(`/guilds/${s.guild}/roles`)) as unknown as Json[];
    expect(roles[0]).toMatchObject({ id: s.guild, name: '@everyone', permissions: '2248473465835073' });
    expect(keys(roles[1])).toEqual(expectedKeys(GATEWAY.role));
    expect(roles[1]!['tags']).toEqual({ bot_id: emu.bot.id });
    expect(await get(`/guilds/${s.guild}/members/${s.alice}`)).toMatchObject({ user: { id: s.alice }, roles: [] });
    expect((await api(emu, `/guilds/${s.guild}/members/${snowflakeAt(T0)}`)).body).toEqual({ message: 'Unknown Member', code: 10007 });
    const page1 = (await get(`/guilds/${s.guild}/members?limit=2`)) as unknown as Json[];
    const page2 = (await get(`/guilds/${s.guild}/members?limit=1000&after=${(page1[1]!['user'] as Json)['id']}`)) as unknown as Json[];
    expect(page1.length + page2.length).toBe(5);
    emu.setGuildMembersIntent(false);
    expect((await api(emu, `/guilds/${s.guild}/members`)).body).toEqual({ message: 'Missing Access', code: 50001 });
    const other = emu.addGuild({ name: 'Elsewhere', botMember: false });
    expect((await api(emu, `/guilds/${other.id}`)).body).toEqual({ message: 'Missing Access', code: 50001 });
    expect((await api(emu, `/guilds/${snowflakeAt(T0)}`)).body).toEqual({ message: 'Unknown Guild', code: 10004 });
  });
});

describe('REST: channel access', () => {
  it('404 10003 for unknown channels, 403 50001 where the bot cannot view, [] without READ_MESSAGE_HISTORY', async () => {
    emu.post({ channel: s.secret, author: s.alice, content: 'hidden' });
    const kept = emu.post({ channel: s.noHistory, author: s.alice, content: 'old' });
    expect((await api(emu, `/channels/${snowflakeAt(T0)}`)).body).toEqual({ message: 'Unknown Channel', code: 10003 });
    for (const path of [`/channels/${s.secret}`, `/channels/${s.secret}/messages`]) {
      expect(await api(emu, path)).toMatchObject({ status: 403, body: { message: 'Missing Access', code: 50001 } });
    }
    expect(await get(`/channels/${s.noHistory}/messages`)).toEqual([]);
    expect(await api(emu, `/channels/${s.noHistory}/messages/${kept.id}`)).toMatchObject({ status: 403, body: { code: 50013, message: 'Missing Permissions' } });
    expect((await api(emu, `/channels/${s.general}/messages/${snowflakeAt(T0)}`)).body).toEqual({ message: 'Unknown Message', code: 10008 });
    emu.updateChannel(s.secret, { overwrites: [] });
    expect((await get(`/channels/${s.secret}/messages`)).length).toBe(1);
  });

  it('validates limit like Discord (400 50035 Invalid Form Body)', async () => {
    const { status, body } = await api(emu, `/channels/${s.general}/messages?limit=101`);
    expect(status).toBe(400);
    expect(body).toEqual({ code: 50035, errors: { limit: { _errors: [{ code: 'NUMBER_TYPE_MAX', message: 'int value should be less than or equal to 100.' }] } }, message: 'Invalid Form Body' });
  });
});

describe('message kinds, as REST returns them', () => {
  it('default: mentions from the content, attachments, embeds, stickers; bots and edits', async () => {
    const m = emu.post({
      channel: s.general, author: s.alice, at: minute(1), content: `hi <@${s.bob}> and <@&${s.guild}>`,
      attachments: [{ filename: 'plan.png', contentType: 'image/png', width: 10, height: 10 }], embeds: [{ title: 'Plan', type: 'rich' as never }],
      stickers: [{ name: 'wave' }],
    });
    const got = await get(`/channels/${s.general}/messages/${m.id}`);
    expect(keys(got)).toEqual([...expectedKeys(SAMPLE.message), 'sticker_items'].sort());
    expect(keys(got['author'])).toEqual(expectedKeys(SAMPLE.user));
    expect(got).toMatchObject({ type: 0, mentions: [{ id: s.bob }], mention_roles: [s.guild], edited_timestamp: null, timestamp: '2026-01-05T10:01:00.000000+00:00' });
    expect((got['attachments'] as Json[])[0]).toMatchObject({ filename: 'plan.png', content_type: 'image/png', url: expect.stringMatching(/^https:\/\/cdn\.discordapp\.com\/attachments\//) });
    expect(got['sticker_items']).toEqual([{ id: expect.any(String), name: 'wave', format_type: 1 }]);
    emu.edit(s.general, m.id, { content: `only <@${s.alice}>` }, minute(2));
    expect(await get(`/channels/${s.general}/messages/${m.id}`)).toMatchObject({ edited_timestamp: '2026-01-05T10:02:00.000000+00:00', mentions: [{ id: s.alice }], mention_roles: [] });
    const fromBot = emu.post({ channel: s.general, author: s.ci, content: 'build green' });
    expect((await get(`/channels/${s.general}/messages/${fromBot.id}`))['author']).toMatchObject({ id: s.ci, bot: true });
  });

  it('reply (19): message_reference + referenced_message, null once the original is deleted', async () => {
    const original = emu.post({ channel: s.general, author: s.bob, content: 'question?', at: minute(1) });
    const reply = emu.post({ channel: s.general, author: s.alice, content: 'answer', replyTo: original.id, at: minute(2) });
    const got = await get(`/channels/${s.general}/messages/${reply.id}`);
    expect(keys(got)).toEqual(expectedKeys(SAMPLE.reply));
    expect(keys(got['message_reference'])).toEqual(expectedKeys(SAMPLE.messageReference));
    expect(keys(got['referenced_message'])).toEqual(expectedKeys(SAMPLE.referenced));
    expect(got).toMatchObject({ type: 19, mentions: [{ id: s.bob }], message_reference: { type: 0, channel_id: s.general, message_id: original.id, guild_id: s.guild } });
    emu.remove(s.general, original.id);
    expect((await get(`/channels/${s.general}/messages/${reply.id}`))['referenced_message']).toBeNull();
  });

  it('thread from an older message: HAS_THREAD + thread on the source, type 18 in the parent, type 21 first in the thread', async () => {
    const source = emu.post({ channel: s.general, author: s.bob, content: 'long topic', at: minute(1) });
    const thread = emu.startThread({ channel: s.general, fromMessage: source.id, name: 'Topic', author: s.alice, at: minute(30) });
    expect(thread.id).toBe(source.id);
    const src = await get(`/channels/${s.general}/messages/${source.id}`);
    expect(keys(src)).toEqual(expectedKeys(SAMPLE.withThread));
    expect(src['flags']).toBe(32);
    expect(keys(src['thread'])).toEqual(expectedKeys(SAMPLE.thread));
    expect(keys((src['thread'] as Json)['thread_metadata'])).toEqual(expectedKeys(SAMPLE.threadMetadata));
    const [notice] = (await get(`/channels/${s.general}/messages?limit=1`)) as unknown as Json[];
    expect(keys(notice)).toEqual(expectedKeys(SAMPLE.threadCreated));
    expect(notice).toMatchObject({ type: 18, content: 'Topic', author: { id: s.alice }, message_reference: { type: 0, channel_id: thread.id, guild_id: s.guild } });
    expect(keys(notice!['message_reference'])).toEqual(expectedKeys(SAMPLE.threadCreatedReference));
    emu.post({ channel: thread.id, author: s.bob, content: 'in thread', at: minute(31) });
    const inThread = (await get(`/channels/${thread.id}/messages`)) as unknown as Json[];
    expect(inThread.map((m) => m['type'])).toEqual([0, 21]);
    expect(inThread[1]).toMatchObject({ content: '', message_reference: { channel_id: s.general, message_id: source.id, guild_id: s.guild }, referenced_message: { id: source.id, content: 'long topic' } });
    expect(await get(`/channels/${thread.id}`)).toMatchObject({ type: 11, parent_id: s.general, owner_id: s.alice, message_count: 1, total_message_sent: 1 });
  });

  it('pin (6), member join (7) in the system channel, system messages', async () => {
    const m = emu.post({ channel: s.general, author: s.alice, content: 'remember this' });
    const notice = emu.pin(s.general, m.id, s.bob);
    expect(await get(`/channels/${s.general}/messages/${notice.id}`)).toMatchObject({ type: 6, content: '', author: { id: s.bob }, message_reference: { message_id: m.id, channel_id: s.general, guild_id: s.guild } });
    expect((await get(`/channels/${s.general}/messages/${m.id}`))['pinned']).toBe(true);
    const carol = emu.addUser({ username: 'carol' }).id;
    const join = emu.memberJoin(s.guild, carol)!;
    expect(await get(`/channels/${s.general}/messages/${join.id}`)).toMatchObject({ type: 7, content: '', author: { id: carol } });
    const dm = emu.addDm(s.alice);
    const sys = emu.postSystem({ channel: dm.id, content: 'Your account was logged in from a new location' });
    expect(await get(`/channels/${dm.id}/messages/${sys.id}`)).toMatchObject({ author: { id: '643945264868098049', system: true }, flags: 16 });
  });

  it('webhook messages and app interaction responses', async () => {
    const hook = emu.postAsWebhook({ channel: s.general, webhook: { id: snowflakeAt(T0 - 1000), username: 'GitHub', avatar: 'e57fd67dc7ca0cc840a0e87a82281bc5' }, content: '', embeds: [{ title: 'push' }] });
    const wired = await get(`/channels/${s.general}/messages/${hook.id}`);
    expect(wired).toMatchObject({ webhook_id: snowflakeAt(T0 - 1000), author: { id: snowflakeAt(T0 - 1000), username: 'GitHub', discriminator: '0000', bot: true, global_name: null } });
    expect(keys(wired['author'])).toEqual(expectedKeys(GATEWAY.webhookAuthor));
    const resp = emu.postAppResponse({ channel: s.general, user: s.alice, command: 'deploy', content: 'Deploying…' });
    const got = await get(`/channels/${s.general}/messages/${resp.id}`);
    expect(keys(got)).toEqual(expectedKeys(SAMPLE.appResponse));
    expect(keys(got['interaction_metadata'])).toEqual(expectedKeys(SAMPLE.interactionMetadata));
    expect(keys(got['interaction'])).toEqual(expectedKeys(SAMPLE.interaction));
    expect(got).toMatchObject({
      type: MessageType.ChatInputCommand, webhook_id: emu.application.id, application_id: emu.application.id, author: { id: emu.bot.id, bot: true },
      interaction_metadata: { type: 2, user: { id: s.alice }, name: 'deploy', command_type: 1, authorizing_integration_owners: { 0: s.guild } },
    });
  });

  it('forum posts, announcement and private threads, archived listings', async () => {
    const post = emu.forumPost({ forum: s.forum, name: 'How do I…', author: s.alice, content: 'first post', tags: ['question'], at: minute(1) });
    const first = (await get(`/channels/${post.id}/messages`)) as unknown as Json[];
    expect(first).toMatchObject([{ id: post.id, channel_id: post.id, type: 0, content: 'first post', position: 0 }]);
    expect(await get(`/channels/${post.id}`)).toMatchObject({ type: 11, parent_id: s.forum, applied_tags: [expect.any(String)], message_count: 0 });
    expect((await get(`/channels/${s.forum}`))['last_message_id']).toBe(post.id);
    const announcement = emu.startThread({ channel: s.news, fromMessage: emu.post({ channel: s.news, author: s.bob, content: 'v2' }).id, name: 'v2', author: s.bob });
    expect(announcement.type).toBe(ChannelType.AnnouncementThread);
    const hidden = emu.startThread({ channel: s.general, name: 'staff', author: s.alice, type: ChannelType.PrivateThread, at: minute(2) });
    expect((await api(emu, `/channels/${hidden.id}`)).status).toBe(403);
    expect(((await get(`/guilds/${s.guild}/threads/active`))['threads'] as Json[]).map((t) => t['id']).sort()).toEqual([announcement.id, post.id].sort());
    emu.updateThread(post.id, { archived: true }, minute(3));
    const archived = await get(`/channels/${s.forum}/threads/archived/public`);
    expect(archived).toMatchObject({ threads: [{ id: post.id, thread_metadata: { archived: true, archive_timestamp: '2026-01-05T10:03:00.000000+00:00' } }], members: [], has_more: false });
    expect((await api(emu, `/channels/${s.general}/threads/archived/private`)).body).toEqual({ message: 'Missing Permissions', code: 50013 });
    emu.addThreadMember(hidden.id, emu.bot.id);
    expect(await get(`/channels/${hidden.id}`)).toMatchObject({ type: 12, member: { user_id: emu.bot.id } });
  });
});

describe('REST: thread members', () => {
  it('lists a thread\'s members (paged with with_member), refused without GUILD_MEMBERS, 50024 on a channel', async () => {
    const thread = emu.startThread({ channel: s.general, name: 'side', author: s.alice, members: [s.bob, emu.bot.id] });
    const all = (await get(`/channels/${thread.id}/thread-members`)) as unknown as Json[];
    expect(all.map((m) => m['user_id']).sort()).toEqual([s.alice, s.bob, emu.bot.id].sort());
    expect(keys(all[0])).toEqual(['flags', 'id', 'join_timestamp', 'user_id']);
    const paged = (await get(`/channels/${thread.id}/thread-members?with_member=true&limit=1`)) as unknown as Json[];
    expect(paged).toHaveLength(1);
    expect(paged[0]!['member']).toMatchObject({ user: { id: paged[0]!['user_id'] } });
    expect((await api(emu, `/channels/${s.general}/thread-members`)).body).toEqual({ message: 'Cannot execute action on this channel type', code: 50024 });
    emu.setGuildMembersIntent(false);
    expect((await api(emu, `/channels/${thread.id}/thread-members`)).body).toEqual({ message: 'Missing Access', code: 50001 });
  });
});

describe('pagination: newest first, exactly as Discord pages', () => {
  it('no cursor, before, after, around, and after=<snowflake of a time>', async () => {
    const ids = [1, 2, 3, 4, 5, 6, 7].map((n) => emu.post({ channel: s.general, author: s.alice, content: `m${n}`, at: minute(n) }).id);
    const page = async (q: string): Promise<string[]> => ((await get(`/channels/${s.general}/messages?${q}`)) as unknown as Json[]).map((m) => m['content'] as string);
    expect(await page('')).toEqual(['m7', 'm6', 'm5', 'm4', 'm3', 'm2', 'm1']);
    expect(await page('limit=3')).toEqual(['m7', 'm6', 'm5']);
    expect(await page(`before=${ids[4]}&limit=2`)).toEqual(['m4', 'm3']);
    expect(await page(`after=${ids[1]}&limit=2`)).toEqual(['m4', 'm3']);
    expect(await page(`after=${snowflakeAt(minute(5))}`)).toEqual(['m7', 'm6', 'm5']);
    expect(await page(`around=${ids[3]}&limit=3`)).toEqual(['m5', 'm4', 'm3']);
    expect(await page(`around=${ids[3]}&limit=4`)).toEqual(['m6', 'm5', 'm4', 'm3', 'm2']);
    expect(await page(`around=${ids[3]}&limit=1`)).toEqual(['m4']);
  });
});

describe('MESSAGE_CONTENT', () => {
  it('REST: empty content/embeds/attachments/components unless DM, mentioning the bot, or the bot\'s own', async () => {
    emu.setMessageContentIntent(false);
    const plain = emu.post({ channel: s.general, author: s.alice, content: 'secret sauce', embeds: [{ title: 'x' }], attachments: [{ filename: 'a.txt' }] });
    const mention = emu.post({ channel: s.general, author: s.alice, content: `<@${emu.bot.id}> help` });
    const own = emu.post({ channel: s.general, author: emu.bot.id, content: 'I am the bot' });
    const replyToOwn = emu.post({ channel: s.general, author: s.bob, content: 'thanks', replyTo: { messageId: own.id, ping: false } });
    const dm = emu.addDm(s.alice);
    const inDm = emu.post({ channel: dm.id, author: s.alice, content: 'psst' });
    const got = async (ch: string, id: string): Promise<Json> => get(`/channels/${ch}/messages/${id}`);
    expect(await got(s.general, plain.id)).toMatchObject({ content: '', embeds: [], attachments: [], components: [] });
    expect((await got(s.general, mention.id))['content']).toBe(`<@${emu.bot.id}> help`);
    expect((await got(s.general, own.id))['content']).toBe('I am the bot');
    expect(await got(s.general, replyToOwn.id)).toMatchObject({ content: '', referenced_message: { content: 'I am the bot' } });
    expect((await got(dm.id, inDm.id))['content']).toBe('psst');
    emu.setMessageContentIntent(true);
    expect((await got(s.general, plain.id))['content']).toBe('secret sauce');
  });
});

describe('rate limits', () => {
  const route = 'GET /channels/{channel.id}/messages';

  it('per-route buckets with X-RateLimit-* headers, 429 with Retry-After and {message, retry_after, global}', async () => {
    emu.setRateLimits({ routes: { [route]: { limit: 2, windowMs: 400 } } });
    const first = await api(emu, `/channels/${s.general}/messages`);
    expect(first.headers.get('x-ratelimit-limit')).toBe('2');
    expect(first.headers.get('x-ratelimit-remaining')).toBe('1');
    expect(Number(first.headers.get('x-ratelimit-reset-after'))).toBeCloseTo(0.4, 1);
    expect(Number(first.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000);
    expect(first.headers.get('x-ratelimit-bucket')).toMatch(/^[0-9a-f]{32}$/);
    expect(first.headers.get('x-ratelimit-scope')).toBeNull();
    await api(emu, `/channels/${s.general}/messages`);
    const limited = await api(emu, `/channels/${s.general}/messages`);
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ message: 'You are being rate limited.', global: false });
    expect(limited.body['retry_after']).toBeGreaterThan(0);
    expect(limited.body['retry_after']).toBeLessThanOrEqual(0.4);
    expect([limited.headers.get('retry-after'), limited.headers.get('x-ratelimit-scope'), limited.headers.get('x-ratelimit-remaining')]).toEqual(['1', 'user', '0']);
    expect((await api(emu, `/channels/${s.noHistory}/messages`)).status).toBe(200);
    expect(emu.requests.filter((r) => r.route === route).map((r) => r.status)).toEqual([200, 200, 429, 200]);
    emu.setRateLimits({ globalPerSecond: 2 });
    await api(emu, '/users/@me');
    await api(emu, '/users/@me');
    const global = await api(emu, `/guilds/${s.guild}`);
    expect(global.status).toBe(429);
    expect(global.body).toMatchObject({ global: true, message: 'You are being rate limited.' });
    expect([global.headers.get('x-ratelimit-global'), global.headers.get('x-ratelimit-scope'), global.headers.get('x-ratelimit-limit')]).toEqual(['true', 'global', null]);
  });

  it('@discordjs/rest honours the buckets, waits out 429s (route, global, shared) and succeeds', async () => {
    const rest = new REST({ api: emu.api }).setToken(emu.token);
    const seen: RateLimitData[] = [];
    rest.on(RESTEvents.RateLimited, (info) => void seen.push(info));
    emu.setRateLimits({ routes: { [route]: { limit: 2, windowMs: 300 } } });
    const started = Date.now();
    for (let i = 0; i < 5; i++) await rest.get(`/channels/${s.general}/messages`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(550);
    expect(emu.requests.filter((r) => r.status === 429)).toEqual([]);
    expect(seen.length).toBeGreaterThan(0);
    // Another client emptied the bucket: this one gets a 429, waits the reset, then succeeds.
    emu.setRateLimits({ routes: { [route]: { limit: 1, windowMs: 300 } } });
    const fresh = new REST({ api: emu.api }).setToken(emu.token);
    await api(emu, `/channels/${s.noHistory}/messages`);
    await fresh.get(`/channels/${s.noHistory}/messages`);
    emu.setRateLimits({ globalPerSecond: 2 });
    emu.clearRequests();
    for (let i = 0; i < 3; i++) await fresh.get('/users/@me');
    emu.injectRateLimit({ route: 'GET /users/@me', scope: 'shared', retryAfterSeconds: 0.2 });
    await fresh.get('/users/@me');
    const statuses = emu.requests.map((r) => r.status);
    expect(statuses.filter((x) => x === 429)).toHaveLength(2);
    expect(statuses.at(-1)).toBe(200);
  });
});
