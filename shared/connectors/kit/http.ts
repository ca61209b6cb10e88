/**
 * The HTTP client every SaaS connector uses: one instance per source.
 *
 * It owns the parts each connector would otherwise get subtly wrong: per-request timeouts,
 * retries with exponential backoff and full jitter that never wait less than the provider
 * asked (`Retry-After`, rate-limit reset headers), pacing under a per-minute budget, a cap on
 * requests per run, and typed errors whose messages name the source, the request and the fix.
 * Node's global `fetch` (undici) does the I/O; tests inject `fetch`, `sleep`, `clock` and
 * `random`, so no test waits on real time.
 */
import type { z } from 'zod';
import { ConfigError, CursorExpiredError, TransientError, TributaryError } from '../../core/errors.ts';
import type { Clock } from '../../ports/index.ts';
import {
  ProviderAuthError,
  ProviderError,
  ProviderNotFoundError,
  ProviderRequestError,
  ProviderResponseError,
  RequestBudgetExhaustedError,
} from './errors.ts';
import { advertisedWaitMs, backoffMs, rateLimitExhausted, rateLimitResetMs, realSleep, RETRYABLE_STATUSES } from './retry.ts';

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
  /**
   * HTTP requests (retries included) one run may make; then {@link RequestBudgetExhaustedError}.
   * Unlimited when absent. See {@link HttpClient.beginRun} for what counts as a run.
   */
  readonly maxRequestsPerRun?: number;
  /** A used-up run budget starts over at the first request this long after it ran out. @default 30_000 */
  readonly runGapMs?: number;
  /** @default globalThis.fetch */
  readonly fetch?: typeof globalThis.fetch;
  /** @default a setTimeout sleep */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default the system clock */
  readonly clock?: Clock;
  /** Jitter source in [0, 1). @default Math.random */
  readonly random?: () => number;
  /** Told about every retry (for logs). */
  readonly onRetry?: (event: RetryEvent) => void;
}

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

export type QueryValue = string | number | boolean | null | undefined | ReadonlyArray<string | number>;

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
  /** Requests counted against the current run's budget. */
  requestsThisRun: number;
}

/** What went wrong with one attempt. */
type Verdict =
  | { readonly kind: 'retry'; readonly reason: string; readonly status?: number; readonly advertisedMs?: number }
  | { readonly kind: 'fail'; readonly error: unknown };

const systemClock: Clock = { now: () => Date.now() };

/**
 * HTTP client of one source. Retries 408/425/429/500/502/503/504, timeouts and connection
 * errors; maps 401/403 to {@link ProviderAuthError}, 404 to {@link ProviderNotFoundError},
 * 410 on a change-token request to CursorExpiredError, any other 4xx to
 * {@link ProviderRequestError} with the provider's message.
 *
 * Every method retries (connectors only read; a POST that runs a search is safe to repeat).
 */
