/**
 * Backoff and rate-limit arithmetic shared by the kit's HTTP client. Pure functions: they
 * take the clock reading and the random number as arguments, so tests pin every wait.
 *
 * The semantics are those of the OpenAI and Pinecone adapters (which predate the kit):
 * exponential backoff with full jitter, never shorter than what the provider asked for.
 */

/** Statuses worth retrying: timeouts, "too early", throttling and transient server errors. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 425, 429, 500, 502, 503, 504]);

export interface BackoffOptions {
  /** First ceiling; doubles per attempt. @default 500 */
  readonly baseMs?: number;
  /** Cap of the ceiling. @default 30_000 */
  readonly maxMs?: number;
}

/**
 * Full jitter: the wait before retry `attempt` (1 = the first retry) is uniform in
 * `[0, min(maxMs, baseMs · 2^(attempt-1)))`.
 * @param random a number in [0, 1)
 */
export function backoffMs(attempt: number, random: number, options: BackoffOptions = {}): number {
  const base = options.baseMs ?? 500;
  const max = options.maxMs ?? 30_000;
  const ceiling = Math.min(max, base * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random * ceiling);
}

/** A header bag: the fetch `Headers` class or anything with a case-insensitive `get`. */
export interface HeaderReader {
  get(name: string): string | null;
}

/** `Retry-After` in ms: delta-seconds (`"120"`, `"1.5"`) or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/**
 * Epoch seconds at or above this are read as a point in time, smaller values as a delta:
 * providers disagree on what `X-RateLimit-Reset` means (GitHub and Zendesk send epoch seconds,
 * some gateways send seconds to wait), and 1e9 seconds (2001) separates the two readings.
 */
const EPOCH_SECONDS_THRESHOLD = 1e9;

/**
 * How long until the provider's rate-limit window resets, in ms, from whichever header it
 * sends: `x-ratelimit-reset-after` (seconds to wait, Discord-style), `ratelimit-reset`
 * (IETF draft: seconds to wait) or `x-ratelimit-reset` (epoch seconds; a small value is read
 * as seconds to wait). The longest reading wins. Undefined when none is present.
 */
export function rateLimitResetMs(headers: HeaderReader, nowMs: number): number | undefined {
  const readings: number[] = [];
  const seconds = (name: string): number | undefined => {
    const raw = headers.get(name);
    if (raw === null || !/^\s*\d+(\.\d+)?\s*$/.test(raw)) return undefined;
    return Number(raw);
  };
  const after = seconds('x-ratelimit-reset-after');
  if (after !== undefined) readings.push(after * 1000);
  const delta = seconds('ratelimit-reset');
  if (delta !== undefined) readings.push(delta * 1000);
  const reset = seconds('x-ratelimit-reset');
  if (reset !== undefined) readings.push(reset >= EPOCH_SECONDS_THRESHOLD ? Math.max(0, reset * 1000 - nowMs) : reset * 1000);
  return readings.length === 0 ? undefined : Math.max(...readings);
}

/** Whether the response says the rate-limit budget is used up (`x-ratelimit-remaining: 0` or `ratelimit-remaining: 0`). */
export function rateLimitExhausted(headers: HeaderReader): boolean {
  for (const name of ['x-ratelimit-remaining', 'ratelimit-remaining']) {
    const raw = headers.get(name);
    if (raw !== null && raw.trim() !== '' && Number(raw) <= 0) return true;
  }
  return false;
}

/**
 * The wait, in ms, a response asks for before the next request: `retry-after-ms`, else
 * `retry-after`, else — when throttled (429) or when the response says the budget is used up —
 * the rate-limit reset. Undefined when it asks for nothing.
 */
export function advertisedWaitMs(headers: HeaderReader, status: number, nowMs: number): number | undefined {
  const retryAfterMs = headers.get('retry-after-ms');
  if (retryAfterMs !== null && /^\s*\d+(\.\d+)?\s*$/.test(retryAfterMs)) return Number(retryAfterMs);
  const retryAfter = parseRetryAfter(headers.get('retry-after'), nowMs);
  if (retryAfter !== undefined) return retryAfter;
  if (status === 429 || rateLimitExhausted(headers)) return rateLimitResetMs(headers, nowMs);
  return undefined;
}

/** A `setTimeout` sleep; inject an instant one (recording the waits) in tests. */
export function realSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
