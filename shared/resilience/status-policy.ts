/**
 * Which failures are worth another attempt. One rule for every outbound call:
 *
 * - **retried:** 408 Request Timeout, 425 Too Early, 429 Too Many Requests, every 5xx,
 *   timeouts and connection failures (the request may not have reached the provider, or the
 *   provider may recover);
 * - **not retried:** every other 4xx — the same request will be refused again. Errors made
 *   from such a status are TributaryErrors with `retryable: false`; a failure that is retried
 *   until the attempts run out ends as a TransientError (`retryable: true`), so the task queue
 *   tries again later.
 *
 * A provider that documents another status as transient names it in `alsoRetryable` (OpenAI's
 * 409, a lock timeout its own client retries), rather than keeping a list of its own.
 */
import { TributaryError } from '../core/errors.ts';
import type { HeaderReader } from './advertised-wait.ts';

const NONE: ReadonlySet<number> = new Set();

/** Whether a response with `status` may succeed if sent again (see the module comment). */
export function isRetryableStatus(status: number, alsoRetryable: ReadonlySet<number> = NONE): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500 || alsoRetryable.has(status);
}

/** A timeout: `AbortSignal.timeout` fires a `TimeoutError` (an `AbortError` mentioning a timeout on some paths). */
export function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || (error.name === 'AbortError' && /timeout/i.test(error.message)));
}

/**
 * A failure to exchange the request at all: a timeout, or undici's `TypeError: fetch failed`
 * (`terminated` mid-body) carrying the socket error as `cause`. Not a caller's own abort.
 */
export function isTransportFailure(error: unknown): boolean {
  return isTimeout(error) || (error instanceof TypeError && error.cause !== undefined);
}

/** What went wrong with the connection, for messages: `ECONNREFUSED connect ECONNREFUSED 127.0.0.1:1`. */
export function transportFailureMessage(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause;
    if (cause instanceof Error) {
      const code = (cause as { code?: unknown }).code;
      return typeof code === 'string' ? `${code} ${cause.message}` : cause.message;
    }
    return error.message;
  }
  return String(error);
}

/** Whether an error thrown below the HTTP layer says retrying may help: a TributaryError says so itself. */
export function isRetryableError(error: unknown): boolean {
  return error instanceof TributaryError ? error.retryable : isTransportFailure(error);
}

/** The server asked not to retry this failure now (`x-should-retry: false`, sent by OpenAI). */
export function refusesRetry(headers: HeaderReader | undefined): boolean {
  return headers?.get('x-should-retry') === 'false';
}
