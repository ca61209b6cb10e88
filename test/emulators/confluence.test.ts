/**
 * The Confluence emulator against Atlassian's documented and captured payloads
 * (./confluence/samples.ts), driven through the official confluence.js 2.1.0 client where it has
 * the endpoint (v1) and through the same client's transport for v2 (`sendRequest` with the
 * `/wiki` prefix — 2.1.0 has no v2 methods). Webhook signatures are checked with node:crypto.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfluenceClient } from 'confluence.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as S from './confluence/samples.ts';
import { cqlDate, longStorage, RICH_ADF, RICH_STORAGE, startConfluence, type ConfluenceEmulator, type StoredUser } from './confluence.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const T0 = Date.parse('2026-03-02T09:00:00Z');
const MIN = 60_000;
let cf: ConfluenceEmulator;
let nowMs: number;
let ada: StoredUser;
let bob: StoredUser;
let eng: string;

const v1 = (u: StoredUser = ada): ConfluenceClient => new ConfluenceClient({ host: cf.url, authentication: { basic: { email: u.email, apiToken: u.apiToken } } });
const v2 = (u: StoredUser = ada): ConfluenceClient => new ConfluenceClient({ host: cf.url, apiPrefix: '/wiki', authentication: { basic: { email: u.email, apiToken: u.apiToken } } });
const get = <T = Json>(c: ConfluenceClient, url: string, params: Json = {}): Promise<T> => c.sendRequest<T>({ url, method: 'GET', params }, undefined as never);
const caught = async (p: Promise<unknown>): Promise<Json> => p.then(() => ({ resolved: true }), (e: unknown) => e as Json);
const raw = async (path: string, auth: string | null = `Basic ${Buffer.from(`${ada.email}:${ada.apiToken}`).toString('base64')}`): Promise<{ status: number; headers: Headers; text: string }> => {
  const r = await fetch(`${cf.url}${path}`, { headers: auth ? { authorization: auth } : {} });
  return { status: r.status, headers: r.headers, text: await r.text() };
};
const keysWithin = (obj: Json, allowed: readonly string[]): void => expect(Object.keys(obj).filter((k) => !allowed.includes(k))).toEqual([]);
const tick = (ms = MIN): void => { nowMs += ms; };

/** Follows `_links.next` of a v2 listing through the SDK's transport. */
async function all(c: ConfluenceClient, url: string, params: Json): Promise<Json[]> {
  const out: Json[] = [];
  let page = await get(c, url, params);
  out.push(...page['results']);
  while (page['_links']?.next) {
    const next = new URL(page['_links'].next, cf.url);
    page = await get(c, next.pathname.replace(/^\/wiki/, ''), Object.fromEntries(next.searchParams));
    out.push(...page['results']);
  }
  return out;
}

beforeEach(async () => {
  nowMs = T0;
  cf = await startConfluence({ now: () => nowMs });
  ada = cf.addUser({ email: 'ada@acme.test', displayName: 'Ada Lovelace', timeZone: 'America/Los_Angeles', groups: ['eng'] });
  bob = cf.addUser({ email: 'bob@acme.test', displayName: 'Bob', timeZone: 'Asia/Tokyo' });
  eng = cf.addSpace({ key: 'ENG', name: 'Engineering' }).id;
});

afterEach(async () => {
  await cf.close();
});

