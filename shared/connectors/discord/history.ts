/**
 * Reading a channel's history forward. Discord pages `GET /channels/{id}/messages?after=X&limit=N`
 * as "the N messages right after X", newest first; the client sorts each page, so these readers
 * walk oldest to newest and stop at a bound. Each returns what it read in id order.
 */
import type { DiscordApi } from './discord-api.ts';
import { compareSnowflakes, snowflakeAt, snowflakeBefore } from './snowflakes.ts';
import type { DiscordMessage } from './wire.ts';

export interface RangeRead {
  readonly messages: DiscordMessage[];
  /** Requests made. */
  readonly pages: number;
}

/**
 * Every message with `after < id < beforeId` (`beforeId` absent: to the end), paging forward.
 * Stops at a short page or once a page reaches `beforeId`.
 */
export async function readRange(api: DiscordApi, channelId: string, after: string, beforeId: string | undefined, pageSize: number): Promise<RangeRead> {
  const messages: DiscordMessage[] = [];
  let position = after;
  let pages = 0;
  for (;;) {
    const page = await api.messagesAfter(channelId, position, pageSize);
    pages += 1;
    for (const m of page) if (beforeId === undefined || compareSnowflakes(m.id, beforeId) < 0) messages.push(m);
    const last = page.at(-1);
    if (!last || page.length < pageSize || (beforeId !== undefined && compareSnowflakes(last.id, beforeId) >= 0)) return { messages, pages };
    position = last.id;
  }
}

/** Every message of a channel or thread. */
export function readAll(api: DiscordApi, channelId: string, pageSize: number): Promise<RangeRead> {
  return readRange(api, channelId, '0', undefined, pageSize);
}

/** The messages sent in `[startMs, endMs)`. */
export function readBetween(api: DiscordApi, channelId: string, startMs: number, endMs: number, pageSize: number): Promise<RangeRead> {
  return readRange(api, channelId, snowflakeBefore(snowflakeAt(startMs)), snowflakeAt(endMs), pageSize);
}
