/**
 * The REST routes that read users, the application, guilds, the Gateway and channels' metadata
 * (messages and threads are in routes-channels.ts). Sources per route, in the docs:
 *
 * - GET /users/@me (user#get-current-user): the bot with `verified`, `mfa_enabled`, `email: null`.
 * - GET /users/@me/guilds (user#get-current-user-guilds): partial guilds `{id, name, icon, banner,
 *   owner, permissions, features}` (+ approximate counts with `with_counts`), `before`/`after`,
 *   `limit` 1–200 (default 200), ascending ids.
 * - GET /applications/@me (application#get-current-application): the application object with
 *   `flags` — GATEWAY_MESSAGE_CONTENT (1 << 18) / _LIMITED (1 << 19) tell whether the portal
 *   switch is on.
 * - GET /gateway, /gateway/bot (events/gateway): `{url, shards, session_start_limit {total,
 *   remaining, reset_after, max_concurrency}}`.
 * - GET /guilds/{id} (+ `with_counts`), /channels (all guild channels, not threads), /roles,
 *   /members/{user} (404 10007 "Unknown Member"), /members (`limit` 1–1000 default 1, `after`;
 *   requires the GUILD_MEMBERS privileged intent — refused 403 50001 without it, as Discord
 *   answers; the code is inferred from reports, the docs only say "requires"), /threads/active
 *   (active threads the bot can see, id descending, with the bot's thread members).
 *   An unknown guild is 404 10004; a guild the bot is not in is 403 50001.
 */

import { ApplicationIntegrationType, OAuth2Scopes } from 'discord-api-types/v10';
import type {
  APIApplication, APIGatewayBotInfo, APIGatewayInfo, APIGuildMember, APIThreadList, RESTAPIPartialCurrentUserGuild,
  RESTGetAPIGuildResult, GuildFeature,
} from 'discord-api-types/v10';
import { intParam, missingAccess, snowflakeParam, unknownGuild, unknownMember, unknownUser } from './errors.ts';
import type { GuildRecord } from './model.ts';
import { basePermissions } from './permissions.ts';
import type { Route } from './rest.ts';
import { channelShape, currentUserShape, guildShape, memberShape, roleShape, threadMemberShape, userShape } from './shapes.ts';
import { compareSnowflakes } from './snowflake.ts';
import type { DiscordThreads } from './threads.ts';

export interface GatewayInfoSource {
  readonly gatewayUrl: () => string;
  /** Identifies left today (session_start_limit.remaining). */
  readonly identifiesLeft: () => number;
}

export function readGuild(state: DiscordThreads, id: string): GuildRecord {
  const guild = state.guilds.get(id);
  if (!guild) throw unknownGuild();
  if (!guild.members.has(state.bot.id)) throw missingAccess();
  return guild;
}

export function applicationShape(state: DiscordThreads): APIApplication {
  const app = state.application;
  return {
    id: app.id, name: app.name, icon: null, description: app.description, summary: '', bot_public: true,
    bot_require_code_grant: false, verify_key: 'a'.repeat(64), flags: app.flags, flags_new: String(app.flags),
    bot: { ...userShape(state.bot) }, owner: userShape(state.user(app.ownerId)), team: null,
    approximate_guild_count: state.botGuilds().length, approximate_user_install_count: 0, redirect_uris: [],
    interactions_endpoint_url: null, role_connections_verification_url: null, event_webhooks_url: null, event_webhooks_status: 1,
    integration_types_config: { [ApplicationIntegrationType.GuildInstall]: { oauth2_install_params: { scopes: [OAuth2Scopes.ApplicationsCommands, OAuth2Scopes.Bot], permissions: '0' } } },
  };
}

