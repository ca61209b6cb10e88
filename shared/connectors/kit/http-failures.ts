/**
 * What a failed response of the kit's HTTP client means: retry it (the status policy of
 * shared/resilience, with the wait the provider advertised), or fail with the typed error whose
 * message names the source, the request, the provider's own words and the fix.
 */
import { CursorExpiredError } from '../../core/errors.ts';
import { advertisedWaitMs, isRetryableStatus } from '../../resilience/index.ts';
import type { RetryableFailure } from '../../resilience/index.ts';
import { ProviderAuthError, ProviderError, ProviderNotFoundError, ProviderRequestError } from './errors.ts';

/** What went wrong with one attempt. */
export type Verdict =
  | ({ readonly kind: 'retry'; readonly reason: string } & RetryableFailure)
  | { readonly kind: 'fail'; readonly error: unknown };

export interface FailedResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

export interface RequestContext {
  readonly sourceId: string;
  readonly provider: string;
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  /** Appended to 401/403 messages. */
  readonly authHint: string;
  /** The request presents a change token: a 410 means it expired. */
  readonly changeToken: boolean;
  readonly nowMs: number;
}

/**
 * Retries what the status policy retries; maps 401/403 to {@link ProviderAuthError}, 404 to
 * {@link ProviderNotFoundError}, 410 on a change-token request to CursorExpiredError, any other
 * 4xx to {@link ProviderRequestError} with the provider's message.
 */
export function judgeResponse(response: FailedResponse, request: RequestContext): Verdict {
  const { status } = response;
  const { sourceId, provider, method, path } = request;
  const details = { sourceId, provider, method, path, status };
  const message = providerMessage(response.text);
  if (isRetryableStatus(status)) {
    return { kind: 'retry', reason: `${status}${message ? ` ${message}` : ''}`, status, advertisedMs: advertisedWaitMs(response.headers, status, request.nowMs) };
  }
  const said = message ? `: ${message}` : '';
  if (status === 401 || status === 403) {
    const what = status === 401 ? 'rejected the credentials' : 'denied access';
    return { kind: 'fail', error: new ProviderAuthError(`${provider} ${what} of source "${sourceId}" (${status}) on ${method} ${path}${said}; ${request.authHint}`, details) };
  }
  if (status === 404) {
    return { kind: 'fail', error: new ProviderNotFoundError(`${provider} has no ${path} (404) for source "${sourceId}"${said}; check the ids and base URL in the source config, and that the credentials may see it`, details) };
  }
  if (status === 410 && request.changeToken) {
    return { kind: 'fail', error: new CursorExpiredError(sourceId, { cause: new ProviderRequestError(`${provider} ${method} ${path}: 410 Gone${said}`, details) }) };
  }
  if (status >= 400 && status < 500) {
    return { kind: 'fail', error: new ProviderRequestError(`${provider} rejected ${method} ${path} for source "${sourceId}" (${status})${said}`, details) };
  }
  return { kind: 'fail', error: new ProviderError(`${provider} answered ${method} ${path} for source "${sourceId}" with unexpected status ${status}${said}`, details) };
}

/**
 * The provider's own words from an error body: `message`, `error.message`, `error_description`,
 * `error` (a string), `errors[0].message`, `errorMessages[0]` (Jira), `detail`; else the text.
 */
export function providerMessage(text: string): string {
  const trimmed = text.trim();
  if (trimmed === '') return '';
  try {
    const body = JSON.parse(trimmed) as unknown;
    const found = messageIn(body);
    if (found !== undefined) return snippet(found);
  } catch {
    // Not JSON: use the text.
  }
  return snippet(trimmed);
}

/** One line of at most `max` characters, for messages. */
export function snippet(text: string, max = 300): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max)}…` : oneLine;
}

function messageIn(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const record = body as Record<string, unknown>;
  const str = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value : undefined);
  const error = record['error'];
  const errors = record['errors'];
  const errorMessages = record['errorMessages'];
  return str(record['message'])
    ?? (typeof error === 'object' && error !== null ? str((error as Record<string, unknown>)['message']) : undefined)
    ?? str(record['error_description'])
    ?? str(error)
    ?? (Array.isArray(errors) && typeof errors[0] === 'object' && errors[0] !== null ? str((errors[0] as Record<string, unknown>)['message']) : undefined)
    ?? (Array.isArray(errorMessages) ? str(errorMessages[0]) : undefined)
    ?? str(record['detail']);
}
