/**
 * Channel, message and archived-thread reads. Sources (docs unless noted):
 *
 * - GET /channels/{id} (channel#get-channel): a thread includes the bot's thread `member`.
 *   Unknown → 404 10003 "Unknown Channel"; a channel the bot cannot view (no VIEW_CHANNEL, a guild
 *   it is not in, a private thread it has not joined without MANAGE_THREADS) → 403 50001 "Missing
 *   Access" (captured answers, discord/discord-api-docs#7399).
 * - GET /channels/{id}/messages (message#get-channel-messages): "from newest to oldest";
 *   `around`/`before`/`after` mutually exclusive, `limit` 1–100, default 50. Without
 *   READ_MESSAGE_HISTORY "no messages will be returned" (200 `[]`, discord/discord-api-docs#455).
 *   - `after=X`: the `limit` messages right after X, still newest first (discord.py pages forward
 *     with `after = data[0].id`, Rapptz/discord.py iterators.py).
 *   - `around=X`: ⌊limit/2⌋ older, X itself, ⌊limit/2⌋ newer — so an even limit can give limit+1
 *     (discord.py: "if limit is an even number, this will return at most limit+1 messages").
 *   - Given more than one, `around` wins, then `after` over `before` (discord.py: "if both before and
 *     after are specified, before is ignored by the messages endpoint").
 * - GET /channels/{id}/messages/{id} (message#get-channel-message): needs VIEW_CHANNEL and
 *   READ_MESSAGE_HISTORY; missing history → 403 50013 "Missing Permissions" (the code is inferred);
 *   unknown → 404 10008 "Unknown Message".
 * - GET …/threads/archived/public, …/private, …/users/@me/threads/archived/private
 *   (channel#list-*-archived-threads): `{threads, members, has_more}`; public/private ordered by
 *   `archive_timestamp` descending with an ISO8601 `before`; joined-private ordered by id with a
 *   snowflake `before`. Public needs READ_MESSAGE_HISTORY, private also MANAGE_THREADS (403 50013
 *   otherwise, code inferred). `limit` 2–100, default 50 (bounds seen in the wild, not documented).
 * - GET /channels/{id}/thread-members (channel#list-thread-members): the thread's members as thread
 *   member objects; "restricted according to whether the GUILD_MEMBERS Privileged Intent is enabled"
 *   (refused 403 50001 without it, as /guilds/{id}/members is); paginated (`after` user id, `limit`
 *   1–100, default 100) and with a guild `member` each only with `with_member=true` ("Starting in
 *   API v11, this endpoint will always return paginated results. Paginated results can be enabled
 *   before API v11 by setting with_member to true"). On a channel that is not a thread: 400 50024
 *   "Cannot execute action on this channel type" (code inferred).
 */

import { ChannelType, PermissionFlagsBits, type APIMessage, type RESTGetAPIChannelThreadsArchivedPublicResult } from 'discord-api-types/v10';
import { intParam, invalidFormBody, missingAccess, missingPermissions, snowflakeParam, unknownChannel, unknownMessage, wrongChannelType } from './errors.ts';
import { messageShape } from './message-shape.ts';
import type { ChannelRecord } from './model.ts';
import { has, isThread } from './permissions.ts';
import type { Route } from './rest.ts';
import { channelShape, memberShape, threadMemberShape } from './shapes.ts';
import { compareSnowflakes } from './snowflake.ts';
import type { DiscordThreads } from './threads.ts';

export function readableChannel(state: DiscordThreads, id: string): ChannelRecord {
  const channel = state.channels.get(id);
  if (!channel) throw unknownChannel();
  if (!state.botCanView(channel)) throw missingAccess();
  return channel;
}

/** Newest first, exactly as Discord pages. */
export function page<T extends { id: string }>(ascending: readonly T[], query: URLSearchParams): T[] {
  const around = snowflakeParam(query, 'around');
  const before = snowflakeParam(query, 'before');
  const after = snowflakeParam(query, 'after');
  const limit = intParam(query, 'limit', 1, 100, 50);
  let picked: T[];
  if (around !== undefined) {
    const half = Math.floor(limit / 2);
    const older = ascending.filter((m) => compareSnowflakes(m.id, around) < 0);
    const newer = ascending.filter((m) => compareSnowflakes(m.id, around) > 0);
    const self = ascending.filter((m) => m.id === around);
    picked = [...(half > 0 ? older.slice(-half) : []), ...self, ...newer.slice(0, half)];
  } else if (after !== undefined) {
    picked = ascending.filter((m) => compareSnowflakes(m.id, after) > 0).slice(0, limit);
  } else if (before !== undefined) {
    picked = ascending.filter((m) => compareSnowflakes(m.id, before) < 0).slice(-limit);
  } else {
    picked = ascending.slice(-limit);
  }
  return picked.reverse();
}

