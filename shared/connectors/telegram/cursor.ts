/**
 * The Telegram source's cursor, persisted after every page. It carries every chat's position
 * — the highest message id indexed and that message's date — so the cursor a pass ends with
 * (the next incremental pass's `window.resume`) says where each chat's next walk starts, plus
 * where the pass stands: the chat being walked, the id the next read continues below, the
 * floor of an incremental walk, and for an imported chat the day before which the export is
 * emitted.
 */

import { z } from 'zod';
import type { Cursor } from '../../ports/index.ts';
import { decodeCursor, encodeCursor } from '../kit/cursors.ts';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

/** `[highest id indexed, its date (unix seconds)]`. */
const position = z.tuple([z.number().int().min(0), z.number().int().min(0)]);

export const telegramCursor = z.strictObject({
  v: z.literal(1),
  positions: z.record(z.string(), position),
  /** The chat in progress, or the next to start (chats go in marked-id order). */
  chat: z.string().optional(),
  phase: z.enum(['walk', 'export']).optional(),
  /** Walk: the next read continues above this id (absent: from `from`, or the chat's first message). */
  after: z.number().int().min(0).optional(),
  /** Walk: the day it starts at (the edit window's first day), until its first read. */
  from: day.optional(),
  /** Walk from a position: that position, whose day is completed from below when the first new message shares it. */
  maxId: z.number().int().min(0).optional(),
  maxDate: z.number().int().min(0).optional(),
  /** Walk: the newest message read so far; the chat's position once the walk ends. */
  top: position.optional(),
  /** Walk: the first day it covers (an imported chat's export gives the days before it). */
  floor: day.optional(),
  /** Walk through the edit window: days without a document are named deleted, through this day so far. */
  window: z.literal(true).optional(),
  settled: day.optional(),
  /** Walk: the chat is being imported; the export phase follows the walk. */
  imported: z.literal(true).optional(),
  /** Export phase: days before this one come from the export (absent: all of them). */
  before: day.optional(),
  /** Chats of this pass Telegram refused to read, and why: reported on the pass's last page. */
  failed: z.record(z.string(), z.string()).optional(),
  /** The pass is over. */
  done: z.literal(true).optional(),
});

export type TelegramCursor = z.output<typeof telegramCursor>;
export type Position = z.output<typeof position>;

export function decodeTelegramCursor(sourceId: string, cursor: Cursor | undefined): TelegramCursor | undefined {
  return decodeCursor(sourceId, cursor, telegramCursor);
}

/** The positions of a cursor the previous pass ended with (`window.resume`, or the stored feed), if it is ours. */
export function positionsOf(cursor: Cursor | undefined): Record<string, Position> | undefined {
  const parsed = telegramCursor.safeParse(cursor);
  return parsed.success ? parsed.data.positions : undefined;
}

export function encodeTelegramCursor(cursor: TelegramCursor): Cursor {
  return encodeCursor(cursor);
}
