/** A SQL-table connector's position in a pass: keyset pagination on (timestamp, key). */
import { TributaryError } from '../../core/errors.ts';
import type { Cursor } from '../../ports/index.ts';

/** Row mode cursor: the last row handed out. Conversation mode: the last document. */
export interface PageCursor {
  readonly ts: string;
  readonly key: string;
}

/** The cursor a previous page returned; undefined (or `{}`) is the start of the window. */
export function parseCursor(cursor: Cursor | undefined, sourceId: string, engine: string): PageCursor | undefined {
  if (cursor === undefined || Object.keys(cursor).length === 0) return undefined;
  const ts = cursor['ts'];
  const key = cursor['key'];
  if (typeof ts !== 'string' || typeof key !== 'string') {
    throw new TributaryError(`source "${sourceId}": ${engine} cursor must look like {"ts": "…", "key": "…"}, got ${JSON.stringify(cursor)}`);
  }
  return { ts, key };
}
