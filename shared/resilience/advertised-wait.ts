/**
 * What a response asks a client to wait before its next request, read from every header
 * providers use for it. Pure functions of the headers and the clock reading (`nowMs`), so tests
 * pin each reading; the cap on how long a client honours such a wait is {@link RetryPolicy}'s.
 *
 * | header | meaning | who sends it |
 * |---|---|---|
 * | `retry-after-ms` | milliseconds | OpenAI |
 * | `Retry-After` | seconds, or an HTTP date (RFC 9110 §10.2.3) | most APIs, Pinecone |
 * | `x-ratelimit-reset-after` | seconds to wait | Discord-style gateways |
 * | `RateLimit-Reset` | seconds to wait (IETF draft `RateLimit` fields) | newer APIs |
 * | `X-RateLimit-Reset` | epoch seconds (below 1e9: seconds to wait) | GitHub, Zendesk, many gateways |
 * | `x-ratelimit-reset-requests` / `-tokens` | Go-style duration (`6m0s`, `750ms`) of that limit | OpenAI |
 */

/** A header bag: the fetch `Headers` class or anything with a case-insensitive `get`. */
export interface HeaderReader {
  get(name: string): string | null;
}

/** A plain non-negative decimal: `"2"`, `"1.5"` (no sign, no exponent). */
const DECIMAL = /^\s*\d+(\.\d+)?\s*$/;

/**
 * Epoch seconds at or above this are read as a point in time, smaller values as a delta:
 * providers disagree on what `X-RateLimit-Reset` means (GitHub and Zendesk send epoch seconds,
 * some gateways send seconds to wait), and 1e9 seconds (2001) separates the two readings.
 */
const EPOCH_SECONDS_THRESHOLD = 1e9;

/** OpenAI's limits, each with its own `x-ratelimit-remaining-<limit>` and `x-ratelimit-reset-<limit>`. */
const PER_LIMIT_NAMES = ['requests', 'tokens'] as const;

/** `Retry-After` in ms: delta-seconds (`"120"`, `"1.5"`) or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  if (DECIMAL.test(value)) return Number(value) * 1000;
  // An HTTP date names its day and month; V8 would also "parse" `-3` as the year -3.
  if (!/[a-z]/i.test(value)) return undefined;
  const date = Date.parse(value.trim());
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

const DURATION_UNITS_MS: Readonly<Record<string, number>> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, µs: 0.001, ns: 0.000001 };

/** Parses a Go-style duration as OpenAI sends it: `6m0s`, `1s`, `20ms`, `1h2m3.5s`, `0.5s`. */
export function parseDurationMs(text: string | null | undefined): number | undefined {
  if (text === null || text === undefined) return undefined;
  const trimmed = text.trim();
  if (!/^(\d+(\.\d+)?(h|ms|m|s|us|µs|ns))+$/.test(trimmed)) return undefined;
  let total = 0;
  for (const match of trimmed.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g)) {
    total += Number(match[1]) * (DURATION_UNITS_MS[match[2] ?? ''] ?? 0);
  }
  return total;
}

/** Whether the response says the rate-limit budget is used up (`X-RateLimit-Remaining: 0` or `RateLimit-Remaining: 0`). */
export function rateLimitExhausted(headers: HeaderReader): boolean {
  for (const name of ['x-ratelimit-remaining', 'ratelimit-remaining']) {
    const raw = headers.get(name);
    if (raw !== null && raw.trim() !== '' && Number(raw) <= 0) return true;
  }
  return false;
}

/**
 * How long until the provider's rate-limit window resets, in ms, from whichever headers it
 * sends (see the module comment): `x-ratelimit-reset-after`, `RateLimit-Reset`,
 * `X-RateLimit-Reset`, and `x-ratelimit-reset-<limit>` of each per-limit budget that is used up
 * (its `x-ratelimit-remaining-<limit>` is 0 or absent). The longest reading wins; undefined
 * when there is none.
 */
export function rateLimitResetMs(headers: HeaderReader, nowMs: number): number | undefined {
  const readings: number[] = [];
  const seconds = (name: string): number | undefined => {
    const raw = headers.get(name);
    return raw !== null && DECIMAL.test(raw) ? Number(raw) : undefined;
  };
  const after = seconds('x-ratelimit-reset-after');
  if (after !== undefined) readings.push(after * 1000);
  const delta = seconds('ratelimit-reset');
  if (delta !== undefined) readings.push(delta * 1000);
  const reset = seconds('x-ratelimit-reset');
  if (reset !== undefined) readings.push(reset >= EPOCH_SECONDS_THRESHOLD ? Math.max(0, reset * 1000 - nowMs) : reset * 1000);
  for (const limit of PER_LIMIT_NAMES) {
    const wait = parseDurationMs(headers.get(`x-ratelimit-reset-${limit}`));
    if (wait === undefined) continue;
    const remaining = headers.get(`x-ratelimit-remaining-${limit}`);
    if (remaining !== null && Number(remaining) > 0) continue;
    readings.push(wait);
  }
  return readings.length === 0 ? undefined : Math.max(...readings);
}

/**
 * The wait, in ms, a failed response asks for before the request is sent again:
 * `retry-after-ms`, else `Retry-After`, else — when throttled (429) or when the response says
 * the budget is used up — the rate-limit reset ({@link rateLimitResetMs}). Undefined when it
 * asks for nothing (the backoff alone decides).
 */
export function advertisedWaitMs(headers: HeaderReader | undefined, status: number, nowMs: number): number | undefined {
  if (!headers) return undefined;
  const retryAfterMs = headers.get('retry-after-ms');
  if (retryAfterMs !== null && DECIMAL.test(retryAfterMs)) return Number(retryAfterMs);
  const retryAfter = parseRetryAfter(headers.get('retry-after'), nowMs);
  if (retryAfter !== undefined) return retryAfter;
  if (status === 429 || rateLimitExhausted(headers)) return rateLimitResetMs(headers, nowMs);
  return undefined;
}

/**
 * For a response that is not a 429 (a success, typically): how long to hold the next request
 * because the response says the window's budget is used up (`…-Remaining: 0`) until a reset
 * in the future. Undefined when the budget is not used up or no reset is given.
 */
export function exhaustedBudgetWaitMs(headers: HeaderReader, status: number, nowMs: number): number | undefined {
  if (status === 429 || !rateLimitExhausted(headers)) return undefined;
  const reset = rateLimitResetMs(headers, nowMs);
  return reset !== undefined && reset > 0 ? reset : undefined;
}
