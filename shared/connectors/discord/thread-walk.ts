/**
 * The thread steps of a pass, per parent channel: `active` (from the guild's active-thread list),
 * `public` (archived public threads, newest archive first) and `private` (archived private threads:
 * all of them when the bot may manage threads there, else those it joined). Each thread is read
 * whole and is one document.
 *
 * A full pass (or a parent read whole) takes every thread. An incremental pass takes the threads
 * whose last message is at or after the re-read bound, and stops listing archived threads at the
 * first one archived before it: a thread receives no message while archived (posting unarchives it).
 */
import type { DocumentIssue, DocumentRef } from '../../ports/index.ts';
import { errorMessage } from '../../core/errors.ts';
import { ProviderNotFoundError } from '../kit/errors.ts';
import { DiscordAccessError } from './discord-api.ts';
import { docIdOf } from './doc-ids.ts';
import type { WalkContext, StepResult } from './channel-walk.ts';
import { TEXT, type GuildSnapshot, type IndexedChannel } from './guild-snapshot.ts';
import type { Position } from './pass-cursor.ts';
import { compareSnowflakes, snowflakeTime } from './snowflakes.ts';
import type { DiscordChannel } from './wire.ts';

/** Threads read per pull page from the active list. */
const ACTIVE_PER_PAGE = 10;

export async function threadsStep(ctx: WalkContext, snapshot: GuildSnapshot, channel: IndexedChannel, at: Position): Promise<StepResult> {
  const recent = (t: DiscordChannel): boolean => at.all || (t.last_message_id != null && snowflakeTime(t.last_message_id) >= ctx.boundMs);
  if (at.s === 'active') {
    const remaining = snapshot.activeThreads.filter((t) => t.parent_id === channel.id && (at.mark === undefined || compareSnowflakes(t.id, at.mark) > 0));
    const batch: DiscordChannel[] = [];
    let mark = at.mark;
    for (const thread of remaining) {
      if (batch.length >= ACTIVE_PER_PAGE) break;
      mark = thread.id;
      if (recent(thread)) batch.push(thread);
    }
    const { refs, skipped } = await threadDocuments(ctx, snapshot, batch);
    const more = mark !== undefined && remaining.some((t) => compareSnowflakes(t.id, mark!) > 0);
    return { refs, skipped, next: more ? { ...at, mark: mark! } : undefined };
  }
  if (at.s === 'private' && channel.type !== TEXT) return { refs: [], skipped: [], next: undefined };
  const kind = at.s === 'public' ? 'public' : channel.botManagesThreads ? 'private' : 'joined';
  const limit = Math.min(100, Math.max(2, ctx.reader.settings.pageSize));
  const page = await ctx.api.archivedThreads(channel.id, kind, at.mark, limit);
  const archivedAt = (t: DiscordChannel): number => Date.parse(t.thread_metadata?.archive_timestamp ?? '') || 0;
  const { refs, skipped } = await threadDocuments(ctx, snapshot, page.threads.filter(recent));
  const last = page.threads.at(-1);
  // Archive-time order only: a joined-private listing is in id order and is read to its end.
  const pastBound = !at.all && kind !== 'joined' && last !== undefined && archivedAt(last) < ctx.boundMs;
  if (!page.hasMore || !last || pastBound) return { refs, skipped, next: undefined };
  const mark = kind === 'joined' ? last.id : last.thread_metadata?.archive_timestamp;
  return { refs, skipped, next: mark === undefined ? undefined : { ...at, mark } };
}

/** Threads read whole, each on its own: a thread the bot may not read is skipped, a deleted one left out. */
async function threadDocuments(ctx: WalkContext, snapshot: GuildSnapshot, threads: readonly DiscordChannel[]): Promise<{ refs: DocumentRef[]; skipped: DocumentIssue[] }> {
  const refs: DocumentRef[] = [];
  const skipped: DocumentIssue[] = [];
  const docs = await Promise.all(threads.map(async (thread) => {
    const id = docIdOf({ kind: 'thread', parent: thread.parent_id ?? '', thread: thread.id });
    try {
      return await ctx.reader.threadDocument(snapshot, thread);
    } catch (error) {
      if (error instanceof ProviderNotFoundError) return undefined;
      if (error instanceof DiscordAccessError) {
        skipped.push({ id, reason: errorMessage(error) });
        return undefined;
      }
      throw error;
    }
  }));
  for (const doc of docs) if (doc) refs.push({ id: doc.id, version: doc.version, document: doc });
  return { refs, skipped };
}
