/** What Pinecone's refusals mean: one record's (skip that document) or the configuration's (fail the run). */
import { PoisonTaskError, TributaryError, errorMessage } from '../../core/errors.ts';

/**
 * Pinecone refused the request for a reason retrying will not fix: the API key (401), the
 * project's permissions or quota (403), or the index host / namespace (404). Not retryable;
 * the message says what to check.
 */
export class VectorStoreProviderError extends TributaryError {
  /** HTTP status Pinecone answered with. */
  readonly status: number;
  constructor(message: string, options: { status: number; cause?: unknown; context?: Record<string, unknown> }) {
    super(message, {
      retryable: false,
      ...(options.cause === undefined ? {} : { cause: options.cause }),
      context: { ...options.context, status: options.status },
    });
    this.status = options.status;
  }
}

export interface RefusalContext {
  readonly operation: string;
  /** `index host … (index "…"), namespace "…"`, for messages. */
  readonly target: string;
  /** The store's vector size, named when the index has another. */
  readonly dimensions: number;
  readonly context: Record<string, unknown>;
}

/**
 * The error for a failure the status policy does not retry: 400/422 are a PoisonTaskError
 * carrying Pinecone's message (that task's document is skipped), except a dimension mismatch;
 * that, 401/403/404 and other 4xx are a VectorStoreProviderError (the configuration, no
 * document escapes). Without an HTTP status the client refused the arguments itself.
 */
export function refusalOf(error: unknown, status: number | undefined, refusal: RefusalContext): Error {
  const { operation, target, context } = refusal;
  const detail = errorMessage(error);
  if ((status === 400 || status === 422) && /dimension/i.test(detail)) {
    // The index was made for another vector size: every write fails alike, not one record.
    return new VectorStoreProviderError(
      `Pinecone refused the ${operation} (HTTP ${status}): ${detail}; the index's dimension must equal embedder.dimensions (${refusal.dimensions}) — use an index of that dimension or change the embedder (${target})`,
      { status, cause: error, context },
    );
  }
  if (status === 400 || status === 422) {
    return new PoisonTaskError(`Pinecone rejected the ${operation} (HTTP ${status}): ${detail}`, { ...context, status });
  }
  if (status === 401) {
    return new VectorStoreProviderError(
      `Pinecone rejected the API key on ${operation} (HTTP 401): check the configured Pinecone API key and that it belongs to the project of ${target}`,
      { status, cause: error, context },
    );
  }
  if (status === 403) {
    return new VectorStoreProviderError(
      `Pinecone refused the ${operation} (HTTP 403: forbidden or quota exceeded): check the API key's project, permissions and quota for ${target}. ${detail}`,
      { status, cause: error, context },
    );
  }
  if (status === 404) {
    return new VectorStoreProviderError(
      `Pinecone answered 404 on ${operation}: check the index host and namespace (${target}); the index may not exist or may be pod-based (list needs serverless)`,
      { status, cause: error, context },
    );
  }
  if (status !== undefined) {
    return new VectorStoreProviderError(`Pinecone refused the ${operation} (HTTP ${status}) on ${target}: ${detail}`, { status, cause: error, context });
  }
  // No HTTP exchange: the client refused the arguments itself (a bug here, not an outage).
  return error instanceof Error ? error : new TributaryError(detail);
}
