/**
 * Jira's timestamp format and JQL date literals.
 *
 * Sources:
 * - Timestamps: the OpenAPI examples (swagger-v3.v3.json, e.g. Comment.created
 *   "2021-01-17T12:34:00.000+0000", Worklog.started) — `yyyy-MM-dd'T'HH:mm:ss.SSSZ` with a
 *   `+hhmm` offset and no colon. Jira Cloud writes them in the calling user's time zone (the
 *   offset changes with the user's profile zone; the spec's examples are all +0000 because the
 *   example user is on UTC) — `timestampZone: 'utc'` on the emulator turns that off.
 * - JQL dates: https://support.atlassian.com/jira-software-cloud/docs/jql-fields/#Updated-date —
 *   "yyyy/MM/dd HH:mm", "yyyy-MM-dd HH:mm", "yyyy/MM/dd", "yyyy-MM-dd", or a period relative to
 *   now: "-5d", "-4w 2d", "-1h", "-5m" (w, d, h, m; no seconds). Literals are read in the
 *   searching user's time zone ("Dates are in the user's time zone"); minute precision.
 * - The invalid-date message is the one Jira Cloud returns (quoted in many public issue threads):
 *   "Date value '…' for field '…' is invalid. Valid formats include: 'yyyy/MM/dd HH:mm',
 *   'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period format e.g. '-5d', '4w 2d'."
 */

/** Offset of `zone` from UTC at instant `ms`, in minutes (e.g. +330 for Asia/Kolkata). */
export function zoneOffsetMinutes(ms: number, zone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(new Date(ms));
  const get = (t: string): number => Number(parts.find((x) => x.type === t)?.value ?? 0);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60_000);
}

/** The epoch ms of a wall-clock time in `zone` (DST gaps resolve forward). */
export function zonedToEpoch(y: number, mo: number, d: number, h: number, mi: number, zone: string): number {
  const guess = Date.UTC(y, mo - 1, d, h, mi);
  let result = guess - zoneOffsetMinutes(guess, zone) * 60_000;
  result = guess - zoneOffsetMinutes(result, zone) * 60_000;
  return result;
}

const pad = (n: number, w = 2): string => String(Math.abs(n)).padStart(w, '0');

/** `2026-12-03T10:15:30.123+0000` (or the zone's offset). */
export function jiraTimestamp(ms: number, zone = 'UTC'): string {
  const offset = zoneOffsetMinutes(ms, zone);
  const local = new Date(ms + offset * 60_000);
  const sign = offset < 0 ? '-' : '+';
  return `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}.${pad(local.getUTCMilliseconds(), 3)}${sign}${pad(Math.trunc(Math.abs(offset) / 60))}${pad(Math.abs(offset) % 60)}`;
}

/** `yyyy/MM/dd HH:mm` of an instant in `zone` — what a client would write in JQL. */
export function jqlDate(ms: number, zone: string): string {
  return jiraTimestamp(ms, zone).slice(0, 16).replace('T', ' ').replace(/-/g, '/');
}

const UNITS: Readonly<Record<string, number>> = { w: 7 * 86_400_000, d: 86_400_000, h: 3_600_000, m: 60_000 };

/** A JQL date literal as epoch ms, or undefined when it is not a valid Jira date. */
export function parseJqlDate(literal: string, zone: string, now: number): number | undefined {
  const s = literal.trim();
  const abs = /^(\d{4})[/-](\d{1,2})[/-](\d{1,2})(?:\s+(\d{1,2}):(\d{2}))?$/.exec(s);
  if (abs) {
    const [y, mo, d, h, mi] = [abs[1], abs[2], abs[3], abs[4] ?? '0', abs[5] ?? '0'].map(Number) as [number, number, number, number, number];
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59) return undefined;
    return zonedToEpoch(y, mo, d, h, mi, zone);
  }
  const rel = /^([-+]?)((?:\s*\d+[wdhm])+)$/.exec(s);
  if (rel) {
    let delta = 0;
    for (const m of rel[2]!.matchAll(/(\d+)([wdhm])/g)) delta += Number(m[1]) * UNITS[m[2]!]!;
    return rel[1] === '-' ? now - delta : now + delta;
  }
  return undefined;
}

export const invalidDateMessage = (literal: string, field: string): string =>
  `Date value '${literal}' for field '${field}' is invalid. Valid formats include: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period format e.g. '-5d', '4w 2d'.`;
