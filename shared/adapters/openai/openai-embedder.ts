import OpenAI from 'openai';
import type { CreateEmbeddingResponse } from 'openai/resources/embeddings';
import { ConfigError, TransientError } from '../../core/errors.ts';
import type { Clock, Embedder, EmbeddingResult, RequestLimits } from '../../ports/index.ts';
import { RateLimiter, RetryPolicy, systemClock } from '../../resilience/index.ts';
import type { Random, Sleep } from '../../resilience/index.ts';
import { judgeFailure } from './failures.ts';
import type { Verdict } from './failures.ts';
import { NATIVE_DIMENSIONS } from './models.ts';
import { halve, planRequests, tokensOf } from './request-plan.ts';
import type { Batch } from './request-plan.ts';
import { decodeEmbeddings } from './responses.ts';

/** Token counts `countTokens` remembers for texts not embedded yet. */
const COUNTED_TEXTS_MAX = 20_000;

export { EmbeddingProviderError } from './errors.ts';

export interface OpenAiEmbedderOptions {
  /** OpenAI API key (or the key of an OpenAI-compatible server). */
  apiKey: string;
  /**
   * API base URL including the version path.
   * @default 'https://api.openai.com/v1'
   */
  baseURL?: string;
  /**
   * Embedding model. `text-embedding-3-small`, `text-embedding-3-large` and
   * `text-embedding-ada-002` are known; any other name needs `dimensions`.
   * @default 'text-embedding-3-small'
   */
  model?: string;
  /**
   * Vector length. `text-embedding-3-*` shorten natively (sent as `dimensions`);
   * `text-embedding-ada-002` only has 1536.
   * @default the model's native size: 1536 (3-small, ada-002), 3072 (3-large)
   */
  dimensions?: number;
  /**
   * Inputs per request (the API allows 2048).
   * @default 2048
   */
  maxInputsPerRequest?: number;
  /**
   * Token budget per request, counted locally with cl100k_base. The API allows 300,000; the
   * default leaves a margin for counting differences.
   * @default 250_000
   */
  maxTokensPerRequest?: number;
  /**
   * Largest input accepted, in tokens; longer inputs fail the call with PoisonTaskError
   * (never truncated).
   * @default 8191
   */
  maxTokensPerInput?: number;
  /**
   * Attempts per request, the first included, before a TransientError.
   * @default 8
   */
  maxAttempts?: number;
  /**
   * Requests in flight at once across all `embed()` calls of this embedder (waiting out a budget,
   * a pause or a backoff counts as in flight).
   * @default 4
   */
  concurrency?: number;
  /** Input-token budget per minute, a token bucket refilled continuously; unlimited when absent. */
  tokensPerMinute?: number;
  /** Request budget per minute, a token bucket refilled continuously; unlimited when absent. */
  requestsPerMinute?: number;
  /**
   * A limiter shared with other embedders of the same account (shared/resilience); replaces
   * `concurrency` and the budgets, which are then set on it.
   */
  limiter?: RateLimiter;
  /**
   * Per-request timeout; a timeout is retried like a connection error.
   * @default 60_000
   */
  timeoutMs?: number;
  /**
   * First backoff ceiling; retry n waits a uniformly random time in `[0, min(max, base·2ⁿ⁻¹))`
   * (full jitter, shared/resilience), or longer when the provider says so.
   * @default 500
   */
  baseBackoffMs?: number;
  /** @default 30_000 */
  maxBackoffMs?: number;
  /**
   * Longest provider-advertised wait (`retry-after`, `x-ratelimit-reset-*`) honoured in process;
   * a longer one ends the call with a TransientError so the queue retries the task later
   * instead of a worker sleeping for minutes.
   * @default 60_000
   */
  maxRetryWaitMs?: number;
  /**
   * Wire format asked of the API. The official client would ask for base64 itself and return
   * `number[]`; asking explicitly keeps the raw string, decoded here straight into a Float32Array.
   * `float` is for OpenAI-compatible servers without base64.
   * @default 'base64'
   */
  encodingFormat?: 'base64' | 'float';
  /** @default setTimeout-based sleep (inject an instant one in tests) */
  sleep?: Sleep;
  /** Jitter source in [0, 1). @default Math.random */
  random?: Random;
  /** Clock for budgets, pauses and HTTP-date `retry-after`. @default the system clock */
  clock?: Clock;
}

