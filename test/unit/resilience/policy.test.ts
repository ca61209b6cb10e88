import { describe, expect, it } from 'vitest';
import { ConfigError, PoisonTaskError, TransientError } from '../../../shared/core/errors.ts';
import {
  isRetryableError,
  isRetryableStatus,
  isTimeout,
  isTransportFailure,
  refusesRetry,
  RetryPolicy,
  transportFailureMessage,
} from '../../../shared/resilience/index.ts';
import type { RetryPolicyOptions } from '../../../shared/resilience/index.ts';

const policy = (options: Partial<RetryPolicyOptions> = {}): RetryPolicy =>
  new RetryPolicy({ maxAttempts: 4, baseBackoffMs: 100, maxBackoffMs: 1_000, maxRetryWaitMs: 60_000, random: () => 0.5, ...options });

describe('which failures are retried', () => {
  it('retries 408, 425, 429 and every 5xx, and no other 4xx', () => {
    // Prepare
    const statuses = [400, 401, 403, 404, 408, 409, 410, 422, 425, 429, 499, 500, 501, 502, 503, 504, 599];

    // Act
    const retried = statuses.filter((status) => isRetryableStatus(status));

    // Assess
    expect(retried).toEqual([408, 425, 429, 500, 501, 502, 503, 504, 599]);
  });

  it('retries a status a provider documents as transient only when it names it', () => {
    expect(isRetryableStatus(409)).toBe(false);
    expect(isRetryableStatus(409, new Set([409]))).toBe(true);
  });

  it('tells timeouts and connection failures from a caller\'s abort and from bugs', () => {
    // Prepare
    const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    const refused = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }) });
    const aborted = new DOMException('This operation was aborted', 'AbortError');
    const bug = new TypeError('x is not a function');

    // Act, Assess
    expect([timeout, refused, aborted, bug].map(isTransportFailure)).toEqual([true, true, false, false]);
    expect(isTimeout(timeout)).toBe(true);
    expect(transportFailureMessage(refused)).toBe('ECONNREFUSED connect ECONNREFUSED 127.0.0.1:9');
  });

  it('lets a TributaryError say itself whether it is retryable', () => {
    expect(isRetryableError(new TransientError('flaky'))).toBe(true);
    expect(isRetryableError(new PoisonTaskError('never'))).toBe(false);
    expect(isRetryableError(new Error('unknown'))).toBe(false);
  });

  it('notices a server asking not to retry', () => {
    expect(refusesRetry(new Headers({ 'x-should-retry': 'false' }))).toBe(true);
    expect(refusesRetry(new Headers({ 'x-should-retry': 'true' }))).toBe(false);
    expect(refusesRetry(undefined)).toBe(false);
  });
});

describe('RetryPolicy', () => {
  it('waits full-jitter backoff, never less than the provider advertised', () => {
    // Prepare
    const retry = policy();

    // Act
    const steps = [
      retry.next(1, { status: 503 }),
      retry.next(2, { status: 503 }),
      retry.next(3, { status: 503, advertisedMs: 20 }),
      retry.next(1, { status: 503, advertisedMs: 2_000 }),
    ];

    // Assess: ceilings 100, 200, 400 at half; then max(2000 advertised, 50).
    expect(steps).toEqual([
      { kind: 'retry', delayMs: 50 },
      { kind: 'retry', delayMs: 100 },
      { kind: 'retry', delayMs: 200 },
      { kind: 'retry', delayMs: 2_000 },
    ]);
  });

  it('holds every call of the shared limiter after a 429 with a stated wait, and only then', () => {
    // Prepare
    const retry = policy();

    // Act, Assess
    expect(retry.next(1, { status: 429, advertisedMs: 1_500 })).toEqual({ kind: 'retry', delayMs: 1_500, holdAllMs: 1_500 });
    expect(retry.next(1, { status: 429 })).toEqual({ kind: 'retry', delayMs: 50 });
    expect(retry.next(1, { status: 503, advertisedMs: 1_500 })).toEqual({ kind: 'retry', delayMs: 1_500 });
    expect(retry.next(1, { status: 429, advertisedMs: 0 })).toEqual({ kind: 'retry', delayMs: 50 });
  });

  it('stops after maxAttempts', () => {
    expect(policy({ maxAttempts: 3 }).next(3, { status: 500 })).toEqual({ kind: 'exhausted', attempts: 3 });
    expect(policy({ maxAttempts: 1 }).next(1, {})).toEqual({ kind: 'exhausted', attempts: 1 });
  });

  it('refuses to sleep through an advertised wait over maxRetryWaitMs, on any attempt', () => {
    // Prepare
    const retry = policy({ maxRetryWaitMs: 60_000 });

    // Act, Assess
    expect(retry.next(1, { status: 429, advertisedMs: 3_600_000 })).toEqual({ kind: 'wait-too-long', waitMs: 3_600_000, maxWaitMs: 60_000 });
    expect(retry.next(1, { status: 429, advertisedMs: 60_000 })).toMatchObject({ kind: 'retry', delayMs: 60_000 });
    expect(retry.exceedsWaitCap(60_001)).toBe(true);
    expect(retry.exceedsWaitCap(60_000)).toBe(false);
  });

  it('draws the jitter from the injected random source, once per retry', () => {
    // Prepare
    const draws: number[] = [];
    const retry = policy({ random: () => { draws.push(draws.length); return 0.25; } });

    // Act
    retry.next(1, {});
    retry.next(3, {});
    retry.next(4, {});
    retry.next(1, { advertisedMs: 120_000 });

    // Assess: no draw when the attempts are used up or the wait is refused.
    expect(draws).toHaveLength(2);
  });

  it('rejects impossible options with a ConfigError naming the owner and the key', () => {
    expect(() => policy({ maxAttempts: 0, owner: 'OpenAiEmbedder' })).toThrow('OpenAiEmbedder: maxAttempts must be a positive integer, got 0');
    expect(() => policy({ baseBackoffMs: -1 })).toThrow(/baseBackoffMs must be a non-negative number/);
    expect(() => policy({ maxRetryWaitMs: Number.NaN })).toThrow(ConfigError);
  });
});
