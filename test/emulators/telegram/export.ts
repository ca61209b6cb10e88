/**
 * Telegram Desktop's JSON export ("Export chat history" → JSON, and Settings → Advanced → "Export
 * Telegram data"), generated from the world. The writer is tdesktop's
 * Telegram/SourceFiles/export/output/export_output_json.cpp (telegramdesktop/tdesktop; read in the
 * materialgram/materialgram mirror, commit 1da47f6, which tracks upstream):
 *
 * - Layout: one space of indentation per nesting level, `"key": value`, every object member and
 *   array item on its own line (SerializeObject / SerializeArray); empty `text_entities` is `[]`.
 * - Single chat: `{name, type, id, messages}`; `name` is absent for saved messages; `id` is the
 *   BARE peer id (no -100 mark); `type` one of personal_chat, bot_chat, private_group,
 *   private_supergroup, public_supergroup, private_channel, public_channel, saved_messages
 *   (writeDialogStart). Full export: `{about, personal_information, chats: {about, list}}`.
 * - Message key order (SerializeMessage): id, type ("message"/"service"), date, date_unixtime,
 *   edited, edited_unixtime, then for services actor, actor_id, action + its fields, for messages
 *   from, from_id, author, forwarded_from, saved_from, reply_to_message_id, via_bot; then media
 *   (photo, photo_file_size, width, height | file, file_name, file_size, thumbnail, media_type,
 *   sticker_emoji, mime_type, duration_seconds, width, height), text, text_entities.
 * - `date` is QDateTime::fromSecsSinceEpoch(...).toString(Qt::ISODate): LOCAL time of the exporting
 *   machine with no offset; `date_unixtime` is a STRING of the Unix time. (`utcOffsetMinutes`.)
 * - `from_id`/`actor_id`: "user<id>", "channel<id>", "chat<id>". `from` is the display name, or
 *   null when empty (StringAllowNull). Channel posts: from = channel title, `author` = signature.
 * - `text`: a plain string when there are no entities, else an array mixing strings (plain runs)
 *   and `{type, text[, href|language|user_id|document_id]}`; `text_entities` always objects,
 *   plain runs as `{type: "plain"}`. Entity names: link (url), phone (phone_number), mention_name
 *   (text_mention, with user_id), text_link (href), pre (language), custom_emoji (document_id).
 * - No topic field: a message in a forum topic has reply_to_message_id = the topic id (the id of
 *   its topic_created service message), like a reply.
 * - Skipped media read "(File not included. Change data exporting settings to download.)".
 * - Actions used here: create_group / create_channel, invite_members + members (names),
 *   remove_members + members, pin_message + message_id, edit_group_title + title,
 *   topic_created + title.
 * Deleted messages are simply absent; an export is a snapshot, with no trace of edits but
 * `edited`.
 */

import type { ChatRecord, Entity, Person, StoredMessage, TelegramWorld } from './world.ts';

export interface ExportOptions {
  /** Minutes east of UTC of the machine that exported (the `date` strings). @default 0 */
  readonly utcOffsetMinutes?: number;
  /** Write file paths as if media were downloaded (else tdesktop's "not included" note). @default false */
  readonly includeMedia?: boolean;
}

const NOT_INCLUDED = '(File not included. Change data exporting settings to download.)';
export const ABOUT_EXPORT =
  "Here is the data you requested. Remember: Telegram is ad free, it doesn't use your data for ad targeting and doesn't sell it to others. Telegram only keeps the information it needs to function as a secure and feature-rich cloud service.\n\nCheck out Settings > Privacy & Security on Telegram's mobile apps for the relevant settings.";
export const ABOUT_CHATS = 'This page lists all chats from this export.';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** tdesktop's layout: 1 space per level, members/items one per line. */
export function serialize(value: Json, depth = 0): string {
  const pad = (n: number): string => ' '.repeat(n);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((v) => pad(depth + 1) + serialize(v, depth + 1)).join(',\n')}\n${pad(depth)}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    return `{\n${entries.map(([k, v]) => `${pad(depth + 1)}${JSON.stringify(k)}: ${serialize(v, depth + 1)}`).join(',\n')}\n${pad(depth)}}`;
  }
  return JSON.stringify(value).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

