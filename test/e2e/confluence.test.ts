/**
 * A Confluence source through the real CLI (`tributary sync`, `export`, `search`, `start` as
 * child processes) against the loopback Confluence emulator: the initial sync indexes exactly
 * the pages' chunks; a sync with no change makes no embedding call, writes nothing and reads no
 * page; an edit embeds only its changed chunk; a renamed parent page reaches its children's
 * breadcrumbs in one sync without re-embedding their text; a trashed page leaves by reconcile,
 * a purged one by a signed Data Center webhook. Every step's requests to Confluence are counted.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { chunkDocument } from '../../shared/core/chunker.ts';
import { postConfluenceWebhook, startConfluence, type ConfluenceEmulator } from '../emulators/confluence.ts';
import {
  byDocument, describeResult, duplicatePositions, exportRows, killStragglers, makeWorkspace, nonContiguous, parseJson, runOk, spawnCli,
  syncReport, waitFor, type SyncSourceReport, type Workspace,
} from './support/cli.ts';

const TIMEOUT = 180_000;
const TOKEN = 'e2e-confluence-api-token';
const SECRET = 'e2e-confluence-webhook-secret';
const env = { E2E_CONFLUENCE_TOKEN: TOKEN, E2E_CONFLUENCE_SECRET: SECRET };
const CHUNKING = { targetTokens: 60, maxTokens: 200 };

let ws: Workspace | undefined;
let emu: ConfluenceEmulator | undefined;

afterAll(async () => {
  await killStragglers();
  await emu?.close();
  await ws?.remove();
});

type Sections = Array<[heading: string, text: string]>;
interface Seed { title: string; sections: Sections; labels: string[] }

/** A section's words: a topic of its own, a few sentences (about one chunk of 60 tokens). */
const words = (topic: string, n = 4): string =>
  Array.from({ length: n }, (_, i) => `The ${topic} procedure step ${i} covers ${topic} checks and hand-over notes.`).join(' ');
const sectionsOf = (topic: string): Sections => [['Overview', words(`${topic}-overview`)], ['Steps', words(`${topic}-steps`)], ['Notes', words(`${topic}-notes`)]];
const adfOf = (sections: Sections): Record<string, unknown> => ({
  type: 'doc', version: 1,
  content: sections.flatMap(([h, t]) => [{ type: 'heading', attrs: { level: 2 }, content: [{ type: 'text', text: h }] }, { type: 'paragraph', content: [{ type: 'text', text: t }] }]),
});
const bodyOf = (sections: Sections) => ({ storage: sections.map(([h, t]) => `<h2>${h}</h2><p>${t}</p>`).join(''), adf: adfOf(sections) });

/** The document text the connector must produce for a page, written out independently (docs/sources/confluence.md). */
function expectedText(seed: Seed): string {
  const labels = [...seed.labels].sort();
  return [`# ${seed.title}`, ...seed.sections.flatMap(([h, t]) => [`## ${h}`, t]), ...(labels.length ? [`Labels: ${labels.join(', ')}`] : [])].join('\n\n');
}

interface Step { readonly step: string; readonly report: SyncSourceReport; readonly requests: number; readonly routes: Record<string, number> }

