/**
 * The Jira emulator against Atlassian's documented payloads (./jira/samples.ts), driven through
 * the official jira.js Version3Client so the SDK parses every answer: auth, myself/serverInfo,
 * search/jql paging and JQL in the user's zone, moves, permissions and security levels,
 * comments, worklogs and their feeds, bulkfetch, projects, 410/404/400 bodies, 429s and faults,
 * and webhook deliveries whose signatures are checked with node:crypto.
 */
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpException, Version3Client } from 'jira.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DOCS_410, DOCS_COMMENTS, DOCS_ISSUE_UPDATED_WEBHOOK, DOCS_MYSELF, DOCS_PROJECT_SEARCH, DOCS_SERVER_INFO, DOCS_WORKLOG_UPDATED,
  DOCS_WORKLOGS, kindOf, SIGNATURE_VECTOR,
} from './jira/samples.ts';
import { everyNodeDoc, kindsIn, paragraphDoc, signJiraBody, startJira, type JiraEmulator, type JiraUser } from './jira.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const T0 = Date.parse('2026-12-03T10:15:30.123Z');
let jira: JiraEmulator;
let nowMs: number;
let ny: JiraUser;
let kolkata: JiraUser;
let outsider: JiraUser;

const client = (user: JiraUser): Version3Client => new Version3Client({ host: jira.url, authentication: { basic: { email: user.email, apiToken: user.apiToken } } });
const raw = async (path: string, init: RequestInit & { user?: JiraUser | null } = {}): Promise<{ status: number; body: Json; headers: Headers }> => {
  const user = init.user === undefined ? ny : init.user;
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(user ? { authorization: `Basic ${Buffer.from(`${user.email}:${user.apiToken}`).toString('base64')}` } : {}) };
  const response = await fetch(`${jira.url}${path}`, { ...init, headers });
  return { status: response.status, body: (await response.json()) as Json, headers: response.headers };
};
const keysOf = (o: Json): string[] => Object.keys(o).sort();
const sdkError = async (p: Promise<unknown>): Promise<HttpException> => {
  const error = await p.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(HttpException);
  return error as HttpException;
};

beforeEach(async () => {
  nowMs = T0;
  jira = await startJira({ now: () => nowMs, webhookRetryDelayMs: 1 });
  ny = jira.addUser({ email: 'ny@acme.test', displayName: 'New York', timeZone: 'America/New_York', apiToken: 'tok-ny' });
  kolkata = jira.addUser({ email: 'in@acme.test', displayName: 'Kolkata 🧘 コルカタ', timeZone: 'Asia/Kolkata', apiToken: 'tok-in', bearerToken: 'oauth-in' });
  outsider = jira.addUser({ email: 'out@partner.test', displayName: 'Outsider', browse: ['ENG'], apiToken: 'tok-out' });
  jira.addProject('ENG', 'Engineering');
  jira.addProject('OPS', 'Operations 运维');
});

afterEach(async () => {
  await jira.close();
});

describe('auth, myself, serverInfo, removed search', () => {
  it('answers missing or wrong credentials with 401 before anything else; accepts Basic and Bearer', async () => {
    expect((await raw('/rest/api/3/myself', { user: null })).status).toBe(401);
    const bad = await raw('/rest/api/3/myself', { user: { ...ny, apiToken: 'nope' } });
    expect(bad.status).toBe(401);
    expect(keysOf(bad.body)).toEqual(['errorMessages', 'errors']);
    const bearer = await fetch(`${jira.url}/rest/api/3/myself`, { headers: { authorization: 'Bearer oauth-in' } });
    expect(((await bearer.json()) as Json)['timeZone']).toBe('Asia/Kolkata');
    expect(jira.count('GET /rest/api/3/myself', 401)).toBe(2);
  });

  it('serves myself and serverInfo with the documented field sets, through jira.js', async () => {
    const me = await client(kolkata).myself.getCurrentUser();
    expect(me).toMatchObject({ accountId: kolkata.accountId, emailAddress: 'in@acme.test', displayName: 'Kolkata 🧘 コルカタ', timeZone: 'Asia/Kolkata' });
    for (const key of ['accountId', 'accountType', 'active', 'avatarUrls', 'displayName', 'emailAddress', 'groups', 'applicationRoles', 'self', 'timeZone']) expect(me).toHaveProperty(key);
    expect(kindOf((me as Json)['avatarUrls'])).toEqual(kindOf(DOCS_MYSELF['avatarUrls']));
    const info = await client(ny).serverInfo.getServerInfo();
    for (const key of ['baseUrl', 'buildDate', 'buildNumber', 'defaultLocale', 'scmInfo', 'serverTime', 'serverTitle', 'version', 'versionNumbers']) {
      expect(kindOf((info as Json)[key])).toEqual(kindOf(DOCS_SERVER_INFO[key]));
    }
    expect(info.serverTime).toBe('2026-12-03T05:15:30.123-0500');
  });

  it('answers the removed GET/POST /search with 410 and the live body; jira.js surfaces HttpException', async () => {
    expect(await raw('/rest/api/3/search?jql=project%3DENG')).toMatchObject({ status: 410, body: DOCS_410 });
    const error = await sdkError(client(ny).issueSearch.searchForIssuesUsingJqlPost({ jql: 'project = ENG' }));
    expect(error.status).toBe(410);
  });
});

