/**
 * The timestamp check a SQLite source passes before its first pass: `updatedAtColumn` holds
 * times in the configured format. A column of something else, or of another unit (milliseconds
 * read as seconds are in the year 57,000), would otherwise put every row outside every window
 * without a word. One value that cannot be read is that row's fault, reported with it; only a
 * column where no value reads as a plausible time fails the source.
 */
import { ConfigError } from '../../core/errors.ts';
import type { Row } from '../sql-table/database.ts';
import type { TableSql } from '../sql-table/statements.ts';
import { quoteSqlite } from './dialect.ts';
import { describeValue, expectedOf, type TimestampFormat } from './timestamps.ts';

/** Times before this read as a wrong format or unit, not as a bot's messages. */
const EARLIEST_PLAUSIBLE = Date.parse('1990-01-01T00:00:00Z');
/** Clock skew between the writer and this host that is still a present time. */
const FUTURE_TOLERANCE_MS = 86_400_000;

export interface TimestampCheckConfig {
  readonly updatedAtColumn: string;
  readonly updatedAtFormat: TimestampFormat;
}

const HINTS: Partial<Record<TimestampFormat, { past: string; future: string }>> = {
  unixMillis: { past: 'they look like unix seconds: set updatedAtFormat to "unixSeconds"', future: 'set updatedAtFormat to the column\'s format' },
  unixSeconds: { past: 'set updatedAtFormat to the column\'s format', future: 'they look like unix milliseconds: set updatedAtFormat to "unixMillis"' },
};

/** Throws a ConfigError naming `updatedAtColumn`/`updatedAtFormat` when the column cannot be this source's change signal. */
export function checkTimestamps(sourceId: string, config: TimestampCheckConfig, sql: TableSql, run: (text: string) => Row[], now = Date.now()): void {
  const time = sql.dialect.updatedAt;
  const column = `updatedAtColumn "${config.updatedAtColumn}"`;
  const format = `updatedAtFormat "${config.updatedAtFormat}"`;
  // min() ranks numbers below any text, so a stray text never is the earliest; latest() skips it.
  const [range] = run(`SELECT ${time.text('min(k)')} AS lo, ${time.text(time.latest('k'))} AS hi FROM (SELECT ${sql.ts} AS k FROM ${sql.from})`);
  const lo = typeof range?.['lo'] === 'string' ? range['lo'] : undefined;
  const hi = typeof range?.['hi'] === 'string' ? range['hi'] : undefined;
  if (lo === undefined || hi === undefined) {
    const raw = `src.${quoteSqlite(config.updatedAtColumn)}`;
    const [sample] = run(`SELECT ${raw} AS v FROM ${sql.from} WHERE ${raw} IS NOT NULL LIMIT 1`);
    if (sample === undefined) return; // No row has a time yet: nothing to read, nothing wrong.
    const value = sample['v'];
    const millis = config.updatedAtFormat === 'unixSeconds' && (typeof value === 'number' || typeof value === 'bigint') && Number(value) >= 1e11;
    throw new ConfigError(`source "${sourceId}": no value of ${column} reads as a time with ${format} (e.g. ${describeValue(value)}); `
      + `it must hold ${expectedOf(config.updatedAtFormat)}. `
      + (millis ? 'The values look like unix milliseconds: set "updatedAtFormat" to "unixMillis"'
        : 'Fix "updatedAtColumn", or set "updatedAtFormat" to the column\'s format ("auto" reads each value by its type)'));
  }
  const hints = HINTS[config.updatedAtFormat];
  if (Date.parse(hi) < EARLIEST_PLAUSIBLE) {
    throw new ConfigError(`source "${sourceId}": the latest value of ${column} reads as ${hi} with ${format}, before 1990: `
      + `${hints?.past ?? 'set "updatedAtFormat" to the column\'s format, or fix "updatedAtColumn" (it must be set to the time of every insert and update)'}`);
  }
  if (Date.parse(lo) > now + FUTURE_TOLERANCE_MS) {
    throw new ConfigError(`source "${sourceId}": the earliest value of ${column} reads as ${lo} with ${format}, in the future: `
      + `${hints?.future ?? 'set "updatedAtFormat" to the column\'s format, or fix "updatedAtColumn"'}`);
  }
}
