/**
 * Where a pass is in Fireflies' transcript listing, persisted after every page.
 *
 * `transcripts` is newest first by `date`, bounded by `fromDate`/`toDate` (both inclusive). A
 * pass pages *down* by date: each page's `toDate` is the oldest date of the page before, and the
 * ids of that page at that date (`seen`) are left out when they come again. Paging by date
 * instead of by `skip` keeps a meeting processed or deleted during the pass from shifting the
 * pages (a shift under `skip` would skip a meeting). `skip` is used only within one instant
 * that holds a whole page of meetings.
 *
 * A meeting enters the listing once processed, dated by its start, so an incremental pass starts
 * from `min(window.since, newest date seen) − overlap`; the pass's last cursor carries that
 * newest date to the next pass (`window.resume`).
 */
import { z } from 'zod';
import type { PullWindow } from '../../ports/index.ts';
import { isoTime } from '../kit/cursors.ts';

export const meetingsCursor = z.strictObject({
  kind: z.literal('meetings'),
  /** Lower bound of the pass (inclusive); absent on a full pass. */
  from: isoTime.optional(),
  /** Upper bound of the next page (inclusive). */
  to: isoTime,
  /** Offset within the meetings at `to`, when more than a page share that instant. */
  skip: z.number().int().min(0),
  /** Ids already handed out that the next page repeats (those at `to`). */
  seen: z.array(z.string()),
  /** The newest meeting date seen (epoch ms), carried from pass to pass. */
  newest: z.number().optional(),
});
export type MeetingsCursor = z.output<typeof meetingsCursor>;

export const doneCursor = z.strictObject({ kind: z.literal('done'), newest: z.number().optional() });
export type DoneCursor = z.output<typeof doneCursor>;

export const firefliesCursor = z.discriminatedUnion('kind', [meetingsCursor, doneCursor]);
export type FirefliesCursor = MeetingsCursor | DoneCursor;

/** The first page of a pass. */
export function firstPosition(window: PullWindow, overlapMs: number): MeetingsCursor {
  const resumed = doneCursor.safeParse(window.resume);
  const newest = resumed.success ? resumed.data.newest : undefined;
  const base = { kind: 'meetings' as const, to: window.snapshotAt, skip: 0, seen: [], ...(newest !== undefined ? { newest } : {}) };
  if (window.full || window.since === undefined) return base;
  const lower = Math.min(Date.parse(window.since), newest ?? Number.POSITIVE_INFINITY) - overlapMs;
  return { ...base, from: new Date(Math.max(0, Math.floor(lower))).toISOString() };
}

/** A listed meeting as paging sees it. */
export interface Listed {
  readonly id: string;
  /** Epoch ms; null when Fireflies sent none. */
  readonly date: number | null;
}

/**
 * What a page of `limit` asked for hands out (`fresh`: ids not handed out already, once each)
 * and where the next page starts.
 */
export function nextPosition(position: MeetingsCursor, page: readonly Listed[], limit: number): { fresh: string[]; next: FirefliesCursor } {
  const seen = new Set(position.seen);
  const fresh: string[] = [];
  let newest = position.newest;
  for (const item of page) {
    if (item.date !== null) newest = Math.max(newest ?? item.date, item.date);
    if (seen.has(item.id) || fresh.includes(item.id)) continue;
    fresh.push(item.id);
  }
  const carried = newest !== undefined ? { newest } : {};
  if (page.length < limit) return { fresh, next: { kind: 'done', ...carried } };
  const dates = page.flatMap((item) => (item.date !== null ? [item.date] : []));
  const oldest = dates.length > 0 ? Math.min(...dates) : undefined;
  const toMs = Date.parse(position.to);
  const from = position.from !== undefined ? { from: position.from } : {};
  if (oldest === undefined || Math.ceil(oldest) >= toMs) {
    // The whole page is at the page's upper bound: move through that instant by offset.
    const ids = [...new Set([...position.seen, ...page.map((item) => item.id)])];
    return { fresh, next: { kind: 'meetings', ...from, to: position.to, skip: position.skip + page.length, seen: ids, ...carried } };
  }
  const to = Math.ceil(oldest);
  // The next page starts at `to` again (inclusive): everything of this page at or above it comes back.
  const again = page.filter((item) => item.date === null || item.date <= to).map((item) => item.id);
  return { fresh, next: { kind: 'meetings', ...from, to: new Date(to).toISOString(), skip: 0, seen: [...new Set(again)], ...carried } };
}
