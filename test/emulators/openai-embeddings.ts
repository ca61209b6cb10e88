import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { countTokens, decode } from 'gpt-tokenizer/encoding/cl100k_base';
import { HashingEmbedder } from '../../shared/adapters/local/hashing-embedder.ts';
import { mulberry32 } from '../../examples/generate-corpus.ts';

/**
 * Loopback emulator of OpenAI's `POST /v1/embeddings`, written from the published API reference:
 *
 * - Bearer auth: a missing or wrong key is a 401 with the documented error JSON
 *   `{"error":{"message","type","param","code"}}`.
 * - `input`: a string, an array of strings, an array of token ids or an array of arrays of token
 *   ids; an empty string (or empty array) is a 400. `model` is required; unknown models are a 404
 *   `model_not_found`.
 * - `dimensions`: honoured for `text-embedding-3-*` (1 ≤ d ≤ native size: 1536 small, 3072
 *   large); `text-embedding-ada-002` rejects it. `encoding_format`: `float` (default) or
 *   `base64` (little-endian float32 bytes, base64).
 * - Vectors are deterministic unit vectors from the local {@link HashingEmbedder} with the
 *   requested dimensions (not semantic: texts are close when they share words).
 * - `usage.prompt_tokens`/`total_tokens` are counted with cl100k_base (gpt-tokenizer), the
 *   tokenizer of the three embedding models.
 * - Limits, each a 400: more than 2048 inputs, an input over 8192 tokens, more than 300,000
 *   tokens in one request.
 * - Optional per-minute rate limits (token buckets) answered with 429 `rate_limit_exceeded` and
 *   the `x-ratelimit-*` headers; without them no rate-limit headers are sent.
 *
 * Test controls: {@link OpenAiEmulator.failNext}, a "storm" mode, latency, a request log.
 */

// ───────────────────────────── Types ─────────────────────────────

/** An injected failure: the status and the retry headers that come with it. */
export interface FailureSpec {
  /** HTTP status, usually 429, 500, 502, 503 or 504 (any 4xx/5xx works). */
  readonly status: number;
  /** `retry-after` in seconds. */
  readonly retryAfterSeconds?: number;
  /** `retry-after` as an HTTP date (wins over `retryAfterSeconds`). */
  readonly retryAfterDate?: Date;
  /** `retry-after-ms`. */
  readonly retryAfterMs?: number;
  /** `x-ratelimit-reset-requests`: a duration string (`1s`, `6m0s`, `20ms`) or milliseconds. */
  readonly resetRequests?: string | number;
  /** `x-ratelimit-reset-tokens`: a duration string or milliseconds. */
  readonly resetTokens?: string | number;
  /** `x-should-retry` (the official clients obey it). */
  readonly shouldRetry?: boolean;
  /** `error.code`; defaults per status (`rate_limit_exceeded` for 429). */
  readonly code?: string | null;
  /** `error.type`; defaults per status. */
  readonly type?: string;
  readonly message?: string;
}

/**
 * A steady stream of failures:
 * - `random`: each request fails with `probability`, drawn from a PRNG seeded with `seed`;
 * - `window`: the first `failFirst` requests of every `windowMs` window fail (emulator clock);
 * - `perBody`: the first `failFirst` attempts of every distinct request body fail, so each
 *   logical request succeeds on attempt `failFirst + 1`.
 * The failure itself is `failure` (default: 429 with `retry-after-ms: 20`).
 */
export type StormSpec =
  | { readonly mode: 'random'; readonly probability: number; readonly seed?: number; readonly failure?: FailureSpec }
  | { readonly mode: 'window'; readonly windowMs: number; readonly failFirst: number; readonly failure?: FailureSpec }
  | { readonly mode: 'perBody'; readonly failFirst: number; readonly failure?: FailureSpec };

export interface RateLimitSpec {
  /** Requests per minute (a token bucket refilled continuously). */
  readonly requestsPerMinute?: number;
  /** Input tokens per minute (a token bucket refilled continuously). */
  readonly tokensPerMinute?: number;
}

export interface OpenAiEmulatorOptions {
  /** @default 'sk-emulator-0123456789abcdef' */
  readonly apiKey?: string;
  /** Delay before each response, in ms. @default 0 */
  readonly latencyMs?: number;
  /** Emulator clock (rate-limit buckets and storm windows). @default Date.now */
  readonly now?: () => number;
  readonly storm?: StormSpec;
  readonly rateLimits?: RateLimitSpec;
  /** @default 2048 */
  readonly maxInputs?: number;
  /** @default 8192 */
  readonly maxTokensPerInput?: number;
  /** @default 300_000 */
  readonly maxTokensPerRequest?: number;
}

