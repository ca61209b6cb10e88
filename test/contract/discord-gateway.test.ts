/**
 * The Discord connector's `watch` over the emulator's Gateway through @discordjs/ws: message
 * creates, edits, deletions (single and bulk) and thread changes become hints naming the documents
 * they touch; bots' messages none; a session that had to start over asks for a sync.
 */
import { ChannelType } from 'discord-api-types/v10';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dayOfMs } from '../../shared/connectors/kit/days.ts';
import type { Hints } from '../../shared/ports/index.ts';
import { DiscordEmulator } from '../emulators/discord.ts';
import { discordConnector, seedGuild, type DiscordGuild } from './discord-fixtures.ts';

let emu: DiscordEmulator;
let g: DiscordGuild;
let stop: (() => Promise<void>) | undefined;
const hints: Hints[] = [];

beforeEach(async () => {
  emu = await DiscordEmulator.start({ heartbeatIntervalMs: 60_000 });
  g = seedGuild(emu);
  hints.length = 0;
});

afterEach(async () => {
  await stop?.();
  stop = undefined;
  await emu.close();
});

async function hinted(predicate: (ids: readonly string[]) => boolean, what: string): Promise<readonly string[]> {
  await expect.poll(() => hints.some((h) => predicate(h.ids)), { timeout: 8000, message: what }).toBe(true);
  return hints.find((h) => predicate(h.ids))!.ids;
}

describe('Discord connector: Gateway hints', () => {
  it('names the day, thread or message a create, edit, delete or bulk delete touches', async () => {
    // Prepare
    const day = (id: string) => `${g.general}/${dayOfMs(Number(BigInt(id) >> 22n) + 1_420_070_400_000, 'UTC')}`;
    const connector = discordConnector(emu, { watch: true });
    stop = await connector.watch!((h) => hints.push(h));
    await expect.poll(() => emu.gatewaySessions.length, { timeout: 8000 }).toBe(1);

    // Act + Assess: a new message, an edit, a deletion.
    const posted = emu.post({ channel: g.general, author: g.alice, content: 'hello' });
    expect(await hinted((ids) => ids.includes(day(posted.id)), 'the new message')).toEqual([day(posted.id)]);
    hints.length = 0;
    emu.edit(g.general, posted.id, { content: 'hello, edited' });
    await hinted((ids) => ids.includes(day(posted.id)), 'the edit');
    hints.length = 0;
    const a = emu.post({ channel: g.random, author: g.bob, content: 'a' });
    const b = emu.post({ channel: g.random, author: g.bob, content: 'b' });
    emu.bulkDelete(g.random, [a.id, b.id]);
    emu.remove(g.general, posted.id);
    await hinted((ids) => ids.includes(day(posted.id)) && ids.includes(`${g.random}/${day(a.id).split('/')[1]}`), 'the deletions');

    // Act + Assess: a thread from a message, a message in it, its deletion.
    hints.length = 0;
    const topic = emu.post({ channel: g.general, author: g.alice, content: 'topic' });
    const thread = emu.startThread({ channel: g.general, fromMessage: topic.id, name: 'T', author: g.bob });
    emu.post({ channel: thread.id, author: g.bob, content: 'in the thread' });
    const threadDoc = `${g.general}/threads/${thread.id}`;
    await hinted((ids) => ids.includes(threadDoc), 'the thread');
    hints.length = 0;
    emu.deleteThread(thread.id);
    expect(await hinted((ids) => ids.includes(threadDoc), 'the thread deletion')).toEqual([threadDoc]);
  });

  it('gives no hint for a bot\'s message, and asks for a sync after a session that started over', async () => {
    // Prepare
    const connector = discordConnector(emu, { watch: true });
    stop = await connector.watch!((h) => hints.push(h));
    await expect.poll(() => emu.gatewaySessions.length, { timeout: 8000 }).toBe(1);

    // Act
    emu.post({ channel: g.general, author: emu.bot.id, content: 'bot talk' });
    emu.postAsWebhook({ channel: g.general, webhook: { id: '1250000000000000001', username: 'CI', avatar: null }, content: 'ci' });
    const person = emu.post({ channel: g.general, author: g.alice, content: 'person' });
    await hinted((ids) => ids.length > 0, 'the person\'s message');
    const afterMessages = hints.length;
    emu.gateway.invalidateSession(false);

    // Assess
    expect(hints.flatMap((h) => h.ids)).toHaveLength(1);
    expect(hints[0]!.ids[0]).toContain(g.general);
    expect(person.id).toBeDefined();
    await expect.poll(() => hints.slice(afterMessages).some((h) => h.ids.length === 0), { timeout: 10_000 }).toBe(true);
  });

  it('does not hint for channels outside `channels`, nor for a private thread it cannot see', async () => {
    // Prepare
    const connector = discordConnector(emu, { watch: true, channels: [g.random] });
    stop = await connector.watch!((h) => hints.push(h));
    await expect.poll(() => emu.gatewaySessions.length, { timeout: 8000 }).toBe(1);

    // Act
    emu.post({ channel: g.general, author: g.alice, content: 'elsewhere' });
    emu.startThread({ channel: g.random, name: 'hidden', author: g.alice, type: ChannelType.PrivateThread });
    const kept = emu.post({ channel: g.random, author: g.alice, content: 'here' });

    // Assess
    await hinted((ids) => ids.some((i) => i.startsWith(`${g.random}/`)), 'the message in #random');
    expect(hints.flatMap((h) => h.ids).every((i) => i.startsWith(`${g.random}/`))).toBe(true);
    expect(kept.id).toBeDefined();
  });
});
