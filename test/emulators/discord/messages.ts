/**
 * Posting, editing and deleting messages of each kind the docs show, with the Gateway events
 * Discord fires for them.
 *
 * - Mentions are derived from the content (`<@id>`, `<@!id>`, `<@&role>`, `@everyone`/`@here`)
 *   as Discord does, and rebuilt on edit (docs: message#edit-message).
 * - Replies (type 19): `message_reference {type: 0, channel_id, message_id, guild_id}`; the replied
 *   author is mentioned unless `ping: false` (allowed_mentions.replied_user, docs: Allowed Mentions).
 * - Webhooks: `webhook_id`, webhook author; app-owned webhooks add `application_id`.
 * - Interaction responses (type 20 / 23): author is the app's bot user, `webhook_id` and
 *   `application_id` are the application id, `interaction_metadata` + deprecated `interaction`
 *   (captured type 20 message, 2026, samples.ts).
 * - Pins: the message gets `pinned: true` (MESSAGE_UPDATE), CHANNEL_PINS_UPDATE, then a type 6
 *   message whose `message_reference` points at the pinned message (docs: Pin messages).
 * - Joins: type 7 in the guild's system channel, authored by the new member, empty content.
 * - Edits: `edited_timestamp` set, MESSAGE_UPDATE with the full message. Deletes: MESSAGE_DELETE
 *   `{id, channel_id, guild_id}`; bulk: MESSAGE_DELETE_BULK `{ids, channel_id, guild_id}`, guild
 *   channels only, 2–100 ids, none older than 14 days (docs: message#bulk-delete-messages).
 * - Posting in an archived (unlocked) thread unarchives it (docs: channel "Example Thread Channel").
 */

import { MessageType, type APIAttachment, type APIEmbed, type APIMessageTopLevelComponent, type APIStickerItem, StickerFormatType } from 'discord-api-types/v10';
import type { ChannelRecord, InteractionRecord, MessageRecord, WebhookAuthor } from './model.ts';
import { isDm, isThread } from './permissions.ts';
import { snowflakeTime } from './snowflake.ts';
import { DiscordWorld } from './world.ts';

export interface AttachmentInput {
  readonly filename: string;
  readonly size?: number;
  readonly contentType?: string;
  readonly width?: number;
  readonly height?: number;
}

export interface PostInput {
  readonly channel: string;
  /** A user id (a person or a bot user). */
  readonly author: string;
  readonly content?: string;
  /** When it was sent (epoch ms); the id is minted from it. @default the emulator clock */
  readonly at?: number;
  readonly type?: MessageType;
  readonly embeds?: readonly APIEmbed[];
  readonly attachments?: readonly AttachmentInput[];
  readonly stickers?: readonly { readonly name: string; readonly id?: string; readonly formatType?: StickerFormatType }[];
  readonly components?: readonly APIMessageTopLevelComponent[];
  /** A reply (type 19). */
  readonly replyTo?: string | { readonly messageId: string; readonly ping?: boolean };
  readonly flags?: number;
  readonly tts?: boolean;
  readonly nonce?: string;
  /** Extra user ids mentioned besides those in the content. */
  readonly mentions?: readonly string[];
}

export interface WebhookPostInput extends Omit<PostInput, 'author' | 'replyTo'> {
  readonly webhook: WebhookAuthor;
}

export interface AppResponseInput extends Omit<PostInput, 'author' | 'type'> {
  /** The app's bot user id (the app id is the same). @default the emulator's own bot */
  readonly app?: string;
  /** Who ran the command. */
  readonly user: string;
  readonly command: string;
  /** 1 slash command (message type 20), 2 user / 3 message context menu (type 23). @default 1 */
  readonly commandType?: 1 | 2 | 3;
}

const MENTION = /<@!?(\d+)>/g;
const ROLE_MENTION = /<@&(\d+)>/g;
const FOURTEEN_DAYS = 14 * 24 * 3600 * 1000;

export class DiscordMessages extends DiscordWorld {
  /** A message of any type from a user or bot; type 19 when `replyTo` is given. */
  post(input: PostInput): MessageRecord {
    const channel = this.channel(input.channel);
    const reply = typeof input.replyTo === 'string' ? { messageId: input.replyTo, ping: true } : input.replyTo;
    const replied = reply ? this.message(channel.id, reply.messageId) : undefined;
    if (reply && !replied) throw new Error(`emulator: no message ${reply.messageId} to reply to`);
    const message = this.compose(channel, input, input.type ?? (reply ? MessageType.Reply : MessageType.Default));
    message.authorId = input.author;
    this.user(input.author);
    if (reply && replied) {
      message.reference = { type: 0, messageId: replied.id, channelId: channel.id, ...(channel.guildId !== undefined ? { guildId: channel.guildId } : {}) };
      if (reply.ping !== false && !replied.webhook && !message.mentionIds.includes(replied.authorId)) message.mentionIds.push(replied.authorId);
    }
    return this.insert(channel, message);
  }

