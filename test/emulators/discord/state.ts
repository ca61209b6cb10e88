/**
 * The emulated Discord: its records, its clock, the emulator's own bot and application, lookups
 * with Discord's access rules, and the stream of changes the Gateway turns into dispatches.
 *
 * The bot's application has the same id as its bot user, as in every captured READY
 * (`"user": {"id": "1178012787457400832", …}, "application": {"id": "1178012787457400832", …}`).
 */

import { ApplicationFlags, PermissionFlagsBits } from 'discord-api-types/v10';
import type { ApplicationRecord, ChannelRecord, GuildRecord, MessageRecord, UserRecord } from './model.ts';
import { channelPermissions, has, isDm, isThread } from './permissions.ts';
import { compareSnowflakes, SnowflakeMint } from './snowflake.ts';

/** A change, as the Gateway needs to know it (payloads are rendered per session). */
export type WorldEvent =
  | { readonly t: 'MESSAGE_CREATE' | 'MESSAGE_UPDATE'; readonly message: MessageRecord }
  | { readonly t: 'MESSAGE_DELETE'; readonly channel: ChannelRecord; readonly id: string }
  | { readonly t: 'MESSAGE_DELETE_BULK'; readonly channel: ChannelRecord; readonly ids: readonly string[] }
  | { readonly t: 'THREAD_CREATE'; readonly thread: ChannelRecord; readonly newlyCreated: boolean }
  | { readonly t: 'THREAD_UPDATE' | 'THREAD_DELETE'; readonly thread: ChannelRecord }
  | { readonly t: 'CHANNEL_CREATE' | 'CHANNEL_UPDATE' | 'CHANNEL_DELETE'; readonly channel: ChannelRecord }
  | { readonly t: 'CHANNEL_PINS_UPDATE'; readonly channel: ChannelRecord }
  | { readonly t: 'GUILD_MEMBER_ADD'; readonly guild: GuildRecord; readonly userId: string };

export interface DiscordStateOptions {
  /** The bot token REST (`Authorization: Bot <token>`) and Identify accept. @default 'emulator-bot-token' */
  readonly token?: string;
  /** Clock (epoch ms) for messages posted without `at`. @default Date.now */
  readonly now?: () => number;
  /** The bot's username. @default 'Emulated Bot' */
  readonly botName?: string;
  /**
   * Application flags. @default GATEWAY_MESSAGE_CONTENT_LIMITED | GATEWAY_GUILD_MEMBERS_LIMITED
   * (an unverified app in < 100 servers with those intents switched on in the portal).
   */
  readonly applicationFlags?: number;
}

export class DiscordState {
  readonly token: string;
  readonly now: () => number;
  protected readonly mint = new SnowflakeMint();
  readonly users = new Map<string, UserRecord>();
  readonly guilds = new Map<string, GuildRecord>();
  readonly channels = new Map<string, ChannelRecord>();
  /** channel id → messages in id order (deleted ones stay, flagged, so ids are never reused). */
  protected readonly messages = new Map<string, MessageRecord[]>();
  readonly application: ApplicationRecord;
  readonly bot: UserRecord;
  private readonly listeners: ((event: WorldEvent) => void)[] = [];

  constructor(options: DiscordStateOptions = {}) {
    this.token = options.token ?? 'emulator-bot-token';
    this.now = options.now ?? (() => Date.now());
    const botId = this.mint.next(Date.parse('2024-01-08T05:00:00Z'));
    const ownerId = this.mint.next(Date.parse('2016-04-01T00:00:00Z'));
    this.bot = { id: botId, username: options.botName ?? 'Emulated Bot', globalName: null, discriminator: '2729', avatar: null, bot: true, system: false, publicFlags: 0 };
    this.users.set(botId, this.bot);
    this.users.set(ownerId, { id: ownerId, username: 'app-owner', globalName: 'App Owner', discriminator: '0', avatar: null, bot: false, system: false, publicFlags: 0 });
    this.application = {
      id: botId, name: this.bot.username, description: '', ownerId,
      flags: options.applicationFlags ?? (ApplicationFlags.GatewayMessageContentLimited | ApplicationFlags.GatewayGuildMembersLimited),
    };
  }