describe('authentication', () => {
  it('checks credentials first, with the bodies Cloud sends', async () => {
    cf.setRateLimits({ max: 0 });
    const bad = await raw('/wiki/api/v2/pages', `Basic ${Buffer.from('ada@acme.test:wrong').toString('base64')}`);
    expect(bad.status).toBe(401);
    expect(bad.headers.get('content-type')).toContain(S.BASIC_401.contentType);
    expect(bad.text).toBe(S.BASIC_401.body);
    const none = await raw('/wiki/api/v2/pages', null);
    expect(JSON.parse(none.text)).toEqual({ errors: [{ status: 401, code: 'UNAUTHORIZED', title: 'Unauthorized', detail: null }] });
    expect(JSON.parse((await raw('/wiki/rest/api/search?cql=type=page', 'Bearer nope')).text)).toEqual({ code: 401, message: 'Unauthorized' });
    const bearer = await fetch(`${cf.url}/wiki/rest/api/user/current`, { headers: { authorization: `Bearer ${bob.accessToken}` } });
    expect(bearer.status).toBe(429); // authenticated, then limited (max 0)
  });

  it('GET /user/current through the SDK carries accountId and the profile time zone', async () => {
    const me = (await v1(bob).users.getCurrentUser()) as unknown as Json;
    expect(me).toMatchObject({ accountId: bob.accountId, timeZone: 'Asia/Tokyo', displayName: 'Bob', type: 'known' });
    for (const k of S.V1_USER_REQUIRED) expect(me).toHaveProperty(k);
  });
});

