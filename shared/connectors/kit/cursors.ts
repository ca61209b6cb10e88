/**
 * Cursor types for connectors, decoded with zod from the JSON the core persists after every
 * page. Three shapes cover the sources Tributary targets:
 *
 * - `watermark` — a timestamp keyset `(after, afterId)` for sources queried by "updated since"
 *   (Jira JQL, Confluence CQL, a SQL table, Slack history). The pass window's lower bound
 *   comes from the core: `window.since` is already the previous snapshot minus the source's
 *   `lookbackSeconds`.
 * - `page` — an opaque provider page token (Notion `start_cursor`, Drive `pageToken`).
 * - `changes` — a change token (Drive `startPageToken`, Graph delta links, GitHub ETags) that
 *   may expire; an expired one becomes CursorExpiredError, and the core restarts the pass as a
 *   full pass followed by reconcile.
 *
 * A corrupt cursor (wrong shape, another connector's, from an older release) decodes to a
 * {@link CorruptCursorError}, a CursorExpiredError: the position is unknown, and a full pass
 * with reconcile is the one recovery that cannot miss a change (versions keep it cheap: only
 * documents whose version differs are read). Failing instead would stop the source until an
 * operator ran `reset`, for the same end result.
 */
import { z } from 'zod';
import { CursorExpiredError } from '../../core/errors.ts';
import type { Cursor, Json, PullWindow } from '../../ports/index.ts';

/** An ISO-8601 time as a provider sends it (its precision is kept: comparisons never round). */
export const isoTime = z.string().refine((value) => !Number.isNaN(Date.parse(value)), { message: 'must be an ISO-8601 time' });

/** Keyset position in a timestamp-ordered listing: everything after `(after, afterId)`. */
export const watermarkCursorSchema = z.strictObject({
  kind: z.literal('watermark'),
  /** Time of the last item handed out (the provider's own string). */
  after: isoTime,
  /** Id of that item: items at exactly `after` are taken only when their id sorts after it. */
  afterId: z.string().optional(),
});
export type WatermarkCursor = z.output<typeof watermarkCursorSchema>;

/** An opaque provider page token. */
export const pageCursorSchema = z.strictObject({
  kind: z.literal('page'),
  token: z.string().min(1),
});
export type PageCursor = z.output<typeof pageCursorSchema>;

/** A change token and when the provider issued it (tokens expire: Drive's after about a week, Graph's after days). */
export const changesCursorSchema = z.strictObject({
  kind: z.literal('changes'),
  token: z.string().min(1),
  issuedAt: isoTime,
});
export type ChangesCursor = z.output<typeof changesCursorSchema>;

/** The persisted cursor does not decode: the pass starts over as a full pass (see the module comment). */
export class CorruptCursorError extends CursorExpiredError {
  constructor(sourceId: string, problem: string, options: { cause?: unknown } = {}) {
    super(sourceId, options);
    this.message = `cursor of source "${sourceId}" is not valid (${problem}); starting a full pass, which reconciles the whole source`;
  }
}

/**
 * Decodes a persisted cursor with `schema` (extend the kit's schemas for connector-specific
 * fields). `undefined` (a pass's first page) stays undefined; anything that does not match
 * throws {@link CorruptCursorError}.
 */
export function decodeCursor<S extends z.ZodType>(sourceId: string, cursor: Cursor | undefined, schema: S): z.output<S> | undefined {
  if (cursor === undefined) return undefined;
  const parsed = schema.safeParse(cursor);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? issue.path.join('.') : '(root)';
  throw new CorruptCursorError(sourceId, `${where}: ${issue?.message ?? 'invalid'} in ${truncate(JSON.stringify(cursor))}`, { cause: parsed.error });
}

/** Turns a typed cursor into the JSON the core persists (optional fields left unset are dropped). */
export function encodeCursor(value: object): Cursor {
  return JSON.parse(JSON.stringify(value)) as { [key: string]: Json };
}

// ───────────────────────────── watermark ─────────────────────────────

/**
 * The lower bound of a pass: `window.since` minus `extraLookbackMs`; undefined on a full pass
 * (no `since`). `window.since` already includes the source's `lookbackSeconds`; add more only
 * for a provider whose own index lags (a search API that shows an edit minutes late).
 */
export function windowStart(window: PullWindow, extraLookbackMs = 0): string | undefined {
  if (window.since === undefined) return undefined;
  if (extraLookbackMs === 0) return window.since;
  return new Date(Date.parse(window.since) - extraLookbackMs).toISOString();
}

