/**
 * The simulator's own parts (virtual clock, the provider's TPM limit, partition throttling)
 * and a small equivalence: with zero added latency the simulation does exactly the work a real
 * run of the same handlers does on the same corpus. The 1M-document scenarios run only with
 * `npm run simulate`.
 */
import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../shared/resilience/index.ts';
import { parseSimConfig } from './config.ts';
import { PartitionMeter, SimStateStore } from './dynamodb.ts';
import { Latencies, Scheduler } from './engine.ts';
import { runEquivalence } from './equivalence.ts';
import { OpenAiAccount, SimEmbedder } from './providers.ts';

describe('virtual clock', () => {
  it('runs an hour of sleeps in no wall time, in time order, and stops when the work is done', async () => {
    // Prepare
    const sched = new Scheduler();
    const t0 = sched.clock.now();
    const woke: number[] = [];
    for (const ms of [3_600_000, 1_000, 60_000]) void sched.sleep(ms).then(() => woke.push(sched.clock.now() - t0));
    const started = performance.now();
    // Act
    await sched.run(t0 + 7_200_000, () => woke.length === 3);
    // Assess
    expect(woke).toEqual([1_000, 60_000, 3_600_000]);
    expect(sched.clock.now() - t0).toBe(3_600_000);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});

describe('OpenAI account limits', () => {
  it('serves a minute’s token budget, answers 429 with the wait beyond it, and refills', async () => {
    // Prepare: 60,000 TPM, requests of 10,000 tokens.
    const config = parseSimConfig({ limits: { openaiTpm: 60_000, openaiRpm: 1_000 }, latency: { scale: 0 } });
    const sched = new Scheduler();
    const account = new OpenAiAccount(sched, new Latencies(1, 0), config);
    // Act
    const asked = Promise.all(Array.from({ length: 7 }, () => account.request(10_000)));
    await sched.run(sched.clock.now() + 1_000);
    const answers = await asked;
    // Assess: six fit, the seventh waits 10 s for 10,000 tokens to refill.
    expect(answers.filter((a) => a.ok)).toHaveLength(6);
    const refused = answers.find((a) => !a.ok);
    expect(refused).toEqual({ ok: false, status: 429, waitMs: 10_000 });
    sched.clock.advanceTo(sched.clock.now() + 10_000);
    const again = account.request(10_000);
    await sched.run(sched.clock.now() + 1_000);
    expect((await again).ok).toBe(true);
  });

  it('holds a shared client budget under the account limit: no 429 and every token served', async () => {
    // Prepare: two containers sharing one limiter at the account's budget.
    const config = parseSimConfig({ limits: { openaiTpm: 120_000, openaiRpm: 1_000 }, latency: { scale: 0 } });
    const sched = new Scheduler();
    const lat = new Latencies(2, 0);
    const account = new OpenAiAccount(sched, lat, config);
    const limiter = new RateLimiter({ tokensPerMinute: 120_000, clock: sched.clock, sleep: sched.sleep });
    const stats = { retries: 0, failedCalls: 0 };
    const embedders = [0, 1].map(() => new SimEmbedder(sched, lat, { account, limiter, countTokens: () => 1_000, stats }));
    // Act: 480 texts of 1,000 tokens: the bucket's first minute (full at the start) and 3 of refill.
    const t0 = sched.clock.now();
    const done = Promise.all(embedders.flatMap((e) => Array.from({ length: 24 }, () => e.embed(Array.from({ length: 10 }, () => 'x')))));
    await sched.run(sched.clock.now() + 3_600_000, () => account.stats.tokens === 480_000);
    await done;
    // Assess
    expect(account.stats.throttled).toBe(0);
    expect(account.stats.tokens).toBe(480_000);
    expect(sched.clock.now() - t0).toBeGreaterThanOrEqual(3 * 60_000);
    expect(sched.clock.now() - t0).toBeLessThan(4 * 60_000);
  });
});

describe('DynamoDB partitions', () => {
  it('takes 1,000 WCU per partition key per second and throttles the next', () => {
    // Prepare
    const meter = new PartitionMeter({ partitionWcu: 1_000, partitionRcu: 3_000 });
    // Act
    const first = Array.from({ length: 1_000 }, () => meter.write(0, 'SRC#a', 'STATE', 1));
    const over = meter.write(999, 'SRC#a', 'STATE', 1);
    const other = meter.write(999, 'SRC#b', 'STATE', 1);
    const next = meter.write(1_000, 'SRC#a', 'STATE', 1);
    // Assess
    expect(first.every(Boolean)).toBe(true);
    expect([over, other, next]).toEqual([false, true, true]);
    expect(meter.throttles).toBe(1);
    expect(meter.hottest).toEqual({ pk: 'SRC#a', wcuPerSecond: 1_000 });
  });

  it('throttles the one embedding-cache key of the old layout; the sharded layout spreads the same writes', async () => {
    // Prepare: 400 vectors of 1,536 dimensions (7 WCU each) in one instant.
    const entries = new Map(Array.from({ length: 400 }, (_, i) => [(i * 2_654_435_761 >>> 0).toString(16).padStart(8, '0').repeat(8), new Float32Array(8)] as const));
    const run = async (embeddingCache: 'single' | 'sharded') => {
      const config = parseSimConfig({ deploy: { embeddingCache }, latency: { scale: 0 } });
      const sched = new Scheduler();
      const store = new SimStateStore(sched, new Latencies(3, 0), config, 8);
      const put = store.putEmbeddings('m', 8, entries).then(() => 'stored', (e: unknown) => String(e));
      await sched.run(sched.clock.now() + 60_000);
      return { outcome: await put, meter: store.meter };
    };
    // Act
    const single = await run('single');
    const sharded = await run('sharded');
    // Assess
    expect(single.meter.throttles).toBeGreaterThan(0);
    expect(single.meter.hottest.wcuPerSecond).toBeLessThanOrEqual(1_000);
    expect(sharded.outcome).toBe('stored');
    expect(sharded.meter.throttles).toBe(0);
    expect(sharded.meter.hottest.pk).toMatch(/^EMB#m#8#[0-9a-f]$/);
  });
});

describe('equivalence with a real run', () => {
  it('makes the same embedding calls, tokens, vector writes and state writes as the handlers on the in-memory twins (200 documents)', async () => {
    // Act
    const result = await runEquivalence(200, { sqlite: false });
    // Assess
    expect(result.differences).toEqual([]);
    expect(result.simulated.embeddingCalls).toBeGreaterThan(0);
    expect(result.simulated.vectorsUpserted).toBeGreaterThan(1_000);
    expect(result.simulated.state['commitDocument']).toBeGreaterThan(200);
  }, 30_000);
});
