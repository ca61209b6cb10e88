import { countTokens } from 'gpt-tokenizer/encoding/cl100k_base';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, PoisonTaskError, TransientError } from '../../shared/core/errors.ts';
import { HashingEmbedder } from '../../shared/adapters/local/hashing-embedder.ts';
import { EmbeddingProviderError, OpenAiEmbedder } from '../../shared/adapters/openai/openai-embedder.ts';
import type { OpenAiEmbedderOptions } from '../../shared/adapters/openai/openai-embedder.ts';
import { RateLimiter, advertisedWaitMs, parseDurationMs } from '../../shared/resilience/index.ts';
import { startOpenAiEmulator } from '../emulators/openai-embeddings.ts';
import type { OpenAiEmulator } from '../emulators/openai-embeddings.ts';
import { embedderContract } from './embedder.contract.ts';

const DIMENSIONS = 256;

let emulator: OpenAiEmulator;
/** Every wait the embedders asked for (the injected sleep returns at once). */
let sleeps: number[] = [];

beforeAll(async () => {
  emulator = await startOpenAiEmulator();
});

afterAll(async () => {
  await emulator.close();
});

beforeEach(() => {
  emulator.reset();
  sleeps = [];
});

function make(overrides: Partial<OpenAiEmbedderOptions> = {}): OpenAiEmbedder {
  return new OpenAiEmbedder({
    apiKey: emulator.apiKey,
    baseURL: emulator.url,
    dimensions: DIMENSIONS,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    ...overrides,
  });
}

