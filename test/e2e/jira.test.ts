/**
 * A Jira source through the real CLI (`tributary sync`, `start`, `export` as child processes)
 * against the loopback Jira emulator: the initial sync indexes exactly the issues' chunks; a
 * sync with no change makes no embedding call and no write (two requests to Jira); an edit
 * re-embeds only its chunk; an epic renamed refreshes its children in the same sync, their
 * header chunks only; a deletion arrives by admin webhook (`start`), a move out of scope by
 * reconcile. Requests to Jira are counted from the emulator's log at every step.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { chunkDocument } from '../../shared/core/chunker.ts';
import { paragraphDoc, startJira, type AdfDoc, type JiraEmulator } from '../emulators/jira.ts';
import { byDocument, exportRows, killStragglers, makeWorkspace, runOk, spawnCli, syncReport, waitFor, type SyncSourceReport, type Workspace } from './support/cli.ts';

const TIMEOUT = 120_000;
const env = { E2E_JIRA_TOKEN: 'jira-e2e-token', E2E_JIRA_HOOK: 'jira-e2e-hook-secret' };
let ws: Workspace | undefined;
let jira: JiraEmulator | undefined;

afterAll(async () => {
  await killStragglers();
  await jira?.close();
  await ws?.remove();
});

const doc = (...paragraphs: string[]): AdfDoc => ({ type: 'doc', version: 1, content: paragraphs.map((p) => ({ type: 'paragraph', content: [{ type: 'text', text: p }] })) });
const longParagraphs = (word: string, edit = -1): string[] =>
  Array.from({ length: 12 }, (_, i) => `${i === edit ? 'Edited wombat paragraph' : 'Paragraph'} ${i} about ${word}: ${'the rollout needs careful staging and review '.repeat(12).trim()}.`);

interface Expect { key: string; summary: string; type: string; status: string; assignee: string; labels?: string[]; parent?: string; description: string[]; comments?: [string, number, string][] }

/** The document text the connector must produce, written out independently (docs/sources/jira.md#what-is-indexed). */
function expectedText(e: Expect): string {
  const facts = [`- Project: Engineering (ENG)`, `- Type: ${e.type}`, `- Status: ${e.status}`, '- Priority: Medium', `- Assignee: ${e.assignee}`, '- Reporter: Alice',
    ...(e.labels ? [`- Labels: ${e.labels.join(', ')}`] : []), ...(e.parent ? [`- Parent: ${e.parent}`] : [])];
  const parts = [`# ${e.key}: ${e.summary}`, facts.join('\n'), `## Description\n\n${e.description.join('\n\n')}`];
  if (e.comments) {
    parts.push('## Comments');
    for (const [who, at, text] of e.comments) parts.push(`### ${who}, ${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC\n\n${text}`);
  }
  return `${parts.join('\n\n')}\n`;
}