describe('v2 pages and spaces', () => {
  it('serves pages in the v2 shape with storage and ADF bodies', async () => {
    const page = cf.createPage({ space: 'ENG', title: 'Release ✅ 日本語 🚀', body: { storage: RICH_STORAGE, adf: RICH_ADF }, labels: ['release'] });
    const storage = await get(v2(), `/api/v2/pages/${page.id}`, { 'body-format': 'storage' });
    keysWithin(storage, S.V2_PAGE_FIELDS);
    keysWithin(storage['version'], S.V2_VERSION_FIELDS);
    keysWithin(storage['_links'], S.V2_PAGE_LINK_FIELDS);
    expect(storage).toMatchObject({ id: page.id, status: 'current', title: 'Release ✅ 日本語 🚀', spaceId: eng, parentType: 'page', authorId: ada.accountId, version: { number: 1, minorEdit: false } });
    expect(storage['parentId']).toBe(cf.spaces.get(eng)!.homepageId);
    expect(storage['createdAt']).toBe('2026-03-02T09:00:00.000Z');
    expect(storage['body'].storage).toEqual({ representation: 'storage', value: RICH_STORAGE });
    for (const el of ['<ac:structured-macro ac:name="code"', '<![CDATA[', 'ac:name="info"', 'ac:name="note"', 'ac:name="warning"', '<ri:page ri:content-title=', '<ri:user ri:account-id=', '<ri:attachment', '<ac:emoticon', '<ac:task-list>', 'ac:name="status"', 'ac:name="expand"', '<ac:layout>', '<table', '<ol>', '<h1>']) {
      expect(RICH_STORAGE).toContain(el);
    }
    const adf = await get(v2(), `/api/v2/pages/${page.id}`, { 'body-format': 'atlas_doc_format' });
    expect(typeof adf['body'].atlas_doc_format.value).toBe('string');
    expect(JSON.parse(adf['body'].atlas_doc_format.value)).toEqual(RICH_ADF);
    expect((await get(v2(), `/api/v2/pages/${page.id}`))['body']).toEqual({});
    const labels = await get(v2(), `/api/v2/pages/${page.id}/labels`);
    keysWithin(labels['results'][0], S.V2_LABEL_FIELDS);
    expect(labels['results'][0]).toMatchObject({ name: 'release', prefix: 'global' });
  });

  it('keeps empty and very long bodies intact', async () => {
    const empty = cf.createPage({ space: 'ENG', title: 'Empty', body: '' });
    const long = cf.createPage({ space: 'ENG', title: 'Long', body: longStorage(300_000) });
    expect((await get(v2(), `/api/v2/pages/${empty.id}`, { 'body-format': 'storage' }))['body'].storage.value).toBe('');
    expect(JSON.parse((await get(v2(), `/api/v2/pages/${empty.id}`, { 'body-format': 'atlas_doc_format' }))['body'].atlas_doc_format.value)).toEqual({ type: 'doc', version: 1, content: [] });
    expect((await get(v2(), `/api/v2/pages/${long.id}`, { 'body-format': 'storage' }))['body'].storage.value.length).toBeGreaterThan(300_000);
  });

  it('paginates with the Link header and _links.next to the end (limit ≤ 250)', async () => {
    for (let i = 0; i < 7; i += 1) { tick(); cf.createPage({ space: 'ENG', title: `P${i}` }); }
    const first = await raw(`/wiki/api/v2/pages?space-id=${eng}&limit=3&sort=-modified-date`);
    const body = JSON.parse(first.text) as Json;
    expect(first.headers.get('link')).toBe(`<${body['_links'].next}>; rel="next", <${cf.url}/wiki>; rel="base"`);
    expect(body['_links'].base).toBe(`${cf.url}/wiki`);
    const pages = await all(v2(), '/api/v2/pages', { 'space-id': eng, limit: 3, sort: '-modified-date' });
    expect(pages.map((p) => p['title'])).toEqual(['P6', 'P5', 'P4', 'P3', 'P2', 'P1', 'P0', 'Engineering Home']);
    expect(cf.count('GET /wiki/api/v2/pages')).toBe(4);
    const tooBig = await caught(get(v2(), '/api/v2/pages', { limit: 251 }));
    expect(tooBig['errors'][0]).toMatchObject({ status: 400, code: 'INVALID_REQUEST_PARAMETER' });
    expect((await caught(get(v2(), '/api/v2/pages', { sort: 'newest' })))['errors'][0].title).toContain("for 'sort'");
    expect((await caught(get(v2(), '/api/v2/pages', { status: 'draft' })))['errors'][0].status).toBe(400);
    const spaces = await get(v2(), '/api/v2/spaces', { keys: 'ENG' });
    keysWithin(spaces['results'][0], S.V2_SPACE_FIELDS);
    expect(spaces['results'][0]).toMatchObject({ id: eng, key: 'ENG', type: 'global', status: 'current' });
  });

  it('renames bump only that page; moves change descendants’ ancestors (top to bottom)', async () => {
    const a = cf.createPage({ space: 'ENG', title: 'A' });
    const b = cf.createPage({ space: 'ENG', title: 'B', parentId: a.id });
    const c = cf.createPage({ space: 'ENG', title: 'C', parentId: b.id });
    const home = cf.spaces.get(eng)!.homepageId!;
    const ancestors = await get(v2(), `/api/v2/pages/${c.id}/ancestors`);
    expect(ancestors['results']).toEqual([{ id: home, type: 'page' }, { id: a.id, type: 'page' }, { id: b.id, type: 'page' }]);
    keysWithin(ancestors['results'][0], S.V2_ANCESTOR_FIELDS);
    expect((await get(v2(), `/api/v2/pages/${c.id}/ancestors`, { limit: 1 }))['results']).toEqual([{ id: b.id, type: 'page' }]);
    tick(5 * MIN);
    cf.rename(a.id, 'A renamed');
    const [ra, rb] = await Promise.all([get(v2(), `/api/v2/pages/${a.id}`), get(v2(), `/api/v2/pages/${b.id}`)]);
    expect(ra['version']).toMatchObject({ number: 2, createdAt: '2026-03-02T09:05:00.000Z' });
    expect(ra['_links'].webui).toContain('/A+renamed');
    expect(rb['version'].number).toBe(1);
    cf.move(b.id, home);
    expect((await get(v2(), `/api/v2/pages/${c.id}/ancestors`))['results'].map((x: Json) => x['id'])).toEqual([home, b.id]);
    expect((await get(v2(), `/api/v2/pages/${b.id}`))['parentId']).toBe(home);
    const kids = await get(v2(), `/api/v2/pages/${home}/children`);
    keysWithin(kids['results'][0], S.V2_CHILD_PAGE_FIELDS);
    expect(kids['results'].map((x: Json) => x['title'])).toEqual(['A renamed', 'B']);
    expect((await get(v2(), `/api/v2/pages/${home}/direct-children`))['results'][0].type).toBe('page');
    expect((await get(v2(), `/api/v2/pages/${a.id}/versions`))['results'].map((v: Json) => v['number'])).toEqual([2, 1]);
  });

  it('trash, restore, purge and drafts', async () => {
    const p = cf.createPage({ space: 'ENG', title: 'Doomed' });
    const draft = cf.createPage({ space: 'ENG', title: 'WIP', status: 'draft' });
    cf.trash(p.id);
    const titles = async (params: Json): Promise<string[]> => (await all(v2(), '/api/v2/pages', { 'space-id': eng, ...params })).map((x) => x['title']);
    expect(await titles({})).toEqual(['Engineering Home']);
    expect(await titles({ status: 'trashed' })).toEqual(['Doomed']);
    expect(await caught(get(v2(), `/api/v2/pages/${p.id}`))).toEqual(S.V2_NOT_FOUND.body);
    expect((await get(v2(), `/api/v2/pages/${p.id}`, { status: 'trashed' }))['status']).toBe('trashed');
    cf.restore(p.id);
    expect((await get(v2(), `/api/v2/pages/${p.id}`))['status']).toBe('current');
    cf.trash(p.id);
    cf.purge(p.id);
    expect(await caught(get(v2(), `/api/v2/pages/${p.id}`, { status: 'trashed' }))).toEqual(S.V2_NOT_FOUND.body);
    expect((await get(v2(), `/api/v2/pages/${draft.id}`, { 'get-draft': true }))['status']).toBe('draft');
    expect((await caught(get(v2(bob), `/api/v2/pages/${draft.id}`, { 'get-draft': true })))['errors'][0].status).toBe(404);
    const live = cf.createPage({ space: 'ENG', title: 'Live', body: '<p>v1</p>' });
    cf.saveDraft(live.id, { body: '<p>unpublished</p>' });
    expect((await get(v2(), `/api/v2/pages/${live.id}`, { 'body-format': 'storage' }))['body'].storage.value).toBe('<p>v1</p>');
    expect((await get(v2(), `/api/v2/pages/${live.id}`, { 'body-format': 'storage', 'get-draft': true }))['body'].storage.value).toBe('<p>unpublished</p>');
    const blog = cf.createBlogPost({ space: 'ENG', title: 'Weekly 📰', body: '<p>news</p>' });
    const blogs = await get(v2(), '/api/v2/blogposts', { 'space-id': eng });
    keysWithin(blogs['results'][0], S.V2_BLOGPOST_FIELDS);
    expect(blogs['results'].map((x: Json) => x['id'])).toEqual([blog.id]);
  });
});