describe('issues and search/jql', () => {
  const seed = (n: number, project = 'ENG'): void => {
    for (let i = 0; i < n; i += 1) { nowMs += 60_000; jira.createIssue({ project, summary: `Issue ${i}`, reporter: ny.accountId }); }
  };

  it('returns ids only by default, pages with nextPageToken to the end (absent on the last page) via jira.js', async () => {
    seed(7);
    const first = await client(ny).issueSearch.searchForIssuesUsingJqlEnhancedSearch({ jql: 'project = ENG ORDER BY id ASC', maxResults: 3 });
    expect(first.issues?.[0]).toEqual({ id: '10000' });
    const ids: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = (await client(ny).issueSearch.searchForIssuesUsingJqlEnhancedSearchPost({ jql: 'project = ENG ORDER BY id ASC', maxResults: 3, fields: ['summary', 'updated'], ...(token ? { nextPageToken: token } : {}) })) as Json;
      pages += 1;
      ids.push(...page['issues'].map((i: Json) => i['id']));
      expect(page['isLast']).toBe(page['nextPageToken'] === undefined);
      token = page['nextPageToken'];
    } while (token);
    expect(pages).toBe(3);
    expect(ids).toEqual(['10000', '10001', '10002', '10003', '10004', '10005', '10006']);
    expect(jira.count('POST /rest/api/3/search/jql')).toBe(3);
  });

  it('caps pages at 100 with fields and 5000 with ids; refuses unbounded, unknown fields, bad dates and stale tokens', async () => {
    seed(120);
    expect(((await raw('/rest/api/3/search/jql?jql=project=ENG&maxResults=5000&fields=summary')).body['issues'] as Json[]).length).toBe(100);
    expect(((await raw('/rest/api/3/search/jql?jql=project=ENG&maxResults=5000')).body['issues'] as Json[]).length).toBe(120);
    expect((await raw('/rest/api/3/search/jql?jql=ORDER%20BY%20key')).body.errorMessages[0]).toBe('Unbounded JQL queries are not allowed here. Please add a search restriction to your query.');
    expect((await raw('/rest/api/3/search/jql?jql=foo%3D1')).body.errorMessages[0]).toBe("Field 'foo' does not exist or you do not have permission to view it.");
    expect((await raw('/rest/api/3/search/jql?jql=updated%3E%3D%22yesterday%22')).body.errorMessages[0]).toMatch(/^Date value 'yesterday' for field 'updated' is invalid/);
    expect((await raw('/rest/api/3/search/jql?jql=project%3DNOPE')).body.errorMessages[0]).toBe("The value 'NOPE' does not exist for the field 'project'.");
    const unknown = await raw('/rest/api/3/search/jql', { method: 'POST', body: JSON.stringify({ jql: 'project = ENG', startAt: 0 }) });
    expect(unknown).toMatchObject({ status: 400, body: { errorMessages: ['Invalid request payload. Refer to the REST API documentation and try again.'], errors: {} } });
    const page = await raw('/rest/api/3/search/jql?jql=project=ENG&maxResults=10');
    nowMs += 7 * 86_400_000 + 1;
    expect((await raw(`/rest/api/3/search/jql?jql=project=ENG&nextPageToken=${page.body['nextPageToken']}`)).status).toBe(400);
  });

  it('reads date literals in the caller\'s zone at minute precision, absolute and relative', async () => {
    nowMs = Date.parse('2026-12-03T04:44:59.999Z');
    const before = jira.createIssue({ project: 'ENG', summary: 'before' });
    nowMs = Date.parse('2026-12-03T04:45:00.000Z');
    const at = jira.createIssue({ project: 'ENG', summary: 'at' });
    const search = async (user: JiraUser, jql: string): Promise<string[]> =>
      ((await client(user).issueSearch.searchForIssuesUsingJqlEnhancedSearch({ jql, fields: ['summary'] })).issues ?? []).map((i) => i.fields.summary as string);
    expect(await search(kolkata, 'updated >= "2026/12/03 10:15" ORDER BY updated ASC, id ASC')).toEqual(['at']);
    expect(await search(ny, 'updated >= "2026/12/02 23:45" ORDER BY updated ASC')).toEqual(['at']);
    expect(await search(kolkata, 'created < "2026-12-03 10:15"')).toEqual(['before']);
    expect(await search(kolkata, 'updated >= "2026-12-03" AND updated <= "2026/12/03 10:15" ORDER BY id DESC')).toEqual(['at', 'before']);
    nowMs += 3 * 60_000;
    expect(await search(ny, 'updated >= -3m AND (project = ENG OR project in (OPS)) ORDER BY updated DESC')).toEqual(['at']);
    const issue = await client(kolkata).issues.getIssue({ issueIdOrKey: at.id, fields: ['updated'] });
    expect(issue.fields.updated).toBe('2026-12-03T10:15:00.000+0530');
    expect(before.id).not.toBe(at.id);
  });

  it('serves every ADF node kind, epics, sub-tasks, null people, emoji/CJK, empty and long content; labels/status/parent JQL', async () => {
    const epic = jira.createIssue({ project: 'ENG', summary: 'Epic 🚀', issuetype: 'Epic', reporter: null });
    const story = jira.createIssue({ project: 'ENG', summary: '故事 story', parent: 'ENG-1', description: everyNodeDoc(ny.accountId), labels: ['backend', 'ünïcode'], assignee: kolkata.accountId, status: 'In Progress', priority: 'High' });
    const sub = jira.createIssue({ project: 'ENG', summary: '', issuetype: 'Subtask', parent: 'ENG-2', description: paragraphDoc('x'.repeat(100_000)) });
    const got = (await client(ny).issues.getIssue({ issueIdOrKey: 'ENG-2', expand: 'renderedFields,names' })) as Json;
    expect(got['key']).toBe('ENG-2');
    expect(kindsIn(got['fields'].description)).toEqual(kindsIn(everyNodeDoc('x')));
    expect(got['renderedFields'].description).toContain('<h1>Release plan 🚀 发布计划</h1>');
    expect(got['fields'].parent).toMatchObject({ id: epic.id, key: 'ENG-1', fields: { summary: 'Epic 🚀', issuetype: { name: 'Epic', hierarchyLevel: 1 }, status: { statusCategory: { key: 'new' } } } });
    expect(got['fields'].status).toMatchObject({ name: 'In Progress', statusCategory: { key: 'indeterminate', colorName: 'yellow' } });
    expect(got['names'].summary).toBe('Summary');
    const epicJson = (await client(ny).issues.getIssue({ issueIdOrKey: epic.id })) as Json;
    expect(epicJson['fields'].reporter).toBeNull();
    expect(epicJson['fields'].assignee).toBeNull();
    const subJson = (await client(ny).issues.getIssue({ issueIdOrKey: sub.id })) as Json;
    expect(subJson['fields'].issuetype).toMatchObject({ subtask: true, hierarchyLevel: -1 });
    expect(subJson['fields'].summary).toBe('');
    expect(subJson['fields'].description.content[0].content[0].text).toHaveLength(100_000);
    const jql = async (q: string): Promise<string[]> => ((await raw(`/rest/api/3/search/jql?jql=${encodeURIComponent(q)}&fields=key`)).body['issues'] as Json[]).map((i) => i['key']);
    expect(await jql('labels = backend')).toEqual(['ENG-2']);
    expect(await jql('status = "In Progress"')).toEqual(['ENG-2']);
    expect(await jql('parent = ENG-1')).toEqual(['ENG-2']);
    expect(await jql('parent = ENG-2')).toEqual(['ENG-3']);
    expect(await jql('key in (ENG-1, ENG-3) ORDER BY key ASC')).toEqual(['ENG-1', 'ENG-3']);
    expect(story.id).toBe('10001');
  });

  it('gives a moved issue a new key, keeps the id, and resolves the old key; bulkfetch returns ascending ids', async () => {
    const a = jira.createIssue({ project: 'ENG', summary: 'moves' });
    jira.createIssue({ project: 'OPS', summary: 'stays' });
    nowMs += 60_000;
    jira.moveIssue('ENG-1', 'OPS');
    expect(jira.keyOf(a)).toBe('OPS-2');
    const viaOld = await client(ny).issues.getIssue({ issueIdOrKey: 'ENG-1', fields: ['project', 'summary'], expand: 'changelog' }) as Json;
    expect(viaOld).toMatchObject({ id: a.id, key: 'OPS-2', fields: { project: { key: 'OPS' } } });
    expect(viaOld['changelog'].histories[0].items[0]).toMatchObject({ field: 'Key', fromString: 'ENG-1', toString: 'OPS-2' });
    const bulk = await client(ny).issues.bulkFetchIssues({ issueIdsOrKeys: ['OPS-1', 'eng-1', 'NOPE-9'], fields: ['summary'] }) as Json;
    expect(bulk['issues'].map((i: Json) => i['key'])).toEqual(['OPS-2', 'OPS-1']);
    expect(bulk['issueErrors']).toEqual([]);
  });

  it('hides projects the user cannot browse and issues outside their security level (404 and absent from search)', async () => {
    const level = jira.addSecurityLevel('Staff only');
    const secret = jira.createIssue({ project: 'ENG', summary: 'secret', securityLevel: level.id });
    jira.createIssue({ project: 'ENG', summary: 'public' });
    jira.createIssue({ project: 'OPS', summary: 'ops' });
    const e404 = await sdkError(client(outsider).issues.getIssue({ issueIdOrKey: 'OPS-1' }));
    expect(e404.status).toBe(404);
    expect((e404.cause as Json)['response'].data).toEqual({ errorMessages: ['Issue does not exist or you do not have permission to see it.'], errors: {} });
    expect((await raw(`/rest/api/3/issue/${secret.id}`, { user: outsider })).status).toBe(404);
    const seen = (await raw('/rest/api/3/search/jql?jql=project%20in%20(ENG)&fields=summary', { user: outsider })).body['issues'].map((i: Json) => i['fields'].summary);
    expect(seen).toEqual(['public']);
    expect((await raw('/rest/api/3/search/jql?jql=project=OPS', { user: outsider })).status).toBe(400);
    jira.setSecurityLevels(outsider.accountId, [level.id]);
    expect((await raw(`/rest/api/3/issue/${secret.id}?fields=security`, { user: outsider })).body['fields'].security).toMatchObject({ id: level.id, name: 'Staff only' });
    const projects = await client(outsider).projects.searchProjects({});
    expect(projects.values.map((p) => p.key)).toEqual(['ENG']);
    expect(kindOf((projects.values[0] as Json)['avatarUrls'])).toEqual(kindOf(DOCS_PROJECT_SEARCH['values'][0].avatarUrls));
    expect((await raw('/rest/api/3/project/OPS', { user: outsider })).body.errorMessages[0]).toBe("No project could be found with key 'OPS'.");
  });
});

