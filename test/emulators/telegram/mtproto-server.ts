/**
 * The MTProto side of the GramJS fake: answers the raw requests GramJS's own iterators send
 * (messages.getHistory, messages.getMessages, channels.getMessages, messages.getDialogs,
 * users.getUsers), so `getMessages`/`iterMessages`/`getDialogs` run GramJS's real paging code
 * (node_modules/telegram/client/messages.js `_MessagesIter`/`_IDsIter`, client/dialogs.js
 * `_DialogsIter`) against Telegram's server semantics:
 *
 * - messages.getHistory (core.telegram.org/api/offsets, /method/messages.getHistory): results newest
 *   first; the window starts at `offsetFromID(offset_id) + add_offset`, where offsetFromID is
 *   "the number of results from the beginning of list up to the result with ID offset_id,
 *   inclusive" — i.e. the count of messages with id >= offset_id — or, without offset_id, the count
 *   of messages dated >= offset_date; `limit` results from there (0 → ~20, at most 100); then
 *   `max_id`/`min_id` keep ids strictly below/above them. Answer: messages.channelMessages
 *   {pts, count} for channels, messages.messagesSlice {count} when the window is not the whole
 *   history, else messages.messages.
 * - messages.getMessages / channels.getMessages: one entry per requested id, in request order,
 *   messageEmpty for ids that do not exist (deleted). Private chats and basic groups share the
 *   account's id space, so messages.getMessages can return a message of another chat; GramJS
 *   drops those by peer (`_IDsIter`).
 * - messages.getDialogs: dialogs by top message, newest first; offset_date/offset_id/offset_peer
 *   continue after a dialog; messages.dialogs when all fit, else messages.dialogsSlice {count}.
 */

import bigInt from 'big-integer';
import { Api } from 'telegram';
import { accessHash, apiChat, apiMessage, apiPeer, apiUser } from './mtproto-shapes.ts';
import type { ChatRecord, StoredMessage, TelegramWorld } from './world.ts';

type MessagesAnswer = Api.messages.Messages | Api.messages.MessagesSlice | Api.messages.ChannelMessages;

export class MtprotoServer {
  constructor(readonly world: TelegramWorld) {}

  /** The chat an input peer names, or undefined. */
  chatOf(peer: Api.TypeInputPeer | Api.TypeInputChannel): ChatRecord | undefined {
    if (peer instanceof Api.InputPeerUser) return this.world.chats.get(peer.userId.toJSNumber());
    if (peer instanceof Api.InputPeerChat) return this.world.chats.get(peer.chatId.toJSNumber());
    if (peer instanceof Api.InputPeerChannel || peer instanceof Api.InputChannel) return this.world.chats.get(peer.channelId.toJSNumber());
    return undefined;
  }

  /** Every user and chat a set of messages refers to, as the server sends them along. */
  entities(chats: readonly ChatRecord[]): { users: Api.User[]; chats: (Api.Chat | Api.Channel)[] } {
    const users = [...this.world.people.values()].map((p) => apiUser(this.world, p));
    const groups = [...this.world.chats.values()].filter((c) => c.kind !== 'private' && (chats.includes(c) || chats.some((x) => this.refers(x, c))));
    return { users, chats: groups.map((c) => apiChat(this.world, c) as Api.Chat | Api.Channel) };
  }

