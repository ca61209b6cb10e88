/**
 * The seed data all three Telegram doubles read: people, chats and their messages, held once in a
 * neutral form and rendered by ./bot-shapes.ts (Bot API JSON), ./mtproto-shapes.ts (GramJS `Api`
 * objects) and ./export.ts (Telegram Desktop result.json). One concept: who said what, where, and
 * under which message id.
 *
 * Telegram facts this file encodes:
 * - Message ids. In channels and supergroups an id belongs to the chat and every member (and the
 *   bot) sees the same one; in private chats and basic groups each account numbers messages with
 *   its own account-wide sequence, so the bot's `message_id` differs from the user account's
 *   `id` for the same message (https://core.telegram.org/api/updates "message box": the common
 *   box holds private chats and basic groups, each channel/supergroup has its own).
 * - The first message of a group is its creation service message (MessageActionChatCreate;
 *   MessageActionChannelCreate, id 1, in channels/supergroups); the General topic of a forum is
 *   topic 1. Bots never see it here (it predates their joining).
 * - A forum topic's id is the id of its `forum_topic_created` service message
 *   (https://core.telegram.org/api/forum#forum-topics: "topic ID = the ID of the
 *   messageActionTopicCreate service message"; Bot API `message_thread_id`).
 * - Entity offsets and lengths count UTF-16 code units in both APIs
 *   (https://core.telegram.org/api/entities; Bot API MessageEntity "Offset in UTF-16 code units").
 * - Deletions leave no tombstone: the message is simply gone (messages.getHistory skips it,
 *   messages.getMessages answers messageEmpty).
 */

export type EntityType =
  | 'mention' | 'hashtag' | 'cashtag' | 'bot_command' | 'url' | 'email' | 'phone_number' | 'bold' | 'italic'
  | 'underline' | 'strikethrough' | 'spoiler' | 'blockquote' | 'code' | 'pre' | 'text_link' | 'text_mention' | 'custom_emoji';

/** One formatting/link entity, offsets in UTF-16 code units as both APIs count them. */
export interface Entity {
  readonly type: EntityType;
  readonly offset: number;
  readonly length: number;
  readonly url?: string;
  readonly userId?: number;
  readonly language?: string;
  readonly customEmojiId?: string;
}

export interface Person {
  readonly id: number;
  readonly firstName: string;
  readonly lastName?: string;
  readonly username?: string;
  readonly isBot?: boolean;
  readonly phone?: string;
}

export type ChatKind = 'private' | 'group' | 'supergroup' | 'channel';

export interface Topic {
  readonly id: number;
  readonly title: string;
  readonly iconColor: number;
}

export interface ChatRecord {
  /** Bare id: the user id for private chats, the chat/channel id without -/-100 marks otherwise. */
  readonly id: number;
  readonly kind: ChatKind;
  title: string;
  readonly username?: string;
  /** Private chats: the other party (the account owner is `world.me`). */
  readonly peerUserId?: number;
  readonly forum: boolean;
  /** Channels: posts carry the author's signature. */
  readonly signatures: boolean;
  readonly date: number;
  readonly members: Set<number>;
  /** Whether the emulated bot is in the chat (private chats: whether the peer is the bot). */
  botMember: boolean;
  botIsAdmin: boolean;
  readonly topics: Map<number, Topic>;
  readonly messages: Map<number, StoredMessage>;
  nextId: number;
}

export type Sender =
  | { readonly kind: 'user'; readonly userId: number }
  /** On behalf of a chat: the group itself (anonymous admin) or a channel the user posts as. */
  | { readonly kind: 'chat'; readonly chatId: number }
  /** A channel post: the channel is the sender. */
  | { readonly kind: 'channel' };

