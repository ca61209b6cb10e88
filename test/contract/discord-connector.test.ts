/**
 * The Discord connector against the loopback Discord emulator: what a pass reads (channels,
 * threads of every kind), what an incremental pass reads (only after each channel's high-water id,
 * nothing for a quiet channel, recent edits re-read), when it reconciles, the MESSAGE_CONTENT
 * check, channels it may not read, rate limits, and fetch by id.
 */
import { ChannelType, PermissionFlagsBits as P } from 'discord-api-types/v10';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DiscordConnector } from '../../shared/connectors/discord/discord-connector.ts';
import { TURN_SEPARATOR } from '../../shared/core/chunker.ts';
import { ConfigError, TransientError } from '../../shared/core/errors.ts';
import type { Cursor, DocumentRef, PullWindow, SourceConnector } from '../../shared/ports/index.ts';
import { DiscordEmulator } from '../emulators/discord.ts';
import { discordConnector, seedGuild, type DiscordGuild } from './discord-fixtures.ts';
import { collect, pullPass } from './source-connector.contract.ts';

const DAY = 86_400_000;
const NOW = Date.parse('2026-03-10T12:00:00Z');
let clock = NOW;
let emu: DiscordEmulator;
let g: DiscordGuild;

beforeEach(async () => {
  clock = NOW;
  emu = await DiscordEmulator.start({ now: () => clock });
  g = seedGuild(emu, NOW - 90 * DAY);
});

afterEach(async () => {
  await emu.close();
});

type Connector = DiscordConnector & SourceConnector;

/** One pass as the core runs it: begin the run, page to the end, keep the final cursor for the next. */
async function pass(connector: Connector, previous: { snapshotAt: string; cursor: Cursor | undefined } | undefined, options: { full?: boolean; at?: number } = {}) {
  const snapshotAt = new Date(options.at ?? clock).toISOString();
  const window: PullWindow = previous && !options.full
    ? { snapshotAt, full: false, since: new Date(Date.parse(previous.snapshotAt) - 600_000).toISOString(), ...(previous.cursor ? { resume: previous.cursor } : {}) }
    : { snapshotAt, full: true };
  connector.beginRun?.({ runId: snapshotAt, trigger: 'schedule', targeted: false });
  const result = await pullPass(connector, window);
  const reconciles = connector.list !== undefined && connector.reconcileAfterPass?.({ snapshotAt }) !== false;
  connector.endRun?.({ status: 'completed' });
  const docs = new Map(result.refs.map((r: DocumentRef) => [r.id, r.document!]));
  return { ...result, docs, reconciles, state: { snapshotAt, cursor: result.cursor } };
}
const messageCalls = () => emu.requests.filter((r) => r.route === 'GET /channels/{channel.id}/messages');
const at = (days: number, hours = 0) => NOW + days * DAY + hours * 3_600_000;