  handle(request: Api.AnyRequest): unknown {
    if (request instanceof Api.users.GetUsers) {
      return request.id.map((input) => {
        const id = input instanceof Api.InputUserSelf ? this.world.me.id : input instanceof Api.InputUser ? input.userId.toJSNumber() : -1;
        const hash = input instanceof Api.InputUser ? input.accessHash : undefined;
        // Users: the right access hash, or 0 (accepted for users the account shares a chat with).
        const person = hash && !hash.isZero() && !hash.equals(accessHash(id)) ? undefined : this.world.people.get(id);
        return person ? apiUser(this.world, person) : new Api.UserEmpty({ id: bigInt(id) });
      });
    }
    if (request instanceof Api.messages.GetHistory) return this.history(request);
    if (request instanceof Api.messages.GetMessages) return this.byIds(undefined, request.id);
    if (request instanceof Api.channels.GetMessages) return this.byIds(this.chatOf(request.channel as Api.TypeInputChannel), request.id);
    if (request instanceof Api.messages.GetDialogs) return this.dialogs(request);
    if (request instanceof Api.messages.GetChats) {
      const found = request.id.map((id) => this.world.chats.get(id.toJSNumber())).filter((c): c is ChatRecord => c?.kind === 'group');
      return new Api.messages.Chats({ chats: found.map((c) => apiChat(this.world, c) as Api.Chat) });
    }
    if (request instanceof Api.channels.GetChannels) {
      // An access hash is required: 0 (what GramJS tries for an uncached id) is refused.
      const found = request.id.map((input) => {
        const chat = this.chatOf(input as Api.TypeInputChannel);
        const hash = input instanceof Api.InputChannel ? input.accessHash : undefined;
        if (!chat || !hash || !hash.equals(accessHash(chat.id))) throw rpc(400, 'CHANNEL_INVALID', request);
        return apiChat(this.world, chat) as Api.Channel;
      });
      return new Api.messages.Chats({ chats: found });
    }
    if (request instanceof Api.contacts.ResolveUsername) {
      const name = request.username.toLowerCase();
      const person = [...this.world.people.values()].find((p) => p.username?.toLowerCase() === name);
      const chat = [...this.world.chats.values()].find((c) => c.kind !== 'private' && c.username?.toLowerCase() === name);
      if (!person && !chat) throw rpc(400, 'USERNAME_NOT_OCCUPIED', request);
      const peer = person ? new Api.PeerUser({ userId: bigInt(person.id) }) : apiPeer(chat!);
      const { users, chats } = this.entities(chat ? [chat] : []);
      return new Api.contacts.ResolvedPeer({ peer, users, chats });
    }
    if (request instanceof Api.contacts.GetContacts) {
      const users = [...this.world.people.values()].filter((p) => p.id !== this.world.me.id).map((p) => apiUser(this.world, p));
      return new Api.contacts.Contacts({ contacts: [], savedCount: 0, users });
    }
    throw new Error(`the fake does not implement ${request.className}`);
  }

  private history(r: Api.messages.GetHistory): MessagesAnswer {
    const chat = this.chatOf(r.peer as Api.TypeInputPeer);
    if (!chat) throw rpc(400, 'PEER_ID_INVALID', r);
    const all = this.world.history(chat.id).reverse();
    const offsetDate = Number(r.offsetDate ?? 0);
    const from = r.offsetId > 0 ? all.filter((m) => m.id >= r.offsetId).length : offsetDate > 0 ? all.filter((m) => m.date >= offsetDate).length : 0;
    const limit = r.limit <= 0 ? 20 : Math.min(r.limit, 100);
    const start = from + r.addOffset;
    const window = all
      .slice(Math.max(0, start), Math.max(0, start + limit))
      .filter((m) => (r.maxId > 0 ? m.id < r.maxId : true) && (r.minId > 0 ? m.id > r.minId : true));
    return this.answer(chat, window, all.length);
  }

