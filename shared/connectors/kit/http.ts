/**
 * The HTTP client every SaaS connector uses: one instance per source.
 *
 * It owns the parts each connector would otherwise get subtly wrong: per-request timeouts,
 * retries, pacing and waits by the rules of shared/resilience (the same as the OpenAI and
 * Pinecone adapters'), and typed errors whose messages name the source, the request and the
 * fix. Node's global `fetch` (undici) does the I/O; tests inject
 * `fetch`, `sleep`, `clock` and `random`, so no test waits on real time.
 */
import type { z } from 'zod';
import { ConfigError, TransientError } from '../../core/errors.ts';
import type { Clock } from '../../ports/index.ts';
import {
  exhaustedBudgetWaitMs,
  isTimeout,
  isTransportFailure,
  RateLimiter,
  RetryPolicy,
  systemClock,
  transportFailureMessage,
} from '../../resilience/index.ts';
import type { Sleep } from '../../resilience/index.ts';
import { ProviderResponseError } from './errors.ts';
import { judgeResponse, snippet } from './http-failures.ts';
import type { Verdict } from './http-failures.ts';
import { lowerKeys, pathOnly, requestUrl } from './http-url.ts';
import type { QueryValue } from './http-url.ts';

export type { QueryValue } from './http-url.ts';

export interface HttpClientOptions {
  /** The source this client serves; named in every error. */
  readonly sourceId: string;
  /** API root, e.g. `https://api.notion.com/v1`. Request paths are appended to it. */
  readonly baseUrl: string;
  /** Names the provider in messages. @default the base URL's host */
  readonly provider?: string;
  /** Sent with every request, typically `authorization` built from the source's secret. */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Appended to 401/403 messages: what the operator should check, e.g.
   * `check that NOTION_TOKEN holds an integration token shared with the pages`.
   * @default 'check the credentials the source config names'
   */
  readonly authHint?: string;
  /** Per attempt, including reading the body; a timeout is retried. @default 30_000 */
  readonly timeoutMs?: number;
  /** Attempts per request, the first included, before a TransientError. @default 6 */
  readonly maxAttempts?: number;
  /** First backoff ceiling (doubles per attempt, full jitter). @default 500 */
  readonly baseBackoffMs?: number;
  /** Cap of the backoff ceiling. @default 30_000 */
  readonly maxBackoffMs?: number;
  /**
   * Longest provider-advertised wait honoured in process. A longer one (an hourly quota's
   * reset) fails the request with a TransientError naming the wait: the run stops after its
   * last saved page instead of a worker sleeping for minutes.
   * @default 60_000
   */
  readonly maxRetryWaitMs?: number;
  /** Request budget per minute, as a token bucket refilled continuously; unlimited when absent. */
  readonly requestsPerMinute?: number;
  /** Requests the bucket lets through back to back. @default one second's worth of `requestsPerMinute` (at least 1) */
  readonly burst?: number;
  /** @default globalThis.fetch */
  readonly fetch?: typeof globalThis.fetch;
  /** @default a setTimeout sleep */
  readonly sleep?: Sleep;
  /** @default the system clock */
  readonly clock?: Clock;
  /** Jitter source in [0, 1). @default Math.random */
  readonly random?: () => number;
  /** Told about every retry (for logs). */
  readonly onRetry?: (event: RetryEvent) => void;
}

/**
 * What a connector's API client takes from tests and hands to its HttpClient unchanged: the
 * transport, the waits, the jitter and the retry counts (declare options as `extends HttpSeams`).
 */
export type HttpSeams = Pick<HttpClientOptions, 'fetch' | 'sleep' | 'random' | 'maxAttempts' | 'baseBackoffMs'>;

export interface RetryEvent {
  readonly method: string;
  readonly path: string;
  /** The attempt that failed (1 = the first). */
  readonly attempt: number;
  readonly reason: string;
  readonly status?: number;
  /** How long the client waits before the next attempt. */
  readonly delayMs: number;
}

export interface RequestOptions {
  /** @default 'GET' */
  readonly method?: string;
  /** Appended to the URL; `undefined`/`null` values are left out, arrays repeat the key. */
  readonly query?: Readonly<Record<string, QueryValue>>;
  /** Merged over the client's default headers (case-insensitive). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Raw body. */
  readonly body?: string;
  /** JSON body (sets `content-type: application/json`). */
  readonly json?: unknown;
  /** Overrides the client's `timeoutMs` for this request. */
  readonly timeoutMs?: number;
  /**
   * The request presents a change token (a delta link, a sync token): a 410 Gone then means
   * the token expired, and is thrown as CursorExpiredError so the core starts a full pass.
   */
  readonly changeToken?: boolean;
  /** Cancels the request (not retried). */
  readonly signal?: AbortSignal;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Headers;
  /** Final URL (after redirects). */
  readonly url: string;
  readonly text: string;
  /** The body's exact bytes (`text` is their UTF-8 decoding): downloads of binary files read these. */
  readonly bytes?: Uint8Array;
}