/** Counters over the embedder's lifetime, for tests and cost reports. */
export interface OpenAiEmbedderStats {
  /** HTTP requests sent, retries included. */
  requests: number;
  /** Requests that were retries of a failed one. */
  retries: number;
  /** Tokens billed (`usage.total_tokens` of successful responses). */
  tokens: number;
  /** Inputs embedded by successful responses. */
  inputs: number;
}

interface CallState {
  calls: number;
  tokens: number;
  error?: unknown;
}

/** What an attempt leads to. */
type Outcome =
  | { readonly kind: 'ok'; readonly vectors: Float32Array[] }
  | { readonly kind: 'retry'; readonly delayMs: number }
  | { readonly kind: 'split' }
  | { readonly kind: 'fail'; readonly error: unknown };

/**
 * Embedder backed by OpenAI's `/v1/embeddings`, through the official `openai` client with its
 * retries off (`maxRetries: 0`): the retry loop here counts every request and follows
 * shared/resilience's rules, through one {@link RateLimiter} shared by concurrent calls.
 *
 * `embed(texts)`:
 * - counts each input's tokens with cl100k_base (the tokenizer of text-embedding-3-* and
 *   ada-002; also used, as an estimate, for other model names); an input over
 *   `maxTokensPerInput` fails the whole call with PoisonTaskError before any request;
 * - sends an empty string as a single space: the API answers 400 to an empty input (inside an
 *   array), and the chunker may legitimately produce an empty chunk for an empty document;
 * - packs inputs greedily, in order, into requests bounded by `maxInputsPerRequest` and
 *   `maxTokensPerRequest` (request-plan.ts), sent with bounded concurrency; vectors come back in
 *   input order;
 * - `tokens` is the sum of `usage.total_tokens`, `calls` every HTTP request, retries included.
 *
 * Errors (failures.ts): 408/409/425/429/5xx, connection errors and timeouts are retried
 * (exponential backoff, full jitter, at least `retry-after-ms` / `retry-after` /
 * `x-ratelimit-reset-*`; a 429's wait also pauses every other request of the limiter) up to
 * `maxAttempts`, then TransientError; an `x-should-retry: false` header ends the retries at
 * once. 400 `max_tokens_per_request` (local and server counts disagreed) splits the request in
 * two; a 400 about the settings (`param` model, dimensions or encoding_format) is an
 * EmbeddingProviderError; any other 400/4xx is a PoisonTaskError with the API's message (that
 * input's document is skipped); 401/403/404 and 429 `insufficient_quota` are an
 * EmbeddingProviderError (no document escapes: the run fails). When one request fails for good,
 * the call's other requests stop before their next attempt and `embed()` rejects once none is
 * in flight.
 */
export class OpenAiEmbedder implements Embedder {
  readonly model: string;
  readonly dimensions: number;
  readonly stats: OpenAiEmbedderStats = { requests: 0, retries: 0, tokens: 0, inputs: 0 };
  readonly limiter: RateLimiter;
  private readonly client: OpenAI;
  private readonly baseURL: string;
  private readonly sendDimensions: boolean;
  private readonly encodingFormat: 'base64' | 'float';
  private readonly maxInputsPerRequest: number;
  private readonly maxTokensPerRequest: number;
  private readonly maxTokensPerInput: number;
  private readonly retry: RetryPolicy;
  private readonly clock: Clock;

