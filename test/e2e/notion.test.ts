/**
 * A Notion source through the real CLI (`sync`, `export`, `search`, `start` as child processes)
 * against the loopback Notion emulator: the initial sync indexes exactly the pages' and rows'
 * chunks; a sync with no change makes no embedding call, writes nothing and reads no block; an
 * edit re-embeds only its changed chunk; a renamed parent shows in its children's search results
 * after one sync with only the parent's changed chunk embedded; a trashed page leaves by reconcile
 * (`sync --full`); under `tributary start` the verification request is answered and its token
 * stored, and a signed `page.deleted` removes a page. Every step's requests to Notion are counted.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { chunkDocument } from '../../shared/core/chunker.ts';
import { startNotion, type NotionEmulator } from '../emulators/notion.ts';
import {
  byDocument, exportRows, killStragglers, makeWorkspace, parseJson, runOk, spawnCli, syncReport, waitFor, type SyncSourceReport, type Workspace,
} from './support/cli.ts';

const TIMEOUT = 240_000;
const env = { E2E_NOTION_TOKEN: 'ntn_e2e_secret_0123456789' };

let ws: Workspace | undefined;
let emu: NotionEmulator | undefined;

afterAll(async () => {
  await killStragglers();
  await emu?.close();
  await ws?.remove();
});

const para = (text: string) => ({ type: 'paragraph', text });
const words = (topic: string, n: number): string => Array.from({ length: n }, (_, i) => `${topic} detail ${i} explains the ${topic} process carefully.`).join(' ');

describe('notion source through `tributary sync`', () => {
  it('indexes exactly, does only each change\'s work, refreshes breadcrumbs and deletes by reconcile and by webhook', async () => {
    // Prepare: a shared "Engineering" page with two child pages (one nested deeper) and a tasks data source.
    // The emulator's clock runs 30 minutes behind (stamps closed); the source's lookback covers it.
    emu = await startNotion({ now: () => Date.now() - 30 * 60_000, token: env.E2E_NOTION_TOKEN });
    const longBody = [para(words('deploy', 40)), { type: 'heading_2', text: 'Rollback' }, para(words('rollback', 40))];
    const root = emu.addPage({ title: 'Engineering', shared: true, children: [para('Welcome to engineering.'), { type: 'bulleted_list_item', text: 'Be kind' }, { type: 'bulleted_list_item', text: 'Ship small' }] });
    const runbook = emu.addPage({ title: 'Runbook', children: longBody }, { pageId: root });
    const oncall = emu.addPage({ title: 'On-call', children: [para('Page the on-call engineer.'), { type: 'to_do', text: 'Rotate weekly', content: { checked: false } }] }, { pageId: runbook });
    const db = emu.addDatabase({ title: 'Tasks', dataSources: [{ title: 'Tasks', properties: { Name: { type: 'title' }, State: { type: 'select', select: { options: [{ name: 'Open' }] } } } }] }, { pageId: root });
    const ds = db.dataSources[0]!;
    const task = emu.addRow(ds, { values: { Name: 'Fix login', State: 'Open' }, children: [para('Users cannot log in with SSO.')] });
    const expected = new Map<string, string>([
      [root, `# Engineering\n\nWelcome to engineering.\n\n- Be kind\n- Ship small\n\n[Runbook](notion://page/${runbook})\n\n[Tasks](notion://database/${db.id})`],
      [runbook, `# Runbook\n\n${words('deploy', 40)}\n\n## Rollback\n\n${words('rollback', 40)}\n\n[On-call](notion://page/${oncall})`],
      [oncall, '# On-call\n\nPage the on-call engineer.\n\n- [ ] Rotate weekly'],
      [task, '# Fix login\n\nState: Open\n\nUsers cannot log in with SSO.'],
    ]);
    ws = await makeWorkspace('notion', {
      config: { sources: [{ id: 'wiki', kind: 'notion', apiUrl: emu.url, tokenEnv: 'E2E_NOTION_TOKEN', lookbackSeconds: 3600, schedule: 'rate(1 day)', webhookSubscription: true }] },
    });
    const dir = ws.dir;
    const t0 = Date.now();
    const sync = async (step: string, extra: string[] = []): Promise<SyncSourceReport & { requests: number; blockReads: number }> => {
      emu!.clearRequests();
      const report = syncReport(await runOk(dir, ['sync', '--json', ...extra], { env }), 'wiki');
      const requests = emu!.requests().length;
      const blockReads = emu!.count('GET /v1/blocks/:block_id/children');
      console.log(`notion e2e ${step}: ${requests} requests (${blockReads} block-children reads), ${report.embeddingCalls} embedding calls, ${report.vectorsUpserted} vectors written`);
      return { ...report, requests, blockReads };
    };
    const hashes = (text: string): string[] => chunkDocument(text, 'markdown').map((c) => c.hash);

    // Act 1 / Assess 1: the initial sync indexes exactly the four documents' chunks.
    const initial = await sync('initial');
    expect(initial).toMatchObject({ status: 'synced', docsChanged: 4, docsDeleted: 0, tasksFailed: 0, docsSkipped: 0 });
    const docs = byDocument(await exportRows(dir, 'wiki'));
    expect([...docs.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [id, text] of expected) expect(docs.get(id)!.map((r) => r.hash), id).toEqual(hashes(text));
    expect(docs.get(runbook)!.length).toBeGreaterThanOrEqual(2);

    // Act 2 / Assess 2: nothing changed: no embedding, no write, no block read; one search and one query.
    const quiet = await sync('no change');
    expect(quiet).toMatchObject({ docsChanged: 0, docsDeleted: 0, chunksEmbedded: 0, embeddingCalls: 0, vectorsUpserted: 0, vectorsDeleted: 0, blockReads: 0 });
    expect(quiet.requests).toBe(2);

    // Act 3 / Assess 3: an edit of the last paragraph of the runbook re-embeds that chunk only.
    emu.advance(61_000);
    const lastParagraph = emu.world.need(runbook, 'page').children[2]!;
    emu.editBlock(lastParagraph, { rich_text: [{ type: 'text', text: { content: `${words('rollback', 40)} Always verify.`, link: null }, plain_text: `${words('rollback', 40)} Always verify.`, href: null, annotations: { bold: false, italic: false, strikethrough: false, underline: false, code: false, color: 'default' } }] });
    const edited = await sync('edit');
    const editedText = expected.get(runbook)!.replace(`${words('rollback', 40)}\n\n[On-call]`, `${words('rollback', 40)} Always verify.\n\n[On-call]`);
    expect(edited).toMatchObject({ docsChanged: 1, docsDeleted: 0 });
    const before = new Set(hashes(expected.get(runbook)!));
    expect(edited.chunksEmbedded).toBe(hashes(editedText).filter((h) => !before.has(h)).length);
    expect(edited.chunksEmbedded).toBeLessThan(hashes(editedText).length);

    // Act 4: the parent of the runbook renamed.
    emu.advance(61_000);
    emu.rename(root, 'Platform Engineering');
    const renamed = await sync('rename');

    // Assess 4: children carry the new breadcrumb; only the renamed page's title chunk was embedded.
    expect(renamed.chunksEmbedded).toBe(1);
    expect(renamed.embeddingCalls).toBe(1);
    const found = parseJson<{ results: Array<{ docId: string; metadata?: { breadcrumb?: string } }> }>(await runOk(dir, ['search', 'on-call engineer rotate', '--json', '--top', '50'], { env }));
    const crumbs = new Map(found.results.map((r) => [r.docId, r.metadata?.breadcrumb]));
    expect(crumbs.get(oncall)).toBe('Platform Engineering / Runbook');
    expect(crumbs.get(runbook)).toBe('Platform Engineering');
    expect(crumbs.get(task)).toBe('Platform Engineering / Tasks');

    // Act 5 / Assess 5: a trashed page leaves by reconcile (search does not show trashed pages).
    emu.advance(61_000);
    emu.trash(oncall);
    const reconciled = await sync('reconcile', ['--full']);
    // The runbook changes too: its link to the trashed child is gone, and so is a chunk of it.
    expect(reconciled).toMatchObject({ docsDeleted: 1, docsChanged: 1, vectorsDeleted: hashes(expected.get(oncall)!).length + 1 });

    // Act 6: `tributary start`; a subscription's verification request, then a signed page.deleted.
    const running = spawnCli(dir, ['start', '--port', '0'], { env, timeoutMs: TIMEOUT });
    const base = await waitFor('the status page URL on stdout', () => {
      if (running.child.exitCode !== null) throw new Error(`start exited early:\n${running.stdout()}\n${running.stderr()}`);
      return /Console \(status, runs, actions, search\): (https?:\/\/\S+?)\/?$/m.exec(running.stdout())?.[1];
    }, { timeoutMs: 60_000 });
    const subscription = await emu.subscribe(`${base}/webhooks/wiki`);
    expect(emu.deliveries.at(-1)).toMatchObject({ status: 200 });
    expect(`${running.stdout()}${running.stderr()}`).toContain(subscription.verificationToken);
    const forged = await fetch(`${base}/webhooks/wiki`, { method: 'POST', body: JSON.stringify({ id: 'x', type: 'page.deleted', entity: { id: task, type: 'page' } }), headers: { 'x-notion-signature': 'sha256=00' } });
    expect(forged.status).toBe(401);
    emu.trash(task);
    await emu.deliverWebhooks({ force: true });
    expect(emu.deliveries.at(-1)).toMatchObject({ status: 200 });

    // Assess 6: the row leaves the index without a scheduled run.
    await waitFor('the trashed row to leave the index', async () => {
      const r = (await (await fetch(`${base}/search?q=${encodeURIComponent('cannot log in SSO')}&top=50`)).json()) as { results: Array<{ docId: string }> };
      return r.results.some((x) => x.docId === task) ? undefined : true;
    }, { timeoutMs: 60_000 });
    console.log(`notion e2e: ${Date.now() - t0} ms for 8 CLI invocations`);
    running.child.kill('SIGINT');
  }, TIMEOUT);
});