export class HttpClient {
  readonly sourceId: string;
  readonly provider: string;
  readonly stats: HttpClientStats = { requests: 0, retries: 0, waits: 0, waitedMs: 0, requestsThisRun: 0 };
  private readonly base: URL;
  private readonly defaultHeaders: Readonly<Record<string, string>>;
  private readonly authHint: string;
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly baseBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly maxRetryWaitMs: number;
  private readonly maxRequestsPerRun: number | undefined;
  private readonly runGapMs: number;
  private readonly fetchFn: typeof globalThis.fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly onRetry: ((event: RetryEvent) => void) | undefined;
  private readonly bucket: TokenBucket | undefined;
  /** No request starts before this (epoch ms): a 429's wait, or a rate-limit window used up. */
  private pausedUntil = 0;
  private pauseReason = '';
  /** When the run budget ran out (epoch ms), if it has. */
  private exhaustedAt: number | undefined;

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
    this.maxAttempts = positiveInteger(name, 'maxAttempts', options.maxAttempts ?? 6);
    this.baseBackoffMs = nonNegative(name, 'baseBackoffMs', options.baseBackoffMs ?? 500);
    this.maxBackoffMs = nonNegative(name, 'maxBackoffMs', options.maxBackoffMs ?? 30_000);
    this.maxRetryWaitMs = nonNegative(name, 'maxRetryWaitMs', options.maxRetryWaitMs ?? 60_000);
    this.maxRequestsPerRun = options.maxRequestsPerRun === undefined ? undefined : positiveInteger(name, 'maxRequestsPerRun', options.maxRequestsPerRun);
    this.runGapMs = nonNegative(name, 'runGapMs', options.runGapMs ?? 30_000);
    this.fetchFn = options.fetch ?? globalThis.fetch;
    this.sleep = options.sleep ?? ((ms) => realSleep(ms));
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.onRetry = options.onRetry;
    if (options.requestsPerMinute !== undefined) {
      const perMinute = positive(name, 'requestsPerMinute', options.requestsPerMinute);
      const burst = positive(name, 'burst', options.burst ?? Math.max(1, Math.ceil(perMinute / 60)));
      this.bucket = new TokenBucket(perMinute, burst, this.clock.now());
    }
  }

  /**
   * Starts a new run budget. The core does not tell connectors when a run starts, so call it
   * where the connector knows (e.g. `pull` without a cursor); otherwise a budget that ran out
   * starts over at the first request `runGapMs` after it ran out (the run that hit it has
   * ended by then, and the next one resumes from the saved page).
   */
  beginRun(): void {
    this.stats.requestsThisRun = 0;
    this.exhaustedAt = undefined;
  }

  /** Sends the request with retries; resolves with any 2xx/3xx response, throws a typed error otherwise. */
  async request(path: string, options: RequestOptions = {}): Promise<HttpResponse> {
    const method = (options.method ?? 'GET').toUpperCase();
    const url = this.urlOf(path, options.query);
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
      await this.admit(delayMs, method, shownPath);
      this.stats.requests += 1;
      this.stats.requestsThisRun += 1;
      if (attempt > 1) this.stats.retries += 1;

      let verdict: Verdict;
      try {
        const response = await this.send(url, method, headers, body, timeoutMs, options.signal);
        this.notePause(response);
        if (response.status < 400) return response;
        verdict = this.judge(response, method, shownPath, options.changeToken === true);
      } catch (error) {
        if (options.signal?.aborted || !(isTimeout(error) || isNetworkError(error))) throw error;
        verdict = { kind: 'retry', reason: isTimeout(error) ? `timed out after ${timeoutMs} ms` : `connection failed: ${causeMessage(error)}` };
      }
      if (verdict.kind === 'fail') throw verdict.error;

      const context = { sourceId: this.sourceId, provider: this.provider, method, path: shownPath, attempts: attempt, ...(verdict.status === undefined ? {} : { status: verdict.status }) };
      const advertised = verdict.advertisedMs;
      if (advertised !== undefined && advertised > this.maxRetryWaitMs) {
        throw new TransientError(
          `${this.provider} asked source "${this.sourceId}" to wait ${formatMs(advertised)} before retrying ${method} ${shownPath} ` +
            `(over maxRetryWaitMs ${formatMs(this.maxRetryWaitMs)}): ${verdict.reason}; the run stops and a later run resumes`,
          { context: { ...context, retryAfterMs: advertised } },
        );
      }
      if (attempt >= this.maxAttempts) {
        throw new TransientError(`${this.provider} ${method} ${shownPath} failed after ${attempt} attempts for source "${this.sourceId}": ${verdict.reason}`, { context });
      }
      // Throttled with a stated wait: every request of this source holds off, not just this one.
      if (verdict.status === 429 && advertised !== undefined) this.pauseFor(advertised, verdict.reason);
      delayMs = Math.max(advertised ?? 0, backoffMs(attempt, this.random(), { baseMs: this.baseBackoffMs, maxMs: this.maxBackoffMs }));
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

  /** Parses a response's body as JSON, validated by `schema` when given; a ProviderResponseError otherwise. */
  parseJson<T = unknown>(response: HttpResponse, schema?: z.ZodType<T>, method = 'GET', path = new URL(response.url || this.base.href).pathname): Promise<T> {
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

  /** Holds every request of this client for at least `ms` from now. */
  pauseFor(ms: number, reason = 'paused'): void {
    const until = this.clock.now() + ms;
    if (until > this.pausedUntil) {
      this.pausedUntil = until;
      this.pauseReason = reason;
    }
  }

  // ───────────────────────────── internals ─────────────────────────────

  /** Waits for the run budget, any pause, the per-minute bucket and the retry's backoff. */
  private async admit(delayMs: number, method: string, path: string): Promise<void> {
    if (this.maxRequestsPerRun !== undefined) {
      const now = this.clock.now();
      if (this.exhaustedAt !== undefined && now - this.exhaustedAt >= this.runGapMs) this.beginRun();
      if (this.stats.requestsThisRun >= this.maxRequestsPerRun) {
        this.exhaustedAt ??= now;
        throw new RequestBudgetExhaustedError(this.sourceId, this.maxRequestsPerRun);
      }
    }
    const now = this.clock.now();
    const paused = this.pausedUntil - now;
    if (paused > this.maxRetryWaitMs) {
      throw new TransientError(
        `${this.provider} rate limit of source "${this.sourceId}" resets in ${formatMs(paused)} (${this.pauseReason}), ` +
          `over maxRetryWaitMs ${formatMs(this.maxRetryWaitMs)}; ${method} ${path} not sent, the run stops and a later run resumes`,
        { context: { sourceId: this.sourceId, provider: this.provider, method, path, retryAfterMs: paused } },
      );
    }
    let wait = Math.max(delayMs, paused);
    if (this.bucket) wait = Math.max(wait, this.bucket.reserve(now));
    if (wait > 0) {
      this.stats.waits += 1;
      this.stats.waitedMs += wait;
      await this.sleep(wait);
    }
  }

  private async send(url: URL, method: string, headers: Record<string, string>, body: string | undefined, timeoutMs: number, signal: AbortSignal | undefined): Promise<HttpResponse> {
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const init: RequestInit = { method, headers, signal: combined };
    if (body !== undefined) init.body = body;
    const response = await this.fetchFn(url, init);
    // Reading the body is under the same timeout: a server that stalls mid-body is a timeout too.
    const text = await response.text();
    return { status: response.status, headers: response.headers, url: response.url || url.href, text };
  }

  /** A response that says the rate-limit window is used up pauses the client until it resets. */
  private notePause(response: HttpResponse): void {
    if (response.status === 429 || !rateLimitExhausted(response.headers)) return;
    const reset = rateLimitResetMs(response.headers, this.clock.now());
    if (reset !== undefined && reset > 0) this.pauseFor(reset, 'rate-limit remaining is 0');
  }

  private judge(response: HttpResponse, method: string, path: string, changeToken: boolean): Verdict {
    const status = response.status;
    const details = { sourceId: this.sourceId, provider: this.provider, method, path, status };
    const message = providerMessage(response.text);
    if (RETRYABLE_STATUSES.has(status)) {
      const advertisedMs = advertisedWaitMs(response.headers, status, this.clock.now());
      const reason = `${status}${message ? ` ${message}` : ''}`;
      return advertisedMs === undefined ? { kind: 'retry', reason, status } : { kind: 'retry', reason, status, advertisedMs };
    }
    const said = message ? `: ${message}` : '';
    if (status === 401 || status === 403) {
      const what = status === 401 ? 'rejected the credentials' : 'denied access';
      return { kind: 'fail', error: new ProviderAuthError(`${this.provider} ${what} of source "${this.sourceId}" (${status}) on ${method} ${path}${said}; ${this.authHint}`, details) };
    }
    if (status === 404) {
      return { kind: 'fail', error: new ProviderNotFoundError(`${this.provider} has no ${path} (404) for source "${this.sourceId}"${said}; check the ids and base URL in the source config, and that the credentials may see it`, details) };
    }
    if (status === 410 && changeToken) {
      return { kind: 'fail', error: new CursorExpiredError(this.sourceId, { cause: new ProviderRequestError(`${this.provider} ${method} ${path}: 410 Gone${said}`, details) }) };
    }
    if (status >= 400 && status < 500) {
      return { kind: 'fail', error: new ProviderRequestError(`${this.provider} rejected ${method} ${path} for source "${this.sourceId}" (${status})${said}`, details) };
    }
    if (status >= 500) {
      const reason = `${status}${message ? ` ${message}` : ''}`;
      return { kind: 'retry', reason, status };
    }
    return { kind: 'fail', error: new ProviderError(`${this.provider} answered ${method} ${path} for source "${this.sourceId}" with unexpected status ${status}${said}`, details) };
  }

  /** The base URL plus `path` (or `path` itself when it is an absolute URL on the same origin, e.g. a `next` link). */
  private urlOf(path: string, query: RequestOptions['query']): URL {
    let url: URL;
    if (/^https?:\/\//i.test(path)) {
      url = new URL(path);
      // Never send the source's credentials to another host a response pointed at.
      if (url.origin !== this.base.origin) {
        throw new TributaryError(`source "${this.sourceId}": refusing to send a request to ${url.origin}, outside the base URL's origin ${this.base.origin}`, { context: { sourceId: this.sourceId } });
      }
    } else {
      url = new URL(this.base.href);
      const [pathPart, search] = splitOnce(path, '?');
      url.pathname = `${url.pathname.replace(/\/+$/, '')}/${pathPart.replace(/^\/+/, '')}`;
      if (search !== undefined) url.search = search;
    }
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value === undefined || value === null) continue;
      if (Array.isArray(value)) for (const item of value) url.searchParams.append(key, String(item));
      else url.searchParams.set(key, String(value));
    }
    return url;
  }
}