describe('comments and worklogs', () => {
  it('pages comments with startAt/maxResults/total, ADF bodies in the documented shape, embedded in fields.comment', async () => {
    const issue = jira.createIssue({ project: 'ENG', summary: 'talk' });
    for (let i = 0; i < 5; i += 1) { nowMs += 1000; jira.addComment(issue.id, ny.accountId, paragraphDoc(i === 0 ? '' : `comment ${i} 👍`)); }
    const page = await client(ny).issueComments.getComments({ issueIdOrKey: 'ENG-1', startAt: 2, maxResults: 2 }) as Json;
    expect(page).toMatchObject({ startAt: 2, maxResults: 2, total: 5 });
    expect(keysOf(page['comments'][0]).filter((k) => k !== 'jsdPublic')).toEqual(keysOf(DOCS_COMMENTS['comments'][0]).filter((k) => k !== 'visibility'));
    expect(kindOf(page['comments'][0].body)).toEqual(kindOf(DOCS_COMMENTS['comments'][0].body));
    const withComments = await raw('/rest/api/3/search/jql?jql=key=ENG-1&fields=comment,updated');
    expect(withComments.body['issues'][0].fields.comment).toMatchObject({ total: 5, startAt: 0 });
    expect(withComments.body['issues'][0].fields.updated).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d{4}$/);
  });

  it('lists worklogs, feeds updated/deleted ids (not the last minute) and resolves ids with /worklog/list; Tempo ids are kept', async () => {
    const issue = jira.createIssue({ project: 'ENG', summary: 'work' });
    const w1 = jira.addWorklog(issue.id, ny.accountId, { timeSpentSeconds: 12_000, comment: paragraphDoc('I did some work here.') });
    const tempo = jira.addWorklog(issue.id, kolkata.accountId, { timeSpentSeconds: 600, id: '31337' });
    const issueLogs = await client(ny).issueWorklogs.getIssueWorklog({ issueIdOrKey: 'ENG-1' }) as Json;
    expect(keysOf(issueLogs)).toEqual(keysOf(DOCS_WORKLOGS));
    expect(issueLogs['worklogs'][0]).toMatchObject({ timeSpent: '3h 20m', timeSpentSeconds: 12_000, issueId: issue.id });
    expect(keysOf(issueLogs['worklogs'][0]).filter((k) => k !== 'created')).toEqual(keysOf(DOCS_WORKLOGS['worklogs'][0]).filter((k) => k !== 'visibility'));
    const fresh = await client(ny).issueWorklogs.getIdsOfWorklogsModifiedSince({ since: T0 - 1 }) as Json;
    expect(fresh['values']).toEqual([]);
    nowMs += 61_000;
    const updated = await client(ny).issueWorklogs.getIdsOfWorklogsModifiedSince({ since: T0 - 1 }) as Json;
    expect(keysOf(updated)).toEqual(keysOf(DOCS_WORKLOG_UPDATED));
    expect(updated['values'].map((v: Json) => v['worklogId'])).toEqual([Number(w1.id), 31337]);
    expect(updated).toMatchObject({ lastPage: true, until: T0 });
    jira.deleteWorklog(tempo.id);
    nowMs += 61_000;
    const deleted = await client(ny).issueWorklogs.getIdsOfWorklogsDeletedSince({ since: T0 }) as Json;
    expect(deleted['values']).toEqual([{ worklogId: 31337, updatedTime: T0 + 61_000, properties: [] }]);
    const listed = await client(ny).issueWorklogs.getWorklogsForIds({ ids: [Number(w1.id), 31337] });
    expect(listed.map((w) => w.id)).toEqual([w1.id]);
    expect((await raw('/rest/api/3/worklog/list', { method: 'POST', body: JSON.stringify({ ids: [] }) })).status).toBe(400);
  });
});

