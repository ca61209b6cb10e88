/**
 * Gateway dispatches → the documents they change. Pure, apart from the channel map it keeps from
 * GUILD_CREATE and the CHANNEL_* / THREAD_* events (which channel is a thread of which parent).
 * Sources: docs events/gateway-events (payload fields as the emulator's captures show them).
 *
 * | event | documents |
 * |---|---|
 * | MESSAGE_CREATE, MESSAGE_UPDATE | the message's day (or the message), or its thread; an update of a message a thread was started from also names that thread (its first turn) |
 * | MESSAGE_DELETE, MESSAGE_DELETE_BULK | the same, from the ids alone (a snowflake carries its day) |
 * | THREAD_CREATE, THREAD_UPDATE, THREAD_DELETE | the thread (title, or gone) |
 * | CHANNEL_UPDATE | "sync": an incremental pass reads a channel whose name or access changed whole |
 * | an unknown channel, a new session (events may have been missed) | "sync" |
 *
 * A bot's or a webhook's message makes no hint without `includeBotMessages` (a deletion's author
 * is unknown, so it always does).
 */
import { channelDocKey, docIdOf, type DocumentMode } from './doc-ids.ts';

export interface HintFilter {
  readonly mode: DocumentMode;
  readonly timezone: string;
  readonly includeBotMessages: boolean;
  readonly includeThreads: boolean;
  readonly guilds?: readonly string[] | undefined;
  readonly channels?: ReadonlySet<string> | undefined;
}

/** What an event asks for: documents, a sync, or nothing. */
export type EventHint = { readonly ids: readonly string[] } | 'sync' | undefined;

type Payload = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const THREAD_TYPES = new Set([10, 11, 12]);
const HAS_THREAD = 1 << 5;

export class GatewayHints {
  /** Guild channel ids (not threads) seen, and thread → parent. */
  private readonly channels = new Set<string>();
  private readonly threads = new Map<string, string>();

  constructor(private readonly filter: HintFilter) {}

  hint(t: string, d: Payload): EventHint {
    switch (t) {
      case 'GUILD_CREATE': {
        for (const c of (d['channels'] as Payload[] | undefined) ?? []) this.learn(c);
        for (const c of (d['threads'] as Payload[] | undefined) ?? []) this.learn(c);
        return undefined;
      }
      case 'THREAD_LIST_SYNC':
        for (const c of (d['threads'] as Payload[] | undefined) ?? []) this.learn(c);
        return undefined;
      case 'CHANNEL_CREATE':
        this.learn(d);
        return undefined;
      case 'CHANNEL_UPDATE':
        this.learn(d);
        return this.wanted(str(d['guild_id']), str(d['id'])) ? 'sync' : undefined;
      case 'CHANNEL_DELETE':
        // Its documents leave with the next reconcile (nothing lists them here).
        this.channels.delete(str(d['id']) ?? '');
        return undefined;
      case 'THREAD_CREATE':
      case 'THREAD_UPDATE':
      case 'THREAD_DELETE': {
        const id = str(d['id']);
        const parent = str(d['parent_id']);
        if (!id || !parent || !this.filter.includeThreads || !this.wanted(str(d['guild_id']), parent)) return undefined;
        if (t === 'THREAD_DELETE') this.threads.delete(id);
        else this.threads.set(id, parent);
        return { ids: [docIdOf({ kind: 'thread', parent, thread: id })] };
      }
      case 'MESSAGE_CREATE':
      case 'MESSAGE_UPDATE': {
        const id = str(d['id']);
        const channel = str(d['channel_id']);
        if (!id || !channel) return undefined;
        const author = (d['author'] as Payload | undefined) ?? {};
        if (!this.filter.includeBotMessages && (author['bot'] === true || d['webhook_id'] !== undefined)) return undefined;
        const flags = typeof d['flags'] === 'number' ? d['flags'] : 0;
        return this.documents(str(d['guild_id']), channel, [id], (flags & HAS_THREAD) !== 0);
      }
      case 'MESSAGE_DELETE':
      case 'MESSAGE_DELETE_BULK': {
        const channel = str(d['channel_id']);
        const ids = t === 'MESSAGE_DELETE' ? [str(d['id'])] : ((d['ids'] as unknown[] | undefined) ?? []).map(str);
        const known = ids.filter((i): i is string => i !== undefined);
        if (!channel || known.length === 0) return undefined;
        return this.documents(str(d['guild_id']), channel, known, true);
      }
      default:
        return undefined;
    }
  }

  private learn(channel: Payload): void {
    const id = str(channel['id']);
    if (!id) return;
    const parent = str(channel['parent_id']);
    if (typeof channel['type'] === 'number' && THREAD_TYPES.has(channel['type']) && parent) this.threads.set(id, parent);
    else this.channels.add(id);
  }

  private wanted(guildId: string | undefined, channelId: string | undefined): boolean {
    if (guildId === undefined) return false; // DMs are not indexed
    if (this.filter.guilds && !this.filter.guilds.includes(guildId)) return false;
    return !this.filter.channels || (channelId !== undefined && this.filter.channels.has(channelId));
  }

  /** The documents messages of `channel` belong to; `threads`: also a thread started from one of them. */
  private documents(guildId: string | undefined, channel: string, messageIds: readonly string[], threads: boolean): EventHint {
    const parent = this.threads.get(channel);
    if (parent !== undefined) {
      if (!this.filter.includeThreads || !this.wanted(guildId, parent)) return undefined;
      return { ids: [docIdOf({ kind: 'thread', parent, thread: channel })] };
    }
    if (!this.channels.has(channel)) return this.wanted(guildId, channel) ? 'sync' : undefined;
    if (!this.wanted(guildId, channel)) return undefined;
    const ids = new Set(messageIds.map((m) => docIdOf(channelDocKey(channel, m, this.filter.mode, this.filter.timezone))));
    if (threads && this.filter.includeThreads) {
      for (const m of messageIds) if (this.threads.get(m) === channel) ids.add(docIdOf({ kind: 'thread', parent: channel, thread: m }));
    }
    return { ids: [...ids] };
  }
}