  private byIds(channel: ChatRecord | undefined, ids: readonly Api.TypeInputMessage[] | readonly number[]): MessagesAnswer {
    const wanted = ids.map((x) => (typeof x === 'number' ? x : x instanceof Api.InputMessageID ? x.id : -1));
    const found: Array<Api.Message | Api.MessageService | Api.MessageEmpty> = [];
    const involved: ChatRecord[] = [];
    for (const id of wanted) {
      const hit = channel
        ? channel.messages.get(id)
        : [...this.world.chats.values()].filter((c) => c.kind === 'private' || c.kind === 'group').map((c) => c.messages.get(id)).find((m) => m);
      if (!hit) {
        found.push(new Api.MessageEmpty({ id, ...(channel ? { peerId: apiPeer(channel) } : {}) }));
        continue;
      }
      const chat = this.world.chat(hit.chatId);
      involved.push(chat);
      found.push(apiMessage(this.world, chat, hit));
    }
    const { users, chats } = this.entities(channel ? [channel] : involved);
    if (channel) return new Api.messages.ChannelMessages({ pts: this.pts(channel), count: found.length, messages: found, topics: [], chats, users });
    return new Api.messages.Messages({ messages: found, chats, users });
  }

  private answer(chat: ChatRecord, window: readonly StoredMessage[], count: number): MessagesAnswer {
    const messages = window.map((m) => apiMessage(this.world, chat, m));
    const { users, chats } = this.entities([chat]);
    if (chat.kind === 'supergroup' || chat.kind === 'channel') {
      return new Api.messages.ChannelMessages({ pts: this.pts(chat), count, messages, topics: [], chats, users });
    }
    if (messages.length === count) return new Api.messages.Messages({ messages, chats, users });
    return new Api.messages.MessagesSlice({ count, messages, chats, users });
  }

  private dialogs(r: Api.messages.GetDialogs): Api.messages.Dialogs | Api.messages.DialogsSlice {
    const rows = [...this.world.chats.values()]
      .map((chat) => ({ chat, top: this.world.history(chat.id).at(-1) }))
      .filter((row): row is { chat: ChatRecord; top: StoredMessage } => row.top !== undefined)
      .sort((a, b) => b.top.date - a.top.date || b.top.id - a.top.id);
    let start = 0;
    const offsetPeer = r.offsetPeer && !(r.offsetPeer instanceof Api.InputPeerEmpty) ? this.chatOf(r.offsetPeer as Api.TypeInputPeer) : undefined;
    if (offsetPeer) start = rows.findIndex((row) => row.chat === offsetPeer) + 1;
    else if (Number(r.offsetDate ?? 0) > 0) start = rows.findIndex((row) => row.top.date < Number(r.offsetDate));
    if (start < 0) start = rows.length;
    const page = rows.slice(start, start + Math.min(Math.max(r.limit, 1), 100));
    const dialogs = page.map(({ chat, top }) => new Api.Dialog({
      peer: apiPeer(chat), topMessage: top.id, readInboxMaxId: top.id, readOutboxMaxId: top.id, unreadCount: 0,
      unreadMentionsCount: 0, unreadReactionsCount: 0, notifySettings: new Api.PeerNotifySettings({}),
      ...(chat.kind === 'supergroup' || chat.kind === 'channel' ? { pts: this.pts(chat) } : {}),
    }));
    const messages = page.map(({ chat, top }) => apiMessage(this.world, chat, top));
    const { users, chats } = this.entities(page.map((row) => row.chat));
    if (page.length === rows.length) return new Api.messages.Dialogs({ dialogs, messages, chats, users });
    return new Api.messages.DialogsSlice({ count: rows.length, dialogs, messages, chats, users });
  }

  private pts(chat: ChatRecord): number {
    return chat.nextId + chat.messages.size;
  }

  private refers(from: ChatRecord, to: ChatRecord): boolean {
    for (const m of from.messages.values()) {
      if (m.sender.kind === 'chat' && m.sender.chatId === to.id) return true;
      if (m.forward && (m.forward.kind === 'chat' || m.forward.kind === 'channel') && m.forward.chatId === to.id) return true;
    }
    return false;
  }
}

/** An RPC error as GramJS raises it (errors.RPCMessageToError turns these into its classes). */
export function rpc(code: number, message: string, request: Api.AnyRequest): Api.RpcError & { request: Api.AnyRequest } {
  return Object.assign(new Api.RpcError({ errorCode: code, errorMessage: message }), { request });
}

export { accessHash };