  constructor(options: OpenAiEmbedderOptions) {
    if (typeof options.apiKey !== 'string' || options.apiKey.trim() === '') {
      throw new ConfigError('OpenAiEmbedder: apiKey is required (set the OpenAI API key, e.g. OPENAI_API_KEY)', { key: 'apiKey' });
    }
    this.model = options.model ?? 'text-embedding-3-small';
    const native = NATIVE_DIMENSIONS[this.model];
    if (native === undefined && options.dimensions === undefined) {
      throw new ConfigError(`OpenAiEmbedder: model "${this.model}" is not a known OpenAI embedding model; set dimensions to its vector length`, { key: 'dimensions', model: this.model });
    }
    this.dimensions = positiveInteger('dimensions', options.dimensions ?? native ?? 0);
    if (native !== undefined && this.dimensions > native) {
      throw new ConfigError(`OpenAiEmbedder: ${this.model} has at most ${native} dimensions, got ${this.dimensions}`, { key: 'dimensions', model: this.model });
    }
    if (this.model === 'text-embedding-ada-002' && this.dimensions !== 1536) {
      throw new ConfigError(`OpenAiEmbedder: text-embedding-ada-002 cannot shorten its vectors; dimensions must be 1536, got ${this.dimensions}`, { key: 'dimensions', model: this.model });
    }
    // text-embedding-3-* always get `dimensions` (explicit beats default); ada-002 rejects it;
    // other (OpenAI-compatible) models get it only when configured.
    this.sendDimensions = this.model.startsWith('text-embedding-3') || (native === undefined && options.dimensions !== undefined);

    this.maxInputsPerRequest = positiveInteger('maxInputsPerRequest', options.maxInputsPerRequest ?? 2048);
    this.maxTokensPerRequest = positiveInteger('maxTokensPerRequest', options.maxTokensPerRequest ?? 250_000);
    this.maxTokensPerInput = positiveInteger('maxTokensPerInput', options.maxTokensPerInput ?? 8191);
    if (this.maxTokensPerInput > this.maxTokensPerRequest) {
      throw new ConfigError(`OpenAiEmbedder: maxTokensPerInput (${this.maxTokensPerInput}) exceeds maxTokensPerRequest (${this.maxTokensPerRequest})`, { key: 'maxTokensPerInput' });
    }
    this.retry = new RetryPolicy({
      owner: 'OpenAiEmbedder',
      maxAttempts: options.maxAttempts ?? 8,
      baseBackoffMs: options.baseBackoffMs ?? 500,
      maxBackoffMs: options.maxBackoffMs ?? 30_000,
      maxRetryWaitMs: options.maxRetryWaitMs ?? 60_000,
      ...(options.random ? { random: options.random } : {}),
    });
    this.encodingFormat = options.encodingFormat ?? 'base64';
    this.clock = options.clock ?? systemClock;

    if (options.limiter) {
      if (options.concurrency !== undefined || options.tokensPerMinute !== undefined || options.requestsPerMinute !== undefined) {
        throw new ConfigError('OpenAiEmbedder: set concurrency, tokensPerMinute and requestsPerMinute on the shared limiter, not next to it', { key: 'limiter' });
      }
      this.limiter = options.limiter;
    } else {
      this.limiter = new RateLimiter({
        owner: 'OpenAiEmbedder',
        concurrency: options.concurrency ?? 4,
        clock: this.clock,
        ...(options.sleep ? { sleep: options.sleep } : {}),
        ...(options.tokensPerMinute === undefined ? {} : { tokensPerMinute: options.tokensPerMinute }),
        ...(options.requestsPerMinute === undefined ? {} : { requestsPerMinute: options.requestsPerMinute }),
      });
    }

    this.baseURL = options.baseURL ?? 'https://api.openai.com/v1';
    this.client = new OpenAI({
      apiKey: options.apiKey,
      baseURL: this.baseURL,
      maxRetries: 0,
      timeout: positiveInteger('timeoutMs', options.timeoutMs ?? 60_000),
    });
  }

  /** One request's bounds, for callers that gather texts into full requests. */
  get requestLimits(): RequestLimits {
    return { maxInputs: this.maxInputsPerRequest, maxTokens: this.maxTokensPerRequest };
  }

  /**
   * cl100k tokens of `text`, remembered until it is embedded: a caller that counts to fill
   * requests (the embed-ahead buffer) does not pay for counting twice. At most
   * COUNTED_TEXTS_MAX counts are kept; past that they are forgotten (and counted again).
   */
  countTokens(text: string): number {
    const known = this.counted.get(text);
    if (known !== undefined) return known;
    const tokens = tokensOf(text);
    if (this.counted.size >= COUNTED_TEXTS_MAX) this.counted.clear();
    this.counted.set(text, tokens);
    return tokens;
  }

  private readonly counted = new Map<string, number>();