export type Media =
  | { readonly kind: 'photo'; readonly width: number; readonly height: number; readonly size: number }
  | { readonly kind: 'document'; readonly fileName: string; readonly mimeType: string; readonly size: number }
  | { readonly kind: 'voice'; readonly duration: number; readonly size: number }
  | { readonly kind: 'sticker'; readonly emoji: string; readonly setName: string; readonly width: number; readonly height: number; readonly size: number };

export type Forward =
  | { readonly kind: 'user'; readonly userId: number; readonly date: number }
  | { readonly kind: 'hidden_user'; readonly name: string; readonly date: number }
  | { readonly kind: 'chat'; readonly chatId: number; readonly date: number; readonly signature?: string }
  | { readonly kind: 'channel'; readonly chatId: number; readonly messageId: number; readonly date: number; readonly signature?: string };

export type Service =
  /** Creation: MessageActionChatCreate (basic groups, with the invited users) / ChannelCreate. */
  | { readonly kind: 'created'; readonly title: string; readonly userIds: readonly number[] }
  | { readonly kind: 'new_chat_members'; readonly userIds: readonly number[] }
  | { readonly kind: 'left_chat_member'; readonly userId: number }
  | { readonly kind: 'pinned_message'; readonly messageId: number }
  | { readonly kind: 'new_chat_title'; readonly title: string }
  | { readonly kind: 'forum_topic_created'; readonly title: string; readonly iconColor: number };

export interface Quote {
  readonly text: string;
  readonly position: number;
  readonly entities?: readonly Entity[];
}

export interface StoredMessage {
  /** The id the user account (GramJS, the export) sees. */
  readonly id: number;
  /** The id the bot sees: equal to `id` in channels/supergroups (see the header). */
  readonly botId: number;
  readonly chatId: number;
  readonly date: number;
  editDate?: number;
  readonly sender: Sender;
  text: string;
  entities: readonly Entity[];
  readonly media?: Media;
  readonly mediaGroupId?: string;
  readonly forward?: Forward;
  readonly replyTo?: { readonly messageId: number; readonly quote?: Quote };
  readonly topicId?: number;
  readonly viaBotId?: number;
  readonly signature?: string;
  readonly service?: Service;
  /** Sent while the emulated bot was in the chat (bots get no updates from before they joined). */
  readonly botSaw: boolean;
}

export interface PostInput {
  readonly chat: number;
  /** A user id, `{ chat }` to post on behalf of a chat, or 'channel' for a channel post. Default: `me`. */
  readonly from?: number | { readonly chat: number } | 'channel';
  readonly text?: string;
  readonly entities?: readonly Entity[];
  readonly media?: Media;
  readonly mediaGroupId?: string;
  readonly forward?: Forward;
  readonly replyTo?: number;
  readonly quote?: Quote;
  readonly topic?: number;
  readonly viaBot?: number;
  readonly signature?: string;
  readonly date?: number;
}

export type WorldEvent =
  | { readonly kind: 'new'; readonly chat: ChatRecord; readonly message: StoredMessage }
  | { readonly kind: 'edit'; readonly chat: ChatRecord; readonly message: StoredMessage }
  | { readonly kind: 'delete'; readonly chat: ChatRecord; readonly message: StoredMessage };

export interface AddChatInput {
  readonly id: number;
  readonly kind: ChatKind;
  readonly title?: string;
  readonly username?: string;
  /** Private chats: the other party. */
  readonly peer?: number;
  readonly forum?: boolean;
  readonly signatures?: boolean;
  readonly members?: readonly number[];
  readonly bot?: boolean;
  readonly botIsAdmin?: boolean;
}

export class TelegramWorld {
  readonly people = new Map<number, Person>();
  readonly chats = new Map<number, ChatRecord>();
  /** The emulated bot account (Bot API side). */
  readonly bot: Person;
  /** The user account GramJS is logged in as (and whose data the export holds). */
  readonly me: Person;
  private accountSeq = 0;
  private botSeq = 0;
  private readonly listeners: Array<(e: WorldEvent) => void> = [];

