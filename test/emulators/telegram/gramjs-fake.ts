/**
 * A fake of GramJS's `TelegramClient` for reading a user account's history. MTProto cannot run
 * on loopback, so the fake sits one layer up: `getMessages`, `iterMessages`, `getDialogs`,
 * `iterDialogs`, `getMe`, `getEntity`, `getInputEntity` and `getPeerId` are GramJS's OWN
 * functions (telegram/client/messages.js, dialogs.js, users.js, 2.26.22) called with this object
 * as the client; only `invoke` is ours, answered by ./mtproto-server.ts. Paging, ordering,
 * `minId`/`maxId`/`offsetId`/`reverse`/`ids`, `TotalList.total` and the entity lookups are
 * therefore exactly GramJS's (see telegram.test.ts for the lines they come from).
 *
 * `invoke` mirrors client/users.js `invoke`: it refuses before `connect()` ("Cannot send
 * requests while disconnected. You need to call .connect()"), resolves the request's entity
 * arguments (`request.resolve`), feeds results to the session and `_entityCache`
 * (`processEntities`, `_entityCache.add`), and on FLOOD_WAIT_X (errors.FloodWaitError,
 * `seconds`) sleeps and retries when `seconds <= floodSleepThreshold` (default 60), otherwise
 * throws the error; after `requestRetries` (5) attempts it throws "Request was unsuccessful 5
 * time(s)". Like a real client started from a StringSession, the entity cache starts empty:
 * a channel id GramJS has not seen (via getDialogs, a username, or an earlier answer) cannot be
 * resolved ("Could not find the input entity for …"), because channels.getChannels refuses access
 * hash 0.
 *
 * `parseMode` is GramJS's default MarkdownParser, so `message.text` is markdown and
 * `message.message` the raw text, as with the real client.
 *
 * Updates are not pushed (no event handlers); `updates` lists the Api.Update* objects Telegram
 * would send — note that a deletion in a private chat or basic group, `UpdateDeleteMessages`,
 * names only message ids, not the chat.
 */

import bigInt from 'big-integer';
import { Api, errors, Logger, sessions, utils, type TelegramClient } from 'telegram';
import { getDialogs, iterDialogs, type IterDialogsParams } from 'telegram/client/dialogs.js';
import { getMessages, iterMessages, type IterMessagesParams } from 'telegram/client/messages.js';
import { getEntity, getInputEntity, getMe, getPeerId } from 'telegram/client/users.js';
import type { EntityLike } from 'telegram/define.js';
import { EntityCache } from 'telegram/entityCache.js';
import { LogLevel } from 'telegram/extensions/Logger.js';
import { MarkdownParser } from 'telegram/extensions/markdown.js';
import { apiMessage, apiPeer } from './mtproto-shapes.ts';
import { MtprotoServer } from './mtproto-server.ts';
import { TelegramWorld, type WorldEvent } from './world.ts';

/** The slice of TelegramClient a history sync needs; the real client and the fake both fit. */
export type TelegramHistoryClient = Pick<
  TelegramClient,
  'connect' | 'getMe' | 'getDialogs' | 'iterDialogs' | 'getEntity' | 'getInputEntity' | 'getMessages' | 'iterMessages'
>;

export interface FakeCall {
  readonly request: string;
  readonly args: Readonly<Record<string, unknown>>;
  readonly outcome: 'ok' | string;
}

export interface FakeTelegramClientOptions {
  readonly world?: TelegramWorld;
  readonly now?: () => number;
  /** Replaces the real sleep GramJS does on FLOOD_WAIT (ms). */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly floodSleepThreshold?: number;
}

