/**
 * Exponential backoff with full jitter (the "Full Jitter" of AWS's "Exponential Backoff And
 * Jitter"): spreading retries uniformly over the whole window keeps many clients that failed
 * together from retrying together.
 */

export interface BackoffOptions {
  /** First ceiling; doubles per attempt. @default 500 */
  readonly baseMs?: number;
  /** Cap of the ceiling. @default 30_000 */
  readonly maxMs?: number;
}

/**
 * The wait before retrying after failed attempt `attempt` (1 = the first attempt failed):
 * uniform in `[0, min(maxMs, baseMs · 2^(attempt-1)))`, whole milliseconds.
 * @param random a number in [0, 1)
 */
export function backoffMs(attempt: number, random: number, options: BackoffOptions = {}): number {
  const base = options.baseMs ?? 500;
  const max = options.maxMs ?? 30_000;
  const ceiling = Math.min(max, base * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random * ceiling);
}
