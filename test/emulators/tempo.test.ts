/**
 * The Tempo emulator against Tempo's documented and captured payloads (./tempo/samples.ts),
 * driven with plain fetch as a connector would (there is no official Node SDK): auth, shapes,
 * pagination to the end over 12,000 worklogs, filters and their validation, visibility, awkward
 * content, deletions through both audit endpoints, the rate limit, faults, and webhooks whose
 * signatures are checked here with node:crypto, independently of the emulator's helpers.
 */
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CAPTURED_WORKLOG, DOCS_AUDIT_EVENT, DOCS_DELETED_WORKLOG, DOCS_ERROR, DOCS_ID_MAPPER, DOCS_PAGE_METADATA, DOCS_WEBHOOK_WORKLOG_CREATED, DOCS_WORKLOG, kindOf,
} from './tempo/samples.ts';
import { startTempo, type TempoEmulator, type WorklogSeed } from './tempo.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const T0 = Date.parse('2026-03-02T09:00:00.250Z');
const TOKEN = 'tempo-emulator-token';
const ALICE = '712020:aaaaaaaa-0000-4000-8000-000000000001';
const BOB = '557058:bbbbbbbb-0000-4000-8000-000000000002';
let tempo: TempoEmulator;
let nowMs: number;

async function call(path: string, init: RequestInit & { token?: string | null } = {}): Promise<{ status: number; body: Json; text: string; headers: Headers }> {
  const { token = TOKEN, ...rest } = init;
  const response = await fetch(path.startsWith('http') ? path : `${tempo.url}${path}`, {
    ...rest, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(rest.body ? { 'content-type': 'application/json' } : {}) },
  });
  const text = await response.text();
  const json = response.headers.get('content-type')?.includes('json') && text ? (JSON.parse(text) as Json) : {};
  return { status: response.status, body: json, text, headers: response.headers };
}

/** Follows metadata.next to the end, as a connector does. */
async function all(path: string): Promise<{ results: Json[]; pages: number }> {
  let next: string | undefined = path;
  const results: Json[] = [];
  let pages = 0;
  while (next) {
    const { status, body } = await call(next);
    expect(status).toBe(200);
    results.push(...body.results);
    pages += 1;
    next = body.metadata.next;
  }
  return { results, pages };
}

const seed = (extra: Partial<WorklogSeed> = {}): WorklogSeed => ({ issueId: 10_001, authorAccountId: ALICE, timeSpentSeconds: 3600, startDate: '2026-03-01', startTime: '09:30:00', ...extra });

beforeEach(async () => {
  nowMs = T0;
  tempo = await startTempo({ now: () => nowMs, rateLimit: false });
  tempo.addIssue(10_001, 100);
  tempo.addIssue(10_002, 100);
  tempo.addIssue(20_001, 200);
});

afterEach(async () => {
  await tempo.close();
});

describe('auth and shapes', () => {
  it('answers a missing, unknown or revoked token with 401 text/html before anything else', async () => {
    tempo.addToken('short-lived');
    tempo.revokeToken('short-lived');
    for (const token of [null, 'wrong', 'short-lived']) {
      const { status, headers } = await call('/4/nowhere', { token });
      expect(status).toBe(401);
      expect(headers.get('content-type')).toContain('text/html');
    }
    expect(tempo.count('GET ', 401)).toBe(3);
  });

  it('writes worklogs with the documented and captured field set, ids numeric, links to Jira and to work-attribute-values', async () => {
    const w = tempo.addWorklog(seed({ attributes: [{ key: '_COLOR_', value: 'green' }], utcOffsetMinutes: 60 }));
    const { body } = await call(`/4/worklogs/${w.tempoWorklogId}`);
    expect(kindOf(body)).toEqual(kindOf(DOCS_WORKLOG));
    expect(kindOf({ ...body, attributes: { ...body.attributes, values: [] } })).toEqual(kindOf(CAPTURED_WORKLOG));
    expect(body).toMatchObject({
      self: `${tempo.url}/4/worklogs/${w.tempoWorklogId}`, issue: { self: 'https://emulator.atlassian.net/rest/api/2/issue/10001', id: 10_001 },
      startDate: '2026-03-01', startTime: '09:30:00', startDateTimeUtc: '2026-03-01T08:30:00Z', createdAt: '2026-03-02T09:00:00Z',
      attributes: { self: `${tempo.url}/4/worklogs/${w.tempoWorklogId}/work-attribute-values` },
    });
    expect(body).not.toHaveProperty('jiraWorklogId');
    const ids = await call('/4/worklogs/tempo-to-jira', { method: 'POST', body: JSON.stringify({ tempoWorklogIds: [w.tempoWorklogId, 999] }) });
    expect(ids.body.results).toEqual([{ tempoWorklogId: w.tempoWorklogId, jiraWorklogId: w.jiraWorklogId }]);
    expect(kindOf(ids.body.results[0])).toEqual(kindOf(DOCS_ID_MAPPER));
  });

  it('keeps non-ASCII, very long and empty descriptions intact', async () => {
    const texts = ['修复登录问题 🐛 — café', 'x'.repeat(100_000), ''];
    const ids = texts.map((description) => tempo.addWorklog(seed({ description })).tempoWorklogId);
    for (const [i, id] of ids.entries()) expect((await call(`/4/worklogs/${id}`)).body.description).toBe(texts[i]);
  });
});

