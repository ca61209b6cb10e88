/**
 * A github source through the real CLI against the loopback GitHub emulator: the initial sync
 * indexes exactly the included files' and issues' chunks; a sync with no change makes no
 * embedding call, writes nothing and costs one conditional request per repository (a free 304)
 * plus the issue listing; an edit re-embeds only its changed chunk and reads one blob; an issue
 * deleted on GitHub leaves through `sync --full`'s reconcile; a file deleted in a push leaves
 * through the push webhook delivered to `tributary start`. Every step's requests are printed.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { chunkDocument } from '../../shared/core/chunker.ts';
import { startGitHub, type GitHubEmulator } from '../emulators/github.ts';
import { byDocument, exportRows, killStragglers, makeWorkspace, runOk, spawnCli, syncReport, waitFor, type SyncSourceReport, type Workspace } from './support/cli.ts';

const TIMEOUT = 120_000;
const SECRET = 'e2e-github-webhook-secret';

let ws: Workspace | undefined;
let gh: GitHubEmulator | undefined;
afterAll(async () => {
  await killStragglers();
  await gh?.close();
  await ws?.remove();
});

const GUIDE = '# Guide\n\nIntro to the handbook.\n\n## Setup\n\nInstall the tools.\n\n## Usage\n\nRun the tools daily.\n';
const FILES: Record<string, string> = {
  'README.md': '# Handbook\n\nStart here.\n',
  'docs/guide.md': GUIDE,
  'docs/faq.md': '# FAQ\n\nQ: why? A: because.\n',
  'src/main.ts': 'export const x = 1;\n',
};
const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

describe('github source through the CLI', () => {
  it('syncs exactly, then does only the work each change needs', async () => {
    gh = await startGitHub();
    gh.createRepo('acme/handbook', { files: FILES });
    const token = gh.addToken('alice', ['acme/handbook']);
    const bug = gh.createIssue('acme/handbook', { title: 'Broken link', body: 'The setup link 404s.', user: 'bob', labels: ['docs'] });
    const comment = gh.addComment('acme/handbook', bug.number, 'Fixed in main.', 'carol');
    const spam = gh.createIssue('acme/handbook', { title: 'Spam', body: 'Buy now.', user: 'mallory' });
    const env = { E2E_GITHUB_TOKEN: token, E2E_GITHUB_SECRET: SECRET };
    ws = await makeWorkspace('github', {
      config: { sources: [{
        id: 'gh', kind: 'github', apiUrl: gh.url, tokenEnv: 'E2E_GITHUB_TOKEN', schedule: 'rate(1 day)', lookbackSeconds: 5,
        repositories: [{ owner: 'acme', repo: 'handbook' }], issues: { enabled: true }, webhook: { secretEnv: 'E2E_GITHUB_SECRET' },
      }] },
    });
    const dir = ws.dir;
    const steps: Array<{ step: string; requests: Record<string, number>; ms: number }> = [];
    const sync = async (step: string, extra: string[] = []): Promise<SyncSourceReport> => {
      gh!.clearRequests();
      const started = Date.now();
      const report = syncReport(await runOk(dir, ['sync', '--json', ...extra], { env }), 'gh');
      steps.push({ step, requests: gh!.countsByRoute(), ms: Date.now() - started });
      return report;
    };
    // The documents' texts, written out from the seed (docs/sources/github.md "What is indexed").
    const expected = new Map<string, string>([
      ['acme/handbook:README.md', FILES['README.md']!],
      ['acme/handbook:docs/guide.md', GUIDE],
      ['acme/handbook:docs/faq.md', FILES['docs/faq.md']!],
      ['acme/handbook#1', `# Broken link\n\nIssue #1 in acme/handbook · open · opened by @bob · labels: docs\n\nThe setup link 404s.\n\n## Comments\n\n**@carol** (${iso(comment.createdAt)}):\n\nFixed in main.\n`],
      ['acme/handbook#2', '# Spam\n\nIssue #2 in acme/handbook · open · opened by @mallory\n\nBuy now.\n'],
    ]);
    const hashes = (text: string): string[] => chunkDocument(text, 'markdown').map((c) => c.hash);

    // Act 1: the initial sync.
    const initial = await sync('initial');

    // Assess 1: exactly the included files' and issues' chunks.
    expect(initial).toMatchObject({ status: 'synced', docsChanged: 5, docsDeleted: 0, tasksFailed: 0, docsSkipped: 0 });
    const docs = byDocument(await exportRows(dir, 'gh'));
    expect([...docs.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [id, text] of expected) expect(docs.get(id)!.map((r) => r.hash), id).toEqual(hashes(text));
    expect(steps.at(-1)!.requests).toEqual({
      'GET /repos/{owner}/{repo}': 1, 'GET /repos/{owner}/{repo}/git/ref/{path}': 1, 'GET /repos/{owner}/{repo}/git/trees/{sha}': 1,
      'GET /repos/{owner}/{repo}/git/blobs/{sha}': 3, 'GET /repos/{owner}/{repo}/issues': 2, 'GET /repos/{owner}/{repo}/issues/{number}': 2,
      'GET /repos/{owner}/{repo}/issues/{number}/comments': 1,
    });

    // Act 2: nothing changed.
    const unchanged = await sync('no change');

    // Assess 2: no embedding call, no write; a 304 for the repository and one issue listing.
    expect(unchanged).toMatchObject({ docsChanged: 0, docsDeleted: 0, chunksEmbedded: 0, embeddingCalls: 0, vectorsUpserted: 0, vectorsDeleted: 0 });
    expect(steps.at(-1)!.requests).toEqual({ 'GET /repos/{owner}/{repo}': 1, 'GET /repos/{owner}/{repo}/issues': 1 });
    expect(gh.count('GET /repos/{owner}/{repo}', 304)).toBe(1);

    // Act 3: one section of the guide edited.
    gh.commit('acme/handbook', 'main', { message: 'Edit usage', files: { 'docs/guide.md': GUIDE.replace('Run the tools daily.', 'Run the tools hourly.') } });
    const edited = await sync('edit');

    // Assess 3: one document, its one changed chunk embedded, one blob read through one compare.
    expect(edited).toMatchObject({ docsChanged: 1, chunksEmbedded: 1, docsDeleted: 0 });
    expect(steps.at(-1)!.requests).toMatchObject({ 'GET /repos/{owner}/{repo}/compare/{basehead}': 1, 'GET /repos/{owner}/{repo}/git/blobs/{sha}': 1 });

    // Act 4: an issue deleted on GitHub (no webhook for it): a full sync's reconcile removes it.
    gh.deleteIssue('acme/handbook', spam.number);
    const full = await sync('full + reconcile', ['--full']);

    // Assess 4: only the deleted issue leaves; nothing is embedded again.
    expect(full).toMatchObject({ docsDeleted: 1, chunksEmbedded: 0, embeddingCalls: 0 });

    // Act 5: `tributary start`, a push webhook registered; a push deletes the FAQ.
    const t5 = Date.now();
    const running = spawnCli(dir, ['start', '--port', '0'], { env, timeoutMs: TIMEOUT });
    const base = await waitFor('the status page URL on stdout', () => {
      if (running.child.exitCode !== null) throw new Error(`start exited early:\n${running.stdout()}\n${running.stderr()}`);
      return /Console \(status, runs, actions, search\): (https?:\/\/\S+?)\/?$/m.exec(running.stdout())?.[1];
    }, { timeoutMs: 60_000 });
    const documents = async (): Promise<number> => ((await (await fetch(`${base}/status`)).json()) as { sources: Array<{ documents: number; running: boolean }> }).sources[0]!.documents;
    await waitFor('the start-up sync', async () => ((await documents()) === 4 ? true : undefined), { timeoutMs: 60_000, intervalMs: 200 });
    gh.registerWebhook('acme/handbook', { url: `${base}/webhooks/gh`, secret: SECRET, events: ['push'] });
    await gh.settle();
    gh.commit('acme/handbook', 'main', { message: 'Drop the FAQ', files: { 'docs/faq.md': null } });
    await gh.settle();

    // Assess 5: the push was accepted and the FAQ left the index without a scheduled run.
    expect(gh.deliveries.filter((d) => d.event === 'push').map((d) => d.status)).toEqual([200]);
    expect(gh.deliveries.find((d) => d.event === 'ping')?.status).toBe(200);
    await waitFor('the FAQ to leave', async () => ((await documents()) === 3 ? true : undefined), { timeoutMs: 30_000, intervalMs: 200 });
    running.child.kill('SIGTERM');
    await running.exited;
    expect([...byDocument(await exportRows(dir, 'gh')).keys()].sort()).toEqual(['acme/handbook#1', 'acme/handbook:README.md', 'acme/handbook:docs/guide.md']);
    console.log(JSON.stringify([...steps, { step: 'start + push webhook', ms: Date.now() - t5 }], null, 1));
  }, TIMEOUT);
});
