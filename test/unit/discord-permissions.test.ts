/**
 * Channel access from roles and overwrites (shared/connectors/discord/permissions.ts): the docs'
 * permission algorithm, and principals that never name someone who cannot read the channel.
 */
import { PermissionFlagsBits as P } from 'discord-api-types/v10';
import { describe, expect, it } from 'vitest';
import {
  channelPrincipals, parseOverwrites, permissionsIn, READ, type GuildPermissions, type MemberRoles,
} from '../../shared/connectors/discord/permissions.ts';

const GUILD = '100000000000000001';
const OWNER = '200000000000000001';
const MOD = '300000000000000001';
const MEMBER = '300000000000000002';
const ADMIN = '300000000000000003';
const MUTED = '300000000000000004';
const ALICE = '400000000000000001';
const BOB = '400000000000000002';
const EVERYONE_DEFAULT = P.ViewChannel | P.ReadMessageHistory | P.SendMessages;

const guild = (everyone: bigint = EVERYONE_DEFAULT): GuildPermissions => ({
  guildId: GUILD, ownerId: OWNER,
  roles: new Map([[GUILD, everyone], [MOD, P.ManageMessages], [MEMBER, 0n], [ADMIN, P.Administrator], [MUTED, 0n]]),
});
type OverwriteSpec = { id: string; type: 0 | 1; allow?: bigint; deny?: bigint };
const overwrites = (...specs: OverwriteSpec[]) => parseOverwrites(specs.map((o) => ({ id: o.id, type: o.type, allow: String(o.allow ?? 0n), deny: String(o.deny ?? 0n) })));
const members = (...list: MemberRoles[]) => new Map(list.map((m) => [m.userId, m]));
const role = (id: string) => `group:discord-role:${id}`;

describe('Discord permissions', () => {
  it('follows the documented order: owner, ADMINISTRATOR, @everyone overwrite, role overwrites, member overwrite', () => {
    // Prepare: @everyone denied, MEMBER allowed, Bob denied by his own overwrite.
    const g = guild();
    const ow = overwrites({ id: GUILD, type: 0, deny: P.ViewChannel }, { id: MEMBER, type: 0, allow: P.ViewChannel }, { id: BOB, type: 1, deny: P.ViewChannel });

    // Act
    const of = (m: MemberRoles) => (permissionsIn(g, m, ow) & READ) === READ;

    // Assess
    expect(of({ userId: OWNER, roles: [] })).toBe(true);
    expect(of({ userId: ALICE, roles: [ADMIN] })).toBe(true);
    expect(of({ userId: ALICE, roles: [] })).toBe(false);
    expect(of({ userId: ALICE, roles: [MEMBER] })).toBe(true);
    expect(of({ userId: BOB, roles: [MEMBER] })).toBe(false);
  });

  it('names @everyone for a channel every member can read', () => {
    expect(channelPrincipals(guild(), [], new Map())).toEqual([role(GUILD)]);
  });

  it('names the roles a private channel allows, admin roles and the owner — not @everyone', () => {
    // Prepare
    const ow = overwrites({ id: GUILD, type: 0, deny: P.ViewChannel }, { id: MOD, type: 0, allow: P.ViewChannel });

    // Act
    const principals = channelPrincipals(guild(), ow, new Map());

    // Assess
    expect(principals).toEqual([role(ADMIN), role(MOD), `user:${OWNER}`].sort());
  });

  it('names a member let in by their own overwrite, after checking their roles', () => {
    // Prepare: Alice has her own allow; Bob's overwrite allows VIEW but a role of his denies history.
    const ow = overwrites(
      { id: GUILD, type: 0, deny: P.ViewChannel }, { id: ALICE, type: 1, allow: P.ViewChannel },
      { id: MUTED, type: 0, deny: P.ReadMessageHistory }, { id: BOB, type: 1, allow: P.ViewChannel },
    );

    // Act
    const principals = channelPrincipals(guild(), ow, members({ userId: ALICE, roles: [] }, { userId: BOB, roles: [MUTED] }));

    // Assess
    expect(principals).toContain(`user:${ALICE}`);
    expect(principals).not.toContain(`user:${BOB}`);
  });

  it('narrows, never widens: a role deny overwrite rules out roles that only inherit the bits', () => {
    // Prepare: everyone may read, except holders of MUTED; MOD has its own allow.
    const ow = overwrites({ id: MUTED, type: 0, deny: P.ViewChannel }, { id: MOD, type: 0, allow: READ });

    // Act
    const principals = channelPrincipals(guild(), ow, new Map());

    // Assess: @everyone and MEMBER are out (a holder may also be MUTED); MOD's allow wins over MUTED's deny.
    expect(principals).not.toContain(role(GUILD));
    expect(principals).not.toContain(role(MEMBER));
    expect(principals).toEqual([role(ADMIN), role(MOD), `user:${OWNER}`].sort());
  });

  it('drops a role when a member holding it is denied by a member overwrite', () => {
    // Prepare: MOD may read, but Bob (a MOD) is denied personally.
    const ow = overwrites({ id: GUILD, type: 0, deny: P.ViewChannel }, { id: MOD, type: 0, allow: P.ViewChannel }, { id: BOB, type: 1, deny: P.ViewChannel });

    // Act
    const principals = channelPrincipals(guild(), ow, members({ userId: BOB, roles: [MOD] }));

    // Assess
    expect(principals).not.toContain(role(MOD));
    expect(principals).not.toContain(`user:${BOB}`);
    expect(principals).toContain(role(ADMIN));
  });

  it('takes a public channel with one member denied for no longer public', () => {
    // Prepare
    const ow = overwrites({ id: BOB, type: 1, deny: P.ViewChannel });

    // Act
    const principals = channelPrincipals(guild(), ow, members({ userId: BOB, roles: [] }));

    // Assess
    expect(principals).not.toContain(role(GUILD));
    expect(principals).toContain(`user:${OWNER}`);
  });

  it('honours @everyone base permissions without VIEW_CHANNEL and an @everyone allow overwrite', () => {
    // Prepare: @everyone has no VIEW_CHANNEL by default, but this channel allows it.
    const base = P.ReadMessageHistory;

    // Act
    const open = channelPrincipals(guild(base), overwrites({ id: GUILD, type: 0, allow: P.ViewChannel }), new Map());
    const closed = channelPrincipals(guild(base), [], new Map());

    // Assess
    expect(open).toEqual([role(GUILD)]);
    expect(closed).toEqual([role(ADMIN), `user:${OWNER}`].sort());
  });
});