describe('listing', () => {
  it('follows metadata.next over 12,000 worklogs at limit 5000 (clamped above), in START_DATE_TIME then ID order', async () => {
    const started = Date.now();
    tempo.seedWorklogs(12_000, (i) => seed({ issueId: i % 2 ? 10_001 : 20_001, startDate: `2026-02-${String(1 + (i % 28)).padStart(2, '0')}`, description: `w${i}` }));
    expect(Date.now() - started).toBeLessThan(500);
    const first = await call('/4/worklogs?limit=6000');
    expect(first.body.metadata).toMatchObject({ count: 5000, offset: 0, limit: 5000 });
    expect(kindOf({ ...first.body.metadata, previous: '' })).toEqual(kindOf(DOCS_PAGE_METADATA));
    expect(new URL(first.body.metadata.next).searchParams.get('offset')).toBe('5000');
    const { results, pages } = await all('/4/worklogs?limit=5000');
    expect(pages).toBe(3);
    expect(new Set(results.map((w) => w.tempoWorklogId)).size).toBe(12_000);
    expect(results.map((w) => w.startDate)).toEqual([...results.map((w) => w.startDate)].sort());
    expect(tempo.count('GET /4/worklogs')).toBe(4);
    expect((await call('/4/worklogs')).body.metadata.limit).toBe(50);
  });

  it('filters by projectId, issueId, from/to and updatedFrom (date or second-precision date-time), inclusive', async () => {
    const a = tempo.addWorklog(seed({ startDate: '2026-02-27' }));
    nowMs += 61_000;
    const b = tempo.addWorklog(seed({ issueId: 20_001, startDate: '2026-03-01' }));
    const ids = async (q: string): Promise<number[]> => (await call(`/4/worklogs?${q}`)).body.results.map((w: Json) => w.tempoWorklogId);
    expect(await ids('projectId=200')).toEqual([b.tempoWorklogId]);
    expect(await ids('issueId=10001&issueId=20001')).toEqual([a.tempoWorklogId, b.tempoWorklogId]);
    expect(await ids('from=2026-02-28&to=2026-03-01')).toEqual([b.tempoWorklogId]);
    expect(await ids('updatedFrom=2026-03-02T09:01:01Z')).toEqual([b.tempoWorklogId]);
    expect(await ids('updatedFrom=2026-03-02T09:01:01')).toEqual([b.tempoWorklogId]);
    expect(await ids('updatedFrom=2026-03-02')).toEqual([a.tempoWorklogId, b.tempoWorklogId]);
    expect(await ids('orderBy=UPDATED')).toEqual([b.tempoWorklogId, a.tempoWorklogId]);
    expect((await call('/4/worklogs/project/200')).body.results).toHaveLength(1);
    expect((await call('/4/worklogs/project/999')).status).toBe(404);
    expect((await call(`/4/worklogs/user/${encodeURIComponent(ALICE)}`)).body.results).toHaveLength(2);
    // v3's parameter names are not v4's: ignored, so they filter nothing.
    expect(await ids('project=200')).toHaveLength(2);
  });

  it('answers bad dates, ids, limits and orderBy with 400 in the ErrorBean shape', async () => {
    for (const q of ['from=01/03/2026', 'updatedFrom=2026-03-02T09:01:01.123Z', 'issueId=ABC-1', 'limit=0', 'orderBy=CREATED']) {
      const { status, body } = await call(`/4/worklogs?${q}`);
      expect(status, q).toBe(400);
      expect(kindOf(body)).toEqual(kindOf(DOCS_ERROR));
    }
    expect((await call('/4/worklogs?from=2026-13-45')).body).toEqual({ errors: [{ message: "'from' must be valid on the format: 'yyyy-MM-dd'" }] });
  });

  it('searches by POST with authorIds and an explicit order', async () => {
    tempo.addWorklog(seed({ startDate: '2026-03-01' }));
    const bobs = tempo.addWorklog(seed({ authorAccountId: BOB, startDate: '2026-03-02' }));
    const older = tempo.addWorklog(seed({ authorAccountId: BOB, startDate: '2026-02-01' }));
    const { body } = await call('/4/worklogs/search?limit=10', { method: 'POST', body: JSON.stringify({ authorIds: [BOB], orderBy: [{ field: 'START_DATE_TIME', order: 'DESC' }] }) });
    expect(body.results.map((w: Json) => w.tempoWorklogId)).toEqual([bobs.tempoWorklogId, older.tempoWorklogId]);
  });

  it('hides worklogs of projects a token cannot see, and follows edits and moved issues', async () => {
    const w = tempo.addWorklog(seed({ issueId: 20_001 }));
    tempo.addToken('team-100', { projectIds: [100] });
    expect((await call(`/4/worklogs/${w.tempoWorklogId}`, { token: 'team-100' })).status).toBe(404);
    expect((await call('/4/worklogs', { token: 'team-100' })).body.results).toEqual([]);
    tempo.moveIssue(20_001, 100);
    expect((await call('/4/worklogs?projectId=100', { token: 'team-100' })).body.results).toHaveLength(1);
    nowMs += 5000;
    tempo.editWorklog(w.tempoWorklogId, { description: 'renamed ✏️', issueId: 10_002 });
    const { body } = await call('/4/worklogs?updatedFrom=2026-03-02T09:00:05Z');
    expect(body.results).toMatchObject([{ description: 'renamed ✏️', issue: { id: 10_002 }, updatedAt: '2026-03-02T09:00:05Z' }]);
  });
});

