/**
 * Discord messages as conversation documents: which messages are content, one turn per message
 * ("Author: text"), Discord's markup rendered to plain text, and the document (title, url,
 * metadata, access, version). Pure: the connector reads, these functions decide.
 */
import { createHash } from 'node:crypto';
import { TURN_SEPARATOR } from '../../core/chunker.ts';
import type { Metadata, SourceDocument } from '../../ports/index.ts';
import { dayOfMs } from '../kit/days.ts';
import { docIdOf, type DocKey } from './doc-ids.ts';
import type { DiscordBaseMessage, DiscordMessage } from './wire.ts';

/**
 * Message types that carry what someone wrote (docs: resources/message "Message Types"):
 * DEFAULT 0, REPLY 19, CHAT_INPUT_COMMAND 20 and CONTEXT_MENU_COMMAND 23 (an app's answer to a
 * command: a bot's message). Every other type is a notice — joins, pins, boosts, "thread created",
 * calls, and types Discord adds later — and is never indexed. THREAD_STARTER_MESSAGE 21 has no
 * content of its own: a thread's document shows the message it refers to instead.
 */
const CONTENT_TYPES = new Set([0, 19, 20, 23]);
export const THREAD_STARTER_MESSAGE = 21;

/** Posted by a bot user, an app answering a command, or a webhook (`webhook_id`). */
export function isBotMessage(message: Pick<DiscordMessage, 'author' | 'webhook_id'>): boolean {
  return message.author.bot === true || message.webhook_id !== undefined;
}

/** Whether the message is content to index: a content type, not Discord's system user, a person's unless bots are included, not empty. */
export function isContent(message: DiscordBaseMessage, includeBotMessages: boolean): boolean {
  if (!CONTENT_TYPES.has(message.type) || message.author.system === true) return false;
  if (!includeBotMessages && isBotMessage(message)) return false;
  return message.content.trim() !== '' || message.attachments.length > 0 || message.embeds.length > 0 || (message.sticker_items?.length ?? 0) > 0;
}

/** Names markup refers to by id: roles and channels of the guild (users come with the message). */
export interface GuildNames {
  role(id: string): string | undefined;
  channel(id: string): string | undefined;
}

export function authorName(message: Pick<DiscordMessage, 'author'>): string {
  return (message.author.global_name ?? '').trim() || message.author.username;
}

/**
 * Discord's markup as plain text (docs: reference "Message Formatting"): `<@id>`/`<@!id>` →
 * `@Name` (from the message's `mentions`), `<@&id>` → `@role`, `<#id>` → `#channel`,
 * `<:name:id>`/`<a:name:id>` → `:name:`, `</name:id>` → `/name`, `<t:unix[:style]>` → the UTC time.
 */
export function renderMarkup(message: DiscordBaseMessage, names: GuildNames): string {
  const users = new Map(message.mentions.map((u) => [u.id, authorName({ author: u })]));
  return message.content.replace(/<(@!?|@&|#|a?:[\w~-]+:|\/[^:<>]+:|t:)(-?\d+)(:[tTdDfFR])?>/g, (whole, kind: string, id: string) => {
    if (kind === '@' || kind === '@!') return `@${users.get(id) ?? id}`;
    if (kind === '@&') return `@${names.role(id) ?? id}`;
    if (kind === '#') return `#${names.channel(id) ?? id}`;
    if (kind === 't:') {
      const ms = Number(id) * 1000;
      return Number.isFinite(ms) && Math.abs(ms) < 8.64e15 ? new Date(ms).toISOString().replace('.000Z', 'Z') : whole;
    }
    if (kind.startsWith('/')) return kind.slice(0, -1);
    return `:${kind.split(':')[1]}:`;
  });
}