  /** A message from a webhook (`webhook_id`, the webhook as author, no `member` on the Gateway). */
  postAsWebhook(input: WebhookPostInput): MessageRecord {
    const channel = this.channel(input.channel);
    const message = this.compose(channel, input, input.type ?? MessageType.Default);
    message.webhook = { ...input.webhook };
    message.webhookId = input.webhook.id;
    message.authorId = input.webhook.id;
    if (input.webhook.applicationId !== undefined) message.applicationId = input.webhook.applicationId;
    return this.insert(channel, message);
  }

  /** An app's response to an interaction: type 20 (slash command) or 23 (context menu). */
  postAppResponse(input: AppResponseInput): MessageRecord {
    const channel = this.channel(input.channel);
    const appId = input.app ?? this.bot.id;
    const app = this.user(appId);
    const at = input.at ?? this.now();
    const interaction: InteractionRecord = { id: this.mint.next(at - 1), type: 2, name: input.command, userId: input.user, commandType: input.commandType ?? 1 };
    const message = this.compose(channel, { ...input, at }, input.commandType === 2 || input.commandType === 3 ? MessageType.ContextMenuCommand : MessageType.ChatInputCommand);
    message.authorId = app.id;
    message.webhookId = appId;
    message.applicationId = appId;
    message.interaction = interaction;
    return this.insert(channel, message);
  }

  /** A message from Discord's system user (`system: true`), e.g. an urgent notice in a DM. */
  postSystem(input: Omit<PostInput, 'author'>): MessageRecord {
    const system = this.users.get(SYSTEM_USER_ID) ?? this.addUser({ id: SYSTEM_USER_ID, username: 'Discord', discriminator: '0000', globalName: null });
    system.system = true;
    system.publicFlags = 4096;
    return this.post({ ...input, author: SYSTEM_USER_ID, flags: (input.flags ?? 0) | 16 });
  }

  /** Pins a message: MESSAGE_UPDATE (pinned), CHANNEL_PINS_UPDATE, and the type 6 notice by `by`. */
  pin(channelId: string, messageId: string, by: string, at = this.now()): MessageRecord {
    const channel = this.channel(channelId);
    const target = this.mustFind(channel, messageId);
    target.pinned = true;
    channel.lastPinTimestamp = at;
    this.emit({ t: 'MESSAGE_UPDATE', message: target });
    this.emit({ t: 'CHANNEL_PINS_UPDATE', channel });
    const notice = this.compose(channel, { at, content: '' }, MessageType.ChannelPinnedMessage);
    notice.authorId = by;
    notice.reference = { type: 0, messageId, channelId, ...(channel.guildId !== undefined ? { guildId: channel.guildId } : {}) };
    return this.insert(channel, notice);
  }

  /** A member joins: GUILD_MEMBER_ADD and, when the guild has a system channel, a type 7 message. */
  memberJoin(guildId: string, userId: string, at = this.now()): MessageRecord | undefined {
    const guild = this.guild(guildId);
    this.addMember(guildId, userId, { at });
    this.emit({ t: 'GUILD_MEMBER_ADD', guild, userId });
    if (guild.systemChannelId === null) return undefined;
    const channel = this.channel(guild.systemChannelId);
    const message = this.compose(channel, { at, content: '' }, MessageType.UserJoin);
    message.authorId = userId;
    return this.insert(channel, message);
  }

  /** Edits content/embeds/attachments/components/flags; sets `edited_timestamp`; MESSAGE_UPDATE. */
  edit(channelId: string, messageId: string, change: { content?: string; embeds?: readonly APIEmbed[]; components?: readonly APIMessageTopLevelComponent[]; attachments?: readonly AttachmentInput[]; flags?: number }, at = this.now()): MessageRecord {
    const channel = this.channel(channelId);
    const message = this.mustFind(channel, messageId);
    if (change.content !== undefined) {
      message.content = change.content;
      this.applyMentions(message, change.content, []);
    }
    if (change.embeds !== undefined) message.embeds = structuredClone([...change.embeds]);
    if (change.components !== undefined) message.components = structuredClone([...change.components]);
    if (change.attachments !== undefined) message.attachments = change.attachments.map((a) => this.attachment(channel, a, at));
    if (change.flags !== undefined) message.flags = change.flags;
    message.editedAt = at;
    this.emit({ t: 'MESSAGE_UPDATE', message });
    return message;
  }

  /** Deletes one message: MESSAGE_DELETE. */
  remove(channelId: string, messageId: string): void {
    const channel = this.channel(channelId);
    const message = this.mustFind(channel, messageId);
    message.deleted = true;
    if (channel.thread && !this.isInitialPost(channel, message)) channel.thread.messageCount = Math.max(0, channel.thread.messageCount - 1);
    this.emit({ t: 'MESSAGE_DELETE', channel, id: messageId });
  }

