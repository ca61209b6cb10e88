/**
 * World data as real instances of GramJS's `Api` classes (telegram 2.26.22, layer of its
 * tl/api.d.ts). Sources: the TL schema (core.telegram.org/schema; constructor pages such as
 * core.telegram.org/constructor/message, /messageService, /messageFwdHeader, /messageReplyHeader)
 * and how GramJS reads them (node_modules/telegram/tl/custom/message.js `init`):
 *
 * - `peerId` is the chat: PeerUser(other party) in private chats — for both directions — PeerChat
 *   in basic groups, PeerChannel in supergroups and channels. `out` marks the account's own.
 * - `fromId`: PeerUser of the sender; omitted on incoming private messages (GramJS then takes the
 *   peer as sender, message.js init) and on channel posts (`post: true`, `postAuthor` = the
 *   signature); PeerChannel(the group) for anonymous admins, PeerChannel(channel) for users
 *   posting as a channel.
 * - Edits set `editDate`; media groups share `groupedId` (a long); `viaBotId` is the inline bot.
 * - Forwards: MessageFwdHeader {date, fromId: PeerUser|PeerChannel, fromName (hidden senders),
 *   channelPost, postAuthor}.
 * - Replies: MessageReplyHeader {replyToMsgId, quote, quoteText, quoteOffset, quoteEntities};
 *   in forum topics also `forumTopic: true` and `replyToTopId` (the topic) when the replied
 *   message is not the topic root; a plain topic message replies to the topic root id.
 * - Service messages: MessageService with MessageActionChatAddUser {users},
 *   MessageActionChatDeleteUser {userId}, MessageActionPinMessage (the pinned id in replyTo),
 *   MessageActionChatEditTitle {title}, MessageActionTopicCreate {title, iconColor},
 *   MessageActionChannelCreate {title} / MessageActionChatCreate.
 * - Media: MessageMediaPhoto {photo: Photo {sizes}} and MessageMediaDocument {document: Document
 *   {mimeType, size, attributes}} — voice notes are documents with DocumentAttributeAudio
 *   {voice: true}, stickers documents with DocumentAttributeSticker + ImageSize.
 */

import bigInt from 'big-integer';
import { Api } from 'telegram';
import type { ChatRecord, Entity, Media, Person, StoredMessage, TelegramWorld } from './world.ts';

/** A stable access hash per peer (the real ones are opaque per account). */
export function accessHash(id: number): bigInt.BigInteger {
  return bigInt(id).multiply(2654435761).add(0x5bd1e995).mod(bigInt('9223372036854775807'));
}

export function apiUser(world: TelegramWorld, person: Person): Api.User {
  return new Api.User({
    id: bigInt(person.id), accessHash: accessHash(person.id), firstName: person.firstName,
    ...(person.lastName ? { lastName: person.lastName } : {}), ...(person.username ? { username: person.username } : {}),
    ...(person.phone && person.id === world.me.id ? { phone: person.phone } : {}),
    ...(person.isBot ? { bot: true, botInfoVersion: 1 } : {}), ...(person.id === world.me.id ? { self: true } : {}),
    status: new Api.UserStatusRecently({}),
  });
}

/** The chat entity: Api.User for private chats, Api.Chat for basic groups, Api.Channel otherwise. */
export function apiChat(world: TelegramWorld, chat: ChatRecord): Api.User | Api.Chat | Api.Channel {
  if (chat.kind === 'private') return apiUser(world, world.person(chat.peerUserId!));
  if (chat.kind === 'group') {
    return new Api.Chat({ id: bigInt(chat.id), title: chat.title, photo: new Api.ChatPhotoEmpty(), participantsCount: chat.members.size, date: chat.date, version: 1 });
  }
  return new Api.Channel({
    id: bigInt(chat.id), accessHash: accessHash(chat.id), title: chat.title, photo: new Api.ChatPhotoEmpty(), date: chat.date,
    ...(chat.username ? { username: chat.username } : {}), ...(chat.kind === 'channel' ? { broadcast: true } : { megagroup: true }),
    ...(chat.forum ? { forum: true } : {}), ...(chat.signatures ? { signatures: true } : {}), participantsCount: chat.members.size,
  });
}

export function apiPeer(chat: Pick<ChatRecord, 'kind' | 'id'>): Api.PeerUser | Api.PeerChat | Api.PeerChannel {
  if (chat.kind === 'private') return new Api.PeerUser({ userId: bigInt(chat.id) });
  if (chat.kind === 'group') return new Api.PeerChat({ chatId: bigInt(chat.id) });
  return new Api.PeerChannel({ channelId: bigInt(chat.id) });
}

