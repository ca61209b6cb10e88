/**
 * Fireflies' request-level errors, made legible to the kit's HTTP client (which decides retries
 * and errors by status and headers, shared/resilience).
 *
 * Fireflies reports every error in the GraphQL body: `errors[].extensions {code, status,
 * metadata}` (https://docs.fireflies.ai/fundamentals/errors). Two codes are about the request,
 * not a field, wherever they are reported:
 *
 * - `too_many_requests` (status 429): the wait is `extensions.metadata.retryAfter`, an epoch-ms
 *   instant, in the body and in no header (https://docs.fireflies.ai/miscellaneous/error-codes).
 *   The response gets status 429 and a `retry-after-ms` header, so the client waits that long
 *   (or, past `maxRetryWaitMs`, stops the run naming the wait) and holds every request of the source.
 * - `auth_failed` (the key is missing or wrong): status 401, so the client fails with the fix.
 *
 * Any other error (object_not_found, forbidden, …) concerns one field and stays in a 200 answer,
 * where ./graphql.ts reads it per transcript.
 */
import type { Clock } from '../../ports/index.ts';

interface ErrorEntry {
  readonly code?: unknown;
  readonly extensions?: { readonly code?: unknown; readonly metadata?: { readonly retryAfter?: unknown } };
}

/** A `fetch` that passes requests to `inner` and rewrites answers carrying request-level errors. */
export function firefliesFetch(inner: typeof globalThis.fetch, clock: Clock): typeof globalThis.fetch {
  return async (input, init) => {
    const response = await inner(input, init);
    const text = await response.text();
    const lifted = liftedStatus(text, clock.now());
    const headers = new Headers(response.headers);
    if (lifted?.retryAfterMs !== undefined) headers.set('retry-after-ms', String(lifted.retryAfterMs));
    const status = lifted?.status ?? response.status;
    // A Response with one of these statuses may not have a body.
    const body = [101, 204, 205, 304].includes(status) ? null : text;
    return new Response(body, { status, statusText: lifted ? '' : response.statusText, headers });
  };
}

/** The status (and wait) a body's request-level error calls for; undefined when it has none. */
export function liftedStatus(text: string, nowMs: number): { status: number; retryAfterMs?: number } | undefined {
  if (!text.includes('too_many_requests') && !text.includes('auth_failed')) return undefined;
  let errors: readonly ErrorEntry[];
  try {
    const body = JSON.parse(text) as { errors?: unknown };
    if (!Array.isArray(body.errors)) return undefined;
    errors = body.errors as ErrorEntry[];
  } catch {
    return undefined;
  }
  const codeOf = (e: ErrorEntry): unknown => e.extensions?.code ?? e.code;
  const limited = errors.find((e) => codeOf(e) === 'too_many_requests');
  if (limited) {
    const at = Number(limited.extensions?.metadata?.retryAfter);
    return { status: 429, ...(Number.isFinite(at) ? { retryAfterMs: Math.max(0, Math.ceil(at - nowMs)) } : {}) };
  }
  return errors.some((e) => codeOf(e) === 'auth_failed') ? { status: 401 } : undefined;
}
