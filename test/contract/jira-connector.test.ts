/**
 * The Jira connector against the loopback Jira emulator, beyond the registry's contract: minute
 * literals in the API user's zone, 10,000 changed issues with no page cap, a token that
 * expired on resume, an issue edited mid-pass, parent renames refreshing children, comments
 * of every page, scope, 429s and auth errors.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sourceSchema } from '../../shared/config/schema.ts';
import { jiraConnector } from '../../shared/connectors/jira/definition.ts';
import type { JiraSourceConfig } from '../../shared/connectors/jira/config.ts';
import type { JiraConnector } from '../../shared/connectors/jira/jira-connector.ts';
import { silentLogger } from '../../shared/core/deps.ts';
import type { Cursor, PullWindow } from '../../shared/ports/index.ts';
import { paragraphDoc, startJira, type JiraEmulator } from '../emulators/jira.ts';
import { InMemoryCredentialStore } from '../support/memory-credential-store.ts';
import { InMemoryStateStore } from '../support/memory-state-store.ts';
import { pullPass } from './source-connector.contract.ts';

const TOKEN = 'jira-test-token';
const MIN = 60_000;
let jira: JiraEmulator | undefined;
afterEach(async () => { await jira?.close(); jira = undefined; });

async function site(options: { zone?: string; now?: () => number } = {}) {
  jira = await startJira({ ...(options.now ? { now: options.now } : {}), rateLimits: { perWindow: undefined } });
  const alice = jira.addUser({ email: 'alice@acme.test', displayName: 'Alice', apiToken: TOKEN, timeZone: options.zone ?? 'America/New_York' });
  jira.addProject('ENG', 'Engineering');
  jira.addProject('OPS', 'Operations');
  return { jira, alice };
}

function connector(emulator: JiraEmulator, extra: Record<string, unknown> = {}, state = new InMemoryStateStore()): JiraConnector {
  const source = sourceSchema.parse({ id: 'issues', kind: 'jira', siteUrl: emulator.url, email: 'alice@acme.test', projects: ['ENG'], lookbackSeconds: 0, ...extra }) as JiraSourceConfig;
  return jiraConnector.create(source, {
    secret: (name) => (name === 'JIRA_API_TOKEN' ? TOKEN : undefined), credentials: new InMemoryCredentialStore({}), state,
    clock: { now: () => Date.now() }, log: silentLogger,
  }) as JiraConnector;
}

const incremental = (sinceMs: number, nowMs = Date.now()): PullWindow => ({ since: new Date(sinceMs).toISOString(), snapshotAt: new Date(nowMs).toISOString(), full: false });
const full = (): PullWindow => ({ snapshotAt: new Date().toISOString(), full: true });
const jqlOf = (r: { body: unknown }): string => (r.body as { jql: string }).jql;

describe('jira connector', () => {
  it('writes the window as a minute literal in the API user\'s zone, one minute further back, re-reading the zone each pass', async () => {
    const { jira: j, alice } = await site({ zone: 'Asia/Kolkata' });
    const c = connector(j);
    const since = Date.parse('2026-03-01T10:00:30.000Z');
    await pullPass(c, incremental(since));
    const first = j.requests().filter((r) => r.route === 'POST /rest/api/3/search/jql').map(jqlOf);
    // 10:00:30Z − 60 s = 09:59:30Z = 15:29 in Kolkata (+05:30), rounded down to the minute.
    expect(first).toEqual(['(project in ("ENG")) AND updated >= "2026/03/01 15:29" ORDER BY id ASC']);
    j.setTimeZone(alice.accountId, 'America/Los_Angeles');
    j.clearRequests();
    await pullPass(c, incremental(since));
    expect(j.requests().map((r) => r.route)).toEqual(['GET /rest/api/3/myself', 'POST /rest/api/3/search/jql']);
    expect(jqlOf(j.requests()[1]!)).toContain('updated >= "2026/03/01 01:59"');
  });

  it('syncs 10,000 changed issues with no page cap: one search per 100, every issue once', async () => {
    const { jira: j } = await site();
    const t0 = Date.now() - 10 * MIN;
    for (let i = 0; i < 10_000; i++) j.createIssue({ project: 'ENG', summary: `Issue ${i}`, created: t0 + i });
    j.clearRequests();
    // A first pass: every issue is a change. (The emulator's search costs O(issues) a page, so the
    // listing, which pages the same way, is checked on the contract's smaller site.)
    const pass = await pullPass(connector(j), full());
    expect(new Set(pass.refs.map((r) => r.id)).size).toBe(10_000);
    expect(pass.pages).toBe(100);
    expect(j.countsByRoute()).toEqual({ 'GET /rest/api/3/myself': 1, 'POST /rest/api/3/search/jql': 100 });
  }, 60_000);

  it('an issue edited mid-pass shifts nothing: every issue is handed out', async () => {
    const { jira: j } = await site();
    const t0 = Date.now() - 10 * MIN;
    const ids = Array.from({ length: 9 }, (_, i) => j.createIssue({ project: 'ENG', summary: `Issue ${i}`, created: t0 + i * 1000 }).id);
    const c = connector(j, { pageSize: 3 });
    const window = incremental(t0 - MIN);
    const first = await c.pull(undefined, window);
    j.editIssue(ids[0]!, { summary: 'Issue 0, edited' });
    const rest = await pullPass(c, window, first.next);
    expect([...first.changed, ...rest.refs].map((r) => r.id).sort()).toEqual([...ids].sort());
  });

  it('a token that expired before resuming restarts the search after the last id handed out', async () => {
    let now = Date.parse('2026-03-01T12:00:00.000Z');
    const { jira: j } = await site({ now: () => now });
    const ids = Array.from({ length: 7 }, (_, i) => j.createIssue({ project: 'ENG', summary: `Issue ${i}`, created: now - 3_600_000 + i }).id);
    const window = incremental(now - 2 * 3_600_000, now);
    const first = await connector(j, { pageSize: 3 }).pull(undefined, window);
    const saved = JSON.parse(JSON.stringify(first.next)) as Cursor;
    now += 8 * 86_400_000;   // tokens live 7 days
    const rest = await pullPass(connector(j, { pageSize: 3 }), window, saved);
    expect([...first.changed, ...rest.refs].map((r) => r.id)).toEqual(ids);
    expect(j.count('POST /rest/api/3/search/jql', 400)).toBe(1);
    expect(jqlOf(j.requests().filter((r) => r.status === 200).at(-2)!)).toContain(`id > ${ids[2]}`);
  });

  it('a renamed epic hands out its children in the same pass with new versions', async () => {
    const { jira: j } = await site();
    const state = new InMemoryStateStore();
    const epic = j.createIssue({ project: 'ENG', summary: 'Login revamp', issuetype: 'Epic' });
    const children = [j.createIssue({ project: 'ENG', summary: 'Child A', parent: epic.id }), j.createIssue({ project: 'ENG', summary: 'Child B', parent: epic.id })];
    const c = connector(j, {}, state);
    const before = await pullPass(c, full());
    const { documents } = await c.fetch(before.refs.map((r) => r.id));
    for (const d of documents) {
      await state.commitDocument({ sourceId: 'issues', docId: d.id, rev: '1', version: d.version, contentHash: 'h', chunkHashes: [], chunker: 'c', title: d.title!, decor: 'd', updatedAt: d.updatedAt! });
    }
    const since = Date.now();
    await new Promise((r) => setTimeout(r, 5));
    j.editIssue(epic.id, { summary: 'Sign-in revamp' });
    const after = await pullPass(c, incremental(since));
    const versions = new Map(before.refs.map((r) => [r.id, r.version]));
    expect(after.refs.map((r) => r.id).sort()).toEqual([epic.id, ...children.map((x) => x.id)].sort());
    for (const child of children) expect(after.refs.find((r) => r.id === child.id)!.version).not.toBe(versions.get(child.id));
    const fetched = await c.fetch(children.map((x) => x.id));
    expect(fetched.documents[0]!.text).toContain(`- Parent: ${j.keyOf(epic)} Sign-in revamp`);
    expect(fetched.documents[0]!.metadata).toMatchObject({ parentKey: j.keyOf(epic), parentSummary: 'Sign-in revamp' });
  });

  it('fetch reads every comment page, keeps to the scope, and sets access from project and security level', async () => {
    const { jira: j, alice } = await site();
    const level = j.addSecurityLevel('Staff');
    const issue = j.createIssue({ project: 'ENG', summary: 'Long thread', labels: ['auth'], assignee: alice.accountId });
    for (let i = 0; i < 130; i++) j.addComment(issue.id, alice.accountId, paragraphDoc(`Comment number ${i}`), { created: Date.now() - 200_000 + i * 1000 });
    const secret = j.createIssue({ project: 'ENG', summary: 'Secret', securityLevel: level.id });
    j.setSecurityLevels(alice.accountId, [level.id]);
    const other = j.createIssue({ project: 'OPS', summary: 'Not in scope' });
    // The emulator embeds every comment; Jira Cloud embeds a page and says how many there are.
    const c = connector(j);
    const { documents } = await c.fetch([issue.id, secret.id, other.id, 'not-an-id']);
    expect(documents.map((d) => d.id)).toEqual([issue.id, secret.id]);
    const text = documents[0]!.text;
    expect(text.match(/^### Alice, /gm)!.length).toBe(130);
    expect(text.indexOf('Comment number 0')).toBeLessThan(text.indexOf('Comment number 129'));
    expect(documents[0]!.access).toEqual(['group:jira-project:ENG']);
    expect(documents[0]!.metadata).toMatchObject({ key: j.keyOf(issue), project: 'ENG', labels: ['auth'], assignee: 'Alice', url: `${j.url}/browse/${j.keyOf(issue)}` });
    expect(documents[1]!.access).toEqual([`group:jira-security-level:${level.id}`]);
  });

  it('retries 429s as Retry-After says, and fails on bad credentials naming the fix', async () => {
    const { jira: j } = await site();
    j.createIssue({ project: 'ENG', summary: 'One' });
    j.failNext('POST /rest/api/3/search/jql', 2, 429, 0);
    const pass = await pullPass(connector(j), full());
    expect(pass.refs).toHaveLength(1);
    expect(j.count('POST /rest/api/3/search/jql', 429)).toBe(2);
    const bad = jiraConnector.create(sourceSchema.parse({ id: 'issues', kind: 'jira', siteUrl: j.url, email: 'alice@acme.test', projects: ['ENG'] }) as JiraSourceConfig, {
      secret: () => 'wrong', credentials: new InMemoryCredentialStore({}), state: new InMemoryStateStore(), clock: { now: () => Date.now() }, log: silentLogger,
    });
    await expect(bad.pull(undefined, full())).rejects.toMatchObject({ retryable: false, message: expect.stringContaining('check that JIRA_API_TOKEN holds an API token of alice@acme.test') });
    const unset = jiraConnector.create(sourceSchema.parse({ id: 'issues', kind: 'jira', siteUrl: j.url, email: 'alice@acme.test', projects: ['ENG'] }) as JiraSourceConfig, {
      secret: () => undefined, credentials: new InMemoryCredentialStore({}), state: new InMemoryStateStore(), clock: { now: () => Date.now() }, log: silentLogger,
    });
    await expect(unset.pull(undefined, full())).rejects.toThrow(/JIRA_API_TOKEN is not set/);
  });

  it('reconciles after a full pass from what it read, and incrementally only every reconcileIntervalMinutes', async () => {
    const { jira: j } = await site();
    j.createIssue({ project: 'ENG', summary: 'One' });
    const c = connector(j, { reconcileIntervalMinutes: 60 });
    const w1 = full();
    const p1 = await pullPass(c, w1);
    expect(c.reconcileAfterPass(w1)).toBe(true);
    j.clearRequests();
    expect((await collectList(c, w1)).length).toBe(1);
    expect(j.requests()).toHaveLength(0);
    const w2 = { ...incremental(Date.now() - MIN), resume: p1.cursor! };
    const p2 = await pullPass(c, w2);
    expect(c.reconcileAfterPass(w2)).toBe(false);
    const later = new Date(Date.now() + 61 * MIN).toISOString();
    const w3 = { since: later, snapshotAt: later, full: false, resume: p2.cursor! };
    await pullPass(c, w3);
    expect(c.reconcileAfterPass(w3)).toBe(true);
  });
});

async function collectList(c: JiraConnector, pass?: { snapshotAt: string }): Promise<{ id: string; version: string }[]> {
  const out: { id: string; version: string }[] = [];
  for await (const item of c.list(pass)) out.push(item);
  return out;
}
