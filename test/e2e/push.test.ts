/**
 * Push ingestion through the real local runtime (`tributary start` as a child process): pushed
 * documents become searchable without a scheduled run (the schedule is a day), edits and
 * deletes reach the index, a batch sent twice with one Idempotency-Key is applied once, and a
 * mixed batch applies its valid operations while rejecting the invalid one with its reason.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { signWebhook } from '../../shared/core/webhook.ts';
import {
  describeResult, exportRows, killStragglers, makeWorkspace, parseJson, runCli, spawnCli, syncJson, waitFor,
  type RunningCli, type Workspace,
} from './support/cli.ts';

const TIMEOUT = 150_000;
const SECRET = 'e2e-push-secret-0123456789';
const SOURCE = 'pushed';

interface Status {
  sources: Array<{
    id: string; documents: number; lagSeconds: number | null; running: boolean;
    lastRun: { status: string; startedAt: string; trigger: string; docsChanged: number; docsDeleted: number } | null;
  }>;
  queues: { fetch: { visible: number; inFlight: number }; embed: { visible: number; inFlight: number } };
  deadLetters: unknown[];
}

interface PushResponse {
  accepted: number; unchanged: number; rejected: number;
  results: Array<{ index: number; id?: string; status: string; reason?: string }>;
}

let ws: Workspace | undefined;

afterAll(async () => {
  await killStragglers();
  await ws?.remove();
});

const nowSeconds = (): number => Math.floor(Date.now() / 1000);
const doc = (n: number, words: string): { op: 'upsert'; id: string; text: string; version: number; title: string } => ({
  op: 'upsert', id: `notes/doc-${n}`, version: 1, title: `Doc ${n}`,
  text: `Doc ${n} is about ${words}.\n\nIt was pushed by the e2e test, paragraph two of doc ${n}.`,
});

describe('start: push ingestion', () => {
  it('indexes pushed documents without a scheduled run: adds, edits, deletes, idempotent retries, mixed batches', async () => {
    ws = await makeWorkspace('push', {
      config: { sources: [{ id: SOURCE, kind: 'push', schedule: 'rate(1 day)', webhook: { secretEnv: 'E2E_PUSH_SECRET' } }] },
    });
    const dir = ws.dir;
    const running: RunningCli = spawnCli(dir, ['start', '--port', '0'], { env: { E2E_PUSH_SECRET: SECRET }, timeoutMs: TIMEOUT });
    const base = await waitFor('the status page URL on stdout', () => {
      if (running.child.exitCode !== null) throw new Error(`start exited early:\n${running.stdout()}\n${running.stderr()}`);
      return /Console \(status, runs, actions, search\): (https?:\/\/\S+?)\/?$/m.exec(running.stdout())?.[1];
    }, { timeoutMs: 60_000 });

    const status = async (): Promise<Status['sources'][number] & { idle: boolean; deadLetters: unknown[] }> => {
      const res = await fetch(`${base}/status`);
      expect(res.status).toBe(200);
      const s = (await res.json()) as Status;
      const src = s.sources.find((x) => x.id === SOURCE)!;
      const idle = !src.running && s.queues.embed.visible + s.queues.embed.inFlight === 0 && s.queues.fetch.visible + s.queues.fetch.inFlight === 0;
      return { ...src, idle, deadLetters: s.deadLetters };
    };
    const push = async (operations: unknown[], headers: Record<string, string> = {}, signed = true) => {
      const body = JSON.stringify({ operations });
      const res = await fetch(`${base}/ingest/${SOURCE}`, {
        method: 'POST', body,
        headers: { 'content-type': 'application/json', ...(signed ? { 'x-tributary-signature': signWebhook(SECRET, body, nowSeconds()) } : {}), ...headers },
      });
      return { status: res.status, replayed: res.headers.get('idempotent-replayed'), text: await res.text() };
    };
    const topDocs = async (q: string): Promise<string[]> => {
      const res = await fetch(`${base}/search?q=${encodeURIComponent(q)}&top=3`);
      const body = (await res.json()) as { results: Array<{ docId: string; text: string }> };
      return body.results.filter((r) => r.text.toLowerCase().includes(q.toLowerCase())).map((r) => r.docId);
    };
    const searchable = (q: string, docId: string) => waitFor(`"${q}" to find ${docId}`, async () => (await topDocs(q)).includes(docId), { timeoutMs: 20_000, intervalMs: 150 });
    const gone = (q: string, docId: string) => waitFor(`"${q}" to stop finding ${docId}`, async () => !(await topDocs(q)).includes(docId), { timeoutMs: 20_000, intervalMs: 150 });
    const settled = (documents: number) => waitFor(`${documents} documents indexed and the pipeline idle`, async () => {
      const s = await status();
      // The last run finished too: queue depths are approximate, a run record is not.
      return s.idle && s.documents === documents && s.lastRun !== null && s.lastRun.status !== 'running' ? s : undefined;
    }, { timeoutMs: 30_000, intervalMs: 150 });

    // The start-up sync of an empty stash.
    const empty = await settled(0);
    expect(empty.lastRun?.trigger).toBe('schedule');
    const startupRun = empty.lastRun?.startedAt;

    // An unsigned push is refused and starts nothing.
    const unsigned = await push([doc(1, 'pangolins')], {}, false);
    expect(unsigned.status).toBe(401);

    // Initial sync by push: five documents, searchable with no scheduled run.
    const words = ['pangolins', 'marmosets', 'axolotls', 'capybaras', 'narwhals'];
    const first = await push(words.map((w, i) => doc(i + 1, w)));
    expect(first.status, first.text).toBe(200);
    expect((JSON.parse(first.text) as PushResponse).accepted).toBe(5);
    for (const [i, w] of words.entries()) await searchable(w, `notes/doc-${i + 1}`);
    const afterInitial = await settled(5);
    // Indexed by the push's hint (or a rerun it asked for), never by the daily schedule.
    expect(['webhook', 'rerun']).toContain(afterInitial.lastRun?.trigger);
    expect(afterInitial.lastRun?.startedAt).not.toBe(startupRun);
    expect(afterInitial.deadLetters).toEqual([]);

    // Edit: a new version replaces the text in the index.
    const edit = await push([{ ...doc(2, 'zebracorns'), version: 2 }]);
    expect(edit.status, edit.text).toBe(200);
    await searchable('zebracorns', 'notes/doc-2');
    await gone('marmosets', 'notes/doc-2');
    // A second edit of the same document seconds later: its hint names the same ids, which the
    // fetch queue would deduplicate within its coalescing bucket; the push still gets through.
    const again = await push([{ ...doc(2, 'yetis'), version: 3 }]);
    expect(again.status, again.text).toBe(200);
    await searchable('yetis', 'notes/doc-2');
    await gone('zebracorns', 'notes/doc-2');

    // Delete: the document leaves the index.
    const del = await push([{ op: 'delete', id: 'notes/doc-3' }]);
    expect(del.status, del.text).toBe(200);
    await gone('axolotls', 'notes/doc-3');
    await settled(4);

    // The same batch twice with one Idempotency-Key: the second answer is the stored one
    // (a second application would have reported "unchanged"), and it queues no run.
    const keyed = [{ ...doc(1, 'quokkas'), version: 2 }, doc(6, 'wombats')];
    const once = await push(keyed, { 'Idempotency-Key': 'e2e-batch-0001' });
    expect(once.status, once.text).toBe(200);
    expect((JSON.parse(once.text) as PushResponse).results.map((r) => r.status)).toEqual(['accepted', 'accepted']);
    await searchable('quokkas', 'notes/doc-1');
    await searchable('wombats', 'notes/doc-6');
    const afterKeyed = await settled(5);
    expect(afterKeyed.lastRun?.docsChanged).toBe(2);
    const twice = await push(keyed, { 'Idempotency-Key': 'e2e-batch-0001' });
    expect(twice.status).toBe(200);
    expect(twice.replayed).toBe('true');
    expect(twice.text).toBe(once.text);
    // The bus publishes before the response is sent: a hint would show as a queued task or a new run now.
    const afterReplay = await status();
    expect(afterReplay.idle).toBe(true);
    expect(afterReplay.lastRun?.startedAt).toBe(afterKeyed.lastRun?.startedAt);
    const reused = await push([doc(9, 'other')], { 'Idempotency-Key': 'e2e-batch-0001' });
    expect(reused.status).toBe(422);

    // A mixed batch: the invalid operation is rejected with its reason, the valid ones applied.
    const mixed = await push([doc(7, 'okapis'), { op: 'upsert', id: 'notes/broken', version: 1 }, { op: 'delete', id: 'notes/doc-4' }]);
    expect(mixed.status, mixed.text).toBe(207);
    const mixedBody = JSON.parse(mixed.text) as PushResponse;
    expect(mixedBody.results.map((r) => r.status)).toEqual(['accepted', 'rejected', 'accepted']);
    expect(mixedBody.results[1]?.reason).toMatch(/^text: required/);
    await searchable('okapis', 'notes/doc-7');
    await gone('capybaras', 'notes/doc-4');
    const final = await settled(5);
    expect(final.deadLetters).toEqual([]);

    running.child.kill('SIGTERM');
    const stopped = await running.exited;
    expect(stopped.code, describeResult(stopped)).toBe(0);

    // The stash, the ledger and the index agree, and a full sync has nothing to re-embed.
    const rows = await exportRows(dir, SOURCE);
    expect([...new Set(rows.map((r) => r.docId))].sort()).toEqual(['notes/doc-1', 'notes/doc-2', 'notes/doc-5', 'notes/doc-6', 'notes/doc-7']);
    expect(rows.filter((r) => r.docId === 'notes/doc-1').every((r) => r.version === '2')).toBe(true);
    const audit = await runCli(dir, ['audit', '--json']);
    expect(audit.code, describeResult(audit)).toBe(0);
    expect(parseJson<{ ok: boolean }>(audit).ok).toBe(true);
    const resync = await syncJson(dir, ['--full'], SOURCE);
    expect(resync).toMatchObject({ status: 'synced', docsSeen: 5, docsChanged: 0, docsDeleted: 0, chunksEmbedded: 0 });
  }, TIMEOUT);
});
