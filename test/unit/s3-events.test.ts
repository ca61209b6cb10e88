/**
 * S3 events → id hints: EventBridge events as the emulator emits them (keys URL-encoded, and
 * raw), duplicated and shuffled; the Records format; the webhook's bearer check (401 before
 * anything is parsed), malformed bodies (400), replay memory by event id; and the fetcher
 * turning a rule-delivered event message into a targeted task.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nativeEventDecoder } from '../../functions/fetcher/native-events.ts';
import { parseConfig } from '../../shared/config/load.ts';
import { HttpError, PoisonTaskError } from '../../shared/core/errors.ts';
import { s3Connector } from '../../shared/connectors/s3/definition.ts';
import { compareSequencers, decodeS3Events } from '../../shared/connectors/s3/events.ts';
import { KeySpace } from '../../shared/connectors/s3/keys.ts';
import type { S3SourceConfig } from '../../shared/connectors/s3/config.ts';
import { compareSequencers as emulatorOrder, startS3, type S3Emulator } from '../emulators/s3.ts';

const NAMES = ['a b/c d.md', 'c++/x+y.md', '日本語/ノート.md', 'rocket 🚀/plan.md', '100%/off.md'];
const keys = new KeySpace({ prefix: 'docs/', include: ['**/*.md'], exclude: [] });
let encoded: S3Emulator;
let raw: S3Emulator;

beforeAll(async () => {
  [encoded, raw] = await Promise.all([startS3({ requestRates: false }), startS3({ requestRates: false, eventKeyEncoding: 'raw' })]);
  for (const s3 of [encoded, raw]) {
    s3.createBucket('kbase', { eventBridge: true, versioning: 'Enabled' });
    for (const name of NAMES) s3.putObject('kbase', `docs/${name}`, 'v1');
    s3.putObject('kbase', 'elsewhere/x.md', 'not ours');
    s3.putObject('kbase', 'docs/image.png', 'not selected');
    s3.deleteObject('kbase', `docs/${NAMES[0]}`);
  }
});
afterAll(async () => {
  await encoded.close();
  await raw.close();
});

const source = (extra: Record<string, unknown> = {}): S3SourceConfig =>
  parseConfig({ sources: [{ id: 'kb', kind: 's3', bucket: 'kbase', prefix: 'docs/', include: ['**/*.md'], ...extra }] }).sources[0] as S3SourceConfig;

describe('S3 events', () => {
  it.each([['URL-encoded keys', () => encoded], ['raw keys', () => raw]])('names each object once, with %s, duplicated and shuffled', (_name, s3) => {
    // Act
    const decoded = decodeS3Events(s3().eventBatch({ duplicates: 2, shuffle: true, seed: 7 }), { bucket: 'kbase', keys });

    // Assess: every key, however sent (a key decoding changes is hinted in both forms); the
    // deleted key's latest change is its delete, by sequencer, whatever the arrival order.
    for (const name of NAMES) expect(decoded.ids).toContain(name);
    expect(decoded.ids.length).toBeLessThanOrEqual(2 * NAMES.length);
    expect(decoded.latest.get(NAMES[0]!)?.change).toBe('deleted');
    expect(decoded.latest.get(NAMES[1]!)?.change).toBe('created');
    expect(decoded.ignored).toBe(2 * 3);
  });

  it('reads the Records notification format (MinIO, SQS/SNS) and orders sequencers as S3 documents', () => {
    const record = (eventName: string, key: string, sequencer: string) => ({ eventName, s3: { bucket: { name: 'kbase' }, object: { key, sequencer } } });
    const decoded = decodeS3Events({ Records: [
      record('s3:ObjectRemoved:Delete', 'docs/red+flower.md', '0055AED6DCD90281E6'), record('ObjectCreated:Put', 'docs/red+flower.md', '0055AED6DCD90281E5'),
    ] }, { bucket: 'kbase', keys });
    expect(decoded.ids).toEqual(['red flower.md', 'red+flower.md']);
    expect(decoded.latest.get('red flower.md')).toMatchObject({ change: 'deleted' });
    for (const [a, b] of [['617f0829', '617f08299329d189'], ['0A', '09FF'], ['abc', 'ABC']] as const) expect(compareSequencers(a, b)).toBe(emulatorOrder(a, b));
  });
});

