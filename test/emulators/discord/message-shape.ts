/**
 * Message objects as REST returns them and as MESSAGE_CREATE / MESSAGE_UPDATE carry them.
 *
 * - REST field set (captured history, 2025; samples.ts): type, content, mentions, mention_roles,
 *   attachments, embeds, timestamp, edited_timestamp, flags, components, id, channel_id, author,
 *   pinned, mention_everyone, tts (+ message_reference, referenced_message, thread, position,
 *   webhook_id, application_id, interaction_metadata, interaction, sticker_items when they apply).
 * - Gateway adds `guild_id`, `member` (not for webhooks), `mentions[].member`, `channel_type`
 *   (docs: gateway-events#message-create "Message Create Extra Fields"; captured MESSAGE_CREATE).
 *   MESSAGE_UPDATE carries the same full object (docs: gateway-events#message-update; partial
 *   updates were dropped, discord/discord-api-docs#7017).
 * - `referenced_message` only on types 19, 21, 23; `null` when the referenced message was deleted
 *   (docs: Message Structure [4]). The nested message is rendered one level deep.
 * - Webhook authors are `{id: <webhook id>, username, avatar, discriminator: "0000", bot: true,
 *   global_name: null}` (captured webhook MESSAGE_CREATE, 2026).
 * - MESSAGE_CONTENT: without it `content`, `embeds`, `attachments`, `components` are empty except
 *   for the app's own messages, DMs and messages mentioning the app (docs: gateway#message-content-
 *   intent). The rule is applied to a nested `referenced_message` on its own terms (inferred).
 */

import {
  ApplicationIntegrationType, ChannelType, InteractionType, MessageType, type APIMessage, type APIMessageInteractionMetadata, type GatewayMessageCreateDispatchData, type TextChannelType,
} from 'discord-api-types/v10';
import type { MessageRecord } from './model.ts';
import { isDm } from './permissions.ts';
import { channelShape, memberNoUser, userShape, type Surface, type WireUser } from './shapes.ts';
import { isoTimestamp } from './snowflake.ts';
import type { DiscordState } from './state.ts';

export interface RenderOptions {
  readonly surface: Surface;
  /** REST: the application's MESSAGE_CONTENT flag; Gateway: the intent sent in Identify. */
  readonly contentIntent: boolean;
}

/** Whether the app may read this message's content without the MESSAGE_CONTENT intent. */
export function contentExempt(state: DiscordState, message: MessageRecord): boolean {
  if (!message.webhook && message.authorId === state.bot.id) return true;
  if (message.applicationId === state.application.id) return true;
  const channel = state.channels.get(message.channelId);
  if (channel && isDm(channel)) return true;
  return message.mentionIds.includes(state.bot.id);
}

function authorShape(state: DiscordState, message: MessageRecord, surface: Surface): WireUser {
  if (message.webhook) {
    return { id: message.webhook.id, username: message.webhook.username, avatar: message.webhook.avatar, discriminator: '0000', bot: true, global_name: null };
  }
  return userShape(state.user(message.authorId), surface);
}

/**
 * `interaction_metadata` (+ the deprecated `interaction`), as on a captured type 20 response (2026):
 * `{user, type: 2, name, id, command_type: 1, authorizing_integration_owners: {"0": <guild id>}}` —
 * `name` and `command_type` are sent though undocumented.
 */
function interactionShapes(state: DiscordState, message: MessageRecord, guildId: string | undefined, surface: Surface): Pick<APIMessage, 'interaction_metadata' | 'interaction'> {
  const i = message.interaction!;
  const user = userShape(state.user(i.userId), surface);
  const owners = guildId !== undefined ? { [ApplicationIntegrationType.GuildInstall]: guildId } : { [ApplicationIntegrationType.UserInstall]: i.userId };
  const metadata: APIMessageInteractionMetadata = i.type === InteractionType.MessageComponent
    ? { id: i.id, type: InteractionType.MessageComponent, user, authorizing_integration_owners: owners, interacted_message_id: i.interactedMessageId ?? message.id }
    : { id: i.id, type: InteractionType.ApplicationCommand, user, authorizing_integration_owners: owners };
  const extra = i.type === InteractionType.MessageComponent ? {} : { name: i.name, command_type: i.commandType ?? 1 };
  return { interaction_metadata: { ...metadata, ...extra }, interaction: { id: i.id, type: i.type, name: i.name, user } };
}