describe('Discord connector: a full pass', () => {
  it('reads channels by day and every kind of thread, with people\'s messages only', async () => {
    // Prepare: two days in #general (a reply, a mention, a bot, a webhook, a join), a thread from a
    // message, an archived public thread, a private thread the bot joined and one it did not, a forum post.
    const first = emu.post({ channel: g.general, author: g.alice, content: `hi <@${g.bob}>`, at: at(-2, -3) });
    emu.post({ channel: g.general, author: g.bob, content: 'hello', replyTo: first.id, at: at(-2, -2) });
    emu.post({ channel: g.general, author: emu.bot.id, content: 'I am a bot', at: at(-2, -1) });
    emu.postAsWebhook({ channel: g.general, webhook: { id: '1250000000000000001', username: 'CI', avatar: null }, content: 'build green', at: at(-2, -1) });
    const topic = emu.post({ channel: g.general, author: g.bob, content: 'release plan?', at: at(-1, -5) });
    const thread = emu.startThread({ channel: g.general, fromMessage: topic.id, name: 'Release', author: g.bob, at: at(-1, -4) });
    emu.post({ channel: thread.id, author: g.alice, content: 'Friday', at: at(-1, -3) });
    const old = emu.startThread({ channel: g.random, name: 'Old', author: g.alice, type: ChannelType.PublicThread, at: at(-30) });
    emu.post({ channel: old.id, author: g.alice, content: 'archived talk', at: at(-30, 1) });
    emu.updateThread(old.id, { archived: true }, at(-29));
    const joined = emu.startThread({ channel: g.random, name: 'Private', author: g.alice, members: [emu.bot.id, g.bob], at: at(-3) });
    emu.post({ channel: joined.id, author: g.bob, content: 'just us', at: at(-3, 1) });
    const hidden = emu.startThread({ channel: g.random, name: 'Hidden', author: g.alice, at: at(-3) });
    emu.post({ channel: hidden.id, author: g.alice, content: 'not for the bot', at: at(-3, 1) });
    const forum = emu.addChannel({ guild: g.guild, name: 'help', type: ChannelType.GuildForum, at: at(-80) }).id;
    const post = emu.forumPost({ forum, name: 'How to deploy?', author: g.alice, content: 'steps please', at: at(-5) });
    const connector = discordConnector(emu, { pageSize: 3 });

    // Act
    const { docs, reconciles } = await pass(connector, undefined);

    // Assess
    expect([...docs.keys()].sort()).toEqual([
      `${forum}/threads/${post.id}`, `${g.general}/2026-03-08`, `${g.general}/2026-03-09`, `${g.general}/threads/${thread.id}`,
      `${g.random}/threads/${old.id}`, `${g.random}/threads/${joined.id}`,
    ].sort());
    expect(docs.get(`${g.general}/2026-03-08`)!.text).toBe(`Alice: hi @Bob${TURN_SEPARATOR}Bob (replying to Alice): hello`);
    expect(docs.get(`${g.general}/threads/${thread.id}`)).toMatchObject({ text: `Bob: release plan?${TURN_SEPARATOR}Alice: Friday`, title: '#general › Release' });
    expect(docs.get(`${forum}/threads/${post.id}`)!.text).toBe('Alice: steps please');
    expect(docs.get(`${g.general}/2026-03-08`)!.access).toEqual([`group:discord-role:${g.guild}`]);
    expect(docs.get(`${g.random}/threads/${joined.id}`)!.access).toEqual(
      expect.arrayContaining([`user:${g.bob}`, `user:${g.alice}`]),
    );
    expect(JSON.stringify([...docs.values()])).not.toContain('not for the bot');
    expect(reconciles, 'a first pass is a full pass: the core reconciles after it').toBe(true);
  });

  it('refuses to start when the application lacks the MESSAGE_CONTENT intent, naming the portal switch', async () => {
    // Prepare
    emu.post({ channel: g.general, author: g.alice, content: 'hi', at: at(-1) });
    emu.setMessageContentIntent(false);

    // Act
    const failure = await pullPass(discordConnector(emu), { snapshotAt: new Date(clock).toISOString(), full: true }).catch((e: unknown) => e);

    // Assess
    expect(failure).toBeInstanceOf(ConfigError);
    expect(String((failure as Error).message)).toMatch(/Message Content intent.*Privileged Gateway Intents → MESSAGE CONTENT INTENT/);
    expect(messageCalls()).toHaveLength(0);
  });

  it('skips a channel whose history the bot may not read, with the fix, on the pass\'s last page', async () => {
    // Prepare: Discord answers [] there, which must not pass for an empty channel.
    const quiet = emu.addChannel({ guild: g.guild, name: 'no-history', overwrites: [{ id: g.guild, type: 'role', deny: [P.ReadMessageHistory] }], at: at(-80) }).id;
    emu.post({ channel: quiet, author: g.alice, content: 'invisible history', at: at(-1) });

    // Act
    const { skipped } = await pass(discordConnector(emu), undefined);

    // Assess
    expect(skipped).toEqual([{ id: `${quiet}/`, prefix: true, reason: expect.stringMatching(/Read Message History/) }]);
  });

  it('gives a private channel\'s documents the roles and members that may read it', async () => {
    // Prepare
    const staff = emu.addRole(g.guild, { name: 'staff' }).id;
    const ops = emu.addChannel({
      guild: g.guild, name: 'ops', at: at(-80),
      overwrites: [{ id: g.guild, type: 'role', deny: [P.ViewChannel] }, { id: staff, type: 'role', allow: [P.ViewChannel] }, { id: g.bob, type: 'member', allow: [P.ViewChannel] }, { id: emu.bot.id, type: 'member', allow: [P.ViewChannel] }],
    }).id;
    emu.post({ channel: ops, author: g.bob, content: 'pager rota', at: at(-1) });

    // Act
    const { docs } = await pass(discordConnector(emu), undefined);

    // Assess
    const owner = emu.guild(g.guild).ownerId;
    expect(docs.get(`${ops}/2026-03-09`)!.access).toEqual([`group:discord-role:${staff}`, `user:${emu.bot.id}`, `user:${g.bob}`, `user:${owner}`].sort());
  });
});

