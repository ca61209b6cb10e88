/**
 * Pure pieces of the Slack connector: message timestamps, document ids, days in a time zone,
 * the rendering of Slack's message markup into plain turns, and documents built from messages.
 * No I/O here: the connector fetches, these functions decide.
 */

import { createHash } from 'node:crypto';
import { TURN_SEPARATOR } from '../../core/chunker.ts';
import { dayOfMs } from '../kit/days.ts';
import type { Metadata, SourceDocument } from '../../ports/index.ts';

/** The fields of a Slack message object this connector reads (conversations.history / .replies, events). */
export interface SlackMessage {
  readonly ts: string;
  readonly type?: string;
  readonly subtype?: string;
  readonly user?: string;
  readonly bot_id?: string;
  readonly username?: string;
  readonly bot_profile?: { readonly name?: string };
  readonly text?: string;
  readonly thread_ts?: string;
  readonly reply_count?: number;
  readonly latest_reply?: string;
  readonly edited?: { readonly ts?: string; readonly user?: string };
  readonly files?: ReadonlyArray<{ readonly name?: string; readonly title?: string }>;
  /** A `thread_broadcast`'s parent, with its thread fields. */
  readonly root?: SlackMessage;
}

export type DocumentMode = 'thread' | 'channel-day';

/** A Slack ts is "<unix seconds>.<6-digit sequence>"; this shape keeps them comparable as strings. */
const TS = /^(\d{1,12})\.(\d{6})$/;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const CHANNEL = /^[CGD][A-Z0-9]{2,}$/;

/** Normalises a Slack ts to 10+ digit seconds so that string order is time order; undefined when malformed. */
export function normaliseTs(ts: string | undefined): string | undefined {
  const m = ts === undefined ? null : TS.exec(ts);
  if (!m) return undefined;
  return `${m[1]!.padStart(10, '0')}.${m[2]}`;
}

/** Compares two Slack ts values in time order. */
export function compareTs(a: string, b: string): number {
  const x = normaliseTs(a) ?? a;
  const y = normaliseTs(b) ?? b;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Epoch milliseconds of a ts (sub-millisecond sequence digits dropped). */
export function tsToMs(ts: string): number {
  const m = TS.exec(ts);
  if (!m) return Number.NaN;
  return Number(m[1]) * 1000 + Math.floor(Number(m[2]) / 1000);
}

/** The ts of an epoch-millisecond instant (sequence = microseconds). */
export function msToTs(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const micros = (ms - seconds * 1000) * 1000;
  return `${seconds}.${String(micros).padStart(6, '0')}`;
}

/** The ts just before `ts` (one microsecond earlier), to make an inclusive bound exclusive. */
export function tsBefore(ts: string): string {
  const m = TS.exec(ts);
  if (!m) return ts;
  const total = BigInt(m[1]!) * 1_000_000n + BigInt(m[2]!) - 1n;
  return `${total / 1_000_000n}.${String(total % 1_000_000n).padStart(6, '0')}`;
}

// ───────────────────────────── document ids ─────────────────────────────

export type DocKey =
  | { readonly mode: 'thread'; readonly channel: string; readonly ts: string }
  | { readonly mode: 'channel-day'; readonly channel: string; readonly day: string };

export function threadId(channel: string, threadTs: string): string {
  return `${channel}/${threadTs}`;
}

export function dayId(channel: string, day: string): string {
  return `${channel}/${day}`;
}

/** Parses a document id of the given mode; undefined for anything else (another mode's id, garbage). */
export function parseDocId(id: string, mode: DocumentMode): DocKey | undefined {
  const slash = id.indexOf('/');
  if (slash <= 0 || id.indexOf('/', slash + 1) !== -1) return undefined;
  const channel = id.slice(0, slash);
  const rest = id.slice(slash + 1);
  if (!CHANNEL.test(channel)) return undefined;
  if (mode === 'thread') return TS.test(rest) ? { mode, channel, ts: rest } : undefined;
  const m = DAY.exec(rest);
  if (!m) return undefined;
  // Round-trip through Date to reject 2026-02-30 and the like.
  const check = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))).toISOString().slice(0, 10);
  return check === rest ? { mode, channel, day: rest } : undefined;
}