export class FakeTelegramClient implements TelegramHistoryClient {
  readonly world: TelegramWorld;
  readonly server: MtprotoServer;
  readonly calls: FakeCall[] = [];
  readonly updates: Api.TypeUpdate[] = [];
  /** Milliseconds slept on FLOOD_WAIT, in order. */
  readonly slept: number[] = [];
  floodSleepThreshold: number;
  readonly session = new sessions.MemorySession();
  readonly _entityCache = new EntityCache();
  readonly _log = new Logger(LogLevel.NONE);
  _errorHandler: undefined;
  _selfInputPeer: Api.InputPeerUser | undefined;
  _bot: boolean | undefined;
  parseMode: unknown = MarkdownParser;
  private readonly _requestRetries = 5;
  private connected = false;
  private readonly floods: Array<{ request: string | undefined; seconds: number; times: number }> = [];
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: FakeTelegramClientOptions = {}) {
    this.world = options.world ?? new TelegramWorld(options.now ?? (() => Date.now()));
    this.server = new MtprotoServer(this.world);
    this.floodSleepThreshold = options.floodSleepThreshold ?? 60;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.world.onEvent((e) => this.updates.push(updateFor(this.world, e)));
  }

  /** The next `times` requests (of class `request`, e.g. "messages.GetHistory", or any) get FLOOD_WAIT_`seconds`. */
  floodWait(seconds: number, times = 1, request?: string): void {
    this.floods.push({ request, seconds, times });
  }

  async connect(): Promise<boolean> {
    this.connected = true;
    return true;
  }

  async disconnect(): Promise<void> {
    this.connected = false;
  }

  async invoke<R extends Api.AnyRequest>(request: R): Promise<R['__response']> {
    if (!this.connected) throw new Error('Cannot send requests while disconnected. You need to call .connect()');
    await request.resolve(this.asClient(), utils);
    let attempt = 0;
    for (attempt = 0; attempt < this._requestRetries; attempt++) {
      try {
        const flood = this.floods.find((f) => f.times > 0 && (f.request === undefined || f.request === request.className));
        if (flood) {
          flood.times -= 1;
          throw errors.RPCMessageToError(new Api.RpcError({ errorCode: 420, errorMessage: `FLOOD_WAIT_${flood.seconds}` }), request);
        }
        let result: unknown;
        try {
          result = this.server.handle(request);
        } catch (e) {
          if (e instanceof Api.RpcError) throw errors.RPCMessageToError(e, request);
          throw e;
        }
        this.calls.push({ request: request.className, args: summary(request), outcome: 'ok' });
        this.session.processEntities(result);
        this._entityCache.add(result);
        return result as R['__response'];
      } catch (e) {
        this.calls.push({ request: request.className, args: summary(request), outcome: e instanceof Error ? e.constructor.name : String(e) });
        if (e instanceof errors.FloodWaitError && e.seconds <= this.floodSleepThreshold) {
          this.slept.push(e.seconds * 1000);
          await this.sleep(e.seconds * 1000);
          continue;
        }
        throw e;
      }
    }
    throw new Error(`Request was unsuccessful ${attempt} time(s)`);
  }

  getMe(inputPeer: true): Promise<Api.InputPeerUser>;
  getMe(inputPeer?: false): Promise<Api.User>;
  getMe(inputPeer = false): Promise<Api.InputPeerUser | Api.User> {
    return getMe(this.asClient(), inputPeer);
  }

  getEntity(entity: EntityLike): Promise<import('telegram/define.js').Entity>;
  getEntity(entity: EntityLike[]): Promise<import('telegram/define.js').Entity[]>;
  getEntity(entity: EntityLike | EntityLike[]): Promise<import('telegram/define.js').Entity | import('telegram/define.js').Entity[]> {
    return getEntity(this.asClient(), entity);
  }

  getInputEntity(entity: EntityLike): Promise<Api.TypeInputPeer> {
    return getInputEntity(this.asClient(), entity);
  }

  getPeerId(peer: EntityLike, addMark = true): Promise<string> {
    return getPeerId(this.asClient(), peer, addMark);
  }

  iterMessages(entity: EntityLike | undefined, iterParams: Partial<IterMessagesParams> = {}): ReturnType<TelegramClient['iterMessages']> {
    return iterMessages(this.asClient(), entity, iterParams);
  }

  getMessages(entity: EntityLike | undefined, getMessagesParams: Partial<IterMessagesParams> = {}): ReturnType<TelegramClient['getMessages']> {
    return getMessages(this.asClient(), entity, getMessagesParams);
  }

  iterDialogs(iterDialogsParams: IterDialogsParams = {}): ReturnType<TelegramClient['iterDialogs']> {
    return iterDialogs(this.asClient(), iterDialogsParams);
  }

  getDialogs(params: IterDialogsParams = {}): ReturnType<TelegramClient['getDialogs']> {
    return getDialogs(this.asClient(), params);
  }

  /** GramJS's functions take a TelegramClient; they only touch what this class has. */
  private asClient(): TelegramClient {
    return this as unknown as TelegramClient;
  }
}

function summary(request: Api.AnyRequest): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of ['offsetId', 'offsetDate', 'addOffset', 'limit', 'maxId', 'minId'] as const) {
    if (key in request) out[key] = (request as unknown as Record<string, unknown>)[key];
  }
  if ('id' in request && Array.isArray((request as { id: unknown }).id)) {
    out['id'] = ((request as { id: unknown[] }).id).map((x) => (x instanceof Api.InputMessageID ? x.id : typeof x === 'number' ? x : String(x)));
  }
  return out;
}

/** The update Telegram would push to the account for a world change. */
function updateFor(world: TelegramWorld, e: WorldEvent): Api.TypeUpdate {
  const channelLike = e.chat.kind === 'supergroup' || e.chat.kind === 'channel';
  const pts = e.message.id;
  if (e.kind === 'delete') {
    return channelLike
      ? new Api.UpdateDeleteChannelMessages({ channelId: bigInt(e.chat.id), messages: [e.message.id], pts, ptsCount: 1 })
      : new Api.UpdateDeleteMessages({ messages: [e.message.id], pts, ptsCount: 1 });
  }
  const message = apiMessage(world, e.chat, e.message);
  if (e.kind === 'edit') return channelLike ? new Api.UpdateEditChannelMessage({ message, pts, ptsCount: 1 }) : new Api.UpdateEditMessage({ message, pts, ptsCount: 1 });
  return channelLike ? new Api.UpdateNewChannelMessage({ message, pts, ptsCount: 1 }) : new Api.UpdateNewMessage({ message, pts, ptsCount: 1 });
}

export { apiPeer };
