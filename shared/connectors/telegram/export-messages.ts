/**
 * Telegram Desktop's JSON export (`result.json`: "Export chat history" for one chat, or
 * Settings → Advanced → "Export Telegram data" for the account) read into {@link ChatMessage}s.
 * The writer is tdesktop's export_output_json.cpp; what matters here:
 *
 * - A chat is `{name, type, id, messages}`; `id` is BARE (no `-100`), `type` says the kind
 *   (personal_chat, bot_chat, saved_messages, private_group, private/public_supergroup,
 *   private/public_channel). The account export nests chats under `chats.list`.
 * - `date` is local time without an offset: only `date_unixtime` (a string) is used, as is
 *   `edited_unixtime`.
 * - `text` is a string, or an array of strings and `{type, text, href?}` parts; their texts
 *   concatenated are the raw text, `text_link` parts carry the hidden link's `href`.
 * - No topic field: a forum message's `reply_to_message_id` is its topic's id (the id of the
 *   `topic_created` service message), or the message it replies to, whose topic it shares.
 */

import { z } from 'zod';
import type { ChatInfo, ChatMessage } from './documents.ts';
import { GENERAL_TOPIC, markedId, type ChatKind } from './ids.ts';
import { chatAuthor, renderTurn, UNNAMED, type TextLink, type TurnParts } from './turns.ts';

const textPart = z.union([z.string(), z.looseObject({ type: z.string(), text: z.string(), href: z.string().optional() })]);

const exportMessage = z.looseObject({
  id: z.number().int(),
  type: z.string(),
  date_unixtime: z.string().regex(/^\d+$/),
  edited_unixtime: z.string().regex(/^\d+$/).optional(),
  from: z.string().nullable().optional(),
  from_id: z.string().optional(),
  author: z.string().optional(),
  forwarded_from: z.string().nullable().optional(),
  reply_to_message_id: z.number().int().optional(),
  action: z.string().optional(),
  title: z.string().optional(),
  photo: z.string().optional(),
  file: z.string().optional(),
  file_name: z.string().optional(),
  media_type: z.string().optional(),
  sticker_emoji: z.string().optional(),
  poll: z.looseObject({ question: z.string().optional() }).optional(),
  text: z.union([z.string(), z.array(textPart)]),
});

export type ExportMessage = z.output<typeof exportMessage>;

export const exportChatSchema = z.looseObject({
  name: z.string().nullable().optional(),
  type: z.string(),
  id: z.number().int(),
  messages: z.array(exportMessage),
});

export type ExportChatJson = z.output<typeof exportChatSchema>;

const KINDS: Readonly<Record<string, ChatKind>> = {
  personal_chat: 'private', bot_chat: 'private', saved_messages: 'private', private_group: 'group',
  private_supergroup: 'supergroup', public_supergroup: 'supergroup', private_channel: 'channel', public_channel: 'channel',
};

/** The chat's kind from the export's `type`; undefined for types it cannot be continued from. */
export function kindOfExport(type: string): ChatKind | undefined {
  return KINDS[type];
}

/** The export's raw text and hidden links. */
function textOf(text: ExportMessage['text']): { text: string; links: TextLink[] } {
  if (typeof text === 'string') return { text, links: [] };
  let out = '';
  const links: TextLink[] = [];
  for (const part of text) {
    if (typeof part === 'string') {
      out += part;
      continue;
    }
    if (part.type === 'text_link' && part.href) links.push({ offset: out.length, length: part.text.length, url: part.href });
    out += part.text;
  }
  return { text: out, links };
}

function mediaOf(m: ExportMessage): TurnParts['media'] {
  if (m.photo !== undefined) return { kind: 'photo' };
  if (m.poll !== undefined) return { kind: 'poll', detail: m.poll.question };
  if (m.file === undefined && m.media_type === undefined) return undefined;
  if (m.media_type === 'sticker') return { kind: 'sticker', detail: m.sticker_emoji };
  if (m.media_type === 'voice_message') return { kind: 'voice' };
  if (m.media_type === 'video_message') return { kind: 'video-message' };
  return { kind: 'file', detail: m.file_name };
}

/** A topic per message: the chain of replies up to a `topic_created` message, else General. */
function topicsOf(messages: readonly ExportMessage[]): Map<number, number> {
  const byId = new Map(messages.map((m) => [m.id, m]));
  const topics = new Set(messages.filter((m) => m.type === 'service' && m.action === 'topic_created').map((m) => m.id));
  const memo = new Map<number, number>();
  const topicOf = (start: ExportMessage): number => {
    const path: number[] = [];
    let current: ExportMessage | undefined = start;
    let found: number = GENERAL_TOPIC;
    while (current) {
      if (topics.has(current.id)) {
        found = current.id;
        break;
      }
      const known = memo.get(current.id);
      if (known !== undefined) {
        found = known;
        break;
      }
      path.push(current.id);
      const target: number | undefined = current.reply_to_message_id;
      if (target === undefined || path.includes(target)) break;
      if (topics.has(target)) {
        found = target;
        break;
      }
      // A reply to a message deleted before the export: its topic is unknown (filed under General).
      current = byId.get(target);
    }
    for (const id of path) memo.set(id, found);
    return found;
  };
  return new Map(messages.map((m) => [m.id, topicOf(m)]));
}

/** One exported chat: its marked id, kind, and messages rendered as the chat the account sees now. */
export interface ExportedChat {
  readonly id: string;
  readonly kind: ChatKind;
  /** The highest message id in the export: where MTProto continues. */
  readonly maxId: number;
  /** The date (unix seconds) of that message. */
  readonly lastDate: number;
  readonly count: number;
  /** The messages, oldest first, rendered with `chat` (its current title names channel posts). */
  render(chat: ChatInfo): ChatMessage[];
}

export function exportedChat(json: ExportChatJson, kind: ChatKind): ExportedChat {
  const id = markedId(kind, json.id);
  const messages = [...json.messages].sort((a, b) => a.id - b.id);
  let rendered: { readonly chat: ChatInfo; readonly messages: ChatMessage[] } | undefined;
  const render = (chat: ChatInfo): ChatMessage[] => {
    if (rendered?.chat === chat) return rendered.messages;
    const topics = topicsOf(messages);
    const own = `channel${json.id}`;
    const out = messages.map((m): ChatMessage => {
      const base = { id: m.id, date: Number(m.date_unixtime), ...(m.edited_unixtime ? { editDate: Number(m.edited_unixtime) } : {}) };
      if (m.type !== 'message') {
        const created = m.action === 'topic_created';
        return { ...base, topic: created ? m.id : topics.get(m.id) ?? GENERAL_TOPIC, ...(created && m.title !== undefined ? { topicTitle: m.title } : {}) };
      }
      // This chat's own posts (a channel, an anonymous admin) are named by its current title, as MTProto names them.
      const author = m.from_id === own ? chatAuthor(chat.title, m.author) : m.from_id?.startsWith('user') ? m.from ?? UNNAMED : chatAuthor(m.from, m.author);
      const { text, links } = textOf(m.text);
      const turn = renderTurn({
        author, text, links, media: mediaOf(m),
        forwardedFrom: m.forwarded_from === undefined ? undefined : m.forwarded_from ?? UNNAMED,
      });
      return { ...base, topic: topics.get(m.id) ?? GENERAL_TOPIC, ...(turn !== undefined ? { turn } : {}) };
    });
    rendered = { chat, messages: out };
    return out;
  };
  const last = messages.at(-1);
  return { id, kind, maxId: last?.id ?? 0, lastDate: last ? Number(last.date_unixtime) : 0, count: messages.length, render };
}
