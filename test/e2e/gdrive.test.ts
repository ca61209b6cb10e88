/**
 * A Google Drive source through the real CLI (`tributary sync`, `export`, `search --as` as child
 * processes) against the loopback Drive emulator, signed in with OAuth (the refresh token from
 * the environment, rotated pairs in the local credential store): the initial sync indexes
 * exactly the files' expected text (Docs as Markdown, Sheets as CSV of the first sheet, Slides
 * as text, an uploaded Markdown file in a subfolder), a Drawing is skipped with its reason; a sync
 * with no change makes one changes.list call, no embedding call and no write; an edit re-embeds
 * only its changed chunk; a trashed file leaves through the change feed; a file deleted behind
 * the feed's back leaves through the reconcile of a full pass. Every step's Drive calls are counted.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { chunkDocument } from '../../shared/core/chunker.ts';
import { startGDrive, type GDriveEmulator } from '../emulators/gdrive.ts';
import { byDocument, exportRows, killStragglers, makeWorkspace, parseJson, runOk, syncReport, type SyncSourceReport, type Workspace } from './support/cli.ts';

const TIMEOUT = 120_000;
const ALICE = 'alice@example.com';
const BOB = 'bob@example.com';
const CLIENT = 'tributary-e2e.apps.googleusercontent.com';

let ws: Workspace | undefined;
let emu: GDriveEmulator | undefined;

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
    const env = { GDRIVE_CLIENT_ID: CLIENT, GDRIVE_CLIENT_SECRET: 'e2e-secret', GDRIVE_REFRESH_TOKEN: refresh };
    ws = await makeWorkspace('gdrive', {
      config: {
        sources: [{
          id: 'drive', kind: 'gdrive', clientIdEnv: 'GDRIVE_CLIENT_ID', clientSecretEnv: 'GDRIVE_CLIENT_SECRET', refreshTokenEnv: 'GDRIVE_REFRESH_TOKEN',
          folders: [root.id], apiUrl: emu.rootUrl, tokenUrl: emu.tokenUrl, schedule: 'rate(1 day)',
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
    const chunksOf = (id: string) => chunkDocument(expected.get(id)!.text, expected.get(id)!.format).map((c) => c.hash);
    const indexed = async () => byDocument(await exportRows(dir, 'drive'));

    // Act 1: the initial sync.
    const initial = await sync('initial');

    // Assess 1: exactly the four files' chunks; the Drawing skipped; the file outside the folder absent.
    expect(initial).toMatchObject({ status: 'synced', docsChanged: 4, docsDeleted: 0, tasksFailed: 0, docsSkipped: 1 });
    let docs = await indexed();
    expect([...docs.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const id of expected.keys()) expect(docs.get(id)!.map((r) => r.hash), id).toEqual(chunksOf(id));
    expect(docs.has(sketch.id)).toBe(false);
    // startPageToken, files.get of the scope folder, files.list of Team and Notes, 3 exports, 1 download.
    expect(calls.at(-1)!.counts).toMatchObject({ 'changes.getStartPageToken': 1, 'files.list': 2, 'files.export': 3, 'files.get': 2 });

    // Act 2: nothing changed.
    const unchanged = await sync('no change');

    // Assess 2: one changes.list (+ the skipped Drawing's re-check), no embedding, no write.
    expect(unchanged).toMatchObject({ docsChanged: 0, docsDeleted: 0, chunksEmbedded: 0, embeddingCalls: 0, vectorsUpserted: 0, vectorsDeleted: 0 });
    expect(calls.at(-1)!.counts['changes.list']).toBe(1);
    expect(calls.at(-1)!.counts['files.export'] ?? 0).toBe(0);
    expect(calls.at(-1)!.counts['files.list'] ?? 0).toBe(0);

    // Act 3: the Doc gains a paragraph under its second heading.
    const edited = [...planBlocks, 'Mitigation: vendor the numbat parser.'];
    emu.editContent(plan.id, edited);
    expected.set(plan.id, { text: '# Roadmap\n\nWe ship the wombat importer in May.\n\n## Risks\n\n* the quokka dependency\n\nMitigation: vendor the numbat parser.\n', format: 'markdown' });
    const before = docs.get(plan.id)!.map((r) => r.hash);
    const edit = await sync('edit');

    // Assess 3: that Doc alone is read; only chunks never embedded before are embedded.
    expect(edit).toMatchObject({ docsChanged: 1, docsDeleted: 0 });
    const after = chunksOf(plan.id);
    expect(edit.chunksEmbedded).toBe(after.filter((h) => !before.includes(h)).length);
    expect(calls.at(-1)!.counts['files.export']).toBe(1);

    // Act 4: the Slides go to the trash.
    emu.trash(deck.id);
    const trashed = await sync('trash');

    // Assess 4: deleted through the change feed.
    expect(trashed).toMatchObject({ docsDeleted: 1, docsChanged: 0, chunksEmbedded: 0 });

    // Act 5: the Sheet deleted for good, then a full pass (the reconcile finds it gone).
    emu.deleteForever(budget.id);
    const full = await sync('full + reconcile', ['--full']);

    // Assess 5: the reconcile after the full pass deletes it (the trashed Slides are gone too); nothing is re-embedded.
    expect(full).toMatchObject({ docsDeleted: 1, chunksEmbedded: 0, vectorsUpserted: 0 });
    docs = await indexed();
    expect([...docs.keys()].sort()).toEqual([plan.id, readme.id].sort());
    expect(docs.get(plan.id)!.map((r) => r.hash)).toEqual(after);

    // Access: Bob may find the README shared with him, not Alice's Plan.
    const r = await runOk(dir, ['search', 'platypus handbook', '--json', '--top', '10', '--as', `user:${BOB}`], { env });
    const parsed = parseJson<{ results: Array<{ docId: string }> } | Array<{ docId: string }>>(r);
    expect([...new Set((Array.isArray(parsed) ? parsed : parsed.results).map((x) => x.docId))]).toEqual([readme.id]);

    console.log(`gdrive e2e Drive calls per step: ${JSON.stringify(calls)}`);
  }, TIMEOUT);
});