/** One turn: `Author: text`, attachments, embeds and stickers named, the turn separator never inside. */
export function renderTurn(message: DiscordBaseMessage, names: GuildNames, repliedTo?: string): string {
  const parts = [renderMarkup(message, names).trim()];
  const files = message.attachments.map((a) => a.title ?? a.filename);
  if (files.length > 0) parts.push(`[files: ${files.join(', ')}]`);
  for (const embed of message.embeds) {
    const text = [embed.title, embed.description].filter((t): t is string => !!t?.trim()).join(' — ');
    if (text) parts.push(`[embed: ${text}]`);
  }
  const stickers = (message.sticker_items ?? []).map((s) => s.name);
  if (stickers.length > 0) parts.push(`[sticker: ${stickers.join(', ')}]`);
  const who = repliedTo !== undefined ? `${authorName(message)} (replying to ${repliedTo})` : authorName(message);
  return `${who}: ${parts.filter((p) => p !== '').join(' ')}`.split(TURN_SEPARATOR).join(' ');
}

// ───────────────────────────── documents ─────────────────────────────

export interface ChannelContext {
  readonly guildId: string;
  /** The channel the document's messages are in (the thread, for a thread). */
  readonly channelId: string;
  /** The channel the title names: the channel itself, or a thread's parent. */
  readonly channelName: string;
  readonly threadName?: string;
  readonly names: GuildNames;
  /** Who may read it (./permissions.ts). */
  readonly access: readonly string[];
  readonly includeBotMessages: boolean;
  /** IANA zone of the day a message-mode title shows. */
  readonly timezone: string;
}

/**
 * The document of one day, one message or one thread, from its messages (any order); undefined
 * when none of them is content. A thread's starter (type 21) stands for the message the thread
 * was started from, shown as the thread's first turn.
 */
export function buildDocument(key: DocKey, messages: readonly DiscordMessage[], ctx: ChannelContext): SourceDocument | undefined {
  const turns: string[] = [];
  const included: Array<DiscordBaseMessage> = [];
  const sorted = [...messages].sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
  for (const message of sorted) {
    const shown = message.type === THREAD_STARTER_MESSAGE && key.kind === 'thread' ? message.referenced_message ?? undefined : message;
    if (!shown || !isContent(shown, ctx.includeBotMessages)) continue;
    const replied = shown.type === 19 && message.referenced_message ? authorName(message.referenced_message) : undefined;
    turns.push(renderTurn(shown, ctx.names, replied));
    included.push(shown);
  }
  const first = included[0];
  if (!first) return undefined;
  const id = docIdOf(key);
  const day = dayOfMs(Date.parse(first.timestamp), ctx.timezone);
  const title = key.kind === 'thread'
    ? `#${ctx.channelName} › ${ctx.threadName ?? key.thread}`
    : key.kind === 'day' ? `#${ctx.channelName} — ${key.day}` : `#${ctx.channelName} — ${authorName(first)}, ${day}`;
  const url = key.kind === 'thread'
    ? `https://discord.com/channels/${ctx.guildId}/${key.thread}`
    : `https://discord.com/channels/${ctx.guildId}/${ctx.channelId}/${first.id}`;
  const text = turns.join(TURN_SEPARATOR);
  let latest = 0;
  for (const m of included) latest = Math.max(latest, Date.parse(m.timestamp), m.edited_timestamp ? Date.parse(m.edited_timestamp) : 0);
  // Only stable fields: vectors repeat document metadata, so a count that grows with every
  // message would rewrite all of a document's vectors on each new one.
  const metadata: Metadata = {
    guildId: ctx.guildId, channelId: key.kind === 'thread' ? key.parent : ctx.channelId, channelName: ctx.channelName,
    ...(key.kind === 'thread' ? { threadId: key.thread, ...(ctx.threadName !== undefined ? { threadName: ctx.threadName } : {}) } : {}),
    ...(key.kind === 'day' ? { day: key.day } : {}),
    ...(key.kind === 'message' ? { messageId: key.message } : {}),
  };
  // Every message's id, edit time and raw content, plus what was rendered from them, and who may
  // read it: an edit, a deletion, a new message, a renamed role or channel, a permission change.
  const version = createHash('sha256')
    .update(JSON.stringify([included.map((m) => [m.id, m.edited_timestamp ?? '', m.content, m.author.id]), title, url, text, ctx.access]))
    .digest('hex').slice(0, 32);
  return {
    id, version, text, title, url, format: 'conversation', metadata, access: ctx.access, updatedAt: new Date(latest).toISOString(),
  };
}
