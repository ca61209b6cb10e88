/**
 * A Tempo source through the real CLI (`tributary sync`, `export`, `start` as child processes)
 * against the loopback Tempo and Jira emulators: the initial sync indexes exactly the worklogs'
 * chunks; a sync with no change embeds and writes nothing in four requests; an edit re-embeds only
 * its changed chunk and a renamed Jira issue refreshes its worklogs in the same pass; an issue moved
 * out of the scope leaves the index by reconcile; Tempo's subscription check is answered by
 * `tributary start`, and its signed worklog.created / worklog.deleted deliveries index and delete.
 * Every step's requests to Tempo and Jira are counted.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { chunkDocument } from '../../shared/core/chunker.ts';
import { startJira, type JiraEmulator } from '../emulators/jira.ts';
import { startTempo, type StoredWorklog, type TempoEmulator, type WorklogSeed } from '../emulators/tempo.ts';
import {
  byDocument, describeResult, duplicatePositions, exportRows, killStragglers, makeWorkspace, nonContiguous, runOk, spawnCli, syncReport, waitFor,
  type RunningCli, type SyncSourceReport, type Workspace,
} from './support/cli.ts';

const TIMEOUT = 120_000;
const ALICE = '712020:aaaaaaaa-0000-4000-8000-000000000001';
const BOB = '557058:bbbbbbbb-0000-4000-8000-000000000002';
const env = { E2E_TEMPO_TOKEN: 'tempo-e2e-token', E2E_JIRA_TOKEN: 'jira-e2e-token' };

let ws: Workspace | undefined;
let tempo: TempoEmulator | undefined;
let jira: JiraEmulator | undefined;
const running: RunningCli[] = [];

afterAll(async () => {
  for (const r of running) if (r.child.exitCode === null) r.child.kill('SIGTERM');
  await killStragglers();
  await tempo?.close();
  await jira?.close();
  await ws?.remove();
});

const paragraph = (topic: string, i: number): string =>
  `Paragraph ${i} about ${topic}: ${Array.from({ length: 70 }, (_, w) => `${topic}${i}w${w}`).join(' ')}.`;

interface Issue { id: number; key: string; summary: string }

/** The document text the connector must produce (docs/sources/tempo.md "What is indexed"), written out independently. */
function expectedText(w: StoredWorklog, issue: Issue): string {
  const h = (s: number): string => (Math.round(s / 36) / 100).toFixed(2);
  const lines = [`${issue.key} ${issue.summary}`, `Worklog by ${w.authorAccountId} on ${w.startDate} at ${w.startTime.slice(0, 5)}: ${h(w.timeSpentSeconds)} h, billable ${h(w.billableSeconds)} h`];
  if (w.attributes.length) lines.push(`Attributes: ${w.attributes.map((a) => `${a.key}: ${a.value}`).join('; ')}`);
  return w.description ? `${lines.join('\n')}\n\n${w.description}` : lines.join('\n');
}

