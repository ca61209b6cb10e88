/**
 * Octokit's request errors, mapped onto the project's hierarchy (shared/core/errors.ts via the
 * kit): a refused credential is a non-retryable ProviderAuthError naming the fix, a 404/410 a
 * ProviderNotFoundError (fetchEach: the document is gone), a rate limit the throttling plugin
 * would not sleep through or a 5xx the retry plugin gave up on a TransientError (the run stops
 * after its last saved page and a later run resumes), any other 4xx a ProviderRequestError
 * with GitHub's own message. Octokit's errors are recognised by shape (`status`, `response`):
 * the SDK loads lazily, so its classes are not imported here.
 */
import { TransientError } from '../../core/errors.ts';
import { ProviderAuthError, ProviderNotFoundError, ProviderRequestError } from '../kit/errors.ts';

const PROVIDER = 'GitHub';

export interface OctokitLikeError {
  readonly status: number;
  readonly message: string;
  readonly response?: { readonly headers?: Readonly<Record<string, string | number | undefined>>; readonly data?: unknown };
}

export function isOctokitError(error: unknown): error is OctokitLikeError {
  return typeof error === 'object' && error !== null && typeof (error as { status?: unknown }).status === 'number' && error instanceof Error;
}

/** The error to throw for a failed request; `what` names it (`GET /repos/{owner}/{repo}`), `authHint` the fix. */
export function mapGitHubError(error: unknown, context: { sourceId: string; method: string; path: string; authHint: string }): unknown {
  if (!isOctokitError(error)) return error;
  const { sourceId, method, path, authHint } = context;
  const details = { sourceId, provider: PROVIDER, method, path, status: error.status, cause: error };
  const said = providerMessage(error);
  const where = `${PROVIDER} ${method} ${path} for source "${sourceId}"`;
  const headers = error.response?.headers ?? {};
  if (error.status === 403 || error.status === 429) {
    const limited = String(headers['x-ratelimit-remaining'] ?? '') === '0' || headers['retry-after'] !== undefined || /rate limit/i.test(said);
    if (limited) {
      const reset = Number(headers['x-ratelimit-reset']);
      const when = headers['retry-after'] !== undefined ? `retry after ${String(headers['retry-after'])} s` : Number.isFinite(reset) ? `the limit resets at ${new Date(reset * 1000).toISOString()}` : 'wait for the limit to reset';
      return new TransientError(`${where}: rate limited (${error.status}; ${when}); the run resumes from its last saved page later`, { cause: error, context: details });
    }
  }
  if (error.status === 401) return new ProviderAuthError(`${where} was refused (401 ${said}): ${authHint}`, details);
  if (error.status === 403) return new ProviderAuthError(`${where} was refused (403 ${said}): ${authHint} (read access to Contents and Metadata, and Issues/Pull requests when issues are indexed)`, details);
  if (error.status === 404 || error.status === 410) return new ProviderNotFoundError(`${where}: ${error.status === 410 ? 'gone' : 'not found'} (${said})`, details);
  if (error.status >= 500 || error.status === 0) return new TransientError(`${where} failed (${error.status} ${said}) after retries`, { cause: error, context: details });
  return new ProviderRequestError(`${where} was refused (${error.status}): ${said}`, details);
}

function providerMessage(error: OctokitLikeError): string {
  const data = error.response?.data;
  if (typeof data === 'object' && data !== null && typeof (data as { message?: unknown }).message === 'string') return (data as { message: string }).message.slice(0, 300);
  return error.message.slice(0, 300);
}
