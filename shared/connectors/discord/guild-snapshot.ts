/**
 * One guild as a pass sees it: its roles, the channels the bot can read (with who else may read
 * each, ./permissions.ts), the channels it can see but not read (skipped with the fix), the active
 * threads, and the names markup refers to. Read with a handful of calls per guild: the guild (roles,
 * owner), its channels (overwrites, `last_message_id`), the bot's member (its roles), the active
 * threads, and the members that member overwrites name.
 */
import { createHash } from 'node:crypto';
import type { DocumentIssue } from '../../ports/index.ts';
import type { DiscordApi } from './discord-api.ts';
import {
  MANAGE_THREADS, READ, VIEW_CHANNEL, channelPrincipals, overwrittenMembers, parseOverwrites, permissionsIn, userPrincipal,
  type GuildPermissions, type MemberRoles,
} from './permissions.ts';
import type { GuildNames } from './render.ts';
import { compareSnowflakes } from './snowflakes.ts';
import type { DiscordChannel } from './wire.ts';

/** Channel types (docs: resources/channel "Channel Types"). */
export const TEXT = 0;
export const ANNOUNCEMENT = 5;
export const FORUM = 15;
export const MEDIA = 16;
export const ANNOUNCEMENT_THREAD = 10;
export const PUBLIC_THREAD = 11;
export const PRIVATE_THREAD = 12;
const WITH_MESSAGES = new Set([TEXT, ANNOUNCEMENT]);
const WITH_THREADS = new Set([TEXT, ANNOUNCEMENT, FORUM, MEDIA]);
export const THREAD_TYPES = new Set([ANNOUNCEMENT_THREAD, PUBLIC_THREAD, PRIVATE_THREAD]);

/** A channel the source reads. */
export interface IndexedChannel {
  readonly id: string;
  readonly guildId: string;
  readonly name: string;
  readonly type: number;
  /** Newest message id Discord reports (`last_message_id`; may name a deleted one). */
  readonly lastMessageId: string | undefined;
  /** Text and announcement channels hold messages; forums and media channels only threads. */
  readonly hasMessages: boolean;
  readonly access: readonly string[];
  /** Changes with the channel's name or access: the pass then reads the channel and its threads again. */
  readonly fingerprint: string;
  /** The bot may list private archived threads (MANAGE_THREADS); else only those it joined. */
  readonly botManagesThreads: boolean;
}

export interface GuildSnapshot {
  readonly guildId: string;
  readonly name: string;
  /** Readable channels, ascending ids. */
  readonly channels: readonly IndexedChannel[];
  readonly byId: ReadonlyMap<string, IndexedChannel>;
  /** Channels the bot can see but not read the history of, or configured ones it cannot see. */
  readonly skipped: readonly DocumentIssue[];
  /** Active threads whose parent is readable and that the bot can read. */
  readonly activeThreads: readonly DiscordChannel[];
  readonly names: GuildNames;
  /** Who may read a thread: its parent's readers, or (private) moderators and its members. */
  threadAccess(thread: DiscordChannel): Promise<readonly string[]>;
}

export interface SnapshotOptions {
  readonly botId: string;
  /** Channel ids to keep (and their threads); default all. */
  readonly channels?: ReadonlySet<string> | undefined;
  readonly includeThreads: boolean;
}

const fingerprint = (name: string, access: readonly string[]): string =>
  createHash('sha256').update(JSON.stringify([name, access])).digest('hex').slice(0, 12);

