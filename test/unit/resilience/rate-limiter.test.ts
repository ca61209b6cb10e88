import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../shared/core/errors.ts';
import { RateLimiter, TokenBucket } from '../../../shared/resilience/index.ts';
import { FakeTime } from './fake-time.ts';

describe('TokenBucket', () => {
  it('lets a full bucket through, then asks each caller to wait for its share of the refill', () => {
    // Prepare: 60 a minute, 2 back to back.
    const bucket = new TokenBucket({ perMinute: 60, capacity: 2 }, 0);

    // Act
    const waits = [bucket.reserve(1, 0), bucket.reserve(1, 0), bucket.reserve(1, 0), bucket.reserve(1, 0)];

    // Assess: one per second once the burst is spent, queued behind each other's debt.
    expect(waits).toEqual([0, 0, 1_000, 2_000]);
  });

  it('refills continuously up to the capacity, never beyond', () => {
    // Prepare
    const bucket = new TokenBucket({ perMinute: 60, capacity: 2 }, 0);
    bucket.reserve(2, 0);

    // Act
    const afterOneSecond = bucket.reserve(1, 1_000);
    const afterAnHour = [bucket.reserve(1, 3_600_000), bucket.reserve(1, 3_600_000), bucket.reserve(1, 3_600_000)];

    // Assess
    expect(afterOneSecond).toBe(0);
    expect(afterAnHour).toEqual([0, 0, 1_000]);
  });

  it('makes an amount over the capacity wait for a full bucket, not longer', () => {
    // Prepare: 3,000 tokens a minute, the default capacity (a minute's worth).
    const bucket = new TokenBucket({ perMinute: 3_000 }, 0);

    // Act
    const first = bucket.reserve(10_000, 0);
    const second = bucket.reserve(10_000, 0);

    // Assess
    expect(first).toBe(0);
    expect(second).toBe(60_000);
  });
});

describe('RateLimiter', () => {
  it('paces requests under requestsPerMinute on the injected clock and sleep', async () => {
    // Prepare
    const time = new FakeTime();
    const limiter = new RateLimiter({ requestsPerMinute: 60, burst: 1, clock: time.clock, sleep: time.sleep });

    // Act
    for (let i = 0; i < 4; i++) await limiter.run(async () => undefined);

    // Assess
    expect(time.waits).toEqual([1_000, 1_000, 1_000]);
    expect(limiter.stats).toEqual({ waits: 3, waitedMs: 3_000 });
  });

  it('spends each call\'s tokens from the token budget', async () => {
    // Prepare
    const time = new FakeTime();
    const limiter = new RateLimiter({ tokensPerMinute: 6_000, clock: time.clock, sleep: time.sleep });

    // Act
    await limiter.run(async () => undefined, { tokens: 6_000 });
    await limiter.run(async () => undefined, { tokens: 3_000 });

    // Assess: half a minute's refill.
    expect(time.waits).toEqual([30_000]);
  });

  it('waits once, for the longest of the delay, the pause and the budget', async () => {
    // Prepare
    const time = new FakeTime();
    const limiter = new RateLimiter({ requestsPerMinute: 60, burst: 1, clock: time.clock, sleep: time.sleep });
    await limiter.run(async () => undefined);
    limiter.pauseFor(2_500, 'throttled');

    // Act
    await limiter.run(async () => undefined, { delayMs: 400 });
    await limiter.run(async () => undefined, { delayMs: 4_000 });

    // Assess
    expect(time.waits).toEqual([2_500, 4_000]);
  });

  it('holds every call during a pause, and reports the pause in force', async () => {
    // Prepare: the clock stands still while the calls wait.
    let now = 0;
    const waits: number[] = [];
    const limiter = new RateLimiter({ clock: { now: () => now }, sleep: async (ms) => { waits.push(ms); } });

    // Act
    limiter.pauseFor(1_500, '429 slow down');
    limiter.pauseFor(500, 'shorter: ignored');
    const during = limiter.pause();
    await Promise.all([limiter.run(async () => undefined), limiter.run(async () => undefined)]);
    now = 1_500;
    const after = limiter.pause();

    // Assess
    expect(during).toEqual({ remainingMs: 1_500, reason: '429 slow down' });
    expect(waits).toEqual([1_500, 1_500]);
    expect(after).toBeUndefined();
  });

  it('keeps at most `concurrency` calls running, admitting the waiting ones in order', async () => {
    // Prepare
    const limiter = new RateLimiter({ concurrency: 2 });
    const started: number[] = [];
    const releases: Array<() => void> = [];
    const call = (n: number) => limiter.run(() => new Promise<void>((resolve) => { started.push(n); releases.push(resolve); }));

    // Act
    const calls = [call(1), call(2), call(3), call(4)];
    await new Promise((resolve) => setImmediate(resolve));
    const firstWave = [...started];
    const inFlight = limiter.inFlight;
    releases[0]!();
    await new Promise((resolve) => setImmediate(resolve));
    const secondWave = [...started];
    for (const release of releases.slice(1)) release();
    await new Promise((resolve) => setImmediate(resolve));
    releases.at(-1)!();
    await Promise.all(calls);

    // Assess
    expect(firstWave).toEqual([1, 2]);
    expect(inFlight).toBe(2);
    expect(secondWave).toEqual([1, 2, 3]);
    expect(started).toEqual([1, 2, 3, 4]);
    expect(limiter.inFlight).toBe(0);
  });

  it('frees the slot when a call fails', async () => {
    // Prepare
    const limiter = new RateLimiter({ concurrency: 1 });

    // Act
    const failed = await limiter.run(async () => { throw new Error('boom'); }).catch((error: unknown) => error);
    const next = await limiter.run(async () => 'ran');

    // Assess
    expect(failed).toBeInstanceOf(Error);
    expect(next).toBe('ran');
    expect(limiter.inFlight).toBe(0);
  });

  it('rejects impossible options with a ConfigError naming the owner and the key', () => {
    expect(() => new RateLimiter({ concurrency: 0, owner: 'OpenAiEmbedder' })).toThrow('OpenAiEmbedder: concurrency must be a positive integer, got 0');
    expect(() => new RateLimiter({ requestsPerMinute: -5 })).toThrow(/requestsPerMinute must be a positive number/);
    expect(() => new RateLimiter({ requestsPerMinute: 5, burst: 0 })).toThrow(/burst must be a positive number/);
    expect(() => new RateLimiter({ tokensPerMinute: 0 })).toThrow(ConfigError);
  });
});
