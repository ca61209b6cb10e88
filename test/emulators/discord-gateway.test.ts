/**
 * The Discord emulator's Gateway against Discord's docs and captured payloads (field sets in
 * ./discord/samples.ts), raw and through @discordjs/ws: events, intents, close codes, resume,
 * compression. The REST API: discord.test.ts.
 */
import { CompressionMethod } from '@discordjs/ws';
import { ChannelType, GatewayIntentBits as I } from 'discord-api-types/v10';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DiscordEmulator, snowflakeAt } from './discord.ts';
import { expectedKeys, GATEWAY } from './discord/samples.ts';
import { keys, manager, RawGateway, seed, type Json, type Manager, type Seeded } from './discord/testkit.ts';

const T0 = Date.parse('2026-01-05T10:00:00Z');
let emu: DiscordEmulator;
let s: Seeded;
let clock: number;
const managers: Manager[] = [];

beforeEach(async () => {
  clock = T0;
  emu = await DiscordEmulator.start({ now: () => clock });
  s = seed(emu, T0);
});

afterEach(async () => {
  for (const m of managers.splice(0)) await Promise.resolve(m.manager.destroy()).catch(() => undefined);
  await emu.close();
});


const identify = (intents: number, token = emu.token): Json => ({ op: 2, d: { token, intents, properties: { os: 'linux', browser: 'test', device: 'test' } } });

describe('Gateway, raw', () => {
  it('Hello, Heartbeat ACK, Identify → READY (guilds unavailable) then GUILD_CREATE', async () => {
    const gw = new RawGateway(`${emu.gateway.url}/?v=10&encoding=json`);
    const hello = await gw.next((p) => p['op'] === 10);
    expect(keys(hello['d'])).toEqual(expectedKeys(GATEWAY.hello));
    expect(hello).toMatchObject({ t: null, s: null, d: { heartbeat_interval: 41250 } });
    gw.send({ op: 1, d: null });
    expect(await gw.next((p) => p['op'] === 11)).toEqual({ t: null, s: null, op: 11, d: null });
    gw.send(identify(I.Guilds));
    const ready = await gw.next((p) => p['t'] === 'READY');
    expect(ready['s']).toBe(1);
    expect(keys(ready['d'])).toEqual(expectedKeys(GATEWAY.ready));
    expect(keys(ready['d']['user'])).toEqual(expectedKeys(GATEWAY.readyUser));
    expect(keys(ready['d']['application'])).toEqual(expectedKeys(GATEWAY.readyApplication));
    expect(ready['d']).toMatchObject({ v: 10, guilds: [{ id: s.guild, unavailable: true }], resume_gateway_url: `${emu.gateway.url}/resume` });
    const create = await gw.next((p) => p['t'] === 'GUILD_CREATE');
    expect(create['s']).toBe(2);
    for (const k of expectedKeys(GATEWAY.guildCreateExtra)) expect(create['d']).toHaveProperty(k);
    expect(keys((create['d']['channels'] as Json[]).find((c) => c['id'] === s.general))).toEqual(expectedKeys(GATEWAY.guildCreateTextChannel));
    expect((create['d']['members'] as Json[]).map((m) => m['user']['id'])).toEqual([emu.bot.id]);
    expect(keys(create['d']['members'][0])).toEqual(expectedKeys(GATEWAY.guildMember));
    gw.close();
  });

  it('closes 4004, 4013, 4014, 4003, 4005, 4012 and answers an unknown Resume with Invalid Session', async () => {
    const expectClose = async (path: string, send: Json[], code: number, reason: string): Promise<void> => {
      const gw = new RawGateway(`${emu.gateway.url}${path}`);
      for (const p of send) gw.send(p);
      expect(await gw.waitClosed()).toEqual({ code, reason });
    };
    await expectClose('/?v=10&encoding=json', [identify(I.Guilds, 'wrong')], 4004, 'Authentication failed.');
    await expectClose('/?v=10&encoding=json', [identify(1 << 30)], 4013, 'Invalid intent(s).');
    emu.setMessageContentIntent(false);
    await expectClose('/?v=10&encoding=json', [identify(I.Guilds | I.MessageContent)], 4014, 'Disallowed intent(s).');
    await expectClose('/?v=10&encoding=json', [{ op: 3, d: { status: 'online', since: null, activities: [], afk: false } }], 4003, 'Not authenticated.');
    await expectClose('/?v=10&encoding=json', [identify(I.Guilds), identify(I.Guilds)], 4005, 'Already authenticated.');
    await expectClose('/?v=9&encoding=json', [], 4012, 'Invalid API version.');
    const gw = new RawGateway(`${emu.gateway.resumeUrl}?v=10&encoding=json`);
    await gw.next((p) => p['op'] === 10);
    gw.send({ op: 6, d: { token: emu.token, session_id: 'nope', seq: 3 } });
    expect(await gw.next((p) => p['op'] === 9)).toMatchObject({ op: 9, d: false });
    gw.close();
  });

  it('gates by intents and strips content without MESSAGE_CONTENT', async () => {
    const onlyGuilds = new RawGateway(`${emu.gateway.url}/?v=10&encoding=json`);
    const noContent = new RawGateway(`${emu.gateway.url}/?v=10&encoding=json`);
    onlyGuilds.send(identify(I.Guilds));
    noContent.send(identify(I.Guilds | I.GuildMessages));
    await Promise.all([onlyGuilds.next((p) => p['t'] === 'GUILD_CREATE'), noContent.next((p) => p['t'] === 'GUILD_CREATE')]);
    emu.post({ channel: s.secret, author: s.alice, content: 'hidden from the bot' });
    emu.post({ channel: s.general, author: s.alice, content: 'plain' });
    emu.post({ channel: s.general, author: s.bob, content: `<@${emu.bot.id}> ping` });
    const thread = emu.startThread({ channel: s.general, name: 'side', author: s.alice, type: ChannelType.PublicThread });
    await onlyGuilds.next((p) => p['t'] === 'THREAD_CREATE' && p['d']['id'] === thread.id);
    const creates = (await noContent.next((p) => p['t'] === 'THREAD_CREATE')) && noContent.payloads.filter((p) => p['t'] === 'MESSAGE_CREATE');
    expect(creates.map((p) => p['d']['content'])).toEqual(['', `<@${emu.bot.id}> ping`, '']);
    expect(onlyGuilds.payloads.some((p) => p['t'] === 'MESSAGE_CREATE')).toBe(false);
    onlyGuilds.close();
    noContent.close();
  });
});