export interface JsonOptions<T> extends RequestOptions {
  /** Validates the body; a mismatch is a ProviderResponseError naming the first bad field. */
  readonly schema?: z.ZodType<T>;
}

export interface HttpClientStats {
  /** HTTP requests sent, retries included. */
  requests: number;
  retries: number;
  /** Waits imposed (backoff, advertised, pacing) and their total. */
  waits: number;
  waitedMs: number;
}

/**
 * HTTP client of one source. Retries what shared/resilience retries (408, 425, 429, 5xx,
 * timeouts, connection errors); maps 401/403 to {@link ProviderAuthError}, 404 to
 * {@link ProviderNotFoundError}, 410 on a change-token request to CursorExpiredError, any other
 * 4xx to {@link ProviderRequestError} with the provider's message (see http-failures.ts).
 *
 * Every method retries (connectors only read; a POST that runs a search is safe to repeat).
 */
export class HttpClient {
  readonly sourceId: string;
  readonly provider: string;
  private readonly counts = { requests: 0, retries: 0 };
  private readonly base: URL;
  private readonly defaultHeaders: Readonly<Record<string, string>>;
  private readonly authHint: string;
  private readonly timeoutMs: number;
  private readonly retry: RetryPolicy;
  private readonly limiter: RateLimiter;
  private readonly fetchFn: typeof globalThis.fetch;
  private readonly clock: Clock;
  private readonly onRetry: ((event: RetryEvent) => void) | undefined;

  constructor(options: HttpClientOptions) {
    const name = `source "${options.sourceId}"`;
    let base: URL;
    try {
      base = new URL(options.baseUrl);
    } catch {
      throw new ConfigError(`${name}: base URL "${options.baseUrl}" is not an absolute URL (e.g. "https://api.example.com/v1")`, { sourceId: options.sourceId });
    }
    if (base.protocol !== 'https:' && base.protocol !== 'http:') {
      throw new ConfigError(`${name}: base URL must be http(s), got "${options.baseUrl}"`, { sourceId: options.sourceId });
    }
    this.sourceId = options.sourceId;
    this.base = base;
    this.provider = options.provider ?? base.host;
    this.defaultHeaders = lowerKeys(options.headers ?? {});
    this.authHint = options.authHint ?? 'check the credentials the source config names';
    this.timeoutMs = positive(name, 'timeoutMs', options.timeoutMs ?? 30_000);
    this.retry = new RetryPolicy({
      owner: name,
      maxAttempts: options.maxAttempts ?? 6,
      baseBackoffMs: options.baseBackoffMs ?? 500,
      maxBackoffMs: options.maxBackoffMs ?? 30_000,
      maxRetryWaitMs: options.maxRetryWaitMs ?? 60_000,
      ...(options.random ? { random: options.random } : {}),
    });
    this.fetchFn = options.fetch ?? globalThis.fetch;
    this.clock = options.clock ?? systemClock;
    this.onRetry = options.onRetry;
    this.limiter = new RateLimiter({
      owner: name,
      clock: this.clock,
      ...(options.sleep ? { sleep: options.sleep } : {}),
      ...(options.requestsPerMinute === undefined
        ? {}
        : { requestsPerMinute: options.requestsPerMinute, burst: options.burst ?? Math.max(1, Math.ceil(options.requestsPerMinute / 60)) }),
    });
  }

  /** Counters over the client's lifetime. */
  get stats(): HttpClientStats {
    return { ...this.counts, ...this.limiter.stats };
  }

  /** Sends the request with retries; resolves with any 2xx/3xx response, throws a typed error otherwise. */
  async request(path: string, options: RequestOptions = {}): Promise<HttpResponse> {
    const method = (options.method ?? 'GET').toUpperCase();
    const url = requestUrl(this.sourceId, this.base, path, options.query);
    const shownPath = url.pathname;
    const headers: Record<string, string> = { accept: 'application/json', ...this.defaultHeaders, ...lowerKeys(options.headers ?? {}) };
    let body: string | undefined = options.body;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers['content-type'] ??= 'application/json';
    }
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;

