/**
 * Seeding controls: people and bots, guilds with their @everyone role and the bot's managed role,
 * roles, members, channels (text, announcement, voice, category, forum), permission overwrites,
 * DMs, and the application's privileged-intent switches.
 *
 * Facts used:
 * - @everyone is the role whose id is the guild id; a new guild's @everyone has "2248473465835073"
 *   and a bot joins with a managed role tagged `{bot_id}` (captured GUILD_CREATE, 2024, quoted in
 *   samples.ts); permissions are decimal strings (docs: topics/permissions).
 * - New channels fire CHANNEL_CREATE, edits CHANNEL_UPDATE, deletions CHANNEL_DELETE, each with the
 *   whole channel (docs: gateway-events#channel-create/-update/-delete).
 */

import { ApplicationFlags, ChannelType } from 'discord-api-types/v10';
import type { ChannelRecord, ForumTagRecord, GuildRecord, OverwriteRecord, RoleRecord, UserRecord } from './model.ts';
import { DiscordState } from './state.ts';

/** Permissions as a bit set or a list of `PermissionFlagsBits` values. */
export type Permissions = bigint | readonly bigint[];
const bits = (p: Permissions | undefined): bigint => (p === undefined ? 0n : typeof p === 'bigint' ? p : p.reduce((all, b) => all | b, 0n));

export const DEFAULT_EVERYONE_PERMISSIONS = 2248473465835073n;

export interface UserInput {
  readonly id?: string;
  readonly username: string;
  readonly globalName?: string | null;
  readonly bot?: boolean;
  readonly avatar?: string | null;
  /** @default '0' for people (pomelo usernames), a four-digit tag for bots */
  readonly discriminator?: string;
}

export interface GuildInput {
  readonly id?: string;
  readonly name: string;
  readonly ownerId?: string;
  /** @everyone's permissions. @default DEFAULT_EVERYONE_PERMISSIONS */
  readonly everyone?: Permissions;
  /** The bot's managed role's permissions. @default 0 (it relies on @everyone) */
  readonly botPermissions?: Permissions;
  /** Set false for a guild the bot is not in. @default true */
  readonly botMember?: boolean;
  readonly at?: number;
}

export interface OverwriteInput {
  /** A role id (the guild id for @everyone) or a user id. */
  readonly id: string;
  readonly type: 'role' | 'member';
  readonly allow?: Permissions;
  readonly deny?: Permissions;
}

export interface ChannelInput {
  readonly guild: string;
  readonly name: string;
  /** GuildText, GuildAnnouncement, GuildVoice, GuildCategory, GuildForum, GuildMedia. @default GuildText */
  readonly type?: ChannelType;
  readonly id?: string;
  readonly parent?: string;
  readonly topic?: string | null;
  readonly position?: number;
  readonly nsfw?: boolean;
  readonly overwrites?: readonly OverwriteInput[];
  /** Forum/media channels: tag names. */
  readonly tags?: readonly string[];
  readonly at?: number;
}

export const toOverwrite = (o: OverwriteInput): OverwriteRecord => ({ id: o.id, type: o.type === 'role' ? 0 : 1, allow: bits(o.allow), deny: bits(o.deny) });

export class DiscordWorld extends DiscordState {
  addUser(input: UserInput): UserRecord {
    const id = input.id ?? this.mint.next(this.now());
    const user: UserRecord = {
      id, username: input.username, globalName: input.globalName ?? (input.bot ? null : input.username), discriminator: input.discriminator ?? (input.bot ? '0000' : '0'),
      avatar: input.avatar ?? null, bot: input.bot ?? false, system: false, publicFlags: 0,
    };
    this.users.set(id, user);
    return user;
  }

  addGuild(input: GuildInput): GuildRecord {
    const at = input.at ?? this.now();
    const id = input.id ?? this.mint.next(at);
    const ownerId = input.ownerId ?? this.addUser({ username: `${input.name.toLowerCase().replace(/\W+/g, '')}-owner` }).id;
    const guild: GuildRecord = {
      id, name: input.name, ownerId, icon: null, description: null, features: [], systemChannelId: null,
      roles: new Map(), members: new Map(), createdAt: at,
    };
    guild.roles.set(id, { id, name: '@everyone', permissions: input.everyone === undefined ? DEFAULT_EVERYONE_PERMISSIONS : bits(input.everyone), position: 0, color: 0, hoist: false, managed: false, mentionable: false });
    this.guilds.set(id, guild);
    guild.members.set(ownerId, { userId: ownerId, roles: [], nick: null, joinedAt: at });
    if (input.botMember !== false) {
      const role = this.addRole(id, { name: this.bot.username, permissions: bits(input.botPermissions), managed: true, botId: this.bot.id });
      guild.members.set(this.bot.id, { userId: this.bot.id, roles: [role.id], nick: null, joinedAt: at });
    }
    return guild;
  }

  addRole(guildId: string, input: { name: string; permissions?: Permissions; id?: string; color?: number; hoist?: boolean; mentionable?: boolean; managed?: boolean; botId?: string }): RoleRecord {
    const guild = this.guild(guildId);
    const role: RoleRecord = {
      id: input.id ?? this.mint.next(this.now()), name: input.name, permissions: bits(input.permissions), position: guild.roles.size,
      color: input.color ?? 0, hoist: input.hoist ?? false, managed: input.managed ?? false, mentionable: input.mentionable ?? false,
      ...(input.botId !== undefined ? { botId: input.botId } : {}),
    };
    guild.roles.set(role.id, role);
    return role;
  }

