/**
 * Who may talk to `tributary start`: a page on another host name (DNS rebinding) is refused
 * even on loopback; binding a network address needs an access token, which then guards every
 * route but the signed ones; a busy port ends the start with an error and releases the state
 * folder; a lease left by a killed process is not reported as a running sync.
 */
import { request } from 'node:http';
import { createServer, type Server } from 'node:net';
import { hostname } from 'node:os';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../shared/adapters/local/sqlite/database.ts';
import { SqliteStateStore } from '../../shared/adapters/local/sqlite/sqlite-state-store.ts';
import { signWebhook } from '../../shared/core/webhook.ts';
import { describeResult, killStragglers, makeWorkspace, parseJson, runCli, spawnCli, waitFor, type Workspace } from './support/cli.ts';
import { generateCorpus } from './support/corpus.ts';

const TIMEOUT = 120_000;
const SECRET = 'access-test-webhook-secret';
const TOKEN = 'access-test-token-0123456789abcdef';
const workspaces: Workspace[] = [];

afterAll(async () => {
  await killStragglers();
  await Promise.all(workspaces.map((w) => w.remove()));
});

interface Answer { status: number; headers: Record<string, string | string[] | undefined>; body: string }

/** A request with any Host header (fetch does not let a caller set it). */
function send(port: number, path: string, options: { host?: string; headers?: Record<string, string>; method?: string; body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1', port, path, method: options.method ?? 'GET',
      headers: { host: options.host ?? `127.0.0.1:${port}`, ...options.headers },
    }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

async function started(ws: Workspace, env: Record<string, string> = {}, args: string[] = ['--port', '0']) {
  const running = spawnCli(ws.dir, ['start', ...args], { env: { E2E_SECRET: SECRET, ...env }, timeoutMs: TIMEOUT });
  const base = await waitFor('the status page URL', () => {
    if (running.child.exitCode !== null) throw new Error(`start exited early:\n${running.stdout()}\n${running.stderr()}`);
    return /Console \(status, runs, actions, search\): (https?:\/\/\S+?)\/?$/m.exec(running.stdout())?.[1];
  }, { timeoutMs: 60_000 });
  return { running, port: Number(new URL(base).port) };
}

async function workspace(name: string, server?: Record<string, unknown>): Promise<Workspace> {
  const ws = await makeWorkspace(name, {
    docs: generateCorpus({ count: 5, seed: 9 }),
    config: {
      ...(server ? { server } : {}),
      sources: [{ id: 'docs', kind: 'filesystem', root: './corpus', include: ['**/*.md'], watch: false, schedule: 'rate(1 day)', webhook: { secretEnv: 'E2E_SECRET' } }],
    },
  });
  workspaces.push(ws);
  return ws;
}

describe('start: who may talk to the server', () => {
  it('answers loopback names and IP literals, and refuses any other Host (DNS rebinding) with 421', async () => {
    // Prepare
    const ws = await workspace('access-host');
    const { running, port } = await started(ws);

    // Act
    const rebinding = await send(port, '/search?q=secret', { host: `evil.example:${port}` });
    const named = await send(port, '/status', { host: `localhost:${port}` });
    const literal = await send(port, '/status', { host: `127.0.0.1:${port}` });

    // Assess
    expect(rebinding.status).toBe(421);
    expect(rebinding.body).toMatch(/server\.allowedHosts/);
    expect(named.status).toBe(200);
    expect(literal.status).toBe(200);
    running.child.kill('SIGTERM');
    expect((await running.exited).code).toBe(0);
  }, TIMEOUT);

  it('refuses to serve the network without an access token, and with one guards every unsigned route', async () => {
    // Prepare
    const ws = await workspace('access-token', { host: '0.0.0.0' });

    // Act: without the token, start refuses.
    const refused = await runCli(ws.dir, ['start', '--port', '0'], { env: { E2E_SECRET: SECRET } });

    // Assess
    expect(refused.code, describeResult(refused)).toBe(2);
    expect(refused.stderr).toMatch(/server\.host is 0\.0\.0\.0.*TRIBUTARY_ACCESS_TOKEN/);

    // Act: with it, start serves; the token is needed everywhere but on signed webhooks.
    const { running, port } = await started(ws, { TRIBUTARY_ACCESS_TOKEN: TOKEN });
    const anonymous = await send(port, '/status');
    const wrong = await send(port, '/status', { headers: { authorization: 'Bearer nope' } });
    const bearer = await send(port, '/status', { headers: { authorization: `Bearer ${TOKEN}` } });
    const browser = await send(port, `/?token=${TOKEN}`);
    const cookie = String(browser.headers['set-cookie'] ?? '').split(';')[0] ?? '';
    const withCookie = await send(port, '/search?q=x', { headers: { cookie } });
    const body = JSON.stringify({ changed: ['a.md'] });
    const webhook = await send(port, '/webhooks/docs', {
      method: 'POST', body, headers: { 'content-type': 'application/json', 'x-tributary-signature': signWebhook(SECRET, body, Math.floor(Date.now() / 1000)) },
    });

    // Assess
    expect(anonymous.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(bearer.status).toBe(200);
    expect(browser.status).toBe(200);
    expect(cookie).toMatch(/^tributary_token=/);
    expect(withCookie.status, `search answered ${withCookie.status}; server log:\n${running.stderr().slice(-3000)}`).toBe(200);
    expect(webhook.status).toBe(202);
    expect(running.stderr()).toMatch(/serving to the network/);
    running.child.kill('SIGTERM');
    expect((await running.exited).code).toBe(0);
  }, TIMEOUT);

  it('exits non-zero on a busy port, starting nothing, and leaves the state folder free', async () => {
    // Prepare: something else holds the port.
    const ws = await workspace('access-port');
    const blocker: Server = createServer();
    const port = await new Promise<number>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve((blocker.address() as { port: number }).port)));

    // Act
    const busy = await runCli(ws.dir, ['start', '--port', String(port)], { env: { E2E_SECRET: SECRET }, timeoutMs: 60_000 });
    blocker.close();

    // Assess: a clear error, the runtime lock gone, and the next start works.
    expect(busy.code, describeResult(busy)).toBe(1);
    expect(busy.stderr).toMatch(new RegExp(`port ${port} on 127\\.0\\.0\\.1 is in use`));
    expect(existsSync(join(ws.stateDir, 'runtime.lock'))).toBe(false);
    const { running } = await started(ws);
    running.child.kill('SIGTERM');
    expect((await running.exited).code).toBe(0);
  }, TIMEOUT);

  it('does not report a lease left by a killed process as a running sync', async () => {
    // Prepare: a lease held by a pid that does not exist, as a SIGKILLed sync leaves it.
    const ws = await workspace('access-lease');
    const sync = await runCli(ws.dir, ['sync', '--json']);
    expect(sync.code, describeResult(sync)).toBe(0);
    const db = openDatabase({ file: join(ws.stateDir, 'tributary.db') });
    await new SqliteStateStore(db).acquireLease({ sourceId: 'docs', owner: `${hostname()}:999999:dead`, now: Date.now(), ttlMs: 600_000 });
    db.close();

    // Act
    const status = await runCli(ws.dir, ['status', '--json']);

    // Assess
    expect(status.code, describeResult(status)).toBe(0);
    expect(parseJson<{ sources: Array<{ running: boolean }> }>(status).sources[0]!.running).toBe(false);
  }, TIMEOUT);
});
