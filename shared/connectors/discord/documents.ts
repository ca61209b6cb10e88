/**
 * Reading one document whole — a channel-day, a message, a thread — and rendering it, for the
 * pass (threads) and for `fetch` (any document by id). A document read here and the same
 * document built from a pass's pages get the same text and version.
 */
import type { SourceDocument } from '../../ports/index.ts';
import { dayBoundsMs } from '../kit/days.ts';
import type { DiscordApi } from './discord-api.ts';
import type { DocKey, DocumentMode } from './doc-ids.ts';
import type { GuildSnapshot, IndexedChannel } from './guild-snapshot.ts';
import { readAll, readBetween } from './history.ts';
import { buildDocument } from './render.ts';
import type { DiscordChannel, DiscordMessage } from './wire.ts';

export interface RenderSettings {
  readonly mode: DocumentMode;
  readonly timezone: string;
  readonly includeBotMessages: boolean;
  readonly pageSize: number;
}

export class DocumentReader {
  constructor(private readonly api: DiscordApi, readonly settings: RenderSettings) {}

  /** A channel's day or message document from messages already read. */
  channelDocument(snapshot: GuildSnapshot, channel: IndexedChannel, key: DocKey, messages: readonly DiscordMessage[]): SourceDocument | undefined {
    return buildDocument(key, messages, {
      guildId: snapshot.guildId, channelId: channel.id, channelName: channel.name, names: snapshot.names, access: channel.access,
      includeBotMessages: this.settings.includeBotMessages, timezone: this.settings.timezone,
    });
  }

  async dayDocument(snapshot: GuildSnapshot, channel: IndexedChannel, day: string): Promise<SourceDocument | undefined> {
    const { start, end } = dayBoundsMs(day, this.settings.timezone);
    const { messages } = await readBetween(this.api, channel.id, start, end, this.settings.pageSize);
    return this.channelDocument(snapshot, channel, { kind: 'day', channel: channel.id, day }, messages);
  }

  async messageDocument(snapshot: GuildSnapshot, channel: IndexedChannel, messageId: string): Promise<SourceDocument | undefined> {
    const message = await this.api.message(channel.id, messageId);
    if (!message || message.channel_id !== channel.id) return undefined;
    return this.channelDocument(snapshot, channel, { kind: 'message', channel: channel.id, message: messageId }, [message]);
  }

  /** A thread read whole; its parent must be a channel the snapshot reads. */
  async threadDocument(snapshot: GuildSnapshot, thread: DiscordChannel): Promise<SourceDocument | undefined> {
    const parent = snapshot.byId.get(thread.parent_id ?? '');
    if (!parent) return undefined;
    const [{ messages }, access] = await Promise.all([readAll(this.api, thread.id, this.settings.pageSize), snapshot.threadAccess(thread)]);
    return buildDocument({ kind: 'thread', parent: parent.id, thread: thread.id }, messages, {
      guildId: snapshot.guildId, channelId: thread.id, channelName: parent.name, ...(thread.name ? { threadName: thread.name } : {}),
      names: snapshot.names, access, includeBotMessages: this.settings.includeBotMessages, timezone: this.settings.timezone,
    });
  }
}
