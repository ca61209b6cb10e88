/**
 * The gdrive cursor (persisted as JSON after every page):
 *
 * - `walk`: a full pass listing the scope — the start page token taken BEFORE the listing (so
 *   nothing changed during the listing is lost), the folders still to list (breadth first), the
 *   page token within the current one, and the shared drives still to list.
 * - `changes`: the change log from `token` (a page token within a pass, or the pass's final
 *   `newStartPageToken`).
 *
 * Both carry `folders`: every folder of the scope with its parent (folder-scoped sources only),
 * so an incremental pass decides whether a changed file is in scope from its `parents` alone,
 * without a call, and sees a folder enter or leave the scope.
 */
import { z } from 'zod';

const folderMap = z.record(z.string(), z.string());

export const walkCursor = z.strictObject({
  kind: z.literal('walk'),
  startToken: z.string().min(1),
  pending: z.array(z.string()),
  current: z.string().optional(),
  pageToken: z.string().optional(),
  drives: z.array(z.string()),
  folders: folderMap,
});

export const changesCursor = z.strictObject({
  kind: z.literal('changes'),
  token: z.string().min(1),
  folders: folderMap,
});

export const gdriveCursor = z.discriminatedUnion('kind', [walkCursor, changesCursor]);
export type WalkCursor = z.output<typeof walkCursor>;
export type ChangesPosition = z.output<typeof changesCursor>;
export type GDriveCursor = z.output<typeof gdriveCursor>;
/** Folder id → its parent id (the scope roots map to themselves). */
export type FolderMap = Record<string, string>;
