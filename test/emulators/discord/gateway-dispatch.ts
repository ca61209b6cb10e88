/**
 * What each session receives: READY, GUILD_CREATE, and the dispatch for each world change, gated
 * by intents, shard and visibility. Sources (docs: events/gateway, events/gateway-events):
 *
 * - Intents: GUILDS for GUILD_CREATE, CHANNEL_*, THREAD_*, CHANNEL_PINS_UPDATE (guild);
 *   GUILD_MEMBERS for GUILD_MEMBER_ADD; GUILD_MESSAGES for MESSAGE_* in guilds; DIRECT_MESSAGES for
 *   MESSAGE_CREATE/UPDATE/DELETE and CHANNEL_PINS_UPDATE in DMs (there is no DM bulk delete).
 * - MESSAGE_CONTENT is not an event intent: without it message payloads have empty content
 *   fields (see message-shape.ts).
 * - Message and thread events are only sent for channels the bot can view ("Clients will not be
 *   informed of a thread through the gateway if they do not have permission to view that thread");
 *   CHANNEL_UPDATE is sent regardless, since it is how an app learns it lost access (topics/threads
 *   "Losing Access to Channels").
 * - READY: `v, user, guilds (unavailable), session_id, resume_gateway_url, shard?, application
 *   {id, flags}` plus the extra fields every capture has (`user_settings`, `session_type`,
 *   `relationships`, `private_channels`, `presences`, `guild_join_requests`,
 *   `geo_ordered_rtc_regions`, `_trace`).
 * - GUILD_CREATE: the guild plus `joined_at, large, unavailable, member_count, voice_states,
 *   members, channels, threads, presences, stage_instances, guild_scheduled_events,
 *   soundboard_sounds`; channels lack `guild_id` (captured 2024); without GUILD_PRESENCES
 *   `members` holds only the bot; `threads` are the active threads the bot can view.
 */

import { GatewayIntentBits, type APIChannel, type GatewayGuildCreateDispatchData, type GatewayReadyDispatchData, type APIUser, type UserFlags } from 'discord-api-types/v10';
import { gatewayMessageShape } from './message-shape.ts';
import type { ChannelRecord, GuildRecord } from './model.ts';
import { isDm } from './permissions.ts';
import type { Session } from './gateway-session.ts';
import { channelShape, guildShape, memberNoUser, memberShape, threadShape, userShape } from './shapes.ts';
import { isoTimestamp } from './snowflake.ts';
import type { WorldEvent } from './state.ts';
import type { DiscordThreads } from './threads.ts';

const TRACE = ['["gateway-emulator",{"micros":0,"calls":[]}]'];

/** READY's user, field for field as captured (2024): no public_flags/collectibles, with verified/mfa/email/flags. */
function readyUser(state: DiscordThreads): APIUser & { clan: null } {
  const bot = state.bot;
  return {
    verified: true, username: bot.username, primary_guild: null, mfa_enabled: false, id: bot.id, global_name: bot.globalName, flags: bot.publicFlags as UserFlags,
    email: null, discriminator: bot.discriminator, clan: null, bot: true, avatar: bot.avatar,
  };
}

export function readyPayload(state: DiscordThreads, session: Session, resumeUrl: string): GatewayReadyDispatchData & Record<string, unknown> {
  return {
    v: 10, user_settings: {}, user: readyUser(state), session_type: 'normal',
    session_id: session.id, resume_gateway_url: resumeUrl, relationships: [], private_channels: [], presences: [],
    guilds: state.botGuilds().filter((g) => session.owns(g.id)).map((g) => ({ unavailable: true, id: g.id })),
    guild_join_requests: [], geo_ordered_rtc_regions: ['us-east', 'us-central', 'atlanta', 'newark', 'us-south'], game_relationships: [], auth: {},
    application: { id: state.application.id, flags: state.application.flags, flags_new: String(state.application.flags) }, _trace: TRACE,
    ...(session.shard ? { shard: [session.shard[0], session.shard[1]] as [number, number] } : {}),
  };
}

