import OpenAI from 'openai';
import type { CreateEmbeddingResponse } from 'openai/resources/embeddings';
// The encoding module carries its BPE ranks: nothing is downloaded at run time.
import { countTokens } from 'gpt-tokenizer/encoding/cl100k_base';
import { ConfigError, PoisonTaskError, TransientError, TributaryError } from '../../core/errors.ts';
import type { Embedder, EmbeddingResult } from '../../ports/index.ts';
import { NATIVE_DIMENSIONS } from './models.ts';

// ───────────────────────────── Errors ─────────────────────────────

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

// ───────────────────────────── Limiter ─────────────────────────────

export interface EmbeddingLimiterOptions {
  /**
   * Requests in flight at once (waiting out a rate budget or a backoff counts as in flight).
   * @default 4
   */
  concurrency?: number;
  /** Request budget per minute (a token bucket refilled continuously); unlimited when absent. */
  requestsPerMinute?: number;
  /** Input-token budget per minute (a token bucket refilled continuously); unlimited when absent. */
  tokensPerMinute?: number;
  /** Clock, ms since the epoch. @default Date.now */
  now?: () => number;
  /** @default setTimeout-based sleep */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Admission control shared by every `embed()` call of an embedder (pass one instance to several
 * embedders to share it across them): a FIFO semaphore bounding requests in flight, optional
 * per-minute request and token budgets, and a pause that every request honours after the
 * provider said "retry after".
 *
 * Budgets are reserved, not polled: a request takes its share at once (the bucket may go
 * negative) and sleeps once for the time the refill needs. Nothing spins, so an injected clock
 * and an instant `sleep` keep tests deterministic.
 */
export class EmbeddingLimiter {
  readonly concurrency: number;
  /** Waits imposed so far (budgets, pauses and backoffs). */
  readonly stats = { waits: 0, waitedMs: 0 };
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly requestBucket: Bucket | undefined;
  private readonly tokenBucket: Bucket | undefined;
  private readonly waiting: Array<() => void> = [];
  private active = 0;
  private pausedUntil = 0;

  constructor(options: EmbeddingLimiterOptions = {}) {
    this.concurrency = positiveInteger('concurrency', options.concurrency ?? 4);
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? defaultSleep;
    const start = this.now();
    this.requestBucket = options.requestsPerMinute === undefined
      ? undefined
      : new Bucket(positiveNumber('requestsPerMinute', options.requestsPerMinute), start);
    this.tokenBucket = options.tokensPerMinute === undefined
      ? undefined
      : new Bucket(positiveNumber('tokensPerMinute', options.tokensPerMinute), start);
  }

  /** Requests holding a slot now. */
  get inFlight(): number {
    return this.active;
  }

  /**
   * Runs `fn` once a slot is free, the budgets allow `tokens` more, any pause is over and at
   * least `delayMs` (a retry's backoff) has passed.
   */
  async run<T>(tokens: number, fn: () => Promise<T>, options: { delayMs?: number } = {}): Promise<T> {
    await this.acquire();
    try {
      const now = this.now();
      let wait = Math.max(options.delayMs ?? 0, this.pausedUntil - now);
      if (this.requestBucket) wait = Math.max(wait, this.requestBucket.reserve(1, now));
      if (this.tokenBucket) wait = Math.max(wait, this.tokenBucket.reserve(tokens, now));
      if (wait > 0) {
        this.stats.waits += 1;
        this.stats.waitedMs += wait;
        await this.sleep(wait);
      }
      return await fn();
    } finally {
      this.release();
    }
  }

  /** Holds every request (already queued or not) for at least `ms` from now. */
  pauseFor(ms: number): void {
    if (ms > 0) this.pausedUntil = Math.max(this.pausedUntil, this.now() + ms);
  }

  private acquire(): Promise<void> {
    if (this.active < this.concurrency) {
      this.active += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    // The slot passes straight to the next waiter, so `active` stays the same.
    if (next) next();
    else this.active -= 1;
  }
}

/** Token bucket of `perMinute` capacity, refilled continuously. */
class Bucket {
  private level: number;
  private updatedAt: number;

  constructor(private readonly perMinute: number, now: number) {
    this.level = perMinute;
    this.updatedAt = now;
  }

