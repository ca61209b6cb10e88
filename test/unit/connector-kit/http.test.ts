import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, CursorExpiredError, TransientError } from '../../../shared/core/errors.ts';
import {
  HttpClient,
  ProviderAuthError,
  ProviderNotFoundError,
  ProviderRequestError,
  ProviderResponseError,
} from '../../../shared/connectors/kit/index.ts';
import type { HttpClientOptions, RetryEvent } from '../../../shared/connectors/kit/index.ts';
import { FakeTime, LoopbackServer, rejectionOf } from './loopback.ts';

describe('HttpClient against a loopback server', () => {
  let server: LoopbackServer;
  let time: FakeTime;

  beforeEach(async () => {
    server = new LoopbackServer();
    await server.start();
    time = new FakeTime();
  });

  afterEach(async () => {
    await server.close();
  });

  /** A client on the loopback server with fake time and zero jitter (backoff 0 unless a test says otherwise). */
  const clientFor = (options: Partial<HttpClientOptions> = {}): HttpClient =>
    new HttpClient({
      sourceId: 'wiki', provider: 'Wiki', baseUrl: `${server.url}/v1`, sleep: time.sleep, clock: time.clock,
      random: () => 0, maxAttempts: 4, ...options,
    });

  describe('retries', () => {
    it('retries a 429 after the Retry-After seconds, then returns the JSON', async () => {
      // Prepare
      server.script('/v1/pages', { status: 429, headers: { 'retry-after': '2' }, body: { message: 'slow down' } }, { body: { ok: true } });

      // Act
      const result = await clientFor().getJson('pages');

      // Assess
      expect(result).toEqual({ ok: true });
      expect(server.count('/v1/pages')).toBe(2);
      expect(time.waits).toEqual([2000]);
    });

    it('honours Retry-After given as an HTTP date', async () => {
      // Prepare
      const at = new Date(time.nowMs + 5000).toUTCString();
      server.script('/v1/pages', { status: 503, headers: { 'retry-after': at } }, { body: [] });

      // Act
      await clientFor().getJson('pages');

      // Assess
      expect(time.waits).toEqual([5000]);
    });

    it('backs off exponentially with full jitter on 503, and the jitter never undercuts Retry-After', async () => {
      // Prepare
      server.script('/v1/a', { status: 503 }, { status: 502 }, { status: 504 }, { body: {} });
      server.script('/v1/b', { status: 503, headers: { 'retry-after': '1' } }, { body: {} });
      const events: RetryEvent[] = [];
      const client = clientFor({ random: () => 0.5, baseBackoffMs: 400, onRetry: (event) => events.push(event) });

      // Act
      await client.getJson('a');
      await client.getJson('b');

      // Assess: ceilings 400, 800, 1600 at half; then max(1000 advertised, 200 jitter).
      expect(time.waits).toEqual([200, 400, 800, 1000]);
      expect(events.map((e) => [e.attempt, e.status])).toEqual([[1, 503], [2, 502], [3, 504], [1, 503]]);
      expect(client.stats).toMatchObject({ requests: 6, retries: 4 });
    });

    it('caps the backoff ceiling at maxBackoffMs', async () => {
      // Prepare
      server.script('/v1/a', { status: 500 }, { status: 500 }, { status: 500 }, { body: {} });

      // Act
      await clientFor({ random: () => 0.999, baseBackoffMs: 1000, maxBackoffMs: 1500 }).getJson('a');

      // Assess
      expect(time.waits).toEqual([999, 1498, 1498]);
    });

    it('gives up after maxAttempts with a TransientError naming the request and the last status', async () => {
      // Prepare
      server.script('/v1/pages', { status: 503, body: { error: { message: 'maintenance' } } });

      // Act
      const error = await rejectionOf(clientFor({ maxAttempts: 3 }).getJson('pages', { query: { token: 'secret-value' } }));

      // Assess
      expect(error).toBeInstanceOf(TransientError);
      expect(error.message).toContain('GET /v1/pages failed after 3 attempts for source "wiki": 503 maintenance');
      expect(error.message).not.toContain('secret-value');
      expect(server.count('/v1/pages')).toBe(3);
    });

    it('fails at once, naming the wait, when the advertised wait is over maxRetryWaitMs', async () => {
      // Prepare
      server.script('/v1/pages', { status: 429, headers: { 'retry-after': '3600' } });

      // Act
      const error = await rejectionOf(clientFor({ maxRetryWaitMs: 60_000 }).getJson('pages'));

      // Assess
      expect(error).toBeInstanceOf(TransientError);
      expect(error.message).toMatch(/asked source "wiki" to wait 3600 s .*over maxRetryWaitMs 60 s/);
      expect(server.count('/v1/pages')).toBe(1);
      expect(time.waits).toEqual([]);
    });

    it('retries a timed-out attempt and reports the timeout', async () => {
      // Prepare: the server never answers.
      server.script('/v1/slow', { hang: true });

      // Act
      const error = await rejectionOf(clientFor({ timeoutMs: 100, maxAttempts: 2 }).getJson('slow'));

      // Assess
      expect(error).toBeInstanceOf(TransientError);
      expect(error.message).toContain('failed after 2 attempts');
      expect(error.message).toContain('timed out after 100 ms');
      expect(server.count('/v1/slow')).toBe(2);
    });

    it('retries connection errors', async () => {
      // Prepare: a port nothing listens on.
      const probe = createServer();
      await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
      const { port } = probe.address() as AddressInfo;
      await new Promise<void>((resolve) => probe.close(() => resolve()));
      const client = clientFor({ baseUrl: `http://127.0.0.1:${port}`, maxAttempts: 3 });

      // Act
      const error = await rejectionOf(client.getJson('x'));

      // Assess
      expect(error).toBeInstanceOf(TransientError);
      expect(error.message).toMatch(/failed after 3 attempts.*connection failed: ECONNREFUSED/);
      expect(client.stats.requests).toBe(3);
    });
  });

  describe('rate-limit headers', () => {
    it('waits for X-RateLimit-Reset (epoch seconds) before the next request once X-RateLimit-Remaining is 0', async () => {
      // Prepare
      const reset = Math.floor(time.nowMs / 1000) + 30;
      server.script('/v1/a', { headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) }, body: { n: 1 } });
      server.script('/v1/b', { body: { n: 2 } });
      const client = clientFor();

      // Act
      await client.getJson('a');
      const waitsAfterFirst = [...time.waits];
      await client.getJson('b');

      // Assess
      expect(waitsAfterFirst).toEqual([]);
      expect(time.waits).toEqual([30_000]);
    });

    it('reads RateLimit-Reset (delta seconds) with RateLimit-Remaining: 0', async () => {
      // Prepare
      server.script('/v1/a', { headers: { 'ratelimit-remaining': '0', 'ratelimit-reset': '7' }, body: {} });
      const client = clientFor();

      // Act
      await client.getJson('a');
      await client.getJson('a');

      // Assess
      expect(time.waits).toEqual([7000]);
    });

    it('waits x-ratelimit-reset-after on a 429 without Retry-After, and holds the other requests too', async () => {
      // Prepare: a sleep that lets `b` start while `a` waits out its 429 (the clock stands still).
      server.script('/v1/a', { status: 429, headers: { 'x-ratelimit-reset-after': '1.5' } }, { body: {} });
      server.script('/v1/b', { body: {} });
      let firstSleepStarted: () => void = () => undefined;
      const aIsWaiting = new Promise<void>((resolve) => { firstSleepStarted = resolve; });
      const sleeps: number[] = [];
      const client = clientFor({
        sleep: async (ms) => {
          sleeps.push(ms);
          if (sleeps.length === 1) {
            firstSleepStarted();
            await new Promise((resolve) => setImmediate(resolve));
          }
        },
      });

      // Act
      const a = client.getJson('a');
      await aIsWaiting;
      await client.getJson('b');
      await a;

      // Assess: `a` backs off 1.5 s, and `b`, never throttled itself, holds off as long.
      expect(sleeps).toEqual([1500, 1500]);
      expect(server.count('/v1/a')).toBe(2);
    });

    it('fails without sending when the rate limit resets later than maxRetryWaitMs', async () => {
      // Prepare
      const reset = Math.floor(time.nowMs / 1000) + 3600;
      server.script('/v1/a', { headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) }, body: {} });
      const client = clientFor();
      await client.getJson('a');

      // Act
      const error = await rejectionOf(client.getJson('a'));

      // Assess
      expect(error).toBeInstanceOf(TransientError);
      expect(error.message).toMatch(/rate limit of source "wiki" resets in 3600 s .*GET \/v1\/a not sent/);
      expect(server.count('/v1/a')).toBe(1);
    });
  });

  describe('budgets', () => {
    it('paces requests under requestsPerMinute without real waiting', async () => {
      // Prepare
      server.script('/v1/a', { body: {} });
      const client = clientFor({ requestsPerMinute: 60 });

      // Act
      for (let i = 0; i < 4; i++) await client.getJson('a');

      // Assess: one per second after the first.
      expect(time.waits).toEqual([1000, 1000, 1000]);
    });
  });

  describe('errors', () => {
    it('maps 401 and 403 to a non-retryable ProviderAuthError with the fix, without retrying', async () => {
      // Prepare
      server.script('/v1/me', { status: 401, body: { message: 'API token is invalid.' } });
      server.script('/v1/secret', { status: 403, body: 'Forbidden' });
      const client = clientFor({ authHint: 'check that WIKI_TOKEN holds a valid token' });

      // Act
      const unauthorized = await rejectionOf(client.getJson('me'));
      const forbidden = await rejectionOf(client.getJson('secret'));

      // Assess
      expect(unauthorized).toBeInstanceOf(ProviderAuthError);
      expect((unauthorized as ProviderAuthError).retryable).toBe(false);
      expect((unauthorized as ProviderAuthError).status).toBe(401);
      expect(unauthorized.message).toBe('Wiki rejected the credentials of source "wiki" (401) on GET /v1/me: API token is invalid.; check that WIKI_TOKEN holds a valid token');
      expect(forbidden).toBeInstanceOf(ProviderAuthError);
      expect(forbidden.message).toContain('denied access of source "wiki" (403) on GET /v1/secret: Forbidden');
      expect(server.count('/v1/me') + server.count('/v1/secret')).toBe(2);
    });

    it('maps 404 to ProviderNotFoundError (fetchEach takes it for a document that is gone)', async () => {
      // Prepare
      server.script('/v1/pages/42', { status: 404, body: { errorMessages: ['Issue does not exist'] } });
      const client = clientFor();

      // Act
      const error = await rejectionOf(client.getJson('pages/42'));

      // Assess
      expect(error).toBeInstanceOf(ProviderNotFoundError);
      expect(error.message).toContain('Wiki has no /v1/pages/42 (404) for source "wiki": Issue does not exist');
    });

    it('maps 410 on a change-token request to CursorExpiredError, and to ProviderRequestError otherwise', async () => {
      // Prepare
      server.script('/v1/changes', { status: 410, body: { message: 'sync token expired' } });
      const client = clientFor();

      // Act
      const expired = await rejectionOf(client.getJson('changes', { changeToken: true, query: { token: 'abc' } }));
      const gone = await rejectionOf(client.getJson('changes'));

      // Assess
      expect(expired).toBeInstanceOf(CursorExpiredError);
      expect(expired.message).toContain('"wiki"');
      expect(gone).toBeInstanceOf(ProviderRequestError);
      expect(server.count('/v1/changes')).toBe(2);
    });

    it('maps other 4xx to ProviderRequestError with the body\'s message', async () => {
      // Prepare
      server.script('/v1/search', { status: 400, body: { error: 'invalid_cursor', error_description: 'cursor malformed' } });

      // Act
      const error = await rejectionOf(clientFor().postJson('search', { query: 'x' }));

      // Assess
      expect(error).toBeInstanceOf(ProviderRequestError);
      expect((error as ProviderRequestError).retryable).toBe(false);
      expect(error.message).toBe('Wiki rejected POST /v1/search for source "wiki" (400): cursor malformed');
    });

    it('rejects a body that is not JSON or does not match the schema with ProviderResponseError', async () => {
      // Prepare
      server.script('/v1/html', { body: '<html>login</html>' });
      server.script('/v1/list', { body: { results: [{ id: 7 }] } });
      const schema = z.object({ results: z.array(z.object({ id: z.string() })) });
      const client = clientFor();

      // Act
      const html = await rejectionOf(client.getJson('html'));
      const mismatch = await rejectionOf(client.getJson('list', { schema }));

      // Assess
      expect(html).toBeInstanceOf(ProviderResponseError);
      expect(html.message).toContain('not JSON: <html>login</html>');
      expect(mismatch).toBeInstanceOf(ProviderResponseError);
      expect(mismatch.message).toContain('unexpected body at results.0.id');
    });
  });

  describe('requests', () => {
    it('sends default headers, per-request headers, the query and a JSON body', async () => {
      // Prepare
      server.script('/v1/search', { body: { results: [] } });
      const client = clientFor({ headers: { Authorization: 'Bearer t0k', 'Notion-Version': '2022-06-28' } });

      // Act
      const result = await client.postJson('/search', { query: 'runbook' }, {
        query: { page_size: 50, filter: ['a', 'b'], skip: undefined },
        headers: { 'X-Request': 'r1' },
        schema: z.object({ results: z.array(z.unknown()) }),
      });

      // Assess
      const [request] = server.received;
      expect(result).toEqual({ results: [] });
      expect(request?.method).toBe('POST');
      expect(request?.url).toBe('/v1/search?page_size=50&filter=a&filter=b');
      expect(request?.headers).toMatchObject({
        authorization: 'Bearer t0k', 'notion-version': '2022-06-28', 'x-request': 'r1', 'content-type': 'application/json',
      });
      expect(JSON.parse(request?.body ?? '')).toEqual({ query: 'runbook' });
    });

    it('follows an absolute next link on the same origin and refuses one on another origin', async () => {
      // Prepare
      server.script('/v1/items', { body: { page: 2 } });
      const client = clientFor({ headers: { authorization: 'Bearer t0k' } });

      // Act
      const same = await client.getJson(`${server.url}/v1/items?page=2`);
      const other = await rejectionOf(client.getJson('https://elsewhere.example/v1/items'));

      // Assess
      expect(same).toEqual({ page: 2 });
      expect(other.message).toContain('refusing to send a request to https://elsewhere.example');
      expect(server.received).toHaveLength(1);
    });

    it('validates its options with errors naming the key', () => {
      // Prepare, Act, Assess
      expect(() => new HttpClient({ sourceId: 'wiki', baseUrl: 'not a url' })).toThrow(ConfigError);
      expect(() => new HttpClient({ sourceId: 'wiki', baseUrl: 'https://x.example', maxAttempts: 0 })).toThrow(/source "wiki": maxAttempts must be a positive integer/);
    });
  });
});