/** What a page query of a timestamp source asks for: `[from, before)` ordered by `(time, id)`, after the keyset. */
export interface WatermarkRange {
  /** Items at or after this time; absent on a full pass's first page (from the beginning). */
  readonly from?: string;
  /** With `from`: items at exactly `from` only when their id sorts after this (keyset tie-break). */
  readonly afterId?: string;
  /** Exclusive upper bound: the pass's snapshot. Later changes belong to the next pass. */
  readonly before: string;
}

/**
 * The range of the next page: from the cursor's keyset within the pass, else from the
 * window's lower bound (see {@link windowStart}). Sort the query by `(time, id)` ascending
 * and end the page's cursor at its last item ({@link watermarkAfter}).
 */
export function watermarkRange(cursor: WatermarkCursor | undefined, window: PullWindow, options: { extraLookbackMs?: number } = {}): WatermarkRange {
  if (cursor !== undefined) {
    return { from: cursor.after, before: window.snapshotAt, ...(cursor.afterId === undefined ? {} : { afterId: cursor.afterId }) };
  }
  const from = windowStart(window, options.extraLookbackMs ?? 0);
  return { before: window.snapshotAt, ...(from === undefined ? {} : { from }) };
}

/** Whether an item at `(time, id)` belongs to `range` (for filtering what a coarse provider query returned). */
export function inWatermarkRange(item: { readonly time: string; readonly id: string }, range: WatermarkRange): boolean {
  if (compareInstants(item.time, range.before) >= 0) return false;
  if (range.from === undefined) return true;
  const order = compareInstants(item.time, range.from);
  if (order !== 0) return order > 0;
  return range.afterId === undefined || compareIds(item.id, range.afterId) > 0;
}

/** The cursor after an item: the next page starts strictly after `(time, id)`. */
export function watermarkAfter(item: { readonly time: string; readonly id: string }): WatermarkCursor {
  return { kind: 'watermark', after: item.time, afterId: item.id };
}

/** Sorts items by `(time, id)`, the order a keyset cursor needs. */
export function compareKeyset(a: { readonly time: string; readonly id: string }, b: { readonly time: string; readonly id: string }): number {
  return compareInstants(a.time, b.time) || compareIds(a.id, b.id);
}

const ISO_PARTS = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Orders two ISO-8601 times without rounding: `…:05.1234561Z` sorts before `…:05.1234569Z`
 * (Date.parse would call them equal, and a keyset tie-break by id could then skip one).
 * Offsets are honoured; times without an offset are read as UTC.
 */
export function compareInstants(a: string, b: string): number {
  const pa = ISO_PARTS.exec(a.trim());
  const pb = ISO_PARTS.exec(b.trim());
  if (!pa || !pb) return Math.sign(Date.parse(a) - Date.parse(b));
  const seconds = (parts: RegExpExecArray): number => Date.parse(`${parts[1]}${parts[3] ?? 'Z'}`);
  const bySecond = Math.sign(seconds(pa) - seconds(pb));
  if (bySecond !== 0) return bySecond;
  const fa = (pa[2] ?? '').padEnd(12, '0');
  const fb = (pb[2] ?? '').padEnd(12, '0');
  return fa < fb ? -1 : fa > fb ? 1 : 0;
}

/** Plain code-unit order (no locale), as SQL `COLLATE "C"` and most APIs sort ids. */
function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ───────────────────────────── page ─────────────────────────────

export function pageCursor(token: string): PageCursor {
  return { kind: 'page', token };
}

// ───────────────────────────── changes ─────────────────────────────

export function changesCursor(token: string, issuedAtMs: number): ChangesCursor {
  return { kind: 'changes', token, issuedAt: new Date(issuedAtMs).toISOString() };
}

/** Whether the token is older than `maxAgeMs`, the provider's documented lifetime (retire it a little early). */
export function isExpired(cursor: ChangesCursor, nowMs: number, maxAgeMs: number): boolean {
  return nowMs - Date.parse(cursor.issuedAt) >= maxAgeMs;
}

/**
 * Throws the CursorExpiredError that makes the core start a full pass (and reconcile
 * afterwards). Call it when the provider says the token is gone (a 410, an "invalid sync
 * token" 400) — the HTTP client already does for requests marked `changeToken`.
 */
export function expire(sourceId: string, cause?: unknown): never {
  throw new CursorExpiredError(sourceId, cause === undefined ? {} : { cause });
}

/** Throws (see {@link expire}) when the token is past `maxAgeMs`, instead of sending a request that would fail. */
export function assertFresh(sourceId: string, cursor: ChangesCursor, nowMs: number, maxAgeMs: number): void {
  if (isExpired(cursor, nowMs, maxAgeMs)) {
    expire(sourceId, new Error(`change token issued at ${cursor.issuedAt} is older than ${Math.round(maxAgeMs / 60_000)} minutes`));
  }
}

function truncate(text: string, max = 200): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
