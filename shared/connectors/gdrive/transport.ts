/**
 * Drive's errors, made legible to the kit's HTTP client (which alone decides retries, waits and
 * typed errors by status and headers: one retry layer, shared/resilience). This `fetch` wraps
 * the client's requests:
 *
 * - adds `Authorization: Bearer <token>` from the source's credential (./auth.ts); a 401 gets a
 *   fresh token once and is sent again (an access token revoked or expired early);
 * - 403 with reason `userRateLimitExceeded` or `rateLimitExceeded` (domain usageLimits) is a
 *   quota, not a permission: it becomes a 429, so the client backs off (Drive sends no
 *   Retry-After; https://developers.google.com/workspace/drive/api/guides/limits asks for
 *   exponential backoff). Any other 403 stays a 403;
 * - 400 `invalid` at location `pageToken` on a changes request (an unknown or expired start
 *   page token) becomes a 410, which the client throws as CursorExpiredError for requests
 *   marked `changeToken` (full pass + reconcile).
 *
 * https://developers.google.com/workspace/drive/api/guides/handle-errors
 */
import type { TokenSource } from './auth.ts';

const QUOTA_REASONS = new Set(['userRateLimitExceeded', 'rateLimitExceeded']);

interface GoogleError {
  readonly error?: { readonly errors?: readonly { readonly reason?: string; readonly location?: string }[] };
}

/** The reasons (and locations) of a Google error body; empty for anything else. */
export function googleReasons(text: string): { reason: string; location: string | undefined }[] {
  try {
    const body = JSON.parse(text) as GoogleError;
    return (body.error?.errors ?? []).map((e) => ({ reason: String(e.reason ?? ''), location: e.location }));
  } catch {
    return [];
  }
}

export function driveFetch(inner: typeof globalThis.fetch, tokens: TokenSource): typeof globalThis.fetch {
  return async (input, init) => {
    const send = async (token: string): Promise<Response> => {
      const headers = new Headers(init?.headers);
      headers.set('authorization', `Bearer ${token}`);
      return inner(input, { ...init, headers });
    };
    const first = await tokens.token();
    let response = await send(first);
    if (response.status === 401) {
      await response.body?.cancel();
      response = await send(await tokens.token(first));
    }
    if (response.status !== 403 && response.status !== 400) return response;
    const text = await response.text();
    const reasons = googleReasons(text);
    const url = String(input instanceof Request ? input.url : input);
    let status = response.status;
    if (status === 403 && reasons.some((r) => QUOTA_REASONS.has(r.reason))) status = 429;
    else if (status === 400 && /\/changes(\?|\/watch|$)/.test(url) && reasons.some((r) => r.location === 'pageToken')) status = 410;
    return new Response(text, { status, statusText: status === response.status ? response.statusText : '', headers: response.headers });
  };
}