  constructor(readonly now: () => number, options: { readonly bot?: Person; readonly me?: Person } = {}) {
    this.bot = options.bot ?? { id: 7000000001, firstName: 'Tributary', username: 'tributary_test_bot', isBot: true };
    this.me = options.me ?? { id: 5000000001, firstName: 'Ada', lastName: 'Lovelace', username: 'ada', phone: '15550001' };
    this.addUser(this.bot);
    this.addUser(this.me);
  }

  /** Unix seconds from the clock. */
  unixNow(): number {
    return Math.floor(this.now() / 1000);
  }

  onEvent(listener: (e: WorldEvent) => void): void {
    this.listeners.push(listener);
  }

  addUser(person: Person): Person {
    this.people.set(person.id, person);
    return person;
  }

  addChat(input: AddChatInput): ChatRecord {
    const peer = input.kind === 'private' ? input.peer ?? input.id : undefined;
    const chat: ChatRecord = {
      id: input.kind === 'private' ? peer! : input.id, kind: input.kind, title: input.title ?? '', forum: input.forum ?? false,
      signatures: input.signatures ?? false, date: this.unixNow(), members: new Set([this.me.id, ...(input.members ?? [])]),
      botMember: input.kind === 'private' ? peer === this.bot.id : input.bot ?? false, botIsAdmin: input.botIsAdmin ?? false,
      topics: new Map(), messages: new Map(), nextId: 1,
      ...(input.username !== undefined ? { username: input.username } : {}), ...(peer !== undefined ? { peerUserId: peer } : {}),
    };
    if (chat.botMember) chat.members.add(this.bot.id);
    this.chats.set(chat.id, chat);
    if (input.kind !== 'private') {
      const sender: Sender = input.kind === 'channel' ? { kind: 'channel' } : { kind: 'user', userId: this.me.id };
      this.store(chat, { sender, service: { kind: 'created', title: chat.title, userIds: [...chat.members].filter((id) => id !== this.me.id) } }, false);
      if (chat.forum) chat.topics.set(1, { id: 1, title: 'General', iconColor: 0x6fb9f0 });
    }
    return chat;
  }

  chat(id: number): ChatRecord {
    const chat = this.chats.get(id);
    if (!chat) throw new Error(`no chat ${id}`);
    return chat;
  }

  person(id: number): Person {
    const person = this.people.get(id);
    if (!person) throw new Error(`no user ${id}`);
    return person;
  }

  /** Posts a message (text, media, forward, reply, topic, via bot, on behalf of a chat…). */
  post(input: PostInput): StoredMessage {
    const chat = this.chat(input.chat);
    const from = input.from ?? this.me.id;
    const sender: Sender = from === 'channel' ? { kind: 'channel' } : typeof from === 'number' ? { kind: 'user', userId: from } : { kind: 'chat', chatId: from.chat };
    if (sender.kind === 'channel' && chat.kind !== 'channel') throw new Error('only channels have channel posts');
    if (input.topic !== undefined && !chat.topics.has(input.topic)) throw new Error(`no topic ${input.topic} in ${chat.id}`);
    if (input.replyTo !== undefined && !chat.messages.has(input.replyTo)) throw new Error(`no message ${input.replyTo} to reply to`);
    return this.store(chat, {
      sender, text: input.text ?? '', entities: input.entities ?? [],
      ...(input.media ? { media: input.media } : {}), ...(input.mediaGroupId ? { mediaGroupId: input.mediaGroupId } : {}),
      ...(input.forward ? { forward: input.forward } : {}),
      ...(input.replyTo !== undefined ? { replyTo: { messageId: input.replyTo, ...(input.quote ? { quote: input.quote } : {}) } } : {}),
      ...(input.topic !== undefined && input.topic !== 1 ? { topicId: input.topic } : {}),
      ...(input.viaBot !== undefined ? { viaBotId: input.viaBot } : {}),
      ...(input.signature !== undefined ? { signature: input.signature } : chat.signatures && sender.kind === 'channel' ? { signature: this.fullName(this.me) } : {}),
      ...(input.date !== undefined ? { date: input.date } : {}),
    });
  }