describe('Discord connector: resuming and losing access mid-pass', () => {
  it('resumes a pass on a new instance from the JSON cursor with no gap, no repeat and the same versions', async () => {
    // Prepare: 3 days of 5 messages, pages of 2 messages (a day spans pages).
    for (let d = 3; d >= 1; d--) for (let i = 0; i < 5; i++) emu.post({ channel: g.general, author: g.alice, content: `d${d} m${i}`, at: at(-d, i) });
    const window: PullWindow = { snapshotAt: new Date(clock).toISOString(), full: true };
    const whole = await pullPass(discordConnector(emu, { pageSize: 2 }), window);

    // Act
    const first = await discordConnector(emu, { pageSize: 2 }).pull(undefined, window);
    const saved = JSON.parse(JSON.stringify(first.next)) as Cursor;
    const rest = await pullPass(discordConnector(emu, { pageSize: 2 }), window, saved);

    // Assess
    const ids = [...first.changed, ...rest.refs].map((r) => `${r.id}@${r.version}`);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual(whole.refs.map((r) => `${r.id}@${r.version}`).sort());
  });

  it('skips a channel that becomes unreadable mid-pass, reads the others, and repeats the skip on the last page', async () => {
    // Prepare
    for (let d = 4; d >= 1; d--) {
      emu.post({ channel: g.general, author: g.alice, content: `general ${d}`, at: at(-d) });
      emu.post({ channel: g.random, author: g.bob, content: `random ${d}`, at: at(-d) });
    }
    const connector = discordConnector(emu, { pageSize: 2 });
    const window: PullWindow = { snapshotAt: new Date(clock).toISOString(), full: true };
    const first = await connector.pull(undefined, window);
    const channelOfFirst = first.changed[0]!.id.split('/')[0]!;

    // Act: the bot loses that channel.
    emu.updateChannel(channelOfFirst, { overwrites: [{ id: emu.bot.id, type: 'member', deny: [P.ViewChannel] }] });
    const rest = await pullPass(connector, window, first.next);

    // Assess
    const other = channelOfFirst === g.general ? g.random : g.general;
    expect(rest.refs.filter((r) => r.id.startsWith(other)).map((r) => r.id)).toHaveLength(4);
    expect(rest.skipped.filter((i) => i.id === `${channelOfFirst}/`).length).toBeGreaterThanOrEqual(2);
    expect(rest.skipped.every((i) => i.prefix === true && /Missing Access/.test(i.reason))).toBe(true);
  });
});

