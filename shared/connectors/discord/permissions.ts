/**
 * Who may read a guild channel, from its roles and permission overwrites, as Tributary
 * principals. Pure: the connector reads the guild, the channel and the few members it needs.
 *
 * Discord's algorithm (https://discord.com/developers/docs/topics/permissions, "Permission
 * Overwrites"): the owner has everything; base = @everyone's permissions | the member's roles';
 * ADMINISTRATOR gives everything; then the @everyone overwrite (deny, then allow), the member's
 * role overwrites together (all denies, then all allows), and the member's own overwrite.
 *
 * Reading a channel's history needs VIEW_CHANNEL and READ_MESSAGE_HISTORY. The principals:
 *
 * - `group:discord-role:<guild id>` (the @everyone role) when every member can read it;
 * - otherwise `group:discord-role:<role id>` for each role all of whose holders can read it,
 *   whatever other roles they hold (an ADMINISTRATOR role; a role whose own overwrite allows both
 *   bits, or whose base permissions keep them when no role overwrite denies them), unless a member
 *   holding it is denied by a member overwrite; plus `user:<id>` for the owner and each member
 *   whose own overwrite lets them read.
 *
 * The list never names someone who cannot read the channel; it may leave out someone who can
 * (a member allowed only by the absence of a deny, in a channel that denies some role): such a
 * member finds the channel's documents through a role or not at all. docs/sources/discord.md
 * ("Access") has the table.
 */
import type { DiscordOverwrite } from './wire.ts';

export const ADMINISTRATOR = 1n << 3n;
export const VIEW_CHANNEL = 1n << 10n;
export const READ_MESSAGE_HISTORY = 1n << 16n;
export const MANAGE_THREADS = 1n << 34n;
/** What reading a channel's past messages takes. */
export const READ = VIEW_CHANNEL | READ_MESSAGE_HISTORY;
const ALL = (1n << 64n) - 1n;

export const rolePrincipal = (roleId: string): string => `group:discord-role:${roleId}`;
export const userPrincipal = (userId: string): string => `user:${userId}`;

/** A guild as permissions need it: @everyone is the role whose id is the guild id. */
export interface GuildPermissions {
  readonly guildId: string;
  readonly ownerId: string;
  /** Role id → its base permissions. */
  readonly roles: ReadonlyMap<string, bigint>;
}

export interface MemberRoles {
  readonly userId: string;
  readonly roles: readonly string[];
}

interface Overwrite {
  readonly id: string;
  readonly type: 0 | 1;
  readonly allow: bigint;
  readonly deny: bigint;
}

export function parseOverwrites(overwrites: readonly DiscordOverwrite[] | undefined): Overwrite[] {
  return (overwrites ?? []).map((o) => ({ id: o.id, type: o.type, allow: BigInt(o.allow), deny: BigInt(o.deny) }));
}

const has = (permissions: bigint, bits: bigint): boolean => (permissions & bits) === bits;

/** A member's permissions in a channel with these overwrites (the docs' algorithm). */
export function permissionsIn(guild: GuildPermissions, member: MemberRoles, overwrites: readonly Overwrite[]): bigint {
  if (member.userId === guild.ownerId) return ALL;
  let base = guild.roles.get(guild.guildId) ?? 0n;
  for (const role of member.roles) base |= guild.roles.get(role) ?? 0n;
  if (has(base, ADMINISTRATOR)) return ALL;
  let permissions = base;
  const everyone = overwrites.find((o) => o.type === 0 && o.id === guild.guildId);
  if (everyone) permissions = (permissions & ~everyone.deny) | everyone.allow;
  let allow = 0n;
  let deny = 0n;
  for (const o of overwrites) {
    if (o.type === 0 && o.id !== guild.guildId && member.roles.includes(o.id)) {
      allow |= o.allow;
      deny |= o.deny;
    }
  }
  permissions = (permissions & ~deny) | allow;
  const own = overwrites.find((o) => o.type === 1 && o.id === member.userId);
  if (own) permissions = (permissions & ~own.deny) | own.allow;
  return permissions;
}

/** Ids of the users a channel's member overwrites name: the connector reads their roles for {@link channelPrincipals}. */
export function overwrittenMembers(overwrites: readonly Overwrite[]): string[] {
  return overwrites.filter((o) => o.type === 1).map((o) => o.id);
}

/**
 * The principals that may read a channel (see the module comment).
 * @param members the roles of every user a member overwrite names (undefined: not a member)
 * @param need the bits reading takes ({@link READ}; a private thread's moderators also need MANAGE_THREADS)
 */
export function channelPrincipals(
  guild: GuildPermissions, overwrites: readonly Overwrite[], members: ReadonlyMap<string, MemberRoles | undefined>, need: bigint = READ,
): string[] {
  const everyoneId = guild.guildId;
  const everyoneOverwrite = overwrites.find((o) => o.type === 0 && o.id === everyoneId);
  /** Bits some role overwrite denies: the worst case for a member holding that role too. */
  let roleDenies = 0n;
  for (const o of overwrites) if (o.type === 0 && o.id !== everyoneId) roleDenies |= o.deny;
  /** Bits a member is sure to have after the @everyone overwrite, given these base permissions. */
  const afterEveryone = (base: bigint): bigint => ((base & ~(everyoneOverwrite?.deny ?? 0n)) | (everyoneOverwrite?.allow ?? 0n));

  const readers: string[] = [];
  const denied: MemberRoles[] = [];
  for (const userId of overwrittenMembers(overwrites)) {
    const member = members.get(userId);
    if (!member) continue;
    if (has(permissionsIn(guild, member, overwrites), need)) readers.push(userId);
    else denied.push(member);
  }

  const everyoneBase = guild.roles.get(everyoneId) ?? 0n;
  if (denied.length === 0 && (has(everyoneBase, ADMINISTRATOR) || has(afterEveryone(everyoneBase) & ~roleDenies, need))) {
    return [rolePrincipal(everyoneId)];
  }

  const principals = new Set<string>([userPrincipal(guild.ownerId), ...readers.map(userPrincipal)]);
  for (const [roleId, base] of guild.roles) {
    if (roleId === everyoneId) continue;
    const own = overwrites.find((o) => o.type === 0 && o.id === roleId);
    const sure = has(base | everyoneBase, ADMINISTRATOR)
      || has((own?.allow ?? 0n) | (afterEveryone(base | everyoneBase) & ~roleDenies), need);
    // A member overwrite that denies a holder of the role makes the role too wide.
    if (sure && !denied.some((m) => m.roles.includes(roleId) && !has(base, ADMINISTRATOR))) principals.add(rolePrincipal(roleId));
  }
  return [...principals].sort();
}