export function messageShape(state: DiscordState, message: MessageRecord, options: RenderOptions, depth = 0): APIMessage {
  const readable = options.contentIntent || contentExempt(state, message);
  const channel = state.channels.get(message.channelId);
  const guildId = channel?.guildId;
  const ref = message.reference;
  const referenced = ref?.messageId !== undefined ? state.message(ref.channelId, ref.messageId) : undefined;
  const thread = (message.flags & 32) !== 0 ? state.channels.get(message.id) : undefined;
  const shape: APIMessage = {
    type: message.type,
    content: readable ? message.content : '',
    mentions: message.mentionIds.map((id) => userShape(state.user(id), options.surface)),
    mention_roles: [...message.mentionRoleIds],
    attachments: readable ? structuredClone(message.attachments) : [],
    embeds: readable ? structuredClone(message.embeds) : [],
    timestamp: isoTimestamp(message.createdAt),
    edited_timestamp: message.editedAt === null ? null : isoTimestamp(message.editedAt),
    flags: message.flags,
    components: readable ? structuredClone(message.components) : [],
    id: message.id,
    channel_id: message.channelId,
    author: authorShape(state, message, options.surface),
    pinned: message.pinned,
    mention_everyone: message.mentionEveryone,
    tts: message.tts,
    ...(message.webhookId !== undefined ? { webhook_id: message.webhookId } : {}),
    ...(message.applicationId !== undefined ? { application_id: message.applicationId } : {}),
    ...(message.stickerItems.length > 0 ? { sticker_items: structuredClone(message.stickerItems) } : {}),
    ...(ref
      ? {
        message_reference: {
          type: ref.type ?? 0, channel_id: ref.channelId, ...(ref.messageId !== undefined ? { message_id: ref.messageId } : {}),
          ...(ref.guildId !== undefined ? { guild_id: ref.guildId } : {}),
        },
      }
      : {}),
    ...(message.position !== undefined ? { position: message.position } : {}),
    ...([MessageType.Reply, MessageType.ThreadStarterMessage, MessageType.ContextMenuCommand].includes(message.type) && depth === 0 && ref?.messageId !== undefined
      ? { referenced_message: referenced ? messageShape(state, referenced, options, depth + 1) : null }
      : {}),
    ...(message.interaction ? interactionShapes(state, message, guildId, options.surface) : {}),
    ...(thread && depth === 0 ? { thread: channelShape(state, thread) } : {}),
  };
  return shape;
}

/**
 * MESSAGE_CREATE / MESSAGE_UPDATE `d`: the message plus guild_id, member, mentions[].member,
 * channel_type; "The value for `tts` will always be false in message updates" (docs).
 */
export function gatewayMessageShape(state: DiscordState, message: MessageRecord, contentIntent: boolean, update = false): GatewayMessageCreateDispatchData {
  const base = messageShape(state, message, { surface: 'gateway', contentIntent });
  const channel = state.channels.get(message.channelId);
  const guild = channel ? state.guildOf(channel) : undefined;
  const author = !message.webhook && guild ? guild.members.get(message.authorId) : undefined;
  return {
    ...base,
    ...(message.nonce !== undefined ? { nonce: message.nonce } : {}),
    ...(update ? { tts: false } : {}),
    mentions: base.mentions.map((user) => {
      const member = guild?.members.get(user.id);
      return member ? { ...user, member: memberNoUser(member) } : user;
    }),
    ...(author ? { member: memberNoUser(author) } : {}),
    channel_type: (channel?.type ?? ChannelType.GuildText) as TextChannelType,
    ...(guild ? { guild_id: guild.id } : {}),
  };
}
