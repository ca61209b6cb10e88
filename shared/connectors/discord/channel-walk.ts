/**
 * The `messages` step of a pass: a channel's own messages, read forward from a snowflake and cut
 * into documents (days, or single messages), one pull page at a time.
 *
 * - Where it starts: a channel read whole starts at 0. Otherwise at the channel's high-water id
 *   (`hw`), or earlier — at the re-read bound (the pass window's `since`, or `recheckMinutes`
 *   before the snapshot, whichever is earlier) — when the channel had messages after that bound:
 *   re-reading them is how edits and deletions of recent messages arrive without the Gateway.
 *   A channel whose `last_message_id` is at most `hw` and older than the bound costs no request.
 * - Where it stops: at the pass's snapshot (later messages belong to the next pass).
 * - Days: a day is handed out once a message of a later day (or the end) shows it complete.
 *   The first day of an incremental read may have begun before the start id: its earlier
 *   messages are read too, so the document is whole (in the same sweep when the channel's newest
 *   message is in that day, else once the first page shows which day comes first). The unfinished last day of a page is kept
 *   in memory (a tail), so the next pull does not read it again.
 */
import type { DocumentIssue, DocumentRef, SourceDocument } from '../../ports/index.ts';
import { errorMessage } from '../../core/errors.ts';
import { dayOfMs, dayStartMs } from '../kit/days.ts';
import type { DiscordApi } from './discord-api.ts';
import { channelDocKey, docIdOf } from './doc-ids.ts';
import type { DocumentReader } from './documents.ts';
import type { GuildSnapshot, IndexedChannel } from './guild-snapshot.ts';
import { readRange } from './history.ts';
import type { Position } from './pass-cursor.ts';
import { compareSnowflakes, maxSnowflake, minSnowflake, snowflakeAt, snowflakeBefore, snowflakeTime } from './snowflakes.ts';
import type { DiscordMessage } from './wire.ts';

export interface WalkContext {
  readonly api: DiscordApi;
  readonly reader: DocumentReader;
  readonly snapshotMs: number;
  /** Incremental passes re-read what was sent from here on (ms). */
  readonly boundMs: number;
  readonly tails: TailCache;
}

export interface StepResult {
  readonly refs: DocumentRef[];
  readonly skipped: DocumentIssue[];
  /** Where the step continues; undefined: the step is finished. */
  readonly next: Position | undefined;
  /** A finished messages step: the highest id it read (the channel's new `hw`). */
  readonly top?: string;
}

/** Messages read past the last document handed out, kept for the next pull of the same pass. */
export class TailCache {
  private tail: { key: string; messages: DiscordMessage[]; position: string; end: boolean } | undefined;

  take(key: string): { messages: DiscordMessage[]; position: string; end: boolean } | undefined {
    const hit = this.tail?.key === key ? this.tail : undefined;
    this.tail = undefined;
    return hit;
  }

  put(key: string, messages: DiscordMessage[], position: string, end: boolean): void {
    this.tail = { key, messages, position, end };
  }
}

interface Group {
  readonly key: ReturnType<typeof channelDocKey>;
  readonly messages: DiscordMessage[];
}