  /** Takes `amount` (at most the capacity) and returns how long to wait until it was there. */
  reserve(amount: number, now: number): number {
    const perMs = this.perMinute / 60_000;
    this.level = Math.min(this.perMinute, this.level + Math.max(0, now - this.updatedAt) * perMs);
    this.updatedAt = Math.max(this.updatedAt, now);
    this.level -= Math.min(amount, this.perMinute);
    return this.level >= 0 ? 0 : Math.ceil(-this.level / perMs);
  }
}

// ───────────────────────────── Embedder ─────────────────────────────

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
   * Requests in flight at once across all `embed()` calls of this embedder (ignored with `limiter`).
   * @default 4
   */
  concurrency?: number;
  /** Input-token budget per minute (ignored with `limiter`); unlimited when absent. */
  tokensPerMinute?: number;
  /** Request budget per minute (ignored with `limiter`); unlimited when absent. */
  requestsPerMinute?: number;
  /** A limiter shared with other embedders of the same deployment; replaces `concurrency` and the budgets. */
  limiter?: EmbeddingLimiter;
  /**
   * Per-request timeout; a timeout is retried like a connection error.
   * @default 60_000
   */
  timeoutMs?: number;
  /**
   * First backoff ceiling; attempt n waits a uniformly random time in `[0, min(max, base·2ⁿ⁻¹))`
   * (full jitter), or longer when the provider says so.
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
  sleep?: (ms: number) => Promise<void>;
  /** Jitter source in [0, 1). @default Math.random */
  random?: () => number;
  /** Clock for budgets, pauses and HTTP-date `retry-after`. @default Date.now */
  now?: () => number;
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

/** Special-token text (`<|endoftext|>`) is ordinary text in an embedding input. */
const AS_PLAIN_TEXT = { disallowedSpecial: new Set<string>() };
const RETRYABLE_STATUSES = new Set([408, 409, 429, 500, 502, 503, 504]);

interface Batch {
  readonly start: number;
  readonly inputs: readonly string[];
  readonly tokens: number;
}

interface CallState {
  calls: number;
  tokens: number;
  error?: unknown;
}

/** How a failed attempt is classified. */
type Verdict =
  | { readonly kind: 'retry'; readonly reason: string; readonly status?: number; readonly advertisedMs?: number }
  | { readonly kind: 'split' }
  | { readonly kind: 'fail'; readonly error: unknown };

/** What an attempt leads to. */
type Outcome =
  | { readonly kind: 'ok'; readonly vectors: Float32Array[] }
  | { readonly kind: 'retry'; readonly delayMs: number }
  | { readonly kind: 'split' }
  | { readonly kind: 'fail'; readonly error: unknown };

/**
 * Embedder backed by OpenAI's `/v1/embeddings`, through the official `openai` client with its
 * retries off (`maxRetries: 0`): the retry loop here counts every request, honours the
 * provider's wait headers and shares one {@link EmbeddingLimiter} across concurrent calls.
 *
 * `embed(texts)`:
 * - counts each input's tokens with cl100k_base (the tokenizer of text-embedding-3-* and
 *   ada-002; also used, as an estimate, for other model names); an input over
 *   `maxTokensPerInput` fails the whole call with PoisonTaskError before any request;
 * - sends an empty string as a single space: the API answers 400 to an empty input (inside an
 *   array), and the chunker may legitimately produce an empty chunk for an empty document;
 * - packs inputs greedily, in order, into requests bounded by `maxInputsPerRequest` and
 *   `maxTokensPerRequest`, sent with bounded concurrency; vectors come back in input order;
 * - `tokens` is the sum of `usage.total_tokens`, `calls` every HTTP request, retries included.
 *
 * Errors: 408/409/429/5xx, connection errors and timeouts are retried (exponential backoff, full
 * jitter, at least `retry-after-ms` / `retry-after` / `x-ratelimit-reset-*`; a 429's wait also
 * pauses every other request of the limiter) up to `maxAttempts`, then TransientError; an
 * `x-should-retry: false` header ends the retries at once. 400 `max_tokens_per_request` (local
 * and server counts disagreed) splits the request in two; a 400 about the settings (`param`
 * model, dimensions or encoding_format) is an EmbeddingProviderError; any other 400/4xx is a
 * PoisonTaskError with the API's message (that input's document is skipped); 401/403/404 and
 * 429 `insufficient_quota` are an EmbeddingProviderError (no document escapes: the run fails). When one request fails for good, the call's other requests stop
 * before their next attempt and `embed()` rejects once none is in flight.
 */
export class OpenAiEmbedder implements Embedder {
  readonly model: string;
  readonly dimensions: number;
  readonly stats: OpenAiEmbedderStats = { requests: 0, retries: 0, tokens: 0, inputs: 0 };
  readonly limiter: EmbeddingLimiter;
  private readonly client: OpenAI;
  private readonly baseURL: string;
  private readonly sendDimensions: boolean;
  private readonly encodingFormat: 'base64' | 'float';
  private readonly maxInputsPerRequest: number;
  private readonly maxTokensPerRequest: number;
  private readonly maxTokensPerInput: number;
  private readonly maxAttempts: number;
  private readonly baseBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly maxRetryWaitMs: number;
  private readonly random: () => number;
  private readonly now: () => number;

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
    this.maxAttempts = positiveInteger('maxAttempts', options.maxAttempts ?? 8);
    this.baseBackoffMs = nonNegativeNumber('baseBackoffMs', options.baseBackoffMs ?? 500);
    this.maxBackoffMs = nonNegativeNumber('maxBackoffMs', options.maxBackoffMs ?? 30_000);
    this.maxRetryWaitMs = nonNegativeNumber('maxRetryWaitMs', options.maxRetryWaitMs ?? 60_000);
    this.encodingFormat = options.encodingFormat ?? 'base64';
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;

