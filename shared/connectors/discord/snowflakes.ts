/**
 * Discord snowflakes: 64-bit ids, serialised as decimal strings, whose top 42 bits are
 * milliseconds since the Discord epoch (2015-01-01T00:00:00Z). Ids therefore sort by time, and
 * `(ms − epoch) << 22` is the id to page `after=`/`before=` from a time
 * (https://discord.com/developers/docs/reference#snowflakes, "Snowflake IDs in Pagination").
 */

export const DISCORD_EPOCH = 1_420_070_400_000;

const SNOWFLAKE = /^\d{1,20}$/;

export function isSnowflake(value: string): boolean {
  return SNOWFLAKE.test(value) && BigInt(value) < 1n << 64n;
}

/** The smallest id minted in the millisecond `ms` (`after=` its {@link snowflakeBefore} returns everything sent from `ms` on). */
export function snowflakeAt(ms: number): string {
  return (BigInt(Math.max(0, Math.floor(ms) - DISCORD_EPOCH)) << 22n).toString();
}

/** Epoch milliseconds an id was minted at. */
export function snowflakeTime(id: string): number {
  return Number(BigInt(id) >> 22n) + DISCORD_EPOCH;
}

export function compareSnowflakes(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The id just before `id`: `after=` it includes `id` itself. */
export function snowflakeBefore(id: string): string {
  const value = BigInt(id);
  return (value > 0n ? value - 1n : 0n).toString();
}

export function maxSnowflake(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return compareSnowflakes(a, b) >= 0 ? a : b;
}

export function minSnowflake(a: string, b: string): string {
  return compareSnowflakes(a, b) <= 0 ? a : b;
}