describe('Discord connector: incremental passes', () => {
  it('reads only after each channel\'s high-water id, and nothing at all for a quiet channel', async () => {
    // Prepare: 30 days in #general and #random, synced.
    for (let d = 30; d >= 1; d--) {
      emu.post({ channel: g.general, author: g.alice, content: `general day ${d}`, at: at(-d) });
      emu.post({ channel: g.random, author: g.bob, content: `random day ${d}`, at: at(-d) });
    }
    const connector = discordConnector(emu, { pageSize: 10 });
    const first = await pass(connector, undefined);
    expect(first.docs.size).toBe(60);

    // Act: two new messages today in #general only, an hour later.
    clock = at(0, 1);
    emu.post({ channel: g.general, author: g.alice, content: 'new one', at: at(0, 0.5) });
    emu.post({ channel: g.general, author: g.bob, content: 'new two', at: at(0, 0.6) });
    emu.clearRequests();
    const second = await pass(connector, first.state);

    // Assess: one page for #general after its high-water id, none for #random; today's day document only.
    expect([...second.docs.keys()]).toEqual([`${g.general}/2026-03-10`]);
    expect(second.docs.get(`${g.general}/2026-03-10`)!.text).toBe(`Alice: new one${TURN_SEPARATOR}Bob: new two`);
    expect(messageCalls().map((r) => r.path)).toEqual([`/api/v10/channels/${g.general}/messages`]);
    expect(second.reconciles, 'an incremental pass declines the reconcile: no reconcile').toBe(false);

    // Act: nothing new.
    clock = at(0, 3);
    emu.clearRequests();
    const third = await pass(connector, second.state);

    // Assess
    expect(third.docs.size).toBe(0);
    expect(messageCalls()).toHaveLength(0);
  });

  it('re-reads the last recheckMinutes: a recent edit or deletion arrives with the next pass, an old one with the reconcile', async () => {
    // Prepare
    const old = emu.post({ channel: g.general, author: g.alice, content: 'old words', at: at(-10) });
    const recent = emu.post({ channel: g.general, author: g.alice, content: 'recent words', at: at(0, -0.5) });
    const doomed = emu.post({ channel: g.general, author: g.bob, content: 'doomed words', at: at(0, -0.4) });
    const connector = discordConnector(emu, { recheckMinutes: 60, reconcileIntervalMinutes: 1440 });
    const first = await pass(connector, undefined);

    // Act
    clock = at(0, 0.25);
    emu.edit(g.general, recent.id, { content: 'recent words, edited' }, clock);
    emu.remove(g.general, doomed.id);
    emu.edit(g.general, old.id, { content: 'old words, edited' }, clock);
    const second = await pass(connector, first.state);

    // Assess
    expect(second.docs.get(`${g.general}/2026-03-10`)!.text).toBe('Alice: recent words, edited');
    expect(second.docs.has(`${g.general}/2026-02-28`)).toBe(false);

    // Act: a day later the reconcile is due: a full pass.
    clock = at(1, 0.5);
    const third = await pass(connector, second.state);

    // Assess
    expect(third.reconciles).toBe(true);
    expect(third.docs.get(`${g.general}/2026-02-28`)!.text).toBe('Alice: old words, edited');
    expect(await collect(connector.list!({ snapshotAt: third.state.snapshotAt }))).toHaveLength(third.docs.size);
  });

  it('reads a channel whole again when its access changes', async () => {
    // Prepare
    emu.post({ channel: g.random, author: g.alice, content: 'was public', at: at(-5) });
    const connector = discordConnector(emu);
    const first = await pass(connector, undefined);
    expect(first.docs.get(`${g.random}/2026-03-05`)!.access).toEqual([`group:discord-role:${g.guild}`]);

    // Act: @everyone loses the channel; the bot keeps it.
    emu.updateChannel(g.random, { overwrites: [{ id: g.guild, type: 'role', deny: [P.ViewChannel] }, { id: emu.bot.id, type: 'member', allow: [P.ViewChannel] }] });
    clock = at(0, 1);
    const second = await pass(connector, first.state);

    // Assess
    expect(second.docs.get(`${g.random}/2026-03-05`)!.access).not.toContain(`group:discord-role:${g.guild}`);
  });

  it('picks up new messages in active and archived threads, not in quiet ones', async () => {
    // Prepare
    const busy = emu.startThread({ channel: g.general, name: 'Busy', author: g.alice, type: ChannelType.PublicThread, at: at(-20) });
    emu.post({ channel: busy.id, author: g.alice, content: 'start', at: at(-20, 1) });
    const quiet = emu.startThread({ channel: g.general, name: 'Quiet', author: g.alice, type: ChannelType.PublicThread, at: at(-20) });
    emu.post({ channel: quiet.id, author: g.alice, content: 'silence', at: at(-20, 1) });
    const connector = discordConnector(emu);
    const first = await pass(connector, undefined);

    // Act: a message in Busy, which is then archived.
    clock = at(0, 1);
    emu.post({ channel: busy.id, author: g.bob, content: 'more', at: at(0, 0.5) });
    emu.updateThread(busy.id, { archived: true }, at(0, 0.6));
    const second = await pass(connector, first.state);

    // Assess
    expect([...second.docs.keys()]).toEqual([`${g.general}/threads/${busy.id}`]);
    expect(second.docs.get(`${g.general}/threads/${busy.id}`)!.text).toBe(`Alice: start${TURN_SEPARATOR}Bob: more`);
  });
});