describe('s3 webhook (events: "webhook")', () => {
  const hookSource = source({ events: 'webhook', webhook: { secretEnv: 'S3_HOOK' } });
  const request = (body: string, authorization?: string) => ({
    headers: authorization ? { Authorization: authorization } : {}, rawBody: new TextEncoder().encode(body), body, secret: 'hook-secret', nowMs: Date.now(),
  });
  const decode = (body: string, authorization?: string) => s3Connector.decodeWebhook!(hookSource, request(body, authorization));
  const status = (fn: () => unknown): number => {
    try {
      fn();
    } catch (error) {
      if (error instanceof HttpError) return error.statusCode;
      throw error;
    }
    return 200;
  };

  it('answers 401 for a missing or wrong bearer before it parses anything, 400 for a malformed body', () => {
    expect(status(() => decode('not json'))).toBe(401);
    expect(status(() => decode('not json', 'Bearer nope'))).toBe(401);
    expect(status(() => decode('not json', 'Bearer hook-secret'))).toBe(400);
    expect(status(() => decode('{"detail-type":"Object Created","detail":{}}', 'Bearer hook-secret'))).toBe(400);
    expect(status(() => decode('{"hello":1}', 'Bearer hook-secret'))).toBe(400);
  });

  it('hints the event\'s id with replay memory by the EventBridge event id; ignores other prefixes', () => {
    const [event] = encoded.events().filter((e) => e.detail.object.key.startsWith('c%2B%2B') || e.detail.object.key.startsWith('docs/c%2B%2B'));
    const answer = decode(JSON.stringify(event), 'Bearer hook-secret');
    expect(answer).toMatchObject({ statusCode: 200, hints: { sourceId: 'kb', ids: ['c++/x+y.md', 'c%2B%2B/x%2By.md'] }, delivery: { id: `event:${event!.id}`, replay: { statusCode: 200 } } });
    const elsewhere = encoded.events().find((e) => e.detail.object.key.startsWith('elsewhere/'));
    expect(decode(JSON.stringify(elsewhere), 'Bearer hook-secret')).toMatchObject({ statusCode: 200, body: { ids: 0, ignored: 1 } });
    expect(decode(JSON.stringify(elsewhere), 'Bearer hook-secret').hints).toBeUndefined();
  });
});

describe('fetch-queue event messages (events: "eventbridge")', () => {
  it('become a targeted webhook task for the named ids; nothing of the source\'s → skip; malformed → poison', () => {
    // Prepare: the message the stacks' rule writes (its input template).
    const config = { sources: [source()] };
    const decodeMessage = nativeEventDecoder(config);
    const event = encoded.events().find((e) => e.detail.object.key.includes('%E6%97%A5'))!;
    const message = JSON.stringify({ type: 'event', sourceId: 'kb', event: { id: event.id, source: event.source, 'detail-type': event['detail-type'], time: event.time, detail: event.detail } });
    const other = JSON.stringify({ type: 'event', sourceId: 'kb', event: encoded.events().find((e) => e.detail.object.key.startsWith('elsewhere/')) });

    // Act + Assess
    expect(decodeMessage(message, Date.parse('2026-01-01T00:00:00Z'))).toEqual({
      type: 'fetch', sourceId: 'kb', trigger: 'webhook', ids: ['日本語/ノート.md', event.detail.object.key.slice('docs/'.length)], requestedAt: '2026-01-01T00:00:00.000Z',
    });
    expect(decodeMessage(other, 0)).toBe('skip');
    expect(decodeMessage(JSON.stringify({ type: 'fetch', sourceId: 'kb' }), 0)).toBeUndefined();
    expect(() => decodeMessage(JSON.stringify({ type: 'event', sourceId: 'kb', event: { 'detail-type': 'Object Created' } }), 0)).toThrow(PoisonTaskError);
    expect(() => decodeMessage(JSON.stringify({ type: 'event', sourceId: 'ghost', event: {} }), 0)).toThrow(/not configured/);
  });
});
