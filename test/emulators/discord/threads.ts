/**
 * Threads and forum posts (docs: topics/threads; resources/channel "Start Thread …").
 *
 * - From a message: the thread has the message's id; the message gains the HAS_THREAD flag
 *   (1 << 5) and a `thread` object; Discord fires THREAD_CREATE (`newly_created: true`) and
 *   MESSAGE_UPDATE. The thread's first message is a THREAD_STARTER_MESSAGE (21) with no content and
 *   `message_reference {channel_id: <parent>, guild_id, message_id}`. A THREAD_CREATED (18) notice
 *   whose content is the thread name and whose `message_reference` is `{channel_id: <thread>,
 *   guild_id}` goes to the parent when the thread grew from an older message or from none (docs:
 *   message "Thread Created messages"; captured 2025 history: a thread made two hours after its
 *   message, flags 32, type 18 by the thread owner). Who authors the type 21 message is not
 *   documented; here it is the thread's creator, like type 18 (inferred).
 * - Text channels make PUBLIC_THREAD, announcement channels ANNOUNCEMENT_THREAD; without a message
 *   the type defaults to PRIVATE_THREAD (docs: start-thread-without-message).
 * - Forum posts: a PUBLIC_THREAD whose first message has the thread's id (docs: threads "Creating
 *   Threads in Forum and Media Channels"); it is not counted in `message_count`.
 * - `archive_timestamp` changes on create, archive and unarchive; THREAD_UPDATE carries the whole
 *   channel; THREAD_DELETE carries `{id, guild_id, parent_id, type}` (docs: gateway-events).
 * - The bot being added to a thread gives THREAD_CREATE with its thread member (docs:
 *   gateway-events#thread-create).
 */

import { ChannelType, MessageType, type APIEmbed } from 'discord-api-types/v10';
import { DiscordMessages, type AttachmentInput } from './messages.ts';
import type { ChannelRecord, ThreadState } from './model.ts';

export type ArchiveDuration = 60 | 1440 | 4320 | 10080;

export interface ThreadInput {
  /** The parent text or announcement channel. */
  readonly channel: string;
  readonly name: string;
  /** Who creates it (becomes `owner_id` and a member). */
  readonly author: string;
  /** Start it from this message (the thread gets the message's id). */
  readonly fromMessage?: string;
  /** Without `fromMessage`: PublicThread or PrivateThread. @default PrivateThread */
  readonly type?: ChannelType.PublicThread | ChannelType.PrivateThread;
  readonly at?: number;
  /** @default 1440 */
  readonly autoArchiveDuration?: ArchiveDuration;
  readonly invitable?: boolean;
  /** Further members (user ids; include the bot's id to make it a member). */
  readonly members?: readonly string[];
}

export interface ForumPostInput {
  readonly forum: string;
  readonly name: string;
  readonly author: string;
  readonly content: string;
  readonly at?: number;
  /** Tag names from the forum's `available_tags`. */
  readonly tags?: readonly string[];
  readonly embeds?: readonly APIEmbed[];
  readonly attachments?: readonly AttachmentInput[];
  readonly autoArchiveDuration?: ArchiveDuration;
}

export class DiscordThreads extends DiscordMessages {
  /** How old a message must be for a thread started from it to leave a type 18 notice (docs: "very small"). */
  threadCreatedMinAgeMs = 0;

  startThread(input: ThreadInput): ChannelRecord {
    const parent = this.channel(input.channel);
    const at = input.at ?? this.now();
    const source = input.fromMessage !== undefined ? this.mustFind(parent, input.fromMessage) : undefined;
    const type = source
      ? parent.type === ChannelType.GuildAnnouncement ? ChannelType.AnnouncementThread : ChannelType.PublicThread
      : input.type ?? ChannelType.PrivateThread;
    const thread = this.newThread(parent, {
      id: source?.id ?? this.mint.next(at), name: input.name, type, ownerId: input.author, at,
      autoArchiveDuration: input.autoArchiveDuration ?? 1440, members: input.members ?? [],
      ...(type === ChannelType.PrivateThread ? { invitable: input.invitable ?? true } : {}),
    });
    this.emit({ t: 'THREAD_CREATE', thread, newlyCreated: true });
    const guildRef = parent.guildId !== undefined ? { guildId: parent.guildId } : {};
    if (source) {
      source.flags |= 32;
      this.emit({ t: 'MESSAGE_UPDATE', message: source });
      const starter = this.compose(thread, { at, content: '' }, MessageType.ThreadStarterMessage);
      starter.authorId = input.author;
      starter.reference = { type: 0, channelId: parent.id, messageId: source.id, ...guildRef };
      this.insert(thread, starter);
    }
    if (type !== ChannelType.PrivateThread && (!source || at - source.createdAt > this.threadCreatedMinAgeMs)) {
      const notice = this.compose(parent, { at, content: input.name }, MessageType.ThreadCreated);
      notice.authorId = input.author;
      notice.reference = { type: 0, channelId: thread.id, ...guildRef };
      this.insert(parent, notice);
    }
    return thread;
  }