export function exportType(world: TelegramWorld, chat: ChatRecord): string {
  if (chat.kind === 'private') return chat.peerUserId === world.me.id ? 'saved_messages' : world.person(chat.peerUserId!).isBot ? 'bot_chat' : 'personal_chat';
  if (chat.kind === 'group') return 'private_group';
  if (chat.kind === 'supergroup') return chat.username ? 'public_supergroup' : 'private_supergroup';
  return chat.username ? 'public_channel' : 'private_channel';
}

/** One chat as "Export chat history" writes result.json. */
export function exportChat(world: TelegramWorld, chatId: number, options: ExportOptions = {}): string {
  return `${serialize(chatObject(world, world.chat(chatId), options))}`;
}

/** The whole-account export ("Export Telegram data"): personal_information and chats.list. */
export function exportAccount(world: TelegramWorld, chatIds: readonly number[], options: ExportOptions = {}): string {
  const me = world.me;
  return serialize({
    about: ABOUT_EXPORT,
    personal_information: {
      user_id: me.id, first_name: me.firstName, last_name: me.lastName ?? '', phone_number: me.phone ? `+${me.phone}` : '',
      ...(me.username ? { username: `@${me.username}` } : {}),
    },
    chats: { about: ABOUT_CHATS, list: chatIds.map((id) => chatObject(world, world.chat(id), options)) },
  });
}

function chatObject(world: TelegramWorld, chat: ChatRecord, options: ExportOptions): { [key: string]: Json } {
  const type = exportType(world, chat);
  const name = chat.kind === 'private' ? nameOf(world, world.person(chat.peerUserId!)) : chat.title || null;
  return {
    ...(type !== 'saved_messages' ? { name } : {}), type, id: chat.id,
    messages: world.history(chat.id).map((m) => messageObject(world, chat, m, options)),
  };
}

function nameOf(world: TelegramWorld, person: Person): string | null {
  return world.fullName(person) || null;
}

function formatDate(unix: number, offsetMinutes: number): string {
  return new Date((unix + offsetMinutes * 60) * 1000).toISOString().slice(0, 19);
}

function fileStamp(unix: number, offsetMinutes: number): string {
  const d = formatDate(unix, offsetMinutes);
  return `${d.slice(8, 10)}-${d.slice(5, 7)}-${d.slice(0, 4)}_${d.slice(11, 13)}-${d.slice(14, 16)}-${d.slice(17, 19)}`;
}

function peerRef(world: TelegramWorld, chat: ChatRecord, m: StoredMessage): { name: string | null; id: string } {
  const s = m.sender;
  if (s.kind === 'user') return { name: nameOf(world, world.person(s.userId)), id: `user${s.userId}` };
  const on = s.kind === 'channel' ? chat : world.chat(s.chatId);
  return { name: on.title || null, id: `${on.kind === 'group' ? 'chat' : 'channel'}${on.id}` };
}

const EXPORT_ENTITY: Record<Entity['type'], string> = {
  mention: 'mention', hashtag: 'hashtag', cashtag: 'cashtag', bot_command: 'bot_command', url: 'link', email: 'email',
  phone_number: 'phone', bold: 'bold', italic: 'italic', underline: 'underline', strikethrough: 'strikethrough',
  spoiler: 'spoiler', blockquote: 'blockquote', code: 'code', pre: 'pre', text_link: 'text_link', text_mention: 'mention_name',
  custom_emoji: 'custom_emoji',
};

/** Splits text into tdesktop's parts (entities must not overlap; nested ones are not modelled). */
export function textParts(text: string, entities: readonly Entity[]): Array<{ [key: string]: Json }> {
  const parts: Array<{ [key: string]: Json }> = [];
  let at = 0;
  for (const e of [...entities].sort((a, b) => a.offset - b.offset)) {
    if (e.offset < at) throw new Error('overlapping entities are not exported by this generator');
    if (e.offset > at) parts.push({ type: 'plain', text: text.slice(at, e.offset) });
    const part: { [key: string]: Json } = { type: EXPORT_ENTITY[e.type], text: text.slice(e.offset, e.offset + e.length) };
    if (e.type === 'text_link') part['href'] = e.url ?? '';
    if (e.type === 'pre') part['language'] = e.language ?? '';
    if (e.type === 'text_mention') part['user_id'] = e.userId ?? 0;
    if (e.type === 'custom_emoji') part['document_id'] = e.customEmojiId ?? '';
    parts.push(part);
    at = e.offset + e.length;
  }
  if (at < text.length) parts.push({ type: 'plain', text: text.slice(at) });
  return parts;
}