    if (options.limiter) {
      if (options.concurrency !== undefined || options.tokensPerMinute !== undefined || options.requestsPerMinute !== undefined) {
        throw new ConfigError('OpenAiEmbedder: set concurrency, tokensPerMinute and requestsPerMinute on the shared limiter, not next to it', { key: 'limiter' });
      }
      this.limiter = options.limiter;
    } else {
      const limiterOptions: EmbeddingLimiterOptions = { concurrency: options.concurrency ?? 4, now: this.now };
      if (options.sleep) limiterOptions.sleep = options.sleep;
      if (options.tokensPerMinute !== undefined) limiterOptions.tokensPerMinute = options.tokensPerMinute;
      if (options.requestsPerMinute !== undefined) limiterOptions.requestsPerMinute = options.requestsPerMinute;
      this.limiter = new EmbeddingLimiter(limiterOptions);
    }

    this.baseURL = options.baseURL ?? 'https://api.openai.com/v1';
    this.client = new OpenAI({
      apiKey: options.apiKey,
      baseURL: this.baseURL,
      maxRetries: 0,
      timeout: positiveInteger('timeoutMs', options.timeoutMs ?? 60_000),
    });
  }

  async embed(texts: readonly string[]): Promise<EmbeddingResult> {
    if (texts.length === 0) return { vectors: [], tokens: 0, calls: 0 };

    const inputs = texts.map((text) => (text === '' ? ' ' : text));
    const counts = inputs.map((text, index) => {
      const tokens = countTokens(text, AS_PLAIN_TEXT);
      if (tokens > this.maxTokensPerInput) {
        throw new PoisonTaskError(
          `input ${index} has ${tokens} tokens, over the ${this.maxTokensPerInput}-token limit per input of ${this.model}; ` +
            `lower the chunker's maxTokens so chunks fit (inputs are never truncated)`,
          { index, tokens, maxTokensPerInput: this.maxTokensPerInput, model: this.model },
        );
      }
      return tokens;
    });

    const vectors = new Array<Float32Array>(texts.length);
    const call: CallState = { calls: 0, tokens: 0 };
    await Promise.allSettled(
      this.pack(inputs, counts).map(async (batch) => {
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

  /** Greedy, in order: a request closes when the next input would break either bound. */
  private pack(inputs: readonly string[], counts: readonly number[]): Batch[] {
    const batches: Batch[] = [];
    let start = 0;
    let tokens = 0;
    for (let i = 0; i < inputs.length; i++) {
      const count = counts[i] ?? 0;
      if (i > start && (i - start >= this.maxInputsPerRequest || tokens + count > this.maxTokensPerRequest)) {
        batches.push({ start, inputs: inputs.slice(start, i), tokens });
        start = i;
        tokens = 0;
      }
      tokens += count;
    }
    batches.push({ start, inputs: inputs.slice(start), tokens });
    return batches;
  }

  /** One logical request: attempts until success, a split, or a final error. */
  private async send(batch: Batch, call: CallState): Promise<Float32Array[]> {
    let delayMs = 0;
    for (let attempt = 1; ; attempt++) {
      // The outcome is judged while the attempt still holds its limiter slot, so a final error
      // is recorded before the next queued request of this call can start.
      const outcome = await this.limiter.run(
        batch.tokens,
        async (): Promise<Outcome> => {
          // Another request of this call failed for good: do not spend more.
          if (call.error !== undefined) return { kind: 'fail', error: call.error };
          if (attempt > 1) this.stats.retries += 1;
          try {
            return { kind: 'ok', vectors: await this.request(batch, call) };
          } catch (error) {
            const outcome = this.decide(this.judge(error, batch), attempt, batch);
            if (outcome.kind === 'fail') failCall(call, outcome.error);
            return outcome;
          }
        },
        { delayMs },
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
          const half = Math.ceil(batch.inputs.length / 2);
          const tokensOf = (inputs: readonly string[]): number => inputs.reduce((sum, text) => sum + countTokens(text, AS_PLAIN_TEXT), 0);
          const left = batch.inputs.slice(0, half);
          const right = batch.inputs.slice(half);
          const [a, b] = await Promise.allSettled([
            this.send({ start: batch.start, inputs: left, tokens: tokensOf(left) }, call),
            this.send({ start: batch.start + half, inputs: right, tokens: tokensOf(right) }, call),
          ]);
          if (a.status === 'rejected') throw a.reason;
          if (b.status === 'rejected') throw b.reason;
          return [...a.value, ...b.value];
        }
      }
    }
  }

  /** Turns a failed attempt's verdict into the next step: a retry after a delay, a split, or a final error. */
  private decide(verdict: Verdict, attempt: number, batch: Batch): Outcome {
    if (verdict.kind !== 'retry') return verdict;
    const context = { model: this.model, attempts: attempt, inputs: batch.inputs.length, ...(verdict.status === undefined ? {} : { status: verdict.status }) };
    if (attempt >= this.maxAttempts) {
      return { kind: 'fail', error: new TransientError(`OpenAI embeddings request failed after ${attempt} attempts: ${verdict.reason}`, { context }) };
    }
    const advertised = verdict.advertisedMs;
    if (advertised !== undefined && advertised > this.maxRetryWaitMs) {
      return {
        kind: 'fail',
        error: new TransientError(
          `OpenAI asked to wait ${Math.round(advertised)} ms before retrying (over maxRetryWaitMs ${this.maxRetryWaitMs}): ${verdict.reason}`,
          { context: { ...context, retryAfterMs: advertised } },
        ),
      };
    }
    // Throttled with a stated wait: everyone else sharing the limiter holds off too.
    if (verdict.status === 429 && advertised !== undefined) this.limiter.pauseFor(advertised);
    const ceiling = Math.min(this.maxBackoffMs, this.baseBackoffMs * 2 ** (attempt - 1));
    return { kind: 'retry', delayMs: Math.max(advertised ?? 0, this.random() * ceiling) };
  }

  private async request(batch: Batch, call: CallState): Promise<Float32Array[]> {
    this.stats.requests += 1;
    call.calls += 1;
    const response = await this.client.embeddings.create({
      model: this.model,
      input: [...batch.inputs],
      encoding_format: this.encodingFormat,
      ...(this.sendDimensions ? { dimensions: this.dimensions } : {}),
    });
    const vectors = this.decode(response, batch.inputs.length);
    const used = response.usage.total_tokens;
    this.stats.tokens += used;
    this.stats.inputs += batch.inputs.length;
    call.tokens += used;
    return vectors;
  }

  /** Orders the vectors by `index` and decodes base64 (little-endian float32) or float arrays. */
  private decode(response: CreateEmbeddingResponse, expected: number): Float32Array[] {
    const data: readonly unknown[] = Array.isArray(response.data) ? response.data : [];
    const vectors = new Array<Float32Array | undefined>(expected);
    for (const item of data) {
      const { index, embedding } = (item ?? {}) as { index?: unknown; embedding?: unknown };
      if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= expected || vectors[index] !== undefined) {
        throw new TransientError(`OpenAI returned a malformed embeddings response (bad or repeated index ${String(index)})`, { context: { model: this.model } });
      }
      const vector = toVector(embedding);
      if (vector === undefined) {
        throw new TransientError(`OpenAI returned a malformed embedding at index ${index}`, { context: { model: this.model } });
      }
      if (vector.length !== this.dimensions) {
        throw new EmbeddingProviderError(
          `${this.model} returned vectors of ${vector.length} dimensions, expected ${this.dimensions}; check the model name and that the server honours "dimensions"`,
          { context: { model: this.model, baseURL: this.baseURL, dimensions: this.dimensions, got: vector.length } },
        );
      }
      vectors[index] = vector;
    }
    const filled = vectors.filter((vector): vector is Float32Array => vector !== undefined);
    if (filled.length !== expected) {
      throw new TransientError(`OpenAI returned ${filled.length} embeddings for ${expected} inputs`, { context: { model: this.model } });
    }
    return filled;
  }

  /** Maps a failed attempt to retry, split or a final error. */
  private judge(error: unknown, batch: Batch): Verdict {
    // APIConnectionError (and its timeout subclass) extends APIError without a status.
    if (error instanceof OpenAI.APIConnectionError) {
      const reason = error instanceof OpenAI.APIConnectionTimeoutError ? 'request timed out' : `connection error: ${error.message}`;
      return { kind: 'retry', reason };
    }
    if (error instanceof OpenAI.APIError && typeof error.status === 'number') {
      const status = error.status;
      const apiMessage = messageOf(error);
      const context = {
        model: this.model,
        status,
        inputs: batch.inputs.length,
        ...(error.code ? { code: error.code } : {}),
        ...(error.type ? { type: error.type } : {}),
        ...(error.param ? { param: error.param } : {}),
        ...(error.requestID ? { requestId: error.requestID } : {}),
      };
      if (status === 429 && error.code === 'insufficient_quota') {
        return {
          kind: 'fail',
          error: new EmbeddingProviderError(`OpenAI quota exhausted (429 insufficient_quota): ${apiMessage}; check the account's plan and billing`, { status, cause: error, context }),
        };
      }
      if (RETRYABLE_STATUSES.has(status) || status >= 500) {
        const reason = `${status} ${apiMessage}`;
        if (error.headers?.get('x-should-retry') === 'false') {
          return { kind: 'fail', error: new TransientError(`OpenAI embeddings request failed and the server said not to retry it now: ${reason}`, { cause: error, context }) };
        }
        const advertisedMs = advertisedWaitMs(error.headers, status, this.now());
        return advertisedMs === undefined ? { kind: 'retry', reason, status } : { kind: 'retry', reason, status, advertisedMs };
      }
      if (status === 400 && error.code === 'max_tokens_per_request' && batch.inputs.length > 1) return { kind: 'split' };
      if (status === 401 || status === 403 || status === 404) {
        const hint = status === 401
          ? 'check the API key'
          : status === 403
            ? 'check that the API key (its project and organization) may use this model'
            : 'check the model name and the base URL';
        return {
          kind: 'fail',
          error: new EmbeddingProviderError(`OpenAI refused the embeddings request (${status}): ${apiMessage}; ${hint} (model ${this.model}, base URL ${this.baseURL})`, { status, cause: error, context: { ...context, baseURL: this.baseURL } }),
        };
      }
      if (status === 400 && isSettingsRefusal(error.param, apiMessage)) {
        // The model, the vector size or the encoding: every request fails alike, not one input.
        return {
          kind: 'fail',
          error: new EmbeddingProviderError(`OpenAI refused the request's settings (400): ${apiMessage}; check embedder.model and embedder.dimensions (model ${this.model}, base URL ${this.baseURL})`, { status, cause: error, context: { ...context, baseURL: this.baseURL } }),
        };
      }
      if (status >= 400 && status < 500) {
        return { kind: 'fail', error: new PoisonTaskError(`OpenAI rejected the embedding input (${status}): ${apiMessage}`, context) };
      }
      return { kind: 'fail', error: new TransientError(`OpenAI embeddings request failed with unexpected status ${status}: ${apiMessage}`, { cause: error, context }) };
    }
    if (error instanceof TributaryError) {
      return error.retryable ? { kind: 'retry', reason: error.message } : { kind: 'fail', error };
    }
    return { kind: 'fail', error };
  }
}

// ───────────────────────────── Helpers ─────────────────────────────

/** Request parameters other than the input: a 400 naming one refuses the configuration. */
const SETTINGS_PARAMS = new Set(['model', 'dimensions', 'encoding_format', 'user']);

/** Whether a 400 is about the request's settings (model, dimensions, encoding) rather than its input. */
function isSettingsRefusal(param: string | null | undefined, message: string): boolean {
  if (param !== null && param !== undefined && param !== '') return SETTINGS_PARAMS.has(param);
  return /\b(dimensions?|model|encoding_format)\b/i.test(message) && !/\binput\b/i.test(message);
}

/** Records the call's first final error (the other requests stop before their next attempt). */
function failCall(call: CallState, error: unknown): void {
  call.error ??= error;
}

function toVector(embedding: unknown): Float32Array | undefined {
  if (typeof embedding === 'string') {
    const bytes = Buffer.from(embedding, 'base64');
    if (bytes.length % 4 !== 0) return undefined;
    const vector = new Float32Array(bytes.length / 4);
    // readFloatLE: independent of host endianness and of the Buffer's (unaligned) pool offset.
    for (let i = 0; i < vector.length; i++) vector[i] = bytes.readFloatLE(i * 4);
    return vector;
  }
  if (Array.isArray(embedding) && embedding.every((value) => typeof value === 'number')) return Float32Array.from(embedding as number[]);
  return undefined;
}

/** The API's own message (`error.message` of the JSON body), without the client's status prefix. */
function messageOf(error: InstanceType<typeof OpenAI.APIError>): string {
  const body = error.error as { message?: unknown } | undefined;
  return typeof body?.message === 'string' ? body.message : error.message;
}

/**
 * How long the response asked us to wait, in ms: `retry-after-ms`, else `retry-after` (seconds or
 * an HTTP date), else, on a 429, the `x-ratelimit-reset-*` duration of each exhausted limit
 * (`remaining` 0, or absent) — the longest of them.
 */
export function advertisedWaitMs(headers: Headers | undefined, status: number, now: number): number | undefined {
  if (!headers) return undefined;
  const retryAfterMs = headers.get('retry-after-ms');
  if (retryAfterMs !== null && retryAfterMs.trim() !== '') {
    const value = Number(retryAfterMs);
    if (Number.isFinite(value) && value >= 0) return value;
  }
  const retryAfter = headers.get('retry-after');
  if (retryAfter !== null && retryAfter.trim() !== '') {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  if (status !== 429) return undefined;
  let longest: number | undefined;
  for (const limit of ['requests', 'tokens']) {
    const reset = parseDurationMs(headers.get(`x-ratelimit-reset-${limit}`));
    if (reset === undefined) continue;
    const remaining = headers.get(`x-ratelimit-remaining-${limit}`);
    if (remaining !== null && Number(remaining) > 0) continue;
    longest = Math.max(longest ?? 0, reset);
  }
  return longest;
}

const DURATION_UNITS_MS: Readonly<Record<string, number>> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, µs: 0.001, ns: 0.000001 };

/** Parses OpenAI's (Go-style) durations: `6m0s`, `1s`, `20ms`, `1h2m3.5s`, `0.5s`. */
export function parseDurationMs(text: string | null | undefined): number | undefined {
  if (text === null || text === undefined) return undefined;
  const trimmed = text.trim();
  if (!/^(\d+(\.\d+)?(h|ms|m|s|us|µs|ns))+$/.test(trimmed)) return undefined;
  let total = 0;
  for (const match of trimmed.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g)) {
    total += Number(match[1]) * (DURATION_UNITS_MS[match[2] ?? ''] ?? 0);
  }
  return total;
}

function positiveInteger(key: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) throw new ConfigError(`OpenAiEmbedder: ${key} must be a positive integer, got ${value}`, { key });
  return value;
}

function positiveNumber(key: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new ConfigError(`OpenAiEmbedder: ${key} must be a positive number, got ${value}`, { key });
  return value;
}

function nonNegativeNumber(key: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) throw new ConfigError(`OpenAiEmbedder: ${key} must be a non-negative number, got ${value}`, { key });
  return value;
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