describe('CQL search (v1, through the SDK)', () => {
  it('reads date literals in the caller’s time zone at minute precision and pages with cursors', async () => {
    const early = cf.createPage({ space: 'ENG', title: 'Early' });
    tick(10 * MIN);
    const mid = cf.createPage({ space: 'ENG', title: 'Mid' });
    tick(10 * MIN);
    cf.editBody(early.id, '<p>edited</p>');
    const since = cqlDate(T0 + 10 * MIN, ada.timeZone);
    expect(since).toBe('2026/03/02 01:10'); // 09:10Z in Los Angeles (PST)
    const res = await v1().search.searchByCQL({ cql: `type=page AND space in ("ENG","OPS") AND lastmodified >= "${since}" order by lastmodified asc` });
    expect(res.results.map((r) => r.content.id)).toEqual([mid.id, early.id]);
    keysWithin(res as unknown as Json, S.V1_SEARCH_PAGE_FIELDS);
    keysWithin(res.results[0] as unknown as Json, S.V1_SEARCH_RESULT_FIELDS);
    expect(res.results[0]).toMatchObject({ entityType: 'content', lastModified: '2026-03-02T09:10:00.000Z', content: { type: 'page', status: 'current' } });
    const tokyo = await v1(bob).search.searchByCQL({ cql: `lastmodified > "${cqlDate(T0 + 10 * MIN, bob.timeZone)}"` });
    expect(tokyo.results.map((r) => r.content.id)).toEqual([early.id]); // ">" skips the whole 09:10 minute
    const paged: string[] = [];
    let page = await v1().search.searchByCQL({ cql: 'type = page order by lastmodified asc', limit: 2 });
    paged.push(...page.results.map((r) => r.content.id));
    while (page._links['next']) {
      const cursor = new URL(String(page._links['next']), cf.url).searchParams.get('cursor')!;
      page = await v1().search.searchByCQL({ cql: 'type = page order by lastmodified asc', limit: 2, cursor });
      paged.push(...page.results.map((r) => r.content.id));
    }
    expect(paged).toHaveLength(3);
    const contents = await v1().content.searchContentByCQL({ cql: `id in (${mid.id},${early.id}) OR ancestor = ${mid.id}`, expand: ['version', 'body.storage'] });
    expect(contents.results.map((c) => [c.id, c.version?.number])).toEqual([[early.id, 2], [mid.id, 1]]);
    expect(contents.results[0]!.body?.storage?.value).toBe('<p>edited</p>');
    const bad = await caught(v1().search.searchByCQL({ cql: 'lastmodified >= now("-1d")' }));
    expect(bad).toMatchObject({ statusCode: 400, message: 'com.atlassian.confluence.api.service.exceptions.BadRequestException: Could not parse cql : lastmodified >= now("-1d")' });
    keysWithin(bad, ['statusCode', 'data', 'message', 'reason']);
    expect(Object.keys(bad['data'])).toEqual(expect.arrayContaining(S.V1_NOT_FOUND.dataKeys));
  });
});

