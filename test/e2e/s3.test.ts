/**
 * An s3 source through the real CLI against the loopback S3 emulator: the initial sync indexes
 * exactly the objects' chunks (text written out here from the seed); a sync with no change
 * lists once, reads no object, embeds nothing and writes nothing; an edit re-embeds only its
 * changed chunk; a deleted object leaves by reconcile; and under `tributary start`, an S3
 * `Object Deleted` event POSTed to the webhook (as an EventBridge API destination does,
 * duplicated) removes its document with one GetObject and no listing. S3 calls are counted per step.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { chunkDocument } from '../../shared/core/chunker.ts';
import { DEFAULT_CREDENTIALS, startS3, type S3Emulator } from '../emulators/s3.ts';
import {
  byDocument, describeResult, duplicatePositions, exportRows, killStragglers, makeWorkspace, nonContiguous, runOk, spawnCli, syncReport, waitFor,
  type SyncSourceReport, type Workspace,
} from './support/cli.ts';

const TIMEOUT = 120_000;
const env = { E2E_S3_KEY: DEFAULT_CREDENTIALS.accessKeyId, E2E_S3_SECRET: DEFAULT_CREDENTIALS.secretAccessKey, E2E_S3_HOOK: 'e2e-s3-hook-token' };
const TOPICS = ['budget', 'roadmap', 'hiring', 'latency', 'pricing', 'churn', 'onboarding', 'security'];
const NAMES = ['guides/a b.md', 'c++/x+y.md', '日本語/ノート.md', 'rocket 🚀/launch.md', 'notes/plain.txt', 'policies/leave.md', 'policies/travel.md', 'faq.md'];

let ws: Workspace | undefined;
let s3: S3Emulator | undefined;

afterAll(async () => {
  await killStragglers();
  await s3?.close();
  await ws?.remove();
});

/** A document of `sections` headed sections about `topic`. */
function body(topic: string, sections: number, edit = ''): string {
  const parts = [`# ${topic} handbook`];
  for (let i = 0; i < sections; i++) {
    parts.push(`## ${topic} part ${i}`, `${`We write down how ${topic} works in step ${i}, carefully and specifically. `.repeat(6).trim()}${i === 1 ? edit : ''}`);
  }
  return parts.join('\n\n');
}

