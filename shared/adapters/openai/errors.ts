import { TributaryError } from '../../core/errors.ts';

/**
 * The provider refused the deployment, not the input: a bad API key (401), no access (403), an
 * unknown model or a wrong base URL (404), an exhausted quota (429 `insufficient_quota`), or
 * vectors of the wrong size. Not retryable: retrying the same task cannot help until an operator
 * fixes the configuration.
 */
export class EmbeddingProviderError extends TributaryError {
  /** HTTP status of the refusal, when there was one. */
  readonly status: number | undefined;

  constructor(message: string, options: { status?: number; cause?: unknown; context?: Record<string, unknown> } = {}) {
    super(message, {
      retryable: false,
      cause: options.cause,
      context: { ...options.context, ...(options.status === undefined ? {} : { status: options.status }) },
    });
    this.status = options.status;
  }
}
