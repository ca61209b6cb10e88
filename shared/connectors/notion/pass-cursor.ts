/**
 * Where a Notion pass is, persisted after every page (docs/sources/notion.md "Cursors"):
 * `search` (pages by last edit, newest first, down to the floor) → `query` (each known data
 * source's rows edited since the floor, exhaustively) → `refresh` (the subtrees of renamed or
 * moved pages) → `done`. `start_cursor`s live only within a pass; the done cursor carries the
 * data sources found and the last reconcile to the next pass (`window.resume`).
 */
import { z } from 'zod';
import { isoTime } from '../kit/cursors.ts';

export const passCursor = z.strictObject({
  kind: z.literal('notion'),
  phase: z.enum(['search', 'query', 'refresh']),
  /** Edits before this are not looked at (absent on a full pass). */
  floor: isoTime.optional(),
  /** The provider's start_cursor within the current listing. */
  token: z.string().optional(),
  /** The data source being queried (`query`). */
  index: z.number().int().min(0),
  /** A query's own lower bound, past Notion's 10,000-row cap of one query. */
  queryFloor: isoTime.optional(),
  sources: z.array(z.string()),
  /** Pages whose descendants' breadcrumbs changed. */
  refresh: z.array(z.string()),
  reconciledAt: isoTime.optional(),
});
export type PassCursor = z.output<typeof passCursor>;

export const doneCursor = z.strictObject({
  kind: z.literal('done'),
  sources: z.array(z.string()),
  reconciledAt: isoTime.optional(),
});
export type DoneCursor = z.output<typeof doneCursor>;

export const notionCursor = z.discriminatedUnion('kind', [passCursor, doneCursor]);