/** Token bucket of `perMinute`, holding at most `capacity`; requests reserve and sleep once (nothing polls). */
class TokenBucket {
  private level: number;
  private updatedAt: number;

  constructor(private readonly perMinute: number, private readonly capacity: number, now: number) {
    this.level = capacity;
    this.updatedAt = now;
  }

  /** Takes one token and returns how long to wait until it was there. */
  reserve(now: number): number {
    const perMs = this.perMinute / 60_000;
    this.level = Math.min(this.capacity, this.level + Math.max(0, now - this.updatedAt) * perMs);
    this.updatedAt = Math.max(this.updatedAt, now);
    this.level -= 1;
    return this.level >= 0 ? 0 : Math.ceil(-this.level / perMs);
  }
}

// ───────────────────────────── helpers ─────────────────────────────

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

function snippet(text: string, max = 300): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max)}…` : oneLine;
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || (error.name === 'AbortError' && /timeout/i.test(error.message)));
}

/** undici rejects with `TypeError: fetch failed` (or `terminated` mid-body) carrying the socket error as `cause`. */
function isNetworkError(error: unknown): boolean {
  return error instanceof TypeError && error.cause !== undefined;
}

/** undici reports `TypeError: fetch failed` with the socket error as its cause. */
function causeMessage(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause;
    if (cause instanceof Error) {
      const code = (cause as { code?: unknown }).code;
      return typeof code === 'string' ? `${code} ${cause.message}` : cause.message;
    }
    return error.message;
  }
  return String(error);
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${Math.round(ms)} ms`;
}

function lowerKeys(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

function pathOnly(path: string): string {
  try {
    return /^https?:\/\//i.test(path) ? new URL(path).pathname : splitOnce(path, '?')[0];
  } catch {
    return path;
  }
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

function positive(name: string, key: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new ConfigError(`${name}: ${key} must be a positive number, got ${value}`, { key });
  return value;
}

function positiveInteger(name: string, key: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) throw new ConfigError(`${name}: ${key} must be a positive integer, got ${value}`, { key });
  return value;
}

function nonNegative(name: string, key: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) throw new ConfigError(`${name}: ${key} must be a non-negative number, got ${value}`, { key });
  return value;
}
