/**
 * GramJS messages (`Api.Message`, `Api.MessageService`, `Api.MessageEmpty`, as `getMessages`
 * returns them with their sender entities attached) reduced to {@link ChatMessage}. How GramJS
 * builds them: telegram/tl/custom/message.js (`init` takes the sender from `fromId`, or from the
 * peer for incoming private messages and channel posts; `_finishInit` attaches the entity). The
 * TL classes are told apart by `className`, so this file loads no GramJS code.
 */

import type { Api } from 'telegram';
import type { ChatInfo, ChatMessage } from './documents.ts';
import { GENERAL_TOPIC } from './ids.ts';
import { chatAuthor, personName, renderTurn, UNNAMED, type TextLink, type TurnParts } from './turns.ts';

/** What GramJS attaches to a message it returns (SenderGetter, Forward). */
interface WithEntities {
  readonly sender?: unknown;
  readonly forward?: { readonly sender?: unknown; readonly chat?: unknown } | undefined;
}

type Named = { className: 'User'; firstName?: string; lastName?: string } | { className: 'Chat' | 'Channel' | 'ChatForbidden' | 'ChannelForbidden'; title?: string };

function named(entity: unknown): Named | undefined {
  if (typeof entity !== 'object' || entity === null) return undefined;
  const className = (entity as { className?: unknown }).className;
  return className === 'User' || className === 'Chat' || className === 'Channel' || className === 'ChatForbidden' || className === 'ChannelForbidden'
    ? entity as Named : undefined;
}

function nameOf(entity: Named | undefined): string | undefined {
  if (!entity) return undefined;
  return entity.className === 'User' ? personName(entity.firstName, entity.lastName) : entity.title?.trim() || UNNAMED;
}

/** The topic a message belongs to: a forum message's reply header names it (core.telegram.org/api/forum). */
export function topicOf(replyTo: Api.TypeMessageReplyHeader | undefined): number {
  if (!replyTo || replyTo.className !== 'MessageReplyHeader' || !replyTo.forumTopic) return GENERAL_TOPIC;
  return replyTo.replyToTopId ?? replyTo.replyToMsgId ?? GENERAL_TOPIC;
}

function mediaOf(media: Api.TypeMessageMedia | undefined): TurnParts['media'] {
  if (!media) return undefined;
  if (media.className === 'MessageMediaPhoto') return media.photo ? { kind: 'photo' } : undefined;
  if (media.className === 'MessageMediaPoll') {
    const question = (media.poll as { question?: unknown }).question;
    return { kind: 'poll', detail: typeof question === 'string' ? question : (question as { text?: string } | undefined)?.text };
  }
  if (media.className !== 'MessageMediaDocument' || media.document?.className !== 'Document') return undefined;
  const attributes = media.document.attributes;
  for (const a of attributes) if (a.className === 'DocumentAttributeSticker') return { kind: 'sticker', detail: a.alt };
  for (const a of attributes) if (a.className === 'DocumentAttributeAudio' && a.voice) return { kind: 'voice' };
  for (const a of attributes) if (a.className === 'DocumentAttributeVideo' && a.roundMessage) return { kind: 'video-message' };
  for (const a of attributes) if (a.className === 'DocumentAttributeFilename') return { kind: 'file', detail: a.fileName };
  return { kind: 'file' };
}

function linksOf(entities: readonly Api.TypeMessageEntity[] | undefined): TextLink[] {
  const links: TextLink[] = [];
  for (const e of entities ?? []) if (e.className === 'MessageEntityTextUrl') links.push({ offset: e.offset, length: e.length, url: e.url });
  return links;
}

function authorOf(message: Api.Message & WithEntities, chat: ChatInfo): string {
  // A channel post is the channel's (GramJS takes the peer as its sender).
  if (message.post) return chatAuthor(chat.title, message.postAuthor);
  const sender = named(message.sender);
  if (sender?.className === 'User') return nameOf(sender)!;
  // On behalf of a chat: an anonymous admin (the group itself) or a channel the user posts as.
  if (sender) return chatAuthor(nameOf(sender), message.postAuthor);
  return UNNAMED;
}

function forwardedFrom(message: Api.Message & WithEntities): string | undefined {
  const fwd = message.fwdFrom;
  if (!fwd) return undefined;
  if (fwd.fromName) return fwd.fromName;
  return nameOf(named(message.forward?.sender)) ?? nameOf(named(message.forward?.chat)) ?? UNNAMED;
}

/** The message as a {@link ChatMessage} of `chat`; undefined for an empty (deleted) one. */
export function fromGramJs(message: Api.TypeMessage | undefined, chat: ChatInfo): ChatMessage | undefined {
  if (!message || message.className === 'MessageEmpty') return undefined;
  if (message.className === 'MessageService') {
    const action = message.action;
    const created = action.className === 'MessageActionTopicCreate';
    return {
      id: message.id, date: message.date, topic: created ? message.id : topicOf(message.replyTo),
      ...(created ? { topicTitle: action.title } : {}),
    };
  }
  const m = message as Api.Message & WithEntities;
  const turn = renderTurn({
    author: authorOf(m, chat), text: m.message ?? '', links: linksOf(m.entities), media: mediaOf(m.media), forwardedFrom: forwardedFrom(m),
  });
  return { id: m.id, date: m.date, topic: topicOf(m.replyTo), ...(m.editDate ? { editDate: m.editDate } : {}), ...(turn !== undefined ? { turn } : {}) };
}
