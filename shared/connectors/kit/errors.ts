/**
 * Errors a connector built on the kit throws. They extend the project's one hierarchy
 * (shared/core/errors.ts), so edges decide with `instanceof` and `retryable`. Messages name
 * the source, the provider, the request (method and path, never the query string: it may
 * carry a token) and, where there is one, the fix.
 */
import { TributaryError } from '../../core/errors.ts';

export interface ProviderErrorDetails {
  readonly sourceId: string;
  readonly provider: string;
  readonly method: string;
  /** Path of the request, without the query string. */
  readonly path: string;
  readonly status?: number;
  readonly cause?: unknown;
}

/** The provider refused a request in a way retrying the same request cannot fix. */
export class ProviderError extends TributaryError {
  readonly status: number | undefined;
  readonly sourceId: string;

  constructor(message: string, details: ProviderErrorDetails) {
    super(message, {
      retryable: false,
      cause: details.cause,
      context: {
        sourceId: details.sourceId, provider: details.provider, method: details.method, path: details.path,
        ...(details.status === undefined ? {} : { status: details.status }),
      },
    });
    this.status = details.status;
    this.sourceId = details.sourceId;
  }
}

/** 401/403: the credentials are wrong, expired or lack a permission. The message carries the fix. */
export class ProviderAuthError extends ProviderError {}

/** 404: the resource does not exist (or the credentials may not see it). */
export class ProviderNotFoundError extends ProviderError {}

/** Any other 4xx: the request itself is wrong; the message carries the provider's own words. */
export class ProviderRequestError extends ProviderError {}

/** A 2xx response whose body is not what the connector expects (not JSON, or not the schema). */
export class ProviderResponseError extends ProviderError {}

/**
 * A paginated listing handed back a cursor (or page) it had already handed out, or ran past
 * its page limit: following it would loop forever. The pass stops instead of finishing with
 * pages missing (a short listing would make reconcile delete documents that still exist).
 */
export class PaginationLoopError extends TributaryError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super(message, { retryable: false, context });
  }
}
