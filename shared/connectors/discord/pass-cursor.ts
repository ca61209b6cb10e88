/**
 * The pass cursor, persisted by the core after every page and handed back to the next
 * incremental pass (`window.resume`) when the pass completes:
 *
 * - `hw`: per channel, the highest message id a pass has handed out (the next pass reads after it);
 * - `fp`: per channel, a fingerprint of its name and access when it was last read (a change makes
 *   the next pass read the channel and its threads again, so titles and access follow);
 * - `full`: this pass re-reads everything, and the core reconciles after it; `reconciledAt`: when
 *   the last such pass started (the next one is due `reconcileIntervalMinutes` later);
 * - `at`: where the pass is — a guild, a channel, a step, and the step's own position;
 * - `px`: channels the pass found it could not read, repeated on its last page.
 *
 * `hw` and `fp` hold one entry per indexed channel (Discord allows 500 channels per guild):
 * about 80 bytes each.
 */
import { z } from 'zod';
import type { Cursor } from '../../ports/index.ts';
import { decodeCursor, encodeCursor, isoTime } from '../kit/cursors.ts';

const id = z.string().regex(/^\d{1,20}$/);

export const STEPS = ['messages', 'active', 'public', 'private'] as const;
export type Step = (typeof STEPS)[number];

const positionSchema = z.strictObject({
  /** The guild and channel being read. */
  g: id,
  c: id,
  s: z.enum(STEPS),
  /** The channel is read whole (first pass, a full pass, its name or access changed), not from `hw`. */
  all: z.boolean(),
  /** messages: read after this id; every message up to it is in a document handed out. */
  after: id.optional(),
  /** messages: false until the first document ends (the day of `after` may hold older messages). */
  aligned: z.boolean().optional(),
  /** messages: the highest id read in this channel so far. */
  top: id.optional(),
  /** active: the last thread handed out; public/private: the archive-time (or id) page token. */
  mark: z.string().optional(),
});
export type Position = z.output<typeof positionSchema>;

const cursorSchema = z.strictObject({
  v: z.literal(1),
  full: z.boolean(),
  reconciledAt: isoTime.optional(),
  hw: z.record(id, id),
  fp: z.record(id, z.string()),
  at: positionSchema.optional(),
  /** Channels this pass could not read: reported again on its last page (reconcile keeps their documents). */
  px: z.array(z.strictObject({ id: z.string(), reason: z.string() })).optional(),
});
export type PassCursor = z.output<typeof cursorSchema>;

export function decodePassCursor(sourceId: string, cursor: Cursor | undefined): PassCursor | undefined {
  return decodeCursor(sourceId, cursor, cursorSchema);
}

export function encodePassCursor(cursor: PassCursor): Cursor {
  return encodeCursor(cursor);
}

/**
 * The cursor of a pass's first page. A pass is full when the core asks for one, when nothing is
 * known from an earlier pass, or when the last full pass started `reconcileMs` or more ago.
 */
export function startPass(sourceId: string, resume: Cursor | undefined, window: { full: boolean; snapshotAt: string }, reconcileMs: number): PassCursor {
  let previous: PassCursor | undefined;
  try {
    previous = window.full ? undefined : decodePassCursor(sourceId, resume);
  } catch {
    previous = undefined; // a cursor of another release: start over with a full pass
  }
  const due = previous?.reconciledAt === undefined || Date.parse(window.snapshotAt) - Date.parse(previous.reconciledAt) >= reconcileMs;
  const full = previous === undefined || due;
  return {
    v: 1, full, hw: previous?.hw ?? {}, fp: previous?.fp ?? {},
    ...(full ? { reconciledAt: window.snapshotAt } : previous?.reconciledAt !== undefined ? { reconciledAt: previous.reconciledAt } : {}),
  };
}
