/**
 * The Tempo connector against the Tempo and Jira emulators, directly (no CLI): 12,000 worklogs in
 * pages of 5,000 with no cap, deletions during a pass that cannot make a page skip a worklog, an
 * incremental pass (edits, a renamed issue refreshing its worklogs, the audit feed's deletions)
 * and its request count when nothing changed, issues Jira will not show, scope, 429s, auth.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../shared/core/deps.ts';
import { tempoSource } from '../../shared/connectors/tempo/config.ts';
import { TempoConnector } from '../../shared/connectors/tempo/tempo-connector.ts';
import { ProviderAuthError } from '../../shared/connectors/kit/index.ts';
import type { Cursor, DocumentRef, PullWindow } from '../../shared/ports/index.ts';
import { collect } from './source-connector.contract.ts';
import { AUTHOR, JIRA_EMAIL, startTempoSite, type TempoSite } from './harnesses/tempo.ts';

let site: TempoSite | undefined;
afterEach(async () => {
  await site?.close();
  site = undefined;
});

function connector(s: TempoSite, extra: Record<string, unknown> = {}, sleeps: number[] = []): TempoConnector {
  const source = tempoSource.parse(s.config({ projects: [s.projectId('OPS'), s.projectId('WEB')], ...extra }));
  return new TempoConnector({
    source, secret: s.secret, clock: { now: () => Date.now() }, log: silentLogger,
    sleep: async (ms) => { sleeps.push(ms); }, random: () => 0,
  });
}

async function pass(c: TempoConnector, window: PullWindow): Promise<{ changed: DocumentRef[]; deleted: string[]; skipped: string[]; pages: number; final: Cursor }> {
  const changed: DocumentRef[] = [];
  const deleted: string[] = [];
  const skipped: string[] = [];
  let cursor: Cursor | undefined;
  for (let pages = 1; ; pages++) {
    const page = await c.pull(cursor, window);
    changed.push(...page.changed);
    deleted.push(...page.deleted);
    skipped.push(...(page.skipped ?? []).map((s) => `${s.id}: ${s.reason}`));
    // As the core persists it: JSON.
    cursor = JSON.parse(JSON.stringify(page.next)) as Cursor;
    if (page.done) return { changed, deleted, skipped, pages, final: cursor };
  }
}

const full = (): PullWindow => ({ snapshotAt: new Date().toISOString(), full: true });
const seed = (issueId: number, i: number) => ({ issueId, authorAccountId: AUTHOR, timeSpentSeconds: 900 + i, startDate: '2026-02-01', description: `task ${i}` });

async function world(): Promise<{ s: TempoSite; ops: number; web: number; other: number }> {
  const s = await startTempoSite(['OPS', 'WEB', 'HR']);
  site = s;
  return { s, ops: s.issue('OPS', 'Keep the lights on'), web: s.issue('WEB', 'Landing page'), other: s.issue('HR', 'Hiring') };
}

describe('tempo connector', () => {
  it('reads 12,000 worklogs in pages of 5,000, each once, with one issue lookup per hundred issues', async () => {
    // Prepare: 12,000 worklogs on two in-scope issues and 500 on an issue outside the scope.
    const { s, ops, web, other } = await world();
    s.tempo.seedWorklogs(12_000, (i) => seed(i % 2 === 0 ? ops : web, i));
    s.tempo.seedWorklogs(500, (i) => seed(other, i));
    const c = connector(s);

    // Act
    const result = await pass(c, full());

    // Assess
    expect(result.changed).toHaveLength(12_000);
    expect(new Set(result.changed.map((r) => r.id)).size).toBe(12_000);
    expect(result.changed.every((r) => r.document?.version === r.version)).toBe(true);
    expect(s.tempo.count('POST /4/worklogs/search')).toBe(3);
    expect(s.jira.count('POST /rest/api/3/issue/bulkfetch')).toBe(1);
    expect(result.final).toMatchObject({ kind: 'done', reconcile: true });
    // The reconcile right after the full pass answers from what it read.
    const listed = await collect(c.list({ snapshotAt: (result.final as { reconciledAt: string }).reconciledAt }));
    expect(listed).toHaveLength(12_000);
    expect(s.tempo.count('POST /4/worklogs/search')).toBe(3);
  });

  it('loses no worklog when worklogs before the offset are deleted between pages', async () => {
    // Prepare: 40 worklogs, pages of 10.
    const { s, ops } = await world();
    const ids = s.tempo.seedWorklogs(40, (i) => seed(ops, i)).map((w) => w.tempoWorklogId);
    const c = connector(s, { pageSize: 10 });
    const window = full();

    // Act: after each page, delete three worklogs already handed out.
    const seen: string[] = [];
    let cursor: Cursor | undefined;
    let deletedSoFar = 0;
    for (;;) {
      const page = await c.pull(cursor, window);
      seen.push(...page.changed.map((r) => r.id));
      for (const id of ids.slice(deletedSoFar, deletedSoFar + 3)) if (s.tempo.get(id)) s.tempo.deleteWorklog(id);
      deletedSoFar += 3;
      cursor = page.next;
      if (page.done) break;
    }

    // Assess
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.sort()).toEqual(ids.map((id) => `worklog:${id}`).sort());
  });

  it('reads only changes incrementally: edits, a renamed issue\'s worklogs, deletions from the audit feed; a quiet pass costs four requests', async () => {
    // Prepare: a full pass, then changes.
    const { s, ops, web } = await world();
    const [a, b] = s.tempo.seedWorklogs(5, (i) => seed(ops, i));
    const onWeb = s.tempo.seedWorklogs(3, (i) => seed(web, i));
    const c = connector(s, { reconcileIntervalHours: 24 });
    const first = await pass(c, full());
    const versions = new Map(first.changed.map((r) => [r.id, r.version]));
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const since = new Date().toISOString();
    s.tempo.editWorklog(a!.tempoWorklogId, { description: 'task 0, done' });
    s.tempo.deleteWorklog(b!.tempoWorklogId);
    s.jira.editIssue(String(web), { summary: 'Landing page, relaunched' });
    s.tempo.clearRequests();
    s.jira.clearRequests();

    // Act
    const secondWindow = { since, snapshotAt: new Date().toISOString(), full: false, resume: first.final };
    const second = await pass(c, secondWindow);

    // Assess: the edit and the renamed issue's three worklogs (new versions), the deletion; no reconcile due.
    // (JQL dates have minute precision: issues updated in the minute before `since` come too, at unchanged versions the core skips.)
    const changed = [...new Set(second.changed.filter((r) => r.version !== versions.get(r.id)).map((r) => r.id))].sort();
    expect(changed).toEqual([a!.tempoWorklogId, ...onWeb.map((w) => w.tempoWorklogId)].map((id) => `worklog:${id}`).sort());
    expect(second.changed.map((r) => r.id)).not.toContain(`worklog:${b!.tempoWorklogId}`);
    expect(second.changed.find((r) => r.id === `worklog:${onWeb[0]!.tempoWorklogId}`)?.document?.text).toContain('Landing page, relaunched');
    expect(second.deleted).toEqual([`worklog:${b!.tempoWorklogId}`]);
    expect(c.reconcileAfterPass({ snapshotAt: secondWindow.snapshotAt })).toBe(false);
    expect(second.final).toMatchObject({ kind: 'done', reconcile: false, reconciledAt: (first.final as { reconciledAt: string }).reconciledAt });

    // Act: nothing changed since.
    const quietSince = new Date(Date.now() + 61_000).toISOString();
    s.tempo.clearRequests();
    s.jira.clearRequests();
    const quietWindow = { since: quietSince, snapshotAt: new Date(Date.now() + 62_000).toISOString(), full: false, resume: second.final };
    const quiet = await pass(c, quietWindow);

    // Assess: one worklog search, one JQL search, one audit search (the user's zone is known already); no reconcile.
    expect(quiet.changed).toEqual([]);
    expect(quiet.deleted).toEqual([]);
    expect(s.tempo.requests().map((r) => `${r.method} ${r.route}`)).toEqual(['POST /4/worklogs/search', 'POST /4/papertrail/search']);
    // (the first incremental pass asked Jira for the user's zone once: GET /myself)
    expect(s.jira.countsByRoute()).toEqual({ 'POST /rest/api/3/search/jql': 1 });
    expect(c.reconcileAfterPass({ snapshotAt: quietWindow.snapshotAt })).toBe(false);
  });

  it('skips the worklogs of an issue Jira will not show, and treats out-of-scope worklogs as absent', async () => {
    // Prepare: the Jira user may browse OPS and HR (outside the scope), not WEB.
    const { s, ops, web, other } = await world();
    s.jira.setBrowse([...s.jira.users.values()].find((u) => u.email === JIRA_EMAIL)!.accountId, ['OPS', 'HR']);
    const [visible] = s.tempo.seedWorklogs(1, (i) => seed(ops, i));
    const [hidden] = s.tempo.seedWorklogs(1, (i) => seed(web, i));
    const [outside] = s.tempo.seedWorklogs(1, (i) => seed(other, i));
    const c = connector(s);

    // Act
    const result = await pass(c, full());
    const fetched = await c.fetch([`worklog:${visible!.tempoWorklogId}`, `worklog:${hidden!.tempoWorklogId}`, `worklog:${outside!.tempoWorklogId}`, 'worklog:999']);

    // Assess
    expect(result.changed.map((r) => r.id)).toEqual([`worklog:${visible!.tempoWorklogId}`]);
    expect(result.skipped).toEqual([expect.stringMatching(new RegExp(`^worklog:${hidden!.tempoWorklogId}: Jira does not return issue ${web}.*grant Browse projects`))]);
    expect(fetched.documents.map((d) => d.id)).toEqual([`worklog:${visible!.tempoWorklogId}`]);
    expect(fetched.skipped?.map((x) => x.id)).toEqual([`worklog:${hidden!.tempoWorklogId}`]);
    expect(fetched.documents[0]!.access).toEqual(['group:jira-project:OPS']);
  });

  it('waits at least a second on a bare 429, and fails a rejected token with the fix', async () => {
    // Prepare
    const { s, ops } = await world();
    s.tempo.seedWorklogs(2, (i) => seed(ops, i));
    s.tempo.failNext('POST /4/worklogs/search', 1, 429);
    const sleeps: number[] = [];

    // Act
    const result = await pass(connector(s, {}, sleeps), full());
    s.tempo.revokeToken('tempo-contract-token');
    const refused = await connector(s).pull(undefined, full()).catch((error: unknown) => error);

    // Assess
    expect(result.changed).toHaveLength(2);
    expect(Math.max(...sleeps)).toBeGreaterThanOrEqual(1000);
    expect(refused).toBeInstanceOf(ProviderAuthError);
    expect((refused as ProviderAuthError).retryable).toBe(false);
    expect((refused as Error).message).toMatch(/TEMPO_TOKEN holds a valid Tempo API token/);
  });
});