describe('jira source through `tributary sync`', () => {
  it('indexes exactly, does only each change\'s work, refreshes children of a renamed epic, deletes by webhook and by reconcile', async () => {
    // Prepare: a site whose API user is in New York; an epic with two stories, a long issue, a commented bug, an OPS issue out of scope.
    jira = await startJira({ rateLimits: { perWindow: undefined } });
    const alice = jira.addUser({ email: 'alice@acme.test', displayName: 'Alice', apiToken: env.E2E_JIRA_TOKEN, timeZone: 'America/New_York' });
    const bob = jira.addUser({ email: 'bob@acme.test', displayName: 'Bob' });
    jira.addProject('ENG', 'Engineering');
    jira.addProject('OPS', 'Operations');
    const epic = jira.createIssue({ project: 'ENG', summary: 'Login revamp', issuetype: 'Epic', description: paragraphDoc('Everything about signing in.') }, alice.accountId);
    const storyA = jira.createIssue({ project: 'ENG', summary: 'Password reset', issuetype: 'Story', parent: epic.id, description: paragraphDoc('Reset by e-mail link.') }, alice.accountId);
    const storyB = jira.createIssue({ project: 'ENG', summary: 'Session timeout', issuetype: 'Story', parent: epic.id, status: 'In Progress', assignee: bob.accountId, description: paragraphDoc('Expire idle sessions.') }, alice.accountId);
    const long = jira.createIssue({ project: 'ENG', summary: 'Rollout plan', description: doc(...longParagraphs('rollout')) }, alice.accountId);
    const bug = jira.createIssue({ project: 'ENG', summary: 'Crash on save', issuetype: 'Bug', labels: ['crash', 'editor'], description: paragraphDoc('Saving a draft crashes.') }, alice.accountId);
    const at1 = Date.now() - 120_000;
    const at2 = at1 + 60_000;
    jira.addComment(bug.id, bob.accountId, paragraphDoc('Reproduced on build 42.'), { created: at1 });
    jira.addComment(bug.id, alice.accountId, paragraphDoc('Fixed in the next release.'), { created: at2 });
    jira.createIssue({ project: 'OPS', summary: 'Not indexed' }, alice.accountId);
    const key = (id: string): string => jira!.keyOf(jira!.findIssue(id)!);
    const expected = new Map<string, Expect>([
      [epic.id, { key: key(epic.id), summary: 'Login revamp', type: 'Epic', status: 'To Do', assignee: 'Unassigned', description: ['Everything about signing in.'] }],
      [storyA.id, { key: key(storyA.id), summary: 'Password reset', type: 'Story', status: 'To Do', assignee: 'Unassigned', parent: `${key(epic.id)} Login revamp`, description: ['Reset by e-mail link.'] }],
      [storyB.id, { key: key(storyB.id), summary: 'Session timeout', type: 'Story', status: 'In Progress', assignee: 'Bob', parent: `${key(epic.id)} Login revamp`, description: ['Expire idle sessions.'] }],
      [long.id, { key: key(long.id), summary: 'Rollout plan', type: 'Task', status: 'To Do', assignee: 'Unassigned', description: longParagraphs('rollout') }],
      [bug.id, { key: key(bug.id), summary: 'Crash on save', type: 'Bug', status: 'To Do', assignee: 'Unassigned', labels: ['crash', 'editor'], description: ['Saving a draft crashes.'], comments: [['Bob', at1, 'Reproduced on build 42.'], ['Alice', at2, 'Fixed in the next release.']] }],
    ]);
    ws = await makeWorkspace('jira', {
      config: {
        sources: [{
          id: 'issues', kind: 'jira', siteUrl: jira.url, email: 'alice@acme.test', tokenEnv: 'E2E_JIRA_TOKEN', projects: ['ENG'],
          webhook: { secretEnv: 'E2E_JIRA_HOOK' }, schedule: 'rate(1 day)', lookbackSeconds: 0,
        }],
      },
    });
    const dir = ws.dir;
    const steps: { step: string; report: SyncSourceReport; calls: Record<string, number> }[] = [];
    const sync = async (step: string, extra: string[] = []): Promise<SyncSourceReport> => {
      jira!.clearRequests();
      const report = syncReport(await runOk(dir, ['sync', '--json', ...extra], { env }), 'issues');
      steps.push({ step, report, calls: jira!.countsByRoute() });
      return report;
    };
    // The title (`KEY: summary`, the document's first heading) is embedded with each chunk as its context.
    const hashesOf = (id: string): string[] => {
      const e = expected.get(id)!;
      return chunkDocument(expectedText(e), 'markdown', {}, { title: `${e.key}: ${e.summary}` }).map((c) => c.hash);
    };

    // Act 1 / Assess 1: the initial sync indexes exactly the five ENG issues' chunks.
    const initial = await sync('initial');
    expect(initial).toMatchObject({ status: 'synced', docsChanged: 5, docsDeleted: 0, tasksFailed: 0, docsSkipped: 0 });
    let docs = byDocument(await exportRows(dir, 'issues'));
    expect([...docs.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const id of expected.keys()) expect(docs.get(id)!.map((r) => r.hash), id).toEqual(hashesOf(id));
    expect(docs.get(long.id)!.length).toBeGreaterThanOrEqual(3);
    // /myself, the pass's search, the fetch's search; the listing after the first (full) pass comes from the pass.
    expect(steps.at(-1)!.calls).toEqual({ 'GET /rest/api/3/myself': 1, 'POST /rest/api/3/search/jql': 2 });

    // Act 2 / Assess 2: nothing changed: no embedding call, no write, no issue read.
    const unchanged = await sync('no change');
    expect(unchanged).toMatchObject({ docsChanged: 0, docsDeleted: 0, chunksEmbedded: 0, embeddingCalls: 0, vectorsUpserted: 0, vectorsDeleted: 0 });
    expect(steps.at(-1)!.calls).toEqual({ 'GET /rest/api/3/myself': 1, 'POST /rest/api/3/search/jql': 1 });

    // Act 3 / Assess 3: one paragraph of the long issue edited: its chunk alone is embedded.
    jira.editIssue(long.id, { description: doc(...longParagraphs('rollout', 7)) }, alice.accountId);
    expected.get(long.id)!.description = longParagraphs('rollout', 7);
    const edited = await sync('edit');
    expect(edited).toMatchObject({ docsChanged: 1, docsDeleted: 0 });
    expect(edited.chunksEmbedded).toBe(1);

    // Act 4 / Assess 4: the epic renamed: it and both stories are rewritten in one sync. The epic's
    // title is every one of its chunks' context, so all of them re-embed; each story only its header.
    const epicChunks = docs.get(epic.id)!.length;
    jira.editIssue(epic.id, { summary: 'Sign-in revamp' }, alice.accountId);
    expected.get(epic.id)!.summary = 'Sign-in revamp';
    for (const id of [storyA.id, storyB.id]) expected.get(id)!.parent = `${key(epic.id)} Sign-in revamp`;
    const renamed = await sync('epic renamed');
    expect(renamed).toMatchObject({ docsChanged: 3, docsDeleted: 0 });
    expect(renamed.chunksEmbedded).toBeLessThanOrEqual(epicChunks + 2);
    docs = byDocument(await exportRows(dir, 'issues'));
    for (const id of [epic.id, storyA.id, storyB.id, long.id]) expect(docs.get(id)!.map((r) => r.hash), id).toEqual(hashesOf(id));

    // Act 5 / Assess 5: a deletion by admin webhook while `start` runs: the issue leaves the index.
    const running = spawnCli(dir, ['start', '--port', '0'], { env, timeoutMs: TIMEOUT });
    const base = await waitFor('the status page URL', () => {
      if (running.child.exitCode !== null) throw new Error(`start exited early:\n${running.stdout()}\n${running.stderr()}`);
      return /Console \(status, runs, actions, search\): (https?:\/\/\S+?)\/?$/m.exec(running.stdout())?.[1];
    }, { timeoutMs: 60_000 });
    const documents = async (): Promise<number> => ((await (await fetch(`${base}/status`)).json()) as { sources: { documents: number; running: boolean }[] }).sources[0]!.documents;
    await waitFor('the start-up sync', async () => (await documents()) === 5 || undefined, { timeoutMs: 30_000, intervalMs: 200 });
    jira.registerWebhook({ url: `${base}/webhooks/issues`, events: ['jira:issue_deleted', 'comment_deleted', 'jira:issue_updated'], secret: env.E2E_JIRA_HOOK });
    jira.deleteIssue(bug.id, alice.accountId);
    await jira.webhooksSettled();
    await waitFor('the webhook deletion', async () => (await documents()) === 4 || undefined, { timeoutMs: 30_000, intervalMs: 200 });
    expect(jira.deliveries.every((d) => d.ok)).toBe(true);
    jira.clearWebhooks();
    running.child.kill('SIGTERM');
    await running.exited;

    // Act 6 / Assess 6: a story moved to OPS (out of scope) with no webhook: the reconcile of a full pass deletes it, embedding nothing.
    jira.moveIssue(storyB.id, 'OPS', alice.accountId);
    const reconciled = await sync('moved out of scope, full pass', ['--full']);
    expect(reconciled).toMatchObject({ docsDeleted: 1, chunksEmbedded: 0, embeddingCalls: 0 });
    docs = byDocument(await exportRows(dir, 'issues'));
    expect([...docs.keys()].sort()).toEqual([epic.id, storyA.id, long.id].sort());

    for (const s of steps) {
      console.log(`jira e2e ${s.step}: changed ${s.report.docsChanged}, deleted ${s.report.docsDeleted}, chunks embedded ${s.report.chunksEmbedded}, ` +
        `embedding calls ${s.report.embeddingCalls}, upserted ${s.report.vectorsUpserted}, requests ${JSON.stringify(s.calls)}`);
    }
  }, TIMEOUT);
});