  /** A service message: members joined/left, a pin, a new title, a forum topic. */
  service(chatId: number, service: Exclude<Service, { kind: 'created' }>, actor: number = this.me.id): StoredMessage {
    const chat = this.chat(chatId);
    if (service.kind === 'new_chat_title') chat.title = service.title;
    if (service.kind === 'new_chat_members') for (const id of service.userIds) chat.members.add(id);
    if (service.kind === 'left_chat_member') chat.members.delete(service.userId);
    if (service.kind === 'forum_topic_created' && !chat.forum) throw new Error('topics need a forum supergroup');
    const sender: Sender = chat.kind === 'channel' ? { kind: 'channel' } : { kind: 'user', userId: actor };
    const message = this.store(chat, { sender, service });
    if (service.kind === 'forum_topic_created') chat.topics.set(message.id, { id: message.id, title: service.title, iconColor: service.iconColor });
    return message;
  }

  /** Creates a forum topic; returns its id (the id of its service message). */
  createTopic(chatId: number, title: string, iconColor = 0x6fb9f0, actor: number = this.me.id): number {
    return this.service(chatId, { kind: 'forum_topic_created', title, iconColor }, actor).id;
  }

  edit(chatId: number, id: number, text: string, entities: readonly Entity[] = []): StoredMessage {
    const chat = this.chat(chatId);
    const message = chat.messages.get(id);
    if (!message || message.service) throw new Error(`no editable message ${id} in ${chatId}`);
    message.text = text;
    message.entities = entities;
    message.editDate = this.unixNow();
    this.emit({ kind: 'edit', chat, message });
    return message;
  }

  remove(chatId: number, id: number): StoredMessage {
    const chat = this.chat(chatId);
    const message = chat.messages.get(id);
    if (!message) throw new Error(`no message ${id} in ${chatId}`);
    chat.messages.delete(id);
    this.emit({ kind: 'delete', chat, message });
    return message;
  }

  /** Messages of a chat, oldest first. */
  history(chatId: number): StoredMessage[] {
    return [...this.chat(chatId).messages.values()].sort((a, b) => a.id - b.id);
  }

  fullName(person: Person): string {
    return person.lastName ? `${person.firstName} ${person.lastName}` : person.firstName;
  }

  private store(chat: ChatRecord, fields: Partial<StoredMessage> & { sender: Sender }, emit = true): StoredMessage {
    const channelLike = chat.kind === 'supergroup' || chat.kind === 'channel';
    const id = channelLike ? chat.nextId++ : ++this.accountSeq;
    const botId = channelLike ? id : chat.botMember ? ++this.botSeq : 0;
    const message: StoredMessage = { text: '', entities: [], date: this.unixNow(), ...fields, id, botId, chatId: chat.id, botSaw: chat.botMember && fields.service?.kind !== 'created' };
    chat.messages.set(id, message);
    if (emit) this.emit({ kind: 'new', chat, message });
    return message;
  }

  private emit(event: WorldEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}

/** UTF-16 offset/length of `part` inside `text` (the first occurrence), for building entities. */
export function span(text: string, part: string, from = 0): { offset: number; length: number } {
  const offset = text.indexOf(part, from);
  if (offset < 0) throw new Error(`"${part}" not in "${text}"`);
  return { offset, length: part.length };
}

/** Bot API chat id: users as is, basic groups negated, channels/supergroups -100<id>. */
export function botChatId(chat: Pick<ChatRecord, 'id' | 'kind'>): number {
  if (chat.kind === 'private') return chat.id;
  if (chat.kind === 'group') return -chat.id;
  return -(1_000_000_000_000 + chat.id);
}