export function channelRoutes(state: DiscordThreads): Route[] {
  const rest = { surface: 'rest' as const, get contentIntent() { return state.messageContentEnabled; } };
  const archived = (parent: ChannelRecord, query: URLSearchParams, pick: (t: ChannelRecord) => boolean, byId: boolean): RESTGetAPIChannelThreadsArchivedPublicResult => {
    const limit = intParam(query, 'limit', 2, 100, 50);
    const beforeRaw = query.get('before');
    let threads = [...state.channels.values()].filter((t) => t.parentId === parent.id && isThread(t) && t.thread!.archived && pick(t));
    if (byId) {
      const before = snowflakeParam(query, 'before');
      threads = threads.filter((t) => before === undefined || compareSnowflakes(t.id, before) < 0).sort((a, b) => compareSnowflakes(b.id, a.id));
    } else {
      const before = beforeRaw === null ? undefined : Date.parse(beforeRaw);
      if (before !== undefined && Number.isNaN(before)) throw invalidFormBody('before', 'DATE_TIME_TYPE_PARSE', `Could not interpret "${beforeRaw}" as date-time.`);
      threads = threads.filter((t) => before === undefined || t.thread!.archiveTimestamp < before).sort((a, b) => b.thread!.archiveTimestamp - a.thread!.archiveTimestamp);
    }
    const shown = threads.slice(0, limit);
    return {
      threads: shown.map((t) => channelShape(state, t)), members: shown.filter((t) => t.thread!.members.has(state.bot.id)).map((t) => threadMemberShape(t, state.bot.id)),
      has_more: threads.length > shown.length,
    };
  };
  const needs = (channel: ChannelRecord, ...bits: bigint[]): void => {
    const permissions = state.botPermissions(channel);
    if (bits.some((b) => !has(permissions, b))) throw missingPermissions();
  };
  return [
    { method: 'GET', path: '/channels/{channel.id}', handle: ({ params }) => channelShape(state, readableChannel(state, params['channel.id']!), { withMember: true }) },
    {
      method: 'GET', path: '/channels/{channel.id}/messages',
      handle: ({ params, query }): APIMessage[] => {
        const channel = readableChannel(state, params['channel.id']!);
        const messages = page(state.messagesOf(channel.id), query);
        if (!has(state.botPermissions(channel), PermissionFlagsBits.ReadMessageHistory)) return [];
        return messages.map((m) => messageShape(state, m, rest));
      },
    },
    {
      method: 'GET', path: '/channels/{channel.id}/messages/{message.id}',
      handle: ({ params }): APIMessage => {
        const channel = readableChannel(state, params['channel.id']!);
        needs(channel, PermissionFlagsBits.ReadMessageHistory);
        const message = state.message(channel.id, params['message.id']!);
        if (!message) throw unknownMessage();
        return messageShape(state, message, rest);
      },
    },
    {
      method: 'GET', path: '/channels/{channel.id}/thread-members',
      handle: ({ params, query }) => {
        const thread = readableChannel(state, params['channel.id']!);
        if (!thread.thread) throw wrongChannelType();
        if (!state.guildMembersEnabled) throw missingAccess();
        const guild = state.guildOf(thread);
        let users = [...thread.thread.members.keys()].sort(compareSnowflakes);
        const paged = query.get('with_member') === 'true';
        if (paged) {
          const limit = intParam(query, 'limit', 1, 100, 100);
          const after = snowflakeParam(query, 'after') ?? '0';
          users = users.filter((u) => compareSnowflakes(u, after) > 0).slice(0, limit);
        }
        return users.map((userId) => {
          const member = paged ? guild?.members.get(userId) : undefined;
          return { ...threadMemberShape(thread, userId), ...(member ? { member: memberShape(state, member) } : {}) };
        });
      },
    },
    {
      method: 'GET', path: '/channels/{channel.id}/threads/archived/public',
      handle: ({ params, query }) => {
        const channel = readableChannel(state, params['channel.id']!);
        needs(channel, PermissionFlagsBits.ReadMessageHistory);
        return archived(channel, query, (t) => t.type !== ChannelType.PrivateThread, false);
      },
    },
    {
      method: 'GET', path: '/channels/{channel.id}/threads/archived/private',
      handle: ({ params, query }) => {
        const channel = readableChannel(state, params['channel.id']!);
        needs(channel, PermissionFlagsBits.ReadMessageHistory, PermissionFlagsBits.ManageThreads);
        return archived(channel, query, (t) => t.type === ChannelType.PrivateThread, false);
      },
    },
    {
      method: 'GET', path: '/channels/{channel.id}/users/@me/threads/archived/private',
      handle: ({ params, query }) => {
        const channel = readableChannel(state, params['channel.id']!);
        needs(channel, PermissionFlagsBits.ReadMessageHistory);
        return archived(channel, query, (t) => t.type === ChannelType.PrivateThread && t.thread!.members.has(state.bot.id), true);
      },
    },
  ];
}
