/**
 * Permission computation exactly as https://discord.com/developers/docs/topics/permissions
 * describes it: owner → all; @everyone (role id = guild id) | member roles; ADMINISTRATOR → all;
 * then @everyone overwrite (deny, allow), role overwrites (deny all, allow all), member overwrite.
 *
 * Implicit rules applied on top (same page, "Implicit Permissions" and "Inherited Permissions
 * (Threads)"): without VIEW_CHANNEL nothing else in the channel counts; threads take their
 * parent's permissions; a private thread is visible only to its members and to MANAGE_THREADS.
 */

import { ChannelType, PermissionFlagsBits } from 'discord-api-types/v10';
import type { ChannelRecord, GuildRecord } from './model.ts';

export const ALL_PERMISSIONS = Object.values(PermissionFlagsBits).reduce((all, bit) => all | bit, 0n);

export const THREAD_TYPES: readonly ChannelType[] = [ChannelType.PublicThread, ChannelType.PrivateThread, ChannelType.AnnouncementThread];
export const isThread = (channel: ChannelRecord): boolean => THREAD_TYPES.includes(channel.type);
export const isDm = (channel: ChannelRecord): boolean => channel.type === ChannelType.DM || channel.type === ChannelType.GroupDM;

export function basePermissions(guild: GuildRecord, userId: string): bigint {
  if (guild.ownerId === userId) return ALL_PERMISSIONS;
  const member = guild.members.get(userId);
  if (!member) return 0n;
  let permissions = guild.roles.get(guild.id)?.permissions ?? 0n;
  for (const roleId of member.roles) permissions |= guild.roles.get(roleId)?.permissions ?? 0n;
  return (permissions & PermissionFlagsBits.Administrator) === PermissionFlagsBits.Administrator ? ALL_PERMISSIONS : permissions;
}

export function overwritePermissions(base: bigint, guild: GuildRecord, userId: string, channel: ChannelRecord): bigint {
  if ((base & PermissionFlagsBits.Administrator) === PermissionFlagsBits.Administrator) return ALL_PERMISSIONS;
  let permissions = base;
  const everyone = channel.overwrites.find((o) => o.type === 0 && o.id === guild.id);
  if (everyone) permissions = (permissions & ~everyone.deny) | everyone.allow;
  const roles = guild.members.get(userId)?.roles ?? [];
  let allow = 0n;
  let deny = 0n;
  for (const o of channel.overwrites) {
    if (o.type === 0 && roles.includes(o.id)) {
      allow |= o.allow;
      deny |= o.deny;
    }
  }
  permissions = (permissions & ~deny) | allow;
  const own = channel.overwrites.find((o) => o.type === 1 && o.id === userId);
  if (own) permissions = (permissions & ~own.deny) | own.allow;
  return permissions;
}

/**
 * The permissions `userId` has in `channel`: threads use their parent; a private thread the user
 * has not joined and cannot moderate gives none; no VIEW_CHANNEL gives none.
 */
export function channelPermissions(guild: GuildRecord, userId: string, channel: ChannelRecord, parent?: ChannelRecord): bigint {
  if (!guild.members.has(userId)) return 0n;
  const source = isThread(channel) && parent ? parent : channel;
  const permissions = overwritePermissions(basePermissions(guild, userId), guild, userId, source);
  if ((permissions & PermissionFlagsBits.ViewChannel) === 0n) return 0n;
  if (channel.type === ChannelType.PrivateThread && !channel.thread?.members.has(userId) && (permissions & PermissionFlagsBits.ManageThreads) === 0n) return 0n;
  return permissions;
}

export const has = (permissions: bigint, bit: bigint): boolean => (permissions & bit) === bit;