  /** Subscribes to changes (the Gateway does). */
  onEvent(listener: (event: WorldEvent) => void): void {
    this.listeners.push(listener);
  }

  protected emit(event: WorldEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  // ───────────────────────────── application flags ─────────────────────────────

  /** Whether the portal has the MESSAGE_CONTENT intent on (either flag; docs: Application Flags). */
  get messageContentEnabled(): boolean {
    return (this.application.flags & (ApplicationFlags.GatewayMessageContent | ApplicationFlags.GatewayMessageContentLimited)) !== 0;
  }

  get guildMembersEnabled(): boolean {
    return (this.application.flags & (ApplicationFlags.GatewayGuildMembers | ApplicationFlags.GatewayGuildMembersLimited)) !== 0;
  }

  get presenceEnabled(): boolean {
    return (this.application.flags & (ApplicationFlags.GatewayPresence | ApplicationFlags.GatewayPresenceLimited)) !== 0;
  }

  // ───────────────────────────── lookups ─────────────────────────────

  user(id: string): UserRecord {
    const user = this.users.get(id);
    if (!user) throw new Error(`emulator: unknown user ${id}`);
    return user;
  }

  guild(id: string): GuildRecord {
    const guild = this.guilds.get(id);
    if (!guild) throw new Error(`emulator: unknown guild ${id}`);
    return guild;
  }

  channel(id: string): ChannelRecord {
    const channel = this.channels.get(id);
    if (!channel) throw new Error(`emulator: unknown channel ${id}`);
    return channel;
  }

  /** Live (not deleted) messages of a channel, oldest first. */
  messagesOf(channelId: string): MessageRecord[] {
    return (this.messages.get(channelId) ?? []).filter((m) => !m.deleted);
  }

  message(channelId: string, id: string): MessageRecord | undefined {
    return this.messages.get(channelId)?.find((m) => m.id === id && !m.deleted);
  }

  /** Docs: `last_message_id` "may not point to an existing or valid message" — deleted ones count. */
  lastMessageIdOf(channelId: string): string | null {
    return this.messages.get(channelId)?.at(-1)?.id ?? null;
  }

  protected store(message: MessageRecord): void {
    const list = this.messages.get(message.channelId) ?? [];
    list.push(message);
    list.sort((a, b) => compareSnowflakes(a.id, b.id));
    this.messages.set(message.channelId, list);
  }

  guildOf(channel: ChannelRecord): GuildRecord | undefined {
    return channel.guildId === undefined ? undefined : this.guilds.get(channel.guildId);
  }

  parentOf(channel: ChannelRecord): ChannelRecord | undefined {
    return channel.parentId === null ? undefined : this.channels.get(channel.parentId);
  }

  /** The bot's computed permissions in a guild channel or thread (DMs: everything it needs). */
  botPermissions(channel: ChannelRecord): bigint {
    if (isDm(channel)) return PermissionFlagsBits.ViewChannel | PermissionFlagsBits.ReadMessageHistory | PermissionFlagsBits.SendMessages;
    const guild = this.guildOf(channel);
    if (!guild) return 0n;
    return channelPermissions(guild, this.bot.id, channel, isThread(channel) ? this.parentOf(channel) : undefined);
  }

  botCanView(channel: ChannelRecord): boolean {
    if (isDm(channel)) return channel.recipientId !== undefined;
    return has(this.botPermissions(channel), PermissionFlagsBits.ViewChannel);
  }

  botInGuild(guildId: string): boolean {
    return this.guilds.get(guildId)?.members.has(this.bot.id) ?? false;
  }

  /** Guilds the bot is a member of, in id order. */
  botGuilds(): GuildRecord[] {
    return [...this.guilds.values()].filter((g) => g.members.has(this.bot.id)).sort((a, b) => compareSnowflakes(a.id, b.id));
  }

  threadsOf(guildId: string): ChannelRecord[] {
    return [...this.channels.values()].filter((c) => c.guildId === guildId && isThread(c));
  }
}