describe('deleted worklogs', () => {
  it('serves deletions on /4/papertrail/search and the deprecated /papertrail/1 endpoint, paged by token and key', async () => {
    const made = tempo.seedWorklogs(120, () => seed());
    nowMs += 1000;
    for (const w of made) tempo.deleteWorklog(w.tempoWorklogId, BOB);
    expect((await call(`/4/worklogs/${made[0]!.tempoWorklogId}`)).status).toBe(404);
    let next: string | undefined = '/papertrail/1/events/deleted/types/worklog?updatedFrom=2026-03-02T09:00:00Z';
    const gone: Json[] = [];
    while (next) {
      const { body } = await call(next);
      gone.push(...body.results);
      next = body.metadata.next;
    }
    expect(gone).toHaveLength(120);
    expect(kindOf(gone[0])).toEqual(kindOf(DOCS_DELETED_WORKLOG));
    expect(gone[0]).toMatchObject({ tempoWorklogId: String(made[0]!.tempoWorklogId), jiraWorklogId: String(made[0]!.jiraWorklogId) });
    expect((await call('/papertrail/1/events/deleted/types/worklog?updatedFrom=2026-03-02T09:00:00Z&limit=10')).status).toBe(400);
    expect((await call('/audit/1/events/deleted/types/worklog?updatedFrom=2026-03-02T09:00:00Z')).status).toBe(404);

    const search = (token?: string): Promise<{ body: Json }> => call(`/4/papertrail/search?limit=100${token ? `&nextPageToken=${encodeURIComponent(token)}` : ''}`, {
      method: 'POST', body: JSON.stringify({ from: '2026-03-01T00:00:00Z', entityType: ['worklog'], action: ['Deleted'] }),
    });
    const p1 = await search();
    expect(p1.body.results).toHaveLength(100);
    expect(kindOf(p1.body.results[0])).toEqual(kindOf({ ...DOCS_AUDIT_EVENT }));
    expect(p1.body.results[0]).toMatchObject({ action: 'Deleted', author: BOB, worker: ALICE, parentId: '10001' });
    const p2 = await search(p1.body.metadata.nextPageToken);
    expect(p2.body.results).toHaveLength(20);
    expect(p2.body.metadata).not.toHaveProperty('nextPageToken');
    expect((await call('/4/papertrail/search', { method: 'POST', body: JSON.stringify({ from: '2025-01-01T00:00:00Z' }) })).status).toBe(400);
  });
});

