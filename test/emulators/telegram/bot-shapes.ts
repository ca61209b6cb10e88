/**
 * World messages rendered as Bot API `Message` objects. Sources: the object reference at
 * https://core.telegram.org/bots/api#message and the Bot API server itself,
 * tdlib/telegram-bot-api telegram-bot-api/Client.cpp (snapshot 01a3679, May 2026):
 *
 * - `JsonMessage::store` (~L4102): `from`, `author_signature`, `sender_chat`, `chat`, `date`,
 *   `edit_date`, `message_thread_id`, `forward_origin` followed by the pre-7.0 fields the docs
 *   no longer list but the server still writes (`forward_from`, `forward_from_chat`,
 *   `forward_from_message_id`, `forward_signature`, `forward_sender_name`, `forward_date`,
 *   ~L4130-4166), `reply_to_message` (same chat only, itself without a further
 *   reply_to_message), `quote`, `media_group_id` (a string), `via_bot`, `is_topic_message`.
 * - Text messages carry `text`/`entities`; media carry `caption`/`caption_entities`.
 * - `new_chat_members` comes with `new_chat_member` and `new_chat_participant` (one user), and
 *   `left_chat_member` with `left_chat_participant` (~L4320-4354).
 * - Messages sent on behalf of a chat outside channels get a fake `from` for backward
 *   compatibility (Client.cpp ~L18146-18158): the group itself → @GroupAnonymousBot
 *   (1087968824); another chat (a channel the user posts as) → @Channel_Bot (136817688);
 *   automatic forwards → Telegram (777000). The ids are TDLib options; these are their values.
 * - Channel posts have `sender_chat` (the channel) and no `from`.
 * - `pinned_message` is a Message without reply_to_message, or an InaccessibleMessage
 *   `{chat, message_id, date: 0}` when the bot can't see it.
 * - file_id prefixes follow what the server hands out for each kind (photos "AgAC", documents
 *   "BQAC", voice "AwAC", stickers "CAAC"); unique ids are stable per file.
 */

import type {
  BotChat, BotDocument, BotMessage, BotMessageEntity, BotSticker, BotUser, BotVoice, MessageOrigin, PhotoSize,
} from './bot-types.ts';
import { botChatId, type ChatRecord, type Entity, type Media, type Person, type StoredMessage, type TelegramWorld } from './world.ts';

export const GROUP_ANONYMOUS_BOT: BotUser = { id: 1087968824, is_bot: true, first_name: 'Group', username: 'GroupAnonymousBot' };
export const CHANNEL_BOT: BotUser = { id: 136817688, is_bot: true, first_name: 'Channel', username: 'Channel_Bot' };
export const SERVICE_NOTIFICATIONS: BotUser = { id: 777000, is_bot: false, first_name: 'Telegram' };

export function botUser(person: Person): BotUser {
  return {
    id: person.id, is_bot: person.isBot ?? false, first_name: person.firstName,
    ...(person.lastName ? { last_name: person.lastName } : {}), ...(person.username ? { username: person.username } : {}),
    ...(person.isBot ? {} : { language_code: 'en' }),
  };
}

/** The chat as the bot sees it; private chats are named after the user talking to the bot. */
export function botChat(world: TelegramWorld, chat: ChatRecord): BotChat {
  const id = botChatId(chat.kind === 'private' ? { id: world.me.id, kind: 'private' } : chat);
  if (chat.kind === 'private') {
    const other = world.me;
    return { id, first_name: other.firstName, ...(other.lastName ? { last_name: other.lastName } : {}), ...(other.username ? { username: other.username } : {}), type: 'private' };
  }
  return {
    id, title: chat.title, ...(chat.username ? { username: chat.username } : {}), type: chat.kind,
    ...(chat.forum ? { is_forum: true as const } : {}),
  };
}