  /** A forum (or media channel) post: a public thread and its first message, sharing one id. */
  forumPost(input: ForumPostInput): ChannelRecord {
    const forum = this.channel(input.forum);
    if (forum.type !== ChannelType.GuildForum && forum.type !== ChannelType.GuildMedia) throw new Error('emulator: forumPost needs a forum or media channel');
    const at = input.at ?? this.now();
    const tags = (input.tags ?? []).map((name) => {
      const tag = forum.availableTags?.find((t) => t.name === name);
      if (!tag) throw new Error(`emulator: forum has no tag ${name}`);
      return tag.id;
    });
    const thread = this.newThread(forum, { id: this.mint.next(at), name: input.name, type: ChannelType.PublicThread, ownerId: input.author, at, autoArchiveDuration: input.autoArchiveDuration ?? 4320, members: [] });
    thread.thread!.appliedTags = tags;
    this.emit({ t: 'THREAD_CREATE', thread, newlyCreated: true });
    const first = this.compose(thread, { at, content: input.content, ...(input.embeds ? { embeds: input.embeds } : {}), ...(input.attachments ? { attachments: input.attachments } : {}) }, MessageType.Default);
    first.id = thread.id;
    first.authorId = input.author;
    this.insert(thread, first);
    return thread;
  }

  /** Archives, locks or renames a thread: THREAD_UPDATE. */
  updateThread(threadId: string, change: { archived?: boolean; locked?: boolean; name?: string; autoArchiveDuration?: ArchiveDuration }, at = this.now()): ChannelRecord {
    const thread = this.channel(threadId);
    const state = thread.thread;
    if (!state) throw new Error(`emulator: ${threadId} is not a thread`);
    if (change.archived !== undefined && change.archived !== state.archived) {
      state.archived = change.archived;
      state.archiveTimestamp = at;
    }
    if (change.autoArchiveDuration !== undefined) {
      state.autoArchiveDuration = change.autoArchiveDuration;
      state.archiveTimestamp = at;
    }
    if (change.locked !== undefined) state.locked = change.locked;
    if (change.name !== undefined) thread.name = change.name;
    this.emit({ t: 'THREAD_UPDATE', thread });
    return thread;
  }

  deleteThread(threadId: string): void {
    const thread = this.channel(threadId);
    if (!thread.thread) throw new Error(`emulator: ${threadId} is not a thread`);
    this.channels.delete(threadId);
    this.emit({ t: 'THREAD_DELETE', thread });
  }

  /** Adds a member; adding the bot sends it THREAD_CREATE with its thread member. */
  addThreadMember(threadId: string, userId: string, at = this.now()): void {
    const thread = this.channel(threadId);
    if (!thread.thread) throw new Error(`emulator: ${threadId} is not a thread`);
    this.user(userId);
    thread.thread.members.set(userId, at);
    if (userId === this.bot.id) this.emit({ t: 'THREAD_CREATE', thread, newlyCreated: false });
  }

  private newThread(parent: ChannelRecord, spec: { id: string; name: string; type: ChannelType; ownerId: string; at: number; autoArchiveDuration: ArchiveDuration; members: readonly string[]; invitable?: boolean }): ChannelRecord {
    if (parent.guildId === undefined) throw new Error('emulator: threads live in guild channels');
    if (this.channels.has(spec.id)) throw new Error(`emulator: a thread already exists for ${spec.id}`);
    const state: ThreadState = {
      archived: false, autoArchiveDuration: spec.autoArchiveDuration, archiveTimestamp: spec.at, locked: false, createTimestamp: spec.at,
      members: new Map([[spec.ownerId, spec.at], ...spec.members.map((m): [string, number] => [m, spec.at])]), messageCount: 0, totalMessageSent: 0, appliedTags: [],
      ...(spec.invitable !== undefined ? { invitable: spec.invitable } : {}),
    };
    const thread: ChannelRecord = {
      id: spec.id, type: spec.type, guildId: parent.guildId, name: spec.name, position: 0, parentId: parent.id, topic: null, nsfw: parent.nsfw,
      overwrites: [], rateLimitPerUser: 0, lastPinTimestamp: null, flags: 0, ownerId: spec.ownerId, thread: state, createdAt: spec.at,
    };
    this.channels.set(thread.id, thread);
    return thread;
  }
}