export function apiEntities(entities: readonly Entity[]): Api.TypeMessageEntity[] {
  return entities.map((e) => {
    const at = { offset: e.offset, length: e.length };
    switch (e.type) {
      case 'mention': return new Api.MessageEntityMention(at);
      case 'hashtag': return new Api.MessageEntityHashtag(at);
      case 'cashtag': return new Api.MessageEntityCashtag(at);
      case 'bot_command': return new Api.MessageEntityBotCommand(at);
      case 'url': return new Api.MessageEntityUrl(at);
      case 'email': return new Api.MessageEntityEmail(at);
      case 'phone_number': return new Api.MessageEntityPhone(at);
      case 'bold': return new Api.MessageEntityBold(at);
      case 'italic': return new Api.MessageEntityItalic(at);
      case 'underline': return new Api.MessageEntityUnderline(at);
      case 'strikethrough': return new Api.MessageEntityStrike(at);
      case 'spoiler': return new Api.MessageEntitySpoiler(at);
      case 'blockquote': return new Api.MessageEntityBlockquote(at);
      case 'code': return new Api.MessageEntityCode(at);
      case 'pre': return new Api.MessageEntityPre({ ...at, language: e.language ?? '' });
      case 'text_link': return new Api.MessageEntityTextUrl({ ...at, url: e.url ?? '' });
      case 'text_mention': return new Api.MessageEntityMentionName({ ...at, userId: bigInt(e.userId ?? 0) });
      case 'custom_emoji': return new Api.MessageEntityCustomEmoji({ ...at, documentId: bigInt(e.customEmojiId ?? '0') });
    }
  });
}

function apiMedia(message: StoredMessage, m: Media): Api.MessageMediaPhoto | Api.MessageMediaDocument {
  const id = bigInt(message.chatId).multiply(100000).add(message.id);
  const fileReference = Buffer.from(`ref-${message.chatId}-${message.id}`);
  if (m.kind === 'photo') {
    const sizes = [new Api.PhotoStrippedSize({ type: 'i', bytes: Buffer.from([1, 40, 40]) })] as Api.TypePhotoSize[];
    const side = Math.max(m.width, m.height);
    for (const [type, px] of [['m', 320], ['x', 800], ['y', 1280]] as const) {
      if (px < side) sizes.push(new Api.PhotoSize({ type, w: Math.round((m.width * px) / side), h: Math.round((m.height * px) / side), size: Math.round(m.size * (px / side) ** 2) }));
    }
    sizes.push(new Api.PhotoSize({ type: side > 1280 ? 'w' : 'y', w: m.width, h: m.height, size: m.size }));
    return new Api.MessageMediaPhoto({ photo: new Api.Photo({ id, accessHash: accessHash(message.id), fileReference, date: message.date, sizes, dcId: 2 }) });
  }
  const attributes: Api.TypeDocumentAttribute[] = [];
  let mimeType: string;
  if (m.kind === 'document') {
    mimeType = m.mimeType;
    attributes.push(new Api.DocumentAttributeFilename({ fileName: m.fileName }));
  } else if (m.kind === 'voice') {
    mimeType = 'audio/ogg';
    attributes.push(new Api.DocumentAttributeAudio({ voice: true, duration: m.duration, waveform: Buffer.alloc(63, 7) }));
  } else {
    mimeType = 'image/webp';
    attributes.push(
      new Api.DocumentAttributeImageSize({ w: m.width, h: m.height }),
      new Api.DocumentAttributeSticker({ alt: m.emoji, stickerset: new Api.InputStickerSetShortName({ shortName: m.setName }) }),
      new Api.DocumentAttributeFilename({ fileName: 'sticker.webp' }),
    );
  }
  const document = new Api.Document({ id, accessHash: accessHash(message.id), fileReference, date: message.date, mimeType, size: bigInt(m.size), dcId: 2, attributes });
  return new Api.MessageMediaDocument({ document, ...(m.kind === 'voice' ? { voice: true } : {}) });
}