describe('confluence source through `tributary sync`', () => {
  it('indexes exactly, does only each change\'s work, refreshes children of a renamed page and deletes by reconcile and webhook', async () => {
    // Prepare: space ENG (its homepage), Guides > (Setup, Deploy > Rollback), and two loose pages.
    emu = await startConfluence({ now: () => Date.now() });
    emu.setRateLimits({ max: Infinity });
    emu.addUser({ email: 'ada@acme.test', displayName: 'Ada Lovelace', apiToken: TOKEN, timeZone: 'Europe/Berlin' });
    const home = emu.addSpace({ key: 'ENG', name: 'Engineering' }).homepageId!;
    const seeds = new Map<string, Seed>([[home, { title: 'Engineering Home', sections: [], labels: [] }]]);
    const create = (title: string, topic: string, parentId: string, labels: string[] = []): string => {
      const seed: Seed = { title, sections: sectionsOf(topic), labels };
      const id = emu!.createPage({ space: 'ENG', title, parentId, body: bodyOf(seed.sections), labels }).id;
      seeds.set(id, seed);
      return id;
    };
    const guides = create('Guides', 'guides', home, ['handbook']);
    const setup = create('Setup', 'setup', guides);
    const deploy = create('Deploy', 'deploy', guides, ['ops', 'release']);
    const rollback = create('Rollback', 'rollback', deploy);
    const archive = create('Archive notes', 'archive', home);
    const oldRunbook = create('Old runbook', 'old', home);
    const text = (id: string): string => (id === home ? '# Engineering Home\n\nWelcome to Engineering.' : expectedText(seeds.get(id)!));
    const chunksOf = (id: string) => chunkDocument(text(id), 'markdown', CHUNKING);

    const source = {
      id: 'wiki', kind: 'confluence', siteUrl: emu.url, email: 'ada@acme.test', tokenEnv: 'E2E_CONFLUENCE_TOKEN', spaces: ['ENG'],
      webhook: { secretEnv: 'E2E_CONFLUENCE_SECRET' }, schedule: 'rate(1 day)', chunking: CHUNKING,
    };
    ws = await makeWorkspace('confluence', { config: { sources: [source] } });
    const dir = ws.dir;
    const steps: Step[] = [];
    const sync = async (step: string): Promise<SyncSourceReport> => {
      emu!.resetLog();
      const report = syncReport(await runOk(dir, ['sync', '--json'], { env }), 'wiki');
      steps.push({ step, report, requests: emu!.log.length, routes: emu!.countsByRoute() });
      return report;
    };
    const hashesOf = async () => new Map([...byDocument(await exportRows(dir, 'wiki'))].map(([id, rows]) => [id, rows.map((r) => r.hash)]));

    // Act 1: the initial sync.
    const initial = await sync('initial');

    // Assess 1: exactly the pages' chunks, in order, nothing else; 1 + 1 + 1 + 2 per page requests.
    const ids = [...seeds.keys()];
    expect(initial).toMatchObject({ status: 'synced', docsChanged: ids.length, docsDeleted: 0, tasksFailed: 0, docsSkipped: 0 });
    const rows = await exportRows(dir, 'wiki');
    expect(duplicatePositions(rows)).toEqual([]);
    expect(nonContiguous(rows)).toEqual([]);
    const docs = byDocument(rows);
    expect([...docs.keys()].sort()).toEqual([...ids].sort());
    for (const id of ids) expect(docs.get(id)!.map((r) => r.text), id).toEqual(chunksOf(id).map((c) => c.text));
    expect(docs.get(setup)!.length).toBeGreaterThanOrEqual(3);
    expect(initial.chunksEmbedded).toBe(rows.length);
    expect(steps.at(-1)!.requests).toBe(3 + 2 * ids.length);

    // Act 2: nothing changed.
    const unchanged = await sync('no change');

    // Assess 2: no embedding call, no write, no page read: the user's zone and one search.
    expect(unchanged).toMatchObject({ docsChanged: 0, docsDeleted: 0, chunksEmbedded: 0, embeddingCalls: 0, vectorsUpserted: 0, vectorsDeleted: 0 });
    expect(steps.at(-1)!.routes).toEqual({ 'GET /wiki/rest/api/user/current': 1, 'GET /wiki/rest/api/search': 1 });

    // Act 3: an edit of Setup's last section.
    seeds.get(setup)!.sections[2] = ['Notes', words('setup-revised')];
    emu.editBody(setup, bodyOf(seeds.get(setup)!.sections));
    const edited = await sync('edit');

    // Assess 3: that page alone is read; only its changed chunk is embedded.
    const before = docs.get(setup)!.map((r) => r.hash);
    const changedChunks = chunksOf(setup).filter((c) => !before.includes(c.hash)).length;
    expect(changedChunks).toBe(1);
    expect(edited).toMatchObject({ docsChanged: 1, docsDeleted: 0, chunksEmbedded: 1, embeddingCalls: 1 });

    // Act 4: the parent page Guides renamed.
    const guidesBefore = docs.get(guides)!.map((r) => r.hash);
    seeds.get(guides)!.title = 'Handbook';
    emu.rename(guides, 'Handbook');
    const renamed = await sync('rename parent');
    const hits = parseJson<{ results: Array<{ docId: string; title?: string; metadata?: Record<string, unknown> }> }>(
      await runOk(dir, ['search', 'procedure step covers checks and hand-over notes', '--json', '--top', '100'], { env })).results;

    // Assess 4: Guides and its three descendants rewritten in this one sync; embedded only Guides' changed chunks.
    const guidesNew = chunksOf(guides).filter((c) => !guidesBefore.includes(c.hash)).length;
    expect(renamed).toMatchObject({ docsChanged: 4, docsDeleted: 0, chunksEmbedded: guidesNew, embeddingCalls: 1 });
    const crumbs = new Map(hits.map((h) => [h.docId, h.metadata?.['breadcrumb']]));
    expect(crumbs.get(setup)).toBe('Engineering Home > Handbook');
    expect(crumbs.get(deploy)).toBe('Engineering Home > Handbook');
    expect(crumbs.get(rollback)).toBe('Engineering Home > Handbook > Deploy');
    expect(crumbs.get(archive)).toBe('Engineering Home');
    expect(hits.find((h) => h.docId === guides)?.title).toBe('Handbook');

    // Act 5: a page trashed (Cloud sends no signed webhook): the reconcile finds it gone.
    const archiveChunks = docs.get(archive)!.length;
    emu.trash(archive);
    seeds.delete(archive);
    await ws.writeConfig({ sources: [{ ...source, reconcileIntervalMinutes: 0 }] });
    const reconciled = await sync('trash → reconcile');

    // Assess 5
    expect(reconciled).toMatchObject({ docsChanged: 0, docsDeleted: 1, chunksEmbedded: 0, vectorsDeleted: archiveChunks });

    // Act 6: under `tributary start`, a page purged on a Data Center site that delivers signed webhooks.
    const running = spawnCli(dir, ['start', '--port', '0'], { env, timeoutMs: TIMEOUT });
    const base = await waitFor('the status page URL on stdout', () => {
      if (running.child.exitCode !== null) throw new Error(`start exited early:\n${running.stdout()}\n${running.stderr()}`);
      return /Console \(status, runs, actions, search\): (https?:\/\/\S+?)\/?$/m.exec(running.stdout())?.[1];
    }, { timeoutMs: 60_000 });
    const documents = async (): Promise<{ n: number; idle: boolean }> => {
      const s = (await (await fetch(`${base}/status`)).json()) as { sources: Array<{ documents: number; running: boolean }>; queues: Record<string, { visible: number; inFlight: number }> };
      const q = Object.values(s.queues).reduce((n, x) => n + x.visible + x.inFlight, 0);
      return { n: s.sources[0]!.documents, idle: !s.sources[0]!.running && q === 0 };
    };
    await waitFor('the start-up sync', async () => (await documents()).idle, { timeoutMs: 60_000, intervalMs: 200 });
    const hook = `${base}/webhooks/wiki`;
    const forged = await postConfluenceWebhook(hook, { timestamp: Date.now(), event: 'page_removed', userKey: 'ff80', page: { id: Number(guides) } }, { secret: 'not-the-secret' });
    emu.registerWebhook({ url: hook, secret: SECRET, events: ['page_removed'] });
    emu.resetLog();
    emu.purge(oldRunbook);
    seeds.delete(oldRunbook);
    await emu.webhooks.settle();
    await waitFor('the purged page to leave the index', async () => { const d = await documents(); return d.idle && d.n === seeds.size; }, { timeoutMs: 30_000, intervalMs: 200 });
    const webhookRequests = emu.countsByRoute();
    running.child.kill('SIGTERM');
    const stopped = await running.exited;

    // Assess 6: the forged delivery refused; the signed one accepted and read as one batch search.
    expect(stopped.code, describeResult(stopped)).toBe(0);
    expect(forged.status).toBe(401);
    expect(emu.deliveries.map((d) => [d.event, d.status])).toEqual([['page_removed', 200]]);
    expect(webhookRequests).toEqual({ 'GET /wiki/rest/api/search': 1 });

    // Assess 7: the index holds exactly the live pages' current chunks.
    const final = await hashesOf();
    expect([...final.keys()].sort()).toEqual([...seeds.keys()].sort());
    for (const id of seeds.keys()) expect(final.get(id), id).toEqual(chunksOf(id).map((c) => c.hash));

    // Requests per sync: zone + listing (+ `ancestor =` for the rename, + the reconcile listing) + batch read + labels and restrictions per page read.
    expect(steps.map((s) => s.requests)).toEqual([17, 2, 7, 13, 3]);

    // The measurements, for docs/sources/confluence.md.
    console.log(steps.map((s) => [
      s.step.padEnd(18), `requests ${s.requests}`, `docs changed ${s.report.docsChanged}`, `deleted ${s.report.docsDeleted}`,
      `chunks embedded ${s.report.chunksEmbedded}`, `embedding calls ${s.report.embeddingCalls}`, `upserted ${s.report.vectorsUpserted}`,
      `vectors deleted ${s.report.vectorsDeleted}`, JSON.stringify(s.routes),
    ].join(' | ')).join('\n'));
  }, TIMEOUT);
});
