/**
 * Timestamps in SQLite, which has no time type: a bot's table holds them as TEXT (ISO-8601,
 * `YYYY-MM-DD HH:MM:SS`), INTEGER (unix seconds or milliseconds) or REAL (a julian day, or unix
 * seconds with a fraction, as Python's `time.time()` writes them). Each format is a
 * {@link TimeColumn}: what windows and keysets compare, how it reads as ISO-8601, and how a
 * window bound is written in it.
 *
 * `auto` reads every value by its own type and size into integer milliseconds (any mix of the
 * formats, at the cost of a scan: no index applies). The explicit numeric formats compare the
 * column itself, so an index on `(updated_at, id)` serves each page.
 */
import type { TimeWindow } from '../sql-table/config.ts';
import type { TimeColumn } from '../sql-table/dialect.ts';

export const TIMESTAMP_FORMATS = ['auto', 'text', 'unixSeconds', 'unixMillis', 'julianDay'] as const;
export type TimestampFormat = (typeof TIMESTAMP_FORMATS)[number];

/** Julian day 0 in unix milliseconds: julian day = (ms + JD_EPOCH_MS) / 86,400,000, as SQLite computes it. */
const JD_EPOCH_MS = 210_866_760_000_000;
/** Integers and reals at least this large are milliseconds (1e11 s is the year 5138; 1e11 ms is 1973). */
const MS_THRESHOLD = '100000000000';
/** Reals in this range are julian days (years −1975 to 9999); unix seconds there would be early 1970. */
const JD_MIN = '1000000.0';
const JD_MAX = '5373484.5';
const ISO_MS = `'%Y-%m-%dT%H:%M:%fZ'`;

const msOfText = (x: string): string => `CAST(round((julianday(${x}) - 2440587.5) * 86400000.0) AS INTEGER)`;
const msOfJulian = (x: string): string => `CAST(round((${x} - 2440587.5) * 86400000.0) AS INTEGER)`;
const numeric = (x: string): string => `typeof(${x}) IN ('integer', 'real')`;
const latest = (k: string): string => `max(${k})`;
/** max() ranks any text above every number: a stray text in a numeric column must not be the latest time. */
const latestNumber = (k: string): string => `max(CASE WHEN ${numeric(k)} THEN ${k} END)`;

/** Integer milliseconds of any value SQLite and a bot may hold, by its own type; NULL for anything else. */
function msOfAny(x: string): string {
  return `(CASE typeof(${x})`
    + ` WHEN 'integer' THEN CASE WHEN abs(${x}) >= ${MS_THRESHOLD} THEN ${x} ELSE ${x} * 1000 END`
    + ` WHEN 'real' THEN CASE WHEN ${x} >= ${JD_MIN} AND ${x} < ${JD_MAX} THEN ${msOfJulian(x)}`
    + ` WHEN abs(${x}) >= ${MS_THRESHOLD}.0 THEN CAST(round(${x}) AS INTEGER) ELSE CAST(round(${x} * 1000.0) AS INTEGER) END`
    + ` WHEN 'text' THEN ${msOfText(x)} END)`;
}

/** How one format is read. `dateArgs` turns a key into the arguments of SQLite's date functions. */
interface FormatSql {
  readonly key: (column: string) => string;
  readonly latest: (key: string) => string;
  readonly dateArgs: (key: string) => string;
  /** A window bound (unix ms) in the key's unit. */
  readonly fromMs: (ms: number) => number;
  readonly keyInCursor: boolean;
  readonly expects: string;
}

