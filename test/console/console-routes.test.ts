/**
 * The console's HTTP side over a recording backend: the page (CSRF token, CSP, local assets),
 * the live overview stream, and the guard on actions (CSRF header, same origin, typed
 * confirmation for destructive ones); and the SQLite queue's dead-letter redrive and discard.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../shared/adapters/local/sqlite/database.ts';
import { SqliteTaskQueue } from '../../shared/adapters/local/sqlite/sqlite-task-queue.ts';
import { silentLogger } from '../../shared/core/deps.ts';
import { summarizeDeadLetter } from '../../shared/core/dead-letters.ts';
import type { ConsoleAction, ConsoleBackend, ConsoleOverview } from '../../functions/local/console/backend.ts';
import { serveConsole, type ConsoleServer } from '../../functions/local/console/serve.ts';
import { needsAttention } from '../../functions/local/status.ts';
import { testFolder, type TestFolder } from '../support/sqlite.ts';

const acted: ConsoleAction[] = [];
let overviews = 0;
const overview = (): ConsoleOverview => ({
  generatedAt: new Date().toISOString(), mode: 'store', where: 'test', sources: [], deadLetters: [],
  queues: { fetch: { visible: overviews, inFlight: 0 }, embed: { visible: 0, inFlight: 0 } }, actions: ['sync', 'reset'],
});
const backend: ConsoleBackend = {
  async overview() {
    overviews += 1;
    return overview();
  },
  async search(query) {
    return [{ id: 'a#1#0', sourceId: 'a', docId: 'x.md', chunkIndex: 0, score: 0.5, rankScore: 0.5, matchedBy: ['vector'], weak: false, text: `about ${query}` }];
  },
  async act(action) {
    acted.push(action);
    return { message: `did ${action.kind}` };
  },
};

let server: ConsoleServer;
let port: number;
let csrf: string;

function send(path: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: { host: `localhost:${port}`, ...options.headers } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString('utf8'); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

const post = (body: unknown, headers: Record<string, string> = {}) => send('/console/api/actions', {
  method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', 'x-tributary-csrf': csrf, ...headers },
});

beforeAll(async () => {
  server = await serveConsole(backend, {
    host: '127.0.0.1', port: 0, log: silentLogger, liveIntervalMs: 50,
    access: { hosts: new Set(['localhost', '127.0.0.1']), token: undefined },
  });
  port = Number(new URL(server.url).port);
  const page = await send('/');
  csrf = /name="tributary-csrf" content="([^"]+)"/.exec(page.body)![1]!;
});

afterAll(async () => {
  await server?.close();
});

describe('console routes', () => {
  it('serves the page with its own assets only, under a strict content security policy', async () => {
    // Act
    const page = await send('/');
    const js = await send('/console/console.js');
    const css = await send('/console/console.css');
    const missing = await send('/console/nope.js');

    // Assess
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toMatch(/default-src 'self'.*script-src 'self'/);
    expect(page.body).not.toMatch(/https?:\/\//);
    expect(js.headers['content-type']).toMatch(/^text\/javascript/);
    expect(js.body).toContain('EventSource');
    expect(css.headers['content-type']).toMatch(/^text\/css/);
    expect(missing.status).toBe(404);
  });

  it('runs an action only with the page token, from the same origin, and a destructive one only when confirmed', async () => {
    // Act
    const noToken = await send('/console/api/actions', { method: 'POST', body: JSON.stringify({ kind: 'sync', sourceId: 'a' }) });
    const crossSite = await post({ kind: 'sync', sourceId: 'a' }, { 'sec-fetch-site': 'cross-site' });
    const foreignOrigin = await post({ kind: 'sync', sourceId: 'a' }, { origin: 'http://evil.example' });
    const sync = await post({ kind: 'sync', sourceId: 'a' }, { origin: `http://localhost:${port}`, 'sec-fetch-site': 'same-origin' });
    const unconfirmed = await post({ kind: 'reset', sourceId: 'a' });
    const misconfirmed = await post({ kind: 'reset', sourceId: 'a', confirm: 'b' });
    const reset = await post({ kind: 'reset', sourceId: 'a', confirm: 'a' });
    const discard = await post({ kind: 'discard', queue: 'embed', ids: ['3'], confirm: 'embed' });
    const bad = await post({ kind: 'explode' });
    const foreignHost = await send('/', { headers: { host: 'evil.example' } });

    // Assess
    expect(noToken.status).toBe(403);
    expect(crossSite.status).toBe(403);
    expect(foreignOrigin.status).toBe(403);
    expect(JSON.parse(sync.body)).toEqual({ message: 'did sync' });
    expect(unconfirmed.status).toBe(400);
    expect(JSON.parse(unconfirmed.body).error).toBe('reset needs confirmation: type "a" to confirm');
    expect(misconfirmed.status).toBe(400);
    expect(reset.status).toBe(200);
    expect(discard.status).toBe(200);
    expect(bad.status).toBe(400);
    expect(foreignHost.status).toBe(421);
    expect(acted).toEqual([{ kind: 'sync', sourceId: 'a' }, { kind: 'reset', sourceId: 'a' }, { kind: 'discard', queue: 'embed', ids: ['3'] }]);
  });

  it('streams the overview as server-sent events, and searches', async () => {
    // Act: read the stream until the first overview arrives.
    const first = await new Promise<string>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/console/api/events', headers: { host: `localhost:${port}` } }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => {
          text += c.toString('utf8');
          const m = /event: overview\ndata: (.*)\n\n/.exec(text);
          if (m) {
            req.destroy();
            resolve(m[1]!);
          }
        });
      });
      req.on('error', (e) => (e.message.includes('socket hang up') ? undefined : reject(e)));
      req.end();
    });
    const found = await send('/console/api/search?q=rotation&source=a');
    const empty = await send('/console/api/search?q=');

    // Assess
    expect(JSON.parse(first)).toMatchObject({ mode: 'store', actions: ['sync', 'reset'] });
    expect(JSON.parse(found.body)).toMatchObject({ query: 'rotation', results: [{ text: 'about rotation' }] });
    expect(JSON.parse(empty.body)).toEqual({ query: '', results: [] });
  });

  it('status needs attention for a stale, failing or tripped source, not for skipped documents alone', () => {
    const ok = { stale: false, lastError: null, consecutiveFailures: 0, breaker: null };
    expect(needsAttention(ok)).toBe(false);
    expect(needsAttention({ ...ok, stale: true })).toBe(true);
    expect(needsAttention({ ...ok, lastError: 'HTTP 500', consecutiveFailures: 1 })).toBe(true);
    expect(needsAttention({ ...ok, breaker: 'refused to delete 9 of 10' })).toBe(true);
  });
});

describe('SQLite dead letters', () => {
  let folder: TestFolder;
  let db: Db;
  let queue: SqliteTaskQueue;

  beforeAll(async () => {
    folder = await testFolder();
    db = openDatabase({ file: `${folder.dir}/q.db` });
    queue = new SqliteTaskQueue(db, { maxReceiveCount: 3, receiver: 'test' });
  });
  afterAll(async () => {
    db.close();
    await folder.remove();
  });

  it('redrives tasks back into their queue (past deduplication), keeps poison, and discards by id', async () => {
    // Prepare: a task sent, received and dead-lettered; a poison body; another task.
    const task = { type: 'fetch' as const, sourceId: 'docs', trigger: 'schedule' as const, requestedAt: '2026-01-01T00:00:00.000Z' };
    await queue.sendFetch([task]);
    const [got] = await queue.receive('fetch', { max: 1, waitSeconds: 0 });
    await queue.ack('fetch', [got!.receipt]);
    await queue.deadLetter('fetch', got!.raw, 'source answered 503');
    await queue.deadLetter('fetch', 'not json', 'task body is not JSON');
    await queue.deadLetter('fetch', JSON.stringify({ ...task, sourceId: 'notes' }), 'timeout');
    const listed = await queue.inspectDeadLetters('fetch', 10);

    // Act
    const redriven = await queue.redriveDeadLetters('fetch', [listed[0]!.id, listed[1]!.id]);
    const back = await queue.receive('fetch', { max: 10, waitSeconds: 0 });
    const discarded = await queue.discardDeadLetters('fetch', [listed[2]!.id]);

    // Assess
    expect(listed.map(summarizeDeadLetter).map((d) => [d.sourceId, d.task, d.redrivable])).toEqual([
      ['docs', 'fetch (schedule)', true], [undefined, 'not a task', false], ['notes', 'fetch (schedule)', true],
    ]);
    expect(redriven).toEqual({ redriven: 1, kept: [{ id: listed[1]!.id, reason: 'task body is not JSON' }] });
    expect(back.map((m) => m.body)).toEqual([task]);
    expect(back[0]!.receiveCount).toBe(1);
    expect(discarded).toBe(1);
    expect((await queue.inspectDeadLetters('fetch', 10)).map((d) => d.body)).toEqual(['not json']);
    expect(await queue.discardDeadLetters('fetch')).toBe(1);
    expect(await queue.inspectDeadLetters('fetch', 10)).toEqual([]);
  });
});
