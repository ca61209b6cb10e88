/**
 * A Google Drive source with push through the real CLI (`tributary sync`, `export`, `start` as
 * child processes) against the loopback Drive emulator, signed in with OAuth (the refresh token
 * from the environment, rotated pairs in the local credential store): the initial sync indexes
 * exactly the files' expected text (Docs as Markdown, Sheets as CSV of the first sheet, Slides
 * as text, an uploaded Markdown file in a subfolder), skips a Drawing with its reason and opens
 * the changes.watch channel; a sync with no change makes one changes.list call, no embedding
 * call and no write; a full pass after an edit and a deletion re-embeds only the changed chunk
 * and reconciles the deleted file away; under `tributary start` a trashed file and one deleted
 * forever leave the index through the channel's notification (the route, a hint, an incremental
 * sync), and shutdown stops the channel. Every sync's Drive calls are counted.
 */
import { createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { chunkDocument } from '../../shared/core/chunker.ts';
import { startGDrive, type GDriveEmulator } from '../emulators/gdrive.ts';
import { byDocument, exportRows, killStragglers, makeWorkspace, runOk, spawnCli, syncReport, waitFor, type SyncSourceReport, type Workspace } from './support/cli.ts';

const TIMEOUT = 120_000;
const ALICE = 'alice@example.com';
const BOB = 'bob@example.com';
const CLIENT = 'tributary-e2e.apps.googleusercontent.com';

let ws: Workspace | undefined;
let emu: GDriveEmulator | undefined;

/** A port nothing listens on now: `start` takes it, and the channel's address names it before. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

afterAll(async () => {
  await killStragglers();
  await emu?.close();
  await ws?.remove();
});

describe('gdrive source through the CLI', () => {
  it('syncs exactly, then does only the work each change needs', async () => {
    // Prepare: Alice's folder with a Doc, a Sheet, Slides, a subfolder with Markdown, a Drawing.
    emu = await startGDrive();
    emu.addUser(ALICE, 'Alice');
    emu.addUser(BOB, 'Bob');
    emu.addOAuthClient(CLIENT, 'e2e-secret');
    const refresh = emu.issueRefreshToken(CLIENT, ALICE);
    const root = emu.addFolder('Team', { owner: ALICE });
    const at = { owner: ALICE, parent: root.id };
    const planBlocks = [{ heading: 1, text: 'Roadmap' }, 'We ship the wombat importer in May.', { heading: 2, text: 'Risks' }, { bullet: true, text: 'the quokka dependency' }];
    const plan = emu.addGoogleDoc('Plan', planBlocks, at);
    const budget = emu.addGoogleSheet('Budget', [{ title: 'Q1', rows: [['item', 'cost'], ['tea, green', '3']] }, { title: 'Q2', rows: [['hidden', 'x']] }], at);
    const deck = emu.addGoogleSlides('Deck', ['Kickoff', 'Numbat metrics'], at);
    const sub = emu.addFolder('Notes', at);
    const readme = emu.addBlob('README.md', 'text/markdown', '# Handbook\n\nAsk the platypus team.\n', { owner: ALICE, parent: sub.id });
    const sketch = emu.addGoogleDrawing('Sketch', at);
    emu.addBlob('outside.txt', 'text/plain', 'not in the scope', { owner: ALICE });
    emu.share(readme.id, { type: 'user', role: 'reader', emailAddress: BOB });
    const expected = new Map<string, { text: string; format: 'markdown' | 'text' }>([
      [plan.id, { text: '# Roadmap\n\nWe ship the wombat importer in May.\n\n## Risks\n\n* the quokka dependency\n', format: 'markdown' }],
      [budget.id, { text: 'item,cost\n"tea, green",3', format: 'text' }],
      [deck.id, { text: 'Kickoff\n\nNumbat metrics', format: 'text' }],
      [readme.id, { text: '# Handbook\n\nAsk the platypus team.\n', format: 'markdown' }],
    ]);
    const env = { GDRIVE_CLIENT_ID: CLIENT, GDRIVE_CLIENT_SECRET: 'e2e-secret', GDRIVE_REFRESH_TOKEN: refresh, GDRIVE_CHANNEL_SECRET: 'e2e-channel-secret' };
    const port = await freePort();
    const address = `http://127.0.0.1:${port}/webhooks/drive`;
    ws = await makeWorkspace('gdrive', {
      config: {
        sources: [{
          id: 'drive', kind: 'gdrive', clientIdEnv: 'GDRIVE_CLIENT_ID', clientSecretEnv: 'GDRIVE_CLIENT_SECRET', refreshTokenEnv: 'GDRIVE_REFRESH_TOKEN',
          folders: [root.id], apiUrl: emu.rootUrl, tokenUrl: emu.tokenUrl, schedule: 'rate(1 hour)',
          webhook: { secretEnv: 'GDRIVE_CHANNEL_SECRET' }, push: { address },
        }],
      },
    });
    const dir = ws.dir;
    const calls: Array<{ step: string; counts: Record<string, number> }> = [];
    const sync = async (step: string, extra: string[] = []): Promise<SyncSourceReport> => {
      emu!.clearRequests();
      const report = syncReport(await runOk(dir, ['sync', '--json', ...extra], { env }), 'drive');
      calls.push({ step, counts: emu!.counts() });
      return report;
    };
    // The file's name is its title, embedded with each chunk as its context.
    const names = new Map([[plan.id, 'Plan'], [budget.id, 'Budget'], [deck.id, 'Deck'], [readme.id, 'README.md']]);
    const chunksOf = (id: string) => chunkDocument(expected.get(id)!.text, expected.get(id)!.format, {}, { title: names.get(id) }).map((c) => c.hash);
    const indexed = async () => byDocument(await exportRows(dir, 'drive'));

    // Act 1: the initial sync.
    const initial = await sync('initial');

    // Assess 1: exactly the four files' chunks; the Drawing skipped; the file outside the folder absent; one channel.
    expect(initial).toMatchObject({ status: 'synced', docsChanged: 4, docsDeleted: 0, tasksFailed: 0, docsSkipped: 1 });
    const channels = () => emu!.channels().filter((c) => c.address === address);
    expect(channels().map((c) => c.stopped)).toEqual([false]);
    let docs = await indexed();
    expect([...docs.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const id of expected.keys()) expect(docs.get(id)!.map((r) => r.hash), id).toEqual(chunksOf(id));
    expect(docs.has(sketch.id)).toBe(false);
    // startPageToken (the pass's and the channel's), changes.watch, files.get of the scope folder, files.list of Team and Notes, 3 exports, 1 download.
    expect(calls.at(-1)!.counts).toMatchObject({ 'changes.getStartPageToken': 2, 'changes.watch': 1, 'files.list': 2, 'files.export': 3, 'files.get': 2 });

    // Act 2: nothing changed.
    const unchanged = await sync('no change');

    // Assess 2: one changes.list (+ the skipped Drawing's re-check), no embedding, no write.
    expect(unchanged).toMatchObject({ docsChanged: 0, docsDeleted: 0, chunksEmbedded: 0, embeddingCalls: 0, vectorsUpserted: 0, vectorsDeleted: 0 });
    expect(calls.at(-1)!.counts['changes.list']).toBe(1);
    expect(calls.at(-1)!.counts['files.export'] ?? 0).toBe(0);
    expect(calls.at(-1)!.counts['files.list'] ?? 0).toBe(0);

    // Act 3: the Doc gains a paragraph under its second heading; the Sheet is deleted for good; a full pass.
    const edited = [...planBlocks, 'Mitigation: vendor the numbat parser.'];
    emu.editContent(plan.id, edited);
    expected.set(plan.id, { text: '# Roadmap\n\nWe ship the wombat importer in May.\n\n## Risks\n\n* the quokka dependency\n\nMitigation: vendor the numbat parser.\n', format: 'markdown' });
    const before = docs.get(plan.id)!.map((r) => r.hash);
    emu.deleteForever(budget.id);
    const full = await sync('edit + full + reconcile', ['--full']);

    // Assess 3: that Doc alone changed and only its new chunks were embedded; the reconcile after the full pass deleted the Sheet.
    expect(full).toMatchObject({ docsChanged: 1, docsDeleted: 1 });
    const after = chunksOf(plan.id);
    expect(full.chunksEmbedded).toBe(after.filter((h) => !before.includes(h)).length);

    // Act 4: `tributary start` on the channel's port; the Slides go to the trash, the README is deleted forever.
    const running = spawnCli(dir, ['start', '--port', String(port)], { env, timeoutMs: TIMEOUT });
    const base = await waitFor('the status page URL on stdout', () => {
      if (running.child.exitCode !== null) throw new Error(`start exited early:\n${running.stdout()}\n${running.stderr()}`);
      return /Console \(status, runs, actions, search\): (https?:\/\/\S+?)\/?$/m.exec(running.stdout())?.[1];
    }, { timeoutMs: 60_000 });
    const found = async (as = ''): Promise<string[]> => {
      const r = (await (await fetch(`${base}/search?q=${encodeURIComponent('platypus handbook numbat')}&top=50${as}`)).json()) as { results: Array<{ docId: string }> };
      return [...new Set(r.results.map((x) => x.docId))].sort();
    };
    // Access: Bob may find the README shared with him, not Alice's Plan or Slides.
    expect(await found(`&as=${encodeURIComponent(`user:${BOB}`)}`)).toEqual([readme.id]);
    const forged = await fetch(address, { method: 'POST', headers: { 'x-goog-channel-id': channels()[0]!.id, 'x-goog-channel-token': 'forged', 'x-goog-resource-id': 'r', 'x-goog-message-number': '9', 'x-goog-resource-state': 'change' } });
    expect(forged.status).toBe(401);
    emu.trash(deck.id);
    emu.deleteForever(readme.id);
    const sent = emu.notifications().length;
    await emu.flushNotifications();

    // Assess 4: the route took the notification; both files leave the index without a scheduled run; the channel was kept, not reopened.
    expect(emu.notifications().slice(sent)).toEqual([expect.objectContaining({ state: 'change', address, status: 200 })]);
    await waitFor('the trashed and the deleted file to leave the index', async () => ((await found()).join() === plan.id ? true : undefined), { timeoutMs: 60_000 });
    expect(channels().map((c) => c.stopped)).toEqual([false]);

    // Act 5: Ctrl+C, then the export.
    running.child.kill('SIGINT');
    await running.exited;
    docs = await indexed();

    // Assess 5: shutdown stopped the channel; the export holds the edited Plan alone, exactly.
    expect(channels().map((c) => c.stopped)).toEqual([true]);
    expect([...docs.keys()]).toEqual([plan.id]);
    expect(docs.get(plan.id)!.map((r) => r.hash)).toEqual(after);

    console.log(`gdrive e2e Drive calls per step: ${JSON.stringify(calls)}`);
  }, TIMEOUT);
});
