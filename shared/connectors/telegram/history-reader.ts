/**
 * Reading an account's history through the narrow client: connecting once (secrets read at the
 * first call, so a missing one fails the run, not the process), the dialogs once per pass, a page
 * of a chat newest first, one whole day of a chat, and forum topic titles. Every GramJS failure
 * leaves here typed (./errors.ts): a chat's own refusal as a TelegramChatError, anything else as
 * the source's failure.
 */

import type { Api } from 'telegram';
import { ConfigError, errorMessage } from '../../core/errors.ts';
import type { Logger } from '../../core/deps.ts';
import { dayBoundsMs } from '../kit/days.ts';
import { dialogChats, type DialogChat } from './dialogs.ts';
import type { ChatMessage } from './documents.ts';
import { chatProblem, telegramFailure, TelegramChatError } from './errors.ts';
import { fromGramJs } from './gramjs-messages.ts';
import type { HistoryClientFactory, TelegramHistoryClient } from './history-client.ts';

export interface HistoryReaderOptions {
  readonly sourceId: string;
  readonly apiId: number;
  readonly apiHashEnv: string;
  readonly sessionEnv: string;
  readonly secret: (name: string) => string | undefined;
  readonly factory: HistoryClientFactory;
  /** Marked ids to read; all dialogs when absent. */
  readonly chats?: ReadonlySet<string> | undefined;
  readonly floodSleepThreshold: number;
  readonly connectionRetries: number;
  readonly log: Logger;
}

export class HistoryReader {
  private connecting: Promise<TelegramHistoryClient> | undefined;
  private meId: Promise<string> | undefined;
  private dialogs: { readonly key: string; readonly chats: Promise<DialogChat[]> } | undefined;
  private readonly topics = new Map<string, Map<number, string>>();

  constructor(private readonly options: HistoryReaderOptions) {}

  /** The chats to read for the pass that began at `snapshotAt` (read once per pass). */
  chats(snapshotAt: string): Promise<DialogChat[]> {
    if (this.dialogs?.key !== snapshotAt) {
      const chats = this.loadDialogs();
      this.dialogs = { key: snapshotAt, chats };
      chats.catch(() => {
        if (this.dialogs?.chats === chats) this.dialogs = undefined;
      });
    }
    return this.dialogs.chats;
  }

  /** One chat by marked id, from the dialogs last read (read again once when it is not there: a chat joined since). */
  async chat(id: string): Promise<DialogChat | undefined> {
    const known = this.dialogs ? (await this.dialogs.chats).find((c) => c.info.id === id) : undefined;
    if (known) return known;
    return (await this.chats(`chat:${id}:${Date.now()}`)).find((c) => c.info.id === id);
  }

  /** Forgets the dialogs (a run starts: titles and memberships are read again). */
  forgetDialogs(): void {
    this.dialogs = undefined;
  }

  /**
   * Up to `limit` messages just above a start, oldest first: above the id `after`, or from the
   * date `from` (unix seconds) on. `exhausted` when fewer came back: the chat's newest message was reached.
   */
  async pageUp(chat: DialogChat, start: { readonly after: number } | { readonly from: number }, limit: number): Promise<{ messages: ChatMessage[]; exhausted: boolean }> {
    const params = 'after' in start ? { reverse: true, minId: start.after, limit } : { reverse: true, offsetDate: start.from, limit };
    const raw = await this.call(chat, 'messages.getHistory', (client) => client.getMessages(chat.input, params));
    return { messages: this.convert(chat, raw), exhausted: raw.length < limit };
  }

  /** The messages of `day` with ids up to `maxId` (the part of a day a walk from `maxId` up does not see), oldest first. */
  async dayBefore(chat: DialogChat, maxId: number, day: string, timezone: string, limit: number): Promise<ChatMessage[]> {
    const { start } = dayBoundsMs(day, timezone);
    const startS = Math.ceil(start / 1000);
    const out: ChatMessage[] = [];
    let below = maxId + 1;
    for (;;) {
      const raw = await this.call(chat, 'messages.getHistory', (client) => client.getMessages(chat.input, { limit, offsetId: below }));
      const messages = this.convert(chat, raw);
      for (const m of messages) if (m.date >= startS) out.push(m);
      const last = messages.at(-1);
      if (raw.length < limit || !last || last.date < startS) return out.reverse();
      below = last.id;
    }
  }

  /** Every message dated within `day` (in `timezone`), newest first. */
  async day(chat: DialogChat, day: string, timezone: string, limit: number): Promise<ChatMessage[]> {
    const { start, end } = dayBoundsMs(day, timezone);
    const startS = Math.ceil(start / 1000);
    const out: ChatMessage[] = [];
    let below: number | undefined;
    for (;;) {
      const raw = await this.call(chat, 'messages.getHistory', (client) => client.getMessages(chat.input, below === undefined
        ? { limit, offsetDate: Math.ceil(end / 1000) } : { limit, offsetId: below }));
      const messages = this.convert(chat, raw);
      for (const m of messages) if (m.date >= startS) out.push(m);
      const last = messages.at(-1);
      if (raw.length < limit || !last || last.date < startS) return out;
      below = last.id;
    }
  }

