/**
 * The chats a pass reads: the account's dialogs (`getDialogs`, which also fills the entity
 * cache a fresh session needs before GramJS can resolve a channel), as {@link DialogChat}s with
 * what every document of the chat repeats (title, link, access) and the top message the walk
 * compares with its position to skip a quiet chat without reading it.
 *
 * Access, from what the account can know about membership:
 * - a private chat: its two people, `user:<account id>` and `user:<peer id>` (Saved Messages: the account);
 * - a public supergroup or channel (it has a username: anyone may read it): `public`;
 * - a basic group, or a private supergroup or channel: `group:<marked chat id>` — everyone in the chat.
 *   Listing members is not possible for channels (admins only) nor cheap for groups, so the chat
 *   itself is the group: a search made as that chat's members passes `--as group:<id>`.
 */

import type { Api } from 'telegram';
import type { Dialog } from 'telegram/tl/custom/dialog.js';
import type { ChatInfo } from './documents.ts';
import { markedId, type ChatKind } from './ids.ts';
import { personName } from './turns.ts';

export interface DialogChat {
  readonly info: ChatInfo;
  /** The peer GramJS reads history of (`getMessages(input, …)`). */
  readonly input: Api.TypeInputPeer;
  /** The newest message's id and date (unix seconds) when the dialogs were read. */
  readonly topId: number;
  readonly topDate: number;
}

/** The principals who may see a chat's documents (see the header). */
export function accessOf(kind: ChatKind, id: string, me: string, username: string | undefined): string[] {
  if (kind === 'private') return id === me ? [`user:${me}`] : [`user:${me}`, `user:${id}`].sort();
  if (username) return ['public'];
  return [`group:${id}`];
}

/** One dialog as a chat the walk can read; undefined for chats the account can no longer read (kicked, forbidden). */
export function dialogChat(dialog: Dialog, me: string): DialogChat | undefined {
  const entity = dialog.entity as Api.User | Api.Chat | Api.Channel | Api.ChatForbidden | Api.ChannelForbidden | undefined;
  if (!entity) return undefined;
  let kind: ChatKind;
  let title: string;
  let username: string | undefined;
  if (entity.className === 'User') {
    kind = 'private';
    title = entity.self ? 'Saved Messages' : personName(entity.firstName, entity.lastName);
  } else if (entity.className === 'Chat') {
    kind = 'group';
    title = entity.title;
  } else if (entity.className === 'Channel') {
    kind = entity.megagroup ? 'supergroup' : 'channel';
    title = entity.title;
    username = entity.username ?? entity.usernames?.find((u) => u.active)?.username;
  } else {
    return undefined;
  }
  const id = markedId(kind, entity.id.toString());
  return {
    info: { id, kind, title, ...(username ? { username } : {}), access: accessOf(kind, id, me, username) },
    input: dialog.inputEntity,
    topId: dialog.message?.id ?? dialog.dialog.topMessage,
    topDate: dialog.date,
  };
}

/** The chats to read, in a stable order (by marked id), filtered to `only` when given. */
export function dialogChats(dialogs: Iterable<Dialog>, me: string, only: ReadonlySet<string> | undefined): DialogChat[] {
  const chats = new Map<string, DialogChat>();
  for (const dialog of dialogs) {
    const chat = dialogChat(dialog, me);
    if (chat && (!only || only.has(chat.info.id))) chats.set(chat.info.id, chat);
  }
  return [...chats.values()].sort((a, b) => (a.info.id < b.info.id ? -1 : a.info.id > b.info.id ? 1 : 0));
}