export async function messagesStep(ctx: WalkContext, snapshot: GuildSnapshot, channel: IndexedChannel, at: Position, hw: string | undefined): Promise<StepResult> {
  const { mode, timezone, pageSize } = ctx.reader.settings;
  let position = at;
  if (position.after === undefined) {
    if (position.all || hw === undefined) {
      position = { ...position, all: true, after: '0', aligned: true };
    } else {
      const last = channel.lastMessageId;
      if (last === undefined || (compareSnowflakes(last, hw) <= 0 && snowflakeTime(last) < ctx.boundMs)) return { refs: [], skipped: [], next: undefined };
      const start = minSnowflake(hw, snowflakeBefore(snowflakeAt(ctx.boundMs)));
      const day = dayOfMs(snowflakeTime(start), timezone);
      // Everything to read is in the start's day: read that day from its beginning in one sweep.
      position = mode === 'channel-day' && day === dayOfMs(snowflakeTime(last), timezone)
        ? { ...position, after: snowflakeBefore(snowflakeAt(dayStartMs(day, timezone))), aligned: true }
        : { ...position, after: start, aligned: false };
    }
  }
  const after = position.after!;
  const snapshotId = snowflakeAt(ctx.snapshotMs);
  const tailKey = `${ctx.snapshotMs}|${channel.id}|${after}`;
  const cached = ctx.tails.take(tailKey);
  const read = cached?.messages ?? [];
  let cursor = cached?.position ?? after;
  let end = cached?.end ?? false;

  let groups: Group[] = [];
  for (;;) {
    groups = group(read, mode, timezone, channel.id);
    const complete = end ? groups.length : groups.length - (mode === 'channel-day' ? 1 : 0);
    if (complete > 0 || end) break;
    const page = await ctx.api.messagesAfter(channel.id, cursor, pageSize);
    for (const m of page) if (compareSnowflakes(m.id, snapshotId) < 0) read.push(m);
    const last = page.at(-1);
    end = !last || page.length < pageSize || compareSnowflakes(last.id, snapshotId) >= 0;
    if (last) cursor = last.id;
  }
  const done = end ? groups : groups.slice(0, mode === 'channel-day' ? -1 : undefined);
  const held = end ? [] : groups.slice(done.length).flatMap((g) => g.messages);

  // The first day of an unaligned read may have started before `after`: read its beginning.
  const first = done[0];
  if (!position.aligned && first && first.key.kind === 'day') {
    const startId = snowflakeAt(dayStartMs(first.key.day, timezone));
    if (compareSnowflakes(startId, after) <= 0) {
      const prefix = await readRange(ctx.api, channel.id, snowflakeBefore(startId), (BigInt(after) + 1n).toString(), pageSize);
      first.messages.unshift(...prefix.messages);
    }
  }

  const refs: DocumentRef[] = [];
  const skipped: DocumentIssue[] = [];
  for (const g of done) {
    const doc = isolated(docIdOf(g.key), skipped, () => ctx.reader.channelDocument(snapshot, channel, g.key, g.messages));
    if (doc) refs.push({ id: doc.id, version: doc.version, document: doc });
  }
  const top = maxSnowflake(position.top, read.at(-1)?.id);
  const lastHandedOut = done.at(-1)?.messages.at(-1)?.id;
  if (end) return { refs, skipped, next: undefined, ...(top !== undefined ? { top } : {}) };
  const nextAfter = lastHandedOut !== undefined && compareSnowflakes(lastHandedOut, after) > 0 ? lastHandedOut : after;
  ctx.tails.put(`${ctx.snapshotMs}|${channel.id}|${nextAfter}`, held, cursor, end);
  return { refs, skipped, next: { ...position, after: nextAfter, aligned: true, ...(top !== undefined ? { top } : {}) } };
}

/** Messages grouped by document, in id order. */
function group(messages: readonly DiscordMessage[], mode: 'channel-day' | 'message', timezone: string, channelId: string): Group[] {
  const groups: Group[] = [];
  for (const m of messages) {
    const key = channelDocKey(channelId, m.id, mode, timezone);
    const last = groups.at(-1);
    if (last && key.kind === 'day' && last.key.kind === 'day' && last.key.day === key.day) last.messages.push(m);
    else groups.push({ key, messages: [m] });
  }
  return groups;
}

/** One document's failure is its own: reported as skipped, the rest of the page goes on. */
function isolated(id: string, skipped: DocumentIssue[], build: () => SourceDocument | undefined): SourceDocument | undefined {
  try {
    return build();
  } catch (error) {
    skipped.push({ id, reason: `could not be rendered: ${errorMessage(error)}` });
    return undefined;
  }
}
