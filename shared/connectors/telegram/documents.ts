/**
 * Documents of the Telegram source: the messages of one chat-day (or forum topic-day) as one
 * `conversation` document, one turn per message, oldest first, so a new message changes at most
 * the last chunk. Pure: the walk (./walk.ts) and the export import decide which messages; this
 * file builds the document from them and from what is known of the chat.
 */

import { createHash } from 'node:crypto';
import { TURN_SEPARATOR } from '../../core/chunker.ts';
import type { DocumentIssue, Metadata, SourceDocument } from '../../ports/index.ts';
import { dayOfMs } from '../kit/days.ts';
import { docIdOf, GENERAL_TOPIC, type ChatKind, type DocKey } from './ids.ts';

/** One message, reduced to what a document needs; the same shape from MTProto and from an export. */
export interface ChatMessage {
  readonly id: number;
  /** Unix seconds. */
  readonly date: number;
  readonly editDate?: number | undefined;
  /** The forum topic it belongs to; {@link GENERAL_TOPIC} outside forums. */
  readonly topic: number;
  /** `Author: body`; absent for what is not content (service messages, empty ones). */
  readonly turn?: string | undefined;
  /** A topic's creation (service) message: the topic's title. */
  readonly topicTitle?: string | undefined;
  /** Why the message could not be rendered: its document is skipped this pass, not indexed without it. */
  readonly problem?: string | undefined;
}

/** A chat as the account sees it (from its dialogs): what every document of the chat repeats. */
export interface ChatInfo {
  /** Marked id. */
  readonly id: string;
  readonly kind: ChatKind;
  readonly title: string;
  /** Public chats: t.me/<username>. */
  readonly username?: string | undefined;
  /** Principals allowed to see its documents (./access.ts). */
  readonly access: readonly string[];
}

export interface DayGroup {
  readonly day: string;
  /** Newest first, as the walk reads them. */
  readonly messages: readonly ChatMessage[];
}

export function dayOfMessage(message: Pick<ChatMessage, 'date'>, timezone: string): string {
  return dayOfMs(message.date * 1000, timezone);
}

/** The documents of complete days (one per topic with content), and those of them that cannot be built now. */
export function documentsOfDays(
  chat: ChatInfo, days: readonly DayGroup[], topicTitle: (topic: number) => string | undefined,
): { documents: SourceDocument[]; skipped: DocumentIssue[] } {
  const documents: SourceDocument[] = [];
  const skipped: DocumentIssue[] = [];
  for (const { day, messages } of days) {
    const byTopic = new Map<number, ChatMessage[]>();
    for (const m of messages) {
      if (m.turn === undefined && m.problem === undefined) continue;
      const list = byTopic.get(m.topic) ?? [];
      list.push(m);
      byTopic.set(m.topic, list);
    }
    for (const [topic, list] of byTopic) {
      const key: DocKey = { chat: chat.id, day, ...(topic !== GENERAL_TOPIC ? { topic } : {}) };
      // One message that cannot be rendered holds back its own document only (its vectors stay).
      const broken = list.find((m) => m.problem !== undefined);
      if (broken) {
        skipped.push({ id: docIdOf(key), reason: `message ${broken.id} could not be rendered: ${broken.problem}` });
        continue;
      }
      const doc = buildDocument(chat, key, list, topicTitle(topic));
      if (doc) documents.push(doc);
    }
  }
  return { documents, skipped };
}

/** The document of one chat-day or topic-day from its messages (any order); undefined without content. */
export function buildDocument(chat: ChatInfo, key: DocKey, messages: readonly ChatMessage[], topicTitle?: string): SourceDocument | undefined {
  const turns = [...messages].filter((m) => m.turn !== undefined).sort((a, b) => a.date - b.date || a.id - b.id);
  const first = turns[0];
  if (!first) return undefined;
  const text = turns.map((m) => m.turn!.split(TURN_SEPARATOR).join(' ')).join(TURN_SEPARATOR);
  const topic = key.topic !== undefined && key.topic !== GENERAL_TOPIC ? key.topic : undefined;
  const title = topic !== undefined ? `${chat.title} › ${topicTitle ?? `topic ${topic}`} — ${key.day}` : `${chat.title} — ${key.day}`;
  const url = linkTo(chat, first.id, topic);
  let latest = 0;
  for (const m of turns) latest = Math.max(latest, m.date, m.editDate ?? 0);
  // Stable fields only: vectors repeat metadata, so a per-message count would rewrite all of a
  // day's vectors on every new message.
  const metadata: Metadata = {
    chatId: chat.id, chatTitle: chat.title, chatKind: chat.kind, day: key.day, ...(topic !== undefined ? { topicId: topic } : {}),
  };
  // Everything rendered plus every message's id and edit stamp: an edit, a deletion, a new
  // message, a rename or a change of who may see the chat changes it; the same messages read
  // from an export or through MTProto give the same version.
  const version = createHash('sha256')
    .update(JSON.stringify([title, text, url ?? '', chat.access, turns.map((m) => [m.id, m.editDate ?? 0])]))
    .digest('hex').slice(0, 32);
  return {
    id: docIdOf(key), version, text, title, format: 'conversation', metadata, access: chat.access,
    updatedAt: new Date(latest * 1000).toISOString(), ...(url !== undefined ? { url } : {}),
  };
}

/** t.me link to a message: public chats by username, private supergroups and channels by `/c/<id>`; none for private chats and basic groups. */
function linkTo(chat: ChatInfo, messageId: number, topic: number | undefined): string | undefined {
  const thread = topic !== undefined ? `${topic}/` : '';
  if (chat.username) return `https://t.me/${chat.username}/${thread}${messageId}`;
  if (chat.kind === 'supergroup' || chat.kind === 'channel') return `https://t.me/c/${chat.id.replace(/^-100/, '')}/${thread}${messageId}`;
  return undefined;
}
