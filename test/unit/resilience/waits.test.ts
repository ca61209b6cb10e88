import { describe, expect, it } from 'vitest';
import {
  advertisedWaitMs,
  backoffMs,
  exhaustedBudgetWaitMs,
  parseDurationMs,
  parseRetryAfter,
  rateLimitExhausted,
  rateLimitResetMs,
} from '../../../shared/resilience/index.ts';

const NOW = Date.UTC(2030, 0, 1);
const headers = (init: Record<string, string>): Headers => new Headers(init);

describe('backoffMs (full jitter under a capped ceiling)', () => {
  it('doubles the ceiling per attempt and scales it by the random number, in whole ms', () => {
    // Prepare, Act
    const waits = [1, 2, 3, 4].map((attempt) => backoffMs(attempt, 0.5, { baseMs: 100, maxMs: 10_000 }));

    // Assess
    expect(waits).toEqual([50, 100, 200, 400]);
    expect(backoffMs(1, 0.3333, { baseMs: 100 })).toBe(33);
  });

  it('caps the ceiling at maxMs and never reaches it (random < 1)', () => {
    expect(backoffMs(20, 0.999, { baseMs: 1000, maxMs: 1500 })).toBe(1498);
    expect(backoffMs(3, 0, { baseMs: 1000, maxMs: 1500 })).toBe(0);
  });

  it('defaults to a 500 ms base and a 30 s cap', () => {
    expect(backoffMs(1, 0.5)).toBe(250);
    expect(backoffMs(30, 0.5)).toBe(15_000);
  });
});

describe('advertised waits', () => {
  it('reads Retry-After as seconds or as an HTTP date against the injected clock', () => {
    expect(parseRetryAfter('120', NOW)).toBe(120_000);
    expect(parseRetryAfter(' 1.5 ', NOW)).toBe(1_500);
    expect(parseRetryAfter(new Date(NOW + 7_000).toUTCString(), NOW)).toBe(7_000);
    expect(parseRetryAfter(new Date(NOW - 7_000).toUTCString(), NOW)).toBe(0);
    expect(parseRetryAfter('soon', NOW)).toBeUndefined();
    expect(parseRetryAfter('-3', NOW)).toBeUndefined();
    expect(parseRetryAfter(null, NOW)).toBeUndefined();
  });

  it('parses Go-style durations (OpenAI resets)', () => {
    expect(parseDurationMs('6m0s')).toBe(360_000);
    expect(parseDurationMs('1h2m3.5s')).toBe(3_723_500);
    expect(parseDurationMs('750ms')).toBe(750);
    expect(parseDurationMs('1s500ms')).toBe(1_500);
    expect(parseDurationMs('5')).toBeUndefined();
    expect(parseDurationMs(undefined)).toBeUndefined();
  });

  it('prefers retry-after-ms, then Retry-After, then the rate-limit reset', () => {
    expect(advertisedWaitMs(headers({ 'retry-after-ms': '40', 'retry-after': '9', 'x-ratelimit-reset-after': '30' }), 429, NOW)).toBe(40);
    expect(advertisedWaitMs(headers({ 'retry-after': '9', 'x-ratelimit-reset-after': '30' }), 429, NOW)).toBe(9_000);
    expect(advertisedWaitMs(headers({ 'x-ratelimit-reset-after': '30' }), 429, NOW)).toBe(30_000);
    expect(advertisedWaitMs(undefined, 429, NOW)).toBeUndefined();
    expect(advertisedWaitMs(headers({}), 429, NOW)).toBeUndefined();
  });

  it('reads reset headers only on a 429 or when the response says the budget is used up', () => {
    expect(advertisedWaitMs(headers({ 'ratelimit-reset': '7' }), 503, NOW)).toBeUndefined();
    expect(advertisedWaitMs(headers({ 'ratelimit-reset': '7', 'ratelimit-remaining': '0' }), 503, NOW)).toBe(7_000);
    expect(advertisedWaitMs(headers({ 'retry-after': '2' }), 503, NOW)).toBe(2_000);
  });

  it('reads X-RateLimit-Reset as epoch seconds, or as seconds to wait below 1e9', () => {
    const epoch = Math.floor(NOW / 1000) + 30;
    expect(rateLimitResetMs(headers({ 'x-ratelimit-reset': String(epoch) }), NOW)).toBe(30_000);
    expect(rateLimitResetMs(headers({ 'x-ratelimit-reset': '12' }), NOW)).toBe(12_000);
    expect(rateLimitResetMs(headers({ 'x-ratelimit-reset': String(Math.floor(NOW / 1000) - 5) }), NOW)).toBe(0);
  });

  it('takes the longest of several readings, and only the per-limit resets of exhausted limits', () => {
    expect(rateLimitResetMs(headers({ 'x-ratelimit-reset-after': '2', 'ratelimit-reset': '5' }), NOW)).toBe(5_000);
    expect(rateLimitResetMs(headers({
      'x-ratelimit-remaining-requests': '10', 'x-ratelimit-reset-requests': '6m0s',
      'x-ratelimit-remaining-tokens': '0', 'x-ratelimit-reset-tokens': '750ms',
    }), NOW)).toBe(750);
    expect(rateLimitResetMs(headers({ 'x-ratelimit-reset-requests': '2s', 'x-ratelimit-reset-tokens': '1s' }), NOW)).toBe(2_000);
    expect(rateLimitResetMs(headers({ 'x-ratelimit-reset': 'soon' }), NOW)).toBeUndefined();
  });

  it('tells a used-up budget from a response that is not throttled', () => {
    expect(rateLimitExhausted(headers({ 'x-ratelimit-remaining': '0' }))).toBe(true);
    expect(rateLimitExhausted(headers({ 'RateLimit-Remaining': '0' }))).toBe(true);
    expect(rateLimitExhausted(headers({ 'x-ratelimit-remaining': '3' }))).toBe(false);
    expect(rateLimitExhausted(headers({ 'x-ratelimit-remaining': '' }))).toBe(false);
  });

  it('holds the next request after a success that used up the budget, until the reset', () => {
    const spent = { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.floor(NOW / 1000) + 30) };
    expect(exhaustedBudgetWaitMs(headers(spent), 200, NOW)).toBe(30_000);
    // A 429 is the retry's business, a past reset holds nothing, a budget left holds nothing.
    expect(exhaustedBudgetWaitMs(headers(spent), 429, NOW)).toBeUndefined();
    expect(exhaustedBudgetWaitMs(headers({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '0' }), 200, NOW)).toBeUndefined();
    expect(exhaustedBudgetWaitMs(headers({ 'x-ratelimit-remaining': '4', 'x-ratelimit-reset': '60' }), 200, NOW)).toBeUndefined();
  });
});