export function botEntities(world: TelegramWorld, entities: readonly Entity[]): BotMessageEntity[] {
  return entities.map((e) => ({
    offset: e.offset, length: e.length, type: e.type,
    ...(e.url !== undefined ? { url: e.url } : {}),
    ...(e.userId !== undefined ? { user: botUser(world.person(e.userId)) } : {}),
    ...(e.language !== undefined ? { language: e.language } : {}),
    ...(e.customEmojiId !== undefined ? { custom_emoji_id: e.customEmojiId } : {}),
  }));
}

/** A deterministic file id with Telegram's per-kind prefix. */
function fileIds(prefix: string, seed: string): { file_id: string; file_unique_id: string } {
  let h = 2166136261;
  for (const ch of seed) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  const body = Buffer.from(`${seed}:${h.toString(36)}`).toString('base64url');
  return { file_id: `${prefix}AgADBAADq${body}`, file_unique_id: `AQAD${h.toString(36)}${body.length}` };
}

function media(message: StoredMessage, m: Media): Partial<BotMessage> {
  const seed = `${message.chatId}/${message.id}`;
  switch (m.kind) {
    case 'photo': {
      // The server lists every stored size, smallest first (s 90px, m 320px, x 800px, y 1280px).
      const sizes = [90, 320, 800, 1280].filter((side) => side < Math.max(m.width, m.height)).concat([Math.max(m.width, m.height)]);
      const photo: PhotoSize[] = [...new Set(sizes)].map((side, i, all) => {
        const scale = side / Math.max(m.width, m.height);
        return {
          ...fileIds('AgAC', `${seed}/photo/${i}`), file_size: i === all.length - 1 ? m.size : Math.round(m.size * scale * scale),
          width: Math.round(m.width * scale), height: Math.round(m.height * scale),
        };
      });
      return { photo };
    }
    case 'document': {
      const document: BotDocument = { file_name: m.fileName, mime_type: m.mimeType, ...fileIds('BQAC', `${seed}/doc`), file_size: m.size };
      return { document };
    }
    case 'voice': {
      const voice: BotVoice = { duration: m.duration, mime_type: 'audio/ogg', ...fileIds('AwAC', `${seed}/voice`), file_size: m.size };
      return { voice };
    }
    case 'sticker': {
      const thumb = { ...fileIds('AAMC', `${seed}/sticker/thumb`), file_size: Math.round(m.size / 8), width: 128, height: 128 };
      const sticker: BotSticker = {
        width: m.width, height: m.height, emoji: m.emoji, set_name: m.setName, is_animated: false, is_video: false, type: 'regular',
        thumbnail: thumb, ...fileIds('CAAC', `${seed}/sticker`), file_size: m.size,
      };
      return { sticker };
    }
  }
}

function origin(world: TelegramWorld, message: StoredMessage): Partial<BotMessage> {
  const f = message.forward;
  if (!f) return {};
  let forward_origin: MessageOrigin;
  let legacy: Partial<BotMessage>;
  switch (f.kind) {
    case 'user': {
      const user = botUser(world.person(f.userId));
      forward_origin = { type: 'user', date: f.date, sender_user: user };
      legacy = { forward_from: user };
      break;
    }
    case 'hidden_user':
      forward_origin = { type: 'hidden_user', date: f.date, sender_user_name: f.name };
      legacy = { forward_sender_name: f.name };
      break;
    case 'chat': {
      const chat = botChat(world, world.chat(f.chatId));
      forward_origin = { type: 'chat', date: f.date, sender_chat: chat, ...(f.signature ? { author_signature: f.signature } : {}) };
      legacy = { forward_from_chat: chat, ...(f.signature ? { forward_signature: f.signature } : {}) };
      break;
    }
    case 'channel': {
      const chat = botChat(world, world.chat(f.chatId));
      forward_origin = { type: 'channel', date: f.date, chat, message_id: f.messageId, ...(f.signature ? { author_signature: f.signature } : {}) };
      legacy = { forward_from_chat: chat, forward_from_message_id: f.messageId, ...(f.signature ? { forward_signature: f.signature } : {}) };
      break;
    }
  }
  return { forward_origin, ...legacy, forward_date: f.date };
}

