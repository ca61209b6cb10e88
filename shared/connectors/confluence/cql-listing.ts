/**
 * The CQL listing a pass pages through, and its persisted position.
 *
 * Query: `type = page [or blogpost] AND space in ("A","B") [AND lastmodified >= "<minute>"]
 * ORDER BY lastmodified ASC`, the literal in the API user's time zone (CQL reads dates in it) and
 * rounded down to the minute (CQL has no seconds).
 *
 * Keyset by minute, not one offset over the whole window: each page re-anchors the query at
 * the minute of the last item it returned and skips the items of that minute already handed
 * out. A page edited while the pass runs moves to the end of the order; with a single offset
 * every later item would shift back one place and one would be skipped for good. Anchored,
 * only an edit within the anchor minute can shift the skip count, and an item then missed was
 * changed within the pass window, so the next pass (from `since` = this snapshot minus the
 * lookback) lists it again.
 *
 * The position also carries the pass's reconcile decision and the time of the last reconcile,
 * so a pass resumed in another process decides alike, and the final cursor hands the time on.
 */
import { z } from 'zod';
import { isoTime, minuteLiteral } from '../kit/index.ts';

const MINUTE = 60_000;

export const positionSchema = z.strictObject({
  kind: z.literal('cql'),
  /** Start of the anchor minute (epoch ms); null: from the beginning (a full pass). */
  fromMs: z.number().int().nullable(),
  /** Items of the anchor minute already handed out. */
  skip: z.number().int().min(0),
  /** Whether the core reconciles after this pass. */
  reconcile: z.boolean(),
  /** When the last reconcile's pass started (ISO); null: never. */
  reconciledAt: isoTime.nullable(),
});
export const doneSchema = z.strictObject({ kind: z.literal('done'), reconciledAt: isoTime.nullable() });
export const cursorSchema = z.discriminatedUnion('kind', [positionSchema, doneSchema]);
export type Position = z.output<typeof positionSchema>;

export const floorMinute = (ms: number): number => Math.floor(ms / MINUTE) * MINUTE;

/** `"A","B"` — keys are letters and digits, but quote them as CQL strings anyway. */
export function cqlList(values: readonly string[]): string {
  return values.map((v) => `"${v.replace(/["\\]/g, '\\$&')}"`).join(',');
}

export function contentTypes(includeBlogPosts: boolean): string {
  return includeBlogPosts ? 'type in (page,blogpost)' : 'type = page';
}

/** The scope every query of the source starts with. */
export function scopeCql(spaces: readonly string[], includeBlogPosts: boolean): string {
  return `${contentTypes(includeBlogPosts)} AND space in (${cqlList(spaces)})`;
}

/**
 * The query of one listing page, ordered by `field`: `lastmodified` for a pass (changes in a
 * window), `created` for the slim listing (an edit during the listing moves nothing).
 */
export function listingCql(scope: string, fromMs: number | null, zone: string, field: 'lastmodified' | 'created' = 'lastmodified'): string {
  const since = fromMs === null ? '' : ` AND ${field} >= "${minuteLiteral(fromMs, zone)}"`;
  return `${scope}${since} ORDER BY ${field} ASC`;
}

/**
 * The first position of a pass: from the window's `since` less a minute (CQL's precision: the
 * literal rounds down, and an index that commits a little late is covered), or from the start.
 */
export function firstPosition(since: string | undefined, reconcile: boolean, reconciledAt: string | null): Position {
  return { kind: 'cql', fromMs: since === undefined ? null : floorMinute(Date.parse(since) - MINUTE), skip: 0, reconcile, reconciledAt };
}

/**
 * The position after a page that was not the last, from the ordering times of its items (epoch
 * ms, in the query's order; an item whose time is unknown counts as its predecessor's).
 */
export function nextPosition<P extends Pick<Position, 'fromMs' | 'skip'>>(position: P, times: readonly (number | undefined)[]): P {
  const minutes: number[] = [];
  for (const t of times) minutes.push(t !== undefined && Number.isFinite(t) ? floorMinute(t) : minutes.at(-1) ?? position.fromMs ?? 0);
  const minute = minutes.at(-1);
  if (minute === undefined) return position;
  if (position.fromMs !== null && minute <= position.fromMs) return { ...position, skip: position.skip + minutes.length };
  return { ...position, fromMs: minute, skip: minutes.filter((m) => m === minute).length };
}