export function baseRoutes(state: DiscordThreads, gateway: GatewayInfoSource): Route[] {
  const gatewayInfo = (): APIGatewayInfo => ({ url: gateway.gatewayUrl() });
  return [
    { method: 'GET', path: '/gateway', auth: false, handle: gatewayInfo },
    {
      method: 'GET', path: '/gateway/bot',
      handle: (): APIGatewayBotInfo => ({ ...gatewayInfo(), shards: 1, session_start_limit: { total: 1000, remaining: gateway.identifiesLeft(), reset_after: 14400000, max_concurrency: 1 } }),
    },
    { method: 'GET', path: '/users/@me', handle: () => currentUserShape(state.bot) },
    {
      method: 'GET', path: '/users/{user.id}',
      handle: ({ params }) => {
        const user = state.users.get(params['user.id']!);
        if (!user) throw unknownUser();
        return userShape(user);
      },
    },
    {
      method: 'GET', path: '/users/@me/guilds',
      handle: ({ query }): RESTAPIPartialCurrentUserGuild[] => {
        const before = snowflakeParam(query, 'before');
        const after = snowflakeParam(query, 'after');
        const limit = intParam(query, 'limit', 1, 200, 200);
        const counts = query.get('with_counts') === 'true';
        let guilds = state.botGuilds();
        if (before !== undefined) guilds = guilds.filter((g) => compareSnowflakes(g.id, before) < 0).slice(-limit);
        else guilds = guilds.filter((g) => after === undefined || compareSnowflakes(g.id, after) > 0).slice(0, limit);
        return guilds.map((g) => ({
          id: g.id, name: g.name, icon: g.icon, banner: null, owner: g.ownerId === state.bot.id, permissions: basePermissions(g, state.bot.id).toString(),
          features: g.features as GuildFeature[], ...(counts ? { approximate_member_count: g.members.size, approximate_presence_count: 0 } : {}),
        }));
      },
    },
    { method: 'GET', path: '/applications/@me', handle: () => applicationShape(state) },
    {
      method: 'GET', path: '/guilds/{guild.id}',
      handle: ({ params, query }): RESTGetAPIGuildResult => {
        const guild = readGuild(state, params['guild.id']!);
        return { ...guildShape(guild), ...(query.get('with_counts') === 'true' ? { approximate_member_count: guild.members.size, approximate_presence_count: 0 } : {}) };
      },
    },
    {
      method: 'GET', path: '/guilds/{guild.id}/channels',
      handle: ({ params }) => {
        const guild = readGuild(state, params['guild.id']!);
        return [...state.channels.values()].filter((c) => c.guildId === guild.id && !c.thread).map((c) => channelShape(state, c));
      },
    },
    { method: 'GET', path: '/guilds/{guild.id}/roles', handle: ({ params }) => [...readGuild(state, params['guild.id']!).roles.values()].sort((a, b) => a.position - b.position).map(roleShape) },
    {
      method: 'GET', path: '/guilds/{guild.id}/members/{user.id}',
      handle: ({ params }): APIGuildMember => {
        const member = readGuild(state, params['guild.id']!).members.get(params['user.id']!);
        if (!member) throw unknownMember();
        return memberShape(state, member);
      },
    },
    {
      method: 'GET', path: '/guilds/{guild.id}/members',
      handle: ({ params, query }): APIGuildMember[] => {
        const guild = readGuild(state, params['guild.id']!);
        if (!state.guildMembersEnabled) throw missingAccess();
        const limit = intParam(query, 'limit', 1, 1000, 1);
        const after = snowflakeParam(query, 'after') ?? '0';
        return [...guild.members.values()].filter((m) => compareSnowflakes(m.userId, after) > 0).sort((a, b) => compareSnowflakes(a.userId, b.userId)).slice(0, limit).map((m) => memberShape(state, m));
      },
    },
    {
      method: 'GET', path: '/guilds/{guild.id}/threads/active',
      handle: ({ params }): APIThreadList => {
        const guild = readGuild(state, params['guild.id']!);
        const threads = state.threadsOf(guild.id).filter((t) => !t.thread!.archived && state.botCanView(t)).sort((a, b) => compareSnowflakes(b.id, a.id));
        return { threads: threads.map((t) => channelShape(state, t)), members: threads.filter((t) => t.thread!.members.has(state.bot.id)).map((t) => threadMemberShape(t, state.bot.id)) };
      },
    },
  ];
}
