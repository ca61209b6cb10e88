import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EVENT_DETAIL_TYPE, EVENT_SOURCE, EventBridgeEventBus } from '../../shared/adapters/aws/eventbridge-event-bus.ts';
import { TransientError } from '../../shared/core/errors.ts';
import { decodeFetchTask } from '../../shared/core/tasks.ts';
import type { FetchTask } from '../../shared/ports/index.ts';
import { FAKE_PUT_EVENTS_LIMITS, startFakeEventBridge, type FakeEventBridge, type PutEventsEntry } from '../support/aws-fakes.ts';

/**
 * The EventBridge adapter against a loopback PutEvents that enforces EventBridge's limits
 * (10 entries; 256 KB per entry and per request, read as 256,000 bytes, an entry being the
 * UTF-8 bytes of Source + DetailType + Detail). A hint that breaks them would fail on every
 * retry, so these sizes sit at and just past each limit.
 */

const NOW = Date.parse('2026-03-01T12:00:00.000Z');
const LIMIT = FAKE_PUT_EVENTS_LIMITS.maxBytes;

let fake: FakeEventBridge;
let client: EventBridgeClient;
let bus: EventBridgeEventBus;

beforeAll(async () => {
  fake = await startFakeEventBridge({ region: 'us-east-1', account: '123456789012' });
  client = new EventBridgeClient({ endpoint: fake.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  bus = new EventBridgeEventBus({ client, busName: 'tributary-bus', clock: { now: () => NOW }, retryDelayMs: 1 });
});
afterAll(async () => {
  client.destroy();
  await fake.close();
});
beforeEach(() => {
  fake.requests.length = 0;
  fake.rejected.length = 0;
});

const sizeOf = (e: PutEventsEntry): number => Buffer.byteLength(`${e.Source ?? ''}${e.DetailType ?? ''}${e.Detail ?? ''}`, 'utf8');
const entries = (): PutEventsEntry[] => fake.requests.flatMap((r) => r.entries);
const tasks = (): FetchTask[] => entries().map((e) => decodeFetchTask(e.Detail));
/** Size of the entry of a task of `sourceId` naming `ids`, as EventBridge counts it. */
const entryBytes = (sourceId: string, ids: readonly string[]): number => sizeOf({
  Source: EVENT_SOURCE, DetailType: EVENT_DETAIL_TYPE,
  Detail: JSON.stringify({ type: 'fetch', sourceId, trigger: 'webhook', requestedAt: new Date(NOW).toISOString(), ids }),
});
/** Ids that make the task's entry exactly `bytes`: 1,000-character ids, then one to fill. */
function idsFilling(sourceId: string, bytes: number): string[] {
  const ids: string[] = [];
  while (entryBytes(sourceId, [...ids, 'a'.repeat(1000), 'z']) < bytes) ids.push(`a${String(ids.length).padStart(5, '0')}${'x'.repeat(994)}`);
  const rest = bytes - entryBytes(sourceId, [...ids, '']);
  return [...ids, `z${'y'.repeat(rest - 1)}`];
}

describe('EventBridgeEventBus within PutEvents limits', () => {
  it('splits a 0.26 MiB hint of 2,000 long ids into entries and requests within 256 KB, every id once, in order', async () => {
    // Prepare: 2,000 ids of 137 characters: 0.26 MiB of ids.
    const ids = Array.from({ length: 2000 }, (_v, i) => `channel-${String(i).padStart(4, '0')}/${'t'.repeat(124)}`);
    expect(ids.join('').length / 1024 / 1024).toBeGreaterThan(0.26);

    // Act
    await bus.publish([{ sourceId: 'team', ids }]);

    // Assess
    expect(fake.rejected).toEqual([]);
    expect(entries().length).toBeGreaterThan(1);
    for (const e of entries()) expect(sizeOf(e)).toBeLessThanOrEqual(LIMIT);
    for (const r of fake.requests) {
      expect(r.entries.length).toBeLessThanOrEqual(10);
      expect(r.entries.reduce((n, e) => n + sizeOf(e), 0)).toBeLessThanOrEqual(LIMIT);
    }
    expect(tasks().flatMap((t) => t.ids ?? [])).toEqual([...ids].sort());
    for (const t of tasks()) expect(t).toMatchObject({ type: 'fetch', sourceId: 'team', trigger: 'webhook', requestedAt: new Date(NOW).toISOString() });
  });

  it('sends an entry of exactly 256,000 bytes whole, and splits one a byte larger in two', async () => {
    // Prepare
    const atLimit = idsFilling('docs', LIMIT);
    const overLimit = [...atLimit.slice(0, -1), `${atLimit.at(-1)!}y`];
    expect(entryBytes('docs', atLimit)).toBe(LIMIT);
    expect(entryBytes('docs', overLimit)).toBe(LIMIT + 1);

    // Act
    await bus.publish([{ sourceId: 'docs', ids: atLimit }]);
    const whole = entries();
    fake.requests.length = 0;
    await bus.publish([{ sourceId: 'docs', ids: overLimit }]);
    const split = entries();

    // Assess
    expect(fake.rejected).toEqual([]);
    expect(whole).toHaveLength(1);
    expect(sizeOf(whole[0]!)).toBe(LIMIT);
    expect(split).toHaveLength(2);
    expect(split.map((e) => decodeFetchTask(e.Detail).ids)).toEqual([overLimit.slice(0, -1), [overLimit.at(-1)]]);
  });

  it('puts at most 10 entries in a request, and at most 256,000 bytes', async () => {
    // Prepare: eleven small hints; then three of 100,000 bytes each (two fit in a request, three do not).
    const small = Array.from({ length: 11 }, (_v, i) => ({ sourceId: `s${i}`, ids: ['a.md'] }));
    const large = ['l1', 'l2', 'l3'].map((sourceId) => ({ sourceId, ids: idsFilling(sourceId, 100_000) }));

    // Act
    await bus.publish(small);
    const smallRequests = fake.requests.map((r) => r.entries.length);
    fake.requests.length = 0;
    await bus.publish(large);
    const largeRequests = fake.requests.map((r) => r.entries.length);

    // Assess
    expect(fake.rejected).toEqual([]);
    expect(smallRequests).toEqual([10, 1]);
    expect(largeRequests).toEqual([2, 1]);
  });

  it('publishes an empty hint as one incremental sync', async () => {
    // Act
    await bus.publish([{ sourceId: 'wiki', ids: [] }]);

    // Assess
    expect(tasks()).toEqual([{ type: 'fetch', sourceId: 'wiki', trigger: 'webhook', requestedAt: new Date(NOW).toISOString() }]);
    expect(entries()[0]).toMatchObject({ EventBusName: 'tributary-bus', Source: EVENT_SOURCE, DetailType: EVENT_DETAIL_TYPE });
  });

  it('sends again only the entries EventBridge reports failed, and fails when they keep failing', async () => {
    // Prepare
    const hints = ['a', 'b', 'c'].map((sourceId) => ({ sourceId, ids: [] }));

    // Act: one throttled entry, then one that stays throttled.
    fake.throttleNext(1);
    await bus.publish(hints);
    const delivered = tasks().map((t) => t.sourceId).sort();
    fake.requests.length = 0;
    fake.throttleNext(100);
    const failure = await bus.publish([{ sourceId: 'd', ids: [] }]).catch((e: unknown) => e);
    fake.throttleNext(0);

    // Assess
    expect(delivered).toEqual(['a', 'b', 'c']);
    expect(failure).toBeInstanceOf(TransientError);
    expect((failure as Error).message).toMatch(/rejected 1 of 1 events: Rate exceeded/);
  });
});