function fwdHeader(world: TelegramWorld, message: StoredMessage): Api.MessageFwdHeader | undefined {
  const f = message.forward;
  if (!f) return undefined;
  switch (f.kind) {
    case 'user': return new Api.MessageFwdHeader({ date: f.date, fromId: new Api.PeerUser({ userId: bigInt(f.userId) }) });
    case 'hidden_user': return new Api.MessageFwdHeader({ date: f.date, fromName: f.name });
    case 'chat': return new Api.MessageFwdHeader({ date: f.date, fromId: apiPeer(world.chat(f.chatId)), ...(f.signature ? { postAuthor: f.signature } : {}) });
    case 'channel':
      return new Api.MessageFwdHeader({ date: f.date, fromId: apiPeer(world.chat(f.chatId)), channelPost: f.messageId, ...(f.signature ? { postAuthor: f.signature } : {}) });
  }
}

function replyHeader(message: StoredMessage): Api.MessageReplyHeader | undefined {
  const topic = message.topicId;
  const target = message.replyTo?.messageId ?? topic;
  if (target === undefined) return undefined;
  const q = message.replyTo?.quote;
  return new Api.MessageReplyHeader({
    replyToMsgId: target,
    ...(topic !== undefined ? { forumTopic: true } : {}),
    ...(topic !== undefined && target !== topic ? { replyToTopId: topic } : {}),
    ...(q ? { quote: true, quoteText: q.text, quoteOffset: q.position, ...(q.entities?.length ? { quoteEntities: apiEntities(q.entities) } : {}) } : {}),
  });
}

function action(world: TelegramWorld, chat: ChatRecord, message: StoredMessage): Api.TypeMessageAction {
  const s = message.service!;
  switch (s.kind) {
    case 'created':
      return chat.kind === 'group' ? new Api.MessageActionChatCreate({ title: s.title, users: [world.me.id, ...s.userIds].map((id) => bigInt(id)) }) : new Api.MessageActionChannelCreate({ title: s.title });
    case 'new_chat_members': return new Api.MessageActionChatAddUser({ users: s.userIds.map((id) => bigInt(id)) });
    case 'left_chat_member': return new Api.MessageActionChatDeleteUser({ userId: bigInt(s.userId) });
    case 'pinned_message': return new Api.MessageActionPinMessage();
    case 'new_chat_title': return new Api.MessageActionChatEditTitle({ title: s.title });
    case 'forum_topic_created': return new Api.MessageActionTopicCreate({ title: s.title, iconColor: s.iconColor });
  }
}

function fromPeer(world: TelegramWorld, chat: ChatRecord, message: StoredMessage): Api.TypePeer | undefined {
  const s = message.sender;
  if (s.kind === 'channel') return undefined;
  if (s.kind === 'chat') return apiPeer(world.chat(s.chatId));
  if (chat.kind === 'private' && s.userId !== world.me.id) return undefined;
  return new Api.PeerUser({ userId: bigInt(s.userId) });
}

/** One stored message as Api.Message / Api.MessageService, from the account's point of view. */
export function apiMessage(world: TelegramWorld, chat: ChatRecord, message: StoredMessage): Api.Message | Api.MessageService {
  const out = message.sender.kind === 'user' && message.sender.userId === world.me.id;
  const common = {
    id: message.id, peerId: apiPeer(chat), date: message.date, ...(out ? { out: true } : {}),
    ...(fromPeer(world, chat, message) ? { fromId: fromPeer(world, chat, message) } : {}),
    ...(chat.kind === 'channel' ? { post: true } : {}),
  };
  if (message.service) {
    const pinned = message.service.kind === 'pinned_message' ? new Api.MessageReplyHeader({ replyToMsgId: message.service.messageId }) : undefined;
    return new Api.MessageService({ ...common, action: action(world, chat, message), ...(pinned ? { replyTo: pinned } : {}) });
  }
  const reply = replyHeader(message);
  const fwd = fwdHeader(world, message);
  return new Api.Message({
    ...common, message: message.text,
    ...(message.entities.length ? { entities: apiEntities(message.entities) } : {}),
    ...(message.media ? { media: apiMedia(message, message.media) } : {}),
    ...(reply ? { replyTo: reply } : {}), ...(fwd ? { fwdFrom: fwd } : {}),
    ...(message.viaBotId !== undefined ? { viaBotId: bigInt(message.viaBotId) } : {}),
    ...(message.editDate !== undefined ? { editDate: message.editDate } : {}),
    ...(message.signature ? { postAuthor: message.signature } : {}),
    ...(message.mediaGroupId ? { groupedId: bigInt(message.mediaGroupId) } : {}),
    ...(chat.kind === 'channel' ? { views: 1 } : {}),
  });
}
