/**
 * Drive push channels kept from durable state, the connectors under an injected clock against the
 * Drive emulator: the AWS path (the fetcher handler's scheduled runs open the channel, renew it within
 * `renewBeforeMinutes` + one schedule interval, stop the old one after the new one is stored,
 * survive a cold start, and stop it once push is turned off), two keepers racing leak no
 * channel, and `tributary start`'s timer over the same keeper.
 */
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFetcherHandler } from '../../functions/fetcher/fetcher.ts';
import { HashingEmbedder } from '../../shared/adapters/local/hashing-embedder.ts';
import { channelKey } from '../../shared/connectors/gdrive/channels.ts';
import type { GDriveConnector } from '../../shared/connectors/gdrive/gdrive-connector.ts';
import { channelToken } from '../../shared/connectors/gdrive/webhooks.ts';
import { silentLogger, type CoreDeps } from '../../shared/core/deps.ts';
import type { CredentialStore, FetchTask } from '../../shared/ports/index.ts';
import { startGDrive, type GDriveEmulator } from '../emulators/gdrive.ts';
import { toRecord } from '../support/drain.ts';
import { ManualClock, testSettings } from '../support/embedded.ts';
import { InMemoryCredentialStore } from '../support/memory-credential-store.ts';
import { InMemoryStateStore } from '../support/memory-state-store.ts';
import { InMemoryTaskQueue } from '../support/memory-task-queue.ts';
import { InMemoryVectorStore } from '../support/memory-vector-store.ts';
import { connectorFromConfig } from './harnesses/harness.ts';

const SA = 'indexer@proj.iam.gserviceaccount.com';
const SECRET = 'channel-secret';
const MINUTE = 60_000;
// A closed loopback port: the emulator's deliveries fail at once, and no test waits on DNS.
const ADDRESS = 'http://127.0.0.1:9/webhooks/drive';
const clock = new ManualClock(Date.now());
let emu: GDriveEmulator;
let key = '';
let root = '';

beforeAll(async () => {
  // The emulator keeps real time: google-auth-library signs its JWTs with the real clock.
  emu = await startGDrive({ notificationDelayMs: 5 });
  const sa = emu.addServiceAccount(SA);
  key = JSON.stringify({ client_email: sa.email, private_key: sa.privateKeyPem });
  root = emu.addFolder('Pushed', { owner: SA }).id;
  emu.addBlob('a.md', 'text/markdown', '# A', { owner: SA, parent: root });
});
afterAll(() => emu.close());

function connector(credentials: CredentialStore, push: Record<string, unknown> | undefined, secret = SECRET): GDriveConnector {
  return connectorFromConfig({
    id: 'drive', kind: 'gdrive', serviceAccountKeyEnv: 'K', apiUrl: emu.rootUrl, tokenUrl: emu.tokenUrl, folders: [root], schedule: 'rate(15 minutes)',
    webhook: { secretEnv: 'S' }, ...(push ? { push } : {}),
  }, { secret: (n) => (n === 'K' ? key : n === 'S' ? secret : undefined), credentials, clock }) as GDriveConnector;
}

/** One fetcher Lambda invocation with a scheduled task, like EventBridge Scheduler's. */
async function scheduledRun(conn: GDriveConnector, state: InMemoryStateStore): Promise<void> {
  const queue = new InMemoryTaskQueue({ clock });
  const deps: CoreDeps = {
    state, queue, vectors: new InMemoryVectorStore(), embedder: new HashingEmbedder({ dimensions: 16 }), clock, log: silentLogger,
    connector: (id) => (id === 'drive' ? conn : undefined), settings: (id) => (id === 'drive' ? testSettings('drive') : undefined),
  };
  const task: FetchTask = { type: 'fetch', sourceId: 'drive', trigger: 'schedule', requestedAt: new Date(clock.now()).toISOString() };
  await queue.sendFetch([task]);
  const messages = await queue.receive('fetch', { max: 1, waitSeconds: 0 });
  const response = await createFetcherHandler(deps, { maxReceives: 5, owner: () => 'lambda:1' })({ Records: messages.map(toRecord) }, {} as Context);
  expect(response.batchItemFailures).toEqual([]);
}

const live = () => emu.channels().filter((c) => !c.stopped && c.expiration > clock.now());
const byId = (id: string) => emu.channels().find((c) => c.id === id)!;