describe('s3 source through `tributary sync` and `start`', () => {
  it('indexes exactly, does only each change\'s work, and deletes by reconcile and by event', async () => {
    // Prepare: 8 objects under docs/ (one long), one outside the prefix, one unselected.
    s3 = await startS3({ requestRates: false, now: () => Date.now() });
    s3.createBucket('acme-kb', { eventBridge: true });
    const texts = new Map<string, string>();
    NAMES.forEach((name, i) => {
      const text = body(TOPICS[i]!, i === 0 ? 12 : 2);
      texts.set(name, text);
      s3!.putObject('acme-kb', `docs/${name}`, text);
    });
    s3.putObject('acme-kb', 'private/x.md', '# not in the prefix');
    s3.putObject('acme-kb', 'docs/logo.svg.bin', 'binary-ish');
    ws = await makeWorkspace('s3', {
      config: { sources: [{
        id: 'kb', kind: 's3', bucket: 'acme-kb', prefix: 'docs/', endpoint: s3.url, forcePathStyle: true, region: 'us-east-1',
        accessKeyIdEnv: 'E2E_S3_KEY', secretAccessKeyEnv: 'E2E_S3_SECRET', events: 'webhook', webhook: { secretEnv: 'E2E_S3_HOOK' },
        include: ['**/*.md', '**/*.txt'], schedule: 'rate(1 day)',
      }] },
    });
    const dir = ws.dir;
    const steps: Array<{ step: string; report: SyncSourceReport; calls: Record<string, number> }> = [];
    const sync = async (step: string): Promise<SyncSourceReport> => {
      const before = s3!.requests().length;
      const report = syncReport(await runOk(dir, ['sync', '--json'], { env }), 'kb');
      const calls: Record<string, number> = {};
      for (const r of s3!.requests().slice(before)) calls[r.operation] = (calls[r.operation] ?? 0) + 1;
      steps.push({ step, report, calls });
      return report;
    };
    // The title (a Markdown file's first heading, else the object's file name) is embedded with each chunk.
    const expectedChunks = (name: string) => {
      const text = texts.get(name)!;
      const markdown = !name.endsWith('.txt');
      const title = (markdown ? /^#\s+(.+)$/m.exec(text)?.[1]?.trim() : undefined) ?? name.split('/').pop()!;
      return chunkDocument(text, markdown ? 'markdown' : 'text', {}, { title }).map((c) => c.hash);
    };

    // Act 1: the initial sync.
    const initial = await sync('initial');

    // Assess 1: exactly the objects' chunks; one listing and one read per object.
    expect(initial).toMatchObject({ status: 'synced', docsChanged: NAMES.length, docsDeleted: 0, tasksFailed: 0, docsSkipped: 0 });
    const rows = await exportRows(dir, 'kb');
    expect(duplicatePositions(rows)).toEqual([]);
    expect(nonContiguous(rows)).toEqual([]);
    const docs = byDocument(rows);
    expect([...docs.keys()].sort()).toEqual([...NAMES].sort());
    for (const name of NAMES) expect(docs.get(name)!.map((r) => r.hash), name).toEqual(expectedChunks(name));
    expect(docs.get(NAMES[0]!)!.length).toBeGreaterThanOrEqual(4);
    expect(steps.at(-1)!.calls).toEqual({ ListObjectsV2: 1, GetObject: NAMES.length });

    // Act 2: nothing changed.
    const unchanged = await sync('no change');

    // Assess 2: one listing, no read, no embedding, no write.
    expect(unchanged).toMatchObject({ docsChanged: 0, docsDeleted: 0, chunksEmbedded: 0, embeddingCalls: 0, vectorsUpserted: 0, vectorsDeleted: 0 });
    expect(steps.at(-1)!.calls).toEqual({ ListObjectsV2: 1 });

    // Act 3: an edit in the second section of the long object, and a deletion found by reconcile.
    const long = NAMES[0]!;
    texts.set(long, body(TOPICS[0]!, 12, ' One more careful sentence about the wombat.'));
    s3.putObject('acme-kb', `docs/${long}`, texts.get(long)!);
    const reconciled = NAMES[5]!;
    s3.deleteObject('acme-kb', `docs/${reconciled}`);
    s3.takeEvents();
    const edited = await sync('edit + delete');

    // Assess 3: only the changed chunk embedded; the deleted object's vectors gone.
    expect(edited).toMatchObject({ docsChanged: 1, docsDeleted: 1, chunksEmbedded: 1, vectorsDeleted: docs.get(reconciled)!.length });
    expect(steps.at(-1)!.calls).toEqual({ ListObjectsV2: 1, GetObject: 1 });

    // Act 4: under `start`, an object is deleted and S3's event POSTed (twice: at-least-once).
    const running = spawnCli(dir, ['start', '--port', '0'], { env, timeoutMs: TIMEOUT });
    const base = await waitFor('the status page URL on stdout', () => {
      if (running.child.exitCode !== null) throw new Error(`start exited early:\n${running.stdout()}\n${running.stderr()}`);
      return /Console \(status, runs, actions, search\): (https?:\/\/\S+?)\/?$/m.exec(running.stdout())?.[1];
    }, { timeoutMs: 60_000 });
    const documents = async (): Promise<number | undefined> => {
      const status = (await (await fetch(`${base}/status`)).json()) as { sources: Array<{ documents: number; running: boolean }>; queues: { fetch: { visible: number; inFlight: number } } };
      const s = status.sources[0]!;
      return !s.running && status.queues.fetch.visible + status.queues.fetch.inFlight === 0 ? s.documents : undefined;
    };
    await waitFor('the start-up sync', async () => ((await documents()) === NAMES.length - 1 ? true : undefined), { timeoutMs: 60_000, intervalMs: 200 });
    const doomed = NAMES[1]!;
    const before = s3.requests().length;
    s3.deleteObject('acme-kb', `docs/${doomed}`);
    const forged = await s3.deliverEvents(`${base}/webhooks/kb`, { headers: { authorization: 'Bearer wrong' } });
    s3.deleteObject('acme-kb', 'docs/never-existed.md');
    s3.putObject('acme-kb', `docs/${doomed}`, 'x');
    s3.deleteObject('acme-kb', `docs/${doomed}`);
    const statuses = await s3.deliverEvents(`${base}/webhooks/kb`, { headers: { authorization: `Bearer ${env.E2E_S3_HOOK}` }, duplicates: 1, shuffle: true });
    await waitFor('the deletion', async () => ((await documents()) === NAMES.length - 2 ? true : undefined), { timeoutMs: 30_000, intervalMs: 200 });
    const eventCalls: Record<string, number> = {};
    for (const r of s3.requests().slice(before)) eventCalls[r.operation] = (eventCalls[r.operation] ?? 0) + 1;
    running.child.kill('SIGTERM');
    const stopped = await running.exited;

    // Assess 4: the forged delivery refused; the events accepted (duplicates answered 200); no listing, only reads of the named keys.
    expect(forged).toEqual([401]);
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(eventCalls['ListObjectsV2'] ?? 0).toBe(0);
    expect(eventCalls['GetObject']).toBeGreaterThanOrEqual(1);
    expect(eventCalls['GetObject']).toBeLessThanOrEqual(4);
    expect(stopped.code, describeResult(stopped)).toBe(0);
    const final = byDocument(await exportRows(dir, 'kb'));
    expect([...final.keys()].sort()).toEqual(NAMES.filter((n) => n !== reconciled && n !== doomed).sort());
    expect(final.get(long)!.map((r) => r.hash)).toEqual(expectedChunks(long));

    console.log([...steps.map((s) => `${s.step.padEnd(14)} | S3 ${JSON.stringify(s.calls)} | changed ${s.report.docsChanged} | deleted ${s.report.docsDeleted} | chunks embedded ${s.report.chunksEmbedded} | embedding calls ${s.report.embeddingCalls} | upserted ${s.report.vectorsUpserted} | vectors deleted ${s.report.vectorsDeleted}`),
      `event delete   | S3 ${JSON.stringify(eventCalls)}`].join('\n'));
  }, TIMEOUT);
});