/** One request as the emulator saw it. */
export interface EmulatorRequestLog {
  readonly seq: number;
  readonly at: number;
  readonly status: number;
  readonly model?: string;
  /** Number of inputs (0 when the body did not parse). */
  readonly inputs: number;
  /** cl100k tokens of all inputs (counted even when the request failed after parsing). */
  readonly tokens: number;
  readonly dimensions?: number;
  readonly encodingFormat?: string;
  /** True when the failure came from `failNext` or the storm, not from validation. */
  readonly injected: boolean;
  readonly error?: { readonly message: string; readonly type: string; readonly code: string | null };
}

export interface EmulatorStats {
  readonly requests: number;
  readonly succeeded: number;
  readonly failed: number;
  /** Requests answered with 429. */
  readonly throttled: number;
  /** Most requests the emulator was handling at once. */
  readonly maxInFlight: number;
  /** Inputs embedded by successful requests. */
  readonly inputs: number;
  /** Sum of `usage.total_tokens` over successful responses. */
  readonly tokens: number;
}

export interface OpenAiEmulator {
  /** Base URL including `/v1`, e.g. `http://127.0.0.1:54321/v1`. */
  readonly url: string;
  readonly apiKey: string;
  /** Every request so far, oldest first. */
  readonly requests: readonly EmulatorRequestLog[];
  stats(): EmulatorStats;
  /** The next `count` requests (that pass authentication) fail with `failure`. */
  failNext(count: number, failure: FailureSpec): void;
  /** Starts (or, with `undefined`, stops) a storm. */
  setStorm(storm: StormSpec | undefined): void;
  setLatency(ms: number): void;
  setRateLimits(limits: RateLimitSpec | undefined): void;
  clearLog(): void;
  /** Clears the log, pending failures, storm, latency and rate limits (back to the start options minus those). */
  reset(): void;
  close(): Promise<void>;
}

// ───────────────────────────── Constants ─────────────────────────────

const NATIVE_DIMENSIONS: Readonly<Record<string, number>> = {
  'text-embedding-3-small': 1536,
  'text-embedding-3-large': 3072,
  'text-embedding-ada-002': 1536,
};
const SUPPORTS_DIMENSIONS = new Set(['text-embedding-3-small', 'text-embedding-3-large']);
const NO_SPECIAL_TOKENS = { disallowedSpecial: new Set<string>() };
const MAX_BODY_BYTES = 64 * 1024 * 1024;
const DEFAULT_STORM_FAILURE: FailureSpec = { status: 429, retryAfterMs: 20 };

interface ApiErrorBody {
  readonly message: string;
  readonly type: string;
  readonly param: string | null;
  readonly code: string | null;
}

class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody,
    readonly headers: Readonly<Record<string, string>> = {},
    readonly injected = false,
  ) {
    super(body.message);
  }
}

function invalid(message: string, param: string | null = null, code: string | null = null): ApiFailure {
  return new ApiFailure(400, { message, type: 'invalid_request_error', param, code });
}

const INVALID_INPUT = "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.";

// ───────────────────────────── Emulator ─────────────────────────────