describe('rate limits and faults', () => {
  it('answers over-budget calls with 429, Retry-After and X-RateLimit-* headers; jira.js surfaces them', async () => {
    jira.setRateLimits({ perWindow: 2, windowMs: 1000 });
    await client(ny).myself.getCurrentUser();
    await client(ny).myself.getCurrentUser();
    const error = await sdkError(client(ny).myself.getCurrentUser());
    expect(error.status).toBe(429);
    const headers = (error.cause as Json)['response'].headers as Json;
    expect(headers).toMatchObject({ 'retry-after': '1', 'x-ratelimit-limit': '2', 'x-ratelimit-remaining': '0', 'ratelimit-reason': 'jira-burst-based', 'x-ratelimit-reset': '2026-12-03T10:15Z' });
    nowMs += 1000;
    await client(ny).myself.getCurrentUser();
    jira.setRateLimits({ perWindow: undefined });
    expect(jira.count('GET /rest/api/3/myself', 429)).toBe(1);
  });

  it('fails the next N requests of a route with the given status', async () => {
    jira.createIssue({ project: 'ENG', summary: 'x' });
    jira.failNext('GET /rest/api/3/search/jql', 2, 503, 5);
    expect((await sdkError(client(ny).issueSearch.searchForIssuesUsingJqlEnhancedSearch({ jql: 'project = ENG' }))).status).toBe(503);
    expect((await raw('/rest/api/3/search/jql?jql=project=ENG')).headers.get('retry-after')).toBe('5');
    expect((await raw('/rest/api/3/search/jql?jql=project=ENG')).status).toBe(200);
    expect(jira.countsByRoute()['GET /rest/api/3/search/jql']).toBe(3);
  });
});