describe('Discord connector: rate limits, fetch', () => {
  it('keeps to per-route buckets without 429s, and waits out an injected 429', async () => {
    // Prepare: 3 requests per 300 ms on the messages route, per channel.
    for (let d = 40; d >= 1; d--) emu.post({ channel: g.general, author: g.alice, content: `day ${d}`, at: at(-d) });
    emu.setRateLimits({ routes: { 'GET /channels/{channel.id}/messages': { limit: 3, windowMs: 300 } } });
    emu.injectRateLimit({ route: 'GET /guilds/{guild.id}/channels', scope: 'shared', retryAfterSeconds: 0.2 });
    const connector = discordConnector(emu, { pageSize: 5 });

    // Act
    const { docs } = await pass(connector, undefined);

    // Assess
    expect(docs.size).toBe(40);
    const limited = emu.requests.filter((r) => r.status === 429);
    expect(limited.map((r) => r.route)).toEqual(['GET /guilds/{guild.id}/channels']);
    expect(messageCalls().length).toBeGreaterThanOrEqual(8);
  });

  it('fails with a TransientError instead of sleeping through a wait over maxRateLimitWaitMs', async () => {
    // Prepare
    emu.post({ channel: g.general, author: g.alice, content: 'hi', at: at(-1) });
    emu.injectRateLimit({ route: 'GET /guilds/{guild.id}/channels', scope: 'user', retryAfterSeconds: 120 });

    // Act
    const failure = await pass(discordConnector(emu, { maxRateLimitWaitMs: 1000 }), undefined).catch((e: unknown) => e);

    // Assess
    expect(failure).toBeInstanceOf(TransientError);
    expect((failure as Error).message).toMatch(/asked to wait 120 s/);
  });

  it('fetches days, messages and threads by id, locating the channel\'s guild; gone ones are absent, unreadable ones skipped', async () => {
    // Prepare
    const kept = emu.post({ channel: g.general, author: g.alice, content: 'kept', at: at(-2) });
    const gone = emu.post({ channel: g.general, author: g.bob, content: 'gone', at: at(-1) });
    emu.remove(g.general, gone.id);
    const thread = emu.startThread({ channel: g.general, fromMessage: kept.id, name: 'T', author: g.bob, at: at(-2, 1) });
    const hidden = emu.startThread({ channel: g.random, name: 'Hidden', author: g.alice, at: at(-2) });
    const byDay = discordConnector(emu);
    const byMessage = discordConnector(emu, { documentMode: 'message' });

    // Act
    const days = await byDay.fetch([`${g.general}/2026-03-08`, `${g.general}/2026-03-09`, `${g.general}/threads/${thread.id}`, `${g.random}/threads/${hidden.id}`, `${g.secret}/2026-03-08`, 'nonsense']);
    const messages = await byMessage.fetch([`${g.general}/${kept.id}`, `${g.general}/${gone.id}`, `${g.general}/2026-03-08`]);
    const listed = await discordConnector(emu, { channels: [g.general, g.secret] }).fetch([`${g.secret}/2026-03-08`]);

    // Assess
    expect(days.documents.map((d) => d.id)).toEqual([`${g.general}/2026-03-08`, `${g.general}/threads/${thread.id}`]);
    expect(days.skipped).toEqual([{ id: `${g.random}/threads/${hidden.id}`, reason: expect.stringMatching(/may not read this thread/) }]);
    expect(messages.documents.map((d) => d.text)).toEqual(['Alice: kept']);
    // A listed channel the bot cannot see keeps its documents (skipped); an unlisted one is not the source's.
    expect(listed).toEqual({ documents: [], skipped: [{ id: `${g.secret}/2026-03-08`, reason: expect.stringMatching(/View Channel/) }] });
  });
});