/** Starts the emulator on 127.0.0.1 (a free port). Close it with `close()`. */
export async function startOpenAiEmulator(options: OpenAiEmulatorOptions = {}): Promise<OpenAiEmulator> {
  const apiKey = options.apiKey ?? 'sk-emulator-0123456789abcdef';
  const now = options.now ?? Date.now;
  const maxInputs = options.maxInputs ?? 2048;
  const maxTokensPerInput = options.maxTokensPerInput ?? 8192;
  const maxTokensPerRequest = options.maxTokensPerRequest ?? 300_000;
  let latencyMs = options.latencyMs ?? 0;
  let storm: StormState | undefined = options.storm === undefined ? undefined : stormState(options.storm);
  let limits: LimitState | undefined = options.rateLimits === undefined ? undefined : limitState(options.rateLimits, now());
  const pending: FailureSpec[] = [];
  const log: EmulatorRequestLog[] = [];
  const embedders = new Map<number, HashingEmbedder>();
  let seq = 0;
  let inFlight = 0;
  let maxInFlight = 0;

  const embedderFor = (dimensions: number): HashingEmbedder => {
    let embedder = embedders.get(dimensions);
    if (!embedder) {
      embedder = new HashingEmbedder({ dimensions });
      embedders.set(dimensions, embedder);
    }
    return embedder;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const at = now();
    const entry: { -readonly [K in keyof EmulatorRequestLog]: EmulatorRequestLog[K] } = {
      seq: ++seq, at, status: 200, inputs: 0, tokens: 0, injected: false,
    };
    log.push(entry);
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    // Everything is decided on arrival; the latency only delays the answer (so a slow request
    // left over from an earlier test cannot consume a failure meant for a later one).
    const latency = latencyMs;
    let status = 200;
    let headers: Record<string, string> = {};
    let payload: unknown;
    try {
      const rawBody = await readBody(req);
      const path = (req.url ?? '/').split('?')[0];
      if (path !== '/v1/embeddings') {
        throw new ApiFailure(404, { message: `Invalid URL (${req.method ?? 'GET'} ${path ?? '/'})`, type: 'invalid_request_error', param: null, code: null });
      }
      if (req.method !== 'POST') {
        throw new ApiFailure(405, { message: `Not allowed to ${req.method ?? 'GET'} on ${path} (only POST).`, type: 'invalid_request_error', param: null, code: null });
      }
      authenticate(req.headers.authorization, apiKey);

      const injected = pending.shift() ?? storm?.next(rawBody, now());
      if (injected) throw injectedFailure(injected);

      const request = parseRequest(rawBody);
      entry.model = request.model;
      entry.encodingFormat = request.encodingFormat;
      if (request.dimensions !== undefined) entry.dimensions = request.dimensions;
      entry.inputs = request.inputs.length;
      const counted = request.inputs.map((input) => (typeof input === 'string' ? countTokens(input, NO_SPECIAL_TOKENS) : input.length));
      const total = counted.reduce((sum, n) => sum + n, 0);
      entry.tokens = total;

      if (request.inputs.length > maxInputs) {
        throw invalid(
          `Invalid 'input': array too long. Expected an array with maximum length ${maxInputs}, but got an array with length ${request.inputs.length} instead.`,
          'input',
          'array_above_max_length',
        );
      }
      counted.forEach((n) => {
        if (n > maxTokensPerInput) throw invalid(`Invalid 'input': maximum context length is ${maxTokensPerInput} tokens.`);
      });
      if (total > maxTokensPerRequest) {
        throw new ApiFailure(400, {
          message: `Requested ${total} tokens, max ${maxTokensPerRequest} tokens per request`,
          type: 'max_tokens_per_request',
          param: null,
          code: 'max_tokens_per_request',
        });
      }

      if (limits) {
        const verdict = limits.take(total, now(), request.model);
        headers = verdict.headers;
        if (verdict.failure) throw verdict.failure;
      }

      const native = NATIVE_DIMENSIONS[request.model] ?? 1536;
      const dimensions = request.dimensions ?? native;
      const embedder = embedderFor(dimensions);
      const texts = request.inputs.map((input) => (typeof input === 'string' ? input : decode(input)));
      const { vectors } = await embedder.embed(texts);
      payload = {
        object: 'list',
        data: vectors.map((vector, index) => ({
          object: 'embedding',
          index,
          embedding: request.encodingFormat === 'base64' ? encodeBase64(vector) : Array.from(vector),
        })),
        model: request.model,
        usage: { prompt_tokens: total, total_tokens: total },
      };
    } catch (error) {
      const failure = error instanceof ApiFailure
        ? error
        : new ApiFailure(500, { message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error', param: null, code: null });
      status = failure.status;
      headers = { ...headers, ...failure.headers };
      payload = { error: failure.body };
      entry.injected = failure.injected;
      entry.error = { message: failure.body.message, type: failure.body.type, code: failure.body.code };
    }
    if (latency > 0) await delay(latency);
    inFlight -= 1;
    entry.status = status;
    const body = JSON.stringify(payload);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      'x-request-id': `req_emulator_${entry.seq}`,
      'openai-processing-ms': '1',
      ...headers,
    });
    res.end(body);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: String(error), type: 'server_error', param: null, code: null } }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    apiKey,
    get requests(): readonly EmulatorRequestLog[] {
      return log;
    },
    stats(): EmulatorStats {
      let succeeded = 0;
      let throttled = 0;
      let inputs = 0;
      let tokens = 0;
      for (const entry of log) {
        if (entry.status === 200) {
          succeeded += 1;
          inputs += entry.inputs;
          tokens += entry.tokens;
        }
        if (entry.status === 429) throttled += 1;
      }
      return { requests: log.length, succeeded, failed: log.length - succeeded, throttled, maxInFlight, inputs, tokens };
    },
    failNext(count: number, failure: FailureSpec): void {
      for (let i = 0; i < count; i++) pending.push(failure);
    },
    setStorm(next: StormSpec | undefined): void {
      storm = next === undefined ? undefined : stormState(next);
    },
    setLatency(ms: number): void {
      latencyMs = ms;
    },
    setRateLimits(next: RateLimitSpec | undefined): void {
      limits = next === undefined ? undefined : limitState(next, now());
    },
    clearLog(): void {
      log.length = 0;
      maxInFlight = inFlight;
    },
    reset(): void {
      log.length = 0;
      maxInFlight = inFlight;
      pending.length = 0;
      storm = undefined;
      latencyMs = 0;
      limits = undefined;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

// ───────────────────────────── Request parsing ─────────────────────────────

interface EmbeddingsRequest {
  readonly model: string;
  readonly inputs: ReadonlyArray<string | readonly number[]>;
  readonly dimensions?: number;
  readonly encodingFormat: 'float' | 'base64';
}

function authenticate(header: string | undefined, apiKey: string): void {
  const match = /^Bearer\s+(.+)$/i.exec(header ?? '');
  const given = match?.[1]?.trim();
  if (!given) {
    throw new ApiFailure(401, {
      message: "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY). You can obtain an API key from https://platform.openai.com/account/api-keys.",
      type: 'invalid_request_error',
      param: null,
      code: null,
    });
  }
  if (given !== apiKey) {
    const masked = given.length <= 8 ? given : `${given.slice(0, 3)}${'*'.repeat(Math.max(0, given.length - 7))}${given.slice(-4)}`;
    throw new ApiFailure(401, {
      message: `Incorrect API key provided: ${masked}. You can find your API key at https://platform.openai.com/account/api-keys.`,
      type: 'invalid_request_error',
      param: null,
      code: 'invalid_api_key',
    });
  }
}

function parseRequest(rawBody: string): EmbeddingsRequest {
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch {
    throw invalid(
      "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
    );
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('The request body must be a JSON object.');
  const fields = body as Record<string, unknown>;

  const model = fields['model'];
  if (model === undefined || model === null || model === '') throw invalid('you must provide a model parameter', 'model');
  if (typeof model !== 'string') throw invalid(`Invalid type for 'model': expected a string, but got ${typeName(model)} instead.`, 'model', 'invalid_type');
  const native = NATIVE_DIMENSIONS[model];
  if (native === undefined) {
    throw new ApiFailure(404, {
      message: `The model \`${model}\` does not exist or you do not have access to it.`,
      type: 'invalid_request_error',
      param: null,
      code: 'model_not_found',
    });
  }

  const inputs = parseInput(fields['input']);

  const encodingFormat = fields['encoding_format'] ?? 'float';
  if (encodingFormat !== 'float' && encodingFormat !== 'base64') {
    throw invalid(`Invalid value: '${String(encodingFormat)}'. Supported values are: 'float' and 'base64'.`, 'encoding_format', 'invalid_value');
  }

  const rawDimensions = fields['dimensions'];
  let dimensions: number | undefined;
  if (rawDimensions !== undefined && rawDimensions !== null) {
    if (!SUPPORTS_DIMENSIONS.has(model)) throw invalid('This model does not support specifying dimensions.', 'dimensions');
    if (typeof rawDimensions !== 'number' || !Number.isInteger(rawDimensions)) {
      throw invalid(`Invalid type for 'dimensions': expected an integer, but got ${typeName(rawDimensions)} instead.`, 'dimensions', 'invalid_type');
    }
    if (rawDimensions < 1) throw invalid(`Invalid 'dimensions': integer below minimum value. Expected a value >= 1, but got ${rawDimensions} instead.`, 'dimensions', 'integer_below_min_value');
    if (rawDimensions > native) throw invalid(`Invalid 'dimensions': integer above maximum value. Expected a value <= ${native}, but got ${rawDimensions} instead.`, 'dimensions', 'integer_above_max_value');
    dimensions = rawDimensions;
  }
  return dimensions === undefined ? { model, inputs, encodingFormat } : { model, inputs, dimensions, encodingFormat };
}

function parseInput(input: unknown): Array<string | readonly number[]> {
  if (input === undefined || input === null) throw invalid("Missing required parameter: 'input'.", 'input', 'missing_required_parameter');
  if (typeof input === 'string') {
    if (input === '') throw invalid(INVALID_INPUT);
    return [input];
  }
  if (!Array.isArray(input) || input.length === 0) throw invalid(INVALID_INPUT);
  if (input.every((item) => typeof item === 'string')) {
    if (input.some((item) => item === '')) throw invalid(INVALID_INPUT);
    return input as string[];
  }
  if (input.every(isTokenId)) return [input as number[]];
  if (input.every((item) => Array.isArray(item) && item.length > 0 && item.every(isTokenId))) return input as number[][];
  throw invalid(INVALID_INPUT);
}

function isTokenId(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 100_276;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

// ───────────────────────────── Failures ─────────────────────────────

function injectedFailure(spec: FailureSpec): ApiFailure {
  const headers: Record<string, string> = {};
  if (spec.retryAfterDate !== undefined) headers['retry-after'] = spec.retryAfterDate.toUTCString();
  else if (spec.retryAfterSeconds !== undefined) headers['retry-after'] = String(spec.retryAfterSeconds);
  if (spec.retryAfterMs !== undefined) headers['retry-after-ms'] = String(spec.retryAfterMs);
  if (spec.resetRequests !== undefined) {
    headers['x-ratelimit-reset-requests'] = typeof spec.resetRequests === 'number' ? formatDuration(spec.resetRequests) : spec.resetRequests;
    headers['x-ratelimit-remaining-requests'] = '0';
  }
  if (spec.resetTokens !== undefined) {
    headers['x-ratelimit-reset-tokens'] = typeof spec.resetTokens === 'number' ? formatDuration(spec.resetTokens) : spec.resetTokens;
    headers['x-ratelimit-remaining-tokens'] = '0';
  }
  if (spec.shouldRetry !== undefined) headers['x-should-retry'] = String(spec.shouldRetry);
  const defaults = defaultError(spec.status);
  return new ApiFailure(
    spec.status,
    {
      message: spec.message ?? defaults.message,
      type: spec.type ?? defaults.type,
      param: null,
      code: spec.code === undefined ? defaults.code : spec.code,
    },
    headers,
    true,
  );
}

function defaultError(status: number): { message: string; type: string; code: string | null } {
  switch (status) {
    case 400:
      return { message: INVALID_INPUT, type: 'invalid_request_error', code: null };
    case 401:
      return { message: 'Incorrect API key provided.', type: 'invalid_request_error', code: 'invalid_api_key' };
    case 403:
      return { message: 'You are not allowed to sample from this model', type: 'invalid_request_error', code: null };
    case 404:
      return { message: 'The model does not exist or you do not have access to it.', type: 'invalid_request_error', code: 'model_not_found' };
    case 429:
      return {
        message: 'Rate limit reached for requests. Please try again shortly. Visit https://platform.openai.com/account/rate-limits to learn more.',
        type: 'requests',
        code: 'rate_limit_exceeded',
      };
    case 503:
      return { message: 'The engine is currently overloaded, please try again later.', type: 'server_error', code: null };
    default:
      return status >= 500
        ? { message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error', code: null }
        : { message: `Request failed with status ${status}.`, type: 'invalid_request_error', code: null };
  }
}

interface StormState {
  next(rawBody: string, now: number): FailureSpec | undefined;
}

function stormState(spec: StormSpec): StormState {
  const failure = spec.failure ?? DEFAULT_STORM_FAILURE;
  switch (spec.mode) {
    case 'random': {
      const random = mulberry32(spec.seed ?? 1);
      return { next: () => (random() < spec.probability ? failure : undefined) };
    }
    case 'window': {
      let window = Number.NaN;
      let seen = 0;
      return {
        next: (_body, now) => {
          const current = Math.floor(now / spec.windowMs);
          if (current !== window) {
            window = current;
            seen = 0;
          }
          seen += 1;
          return seen <= spec.failFirst ? failure : undefined;
        },
      };
    }
    case 'perBody': {
      const attempts = new Map<string, number>();
      return {
        next: (body) => {
          const key = createHash('sha1').update(body).digest('hex');
          const attempt = (attempts.get(key) ?? 0) + 1;
          attempts.set(key, attempt);
          return attempt <= spec.failFirst ? failure : undefined;
        },
      };
    }
  }
}


// ───────────────────────────── Rate limits ─────────────────────────────

interface LimitState {
  take(tokens: number, now: number, model: string): { headers: Record<string, string>; failure?: ApiFailure };
}

interface Bucket {
  readonly capacity: number;
  level: number;
  updatedAt: number;
}

function limitState(spec: RateLimitSpec, start: number): LimitState {
  const bucket = (perMinute: number | undefined): Bucket | undefined =>
    perMinute === undefined ? undefined : { capacity: perMinute, level: perMinute, updatedAt: start };
  const requests = bucket(spec.requestsPerMinute);
  const tokens = bucket(spec.tokensPerMinute);
  const refill = (b: Bucket, now: number): void => {
    b.level = Math.min(b.capacity, b.level + (Math.max(0, now - b.updatedAt) * b.capacity) / 60_000);
    b.updatedAt = now;
  };
  /** Milliseconds until the bucket holds `amount` (and until it is full, for the reset header). */
  const msUntil = (b: Bucket, amount: number): number => Math.max(0, Math.ceil(((amount - b.level) * 60_000) / b.capacity));
  return {
    take(needed, now, model) {
      if (requests) refill(requests, now);
      if (tokens) refill(tokens, now);
      const headers = (): Record<string, string> => {
        const out: Record<string, string> = {};
        if (requests) {
          out['x-ratelimit-limit-requests'] = String(requests.capacity);
          out['x-ratelimit-remaining-requests'] = String(Math.max(0, Math.floor(requests.level)));
          out['x-ratelimit-reset-requests'] = formatDuration(msUntil(requests, requests.capacity));
        }
        if (tokens) {
          out['x-ratelimit-limit-tokens'] = String(tokens.capacity);
          out['x-ratelimit-remaining-tokens'] = String(Math.max(0, Math.floor(tokens.level)));
          out['x-ratelimit-reset-tokens'] = formatDuration(msUntil(tokens, tokens.capacity));
        }
        return out;
      };
      const requestShort = requests !== undefined && requests.level < 1;
      const tokenShort = tokens !== undefined && tokens.level < Math.min(needed, tokens.capacity);
      if (requestShort || tokenShort) {
        const kind = requestShort ? 'requests per min (RPM)' : 'tokens per min (TPM)';
        const b = (requestShort ? requests : tokens) as Bucket;
        const wait = requestShort ? msUntil(b, 1) : msUntil(b, Math.min(needed, b.capacity));
        const used = Math.round(b.capacity - b.level);
        const out = headers();
        out['retry-after-ms'] = String(wait);
        out['retry-after'] = String(Math.max(1, Math.ceil(wait / 1000)));
        return {
          headers: out,
          failure: new ApiFailure(429, {
            message: `Rate limit reached for ${model} in organization org-emulator on ${kind}: Limit ${b.capacity}, Used ${used}, Requested ${requestShort ? 1 : needed}. Please try again in ${formatDuration(wait)}. Visit https://platform.openai.com/account/rate-limits to learn more.`,
            type: requestShort ? 'requests' : 'tokens',
            param: null,
            code: 'rate_limit_exceeded',
          }),
        };
      }
      if (requests) requests.level -= 1;
      if (tokens) tokens.level -= needed;
      return { headers: headers() };
    },
  };
}

/** Formats milliseconds like OpenAI's reset headers: `20ms`, `1s`, `1.5s`, `6m0s`, `1h2m3s`. */
export function formatDuration(ms: number): string {
  const rounded = Math.max(0, Math.round(ms));
  if (rounded < 1000) return `${rounded}ms`;
  const hours = Math.floor(rounded / 3_600_000);
  const minutes = Math.floor((rounded % 3_600_000) / 60_000);
  const seconds = (rounded % 60_000) / 1000;
  const secondsText = `${Number.isInteger(seconds) ? seconds : seconds.toFixed(3).replace(/0+$/, '')}s`;
  if (hours > 0) return `${hours}h${minutes}m${secondsText}`;
  if (minutes > 0) return `${minutes}m${secondsText}`;
  return secondsText;
}

// ───────────────────────────── Helpers ─────────────────────────────

function encodeBase64(vector: Float32Array): string {
  const bytes = Buffer.alloc(vector.length * 4);
  for (let i = 0; i < vector.length; i++) bytes.writeFloatLE(vector[i] ?? 0, i * 4);
  return bytes.toString('base64');
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw invalid('Request body too large.');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