  /** Changes a role's permissions (no Gateway event is emulated for it). */
  setRolePermissions(guildId: string, roleId: string, permissions: Permissions): void {
    const role = this.guild(guildId).roles.get(roleId);
    if (!role) throw new Error(`emulator: unknown role ${roleId}`);
    role.permissions = bits(permissions);
  }

  /** Adds a user to a guild without a join message (see `memberJoin` for the type 7 message). */
  addMember(guildId: string, userId: string, options: { roles?: readonly string[]; nick?: string; at?: number } = {}): void {
    this.user(userId);
    this.guild(guildId).members.set(userId, { userId, roles: [...(options.roles ?? [])], nick: options.nick ?? null, joinedAt: options.at ?? this.now() });
  }

  /** Replaces the bot's roles in a guild (besides its managed role). */
  setBotRoles(guildId: string, roles: readonly string[]): void {
    const member = this.guild(guildId).members.get(this.bot.id);
    if (!member) throw new Error('emulator: the bot is not in that guild');
    const managed = member.roles.filter((r) => this.guild(guildId).roles.get(r)?.managed);
    member.roles = [...managed, ...roles];
  }

  addChannel(input: ChannelInput): ChannelRecord {
    const guild = this.guild(input.guild);
    const at = input.at ?? this.now();
    const type = input.type ?? ChannelType.GuildText;
    const siblings = [...this.channels.values()].filter((c) => c.guildId === guild.id && c.parentId === (input.parent ?? null));
    const channel: ChannelRecord = {
      id: input.id ?? this.mint.next(at), type, guildId: guild.id, name: input.name, position: input.position ?? siblings.length,
      parentId: input.parent ?? null, topic: input.topic ?? null, nsfw: input.nsfw ?? false, overwrites: (input.overwrites ?? []).map(toOverwrite),
      rateLimitPerUser: 0, lastPinTimestamp: null, flags: 0, createdAt: at,
      ...(type === ChannelType.GuildForum || type === ChannelType.GuildMedia
        ? { availableTags: (input.tags ?? []).map((name): ForumTagRecord => ({ id: this.mint.next(at), name, moderated: false, emojiName: null })) }
        : {}),
    };
    this.channels.set(channel.id, channel);
    if (guild.systemChannelId === null && type === ChannelType.GuildText) guild.systemChannelId = channel.id;
    this.emit({ t: 'CHANNEL_CREATE', channel });
    return channel;
  }

  /** A DM channel between the bot and `userId` (type 1, `recipients: [user]`). */
  addDm(userId: string, options: { id?: string; at?: number } = {}): ChannelRecord {
    this.user(userId);
    const at = options.at ?? this.now();
    const channel: ChannelRecord = {
      id: options.id ?? this.mint.next(at), type: ChannelType.DM, name: '', position: 0, parentId: null, topic: null, nsfw: false, overwrites: [],
      rateLimitPerUser: 0, lastPinTimestamp: null, flags: 0, recipientId: userId, createdAt: at,
    };
    this.channels.set(channel.id, channel);
    return channel;
  }

  /** Edits a guild channel and sends CHANNEL_UPDATE. */
  updateChannel(channelId: string, change: { name?: string; topic?: string | null; overwrites?: readonly OverwriteInput[]; parent?: string | null; nsfw?: boolean }): ChannelRecord {
    const channel = this.channel(channelId);
    if (change.name !== undefined) channel.name = change.name;
    if (change.topic !== undefined) channel.topic = change.topic;
    if (change.nsfw !== undefined) channel.nsfw = change.nsfw;
    if (change.parent !== undefined) channel.parentId = change.parent;
    if (change.overwrites !== undefined) channel.overwrites = change.overwrites.map(toOverwrite);
    this.emit({ t: 'CHANNEL_UPDATE', channel });
    return channel;
  }

  deleteChannel(channelId: string): void {
    const channel = this.channel(channelId);
    this.channels.delete(channelId);
    this.emit({ t: 'CHANNEL_DELETE', channel });
  }

  setSystemChannel(guildId: string, channelId: string | null): void {
    this.guild(guildId).systemChannelId = channelId;
  }

  // ───────────────────────────── application ─────────────────────────────

  setApplicationFlags(flags: number): void {
    this.application.flags = flags;
  }

  /**
   * Switches the MESSAGE_CONTENT privileged intent in the "portal": `limited` sets
   * GATEWAY_MESSAGE_CONTENT_LIMITED (apps in < 100 servers), otherwise GATEWAY_MESSAGE_CONTENT.
   */
  setMessageContentIntent(enabled: boolean, options: { limited?: boolean } = {}): void {
    const both = ApplicationFlags.GatewayMessageContent | ApplicationFlags.GatewayMessageContentLimited;
    const bit = options.limited === false ? ApplicationFlags.GatewayMessageContent : ApplicationFlags.GatewayMessageContentLimited;
    this.application.flags = (this.application.flags & ~both) | (enabled ? bit : 0);
  }

  setGuildMembersIntent(enabled: boolean): void {
    const both = ApplicationFlags.GatewayGuildMembers | ApplicationFlags.GatewayGuildMembersLimited;
    this.application.flags = (this.application.flags & ~both) | (enabled ? ApplicationFlags.GatewayGuildMembersLimited : 0);
  }
}
