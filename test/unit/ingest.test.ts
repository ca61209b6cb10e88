import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createIngestHandler, MAX_INGEST_BYTES } from '../../functions/ingest/ingest.ts';
import { parseConfig } from '../../shared/config/load.ts';
import { compareVersions } from '../../shared/connectors/push/versions.ts';
import { silentLogger } from '../../shared/core/deps.ts';
import { signWebhook } from '../../shared/core/webhook.ts';
import type { EventBus, Hints, PushStateStore, StashedDocument, StateStore } from '../../shared/ports/index.ts';
import { ManualClock, newStateStore, startServers, type EmbeddedServers } from '../support/embedded.ts';
import { InMemoryDeliveryLog } from '../support/memory-delivery-log.ts';

const SECRET = 'push-secret-0123456789';
const config = parseConfig({
  sources: [
    { id: 'pushed', kind: 'push', webhook: { secretEnv: 'PUSH_SECRET' }, maxDocumentBytes: 2048 },
    { id: 'docs', kind: 'filesystem', root: '/tmp/docs', webhook: { secretEnv: 'PUSH_SECRET' } },
  ],
});

/** Counts the stash writes that landed, so "applied once" is measured, not assumed. */
function counting<S extends StateStore & PushStateStore>(inner: S): S & { writes: number } {
  // The state table itself (the ingest route is handed the whole table), counting stash writes.
  const counted = Object.assign(Object.create(inner) as S, { writes: 0 });
  counted.putStashed = async (input: Parameters<PushStateStore['putStashed']>[0]) => {
    const stamp = await inner.putStashed(input);
    if (stamp !== undefined) counted.writes += 1;
    return stamp;
  };
  return counted;
}

class RecordingBus implements EventBus {
  readonly published: Hints[] = [];
  failures = 0;
  async publish(hints: readonly Hints[]): Promise<void> {
    if (this.failures > 0) {
      this.failures -= 1;
      throw new Error('bus unavailable');
    }
    this.published.push(...hints);
  }
  /** Document ids of every hint. */
  ids(): string[] {
    return this.published.flatMap((h) => h.ids);
  }
}

let servers: EmbeddedServers;
beforeAll(async () => {
  servers = await startServers();
});
afterAll(async () => {
  await servers.close();
});

