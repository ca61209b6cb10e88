/**
 * Discord messages as turns and documents (shared/connectors/discord/render.ts), and the source's
 * config: defaults, and errors that name the key and the fix.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config/load.ts';
import { parseDocId } from '../../shared/connectors/discord/doc-ids.ts';
import { buildDocument, isContent, renderMarkup, renderTurn, type ChannelContext } from '../../shared/connectors/discord/render.ts';
import type { DiscordMessage } from '../../shared/connectors/discord/wire.ts';
import { TURN_SEPARATOR } from '../../shared/core/chunker.ts';
import { ConfigError } from '../../shared/core/errors.ts';

const ALICE = { id: '400000000000000001', username: 'alice', global_name: 'Alice' };
const BOB = { id: '400000000000000002', username: 'bob', global_name: null };
const CHANNEL = '500000000000000001';
const names = { role: (id: string) => (id === '600000000000000001' ? 'ops' : undefined), channel: (id: string) => (id === CHANNEL ? 'general' : undefined) };

let seq = 0n;
function message(fields: Partial<DiscordMessage> = {}): DiscordMessage {
  seq += 1n;
  return {
    id: String(1_300_000_000_000_000_000n + seq), channel_id: CHANNEL, type: 0, author: ALICE, content: 'hello', timestamp: '2026-01-05T10:00:00.000000+00:00',
    edited_timestamp: null, mentions: [], attachments: [], embeds: [], ...fields,
  };
}
const ctx: ChannelContext = {
  guildId: '100000000000000001', channelId: CHANNEL, channelName: 'general', names, access: ['group:discord-role:100000000000000001'],
  includeBotMessages: false, timezone: 'UTC',
};

describe('Discord rendering', () => {
  it('renders mentions, roles, channels, emoji, commands and timestamps as text', () => {
    // Prepare
    const m = message({
      content: `<@${BOB.id}> and <@!${ALICE.id}> see <@&600000000000000001> in <#${CHANNEL}> :) <:party:700000000000000001> </deploy:800000000000000001> at <t:1767607200:R>`,
      mentions: [BOB, ALICE],
    });

    // Act
    const text = renderMarkup(m, names);

    // Assess
    expect(text).toBe('@bob and @Alice see @ops in #general :) :party: /deploy at 2026-01-05T10:00:00Z');
  });

  it('names attachments, embeds and stickers, shows replies, never puts the turn separator inside', () => {
    // Prepare
    const m = message({ content: `a${TURN_SEPARATOR}b`, attachments: [{ id: '1', filename: 'plan.pdf' }], embeds: [{ title: 'Build', description: 'green' }], sticker_items: [{ name: 'wave' }] });

    // Act
    const turn = renderTurn(m, names, 'bob');

    // Assess
    expect(turn).toBe('Alice (replying to bob): a b [files: plan.pdf] [embed: Build — green] [sticker: wave]');
  });

  it('indexes people\'s messages of content types only; bots, webhooks and the system user with includeBotMessages or never', () => {
    expect(isContent(message(), false)).toBe(true);
    expect(isContent(message({ type: 19 }), false)).toBe(true);
    expect(isContent(message({ type: 7, content: '' }), true)).toBe(false); // a join
    expect(isContent(message({ type: 18, content: 'Thread name' }), true)).toBe(false); // "thread created"
    expect(isContent(message({ author: { ...BOB, bot: true } }), false)).toBe(false);
    expect(isContent(message({ author: { ...BOB, bot: true } }), true)).toBe(true);
    expect(isContent(message({ webhook_id: '900000000000000001' }), false)).toBe(false);
    expect(isContent(message({ author: { ...BOB, system: true } }), true)).toBe(false);
    expect(isContent(message({ content: '  ' }), true)).toBe(false);
  });

  it('builds a channel-day document: turns in id order, stable metadata, a version that follows edits and access', () => {
    // Prepare
    const first = message({ content: 'first' });
    const second = message({ author: BOB, content: 'second' });
    const key = { kind: 'day' as const, channel: CHANNEL, day: '2026-01-05' };

    // Act
    const doc = buildDocument(key, [second, first], ctx)!;
    const edited = buildDocument(key, [first, { ...second, content: 'second!', edited_timestamp: '2026-01-05T11:00:00.000000+00:00' }], ctx)!;
    const narrowed = buildDocument(key, [first, second], { ...ctx, access: ['user:1'] })!;

    // Assess
    expect(doc).toMatchObject({
      id: `${CHANNEL}/2026-01-05`, text: `Alice: first${TURN_SEPARATOR}bob: second`, title: '#general — 2026-01-05', format: 'conversation',
      url: `https://discord.com/channels/100000000000000001/${CHANNEL}/${first.id}`, access: ctx.access,
      metadata: { guildId: '100000000000000001', channelId: CHANNEL, channelName: 'general', day: '2026-01-05' },
    });
    expect(edited.version).not.toBe(doc.version);
    expect(edited.updatedAt).toBe('2026-01-05T11:00:00.000Z');
    expect(narrowed.version).not.toBe(doc.version);
    expect(buildDocument(key, [message({ type: 7, content: '' })], ctx)).toBeUndefined();
  });

  it('shows a thread\'s starter message as its first turn', () => {
    // Prepare
    const source = message({ content: 'shall we ship?' });
    const starter = message({ type: 21, content: '', referenced_message: source });
    const reply = message({ author: BOB, content: 'yes' });

    // Act
    const doc = buildDocument({ kind: 'thread', parent: CHANNEL, thread: source.id }, [starter, reply], { ...ctx, channelId: source.id, threadName: 'Ship it' })!;

    // Assess
    expect(doc.text).toBe(`Alice: shall we ship?${TURN_SEPARATOR}bob: yes`);
    expect(doc.title).toBe('#general › Ship it');
    expect(doc.url).toBe(`https://discord.com/channels/100000000000000001/${source.id}`);
  });

  it('parses only the ids of its mode', () => {
    expect(parseDocId(`${CHANNEL}/2026-01-05`, 'channel-day')).toEqual({ kind: 'day', channel: CHANNEL, day: '2026-01-05' });
    expect(parseDocId(`${CHANNEL}/2026-02-30`, 'channel-day')).toBeUndefined();
    expect(parseDocId(`${CHANNEL}/1300000000000000001`, 'channel-day')).toBeUndefined();
    expect(parseDocId(`${CHANNEL}/1300000000000000001`, 'message')).toEqual({ kind: 'message', channel: CHANNEL, message: '1300000000000000001' });
    expect(parseDocId(`${CHANNEL}/threads/1300000000000000001`, 'message')).toMatchObject({ kind: 'thread' });
    expect(parseDocId('general/2026-01-05', 'channel-day')).toBeUndefined();
  });
});

describe('Discord source config', () => {
  const parse = (source: Record<string, unknown>) => parseConfig({ sources: [{ id: 'chat', kind: 'discord', ...source }] });
  function configError(fn: () => unknown): string {
    try {
      fn();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as Error).message;
    }
    return expect.fail('expected a ConfigError');
  }

  it('fills every default', () => {
    expect(parse({}).sources[0]).toMatchObject({
      kind: 'discord', tokenEnv: 'DISCORD_BOT_TOKEN', documentMode: 'channel-day', timezone: 'UTC', includeBotMessages: false, includeThreads: true,
      apiUrl: 'https://discord.com/api', pageSize: 100, recheckMinutes: 60, reconcileIntervalMinutes: 1440, watch: true, maxRetries: 3,
      maxRateLimitWaitMs: 60_000, requestTimeoutMs: 15_000,
    });
  });

  it.each([
    [{ token: 'MTE3…' }, /sources\[0\]\.token: unknown key "token"/],
    [{ tokenEnv: 'MTE3.abc' }, /tokenEnv: must name an environment variable/],
    [{ channels: ['#general'] }, /channels\[0\]: must be a Discord channel id .*Copy ID/],
    [{ guilds: ['Tributary'] }, /guilds\[0\]: must be a Discord server id/],
    [{ documentMode: 'thread' }, /documentMode: must be one of "channel-day", "message"/],
    [{ timezone: 'Mars/Olympus' }, /timezone: must be an IANA time zone/],
    [{ pageSize: 101 }, /pageSize/],
    [{ apiUrl: 'discord.com' }, /apiUrl/],
  ])('rejects %j naming the key and the fix', (source, pattern) => {
    expect(configError(() => parse(source))).toMatch(pattern);
  });
});