describe('Gateway through @discordjs/ws', () => {
  const start = (intents: number, options: Parameters<typeof manager>[2] = {}): Manager => {
    const m = manager(emu, intents, options);
    managers.push(m);
    return m;
  };
  const ALL = I.Guilds | I.GuildMessages | I.DirectMessages | I.MessageContent;

  it('connects, identifies and receives message, thread and channel events with their documented shapes', async () => {
    const m = start(ALL);
    await m.manager.connect();
    await m.waitFor('GUILD_CREATE');
    const sent = emu.post({ channel: s.general, author: s.alice, content: 'hello gateway' });
    const create = (await m.waitFor('MESSAGE_CREATE', (d) => d['id'] === sent.id)).d as Json;
    expect(keys(create)).toEqual(expectedKeys(GATEWAY.messageCreate));
    expect(keys(create['author'])).toEqual(expectedKeys(GATEWAY.author));
    expect(keys(create['member'])).toEqual(expectedKeys(GATEWAY.member));
    expect(create).toMatchObject({ guild_id: s.guild, channel_type: 0, content: 'hello gateway' });
    emu.edit(s.general, sent.id, { content: 'hello, edited' });
    expect((await m.waitFor('MESSAGE_UPDATE', (d) => d['id'] === sent.id)).d).toMatchObject({ content: 'hello, edited', edited_timestamp: expect.any(String), author: { id: s.alice }, member: expect.any(Object) });
    emu.remove(s.general, sent.id);
    expect((await m.waitFor('MESSAGE_DELETE')).d).toEqual({ id: sent.id, channel_id: s.general, guild_id: s.guild });
    const ids = [emu.post({ channel: s.general, author: s.bob, content: 'a' }).id, emu.post({ channel: s.general, author: s.bob, content: 'b' }).id];
    emu.bulkDelete(s.general, ids);
    expect((await m.waitFor('MESSAGE_DELETE_BULK')).d).toEqual({ ids, channel_id: s.general, guild_id: s.guild });
    const hook = emu.postAsWebhook({ channel: s.general, webhook: { id: snowflakeAt(T0), username: 'GitHub', avatar: null }, content: 'ci' });
    expect(keys((await m.waitFor('MESSAGE_CREATE', (d) => d['id'] === hook.id)).d)).toEqual(expectedKeys(GATEWAY.webhookMessageCreate));
    const source = emu.post({ channel: s.general, author: s.bob, content: 'topic' });
    const thread = emu.startThread({ channel: s.general, fromMessage: source.id, name: 'Topic', author: s.bob });
    expect((await m.waitFor('THREAD_CREATE')).d).toMatchObject({ id: thread.id, newly_created: true, parent_id: s.general, type: 11 });
    expect((await m.waitFor('MESSAGE_UPDATE', (d) => d['id'] === source.id)).d).toMatchObject({ flags: 32, thread: { id: thread.id } });
    emu.updateThread(thread.id, { archived: true });
    expect((await m.waitFor('THREAD_UPDATE')).d).toMatchObject({ id: thread.id, thread_metadata: { archived: true } });
    emu.deleteThread(thread.id);
    expect((await m.waitFor('THREAD_DELETE')).d).toEqual({ id: thread.id, guild_id: s.guild, parent_id: s.general, type: 11 });
    emu.updateChannel(s.general, { topic: 'new topic' });
    expect((await m.waitFor('CHANNEL_UPDATE')).d).toMatchObject({ id: s.general, topic: 'new topic', guild_id: s.guild });
    const late = emu.addChannel({ guild: s.guild, name: 'late' });
    expect((await m.waitFor('CHANNEL_CREATE')).d).toMatchObject({ id: late.id, name: 'late', type: 0 });
    emu.post({ channel: s.secret, author: s.alice, content: 'not for the bot' });
    const dm = emu.addDm(s.alice);
    const inDm = emu.post({ channel: dm.id, author: s.alice, content: 'dm' });
    expect((await m.waitFor('MESSAGE_CREATE', (d) => d['id'] === inDm.id)).d).not.toHaveProperty('guild_id');
    expect(m.events.some((e) => e.t === 'MESSAGE_CREATE' && (e.d as Json)['channel_id'] === s.secret)).toBe(false);
    const seqs = m.events.map((e) => e.s);
    expect(seqs).toEqual(seqs.map((_x, i) => i + 1));
  });

  it('is refused with close 4014 when MESSAGE_CONTENT is requested but not enabled', async () => {
    emu.setMessageContentIntent(false);
    const m = start(ALL);
    void m.manager.connect().catch(() => undefined);
    await expect.poll(() => m.errors.map((e) => e.message), { timeout: 8000 }).toContain('Used disallowed intents');
    expect(emu.gatewayConnections.map((c) => c.closeCode)).toContain(4014);
  });

  it('resumes after a dropped connection and after Reconnect (op 7), replaying what it missed', async () => {
    const m = start(ALL);
    await m.manager.connect();
    const first = emu.post({ channel: s.general, author: s.alice, content: 'before the drop' });
    await m.waitFor('MESSAGE_CREATE', (d) => d['id'] === first.id);
    emu.dropGatewayConnections();
    const missed = [emu.post({ channel: s.general, author: s.alice, content: 'missed 1' }), emu.post({ channel: s.general, author: s.bob, content: 'missed 2' })];
    await m.waitFor('RESUMED');
    const contents = m.events.filter((e) => e.t === 'MESSAGE_CREATE').map((e) => (e.d as Json)['content']);
    expect(contents).toEqual(['before the drop', 'missed 1', 'missed 2']);
    expect(m.events.at(-1)!.t).toBe('RESUMED');
    expect(emu.gatewayConnections.at(-1)).toMatchObject({ path: '/resume', how: 'resume', query: { v: '10', encoding: 'json' } });
    expect(emu.gatewayConnections.at(-1)!.received.find((p) => p.op === 6)!.d).toMatchObject({ session_id: emu.gatewaySessions[0]!.id, seq: 3 });
    emu.gateway.reconnect();
    await expect.poll(() => m.events.filter((e) => e.t === 'RESUMED').length, { timeout: 8000 }).toBe(2);
    const live = emu.post({ channel: s.general, author: s.alice, content: 'live again' });
    await m.waitFor('MESSAGE_CREATE', (d) => d['id'] === live.id);
    expect(emu.gatewayConnections.filter((c) => c.how === 'identify')).toHaveLength(1);
    expect(missed).toHaveLength(2);
  });

  it('speaks zlib-stream transport compression and identify payload compression', async () => {
    for (const options of [{ compression: CompressionMethod.ZlibNative }, { useIdentifyCompression: true }]) {
      const m = start(ALL, options);
      await m.manager.connect();
      const sent = emu.post({ channel: s.general, author: s.alice, content: 'compressed' });
      expect((await m.waitFor('MESSAGE_CREATE', (d) => d['id'] === sent.id)).d).toMatchObject({ content: 'compressed' });
      await m.manager.destroy();
    }
    expect(emu.gatewayConnections[0]!.query).toMatchObject({ compress: 'zlib-stream' });
    expect(emu.gatewayConnections[1]!.received.find((p) => p.op === 2)!.d).toMatchObject({ compress: true });
  });
});