describe('tempo source through `tributary sync` and `tributary start`', () => {
  it('indexes worklogs exactly, does only each change\'s work, follows issue renames and moves, and takes Tempo\'s webhooks', async () => {
    // Prepare: Jira projects OPS and WEB (indexed) and HR (not); three indexed issues and one outside; 12 + 2 worklogs.
    tempo = await startTempo({ tokens: [env.E2E_TEMPO_TOKEN] });
    jira = await startJira();
    jira.addUser({ email: 'reader@acme.test', displayName: 'Reader', apiToken: env.E2E_JIRA_TOKEN, timeZone: 'America/New_York' });
    const projects = Object.fromEntries(['OPS', 'WEB', 'HR'].map((key) => [key, jira!.addProject(key, `${key} team`).id]));
    const issues = new Map<number, Issue>();
    const issue = (project: string, summary: string): Issue => {
      const created = jira!.createIssue({ project, summary });
      tempo!.addIssue(Number(created.id), Number(projects[project]));
      const info = { id: Number(created.id), key: jira!.keyOf(created), summary };
      issues.set(info.id, info);
      return info;
    };
    const lights = issue('OPS', 'Keep the lights on');
    const pager = issue('OPS', 'Pager rotation');
    const landing = issue('WEB', 'Landing page');
    const hiring = issue('HR', 'Hiring');
    const seeds: WorklogSeed[] = [];
    const topics = ['backup', 'patching', 'alerts', 'oncall', 'handover', 'runbook', 'hero', 'pricing', 'signup', 'copy', 'images', 'forms'];
    topics.forEach((topic, i) => seeds.push({
      issueId: [lights, pager, landing][i % 3]!.id, authorAccountId: i % 2 ? BOB : ALICE, timeSpentSeconds: 900 * (i + 1), billableSeconds: i % 4 === 0 ? 0 : 900 * (i + 1),
      startDate: `2026-02-${String(10 + i).padStart(2, '0')}`, startTime: `0${i % 10}:15:00`,
      description: i === 0 ? Array.from({ length: 8 }, (_, p) => paragraph(topic, p)).join('\n\n') : `Worked on ${topic}.`,
      ...(i % 5 === 1 ? { attributes: [{ key: '_Account_', value: 'ACME' }] } : {}),
    }));
    const worklogs = seeds.map((s) => tempo!.addWorklog(s));
    tempo.addWorklog({ issueId: hiring.id, authorAccountId: ALICE, timeSpentSeconds: 600, startDate: '2026-02-11', description: 'Interview' });
    tempo.addWorklog({ issueId: hiring.id, authorAccountId: BOB, timeSpentSeconds: 600, startDate: '2026-02-12', description: 'Interview' });
    const long = worklogs[0]!;
    ws = await makeWorkspace('tempo', {
      config: {
        sources: [{
          id: 'worklogs', kind: 'tempo', apiUrl: tempo.url, tokenEnv: 'E2E_TEMPO_TOKEN', projects: [projects['OPS'], projects['WEB']],
          jira: { siteUrl: jira.url, email: 'reader@acme.test', tokenEnv: 'E2E_JIRA_TOKEN' }, webhook: { secretEnv: 'E2E_TEMPO_WEBHOOK_SECRETS' },
          schedule: 'rate(1 day)', lookbackSeconds: 5,
        }],
      },
    });
    const dir = ws.dir;
    const steps: Array<{ step: string; report: SyncSourceReport; tempo: string[]; jira: string[] }> = [];
    const sync = async (step: string, extra: string[] = []): Promise<SyncSourceReport> => {
      const [t, j] = [tempo!.requests().length, jira!.requests().length];
      const report = syncReport(await runOk(dir, ['sync', '--json', ...extra], { env }), 'worklogs');
      steps.push({ step, report, tempo: tempo!.requests().slice(t).map((r) => `${r.method} ${r.route}`), jira: jira!.requests().slice(j).map((r) => r.route) });
      return report;
    };
    // The title (`KEY summary`) is embedded with each chunk as its context.
    const expectedChunks = (w: StoredWorklog) => {
      const i = issues.get(w.issueId)!;
      return chunkDocument(expectedText(w, i), 'text', {}, { title: `${i.key} ${i.summary}` }).map((c) => c.hash);
    };

    // Act 1: the initial sync.
    const initial = await sync('initial');
    const rows = await exportRows(dir, 'worklogs');

    // Assess 1: exactly the 12 in-scope worklogs' chunks; the long one in several.
    expect(initial).toMatchObject({ status: 'synced', docsChanged: 12, docsDeleted: 0, tasksFailed: 0, docsSkipped: 0 });
    expect(duplicatePositions(rows)).toEqual([]);
    expect(nonContiguous(rows)).toEqual([]);
    const docs = byDocument(rows);
    expect([...docs.keys()].sort()).toEqual(worklogs.map((w) => `worklog:${w.tempoWorklogId}`).sort());
    for (const w of worklogs) expect(docs.get(`worklog:${w.tempoWorklogId}`)!.map((r) => r.hash), String(w.tempoWorklogId)).toEqual(expectedChunks(w));
    expect(docs.get(`worklog:${long.tempoWorklogId}`)!.length).toBeGreaterThanOrEqual(3);
    expect(docs.get(`worklog:${worklogs[1]!.tempoWorklogId}`)![0]!.text).toBe(expectedText(worklogs[1]!, pager));
    expect(initial.chunksEmbedded).toBe(rows.length);

    // Act 2: nothing changed.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const unchanged = await sync('no change');

    // Assess 2: no embedding call and no write.
    expect(unchanged).toMatchObject({ docsChanged: 0, docsDeleted: 0, chunksEmbedded: 0, embeddingCalls: 0, vectorsUpserted: 0, vectorsDeleted: 0 });

    // Act 3: the long worklog's last paragraph edited; the pager issue renamed in Jira (its worklogs untouched in Tempo).
    const paragraphs = long.description.split('\n\n');
    tempo.editWorklog(long.tempoWorklogId, { description: [...paragraphs.slice(0, -1), 'Finally we verified the restore drill end to end.'].join('\n\n') });
    jira.editIssue(String(pager.id), { summary: 'Pager rotation and escalation' });
    pager.summary = 'Pager rotation and escalation';
    const pagerLogs = worklogs.filter((w) => w.issueId === pager.id);
    const edited = await sync('edit + issue rename');

    // Assess 3: one chunk of the long worklog, and the renamed issue's worklogs (one chunk each), re-embedded
    // (their indexed chunks are checked in the final export).
    expect(edited).toMatchObject({ docsChanged: 1 + pagerLogs.length, docsDeleted: 0, chunksEmbedded: 1 + pagerLogs.length });

    // Act 4: the landing page issue moves to HR (out of the scope): no feed reports it; the full pass's reconcile does.
    jira.moveIssue(String(landing.id), 'HR');
    tempo.moveIssue(landing.id, Number(projects['HR']));
    const landingLogs = worklogs.filter((w) => w.issueId === landing.id).map((w) => `worklog:${w.tempoWorklogId}`);
    const reconciled = await sync('move out, --full', ['--full']);

    // Assess 4
    expect(reconciled).toMatchObject({ docsChanged: 0, docsDeleted: landingLogs.length, chunksEmbedded: 0 });

    // Act 5: `tributary start` answers Tempo's subscription check (no secret needed for it); Tempo hands out the shared secrets.
    const start = async (extraEnv: Record<string, string>): Promise<{ base: string; cli: RunningCli }> => {
      const cli = spawnCli(dir, ['start', '--port', '0'], { env: { ...env, ...extraEnv }, timeoutMs: TIMEOUT });
      running.push(cli);
      const base = await waitFor('the status page URL', () => {
        if (cli.child.exitCode !== null) throw new Error(`start exited early:\n${cli.stdout()}\n${cli.stderr()}`);
        return /Console \(status, runs, actions, search\): (https?:\/\/\S+?)\/?$/m.exec(cli.stdout())?.[1];
      }, { timeoutMs: 60_000 });
      return { base, cli };
    };
    const first = await start({});
    const hook = `${first.base}/webhooks/worklogs`;
    const subscribe = async (event: string) => (await (await fetch(`${tempo!.url}/4/webhooks/subscriptions`, {
      method: 'POST', headers: { authorization: `Bearer ${env.E2E_TEMPO_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ url: hook, event }),
    })).json()) as { active: boolean; sharedSecret: string };
    const created = await subscribe('worklog.created');
    const removed = await subscribe('worklog.deleted');
    first.cli.child.kill('SIGTERM');
    expect((await first.cli.exited).code, describeResult(await first.cli.exited)).toBe(0);

    // Assess 5: both subscriptions verified, active.
    expect([created.active, removed.active]).toEqual([true, true]);

    // Act 6: restarted with both secrets (on its old port: the subscriptions name it); a worklog is created and one deleted in Tempo.
    const port = new URL(first.base).port;
    const second = spawnCli(dir, ['start', '--port', port], { env: { ...env, E2E_TEMPO_WEBHOOK_SECRETS: `${created.sharedSecret}\n${removed.sharedSecret}` }, timeoutMs: TIMEOUT });
    running.push(second);
    await waitFor('start on the same port', () => (/Console \(status, runs, actions, search\)/.test(second.stdout()) ? true : undefined), { timeoutMs: 60_000 });
    const status = async () => (await (await fetch(`${first.base}/status`)).json()) as { sources: Array<{ documents: number; running: boolean; lastRun: { trigger: string; status: string } | null }> };
    const remaining = 12 - landingLogs.length;
    await waitFor('the start-up sync', async () => ((await status()).sources[0]!.documents === remaining ? true : undefined), { timeoutMs: 30_000, intervalMs: 200 });
    const fresh = tempo.addWorklog({ issueId: lights.id, authorAccountId: BOB, timeSpentSeconds: 1800, startDate: '2026-03-01', startTime: '14:00:00', description: 'Rotated the TLS certificates.' });
    const doomed = worklogs[1]!;
    tempo.deleteWorklog(doomed.tempoWorklogId);
    await tempo.flushWebhooks();

    // Assess 6: both deliveries accepted; the index follows without a scheduled run.
    expect(tempo.deliveries.map((d) => [d.envelope.eventType, d.status])).toEqual([['worklog.created', 200], ['worklog.deleted', 200]]);
    const after = await waitFor('the webhook runs', async () => {
      const s = (await status()).sources[0]!;
      return !s.running && s.documents === remaining && s.lastRun?.trigger === 'webhook' ? s : undefined;
    }, { timeoutMs: 30_000, intervalMs: 200 });
    expect(after.lastRun?.status).toBe('succeeded');
    second.child.kill('SIGTERM');
    expect((await second.exited).code, describeResult(await second.exited)).toBe(0);
    const final = byDocument(await exportRows(dir, 'worklogs'));
    expect(final.has(`worklog:${doomed.tempoWorklogId}`)).toBe(false);
    expect(final.get(`worklog:${fresh.tempoWorklogId}`)!.map((r) => r.hash)).toEqual(expectedChunks(fresh));
    for (const id of landingLogs) expect(final.has(id)).toBe(false);
    expect(final.get(`worklog:${long.tempoWorklogId}`)!.map((r) => r.hash)).toEqual(expectedChunks(tempo.get(long.tempoWorklogId)!));
    for (const w of pagerLogs.filter((x) => x !== doomed)) expect(final.get(`worklog:${w.tempoWorklogId}`)!.map((r) => r.hash)).toEqual(expectedChunks(w));

    // The measurements, for docs/sources/tempo.md.
    console.log(steps.map((s) => [
      s.step.padEnd(20), `tempo ${s.tempo.length} (${s.tempo.join(', ')})`, `jira ${s.jira.length} (${s.jira.join(', ')})`, `changed ${s.report.docsChanged}`,
      `deleted ${s.report.docsDeleted}`, `chunks embedded ${s.report.chunksEmbedded}`, `embedding calls ${s.report.embeddingCalls}`, `upserted ${s.report.vectorsUpserted}`,
    ].join(' | ')).join('\n'));
    // Requests per step (Tempo, then Jira).
    const counts = new Map(steps.map((s) => [s.step, [s.tempo.length, s.jira.length]]));
    expect(counts.get('initial')).toEqual([1, 1]);
    expect(counts.get('edit + issue rename')).toEqual([3, 3]);
    expect(counts.get('move out, --full')).toEqual([1, 1]);
    // No change: the worklog search and the audit feed; the Jira user's zone and the JQL search. JQL dates
    // have minute precision, so when the sync starts in the minute after the seed, the issues updated in that
    // minute come back too: one more Tempo request lists their worklogs and one bulkfetch names their issues
    // (versions unchanged: nothing is embedded or written, as asserted above). Which happens depends on the clock.
    const [tempoCalls, jiraCalls] = counts.get('no change')!;
    expect(tempoCalls).toBeGreaterThanOrEqual(2);
    expect(tempoCalls).toBeLessThanOrEqual(3);
    expect(jiraCalls).toBeGreaterThanOrEqual(2);
    expect(jiraCalls).toBeLessThanOrEqual(3);
  }, TIMEOUT);
});
