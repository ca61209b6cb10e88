/**
 * Wire shapes of users, members, roles, guilds, channels and threads, typed with
 * discord-api-types so they cannot drift from Discord's published schema. Messages are in
 * message-shape.ts.
 *
 * Field sets follow captures (samples.ts): REST users carry `id, username, avatar, discriminator,
 * public_flags, flags, banner, accent_color, global_name, avatar_decoration_data, collectibles,
 * banner_color, clan, primary_guild` (+ `bot: true`); Gateway users carry the same minus `flags`,
 * `banner`, `accent_color`, `banner_color`, plus `display_name_styles`. Threads carry
 * `member_ids_preview` (undocumented, present in every 2025 capture). Channel shapes per type:
 * docs resources/channel "Example … Channel".
 */

import {
  ChannelType, ForumLayoutType, type ChannelFlags, type GuildMemberFlags, type RoleFlags, GuildDefaultMessageNotifications, GuildExplicitContentFilter, GuildMFALevel, GuildNSFWLevel, GuildPremiumTier,
  GuildSystemChannelFlags, GuildVerificationLevel, Locale,
  type APIChannel, type APIGuild, type APIGuildMember, type APIGuildMemberNoUser, type APIRole, type APIThreadChannel, type APIThreadMember,
  type APIUser, type GuildFeature,
} from 'discord-api-types/v10';
import type { ChannelRecord, GuildRecord, MemberRecord, RoleRecord, UserRecord } from './model.ts';
import { isDm, isThread } from './permissions.ts';
import { compareSnowflakes, isoTimestamp } from './snowflake.ts';
import type { DiscordState } from './state.ts';

/** Undocumented fields Discord sends on users (captured; see samples.ts). */
export interface WireUser extends APIUser {
  banner_color?: string | null;
  clan?: null;
  display_name_styles?: null;
}

export type Surface = 'rest' | 'gateway';

export function userShape(user: UserRecord, surface: Surface = 'rest'): WireUser {
  const common = {
    id: user.id, username: user.username, avatar: user.avatar, discriminator: user.discriminator, public_flags: user.publicFlags,
    global_name: user.globalName, avatar_decoration_data: null, collectibles: null, clan: null, primary_guild: null,
    ...(user.bot ? { bot: true } : {}), ...(user.system ? { system: true } : {}),
  } satisfies WireUser;
  return surface === 'rest'
    ? { ...common, flags: user.publicFlags, banner: null, accent_color: null, banner_color: null }
    : { ...common, display_name_styles: null };
}

/** The bot as `GET /users/@me` and READY show it: with `verified`, `mfa_enabled`, `email`. */
export function currentUserShape(bot: UserRecord): WireUser {
  return { ...userShape(bot, 'rest'), verified: true, mfa_enabled: false, email: null, locale: 'en-US', premium_type: 0 };
}

export function memberNoUser(member: MemberRecord): APIGuildMemberNoUser {
  return {
    avatar: null, banner: null, communication_disabled_until: null, flags: 0 as GuildMemberFlags, joined_at: isoTimestamp(member.joinedAt), nick: member.nick,
    pending: false, premium_since: null, roles: [...member.roles], mute: false, deaf: false,
  };
}

/** REST members carry REST users; GUILD_CREATE members carry Gateway users (captured G24). */
export function memberShape(state: DiscordState, member: MemberRecord, surface: Surface = 'rest'): APIGuildMember {
  return { ...memberNoUser(member), user: userShape(state.user(member.userId), surface) };
}

/** Roles always carry `tags` (`{}` when none), as in the captured GUILD_CREATE. */
export function roleShape(role: RoleRecord): APIRole {
  return {
    id: role.id, name: role.name, permissions: role.permissions.toString(), position: role.position, color: role.color,
    colors: { primary_color: role.color, secondary_color: null, tertiary_color: null }, hoist: role.hoist, icon: null, unicode_emoji: null,
    managed: role.managed, mentionable: role.mentionable, flags: 0 as RoleFlags, tags: role.botId !== undefined ? { bot_id: role.botId } : {},
  };
}

export function guildShape(guild: GuildRecord): APIGuild {
  return {
    id: guild.id, name: guild.name, icon: guild.icon, description: guild.description, splash: null, discovery_splash: null,
    features: guild.features as GuildFeature[], banner: null, owner_id: guild.ownerId, application_id: null, region: 'deprecated',
    afk_channel_id: null, afk_timeout: 300, system_channel_id: guild.systemChannelId, system_channel_flags: 0 as GuildSystemChannelFlags,
    widget_enabled: false, widget_channel_id: null, verification_level: GuildVerificationLevel.None,
    roles: [...guild.roles.values()].sort((a, b) => a.position - b.position).map(roleShape),
    default_message_notifications: GuildDefaultMessageNotifications.AllMessages, mfa_level: GuildMFALevel.None,
    explicit_content_filter: GuildExplicitContentFilter.Disabled, max_presences: null, max_members: 25000000, max_stage_video_channel_users: 50,
    max_video_channel_users: 25, vanity_url_code: null, premium_tier: GuildPremiumTier.None, premium_subscription_count: 0,
    preferred_locale: Locale.EnglishUS, rules_channel_id: null, safety_alerts_channel_id: null, public_updates_channel_id: null,
    hub_type: null, premium_progress_bar_enabled: false, nsfw_level: GuildNSFWLevel.Default, emojis: [], stickers: [], incidents_data: null,
  };
}