function sender(world: TelegramWorld, chat: ChatRecord, message: StoredMessage): Partial<BotMessage> {
  const s = message.sender;
  if (s.kind === 'user') return { from: botUser(world.person(s.userId)) };
  if (s.kind === 'channel') return { sender_chat: botChat(world, chat) };
  const on = botChat(world, world.chat(s.chatId));
  return { from: s.chatId === chat.id ? GROUP_ANONYMOUS_BOT : CHANNEL_BOT, sender_chat: on };
}

function service(world: TelegramWorld, chat: ChatRecord, message: StoredMessage): Partial<BotMessage> {
  const s = message.service!;
  switch (s.kind) {
    case 'created':
      return chat.kind === 'channel' ? { channel_chat_created: true } as Partial<BotMessage> : chat.kind === 'group' ? { group_chat_created: true } as Partial<BotMessage> : { supergroup_chat_created: true } as Partial<BotMessage>;
    case 'new_chat_members': {
      const users = s.userIds.map((id) => botUser(world.person(id)));
      return { new_chat_participant: users[0]!, new_chat_member: users[0]!, new_chat_members: users };
    }
    case 'left_chat_member': {
      const user = botUser(world.person(s.userId));
      return { left_chat_participant: user, left_chat_member: user };
    }
    case 'new_chat_title':
      return { new_chat_title: s.title };
    case 'forum_topic_created':
      return { forum_topic_created: { name: s.title, icon_color: s.iconColor } };
    case 'pinned_message': {
      const pinned = chat.messages.get(s.messageId);
      if (!pinned || !pinned.botSaw) return { pinned_message: { chat: botChat(world, chat), message_id: pinned?.botId ?? s.messageId, date: 0 } };
      return { pinned_message: botMessage(world, chat, pinned, false) };
    }
  }
}

/** A message as the Bot API renders it; `withReply` false for nested reply/pinned copies. */
export function botMessage(world: TelegramWorld, chat: ChatRecord, message: StoredMessage, withReply = true): BotMessage {
  const isMedia = message.media !== undefined;
  const topic = message.topicId;
  const replied = message.replyTo ? chat.messages.get(message.replyTo.messageId) : undefined;
  const out: BotMessage = {
    message_id: message.botId,
    ...(topic !== undefined ? { message_thread_id: topic } : {}),
    ...sender(world, chat, message),
    ...(message.signature ? { author_signature: message.signature } : {}),
    chat: botChat(world, chat),
    date: message.date,
    ...(message.editDate !== undefined ? { edit_date: message.editDate } : {}),
    ...origin(world, message),
    ...(withReply && replied && replied.botSaw && !(topic !== undefined && replied.id === topic) ? { reply_to_message: botMessage(world, chat, replied, false) } : {}),
    ...(withReply && topic !== undefined && (!replied || replied.id === topic) && chat.messages.has(topic) ? { reply_to_message: botMessage(world, chat, chat.messages.get(topic)!, false) } : {}),
    ...(message.replyTo?.quote ? { quote: { text: message.replyTo.quote.text, position: message.replyTo.quote.position, is_manual: true as const, ...(message.replyTo.quote.entities?.length ? { entities: botEntities(world, message.replyTo.quote.entities) } : {}) } } : {}),
    ...(message.mediaGroupId ? { media_group_id: message.mediaGroupId } : {}),
    ...(message.viaBotId !== undefined ? { via_bot: botUser(world.person(message.viaBotId)) } : {}),
    ...(topic !== undefined ? { is_topic_message: true as const } : {}),
  };
  if (message.service) return { ...out, ...service(world, chat, message) };
  if (isMedia) {
    Object.assign(out, media(message, message.media!));
    if (message.text && message.media!.kind !== 'sticker') {
      out.caption = message.text;
      if (message.entities.length) out.caption_entities = botEntities(world, message.entities);
    }
  } else {
    out.text = message.text;
    if (message.entities.length) out.entities = botEntities(world, message.entities);
  }
  return out;
}
