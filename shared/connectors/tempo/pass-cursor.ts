/**
 * Where a Tempo pass is, persisted after every page (docs/sources/tempo.md "Cursors").
 *
 * A pass runs through up to three phases:
 *
 * 1. `worklogs` — the scope's worklogs (`updatedFrom` = the window's start on an incremental
 *    pass, everything on a full one), ascending by id, `offset` the next request's offset and
 *    `lastId` the highest id handed out so far;
 * 2. `issues` (incremental only) — the Jira issues updated since the window's start, a JQL page at
 *    a time (`issueToken`), and the worklogs of the page's issues (`issueIds`, `offset`, `lastId`),
 *    so a renamed or moved issue refreshes its worklogs in the same pass;
 * 3. `deleted` (incremental only) — Tempo's deleted-worklog feed from the window's start
 *    (`deletedToken`).
 *
 * `reconcile` says whether the core should reconcile after this pass; the final cursor (`done`)
 * carries `reconciledAt` to the next pass (`window.resume`), which spaces reconciles
 * `reconcileIntervalHours` apart.
 */
import { z } from 'zod';
import { isoTime } from '../kit/cursors.ts';

export const passCursor = z.strictObject({
  kind: z.literal('tempo'),
  phase: z.enum(['worklogs', 'issues', 'deleted']),
  offset: z.number().int().min(0),
  lastId: z.number().int().optional(),
  issueIds: z.array(z.number().int()).optional(),
  issueToken: z.string().optional(),
  deletedToken: z.string().optional(),
  reconcile: z.boolean(),
  reconciledAt: isoTime.optional(),
});
export type PassCursor = z.output<typeof passCursor>;

export const doneCursor = z.strictObject({ kind: z.literal('done'), reconcile: z.boolean(), reconciledAt: isoTime.optional() });
export type DoneCursor = z.output<typeof doneCursor>;

export const tempoCursor = z.discriminatedUnion('kind', [passCursor, doneCursor]);

/** Worklogs re-read at the start of each page: a deletion before the offset then shows as an overlap, not a gap. */
export const PAGE_OVERLAP = 50;

/** The offset of the next page after one read at `offset` with `count` entries: overlapping the page just read. */
export function nextOffset(offset: number, count: number): number {
  const overlap = Math.min(PAGE_OVERLAP, Math.floor(count / 2));
  return offset + Math.max(1, count - overlap);
}

/** Whether a pass starting now should end with a reconcile. */
export function reconcileDue(options: { full: boolean; snapshotAt: string; resume: unknown; intervalHours: number }): { reconcile: boolean; reconciledAt?: string } {
  const previous = doneCursor.safeParse(options.resume);
  const last = previous.success ? previous.data.reconciledAt : undefined;
  const due = options.full || options.intervalHours === 0 || last === undefined
    || Date.parse(options.snapshotAt) - Date.parse(last) >= options.intervalHours * 3_600_000;
  return { reconcile: due, ...(last !== undefined ? { reconciledAt: last } : {}) };
}
