/**
 * One bad transcript never fails a Fireflies source, through the real core on the local stack:
 * a loopback proxy in front of the emulator breaks one transcript's answer (an error on its
 * alias, as GraphQL reports a failed field); the sync completes, indexes the others, reports the
 * bad one with its id and reason, keeps nothing half-written, and the next sync indexes it once
 * Fireflies answers again.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { syncSources } from '../../functions/local/sync.ts';
import { parseConfig } from '../../shared/config/load.ts';
import { silentLogger } from '../../shared/core/deps.ts';
import { openLocalStack, type LocalStack } from '../../shared/wiring/local-stack.ts';
import { startFireflies, type FirefliesEmulator } from '../emulators/fireflies.ts';

const KEY_ENV = 'FF_ISOLATION_KEY';

let ff: FirefliesEmulator;
let proxy: Server;
let dir: string;
let stack: LocalStack | undefined;
/** The transcript whose answers the proxy breaks, while set. */
let broken: string | undefined;

beforeEach(async () => {
  ff = await startFireflies();
  process.env[KEY_ENV] = ff.addUser({ email: 'alice@acme.test', admin: true }).apiKey;
  // Forwards to the emulator; answers for `broken` come back as a failed field.
  proxy = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c)).on('end', () => {
      void (async () => {
        const body = Buffer.concat(parts).toString('utf8');
        const upstream = await fetch(ff.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: req.headers.authorization ?? '' }, body });
        let text = await upstream.text();
        const { variables } = JSON.parse(body) as { variables: Record<string, unknown> };
        const alias = Object.entries(variables).find(([, v]) => v === broken)?.[0]?.replace(/^id/, 'm');
        if (alias && upstream.status === 200) {
          const answer = JSON.parse(text) as { data: Record<string, unknown>; errors?: unknown[] };
          answer.data[alias] = null;
          answer.errors = [...(answer.errors ?? []), { message: 'Internal server error', path: [alias], extensions: { code: 'INTERNAL_SERVER_ERROR' } }];
          text = JSON.stringify(answer);
        }
        res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(text);
      })();
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  dir = await mkdtemp(join(tmpdir(), 'tributary-fireflies-isolation-'));
});

afterEach(async () => {
  await stack?.close();
  await new Promise((resolve) => proxy.close(resolve));
  await ff.close();
  delete process.env[KEY_ENV];
  await rm(dir, { recursive: true, force: true });
});

describe('one bad transcript', () => {
  it('is skipped with its id and reason while the others are indexed, and indexed once Fireflies returns it', async () => {
    // Prepare: three meetings; Fireflies fails to return the second.
    const ids = ['Budget', 'Hiring', 'Pricing'].map((title, i) => ff.addProcessedMeeting({
      title, date: Date.now() - (i + 1) * 3_600_000, organizer: 'alice@acme.test', privacy: 'teammates',
      sentences: [{ speaker: 'Alice', text: `We discussed ${title.toLowerCase()} today.`, start: 0, end: 3 }],
    }));
    broken = ids[1];
    const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/graphql`;
    stack = await openLocalStack({
      config: parseConfig({ sources: [{ id: 'meetings', kind: 'fireflies', apiUrl: url, apiKeyEnv: KEY_ENV, lookbackSeconds: 5 }] }),
      origin: 'test', baseDir: dir, stateDir: join(dir, 'state'),
    }, { log: silentLogger });
    const sync = async () => (await syncSources(stack!, { sourceIds: ['meetings'], full: false, allowMassDelete: false }))[0]!;
    const indexed = async () => [...new Set((await stack!.deps.vectors.scan('meetings#')).map((v) => v.metadata['docId']))].sort();

    // Act
    const first = await sync();
    const afterFirst = await indexed();
    broken = undefined;
    const second = await sync();

    // Assess: the first sync succeeds without the bad meeting and names it; the second indexes it.
    expect(first).toMatchObject({ status: 'synced', docsChanged: 2, docsSkipped: 1, tasksFailed: 0 });
    expect(first.skipped).toEqual([{ id: ids[1], reason: expect.stringMatching(/Fireflies would not return transcript .* \(INTERNAL_SERVER_ERROR: Internal server error\); it is read again on the next pass/) }]);
    expect(afterFirst).toEqual([ids[0], ids[2]].sort());
    expect(second).toMatchObject({ status: 'synced', docsChanged: 1, docsSkipped: 0 });
    expect(await indexed()).toEqual([...ids].sort());
  });
});