describe('webhooks', () => {
  let receiver: Server;
  let received: { headers: Json; body: string }[];
  let statuses: number[];
  let hookUrl: string;

  beforeEach(async () => {
    received = [];
    statuses = [];
    receiver = createServer((req, res) => {
      let data = '';
      req.on('data', (c: Buffer) => { data += c.toString('utf8'); });
      req.on('end', () => { received.push({ headers: req.headers, body: data }); res.statusCode = statuses.shift() ?? 200; res.end(); });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  });

  afterEach(async () => {
    await new Promise<void>((r) => receiver.close(() => r()));
  });

  it('passes Atlassian\'s signature test vector', () => {
    expect(signJiraBody(SIGNATURE_VECTOR.body, SIGNATURE_VECTOR.secret).startsWith(SIGNATURE_VECTOR.prefix)).toBe(true);
  });

  it('signs deliveries with X-Hub-Signature, retries 5xx with the same identifier, and sends the documented payloads', async () => {
    const secret = 'shh-秘密';
    jira.registerWebhook({ url: hookUrl, secret, events: ['jira:issue_created', 'jira:issue_updated', 'jira:issue_deleted', 'comment_created', 'worklog_created', 'comment_deleted'] });
    const issue = jira.createIssue({ project: 'ENG', summary: 'hooked', reporter: ny.accountId });
    await jira.webhooksSettled();
    statuses.push(500, 503);
    jira.editIssue(issue.id, { status: 'In Progress' }, kolkata.accountId);
    await jira.webhooksSettled();
    jira.addComment(issue.id, ny.accountId, paragraphDoc('hi'));
    jira.addWorklog(issue.id, ny.accountId, { timeSpentSeconds: 60 });
    jira.deleteIssue(issue.id);
    await jira.webhooksSettled();
    for (const r of received) expect(r.headers['x-hub-signature']).toBe(`sha256=${createHmac('sha256', secret).update(r.body).digest('hex')}`);
    const updates = received.filter((r) => JSON.parse(r.body).webhookEvent === 'jira:issue_updated');
    expect(updates).toHaveLength(3);
    expect(new Set(updates.map((u) => u.headers['x-atlassian-webhook-identifier'])).size).toBe(1);
    expect(updates.map((u) => u.headers['x-atlassian-webhook-retry'])).toEqual([undefined, '1', '2']);
    const payload = JSON.parse(updates[0]!.body) as Json;
    expect(keysOf(payload)).toEqual(keysOf(DOCS_ISSUE_UPDATED_WEBHOOK));
    expect(payload['issue_event_type_name']).toBe('issue_generic');
    expect(kindOf(payload['changelog'])).toEqual(kindOf(DOCS_ISSUE_UPDATED_WEBHOOK['changelog']));
    expect(payload['changelog'].items[0]).toMatchObject({ field: 'status', fromString: 'To Do', toString: 'In Progress' });
    const events = received.map((r) => JSON.parse(r.body).webhookEvent as string);
    expect(events).toEqual(['jira:issue_created', 'jira:issue_updated', 'jira:issue_updated', 'jira:issue_updated', 'comment_created', 'worklog_created', 'jira:issue_deleted', 'comment_deleted']);
    expect(received.at(-1)!.headers['x-atlassian-webhook-flow']).toBe('Secondary');
    expect(jira.deliveries.every((d) => d.ok)).toBe(true);
  });
});