  /** Bulk delete (2–100 ids, guild channels, under 14 days old): MESSAGE_DELETE_BULK. */
  bulkDelete(channelId: string, messageIds: readonly string[]): void {
    const channel = this.channel(channelId);
    if (isDm(channel)) throw new Error('emulator: bulk delete works in guild channels only');
    if (messageIds.length < 2 || messageIds.length > 100) throw new Error('emulator: bulk delete takes 2 to 100 message ids');
    if (new Set(messageIds).size !== messageIds.length) throw new Error('emulator: duplicate message ids');
    if (messageIds.some((id) => this.now() - snowflakeTime(id) > FOURTEEN_DAYS)) throw new Error('emulator: a message is older than 2 weeks');
    const ids: string[] = [];
    for (const id of messageIds) {
      const message = this.message(channel.id, id);
      if (!message) continue;
      message.deleted = true;
      if (channel.thread) channel.thread.messageCount = Math.max(0, channel.thread.messageCount - 1);
      ids.push(id);
    }
    this.emit({ t: 'MESSAGE_DELETE_BULK', channel, ids });
  }

  // ───────────────────────────── internals ─────────────────────────────

  protected compose(channel: ChannelRecord, input: Omit<PostInput, 'channel' | 'author'>, type: MessageType): MessageRecord {
    const at = input.at ?? this.now();
    const message: MessageRecord = {
      id: this.mint.next(at), channelId: channel.id, type, authorId: '', content: input.content ?? '', embeds: structuredClone([...(input.embeds ?? [])]),
      attachments: [], components: structuredClone([...(input.components ?? [])]), stickerItems: (input.stickers ?? []).map((s): APIStickerItem => ({ id: s.id ?? this.mint.next(at), name: s.name, format_type: s.formatType ?? StickerFormatType.PNG })),
      mentionIds: [], mentionRoleIds: [], mentionEveryone: false, tts: input.tts ?? false, pinned: false, flags: input.flags ?? 0, createdAt: at,
      editedAt: null, deleted: false, ...(input.nonce !== undefined ? { nonce: input.nonce } : {}),
    };
    message.attachments = (input.attachments ?? []).map((a) => this.attachment(channel, a, at));
    this.applyMentions(message, message.content, input.mentions ?? []);
    return message;
  }

  protected insert(channel: ChannelRecord, message: MessageRecord): MessageRecord {
    const thread = channel.thread;
    if (thread) {
      message.position = this.messages.get(channel.id)?.length ?? 0;
      if (!this.isInitialPost(channel, message)) {
        thread.messageCount += 1;
        thread.totalMessageSent += 1;
      }
      if (thread.archived && !thread.locked) {
        thread.archived = false;
        thread.archiveTimestamp = message.createdAt;
        this.emit({ t: 'THREAD_UPDATE', thread: channel });
      }
    }
    this.store(message);
    this.emit({ t: 'MESSAGE_CREATE', message });
    return message;
  }

  /**
   * A thread's initial message — a forum post's first message (same id as the thread) or a thread
   * starter (type 21) — is not counted in `message_count` (docs: channel `message_count`).
   */
  protected isInitialPost(channel: ChannelRecord, message: MessageRecord): boolean {
    return isThread(channel) && (message.id === channel.id || message.type === MessageType.ThreadStarterMessage);
  }

  protected mustFind(channel: ChannelRecord, id: string): MessageRecord {
    const message = this.message(channel.id, id);
    if (!message) throw new Error(`emulator: no message ${id} in ${channel.id}`);
    return message;
  }

  private applyMentions(message: MessageRecord, content: string, extra: readonly string[]): void {
    const users = [...content.matchAll(MENTION)].map((m) => m[1]!).filter((id) => this.users.has(id));
    message.mentionIds = [...new Set([...users, ...extra])];
    message.mentionRoleIds = [...new Set([...content.matchAll(ROLE_MENTION)].map((m) => m[1]!))];
    message.mentionEveryone = /@(everyone|here)\b/.test(content);
  }

  private attachment(channel: ChannelRecord, input: AttachmentInput, at: number): APIAttachment {
    const id = this.mint.next(at);
    const query = `?ex=${(Math.floor(at / 1000) + 86400).toString(16)}&is=${Math.floor(at / 1000).toString(16)}&hm=${id.padStart(64, '0').slice(-64)}&`;
    return {
      id, filename: input.filename, size: input.size ?? 1024,
      url: `https://cdn.discordapp.com/attachments/${channel.id}/${id}/${input.filename}${query}`,
      proxy_url: `https://media.discordapp.net/attachments/${channel.id}/${id}/${input.filename}${query}`,
      ...(input.width !== undefined ? { width: input.width } : {}), ...(input.height !== undefined ? { height: input.height } : {}),
      ...(input.contentType !== undefined ? { content_type: input.contentType } : {}),
    };
  }
}

/** Discord's system user (the author of official system messages). */
export const SYSTEM_USER_ID = '643945264868098049';