const FORMATS: Readonly<Record<TimestampFormat, FormatSql>> = {
  auto: {
    key: msOfAny, latest, dateArgs: (k) => `${k} / 1000.0, 'unixepoch'`, fromMs: (ms) => ms, keyInCursor: false,
    expects: 'ISO-8601 text ("2026-03-01T12:00:00Z", "2026-03-01 12:00:00"), unix seconds or milliseconds, or a julian day',
  },
  text: {
    key: (x) => `(CASE WHEN typeof(${x}) = 'text' THEN ${msOfText(x)} END)`, latest, dateArgs: (k) => `${k} / 1000.0, 'unixepoch'`,
    fromMs: (ms) => ms, keyInCursor: false, expects: 'ISO-8601 text ("2026-03-01T12:00:00Z", "2026-03-01 12:00:00")',
  },
  // The numeric formats compare the column itself (an index applies); a value of another type
  // reads as no time at all.
  unixSeconds: {
    key: (x) => x, latest: latestNumber, dateArgs: (k) => `(CASE WHEN ${numeric(k)} THEN ${k} END), 'unixepoch'`, fromMs: (ms) => ms / 1000, keyInCursor: true,
    expects: 'a number of unix seconds (INTEGER, or REAL with a fraction)',
  },
  unixMillis: {
    key: (x) => x, latest: latestNumber, dateArgs: (k) => `(CASE WHEN ${numeric(k)} THEN ${k} / 1000.0 END), 'unixepoch'`, fromMs: (ms) => ms, keyInCursor: true,
    expects: 'a number of unix milliseconds (INTEGER)',
  },
  julianDay: {
    key: (x) => x, latest: latestNumber, dateArgs: (k) => `(CASE WHEN ${numeric(k)} THEN ${k} END)`, fromMs: (ms) => (ms + JD_EPOCH_MS) / 86_400_000, keyInCursor: true,
    expects: 'a julian day (REAL, as julianday() writes it)',
  },
};

/** What a format reads, for messages. */
export function expectedOf(format: TimestampFormat): string {
  return FORMATS[format].expects;
}

/** A stored value as an operator reads it in a message. */
export function describeValue(raw: unknown): string {
  if (Buffer.isBuffer(raw)) return `a ${raw.length}-byte BLOB`;
  if (typeof raw === 'string') return JSON.stringify(raw.length > 60 ? `${raw.slice(0, 60)}…` : raw);
  return String(raw);
}

/** `updatedAtColumn` (named `column`) in `format`: the {@link TimeColumn} the statements use. */
export function updatedAtColumn(format: TimestampFormat, column: string): TimeColumn {
  const f = FORMATS[format];
  const unitMs = (iso: string): number => {
    const ms = Date.parse(iso);
    if (Number.isNaN(ms)) throw new TypeError(`not an ISO-8601 instant: ${iso}`);
    return ms;
  };
  return {
    key: f.key,
    latest: f.latest,
    text: (key) => `strftime(${ISO_MS}, ${f.dateArgs(key)})`,
    bound: (iso) => f.fromMs(unitMs(iso)),
    keyInCursor: f.keyInCursor,
    // Keys travel as their String form (exact for integers and doubles); a text cursor is ISO-8601 at ms.
    cursorBound: (ts) => (f.keyInCursor ? Number(ts) : f.fromMs(unitMs(ts))),
    unreadable: (raw) => `updatedAtColumn "${column}" holds ${describeValue(raw)}, which is not ${f.expects}`
      + (format === 'auto' ? '; fix the value (the row is read again by the next sync)' : `, as updatedAtFormat "${format}" says; fix the value, or set updatedAtFormat to the column's format`),
  };
}

/** The order column in `format`: its key orders turns. */
export function orderKey(format: TimestampFormat): (column: string) => string {
  return FORMATS[format].key;
}

/** The start of `window` of an order key, as text `YYYY-MM-DDTHH:MMZ` (UTC; weeks start on Monday). */
export function windowStart(format: TimestampFormat, key: string, window: TimeWindow): string {
  const args = FORMATS[format].dateArgs(key);
  switch (window) {
    case 'hour': return `strftime('%Y-%m-%dT%H:00Z', ${args})`;
    case 'day': return `strftime('%Y-%m-%dT00:00Z', ${args})`;
    case 'week': return `strftime('%Y-%m-%dT00:00Z', ${args}, '-6 days', 'weekday 1')`;
    case 'month': return `strftime('%Y-%m-01T00:00Z', ${args})`;
    default: {
      const seconds = window * 60;
      // Unix seconds of the key, truncated to the window (times after 1970: truncation is floor).
      const unix = `CAST(strftime('%s', ${args}) AS INTEGER)`;
      return `strftime('%Y-%m-%dT%H:%MZ', (${unix} / ${seconds}) * ${seconds}, 'unixepoch')`;
    }
  }
}