describe('limits and faults', () => {
  it('refuses the sixth request within a second with nginx\'s 429 page, recovers after a second', async () => {
    tempo.setRateLimit({ perSecond: 5, burst: 5 });
    const statuses = [];
    for (let i = 0; i < 6; i += 1) statuses.push((await call('/4/worklogs')).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const refused = await call('/4/worklogs');
    expect(refused.text).toContain('429 Too Many Requests');
    expect(refused.headers.get('retry-after')).toBeNull();
    nowMs += 1000;
    expect((await call('/4/worklogs')).status).toBe(200);
    tempo.setRateLimit({ perSecond: 1, burst: 1, retryAfterSeconds: 1 });
    await call('/4/worklogs');
    expect((await call('/4/worklogs')).headers.get('retry-after')).toBe('1');
  });

  it('fails the next N requests of a route with the injected status', async () => {
    tempo.failNext('GET /4/worklogs', 2, 503);
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await call('/4/worklogs')).status);
    expect(statuses).toEqual([503, 503, 200]);
    expect(tempo.count('GET /4/worklogs', 503)).toBe(2);
    expect(tempo.requests().at(-1)).toMatchObject({ method: 'GET', path: '/4/worklogs', status: 200, token: TOKEN });
  });
});

describe('webhooks', () => {
  let receiver: Server;
  let hookUrl: string;
  let answer = 200;
  const received: { headers: Json; body: string }[] = [];

  beforeEach(async () => {
    received.length = 0;
    answer = 200;
    receiver = createServer((req, res) => {
      const url = new URL(req.url!, 'http://x');
      if (req.method === 'GET') return void res.writeHead(200, { 'content-type': 'text/plain' }).end(url.searchParams.get('randomString'));
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(answer).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
    hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/tempo`;
  });

  afterEach(async () => {
    receiver.closeAllConnections();
    await new Promise<void>((r) => receiver.close(() => r()));
  });

  it('verifies the URL, then delivers the documented payload signed over body + Tempo-Timestamp', async () => {
    const created = await call('/4/webhooks/subscriptions', { method: 'POST', body: JSON.stringify({ url: hookUrl, event: 'worklog.created' }) });
    expect(created.body).toMatchObject({ url: hookUrl, event: 'worklog.created', active: true });
    expect(created.body.sharedSecret).toHaveLength(128);
    expect((await call('/4/webhooks/subscriptions', { method: 'POST', body: JSON.stringify({ url: hookUrl, event: 'worklog.created' }) })).status).toBe(409);
    tempo.addWorklog(seed({ description: '日本語 📝' }));
    await tempo.flushWebhooks();
    expect(received).toHaveLength(1);
    const { headers, body } = received[0]!;
    const expected = createHmac('sha256', created.body.sharedSecret).update(body + headers['tempo-timestamp']).digest('hex');
    expect(headers['tempo-signature']).toBe(expected);
    expect(headers).toHaveProperty('tempo-jira-client-key');
    expect(headers).toHaveProperty('tempo-tenant-id');
    expect(kindOf(JSON.parse(body))).toEqual(kindOf(DOCS_WEBHOOK_WORKLOG_CREATED));
    expect(JSON.parse(body).payload.description).toBe('日本語 📝');
  });

  it('retries a failing endpoint ten times, then inactivates the subscription until refreshed', async () => {
    const { body: sub } = await call('/4/webhooks/subscriptions', { method: 'POST', body: JSON.stringify({ url: hookUrl, event: 'worklog.deleted' }) });
    answer = 500;
    tempo.deleteWorklog(tempo.addWorklog(seed()).tempoWorklogId);
    await tempo.flushWebhooks();
    for (let i = 0; i < 12; i += 1) await tempo.runWebhookRetries();
    expect(received).toHaveLength(11);
    expect((await call(`/4/webhooks/subscriptions/${sub.id}`)).body.active).toBe(false);
    expect((await call(`/4/webhooks/subscriptions/${sub.id}/refresh`, { method: 'PATCH' })).status).toBe(204);
    expect((await call(`/4/webhooks/subscriptions/${sub.id}`)).body.active).toBe(true);
  });
});
