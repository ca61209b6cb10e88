/**
 * Calendar days in an IANA time zone, for sources that group messages into one document per
 * chat (or channel) and day (Slack's, Discord's and Telegram's): the day of an instant, a day's
 * bounds, and the days between two days. Pure; `Intl` does the zone arithmetic, DST
 * transitions included.
 */

const dayFormats = new Map<string, Intl.DateTimeFormat>();

function formatFor(timezone: string): Intl.DateTimeFormat {
  let f = dayFormats.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    dayFormats.set(timezone, f);
  }
  return f;
}

/** Whether `Intl` knows the IANA time zone (e.g. "Europe/Berlin"). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Wall-clock fields of an instant in the zone. */
function wallClock(ms: number, timezone: string): { y: number; mo: number; d: number; h: number; mi: number; s: number } {
  const parts = Object.fromEntries(formatFor(timezone).formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  return {
    y: Number(parts['year']), mo: Number(parts['month']), d: Number(parts['day']),
    h: Number(parts['hour']) % 24, mi: Number(parts['minute']), s: Number(parts['second']),
  };
}

/** `YYYY-MM-DD` of the instant in the zone. */
export function dayOfMs(ms: number, timezone: string): string {
  const w = wallClock(ms, timezone);
  return `${String(w.y).padStart(4, '0')}-${String(w.mo).padStart(2, '0')}-${String(w.d).padStart(2, '0')}`;
}

/** Offset of the zone from UTC at the instant, in ms (wall clock minus UTC). */
function offsetAt(ms: number, timezone: string): number {
  const w = wallClock(ms, timezone);
  const asUtc = Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/** Epoch ms at which local midnight starting `day` falls in the zone. */
export function dayStartMs(day: string, timezone: string): number {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const guess = Date.UTC(y, m - 1, d);
  // Two refinements settle DST transitions (the offset at the guess may differ from the one at midnight).
  let start = guess - offsetAt(guess, timezone);
  start = guess - offsetAt(start, timezone);
  return start;
}

/** `[start, end)` of the day in epoch ms. */
export function dayBoundsMs(day: string, timezone: string): { start: number; end: number } {
  return { start: dayStartMs(day, timezone), end: dayStartMs(nextDay(day), timezone) };
}

/** The calendar day after `day` (`YYYY-MM-DD`, no zone involved). */
export function nextDay(day: string): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

/** The calendar day before `day`. */
export function previousDay(day: string): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d - 1)).toISOString().slice(0, 10);
}

/** Whether `day` is a real `YYYY-MM-DD` date (2026-02-30 is not). */
export function isCalendarDay(day: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return false;
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))).toISOString().slice(0, 10) === day;
}

/** Every day from `from` to `to`, both included, newest first; empty when `from` is after `to`. */
export function daysDown(to: string, from: string, max = 400): string[] {
  const days: string[] = [];
  for (let day = to; day >= from && days.length < max; day = previousDay(day)) days.push(day);
  return days;
}

/**
 * The instant as a minute literal in the zone, `yyyy/MM/dd HH:mm`, rounded down to the minute:
 * how JQL (`updated >= "…"`) and CQL (`lastmodified >= "…"`) take dates — in the calling user's
 * time zone, with no seconds. A watermark written this way loses up to 59 s, so a query from it
 * returns more, never less.
 */
export function minuteLiteral(ms: number, timezone: string): string {
  const w = wallClock(ms, timezone);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${w.y}/${two(w.mo)}/${two(w.d)} ${two(w.h)}:${two(w.mi)}`;
}
