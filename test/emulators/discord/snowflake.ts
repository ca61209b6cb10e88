/**
 * Snowflakes and timestamps as Discord writes them.
 *
 * - Snowflake: 64 bits, `(ms since 2015-01-01T00:00:00Z) << 22 | worker << 17 | process << 12 |
 *   increment`, always serialised as a string; `(timestamp_ms - 1420070400000) << 22` is the
 *   documented way to turn a time into a pagination cursor (after=/before=)
 *   (https://discord.com/developers/docs/reference#snowflakes, "Snowflake IDs in Pagination").
 * - ISO8601 values come back with microseconds and an explicit offset, e.g.
 *   "2025-01-18T10:24:59.842000+00:00" (every captured message, member and thread timestamp quoted
 *   in samples.ts).
 */

export const DISCORD_EPOCH = 1420070400000;

/** The snowflake Discord's docs say to build for "messages after/before this time". */
export function snowflakeAt(ms: number): string {
  return ((BigInt(Math.max(0, Math.floor(ms) - DISCORD_EPOCH))) << 22n).toString();
}

export function snowflakeTime(id: string): number {
  return Number(BigInt(id) >> 22n) + DISCORD_EPOCH;
}

export function compareSnowflakes(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export const isSnowflake = (value: string): boolean => /^\d{1,20}$/.test(value) && BigInt(value) < 1n << 64n;

/** Mints unique snowflakes for given times (worker 1, process 0, 12-bit increment per ms). */
export class SnowflakeMint {
  private readonly used = new Map<number, number>();

  next(ms: number): string {
    const at = Math.floor(ms);
    const increment = this.used.get(at) ?? 0;
    if (increment > 0xfff) return this.next(at + 1);
    this.used.set(at, increment + 1);
    return ((BigInt(at - DISCORD_EPOCH) << 22n) | (1n << 17n) | BigInt(increment)).toString();
  }
}

/** "2025-01-18T10:24:59.842000+00:00" */
export function isoTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000+00:00');
}