  async embed(texts: readonly string[]): Promise<EmbeddingResult> {
    if (texts.length === 0) return { vectors: [], tokens: 0, calls: 0 };
    const batches = planRequests(texts, {
      model: this.model,
      maxInputsPerRequest: this.maxInputsPerRequest,
      maxTokensPerRequest: this.maxTokensPerRequest,
      maxTokensPerInput: this.maxTokensPerInput,
    }, this.counted);
    for (const text of texts) this.counted.delete(text);

    const vectors = new Array<Float32Array>(texts.length);
    const call: CallState = { calls: 0, tokens: 0 };
    await Promise.allSettled(
      batches.map(async (batch) => {
        try {
          const batchVectors = await this.send(batch, call);
          batchVectors.forEach((vector, offset) => {
            vectors[batch.start + offset] = vector;
          });
        } catch (error) {
          call.error ??= error;
        }
      }),
    );
    if (call.error !== undefined) throw call.error;
    return { vectors, tokens: call.tokens, calls: call.calls };
  }

  /** One logical request: attempts until success, a split, or a final error. */
  private async send(batch: Batch, call: CallState): Promise<Float32Array[]> {
    let delayMs = 0;
    for (let attempt = 1; ; attempt++) {
      // The outcome is judged while the attempt still holds its limiter slot, so a final error
      // is recorded before the next queued request of this call can start.
      const outcome = await this.limiter.run(
        async (): Promise<Outcome> => {
          // Another request of this call failed for good: do not spend more.
          if (call.error !== undefined) return { kind: 'fail', error: call.error };
          if (attempt > 1) this.stats.retries += 1;
          try {
            return { kind: 'ok', vectors: await this.request(batch, call) };
          } catch (error) {
            const verdict = judgeFailure(error, { model: this.model, baseURL: this.baseURL, inputs: batch.inputs.length, nowMs: this.clock.now() });
            const outcome = this.decide(verdict, attempt, batch);
            // Recorded at once: the call's other requests stop before their next attempt.
            if (outcome.kind === 'fail') call.error ??= outcome.error;
            return outcome;
          }
        },
        { tokens: batch.tokens, delayMs },
      );

      switch (outcome.kind) {
        case 'ok':
          return outcome.vectors;
        case 'fail':
          throw outcome.error;
        case 'retry':
          delayMs = outcome.delayMs;
          break;
        case 'split': {
          // The server counted more tokens than we did: halve the request until it fits.
          const [left, right] = halve(batch);
          const [a, b] = await Promise.allSettled([this.send(left, call), this.send(right, call)]);
          if (a.status === 'rejected') throw a.reason;
          if (b.status === 'rejected') throw b.reason;
          return [...a.value, ...b.value];
        }
      }
    }
  }

  /** Turns a failed attempt's verdict into the next step, by the retry policy: a retry after a delay, a split, or a final error. */
  private decide(verdict: Verdict, attempt: number, batch: Batch): Outcome {
    if (verdict.kind !== 'retry') return verdict;
    const context = { model: this.model, attempts: attempt, inputs: batch.inputs.length, ...(verdict.status === undefined ? {} : { status: verdict.status }) };
    const step = this.retry.next(attempt, verdict);
    switch (step.kind) {
      case 'exhausted':
        return { kind: 'fail', error: new TransientError(`OpenAI embeddings request failed after ${attempt} attempts: ${verdict.reason}`, { context }) };
      case 'wait-too-long':
        return {
          kind: 'fail',
          error: new TransientError(
            `OpenAI asked to wait ${Math.round(step.waitMs)} ms before retrying (over maxRetryWaitMs ${step.maxWaitMs}): ${verdict.reason}`,
            { context: { ...context, retryAfterMs: step.waitMs } },
          ),
        };
      case 'retry':
        if (step.holdAllMs !== undefined) this.limiter.pauseFor(step.holdAllMs, verdict.reason);
        return { kind: 'retry', delayMs: step.delayMs };
    }
  }

  private async request(batch: Batch, call: CallState): Promise<Float32Array[]> {
    this.stats.requests += 1;
    call.calls += 1;
    const response: CreateEmbeddingResponse = await this.client.embeddings.create({
      model: this.model,
      input: [...batch.inputs],
      encoding_format: this.encodingFormat,
      ...(this.sendDimensions ? { dimensions: this.dimensions } : {}),
    });
    const vectors = decodeEmbeddings(response, batch.inputs.length, { model: this.model, baseURL: this.baseURL, dimensions: this.dimensions });
    const used = response.usage.total_tokens;
    this.stats.tokens += used;
    this.stats.inputs += batch.inputs.length;
    call.tokens += used;
    return vectors;
  }
}

function positiveInteger(key: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) throw new ConfigError(`OpenAiEmbedder: ${key} must be a positive integer, got ${value}`, { key });
  return value;
}
