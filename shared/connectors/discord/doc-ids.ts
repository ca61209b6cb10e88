/**
 * Document ids of the Discord source, and which document a message belongs to.
 *
 * | document | id |
 * |---|---|
 * | a channel's messages of one calendar day (`channel-day` mode) | `<channel id>/<YYYY-MM-DD>` |
 * | one top-level message (`message` mode) | `<channel id>/<message id>` |
 * | a thread (any mode): a thread, a forum post, a private thread | `<parent channel id>/threads/<thread id>` |
 *
 * Every id starts with the channel whose permissions govern it, so a channel the bot cannot read
 * is skipped with one prefix (`<channel id>/`) covering its threads too.
 */
import { dayOfMs, isCalendarDay } from '../kit/days.ts';
import { isSnowflake, snowflakeTime } from './snowflakes.ts';

export type DocumentMode = 'channel-day' | 'message';

export type DocKey =
  | { readonly kind: 'day'; readonly channel: string; readonly day: string }
  | { readonly kind: 'message'; readonly channel: string; readonly message: string }
  | { readonly kind: 'thread'; readonly parent: string; readonly thread: string };

export function docIdOf(key: DocKey): string {
  switch (key.kind) {
    case 'day': return `${key.channel}/${key.day}`;
    case 'message': return `${key.channel}/${key.message}`;
    case 'thread': return `${key.parent}/threads/${key.thread}`;
  }
}

/** The key of an id of this mode; undefined for anything else (the other mode's ids, garbage). */
export function parseDocId(id: string, mode: DocumentMode): DocKey | undefined {
  const parts = id.split('/');
  const channel = parts[0] ?? '';
  if (!isSnowflake(channel)) return undefined;
  if (parts.length === 3 && parts[1] === 'threads' && isSnowflake(parts[2]!)) return { kind: 'thread', parent: channel, thread: parts[2]! };
  if (parts.length !== 2) return undefined;
  const rest = parts[1]!;
  if (mode === 'channel-day') return isCalendarDay(rest) ? { kind: 'day', channel, day: rest } : undefined;
  return isSnowflake(rest) ? { kind: 'message', channel, message: rest } : undefined;
}

/** The document a channel's (not a thread's) message belongs to: its day (by its id's time) or itself. */
export function channelDocKey(channel: string, messageId: string, mode: DocumentMode, timezone: string): DocKey {
  return mode === 'channel-day'
    ? { kind: 'day', channel, day: dayOfMs(snowflakeTime(messageId), timezone) }
    : { kind: 'message', channel, message: messageId };
}