describe('gdrive push channels on AWS (kept by the scheduled runs)', () => {
  it('opens, keeps, renews within renewBefore + one interval, survives a cold start and stops when push is off', async () => {
    // Prepare: the credential store outlives invocations (DynamoDB on AWS); each connector is a cold start.
    const credentials = new InMemoryCredentialStore();
    const state = new InMemoryStateStore();
    const push = { address: ADDRESS, channelHours: 2, renewBeforeMinutes: 30 };
    const watches = () => emu.count('changes.watch');
    emu.clearRequests();

    // Act 1: the first scheduled run.
    const lambda = connector(credentials, push);
    await scheduledRun(lambda, state);

    // Assess 1: one live channel, stored with its resource id and expiration, its token made from the secret.
    expect(live()).toHaveLength(1);
    const first = (await lambda.keeper.stored())!;
    expect(first).toMatchObject({ id: live()[0]!.id, resourceId: live()[0]!.resourceId, expiration: clock.now() + 2 * 60 * MINUTE, address: ADDRESS });
    expect(byId(first.id).token).toBe(channelToken(SECRET, first.id));
    expect((await credentials.getToken(channelKey({ id: 'drive' })))?.expiresAt).toBe(first.expiration);

    // Act 2: 74 minutes on (46 left > 30 + 15 of margin and interval), then 2 more (44 left).
    clock.advance(74 * MINUTE);
    await scheduledRun(lambda, state);
    const kept = watches();
    clock.advance(2 * MINUTE);
    await scheduledRun(connector(credentials, push), state);

    // Assess 2: the run at 46 minutes left kept the channel; the one at 44 opened a new one and stopped the old.
    expect(kept).toBe(1);
    expect(watches()).toBe(2);
    const second = (await lambda.keeper.stored())!;
    expect(second.id).not.toBe(first.id);
    expect(second.expiration).toBe(clock.now() + 2 * 60 * MINUTE);
    expect(byId(first.id).stopped).toBe(true);
    expect(live().map((c) => c.id)).toEqual([second.id]);

    // Act 3: a cold start on the next schedule; then a new address; then push turned off.
    clock.advance(15 * MINUTE);
    await scheduledRun(connector(credentials, push), state);
    const afterColdStart = watches();
    const moved = 'http://127.0.0.1:9/v2/webhooks/drive';
    await scheduledRun(connector(credentials, { ...push, address: moved }), state);
    const third = (await lambda.keeper.stored())!;
    await scheduledRun(connector(credentials, undefined), state);

    // Assess 3: the stored channel served the cold start; the address change renewed; push off stopped it.
    expect(afterColdStart).toBe(2);
    expect(third).toMatchObject({ address: moved });
    expect(byId(second.id).stopped).toBe(true);
    expect(byId(third.id).stopped).toBe(true);
    expect(live()).toEqual([]);
    expect(await lambda.keeper.stored()).toBeUndefined();
  });

  it('leaks no channel when two keepers open one at once, and renews after the webhook secret rotates', async () => {
    // Prepare
    const credentials = new InMemoryCredentialStore();
    const push = { address: ADDRESS, channelHours: 24 };
    const [a, b] = [connector(credentials, push), connector(credentials, push)];

    // Act: both find no channel and open one.
    const [fromA, fromB] = await Promise.all([a.keeper.keep(0), b.keeper.keep(0)]);

    // Assess: the write decides; the loser stopped its own and took the winner's.
    expect(fromA!.id).toBe(fromB!.id);
    expect(live().map((c) => c.id)).toEqual([fromA!.id]);
    expect(emu.channels().filter((c) => c.stopped && c.address === ADDRESS).length).toBeGreaterThanOrEqual(1);

    // Act: a new secret (the old channel's token no longer verifies).
    const rotated = await connector(credentials, push, 'new-secret').keeper.keep(0);

    // Assess
    expect(rotated!.id).not.toBe(fromA!.id);
    expect(byId(rotated!.id).token).toBe(channelToken('new-secret', rotated!.id));
    expect(live().map((c) => c.id)).toEqual([rotated!.id]);
    await a.keeper.stop();
    expect(live()).toEqual([]);
  });
});

describe('gdrive push channels under `tributary start` (the timer)', () => {
  it('renews renewBeforeMinutes before expiry over the same stored state, and stops the channel on shutdown', async () => {
    // Prepare: a fake timer; runs and the timer share one connector, as in `start`.
    const timers: Array<{ run: () => void; delayMs: number }> = [];
    const conn = connector(new InMemoryCredentialStore(), { address: ADDRESS, channelHours: 2, renewBeforeMinutes: 30 });
    Object.assign((conn as unknown as { options: object }).options, {
      schedule: (run: () => void, delayMs: number) => { timers.push({ run, delayMs }); return { cancel() {} }; },
    });

    // Act
    const stop = await conn.watch(() => {});
    const first = (await conn.keeper.stored())!;
    await conn.beginRun();

    // Assess: due 90 minutes on; a run in between keeps the same channel.
    expect(timers.map((t) => t.delayMs)).toEqual([90 * MINUTE]);
    expect((await conn.keeper.stored())!.id).toBe(first.id);

    // Act: the timer fires at its time.
    clock.advance(90 * MINUTE);
    timers[0]!.run();
    await expect.poll(() => timers.length).toBe(2);

    // Assess: a new channel, the old one stopped after it; the next renewal 90 minutes on again.
    const second = (await conn.keeper.stored())!;
    expect(second.id).not.toBe(first.id);
    expect(byId(first.id).stopped).toBe(true);
    expect(timers[1]!.delayMs).toBe(90 * MINUTE);

    // Act / Assess: shutdown stops the channel and forgets it.
    await stop();
    expect(byId(second.id).stopped).toBe(true);
    expect(await conn.keeper.stored()).toBeUndefined();
  });
});