  /** The title of a forum topic, when known. */
  topicTitle(chat: string, topic: number): string | undefined {
    return this.topics.get(chat)?.get(topic);
  }

  /** Learns titles from topic creation messages read, and asks Telegram for the others (one getMessages by ids). */
  async learnTopics(chat: DialogChat, messages: readonly ChatMessage[], topics: Iterable<number>): Promise<void> {
    const known = this.topics.get(chat.info.id) ?? new Map<number, string>();
    this.topics.set(chat.info.id, known);
    for (const m of messages) if (m.topicTitle !== undefined) known.set(m.id, m.topicTitle);
    const missing = [...new Set(topics)].filter((t) => !known.has(t));
    if (missing.length === 0) return;
    const raw = await this.call(chat, 'messages.getMessages', (client) => client.getMessages(chat.input, { ids: missing }));
    for (const m of this.convert(chat, raw)) if (m.topicTitle !== undefined) known.set(m.id, m.topicTitle);
  }

  /** Topics of the chat whose titles are known (for deletion candidates of topic-days). */
  knownTopics(chat: string): number[] {
    return [...(this.topics.get(chat)?.keys() ?? [])];
  }

  async close(): Promise<void> {
    const connecting = this.connecting;
    this.connecting = undefined;
    if (connecting) await (await connecting.catch(() => undefined))?.disconnect().catch(() => undefined);
  }

  private convert(chat: DialogChat, raw: ArrayLike<Api.Message | undefined>): ChatMessage[] {
    const out: ChatMessage[] = [];
    for (const message of Array.from(raw)) {
      try {
        const m = fromGramJs(message, chat.info);
        if (m) out.push(m);
      } catch (error) {
        // Something in this message the rendering does not take: its document is skipped, the rest goes on.
        if (message && typeof message.id === 'number' && typeof message.date === 'number') {
          out.push({ id: message.id, date: message.date, topic: 1, problem: errorMessage(error) });
        }
      }
    }
    return out;
  }

  /** One GramJS call about `chat`, its failure typed. */
  private async call<T>(chat: DialogChat, what: string, run: (client: TelegramHistoryClient) => Promise<T>): Promise<T> {
    const client = await this.client();
    try {
      return await run(client);
    } catch (error) {
      const problem = chatProblem(error);
      if (problem !== undefined) throw new TelegramChatError(chat.info.id, problem, error);
      throw telegramFailure(this.options.sourceId, this.options.sessionEnv, error, `${what} of chat ${chat.info.id}`);
    }
  }

  private async loadDialogs(): Promise<DialogChat[]> {
    const client = await this.client();
    const me = await this.me(client);
    try {
      return dialogChats(await client.getDialogs({}), me, this.options.chats);
    } catch (error) {
      throw telegramFailure(this.options.sourceId, this.options.sessionEnv, error, 'messages.getDialogs');
    }
  }

  private me(client: TelegramHistoryClient): Promise<string> {
    if (!this.meId) {
      const id = client.getMe().then((user) => user.id.toString());
      this.meId = id.catch((error: unknown) => {
        this.meId = undefined;
        throw telegramFailure(this.options.sourceId, this.options.sessionEnv, error, 'users.getUsers (self)');
      });
    }
    return this.meId;
  }

  private client(): Promise<TelegramHistoryClient> {
    if (!this.connecting) {
      const connecting = this.connect();
      this.connecting = connecting;
      connecting.catch(() => {
        if (this.connecting === connecting) this.connecting = undefined;
      });
    }
    return this.connecting;
  }

  private async connect(): Promise<TelegramHistoryClient> {
    const o = this.options;
    const apiHash = o.secret(o.apiHashEnv);
    if (!apiHash) throw missing(o.sourceId, o.apiHashEnv, 'the api_hash of your app (my.telegram.org → API development tools)');
    const session = o.secret(o.sessionEnv);
    if (!session) throw missing(o.sourceId, o.sessionEnv, 'the account\'s GramJS StringSession (docs/sources/telegram.md, "The session")');
    return o.factory({
      sourceId: o.sourceId, apiId: o.apiId, apiHash, session, sessionEnv: o.sessionEnv,
      floodSleepThreshold: o.floodSleepThreshold, connectionRetries: o.connectionRetries, log: o.log,
    });
  }
}

function missing(sourceId: string, env: string, what: string): ConfigError {
  return new ConfigError(`Telegram source "${sourceId}": ${env} is not set: set it to ${what} (locally in the environment; on AWS map it in aws.secrets)`);
}
