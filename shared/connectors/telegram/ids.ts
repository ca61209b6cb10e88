/**
 * Chat and document ids of the Telegram source, one form for every path a message can arrive
 * by (MTProto, the Bot API, a Telegram Desktop export), so a document imported from an export
 * is the same document a later MTProto pass or a bot update names.
 *
 * - A chat is named by its **marked id**, the form the Bot API and GramJS's `getPeerId` use:
 *   a user's id for a private chat, `-<id>` for a basic group, `-100<id>` for a supergroup or
 *   channel. (The export writes the bare id and says the kind in `type`.)
 * - A document is one chat-day, `<chat>/<YYYY-MM-DD>`, or in a forum supergroup one
 *   topic-day, `<chat>/topic-<topic id>/<YYYY-MM-DD>`; the General topic (id 1) is the plain
 *   chat-day, so a forum whose only topic is General has the ids of any supergroup (an export
 *   cannot tell a forum from a supergroup until it shows a topic).
 */

import { isCalendarDay } from '../kit/days.ts';

export type ChatKind = 'private' | 'group' | 'supergroup' | 'channel';

/** The General topic of a forum: its messages carry no topic header. */
export const GENERAL_TOPIC = 1;

export interface DocKey {
  /** Marked chat id. */
  readonly chat: string;
  /** A forum topic other than General. */
  readonly topic?: number;
  readonly day: string;
}

const MARKED = /^-?[1-9]\d{0,15}$/;

/** The marked id of a chat of `kind` with bare id `id`. */
export function markedId(kind: ChatKind, id: number | string): string {
  const bare = String(id);
  if (kind === 'private') return bare;
  if (kind === 'group') return `-${bare}`;
  return `-100${bare}`;
}

/** Whether `chat` looks like a marked chat id. */
export function isMarkedId(chat: string): boolean {
  return MARKED.test(chat);
}

export function docIdOf(key: DocKey): string {
  return key.topic !== undefined && key.topic !== GENERAL_TOPIC ? `${key.chat}/topic-${key.topic}/${key.day}` : `${key.chat}/${key.day}`;
}

/** Parses a document id; undefined for anything else (garbage, another source's ids, a bad date). */
export function parseDocId(id: string): DocKey | undefined {
  const parts = id.split('/');
  const [chat, second, third] = parts;
  if (chat === undefined || !isMarkedId(chat)) return undefined;
  if (parts.length === 2 && second !== undefined && isCalendarDay(second)) return { chat, day: second };
  if (parts.length !== 3 || second === undefined || third === undefined || !isCalendarDay(third)) return undefined;
  const topic = /^topic-([1-9]\d{0,9})$/.exec(second);
  if (!topic || Number(topic[1]) === GENERAL_TOPIC) return undefined;
  return { chat, topic: Number(topic[1]), day: third };
}

/** The prefix every document of a chat starts with (for skipped-chat issues). */
export function chatPrefix(chat: string): string {
  return `${chat}/`;
}