describe('POST /ingest/{sourceId}', () => {
  let state: ReturnType<typeof counting>;
  let bus: RecordingBus;
  let clock: ManualClock;
  let handler: ReturnType<typeof createIngestHandler>;
  let secrets: Record<string, string>;

  beforeEach(async () => {
    state = counting(await newStateStore(servers));
    bus = new RecordingBus();
    clock = new ManualClock(Date.parse('2026-02-01T10:00:00.000Z'));
    secrets = { PUSH_SECRET: SECRET };
    handler = createIngestHandler({ config, secret: (name) => secrets[name], state, eventBus: bus, deliveries: new InMemoryDeliveryLog(), clock, log: silentLogger });
  });

  const nowSeconds = (): number => Math.floor(clock.now() / 1000);

  async function post(body: string, options: { sourceId?: string; signature?: string | null; headers?: Record<string, string> } = {}) {
    const signature = options.signature === undefined ? signWebhook(SECRET, body, nowSeconds()) : options.signature;
    const event = {
      version: '2.0', routeKey: 'POST /ingest/{sourceId}', rawPath: '/ingest', rawQueryString: '',
      headers: { 'content-type': 'application/json', ...(signature !== null ? { 'X-Tributary-Signature': signature } : {}), ...options.headers },
      pathParameters: { sourceId: options.sourceId ?? 'pushed' }, body, isBase64Encoded: false,
    } as unknown as APIGatewayProxyEventV2;
    const result = (await handler(event, {} as Context)) as APIGatewayProxyStructuredResultV2;
    return { status: result.statusCode, headers: result.headers ?? {}, json: JSON.parse(String(result.body)) as Record<string, unknown>, body: String(result.body) };
  }
  const batch = (...operations: unknown[]): string => JSON.stringify({ operations });
  const stashed = async (...ids: string[]): Promise<Map<string, StashedDocument>> => state.getStashed('pushed', ids);
  const stashSize = async (): Promise<number> => (await state.listStashed('pushed', { limit: 1000, includeDeleted: true })).items.length;

  describe('applying operations', () => {
    it('stashes upserts and deletes, answers per operation, and publishes one hint with the ids', async () => {
      // Prepare
      await post(batch({ op: 'upsert', id: 'gone', text: 'to be deleted', version: 1 }));
      bus.published.length = 0;

      // Act
      const res = await post(batch(
        { op: 'upsert', id: 'a', text: '# A\n\nAlpha.', version: '1', title: 'A', url: 'https://x/a', format: 'markdown', metadata: { team: 'infra', n: 1 } },
        { op: 'upsert', id: 'b', text: 'Beta.', version: 3 },
        { op: 'delete', id: 'gone' },
      ));

      // Assess
      expect(res.status).toBe(200);
      expect(res.json).toEqual({
        accepted: 3, unchanged: 0, rejected: 0,
        results: [{ index: 0, id: 'a', status: 'accepted' }, { index: 1, id: 'b', status: 'accepted' }, { index: 2, id: 'gone', status: 'accepted' }],
      });
      const stash = await stashed('a', 'b', 'gone');
      expect(stash.get('a')).toMatchObject({ text: '# A\n\nAlpha.', version: '1', title: 'A', url: 'https://x/a', format: 'markdown', metadata: { team: 'infra', n: 1 }, deleted: false });
      expect(stash.get('b')).toMatchObject({ version: '3', deleted: false, updatedAt: '2026-02-01T10:00:00.000Z' });
      expect(stash.get('gone')).toMatchObject({ deleted: true, version: '1' });
      expect(bus.published).toHaveLength(1);
      expect(bus.published[0]?.sourceId).toBe('pushed');
      expect(bus.ids().sort()).toEqual(['a', 'b', 'gone']);
    });

    it('rejects each invalid operation with its reason and applies the valid ones (207)', async () => {
      // Prepare
      const ops = [
        { op: 'upsert', id: 'ok-1', text: 'fine', version: '1' },
        { op: 'upsert', id: 'no-text', version: '1' },
        { op: 'replace', id: 'bad-op', text: 'x', version: '1' },
        { op: 'upsert', id: 'extra', text: 'x', version: '1', colour: 'red' },
        { op: 'upsert', id: 'x'.repeat(1001), text: 'x', version: '1' },
        { op: 'upsert', id: 'neg', text: 'x', version: -1 },
        { op: 'upsert', id: 'big', text: 'y'.repeat(3000), version: '1' },
        { op: 'upsert', id: 'meta', text: 'x', version: '1', metadata: { nested: { no: true } } },
        'not an object',
        { op: 'delete', id: '' },
        { op: 'delete', id: 'ok-2-never-existed' },
        { op: 'upsert', id: 'ok-3', text: 'also fine', version: '2026-01-01T00:00:00Z' },
      ];

      // Act
      const res = await post(batch(...ops));

      // Assess
      expect(res.status).toBe(207);
      const results = res.json['results'] as Array<{ index: number; id?: string; status: string; reason?: string }>;
      expect(results.map((r) => r.status)).toEqual([
        'accepted', 'rejected', 'rejected', 'rejected', 'rejected', 'rejected', 'rejected', 'rejected', 'rejected', 'rejected', 'unchanged', 'accepted',
      ]);
      const reason = (i: number): string => results[i]?.reason ?? '';
      expect(reason(1)).toMatch(/^text: required/);
      expect(reason(2)).toMatch(/op: must be "upsert" or "delete"/);
      expect(reason(3)).toMatch(/unknown field\(s\) colour/);
      expect(reason(4)).toMatch(/id: must be at most 1000 bytes/);
      expect(reason(5)).toMatch(/version: must be a non-empty string .* or a non-negative integer/);
      expect(reason(6)).toMatch(/3000 bytes .* over maxDocumentBytes 2048/);
      expect(reason(7)).toMatch(/metadata\.nested: metadata values must be strings, numbers or booleans/);
      expect(reason(8)).toMatch(/must be a JSON object/);
      expect(reason(9)).toMatch(/id: must not be empty/);
      expect(results[1]?.id).toBe('no-text');
      expect(results[8]?.id).toBeUndefined();
      expect([...(await stashed('ok-1', 'ok-3', 'no-text', 'big', 'extra')).keys()].sort()).toEqual(['ok-1', 'ok-3']);
      expect(res.json).toMatchObject({ accepted: 2, unchanged: 1, rejected: 9 });
      expect(bus.ids().sort()).toEqual(['ok-1', 'ok-2-never-existed', 'ok-3']);
    });

    it('calls a repeat unchanged, refuses older versions and conflicting content, and compares numbers and instants as such', async () => {
      // Prepare
      await post(batch(
        { op: 'upsert', id: 'n', text: 'nine', version: 9 },
        { op: 'upsert', id: 't', text: 'noon', version: '2026-01-01T12:00:00Z' },
        { op: 'upsert', id: 'o', text: 'opaque', version: 'etag-b' },
      ));
      const writesBefore = state.writes;

      // Act
      const res = await post(batch(
        { op: 'upsert', id: 'n', text: 'nine', version: '9' },
        { op: 'upsert', id: 'n', text: 'eight', version: 8 },
        { op: 'upsert', id: 'n', text: 'nine, edited', version: 9 },
        { op: 'upsert', id: 'n', text: 'ten', version: '10' },
        { op: 'upsert', id: 't', text: 'morning', version: '2026-01-01T13:00:00+02:00' },
        { op: 'upsert', id: 't', text: 'afternoon', version: '2026-01-01T12:00:00.001Z' },
        { op: 'upsert', id: 'o', text: 'opaque 2', version: 'etag-a' },
      ));

      // Assess
      const results = res.json['results'] as Array<{ status: string; reason?: string }>;
      expect(results.map((r) => r.status)).toEqual(['unchanged', 'rejected', 'rejected', 'accepted', 'rejected', 'accepted', 'accepted']);
      expect(results[1]?.reason).toBe('stale version: 8 is older than the stored version 9');
      expect(results[2]?.reason).toMatch(/version 9 is already stored with different content/);
      expect(results[4]?.reason).toMatch(/stale version/);
      expect(state.writes - writesBefore).toBe(3);
      const stash = await stashed('n', 't', 'o');
      expect(stash.get('n')).toMatchObject({ text: 'ten', version: '10' });
      expect(stash.get('t')).toMatchObject({ text: 'afternoon' });
      expect(stash.get('o')).toMatchObject({ text: 'opaque 2', version: 'etag-a' });
    });

    it('keeps a deleted version refused until a newer one restores the document', async () => {
      // Prepare
      await post(batch({ op: 'upsert', id: 'd', text: 'v5', version: 5 }));
      await post(batch({ op: 'delete', id: 'd', version: 6 }));

      // Act
      const late = await post(batch({ op: 'upsert', id: 'd', text: 'v5 again', version: 5 }, { op: 'delete', id: 'd' }));
      const restored = await post(batch({ op: 'upsert', id: 'd', text: 'v7', version: 7 }));

      // Assess
      expect((late.json['results'] as Array<{ status: string; reason?: string }>).map((r) => [r.status, r.reason])).toEqual([
        ['rejected', 'stale version: the document was deleted at version 6; send a newer version to restore it'],
        ['unchanged', undefined],
      ]);
      expect(restored.status).toBe(200);
      expect((await stashed('d')).get('d')).toMatchObject({ deleted: false, text: 'v7', version: '7' });
    });
  });

  describe('refusals: nothing stashed, nothing published', () => {
    const body = batch({ op: 'upsert', id: 'a', text: 'x', version: 1 });

    it.each([
      ['missing', null, /missing x-tributary-signature/],
      ['wrong secret', 'wrong', /does not match/],
      ['expired', 'stale', /outside the 5-minute window/],
      ['malformed', 't=abc', /malformed/],
    ])('401 for a %s signature', async (_name, kind, message) => {
      // Prepare
      const signature = kind === 'wrong' ? signWebhook('not-the-secret', body, nowSeconds())
        : kind === 'stale' ? signWebhook(SECRET, body, nowSeconds() - 301) : kind;

      // Act
      const res = await post(body, { signature });

      // Assess
      expect(res.status).toBe(401);
      expect(String(res.json['error'])).toMatch(message);
      expect(await stashSize()).toBe(0);
      expect(bus.published).toEqual([]);
    });

    it('401 when the body was changed after signing', async () => {
      // Prepare
      const signature = signWebhook(SECRET, body, nowSeconds());

      // Act
      const res = await post(body.replace('"x"', '"y"'), { signature });

      // Assess
      expect(res.status).toBe(401);
      expect(await stashSize()).toBe(0);
    });

    it('the same 401 for an unknown source, a source of another kind and a bad signature (no 404 tells which ids exist)', async () => {
      // Act
      const unknown = await post(body, { sourceId: 'nope' });
      const folder = await post(body, { sourceId: 'docs' });
      const forged = await post(body, { signature: `t=${nowSeconds()},v1=${'0'.repeat(64)}` });

      // Assess
      for (const res of [unknown, folder, forged]) expect(res.status).toBe(401);
      expect(unknown.json).toEqual(folder.json);
      expect(bus.published).toEqual([]);
    });

    it('413 for a body over MAX_INGEST_BYTES (2,000,000 bytes), before anything is parsed', async () => {
      // Prepare: 60 operations of 90 KB text each, well-formed and signed.
      const huge = batch(...Array.from({ length: 60 }, (_, i) => ({ op: 'upsert', id: `d${i}`, text: 'z'.repeat(90_000), version: 1 })));
      expect(huge.length).toBeGreaterThan(MAX_INGEST_BYTES);

      // Act
      const res = await post(huge);

      // Assess
      expect(res.status).toBe(413);
      expect(String(res.json['error'])).toMatch(/over the 2000000-byte limit/);
      expect(await stashSize()).toBe(0);
    });

    it.each([
      ['malformed JSON', '{"operations": [', /body is not valid JSON/],
      ['an array body', '[]', /must be a JSON object/],
      ['another field', '{"operations":[],"extra":1}', /unknown field\(s\) extra/],
      ['no operations', '{"operations":[]}', /is empty/],
      ['too many operations', batch(...Array.from({ length: 101 }, (_, i) => ({ op: 'delete', id: `d${i}` }))), /101 entries; at most 100/],
    ])('400 for %s, with the reason', async (_name, raw, message) => {
      // Act
      const res = await post(raw);

      // Assess
      expect(res.status).toBe(400);
      expect(String(res.json['error'])).toMatch(message);
      expect(await stashSize()).toBe(0);
      expect(bus.published).toEqual([]);
    });

    it('400 for an unusable Idempotency-Key, 401 when the secret is not set (logged for the operator)', async () => {
      // Act
      const badKey = await post(body, { headers: { 'Idempotency-Key': 'ü'.repeat(3) } });
      delete secrets['PUSH_SECRET'];
      const noSecret = await post(body);

      // Assess
      expect(badKey.status).toBe(400);
      expect(String(badKey.json['error'])).toMatch(/Idempotency-Key must be 1-255 printable/);
      expect(noSecret.status).toBe(401);
      expect(await stashSize()).toBe(0);
    });
  });

  describe('replayed requests', () => {
    it('refuses a captured push of an old version sent again without its key (409): the newer version stays', async () => {
      // Prepare: v1 pushed with a key (and captured), then v2.
      const v1 = batch({ op: 'upsert', id: 'doc', text: 'version one', version: 1 });
      const captured = signWebhook(SECRET, v1, nowSeconds());
      expect((await post(v1, { signature: captured, headers: { 'Idempotency-Key': 'k-1' } })).status).toBe(200);
      clock.advance(1_000);
      expect((await post(batch({ op: 'upsert', id: 'doc', text: 'version two', version: 2 }))).status).toBe(200);

      // Act: the capture, without its key, and with another key.
      const bare = await post(v1, { signature: captured });
      const rekeyed = await post(v1, { signature: captured, headers: { 'Idempotency-Key': 'k-other' } });

      // Assess
      expect(bare.status).toBe(409);
      expect(rekeyed.status).toBe(409);
      expect(String(bare.json['error'])).toMatch(/replay/);
      expect((await stashed('doc')).get('doc')?.text).toBe('version two');
    });

    it('refuses a captured delete sent again after the document was re-created (409): it stays', async () => {
      // Prepare
      await post(batch({ op: 'upsert', id: 'doc', text: 'first life', version: 1 }));
      clock.advance(1_000);
      const del = batch({ op: 'delete', id: 'doc', version: 2 });
      const captured = signWebhook(SECRET, del, nowSeconds());
      expect((await post(del, { signature: captured })).status).toBe(200);
      clock.advance(1_000);
      expect((await post(batch({ op: 'upsert', id: 'doc', text: 'second life', version: 3 }))).status).toBe(200);

      // Act
      const replay = await post(del, { signature: captured });

      // Assess
      expect(replay.status).toBe(409);
      expect((await stashed('doc')).get('doc')).toMatchObject({ deleted: false, text: 'second life' });
    });

    it('still answers a retry with the same Idempotency-Key from the stored response', async () => {
      // Prepare
      const body = batch({ op: 'upsert', id: 'doc', text: 'once', version: 1 });
      const signature = signWebhook(SECRET, body, nowSeconds());
      const first = await post(body, { signature, headers: { 'Idempotency-Key': 'k-retry' } });

      // Act
      const retry = await post(body, { signature, headers: { 'Idempotency-Key': 'k-retry' } });

      // Assess
      expect(retry.status).toBe(first.status);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(retry.body).toBe(first.body);
    });

    it('accepts the same push again once the bus failure that failed it is over', async () => {
      // Prepare: the first attempt fails after verifying (the bus is down).
      const body = batch({ op: 'upsert', id: 'doc', text: 'retried', version: 1 });
      const signature = signWebhook(SECRET, body, nowSeconds());
      bus.failures = 1;
      expect((await post(body, { signature })).status).toBe(500);

      // Act
      const retry = await post(body, { signature });

      // Assess
      expect(retry.status).toBe(200);
      expect(bus.ids()).toContain('doc');
    });
  });

  describe('Idempotency-Key', () => {
    const body = batch(
      { op: 'upsert', id: 'a', text: 'alpha', version: 1 },
      { op: 'upsert', id: 'b', text: 'beta', version: 1 },
      { op: 'upsert', id: 'bad', text: '', version: 1 },
    );

    it('applies a batch sent twice with one key once, and replays the stored response', async () => {
      // Act
      const first = await post(body, { headers: { 'Idempotency-Key': 'batch-0001' } });
      const writesAfterFirst = state.writes;
      clock.advance(30_000);
      const second = await post(body, { headers: { 'Idempotency-Key': 'batch-0001' } });

      // Assess
      expect(first.status).toBe(207);
      expect(second.status).toBe(207);
      expect(second.body).toBe(first.body);
      expect(second.headers['idempotent-replayed']).toBe('true');
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      expect(writesAfterFirst).toBe(2);
      expect(state.writes).toBe(2);
      expect(bus.published).toHaveLength(1);
    });

    it('refuses the key with a different body (422) and a duplicate of an in-flight request (409, Retry-After)', async () => {
      // Prepare
      await post(body, { headers: { 'Idempotency-Key': 'k-used' } });
      const inFlightBody = batch({ op: 'upsert', id: 'c', text: 'gamma', version: 1 });
      const { sha256 } = await import('../../shared/core/ids.ts');
      await state.beginIdempotent({ scope: 'pushed', key: 'k-flight', requestHash: sha256(inFlightBody), now: clock.now(), lockMs: 60_000, retainMs: 86_400_000 });
      const writes = state.writes;

      // Act
      const other = await post(batch({ op: 'upsert', id: 'a', text: 'changed', version: 2 }), { headers: { 'Idempotency-Key': 'k-used' } });
      clock.advance(20_000);
      const duplicate = await post(inFlightBody, { headers: { 'Idempotency-Key': 'k-flight' } });

      // Assess
      expect(other.status).toBe(422);
      expect(String(other.json['error'])).toMatch(/different request body/);
      expect(duplicate.status).toBe(409);
      expect(duplicate.headers['retry-after']).toBe('40');
      expect(state.writes).toBe(writes);
      expect((await stashed('a')).get('a')?.text).toBe('alpha');
    });

    it('forgets a request that failed, so its retry applies and publishes', async () => {
      // Prepare
      bus.failures = 1;
      const single = batch({ op: 'upsert', id: 'r', text: 'retry me', version: 1 });

      // Act
      const failed = await post(single, { headers: { 'Idempotency-Key': 'k-retry' } });
      const retried = await post(single, { headers: { 'Idempotency-Key': 'k-retry' } });

      // Assess
      expect(failed.status).toBe(500);
      expect(retried.status).toBe(200);
      expect(retried.headers['idempotent-replayed']).toBeUndefined();
      // The stash already held it: the retry reports it unchanged and still wakes the fetcher.
      expect((retried.json['results'] as Array<{ status: string }>)[0]?.status).toBe('unchanged');
      expect(bus.ids()).toEqual(['r']);
    });
  });
});

describe('compareVersions', () => {
  it.each([
    ['9', '10', -1], ['010', '10', 0], ['2', '2', 0], ['123456789012345678901234567890', '123456789012345678901234567891', -1],
    ['2026-01-01T12:00:00Z', '2026-01-01T13:00:00+02:00', 1], ['2026-01-01T12:00:00.000100Z', '2026-01-01T12:00:00.0001Z', 0],
    ['2026-01-01T12:00:00.000001Z', '2026-01-01T12:00:00.000002Z', -1],
    ['etag-a', 'etag-b', undefined], ['9', '2026-01-01T00:00:00Z', undefined], ['v2', 'v10', undefined],
  ] as const)('%s vs %s → %s', (a, b, expected) => {
    // Act, Assess
    expect(compareVersions(a, b)).toBe(expected);
  });
});