    let delayMs = 0;
    for (let attempt = 1; ; attempt++) {
      this.refuseLongPause(method, shownPath);
      let verdict: Verdict;
      try {
        const response = await this.limiter.run(() => {
          this.counts.requests += 1;
          if (attempt > 1) this.counts.retries += 1;
          return this.send(url, method, headers, body, timeoutMs, options.signal);
        }, { delayMs });
        // A response that says the window's budget is used up holds every request until it resets.
        const hold = exhaustedBudgetWaitMs(response.headers, response.status, this.clock.now());
        if (hold !== undefined) this.limiter.pauseFor(hold, 'rate-limit remaining is 0');
        if (response.status < 400) return response;
        verdict = judgeResponse(response, {
          sourceId: this.sourceId, provider: this.provider, method, path: shownPath, authHint: this.authHint,
          changeToken: options.changeToken === true, nowMs: this.clock.now(),
        });
      } catch (error) {
        if (options.signal?.aborted || !isTransportFailure(error)) throw error;
        verdict = { kind: 'retry', reason: isTimeout(error) ? `timed out after ${timeoutMs} ms` : `connection failed: ${transportFailureMessage(error)}` };
      }
      if (verdict.kind === 'fail') throw verdict.error;

      const context = { sourceId: this.sourceId, provider: this.provider, method, path: shownPath, attempts: attempt, ...(verdict.status === undefined ? {} : { status: verdict.status }) };
      const step = this.retry.next(attempt, verdict);
      if (step.kind === 'wait-too-long') {
        throw new TransientError(
          `${this.provider} asked source "${this.sourceId}" to wait ${formatMs(step.waitMs)} before retrying ${method} ${shownPath} ` +
            `(over maxRetryWaitMs ${formatMs(step.maxWaitMs)}): ${verdict.reason}; the run stops and a later run resumes`,
          { context: { ...context, retryAfterMs: step.waitMs } },
        );
      }
      if (step.kind === 'exhausted') {
        throw new TransientError(`${this.provider} ${method} ${shownPath} failed after ${attempt} attempts for source "${this.sourceId}": ${verdict.reason}`, { context });
      }
      if (step.holdAllMs !== undefined) this.limiter.pauseFor(step.holdAllMs, verdict.reason);
      delayMs = step.delayMs;
      this.onRetry?.({ method, path: shownPath, attempt, reason: verdict.reason, delayMs, ...(verdict.status === undefined ? {} : { status: verdict.status }) });
    }
  }

  /** GET and parse JSON (validated by `schema` when given). */
  async getJson<T = unknown>(path: string, options: JsonOptions<T> = {}): Promise<T> {
    const response = await this.request(path, { ...options, method: 'GET' });
    return this.parseJson(response, options.schema, 'GET', path);
  }

  /** POST `body` as JSON and parse the JSON answer (validated by `schema` when given). */
  async postJson<T = unknown>(path: string, body: unknown, options: JsonOptions<T> = {}): Promise<T> {
    const response = await this.request(path, { ...options, method: 'POST', json: body });
    return this.parseJson(response, options.schema, 'POST', path);
  }

  // ───────────────────────────── internals ─────────────────────────────

  /** Parses a response's body as JSON, validated by `schema` when given; a ProviderResponseError otherwise. */
  private parseJson<T>(response: HttpResponse, schema: z.ZodType<T> | undefined, method: string, path: string): Promise<T> {
    const details = { sourceId: this.sourceId, provider: this.provider, method, path: pathOnly(path), status: response.status };
    let data: unknown;
    try {
      data = JSON.parse(response.text);
    } catch (cause) {
      return Promise.reject(new ProviderResponseError(
        `${this.provider} answered ${method} ${details.path} for source "${this.sourceId}" with a body that is not JSON: ${snippet(response.text)}`,
        { ...details, cause },
      ));
    }
    if (!schema) return Promise.resolve(data as T);
    const parsed = schema.safeParse(data);
    if (parsed.success) return Promise.resolve(parsed.data);
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join('.') : '(root)';
    return Promise.reject(new ProviderResponseError(
      `${this.provider} answered ${method} ${details.path} for source "${this.sourceId}" with an unexpected body at ${where}: ${issue?.message ?? 'invalid'}`,
      { ...details, cause: parsed.error },
    ));
  }

  /** A pause longer than the wait cap (an hourly quota used up) fails the request before it is sent. */
  private refuseLongPause(method: string, path: string): void {
    const pause = this.limiter.pause();
    if (pause === undefined || !this.retry.exceedsWaitCap(pause.remainingMs)) return;
    throw new TransientError(
      `${this.provider} rate limit of source "${this.sourceId}" resets in ${formatMs(pause.remainingMs)} (${pause.reason}), ` +
        `over maxRetryWaitMs ${formatMs(this.retry.maxRetryWaitMs)}; ${method} ${path} not sent, the run stops and a later run resumes`,
      { context: { sourceId: this.sourceId, provider: this.provider, method, path, retryAfterMs: pause.remainingMs } },
    );
  }

  private async send(url: URL, method: string, headers: Record<string, string>, body: string | undefined, timeoutMs: number, signal: AbortSignal | undefined): Promise<HttpResponse> {
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const init: RequestInit = { method, headers, signal: combined };
    if (body !== undefined) init.body = body;
    const response = await this.fetchFn(url, init);
    // Reading the body is under the same timeout: a server that stalls mid-body is a timeout too.
    const bytes = new Uint8Array(await response.arrayBuffer());
    const text = new TextDecoder().decode(bytes);
    return { status: response.status, headers: response.headers, url: response.url || url.href, text, bytes };
  }
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${Math.round(ms)} ms`;
}

function positive(name: string, key: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new ConfigError(`${name}: ${key} must be a positive number, got ${value}`, { key });
  return value;
}