function media(m: StoredMessage, include: boolean, offset: number): { [key: string]: Json } {
  const media = m.media;
  if (!media) return {};
  const stamp = fileStamp(m.date, offset);
  switch (media.kind) {
    case 'photo':
      return { photo: include ? `photos/photo_${m.id}@${stamp}.jpg` : NOT_INCLUDED, photo_file_size: media.size, width: media.width, height: media.height };
    case 'document':
      return { file: include ? `files/${media.fileName}` : NOT_INCLUDED, file_name: media.fileName, file_size: media.size, mime_type: media.mimeType };
    case 'voice':
      return {
        file: include ? `voice_messages/audio_${m.id}@${stamp}.ogg` : NOT_INCLUDED, file_name: `audio_${m.id}@${stamp}.ogg`, file_size: media.size,
        media_type: 'voice_message', mime_type: 'audio/ogg', duration_seconds: media.duration,
      };
    case 'sticker':
      return {
        file: include ? 'stickers/sticker.webp' : NOT_INCLUDED, file_name: 'sticker.webp', file_size: media.size,
        thumbnail: include ? 'stickers/sticker.webp_thumb.jpg' : NOT_INCLUDED, media_type: 'sticker', sticker_emoji: media.emoji,
        mime_type: 'image/webp', width: media.width, height: media.height,
      };
  }
}

function serviceFields(world: TelegramWorld, chat: ChatRecord, m: StoredMessage): { [key: string]: Json } {
  const s = m.service!;
  const names = (ids: readonly number[]): Json[] => ids.map((id) => nameOf(world, world.person(id)));
  switch (s.kind) {
    case 'created': return chat.kind === 'group' ? { action: 'create_group', title: s.title, members: names([world.me.id, ...s.userIds]) } : { action: 'create_channel', title: s.title };
    case 'new_chat_members': return { action: 'invite_members', members: names(s.userIds) };
    case 'left_chat_member': return { action: 'remove_members', members: names([s.userId]) };
    case 'pinned_message': return { action: 'pin_message', message_id: s.messageId };
    case 'new_chat_title': return { action: 'edit_group_title', title: s.title };
    case 'forum_topic_created': return { action: 'topic_created', title: s.title };
  }
}

function messageObject(world: TelegramWorld, chat: ChatRecord, m: StoredMessage, options: ExportOptions): { [key: string]: Json } {
  const offset = options.utcOffsetMinutes ?? 0;
  const out: { [key: string]: Json } = { id: m.id, type: m.service ? 'service' : 'message', date: formatDate(m.date, offset), date_unixtime: String(m.date) };
  if (m.editDate !== undefined) Object.assign(out, { edited: formatDate(m.editDate, offset), edited_unixtime: String(m.editDate) });
  const who = peerRef(world, chat, m);
  if (m.service) {
    Object.assign(out, { actor: who.name, actor_id: who.id }, serviceFields(world, chat, m));
  } else {
    Object.assign(out, { from: who.name, from_id: who.id });
    if (m.signature) out['author'] = m.signature;
    if (m.forward) {
      const f = m.forward;
      out['forwarded_from'] = f.kind === 'user' ? nameOf(world, world.person(f.userId)) : f.kind === 'hidden_user' ? f.name : world.chat(f.chatId).title || null;
    }
    const replyTo = m.replyTo?.messageId ?? m.topicId;
    if (replyTo !== undefined) out['reply_to_message_id'] = replyTo;
    if (m.viaBotId !== undefined) {
      const bot = world.person(m.viaBotId);
      if (bot.username) out['via_bot'] = `@${bot.username}`;
    }
    Object.assign(out, media(m, options.includeMedia ?? false, offset));
  }
  const parts = textParts(m.text, m.entities);
  out['text'] = m.text === '' ? '' : m.entities.length === 0 ? m.text : parts.map((p) => (p['type'] === 'plain' ? p['text']! : p));
  out['text_entities'] = m.text === '' ? [] : parts;
  return out;
}