describe('restrictions and permissions', () => {
  it('hides restricted pages (inherited) from listings, search and by id; lists restrictions', async () => {
    const secret = cf.createPage({ space: 'ENG', title: 'Secret', readRestriction: { users: [ada.accountId], groups: ['eng'] } });
    const child = cf.createPage({ space: 'ENG', title: 'Secret child', parentId: secret.id });
    const ids = async (u: StoredUser): Promise<string[]> => (await all(v2(u), '/api/v2/pages', {})).map((p) => p['id']);
    expect(await ids(ada)).toEqual(expect.arrayContaining([secret.id, child.id]));
    expect(await ids(bob)).not.toEqual(expect.arrayContaining([secret.id]));
    expect(await ids(bob)).not.toContain(child.id);
    expect(await caught(get(v2(bob), `/api/v2/pages/${child.id}`))).toEqual(S.V2_NOT_FOUND.body);
    expect((await v1(bob).search.searchByCQL({ cql: 'type=page' })).results.map((r) => r.title)).toEqual(['Engineering Home']);
    const read = (await v1().contentRestrictions.getRestrictionsForOperation({ id: secret.id, operationKey: 'read' })) as unknown as Json;
    keysWithin(read, S.V1_RESTRICTION_FIELDS);
    expect(read['restrictions'].user.results.map((u: Json) => u['accountId'])).toEqual([ada.accountId]);
    expect(read['restrictions'].group.results.map((g: Json) => g['name'])).toEqual(['eng']);
    const v1Missing = await caught(v1(bob).content.getContentById({ id: child.id }));
    expect(Object.keys(v1Missing)).toEqual(expect.arrayContaining(S.V1_NOT_FOUND.keys));
    cf.addSpace({ key: 'HR', name: 'People', viewers: { groups: ['hr'] } });
    expect((await get(v2(), '/api/v2/spaces'))['results'].map((s: Json) => s['key'])).toEqual(['ENG']);
    cf.addToGroup(ada.accountId, 'hr');
    expect((await get(v2(), '/api/v2/spaces'))['results'].map((s: Json) => s['key'])).toEqual(['ENG', 'HR']);
  });
});