/** The id of the document a message belongs to: its thread (the parent's ts), or the parent's day. */
export function docIdOf(channel: string, message: { ts: string; thread_ts?: string | undefined }, mode: DocumentMode, timezone: string): string {
  const root = message.thread_ts ?? message.ts;
  return mode === 'thread' ? threadId(channel, root) : dayId(channel, dayOf(root, timezone));
}

// ───────────────────────────── days in a time zone ─────────────────────────────

// The zone arithmetic is shared with other day-grouping connectors (../kit/days.ts).
export { dayBoundsMs, dayOfMs, dayStartMs } from '../kit/days.ts';

export function dayOf(ts: string, timezone: string): string {
  return dayOfMs(tsToMs(ts), timezone);
}

// ───────────────────────────── rendering ─────────────────────────────

/** Names the renderer needs; unknown ids fall back to the id. */
export interface NameLookup {
  user(id: string): string | undefined;
  channel(id: string): string | undefined;
}

/** User and channel ids a message's rendering needs: its author and every mention without a label. */
export function referencedIds(message: SlackMessage): { users: string[]; channels: string[] } {
  const users = new Set<string>();
  const channels = new Set<string>();
  if (message.user && !isBotMessage(message)) users.add(message.user);
  for (const m of (message.text ?? '').matchAll(/<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/g)) users.add(m[1]!);
  for (const m of (message.text ?? '').matchAll(/<#([CGD][A-Z0-9]+)(\|[^>]*)?>/g)) if (!m[2] || m[2] === '|') channels.add(m[1]!);
  return { users: [...users], channels: [...channels] };
}

/**
 * Slack's markup as plain text: `<@U123>` → `@Alice`, `<#C123|general>` → `#general`,
 * `<https://x|label>` → `label (https://x)`, `<!here>` → `@here`, and `&amp;`/`&lt;`/`&gt;`
 * unescaped (Slack escapes those three in message text).
 */
export function renderMarkup(text: string, names: NameLookup): string {
  const out = text.replace(/<([^<>]*)>/g, (_whole, inner: string) => {
    const bar = inner.indexOf('|');
    const target = bar === -1 ? inner : inner.slice(0, bar);
    const label = bar === -1 ? '' : inner.slice(bar + 1);
    if (target.startsWith('@')) {
      const id = target.slice(1);
      return `@${names.user(id) ?? (label || id)}`;
    }
    if (target.startsWith('#')) {
      const id = target.slice(1);
      return `#${label || names.channel(id) || id}`;
    }
    if (target.startsWith('!')) {
      const special = target.slice(1).split('^')[0] ?? '';
      if (special === 'here' || special === 'channel' || special === 'everyone') return `@${special}`;
      return label || special;
    }
    return label && label !== target ? `${label} (${target})` : target;
  });
  return out.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/**
 * Whether a bot posted the message: an app with its bot token (`bot_id`, `bot_profile`, its bot
 * user in `user`, no subtype), or a legacy integration, incoming webhook or workflow
 * (`subtype: "bot_message"`, `bot_id`, no `user`). Slack: "detect if a message was sent by a bot
 * by the presence of the bot_id and bot_profile fields" (docs.slack.dev reference/events/message/bot_message).
 */
export function isBotMessage(message: SlackMessage): boolean {
  return message.subtype === 'bot_message' || message.bot_id !== undefined || message.bot_profile !== undefined;
}

/**
 * Subtypes that carry what someone wrote (no subtype is a plain message). Every other subtype is a
 * notice — joins, leaves, topic/purpose/name changes, pins, archiving, a deleted parent's
 * tombstone, and subtypes Slack adds later — and is never indexed. docs/sources/slack.md lists them.
 */
const CONTENT_SUBTYPES = new Set(['thread_broadcast', 'file_share', 'me_message', 'bot_message']);

/** Whether the message is content to index: a content subtype, a person's unless bots are included, with text or files. */
export function isContent(message: SlackMessage, includeBotMessages: boolean): boolean {
  if (message.subtype !== undefined && !CONTENT_SUBTYPES.has(message.subtype)) return false;
  if (!includeBotMessages && isBotMessage(message)) return false;
  return (message.text ?? '').trim() !== '' || (message.files?.length ?? 0) > 0;
}

/** The author as shown in a turn. */
export function authorOf(message: SlackMessage, names: NameLookup): string {
  if (isBotMessage(message)) return message.username ?? message.bot_profile?.name ?? 'bot';
  if (message.user) return names.user(message.user) ?? message.user;
  return 'unknown';
}

/** One turn: `Author: text`, files named, the turn separator never inside. */
export function renderTurn(message: SlackMessage, names: NameLookup, prefix = ''): string {
  let body = renderMarkup(message.text ?? '', names).trim();
  const files = (message.files ?? []).map((f) => f.title ?? f.name).filter((n): n is string => !!n);
  if (files.length > 0) body = `${body}${body ? ' ' : ''}[files: ${files.join(', ')}]`;
  return `${prefix}${authorOf(message, names)}: ${body}`.split(TURN_SEPARATOR).join(' ');
}

// ───────────────────────────── documents ─────────────────────────────

export interface ChannelInfo {
  readonly id: string;
  readonly name: string;
  /** A private channel, DM or group DM (conversations.info); unknown counts as private. */
  readonly isPrivate?: boolean;
}

export interface RenderContext {
  readonly names: NameLookup;
  readonly timezone: string;
  /** `https://<workspace>.slack.com/` (auth.test), or Slack's generic host. */
  readonly workspaceUrl: string;
  /** Who may see the channel's documents (./channel-access.ts). */
  readonly access?: readonly string[];
}

/** A thread's or a day's content: top-level messages, each with its replies (ts order). */
export interface ThreadMessages {
  readonly parent: SlackMessage;
  readonly replies: readonly SlackMessage[];
}

/** Builds the document of one thread or one channel-day; undefined when nothing in it is content. */
export function buildDocument(
  key: DocKey, channel: ChannelInfo, threads: readonly ThreadMessages[], includeBotMessages: boolean, ctx: RenderContext,
): SourceDocument | undefined {
  const turns: string[] = [];
  const included: SlackMessage[] = [];
  for (const { parent, replies } of threads) {
    if (isContent(parent, includeBotMessages)) {
      turns.push(renderTurn(parent, ctx.names));
      included.push(parent);
    }
    for (const reply of replies) {
      if (reply.ts === parent.ts || !isContent(reply, includeBotMessages)) continue;
      turns.push(renderTurn(reply, ctx.names, key.mode === 'channel-day' ? '↳ ' : ''));
      included.push(reply);
    }
  }
  const first = included[0];
  if (!first) return undefined;
  const id = key.mode === 'thread' ? threadId(key.channel, key.ts) : dayId(key.channel, key.day);
  const day = key.mode === 'thread' ? dayOf(key.ts, ctx.timezone) : key.day;
  const title = key.mode === 'thread'
    ? `#${channel.name} — ${authorOf(first, ctx.names)}, ${day}`
    : `#${channel.name} — ${day}`;
  const text = turns.join(TURN_SEPARATOR);
  const anchor = key.mode === 'thread' ? key.ts : first.ts;
  const url = `${ctx.workspaceUrl.replace(/\/?$/, '/')}archives/${key.channel}/p${anchor.replace('.', '')}`;
  let latest = 0;
  for (const m of included) latest = Math.max(latest, tsToMs(m.ts), m.edited?.ts ? tsToMs(m.edited.ts) : 0);
  // Only stable fields: vectors repeat document metadata, so a count that changes with every
  // reply would rewrite all of a thread's vectors on each new message.
  const metadata: Metadata = {
    channelId: channel.id, channelName: channel.name,
    ...(key.mode === 'thread' ? { threadTs: key.ts } : { day: key.day }),
  };
  // Every message's ts, edit stamp and raw text, plus what was rendered from them (names
  // resolve into text and title), and who may see it: any edit, deletion, reply, rename of a
  // name or change of the channel's members changes it.
  const version = createHash('sha256')
    .update(JSON.stringify([included.map((m) => [m.ts, m.edited?.ts ?? '', m.text ?? '', m.user ?? m.bot_id ?? '']), title, text, ...(ctx.access ? [ctx.access] : [])]))
    .digest('hex').slice(0, 32);
  return {
    id, version, text, title, url, format: 'conversation', metadata,
    updatedAt: new Date(latest).toISOString(), ...(ctx.access ? { access: ctx.access } : {}),
  };
}