export function guildCreatePayload(state: DiscordThreads, session: Session, guild: GuildRecord): GatewayGuildCreateDispatchData {
  const bot = guild.members.get(state.bot.id)!;
  const members = session.has(GatewayIntentBits.GuildPresences) ? [...guild.members.values()] : [bot];
  const channels = [...state.channels.values()].filter((c) => c.guildId === guild.id && !c.thread);
  const threads = state.threadsOf(guild.id).filter((t) => !t.thread!.archived && state.botCanView(t));
  const strip = (c: APIChannel): APIChannel => {
    const { guild_id: _omit, ...rest } = c as APIChannel & { guild_id?: string };
    return rest as APIChannel;
  };
  return {
    ...guildShape(guild), joined_at: isoTimestamp(bot.joinedAt), large: false, unavailable: false, member_count: guild.members.size,
    voice_states: [], members: members.map((m) => memberShape(state, m, 'gateway')),
    channels: channels.map((c) => strip(channelShape(state, c))) as GatewayGuildCreateDispatchData['channels'],
    threads: threads.map((t) => threadShape(state, t, { withMember: true })), presences: [], stage_instances: [], guild_scheduled_events: [], soundboard_sounds: [],
  };
}

/** Sends `event` to `session` if its intents, shard and the bot's view allow. */
export function deliver(state: DiscordThreads, session: Session, event: WorldEvent): void {
  const messageIntent = (channel: ChannelRecord): boolean =>
    session.has(isDm(channel) ? GatewayIntentBits.DirectMessages : GatewayIntentBits.GuildMessages);
  const guildScoped = (channel: ChannelRecord): boolean => session.owns(channel.guildId);
  const contentIntent = session.has(GatewayIntentBits.MessageContent);
  switch (event.t) {
    case 'MESSAGE_CREATE':
    case 'MESSAGE_UPDATE': {
      const channel = state.channels.get(event.message.channelId);
      if (!channel || !guildScoped(channel) || !messageIntent(channel) || !state.botCanView(channel)) return;
      session.dispatch(event.t, gatewayMessageShape(state, event.message, contentIntent, event.t === 'MESSAGE_UPDATE'));
      return;
    }
    case 'MESSAGE_DELETE':
    case 'MESSAGE_DELETE_BULK': {
      const { channel } = event;
      if (!guildScoped(channel) || !messageIntent(channel) || !state.botCanView(channel)) return;
      if (event.t === 'MESSAGE_DELETE_BULK' && isDm(channel)) return;
      const where = { channel_id: channel.id, ...(channel.guildId !== undefined ? { guild_id: channel.guildId } : {}) };
      session.dispatch(event.t, event.t === 'MESSAGE_DELETE' ? { id: event.id, ...where } : { ids: [...event.ids], ...where });
      return;
    }
    case 'THREAD_CREATE':
    case 'THREAD_UPDATE':
    case 'THREAD_DELETE': {
      const { thread } = event;
      if (!guildScoped(thread) || !session.has(GatewayIntentBits.Guilds) || !state.botCanView(thread)) return;
      if (event.t === 'THREAD_DELETE') {
        session.dispatch(event.t, { id: thread.id, guild_id: thread.guildId!, parent_id: thread.parentId!, type: thread.type });
      } else {
        const shape = threadShape(state, thread, { withMember: true });
        session.dispatch(event.t, event.t === 'THREAD_CREATE' && event.newlyCreated ? { ...shape, newly_created: true } : shape);
      }
      return;
    }
    case 'CHANNEL_CREATE':
    case 'CHANNEL_UPDATE':
    case 'CHANNEL_DELETE': {
      const { channel } = event;
      if (!guildScoped(channel) || !session.has(GatewayIntentBits.Guilds)) return;
      if (event.t === 'CHANNEL_CREATE' && !state.botCanView(channel)) return;
      session.dispatch(event.t, channelShape(state, channel));
      return;
    }
    case 'CHANNEL_PINS_UPDATE': {
      const { channel } = event;
      const intent = isDm(channel) ? GatewayIntentBits.DirectMessages : GatewayIntentBits.Guilds;
      if (!guildScoped(channel) || !session.has(intent) || !state.botCanView(channel)) return;
      session.dispatch(event.t, {
        channel_id: channel.id, ...(channel.guildId !== undefined ? { guild_id: channel.guildId } : {}),
        last_pin_timestamp: channel.lastPinTimestamp === null ? null : isoTimestamp(channel.lastPinTimestamp),
      });
      return;
    }
    case 'GUILD_MEMBER_ADD': {
      if (!session.owns(event.guild.id) || !session.has(GatewayIntentBits.GuildMembers)) return;
      const member = event.guild.members.get(event.userId)!;
      session.dispatch(event.t, { ...memberNoUser(member), user: userShape(state.user(event.userId), 'gateway'), guild_id: event.guild.id });
      return;
    }
  }
}