describe('rate limits and faults', () => {
  it('answers 429 with Retry-After and X-RateLimit-* once the burst budget is spent, then recovers', async () => {
    cf.setRateLimits({ max: 2, windowMs: 10_000 });
    await get(v2(), '/api/v2/spaces');
    const near = await raw('/wiki/api/v2/spaces');
    expect(near.headers.get('x-ratelimit-nearlimit')).toBe('true');
    const limited = await raw('/wiki/api/v2/spaces');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('10');
    expect(limited.headers.get('x-ratelimit-reset')).toBe('2026-03-02T09:00Z');
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(limited.headers.get('ratelimit-reason')).toBeTruthy();
    expect((await caught(v1().search.searchByCQL({ cql: 'type=page' }))).statusCode).toBe(429);
    tick(10_001);
    expect((await get(v2(), '/api/v2/spaces'))['results']).toHaveLength(1);
    cf.setRateLimits({ max: Infinity });
    cf.failNext('GET /wiki/api/v2/pages', 2, 503, { 'retry-after': '1' });
    expect((await caught(get(v2(), '/api/v2/pages')))['errors'][0]).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
    expect((await raw('/wiki/api/v2/pages')).headers.get('retry-after')).toBe('1');
    expect((await get(v2(), '/api/v2/pages'))['results']).toHaveLength(1);
    expect(cf.count('GET /wiki/api/v2/pages', 503)).toBe(2);
    expect(cf.countsByRoute()['GET /wiki/api/v2/spaces']).toBe(4);
  });
});

describe('Data Center webhooks', () => {
  let receiver: Server;
  let hookUrl: string;
  const received: { body: string; headers: IncomingHttpHeaders }[] = [];

  beforeEach(async () => {
    received.length = 0;
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => { received.push({ body: Buffer.concat(chunks).toString('utf8'), headers: req.headers }); res.writeHead(204).end(); });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  });

  afterEach(async () => {
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  it('posts the captured payload shapes signed with X-Hub-Signature: sha256=<hmac of the raw body>', async () => {
    const secret = 'It’s a Secret to Everybody';
    cf.registerWebhook({ url: hookUrl, secret });
    const p = cf.createPage({ space: 'ENG', title: 'Hooked' });
    cf.editBody(p.id, '<p>x</p>');
    cf.move(p.id, null);
    cf.trash(p.id);
    cf.restore(p.id);
    cf.trash(p.id);
    cf.purge(p.id);
    cf.createBlogPost({ space: 'ENG', title: 'Blog' });
    await cf.webhooks.settle();
    expect(received.map((r) => (JSON.parse(r.body) as Json)['event'])).toEqual(['page_created', 'page_updated', 'page_moved', 'page_trashed', 'page_restored', 'page_trashed', 'page_removed', 'blog_created']);
    for (const r of received) {
      expect(r.headers['x-hub-signature']).toBe(`sha256=${createHmac('sha256', secret).update(r.body).digest('hex')}`);
      expect(r.headers['content-type']).toContain('application/json');
    }
    const [created, updated] = received.map((r) => JSON.parse(r.body) as Json);
    expect(Object.keys(created!).sort()).toEqual(Object.keys(S.DC_PAGE_CREATED.body).sort());
    expect(Object.keys(updated!).sort()).toEqual(Object.keys(S.DC_PAGE_UPDATED.body).sort());
    expect(created).toMatchObject({ timestamp: T0, page: { id: Number(p.id) } });
    expect(updated!['updateTrigger']).toBe('edit_page');
    expect(Object.keys(JSON.parse(received.at(-1)!.body) as Json).sort()).toEqual(['blog', 'event', 'timestamp', 'userKey']);
    expect(cf.deliveries.every((d) => d.status === 204)).toBe(true);
  });
});
