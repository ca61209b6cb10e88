/**
 * What a failed embeddings request means. Whether to retry is shared/resilience's rule (plus
 * 409, which OpenAI's own client retries as a lock timeout); what a refusal means is OpenAI's:
 * the input (that document is skipped), the settings or the account (the run fails), or a
 * request the server counted over its token limit (split it).
 */
import OpenAI from 'openai';
import { PoisonTaskError, TransientError, errorMessage } from '../../core/errors.ts';
import { advertisedWaitMs, isRetryableError, isRetryableStatus, refusesRetry } from '../../resilience/index.ts';
import type { RetryableFailure } from '../../resilience/index.ts';
import { EmbeddingProviderError } from './errors.ts';

/** How a failed attempt is classified. */
export type Verdict =
  | ({ readonly kind: 'retry'; readonly reason: string } & RetryableFailure)
  | { readonly kind: 'split' }
  | { readonly kind: 'fail'; readonly error: unknown };

export interface FailureContext {
  readonly model: string;
  readonly baseURL: string;
  /** Inputs in the failed request. */
  readonly inputs: number;
  readonly nowMs: number;
}

/** Statuses OpenAI documents as transient beyond the common ones: 409, a lock timeout its own client retries. */
const OPENAI_ALSO_RETRYABLE: ReadonlySet<number> = new Set([409]);

/** Request parameters other than the input: a 400 naming one refuses the configuration. */
const SETTINGS_PARAMS = new Set(['model', 'dimensions', 'encoding_format', 'user']);

/**
 * Maps a failed attempt to retry, split or a final error: connection errors, timeouts and the
 * retryable statuses are retried (unless the server sent `x-should-retry: false`); 429
 * `insufficient_quota`, 401/403/404 and a 400 about the settings are an EmbeddingProviderError;
 * a 400 `max_tokens_per_request` splits the request; any other 4xx is a PoisonTaskError with the
 * API's message.
 */
export function judgeFailure(error: unknown, context: FailureContext): Verdict {
  const { model, baseURL } = context;
  // APIConnectionError (and its timeout subclass) extends APIError without a status.
  if (error instanceof OpenAI.APIConnectionError) {
    const reason = error instanceof OpenAI.APIConnectionTimeoutError ? 'request timed out' : `connection error: ${error.message}`;
    return { kind: 'retry', reason };
  }
  if (error instanceof OpenAI.APIError && typeof error.status === 'number') {
    const status = error.status;
    const apiMessage = messageOf(error);
    const details = {
      model,
      status,
      inputs: context.inputs,
      ...(error.code ? { code: error.code } : {}),
      ...(error.type ? { type: error.type } : {}),
      ...(error.param ? { param: error.param } : {}),
      ...(error.requestID ? { requestId: error.requestID } : {}),
    };
    if (status === 429 && error.code === 'insufficient_quota') {
      return {
        kind: 'fail',
        error: new EmbeddingProviderError(`OpenAI quota exhausted (429 insufficient_quota): ${apiMessage}; check the account's plan and billing`, { status, cause: error, context: details }),
      };
    }
    if (isRetryableStatus(status, OPENAI_ALSO_RETRYABLE)) {
      const reason = `${status} ${apiMessage}`;
      if (refusesRetry(error.headers)) {
        return { kind: 'fail', error: new TransientError(`OpenAI embeddings request failed and the server said not to retry it now: ${reason}`, { cause: error, context: details }) };
      }
      return { kind: 'retry', reason, status, advertisedMs: advertisedWaitMs(error.headers, status, context.nowMs) };
    }
    if (status === 400 && error.code === 'max_tokens_per_request' && context.inputs > 1) return { kind: 'split' };
    if (status === 401 || status === 403 || status === 404) {
      const hint = status === 401
        ? 'check the API key'
        : status === 403
          ? 'check that the API key (its project and organization) may use this model'
          : 'check the model name and the base URL';
      return {
        kind: 'fail',
        error: new EmbeddingProviderError(`OpenAI refused the embeddings request (${status}): ${apiMessage}; ${hint} (model ${model}, base URL ${baseURL})`, { status, cause: error, context: { ...details, baseURL } }),
      };
    }
    if (status === 400 && isSettingsRefusal(error.param, apiMessage)) {
      // The model, the vector size or the encoding: every request fails alike, not one input.
      return {
        kind: 'fail',
        error: new EmbeddingProviderError(`OpenAI refused the request's settings (400): ${apiMessage}; check embedder.model and embedder.dimensions (model ${model}, base URL ${baseURL})`, { status, cause: error, context: { ...details, baseURL } }),
      };
    }
    if (status >= 400 && status < 500) {
      return { kind: 'fail', error: new PoisonTaskError(`OpenAI rejected the embedding input (${status}): ${apiMessage}`, details) };
    }
    return { kind: 'fail', error: new TransientError(`OpenAI embeddings request failed with unexpected status ${status}: ${apiMessage}`, { cause: error, context: details }) };
  }
  return isRetryableError(error) ? { kind: 'retry', reason: errorMessage(error) } : { kind: 'fail', error };
}

/** Whether a 400 is about the request's settings (model, dimensions, encoding) rather than its input. */
function isSettingsRefusal(param: string | null | undefined, message: string): boolean {
  if (param !== null && param !== undefined && param !== '') return SETTINGS_PARAMS.has(param);
  return /\b(dimensions?|model|encoding_format)\b/i.test(message) && !/\binput\b/i.test(message);
}

/** The API's own message (`error.message` of the JSON body), without the client's status prefix. */
function messageOf(error: InstanceType<typeof OpenAI.APIError>): string {
  const body = error.error as { message?: unknown } | undefined;
  return typeof body?.message === 'string' ? body.message : error.message;
}