function lastMessageId(state: DiscordState, channel: ChannelRecord): string | null {
  if (channel.type === ChannelType.GuildForum || channel.type === ChannelType.GuildMedia) {
    const threads = [...state.channels.values()].filter((c) => c.parentId === channel.id && isThread(c)).sort((a, b) => compareSnowflakes(a.id, b.id));
    return threads.at(-1)?.id ?? null;
  }
  return state.lastMessageIdOf(channel.id);
}

const overwritesShape = (channel: ChannelRecord): { id: string; type: 0 | 1; allow: string; deny: string }[] =>
  channel.overwrites.map((o) => ({ id: o.id, type: o.type, allow: o.allow.toString(), deny: o.deny.toString() }));

export function threadMemberShape(thread: ChannelRecord, userId: string): APIThreadMember {
  return { id: thread.id, user_id: userId, join_timestamp: isoTimestamp(thread.thread?.members.get(userId) ?? thread.createdAt), flags: 1 };
}

export function threadShape(state: DiscordState, thread: ChannelRecord, options: { withMember?: boolean } = {}): APIThreadChannel & { member_ids_preview: string[] } {
  const t = thread.thread!;
  const members = [...t.members.keys()];
  return {
    id: thread.id, type: thread.type as APIThreadChannel['type'], last_message_id: state.lastMessageIdOf(thread.id), flags: thread.flags, guild_id: thread.guildId!,
    name: thread.name, parent_id: thread.parentId!, rate_limit_per_user: thread.rateLimitPerUser, owner_id: thread.ownerId!,
    thread_metadata: {
      archived: t.archived, archive_timestamp: isoTimestamp(t.archiveTimestamp), auto_archive_duration: t.autoArchiveDuration, locked: t.locked,
      create_timestamp: isoTimestamp(t.createTimestamp), ...(thread.type === ChannelType.PrivateThread ? { invitable: t.invitable ?? true } : {}),
    },
    message_count: t.messageCount, member_count: Math.min(50, members.length), total_message_sent: t.totalMessageSent, member_ids_preview: members.slice(0, 3),
    ...(t.appliedTags.length > 0 || state.parentOf(thread)?.type === ChannelType.GuildForum ? { applied_tags: [...t.appliedTags] } : {}),
    ...(thread.lastPinTimestamp !== null ? { last_pin_timestamp: isoTimestamp(thread.lastPinTimestamp) } : {}),
    ...(options.withMember && t.members.has(state.bot.id) ? { member: threadMemberShape(thread, state.bot.id) } : {}),
  };
}

export function channelShape(state: DiscordState, channel: ChannelRecord, options: { withMember?: boolean } = {}): APIChannel {
  if (isThread(channel)) return threadShape(state, channel, options);
  if (isDm(channel)) {
    return { id: channel.id, type: ChannelType.DM, name: null, last_message_id: state.lastMessageIdOf(channel.id), flags: 0 as ChannelFlags, recipients: [userShape(state.user(channel.recipientId!))] };
  }
  const guild = {
    id: channel.id, guild_id: channel.guildId!, name: channel.name, position: channel.position, flags: channel.flags,
    parent_id: channel.parentId, permission_overwrites: overwritesShape(channel), nsfw: channel.nsfw,
  };
  const pins = channel.lastPinTimestamp !== null ? { last_pin_timestamp: isoTimestamp(channel.lastPinTimestamp) } : {};
  switch (channel.type) {
    case ChannelType.GuildCategory:
      return { ...guild, type: ChannelType.GuildCategory, parent_id: null };
    case ChannelType.GuildVoice:
      return { ...guild, type: ChannelType.GuildVoice, last_message_id: lastMessageId(state, channel), rate_limit_per_user: channel.rateLimitPerUser, bitrate: 64000, user_limit: 0, rtc_region: null };
    case ChannelType.GuildForum:
    case ChannelType.GuildMedia: {
      const forum = {
        ...guild, topic: channel.topic, last_message_id: lastMessageId(state, channel), rate_limit_per_user: channel.rateLimitPerUser,
        available_tags: (channel.availableTags ?? []).map((t) => ({ id: t.id, name: t.name, moderated: t.moderated, emoji_id: null, emoji_name: t.emojiName })),
        default_reaction_emoji: null, default_sort_order: null, default_thread_rate_limit_per_user: 0,
      };
      return channel.type === ChannelType.GuildForum
        ? { ...forum, type: ChannelType.GuildForum, default_forum_layout: ForumLayoutType.NotSet }
        : { ...forum, type: ChannelType.GuildMedia };
    }
    case ChannelType.GuildAnnouncement:
      return { ...guild, ...pins, type: ChannelType.GuildAnnouncement, topic: channel.topic, last_message_id: lastMessageId(state, channel), rate_limit_per_user: channel.rateLimitPerUser };
    default:
      return { ...guild, ...pins, type: ChannelType.GuildText, topic: channel.topic, last_message_id: lastMessageId(state, channel), rate_limit_per_user: channel.rateLimitPerUser };
  }
}