/** What the emulator returns for a text: the local hashing embedder at the same size. */
async function expectedVectors(texts: readonly string[]): Promise<Float32Array[]> {
  return (await new HashingEmbedder({ dimensions: DIMENSIONS }).embed(texts)).vectors;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

const tokens = (text: string): number => countTokens(text, { disallowedSpecial: new Set() });

embedderContract('OpenAiEmbedder on the emulator (256 dimensions, base64)', async () => make());
embedderContract('OpenAiEmbedder on the emulator (256 dimensions, float)', async () => make({ encodingFormat: 'float' }));

describe('OpenAiEmbedder', () => {
  describe('batching', () => {
    it('sends 5,000 short texts in ceil(5000 / 2048) = 3 requests', async () => {
      // Prepare
      const embedder = make();
      const texts = Array.from({ length: 5_000 }, (_, i) => `short text number ${i}`);

      // Act
      const result = await embedder.embed(texts);

      // Assess
      expect(result.vectors).toHaveLength(5_000);
      expect(result.calls).toBe(3);
      expect(emulator.requests.map((r) => r.inputs)).toEqual([2048, 2048, 904]);
      expect(emulator.requests.every((r) => r.status === 200)).toBe(true);
      expect(embedder.stats).toMatchObject({ requests: 3, retries: 0, inputs: 5_000 });
    });

    it('splits by the token budget: no request over it, and at most ceil(total / budget) + 1 requests', async () => {
      // Prepare: 400 texts of 10–40 tokens, a 2,000-token budget.
      const budget = 2_000;
      const embedder = make({ maxTokensPerRequest: budget, maxTokensPerInput: 1_000 });
      const texts = Array.from({ length: 400 }, (_, i) => `chunk ${i} ${'lorem ipsum dolor '.repeat(3 + (i % 10))}`.trim());
      const total = texts.reduce((sum, text) => sum + tokens(text), 0);

      // Act
      const result = await embedder.embed(texts);

      // Assess
      const sent = emulator.requests;
      expect(sent.every((r) => r.tokens <= budget)).toBe(true);
      expect(sent.reduce((sum, r) => sum + r.tokens, 0)).toBe(total);
      expect(sent.length).toBeGreaterThan(1);
      expect(sent.length).toBeLessThanOrEqual(Math.ceil(total / budget) + 1);
      expect(result.vectors).toHaveLength(400);
      expect(result.tokens).toBe(total);
    });

    it('returns vectors in input order across concurrent requests', async () => {
      // Prepare: 7 inputs a request, 4 in flight, and latency so they overlap.
      emulator.setLatency(5);
      const embedder = make({ maxInputsPerRequest: 7, concurrency: 4 });
      const texts = Array.from({ length: 50 }, (_, i) => `distinct document ${i} about topic ${i * 7919}`);

      // Act
      const result = await embedder.embed(texts);

      // Assess
      const expected = await expectedVectors(texts);
      expect(result.vectors.map((v) => Array.from(v))).toEqual(expected.map((v) => Array.from(v)));
      expect(emulator.requests).toHaveLength(8);
      expect(emulator.stats().maxInFlight).toBeGreaterThan(1);
      expect(emulator.stats().maxInFlight).toBeLessThanOrEqual(4);
    });

    it('keeps concurrent embed() calls within the shared concurrency bound', async () => {
      // Prepare
      emulator.setLatency(5);
      const embedder = make({ maxInputsPerRequest: 5, concurrency: 2 });
      const batch = (tag: string): string[] => Array.from({ length: 20 }, (_, i) => `${tag} text ${i}`);

      // Act
      const results = await Promise.all([embedder.embed(batch('a')), embedder.embed(batch('b')), embedder.embed(batch('c'))]);

      // Assess
      expect(results.map((r) => r.calls)).toEqual([4, 4, 4]);
      expect(emulator.stats().maxInFlight).toBe(2);
      expect(embedder.limiter.inFlight).toBe(0);
    });

    it('sends an empty string as a single space (the API rejects empty inputs)', async () => {
      // Prepare
      const embedder = make();

      // Act
      const result = await embedder.embed(['', 'not empty']);

      // Assess
      expect(emulator.requests.map((r) => r.status)).toEqual([200]);
      expect(Array.from(result.vectors[0]!)).toEqual(Array.from((await expectedVectors([' ']))[0]!));
    });

    it('fails an over-long input with PoisonTaskError before sending anything', async () => {
      // Prepare
      const embedder = make();
      const long = 'word '.repeat(9_000);

      // Act
      const error = await rejection(embedder.embed(['fine', long]));

      // Assess
      expect(error).toBeInstanceOf(PoisonTaskError);
      expect(String(error)).toContain(`input 1 has ${tokens(long)} tokens`);
      expect(String(error)).toContain("lower the chunker's maxTokens");
      expect(emulator.requests).toHaveLength(0);
    });

    it("halves a request the server finds over its token limit (400 max_tokens_per_request)", async () => {
      // Prepare: the server allows 500 tokens a request, the embedder thinks 2,000.
      const strict = await startOpenAiEmulator({ maxTokensPerRequest: 500 });
      try {
        const embedder = make({ apiKey: strict.apiKey, baseURL: strict.url, maxTokensPerRequest: 2_000, maxTokensPerInput: 400 });
        const texts = Array.from({ length: 40 }, (_, i) => `text ${i} ${'alpha beta gamma '.repeat(10)}`);

        // Act
        const result = await embedder.embed(texts);

        // Assess
        const expected = await expectedVectors(texts);
        expect(result.vectors.map((v) => Array.from(v))).toEqual(expected.map((v) => Array.from(v)));
        expect(strict.requests.filter((r) => r.status === 400).every((r) => r.error?.code === 'max_tokens_per_request')).toBe(true);
        expect(strict.requests.filter((r) => r.status === 200).every((r) => r.tokens <= 500)).toBe(true);
        expect(result.tokens).toBe(strict.stats().tokens);
        expect(result.calls).toBe(strict.requests.length);
      } finally {
        await strict.close();
      }
    });
  });

  describe('retries', () => {
    it('rides out a 429 storm (first 3 attempts of every request fail), waiting at least retry-after-ms', async () => {
      // Prepare: 25 texts, 10 a request → 3 requests, each failing 3 times.
      emulator.setStorm({ mode: 'perBody', failFirst: 3, failure: { status: 429, retryAfterMs: 40 } });
      const embedder = make({ maxInputsPerRequest: 10 });
      const texts = Array.from({ length: 25 }, (_, i) => `stormy text ${i}`);

      // Act
      const result = await embedder.embed(texts);

      // Assess
      const expected = await expectedVectors(texts);
      expect(result.vectors.map((v) => Array.from(v))).toEqual(expected.map((v) => Array.from(v)));
      expect(emulator.stats()).toMatchObject({ requests: 12, succeeded: 3, throttled: 9 });
      expect(result.calls).toBe(12);
      expect(result.calls).toBeLessThanOrEqual(3 * 8);
      expect(embedder.stats.retries).toBe(9);
      expect(sleeps.filter((ms) => ms >= 40).length).toBeGreaterThanOrEqual(9);
      expect(result.tokens).toBe(emulator.stats().tokens);
    });

    it('rides out a random seeded 429 storm', async () => {
      // Prepare
      emulator.setStorm({ mode: 'random', probability: 0.4, seed: 7, failure: { status: 429, retryAfterMs: 10 } });
      const embedder = make({ maxInputsPerRequest: 10, maxAttempts: 12 });
      const texts = Array.from({ length: 100 }, (_, i) => `random storm ${i}`);

      // Act
      const result = await embedder.embed(texts);

      // Assess
      expect(result.vectors).toHaveLength(100);
      expect(emulator.stats().succeeded).toBe(10);
      expect(emulator.stats().throttled).toBeGreaterThan(0);
      expect(result.calls).toBe(emulator.stats().requests);
      expect(result.calls).toBeLessThanOrEqual(10 * 12);
    });

    it('retries a 500 and succeeds', async () => {
      // Prepare
      emulator.failNext(1, { status: 500 });
      const embedder = make();

      // Act
      const result = await embedder.embed(['hello', 'world']);

      // Assess
      expect(result.vectors).toHaveLength(2);
      expect(result.calls).toBe(2);
      expect(emulator.requests.map((r) => r.status)).toEqual([500, 200]);
      expect(embedder.stats).toMatchObject({ requests: 2, retries: 1 });
      // Full jitter with random() = 0.5 and base 500 ms: 250 ms.
      expect(sleeps).toEqual([250]);
    });

    it.each([
      ['retry-after (seconds)', { status: 503, retryAfterSeconds: 2 }, 2_000],
      ['x-ratelimit-reset-tokens', { status: 429, resetTokens: '1.5s' }, 1_500],
      ['x-ratelimit-reset-requests', { status: 429, resetRequests: '6m0s' }, 360_000],
    ] as const)('waits at least %s', async (_name, failure, minimum) => {
      // Prepare
      emulator.failNext(1, failure);
      const embedder = make({ maxRetryWaitMs: 600_000 });

      // Act
      const result = await embedder.embed(['patience']);

      // Assess
      expect(result.calls).toBe(2);
      expect(Math.max(...sleeps)).toBeGreaterThanOrEqual(minimum);
    });

    it('honours retry-after given as an HTTP date', async () => {
      // Prepare: a clock on a whole second, the date 3 s later.
      const start = Date.UTC(2030, 0, 1, 12, 0, 0);
      emulator.failNext(1, { status: 429, retryAfterDate: new Date(start + 3_000) });
      const embedder = make({ clock: { now: () => start } });

      // Act
      await embedder.embed(['dated']);

      // Assess
      expect(sleeps).toContain(3_000);
    });

    it('gives up at once with TransientError when the advertised wait exceeds maxRetryWaitMs', async () => {
      // Prepare
      emulator.failNext(1, { status: 429, retryAfterSeconds: 600 });
      const embedder = make();

      // Act
      const error = await rejection(embedder.embed(['too long a wait']));

      // Assess
      expect(error).toBeInstanceOf(TransientError);
      expect((error as TransientError).retryable).toBe(true);
      expect(emulator.requests).toHaveLength(1);
    });

    it('throws a retryable TransientError after maxAttempts', async () => {
      // Prepare
      emulator.failNext(10, { status: 503 });
      const embedder = make({ maxAttempts: 3 });

      // Act
      const error = await rejection(embedder.embed(['never']));

      // Assess
      expect(error).toBeInstanceOf(TransientError);
      expect((error as TransientError).retryable).toBe(true);
      expect(String(error)).toContain('after 3 attempts');
      expect(emulator.requests).toHaveLength(3);
      expect(embedder.stats).toMatchObject({ requests: 3, retries: 2, tokens: 0, inputs: 0 });
      // Backoff ceilings 500, 1000 ms; random() = 0.5.
      expect(sleeps).toEqual([250, 500]);
    });

    it('does not retry when the server sends x-should-retry: false', async () => {
      // Prepare
      emulator.failNext(1, { status: 503, shouldRetry: false });
      const embedder = make();

      // Act
      const error = await rejection(embedder.embed(['no']));

      // Assess
      expect(error).toBeInstanceOf(TransientError);
      expect(emulator.requests).toHaveLength(1);
    });

    it('retries connection errors, then throws TransientError', async () => {
      // Prepare: a port nobody listens on any more.
      const gone = await startOpenAiEmulator();
      await gone.close();
      const embedder = make({ baseURL: gone.url, maxAttempts: 2 });

      // Act
      const error = await rejection(embedder.embed(['anyone?']));

      // Assess
      expect(error).toBeInstanceOf(TransientError);
      expect(String(error)).toContain('connection error');
      expect(embedder.stats.requests).toBe(2);
    });

    it('retries timeouts', async () => {
      // Prepare
      emulator.setLatency(300);
      const embedder = make({ timeoutMs: 50, maxAttempts: 2 });

      // Act
      const error = await rejection(embedder.embed(['slow']));

      // Assess
      expect(error).toBeInstanceOf(TransientError);
      expect(String(error)).toContain('timed out');
      expect(embedder.stats.requests).toBe(2);
    });

    it('stops the other requests of the call once one fails for good', async () => {
      // Prepare: one request at a time; the first is rejected.
      emulator.failNext(1, { status: 400 });
      const embedder = make({ maxInputsPerRequest: 1, concurrency: 1 });

      // Act
      const error = await rejection(embedder.embed(['a', 'b', 'c', 'd']));

      // Assess
      expect(error).toBeInstanceOf(PoisonTaskError);
      expect(emulator.requests).toHaveLength(1);
    });
  });

  describe('errors that are not retried', () => {
    it('maps 400 to PoisonTaskError with the API message, after exactly one request', async () => {
      // Prepare
      emulator.failNext(1, { status: 400, message: "Invalid 'input': maximum context length is 8192 tokens." });
      const embedder = make();

      // Act
      const error = await rejection(embedder.embed(['rejected']));

      // Assess
      expect(error).toBeInstanceOf(PoisonTaskError);
      expect((error as PoisonTaskError).retryable).toBe(false);
      expect(String(error)).toContain('maximum context length is 8192 tokens');
      expect(emulator.requests).toHaveLength(1);
    });

    it('maps a 400 about the settings (the model does not take dimensions) to EmbeddingProviderError: no input escapes it', async () => {
      // Prepare
      emulator.failNext(1, { status: 400, message: 'This model does not support specifying dimensions.' });
      const embedder = make();

      // Act
      const error = await rejection(embedder.embed(['any input']));

      // Assess
      expect(error).toBeInstanceOf(EmbeddingProviderError);
      expect((error as EmbeddingProviderError).status).toBe(400);
      expect(String(error)).toContain('check embedder.model and embedder.dimensions');
      expect(emulator.requests).toHaveLength(1);
    });

    it('maps 401 (wrong key) to EmbeddingProviderError naming the API key, after exactly one request', async () => {
      // Prepare
      const embedder = make({ apiKey: 'sk-wrong-key-0000' });

      // Act
      const error = await rejection(embedder.embed(['secret']));

      // Assess
      expect(error).toBeInstanceOf(EmbeddingProviderError);
      expect((error as EmbeddingProviderError).retryable).toBe(false);
      expect((error as EmbeddingProviderError).status).toBe(401);
      expect(String(error)).toContain('check the API key');
      expect(emulator.requests.map((r) => r.status)).toEqual([401]);
    });

    it('maps 404 (unknown model) to EmbeddingProviderError naming the model and base URL', async () => {
      // Prepare
      const embedder = make({ model: 'text-embedding-9-imaginary', dimensions: 64 });

      // Act
      const error = await rejection(embedder.embed(['who?']));

      // Assess
      expect(error).toBeInstanceOf(EmbeddingProviderError);
      expect(String(error)).toContain('check the model name and the base URL');
      expect(String(error)).toContain('text-embedding-9-imaginary');
      expect(emulator.requests).toHaveLength(1);
    });

    it('maps 429 insufficient_quota to EmbeddingProviderError without retrying', async () => {
      // Prepare
      emulator.failNext(1, { status: 429, code: 'insufficient_quota', type: 'insufficient_quota', message: 'You exceeded your current quota, please check your plan and billing details.' });
      const embedder = make();

      // Act
      const error = await rejection(embedder.embed(['broke']));

      // Assess
      expect(error).toBeInstanceOf(EmbeddingProviderError);
      expect(String(error)).toContain('billing');
      expect(emulator.requests).toHaveLength(1);
    });
  });

  describe('wire format and accounting', () => {
    it('decodes base64 and float responses to identical vectors', async () => {
      // Prepare
      const texts = ['Rotate the database credentials every 90 days.', 'ünïcødé 日本語 text', 'x'];

      // Act
      const base64 = await make({ encodingFormat: 'base64' }).embed(texts);
      const float = await make({ encodingFormat: 'float' }).embed(texts);

      // Assess
      expect(emulator.requests.map((r) => r.encodingFormat)).toEqual(['base64', 'float']);
      expect(base64.vectors.map((v) => Array.from(v))).toEqual(float.vectors.map((v) => Array.from(v)));
      expect(base64.vectors.map((v) => Array.from(v))).toEqual((await expectedVectors(texts)).map((v) => Array.from(v)));
    });

    it('reports the tokens the API billed (usage.total_tokens), summed over requests', async () => {
      // Prepare
      const embedder = make({ maxInputsPerRequest: 3 });
      const texts = ['one', 'two words', 'three little words', 'a <|endoftext|> b', 'five', '', 'seven'];

      // Act
      const result = await embedder.embed(texts);

      // Assess
      expect(result.tokens).toBe(emulator.stats().tokens);
      expect(result.tokens).toBe(texts.reduce((sum, t) => sum + tokens(t === '' ? ' ' : t), 0));
      expect(embedder.stats.tokens).toBe(result.tokens);
      expect(embedder.stats.inputs).toBe(7);
    });

    it('sends dimensions for text-embedding-3 models and not for ada-002', async () => {
      // Act
      await make({ model: 'text-embedding-3-large', dimensions: 128 }).embed(['large']);
      await make({ model: 'text-embedding-ada-002', dimensions: 1536 }).embed(['ada']);

      // Assess
      expect(emulator.requests.map((r) => [r.model, r.dimensions, r.status])).toEqual([
        ['text-embedding-3-large', 128, 200],
        ['text-embedding-ada-002', undefined, 200],
      ]);
    });

    it('rejects impossible configurations with ConfigError', () => {
      expect(() => make({ model: 'text-embedding-ada-002', dimensions: 256 })).toThrow(ConfigError);
      expect(() => make({ model: 'text-embedding-3-small', dimensions: 2_000 })).toThrow(ConfigError);
      expect(() => new OpenAiEmbedder({ apiKey: 'k', model: 'my-model' })).toThrow(ConfigError);
      expect(() => make({ apiKey: '' })).toThrow(ConfigError);
      expect(() => make({ maxTokensPerInput: 10_000, maxTokensPerRequest: 5_000 })).toThrow(ConfigError);
      expect(() => make({ limiter: new RateLimiter(), concurrency: 2 })).toThrow(ConfigError);
      expect(new OpenAiEmbedder({ apiKey: 'k', model: 'text-embedding-3-large' }).dimensions).toBe(3072);
    });
  });

  describe('shared limiter', () => {
    it('keeps concurrent calls under the tokens-per-minute budget the server enforces', async () => {
      // Prepare: a server allowing 3,000 tokens a minute and one fake clock for both sides,
      // advanced by every wait the embedder takes.
      let clock = Date.UTC(2030, 0, 1);
      const now = (): number => clock;
      const limited = await startOpenAiEmulator({ now, rateLimits: { tokensPerMinute: 3_000 } });
      try {
        const sleep = async (ms: number): Promise<void> => {
          sleeps.push(ms);
          clock += ms;
        };
        const limiter = new RateLimiter({ concurrency: 3, tokensPerMinute: 3_000, clock: { now }, sleep });
        const options = { apiKey: limited.apiKey, baseURL: limited.url, limiter, clock: { now }, sleep, maxTokensPerRequest: 1_000, maxTokensPerInput: 500 };
        const first = make(options);
        const second = make(options);
        const texts = (tag: string): string[] => Array.from({ length: 60 }, (_, i) => `${tag} ${i} ${'budget words '.repeat(20)}`);

        // Act: two embedders, three calls, one limiter.
        const results = await Promise.all([first.embed(texts('a')), second.embed(texts('b')), first.embed(texts('c'))]);

        // Assess
        const total = results.reduce((sum, r) => sum + r.tokens, 0);
        expect(total).toBeGreaterThan(6_000);
        expect(limited.stats().throttled).toBe(0);
        expect(limited.stats().succeeded).toBe(limited.requests.length);
        expect(limiter.stats.waits).toBeGreaterThan(0);
        expect(results.every((r) => r.vectors.length === 60)).toBe(true);
      } finally {
        await limited.close();
      }
    });

    it('without a budget, recovers from the server throttling by honouring its headers', async () => {
      // Prepare
      let clock = Date.UTC(2030, 0, 1);
      const now = (): number => clock;
      const limited = await startOpenAiEmulator({ now, rateLimits: { tokensPerMinute: 3_000, requestsPerMinute: 100 } });
      try {
        const sleep = async (ms: number): Promise<void> => {
          sleeps.push(ms);
          clock += ms;
        };
        const embedder = make({ apiKey: limited.apiKey, baseURL: limited.url, clock: { now }, sleep, maxTokensPerRequest: 1_000, maxTokensPerInput: 500, maxAttempts: 20 });
        const texts = Array.from({ length: 60 }, (_, i) => `unbudgeted ${i} ${'budget words '.repeat(30)}`);

        // Act
        const result = await embedder.embed(texts);

        // Assess
        expect(result.vectors).toHaveLength(60);
        expect(limited.stats().throttled).toBeGreaterThan(0);
        expect(result.calls).toBe(limited.requests.length);
        expect(result.tokens).toBe(limited.stats().tokens);
      } finally {
        await limited.close();
      }
    });
  });

  describe('the emulator itself', () => {
    /** `key: null` sends no Authorization header. */
    const post = async (body: unknown, key: string | null = emulator.apiKey): Promise<{ status: number; json: Record<string, unknown> }> => {
      const response = await fetch(`${emulator.url}/embeddings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(key === null ? {} : { authorization: `Bearer ${key}` }) },
        body: JSON.stringify(body),
      });
      return { status: response.status, json: (await response.json()) as Record<string, unknown> };
    };
    const errorOf = (json: Record<string, unknown>): Record<string, unknown> => json['error'] as Record<string, unknown>;

    it('answers like the API: list of embeddings, usage counted with cl100k_base', async () => {
      const { status, json } = await post({ model: 'text-embedding-3-small', input: 'hello world', dimensions: 8 });
      expect(status).toBe(200);
      expect(json).toMatchObject({ object: 'list', model: 'text-embedding-3-small', usage: { prompt_tokens: 2, total_tokens: 2 } });
      const data = json['data'] as Array<{ object: string; index: number; embedding: number[] }>;
      expect(data).toHaveLength(1);
      expect(data[0]).toMatchObject({ object: 'embedding', index: 0 });
      expect(data[0]!.embedding).toHaveLength(8);
    });

    it('rejects what the API rejects, with its error shape', async () => {
      const cases: Array<[unknown, string | null, number, string | null]> = [
        [{ model: 'text-embedding-3-small', input: 'x' }, null, 401, null],
        [{ model: 'text-embedding-3-small', input: 'x' }, 'sk-nope-12345678', 401, 'invalid_api_key'],
        [{ input: 'x' }, emulator.apiKey, 400, null],
        [{ model: 'text-embedding-3-small', input: '' }, emulator.apiKey, 400, null],
        [{ model: 'text-embedding-3-small', input: ['a', ''] }, emulator.apiKey, 400, null],
        [{ model: 'text-embedding-3-small', input: Array.from({ length: 2049 }, () => 'a') }, emulator.apiKey, 400, 'array_above_max_length'],
        [{ model: 'text-embedding-3-small', input: 'word '.repeat(8_200) }, emulator.apiKey, 400, null],
        [{ model: 'text-embedding-3-small', input: Array.from({ length: 40 }, () => 'word '.repeat(8_000)) }, emulator.apiKey, 400, 'max_tokens_per_request'],
        [{ model: 'text-embedding-3-small', input: 'x', dimensions: 1537 }, emulator.apiKey, 400, 'integer_above_max_value'],
        [{ model: 'text-embedding-ada-002', input: 'x', dimensions: 256 }, emulator.apiKey, 400, null],
        [{ model: 'text-embedding-3-small', input: 'x', encoding_format: 'hex' }, emulator.apiKey, 400, 'invalid_value'],
        [{ model: 'nope', input: 'x' }, emulator.apiKey, 404, 'model_not_found'],
      ];
      for (const [body, key, status, code] of cases) {
        const response = await post(body, key);
        expect(response.status, JSON.stringify(response.json)).toBe(status);
        expect(Object.keys(errorOf(response.json)).sort()).toEqual(['code', 'message', 'param', 'type']);
        expect(errorOf(response.json)['code']).toBe(code);
      }
    });

    it('fails the first k requests of every window in window storm mode', async () => {
      // Prepare
      emulator.setStorm({ mode: 'window', windowMs: 3_600_000, failFirst: 2, failure: { status: 503 } });
      const embedder = make();

      // Act
      await embedder.embed(['first']);
      await embedder.embed(['second']);

      // Assess
      expect(emulator.requests.map((r) => r.status)).toEqual([503, 503, 200, 200]);
      expect(emulator.requests.map((r) => r.injected)).toEqual([true, true, false, false]);
    });
  });

  describe('header parsing', () => {
    it('parses OpenAI reset durations', () => {
      expect(parseDurationMs('6m0s')).toBe(360_000);
      expect(parseDurationMs('1s')).toBe(1_000);
      expect(parseDurationMs('20ms')).toBe(20);
      expect(parseDurationMs('1h2m3.5s')).toBe(3_723_500);
      expect(parseDurationMs('0.5s')).toBe(500);
      expect(parseDurationMs('soon')).toBeUndefined();
      expect(parseDurationMs(null)).toBeUndefined();
    });

    it('prefers retry-after-ms, then retry-after, then the exhausted limit’s reset', () => {
      const now = Date.UTC(2030, 0, 1);
      expect(advertisedWaitMs(new Headers({ 'retry-after-ms': '40', 'retry-after': '9' }), 429, now)).toBe(40);
      expect(advertisedWaitMs(new Headers({ 'retry-after': '2' }), 503, now)).toBe(2_000);
      expect(advertisedWaitMs(new Headers({ 'retry-after': new Date(now + 5_000).toUTCString() }), 429, now)).toBe(5_000);
      expect(advertisedWaitMs(new Headers({
        'x-ratelimit-remaining-requests': '10', 'x-ratelimit-reset-requests': '6m0s',
        'x-ratelimit-remaining-tokens': '0', 'x-ratelimit-reset-tokens': '750ms',
      }), 429, now)).toBe(750);
      expect(advertisedWaitMs(new Headers({ 'x-ratelimit-reset-tokens': '1s' }), 503, now)).toBeUndefined();
      expect(advertisedWaitMs(new Headers({}), 429, now)).toBeUndefined();
    });
  });
});
