/**
 * `tributary start`: the long-running runtime with its HTTP server. Webhooks are refused unless
 * signed, fresh, well-formed, for a known source and small; a valid hint gets a changed file into
 * search; the status page and search answer; nothing but its HTTP port listens; SIGTERM stops
 * it cleanly.
 */
import { existsSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { signWebhook } from '../../shared/core/webhook.ts';
import {
  describeResult, exportRows, killStragglers, listFiles, makeWorkspace, parseJson, runCli, spawnCli, waitFor,
  type RunningCli, type Workspace,
} from './support/cli.ts';
import { generateCorpus } from './support/corpus.ts';
import { listeningSockets } from './support/sockets.ts';

const TIMEOUT = 180_000;
const SECRET = 'e2e-webhook-secret-0123456789';
const DOCS = 60;

interface Status {
  sources: Array<{
    id: string; documents: number; lagSeconds: number | null; running: boolean;
    lastRun: { status: string; startedAt: string; trigger: string } | null;
  }>;
  queues: { fetch: { visible: number; inFlight: number }; embed: { visible: number; inFlight: number } };
  deadLetters: unknown[];
}

interface SearchResponse {
  query: string;
  results: Array<{ docId: string; sourceId: string; chunkIndex: number; text: string; score: number }>;
}

let ws: Workspace | undefined;

afterAll(async () => {
  await killStragglers();
  await ws?.remove();
});

const nowSeconds = () => Math.floor(Date.now() / 1000);

describe('start: HTTP server, webhooks, search', () => {
  it('serves status, search and signed webhooks, and stops cleanly on SIGTERM', async () => {
    ws = await makeWorkspace('server', {
      docs: generateCorpus({ count: DOCS, seed: 4 }),
      config: {
        sources: [{
          id: 'docs', kind: 'filesystem', root: './corpus', include: ['**/*.md'],
          watch: false, schedule: 'rate(1 day)', webhook: { secretEnv: 'E2E_SECRET' },
        }],
      },
    });
    const dir = ws.dir;
    const running: RunningCli = spawnCli(dir, ['start', '--port', '0'], { env: { E2E_SECRET: SECRET }, timeoutMs: TIMEOUT });
    const base = await waitFor('the status page URL on stdout', () => {
      if (running.child.exitCode !== null) throw new Error(`start exited early:\n${running.stdout()}\n${running.stderr()}`);
      return /Console \(status, runs, actions, search\): (https?:\/\/\S+?)\/?$/m.exec(running.stdout())?.[1];
    }, { timeoutMs: 60_000 });

    // The one socket it listens on is the configured HTTP port on loopback (state and queues
    // are a file; no embedded server runs).
    const port = Number(new URL(base).port);
    expect(await listeningSockets(running.child.pid!)).toEqual([{ protocol: 'tcp', address: '127.0.0.1', port }]);

    const status = async (): Promise<Status> => {
      const res = await fetch(`${base}/status`);
      expect(res.status).toBe(200);
      return (await res.json()) as Status;
    };
    // The initial sync is done: a watermark, all documents, nothing queued or running.
    const settled = (s: Status) => {
      const src = s.sources[0]!;
      return src.lagSeconds !== null && !src.running && src.documents === DOCS
        && s.queues.embed.visible + s.queues.embed.inFlight === 0 && s.queues.fetch.visible + s.queues.fetch.inFlight === 0;
    };
    const initial = await waitFor('the initial sync', async () => {
      const s = await status();
      return settled(s) ? s : undefined;
    }, { timeoutMs: 90_000, intervalMs: 250 });
    expect(initial.sources[0]!.lastRun?.status).toBe('succeeded');
    expect(initial.deadLetters).toEqual([]);
    const exportBefore = await exportRows(dir);
    expect(new Set(exportBefore.map((r) => r.docId)).size).toBe(DOCS);

    const post = (sourceId: string, body: string, signature?: string) => fetch(`${base}/webhooks/${sourceId}`, {
      method: 'POST', body, headers: { 'content-type': 'application/json', ...(signature ? { 'x-tributary-signature': signature } : {}) },
    });
    const files = await listFiles(ws.corpus);
    const target = files[17]!;
    const hint = JSON.stringify({ changed: [target] });

    // Refusals.
    const wrong = await post('docs', hint, signWebhook('not-the-secret', hint, nowSeconds()));
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toHaveProperty('error');
    expect((await post('docs', hint)).status).toBe(401);
    expect((await post('docs', hint, signWebhook(SECRET, hint, nowSeconds() - 600))).status).toBe(401);
    const malformed = '{"changed": [';
    expect((await post('docs', malformed, signWebhook(SECRET, malformed, nowSeconds()))).status).toBe(400);
    // An unknown source answers as a bad signature does: no 404 tells which ids exist.
    expect((await post('nope', hint, signWebhook(SECRET, hint, nowSeconds()))).status).toBe(401);
    // Well-formed but for its size: 1,100 ids of 1,000 characters.
    const huge = JSON.stringify({ changed: Array.from({ length: 1_100 }, (_, i) => `${String(i).padStart(4, '0')}${'x'.repeat(996)}`) });
    expect(huge.length).toBeGreaterThan(1024 * 1024);
    expect((await post('docs', huge, signWebhook(SECRET, huge, nowSeconds()))).status).toBe(413);

    // None of them started anything: no fetch queued or running, the last run is the same one.
    const afterRefusals = await status();
    expect(afterRefusals.queues.fetch.visible + afterRefusals.queues.fetch.inFlight).toBe(0);
    expect(afterRefusals.sources[0]!.lastRun?.startedAt).toBe(initial.sources[0]!.lastRun?.startedAt);
    expect(afterRefusals.sources[0]!.running).toBe(false);
    expect(await exportRows(dir)).toEqual(exportBefore);

    // Other endpoints.
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toMatch(/<title>Tributary console<\/title>/);
    const overview = await (await fetch(`${base}/console/api/overview`)).json() as { mode: string; sources: Array<{ report: { id: string } }> };
    expect(overview.mode).toBe('runtime');
    expect(overview.sources.map((s) => s.report.id)).toEqual(['docs']);
    expect((await fetch(`${base}/search?q=x&top=0`)).status).toBe(400);

    // A valid hint after an edit: the edited document becomes the top hit for its new word.
    await appendFile(join(ws.corpus, target), '\n## Sightings\n\nA zebracorn was seen grazing near the ledger replica.\n');
    const accepted = await post('docs', hint, signWebhook(SECRET, hint, nowSeconds()));
    expect(accepted.status).toBe(202);
    expect(await accepted.json()).toMatchObject({ accepted: true, sourceId: 'docs', ids: 1 });
    const found = await waitFor('the edited document at the top of the search results', async () => {
      const res = await fetch(`${base}/search?q=zebracorn&top=3`);
      const body = (await res.json()) as SearchResponse;
      return body.results[0]?.docId === target ? body : undefined;
    }, { timeoutMs: 20_000, intervalMs: 200 });
    expect(found.results[0]!.text).toContain('zebracorn');
    expect(found.results[0]!.sourceId).toBe('docs');

    // SIGTERM: a clean stop, and the runtime lock is released.
    running.child.kill('SIGTERM');
    const stopped = await running.exited;
    expect(stopped.code, describeResult(stopped)).toBe(0);
    expect(stopped.signal).toBeNull();
    expect(existsSync(join(ws.stateDir, 'runtime.lock'))).toBe(false);

    // What the runtime wrote is consistent for the next process too.
    const audit = await runCli(dir, ['audit', '--json']);
    expect(audit.code, describeResult(audit)).toBe(0);
    expect(parseJson<{ ok: boolean }>(audit).ok).toBe(true);
  }, TIMEOUT);
});