export async function readGuild(api: DiscordApi, guildId: string, options: SnapshotOptions): Promise<GuildSnapshot> {
  const [guild, channels, botMember, active] = await Promise.all([
    api.guild(guildId), api.channels(guildId), api.member(guildId, options.botId),
    options.includeThreads ? api.activeThreads(guildId) : Promise.resolve([]),
  ]);
  const perms: GuildPermissions = { guildId, ownerId: guild.owner_id, roles: new Map(guild.roles.map((r) => [r.id, BigInt(r.permissions)])) };
  const bot: MemberRoles = { userId: options.botId, roles: botMember?.roles ?? [] };
  const members = new Map<string, Promise<MemberRoles | undefined>>();
  const memberOf = (userId: string): Promise<MemberRoles | undefined> => {
    let hit = members.get(userId);
    if (!hit) {
      hit = api.member(guildId, userId).then((m) => (m ? { userId, roles: m.roles } : undefined));
      members.set(userId, hit);
    }
    return hit;
  };
  const membersOf = async (ids: readonly string[]): Promise<Map<string, MemberRoles | undefined>> =>
    new Map(await Promise.all(ids.map(async (id) => [id, await memberOf(id)] as const)));

  const indexed: IndexedChannel[] = [];
  const skipped: DocumentIssue[] = [];
  const byName = new Map(channels.map((c) => [c.id, c.name ?? c.id]));
  const wanted = channels.filter((c) => WITH_THREADS.has(c.type) && (!options.channels || options.channels.has(c.id)));
  for (const channel of wanted.sort((a, b) => compareSnowflakes(a.id, b.id))) {
    const overwrites = parseOverwrites(channel.permission_overwrites);
    const botPermissions = permissionsIn(perms, bot, overwrites);
    const name = channel.name ?? channel.id;
    if ((botPermissions & VIEW_CHANNEL) === 0n) {
      if (options.channels) skipped.push({ id: `${channel.id}/`, prefix: true, reason: `the bot cannot view #${name}: give its role View Channel and Read Message History there` });
      continue;
    }
    if ((botPermissions & READ) !== READ) {
      skipped.push({ id: `${channel.id}/`, prefix: true, reason: `the bot may not read the history of #${name} (Discord returns no messages): give its role Read Message History there` });
      continue;
    }
    const access = channelPrincipals(perms, overwrites, await membersOf(overwrittenMembers(overwrites)));
    indexed.push({
      id: channel.id, guildId, name, type: channel.type, lastMessageId: channel.last_message_id ?? undefined, hasMessages: WITH_MESSAGES.has(channel.type),
      access, fingerprint: fingerprint(name, access), botManagesThreads: (botPermissions & MANAGE_THREADS) === MANAGE_THREADS,
    });
  }
  const byId = new Map(indexed.map((c) => [c.id, c]));
  const activeThreads = active
    .filter((t) => THREAD_TYPES.has(t.type) && t.parent_id != null && byId.has(t.parent_id))
    .filter((t) => t.type !== PRIVATE_THREAD || t.member !== undefined || byId.get(t.parent_id!)!.botManagesThreads)
    .sort((a, b) => compareSnowflakes(a.id, b.id));
  const roleNames = new Map(guild.roles.map((r) => [r.id, r.name]));
  const threadAccess = new Map<string, Promise<readonly string[]>>();

  return {
    guildId, name: guild.name, channels: indexed, byId, skipped, activeThreads,
    names: { role: (id) => roleNames.get(id), channel: (id) => byName.get(id) ?? activeThreads.find((t) => t.id === id)?.name ?? undefined },
    threadAccess(thread) {
      const parent = byId.get(thread.parent_id ?? '');
      if (!parent) return Promise.resolve([]);
      if (thread.type !== PRIVATE_THREAD) return Promise.resolve(parent.access);
      let hit = threadAccess.get(thread.id);
      if (!hit) {
        hit = privateThreadAccess(api, perms, channels.find((c) => c.id === parent.id)!, thread, membersOf);
        threadAccess.set(thread.id, hit);
      }
      return hit;
    },
  };
}

/**
 * A private thread is readable by those who may read its parent and either moderate threads
 * there (MANAGE_THREADS) or are its members (docs: topics/threads "Permissions"). Members come from
 * List Thread Members (needs the GUILD_MEMBERS intent); without it, the thread's creator stands for them.
 */
async function privateThreadAccess(
  api: DiscordApi, perms: GuildPermissions, parent: DiscordChannel, thread: DiscordChannel,
  membersOf: (ids: readonly string[]) => Promise<Map<string, MemberRoles | undefined>>,
): Promise<readonly string[]> {
  const overwrites = parseOverwrites(parent.permission_overwrites);
  const moderators = channelPrincipals(perms, overwrites, await membersOf(overwrittenMembers(overwrites)), READ | MANAGE_THREADS);
  const ids = (await api.threadMembers(thread.id)) ?? (thread.owner_id !== undefined ? [thread.owner_id] : []);
  const members = await membersOf(ids);
  const readers = ids.filter((id) => {
    const member = members.get(id);
    return member !== undefined && (permissionsIn(perms, member, overwrites) & READ) === READ;
  });
  return [...new Set([...moderators, ...readers.map(userPrincipal)])].sort();
}
