/**
 * The Notion emulator driven through the official SDK (@notionhq/client 5.26.0, pointed at the
 * emulator with `baseUrl`): every response is parsed by the SDK, pagination is followed with its
 * own helpers, errors surface as its APIResponseError, 429/503 go through its retry logic.
 * Shapes are checked against ./notion/samples.ts. Webhooks: ./notion-webhooks.test.ts.
 */
import {
  APIErrorCode, APIResponseError, Client, collectPaginatedAPI, isFullBlock, isFullPage, LogLevel, type BlockObjectResponse, type PageObjectResponse,
} from '@notionhq/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CAPTURED_NOT_FOUND, CAPTURED_UNAUTHORIZED, DOCS_MISSING_VERSION, shapeOf } from './notion/samples.ts';
import { seedWorkspace, type SeededWorkspace } from './notion/testkit.ts';
import { startNotion, type NotionEmulator } from './notion.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const T0 = Date.parse('2026-03-02T09:00:37.250Z');
let emu: NotionEmulator;
let ws: SeededWorkspace;
let notion: Client;
let nowMs: number;

const client = (auth = emu.token): Client => new Client({ auth, baseUrl: emu.url, logLevel: LogLevel.ERROR, retry: { maxRetries: 2, initialRetryDelayMs: 5, maxRetryDelayMs: 20 } });
async function raw(method: string, path: string, init: { body?: unknown; headers?: Record<string, string> } = {}): Promise<{ status: number; headers: Headers; body: Json }> {
  const response = await fetch(`${emu.url}${path}`, {
    method, headers: { authorization: `Bearer ${emu.token}`, 'notion-version': '2025-09-03', 'content-type': 'application/json', ...init.headers },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Json };
}
async function apiError(promise: Promise<unknown>): Promise<APIResponseError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(APIResponseError.isAPIResponseError(error)).toBe(true);
  return error as APIResponseError;
}

beforeEach(async () => {
  nowMs = T0;
  emu = await startNotion({ now: () => nowMs });
  ws = seedWorkspace(emu);
  notion = client();
});

afterEach(async () => {
  await emu.close();
});

describe('auth, version and errors', () => {
  it('answers an unknown token with 401 unauthorized, as the SDK error and in the captured body shape', async () => {
    const error = await apiError(client('ntn_wrong').users.me({}));
    expect(error.code).toBe(APIErrorCode.Unauthorized);
    expect(error.status).toBe(401);
    const body = JSON.parse(error.body) as Json;
    expect(shapeOf(body)).toEqual(shapeOf(CAPTURED_UNAUTHORIZED));
    expect(body['message']).toBe(CAPTURED_UNAUTHORIZED['message']);
  });

  it('requires Notion-Version (400 missing_version with the documented message)', async () => {
    const response = await fetch(`${emu.url}/v1/users/me`, { headers: { authorization: `Bearer ${emu.token}` } });
    const body = (await response.json()) as Json;
    expect(response.status).toBe(400);
    expect({ ...body, request_id: DOCS_MISSING_VERSION['request_id'] }).toEqual(DOCS_MISSING_VERSION);
  });

  it('hides what is not shared, and purged pages, behind 404 object_not_found', async () => {
    const error = await apiError(notion.pages.retrieve({ page_id: ws.hidden }));
    expect(error.code).toBe(APIErrorCode.ObjectNotFound);
    expect(shapeOf(JSON.parse(error.body))).toEqual(shapeOf(CAPTURED_NOT_FOUND));
    expect(error.message).toBe(`Could not find page with ID: ${ws.hidden}. Make sure the relevant pages and databases are shared with your integration.`);
    expect((await apiError(notion.blocks.children.list({ block_id: ws.hidden }))).status).toBe(404);
    emu.purge(ws.trashed);
    expect((await apiError(notion.pages.retrieve({ page_id: ws.trashed }))).code).toBe(APIErrorCode.ObjectNotFound);
    emu.share(ws.hidden);
    expect((await notion.pages.retrieve({ page_id: ws.hidden.replace(/-/g, '') })).id).toBe(ws.hidden);
  });

  it('validates parameters like the API (400 validation_error)', async () => {
    const size = await apiError(notion.blocks.children.list({ block_id: ws.handbook, page_size: 101 }));
    expect(size.code).toBe(APIErrorCode.ValidationError);
    expect(size.message).toBe('query failed validation: query.page_size should be ≤ `100`, instead was `101`.');
    const db = await apiError(notion.search({ filter: { property: 'object', value: 'database' as 'page' } }));
    expect(db.message).toContain('body.filter.value should be');
    const unknown = await raw('POST', '/v1/search', { body: { cursor: 'x' } });
    expect(unknown.body).toMatchObject({ status: 400, code: 'validation_error', message: 'body failed validation: body.cursor should be not present, instead was `"x"`.' });
    expect((await raw('GET', '/v1/pages/not-a-uuid')).body['code']).toBe('validation_error');
    expect((await raw('GET', '/v1/nothing')).body).toMatchObject({ status: 400, code: 'invalid_request_url' });
    const bad = await fetch(`${emu.url}/v1/search`, { method: 'POST', headers: { authorization: `Bearer ${emu.token}`, 'notion-version': '2025-09-03', 'content-type': 'application/json' }, body: '{' });
    expect(((await bad.json()) as Json)['code']).toBe('invalid_json');
  });
});

describe('pages, blocks and timestamps', () => {
  it('returns pages with in_trash and its archived mirror, minute-rounded times, parents of every kind', async () => {
    const page = (await notion.pages.retrieve({ page_id: ws.handbook })) as PageObjectResponse;
    expect(isFullPage(page)).toBe(true);
    expect(page).toMatchObject({ object: 'page', in_trash: false, archived: false, parent: { type: 'workspace', workspace: true }, created_time: '2026-03-02T09:00:00.000Z' });
    expect(page.properties['title']).toMatchObject({ id: 'title', type: 'title', title: [{ plain_text: 'Handbook 📘 手册' }] });
    expect((await notion.pages.retrieve({ page_id: ws.child }) as PageObjectResponse).parent).toEqual({ type: 'page_id', page_id: ws.handbook });
    const row = (await notion.pages.retrieve({ page_id: ws.rows[0]! })) as PageObjectResponse;
    expect(row.parent).toEqual({ type: 'data_source_id', data_source_id: ws.dataSource, database_id: ws.database });
    const trashed = (await notion.pages.retrieve({ page_id: ws.trashed })) as PageObjectResponse;
    expect(trashed).toMatchObject({ in_trash: true, archived: true });
    const v2026 = new Client({ auth: emu.token, baseUrl: emu.url, notionVersion: '2026-03-11', logLevel: LogLevel.ERROR });
    expect('archived' in (await v2026.pages.retrieve({ page_id: ws.trashed }))).toBe(false);
  });

  it('lists children one level per call, follows cursors to the end, and recurses on has_children', async () => {
    emu.clearRequests();
    const top = (await collectPaginatedAPI(notion.blocks.children.list, { block_id: ws.handbook })) as BlockObjectResponse[];
    expect(emu.count('GET /v1/blocks/:block_id/children')).toBe(2);
    const types = new Set(top.map((b) => b.type));
    for (const t of ['paragraph', 'heading_1', 'heading_2', 'heading_3', 'bulleted_list_item', 'numbered_list_item', 'to_do', 'toggle', 'code', 'quote', 'callout', 'divider', 'table', 'image', 'pdf', 'file', 'video', 'bookmark', 'embed', 'link_preview', 'equation', 'synced_block', 'column_list', 'table_of_contents', 'breadcrumb', 'template', 'unsupported', 'child_page', 'child_database']) {
      expect(types, t).toContain(t);
    }
    expect(types).not.toContain('child_page_trashed');
    expect(top.some((b) => b.id === ws.trashed)).toBe(false);
    const walk = async (id: string, depth: number): Promise<number> => {
      const kids = (await collectPaginatedAPI(notion.blocks.children.list, { block_id: id })) as BlockObjectResponse[];
      let n = kids.length;
      for (const k of kids) if (k.has_children && k.type !== 'child_page' && depth < 4) n += await walk(k.id, depth + 1);
      return n;
    };
    expect(await walk(ws.handbook, 0)).toBeGreaterThan(top.length + 8);
    const toggle = top.find((b) => b.id === ws.toggle)!;
    expect(isFullBlock(toggle) && toggle.has_children).toBe(true);
    const h2 = top.find((b) => b.type === 'heading_2');
    expect(h2?.type === 'heading_2' && h2.heading_2.is_toggleable).toBe(true);
    const long = top.find((b) => b.type === 'paragraph' && b.paragraph.rich_text.length === 3);
    expect(long?.type === 'paragraph' && long.paragraph.rich_text.map((r) => r.plain_text).join('')).toBe(ws.longText);
    const mentions = top.find((b) => b.type === 'paragraph' && b.paragraph.rich_text.some((r) => r.type === 'mention'));
    expect(mentions?.type === 'paragraph' && mentions.paragraph.rich_text.map((r) => r.type)).toEqual(['text', 'text', 'mention', 'mention', 'equation']);
    const synced = top.filter((b) => b.type === 'synced_block').map((b) => (b.type === 'synced_block' ? b.synced_block.synced_from : undefined));
    expect(synced).toEqual([null, { type: 'block_id', block_id: '5b1c0000-0000-4000-8000-000000000001' }]);
  });

  it('hands out Notion-hosted file URLs that expire after an hour', async () => {
    const block = (await notion.blocks.retrieve({ block_id: ws.pdf })) as BlockObjectResponse;
    if (block.type !== 'pdf' || block.pdf.type !== 'file') throw new Error('expected a hosted pdf');
    expect(block.pdf.file.expiry_time).toBe(new Date(nowMs + 3_600_000).toISOString());
    expect(await (await fetch(block.pdf.file.url)).text()).toBe('%PDF-1.4 emulated');
    emu.advance(3_600_001);
    expect((await fetch(block.pdf.file.url)).status).toBe(403);
  });

  it('moves last_edited_time like Notion: rename touches only the page, a child block edit touches its page', async () => {
    nowMs += 5 * 60_000;
    await notion.pages.update({ page_id: ws.handbook, properties: { title: { title: [{ text: { content: 'Handbook v2' } }] } } });
    const renamed = (await notion.pages.retrieve({ page_id: ws.handbook })) as PageObjectResponse;
    expect(renamed.last_edited_time).toBe('2026-03-02T09:05:00.000Z');
    expect(renamed.last_edited_by.id).toBe(emu.bot.id);
    expect(((await notion.pages.retrieve({ page_id: ws.child })) as PageObjectResponse).last_edited_time).toBe('2026-03-02T09:00:00.000Z');
    nowMs += 3 * 60_000;
    const [childBlock] = emu.world.need(ws.child, 'page').children;
    emu.editBlock(childBlock!, { rich_text: [] });
    expect(((await notion.pages.retrieve({ page_id: ws.child })) as PageObjectResponse).last_edited_time).toBe('2026-03-02T09:08:00.000Z');
    emu.move(ws.child, 'workspace');
    const moved = await apiError(notion.pages.retrieve({ page_id: ws.child }));
    expect(moved.code).toBe(APIErrorCode.ObjectNotFound);
    await notion.pages.update({ page_id: ws.rows[2]!, in_trash: true });
    const edit = await apiError(notion.pages.update({ page_id: ws.rows[2]!, properties: { Name: { title: [] } } }));
    expect(edit.message).toBe("Can't edit block that is archived. You must unarchive the block before editing.");
  });
});

describe('databases, data sources, queries, search, users', () => {
  it('lists data sources on the database and returns property values of every type', async () => {
    const db = await notion.databases.retrieve({ database_id: ws.database });
    expect('data_sources' in db && db.data_sources).toEqual([{ id: ws.dataSource, name: 'Tasks' }]);
    const ds = await notion.dataSources.retrieve({ data_source_id: ws.dataSource });
    expect('parent' in ds && ds.parent).toEqual({ type: 'database_id', database_id: ws.database });
    const row = (await notion.pages.retrieve({ page_id: ws.rows[0]! })) as PageObjectResponse;
    const p = row.properties as Json;
    expect(p['Priority'].select.name).toBe('High');
    expect(p['State'].status.name).toBe('In progress');
    expect(p['Owner'].people[0]).toMatchObject({ object: 'user', id: ws.alice, type: 'person' });
    expect(p['Key'].unique_id).toEqual({ prefix: 'TSK', number: 1 });
    expect(p['Due'].date).toEqual({ start: '2026-03-05', end: null, time_zone: null });
    expect(p['Created'].created_time).toBe('2026-03-02T09:00:00.000Z');
    expect(p['Score'].formula).toEqual({ type: 'number', number: 6 });
    const title = await notion.pages.properties.retrieve({ page_id: ws.rows[0]!, property_id: 'title' });
    expect(title.object === 'list' && title.results[0]).toMatchObject({ object: 'property_item', type: 'title', title: { plain_text: 'Write docs ✍️' } });
  });

  it('queries with timestamp, property and compound filters, sorts, and pages to the end', async () => {
    nowMs += 10 * 60_000;
    emu.setValues(ws.rows[2]!, { Points: 1 });
    const recent = await notion.dataSources.query({ data_source_id: ws.dataSource, filter: { timestamp: 'last_edited_time', last_edited_time: { on_or_after: '2026-03-02T09:10:00.000Z' } } });
    expect(recent.results.map((r) => r.id)).toEqual([ws.rows[2]]);
    const compound = await notion.dataSources.query({
      data_source_id: ws.dataSource,
      filter: { or: [{ property: 'Tags', multi_select: { contains: 'ops' } }, { and: [{ property: 'Points', number: { greater_than: 2 } }, { property: 'Done', checkbox: { equals: false } }] }] },
      sorts: [{ property: 'Points', direction: 'descending' }],
    });
    expect(compound.results.map((r) => r.id)).toEqual([ws.rows[1], ws.rows[0]]);
    emu.clearRequests();
    const all = await collectPaginatedAPI(notion.dataSources.query, { data_source_id: ws.dataSource, page_size: 1 });
    expect(all).toHaveLength(3);
    expect(emu.count('POST /v1/data_sources/:data_source_id/query')).toBe(3);
    const missing = await apiError(notion.dataSources.query({ data_source_id: ws.dataSource, filter: { property: 'Nope', checkbox: { equals: true } } }));
    expect(missing.message).toBe('Could not find property with name or id: Nope');
  });

  it('caps a query at the result limit with request_status incomplete', async () => {
    await emu.close();
    emu = await startNotion({ now: () => nowMs, queryResultLimit: 2 });
    ws = seedWorkspace(emu, 0);
    const page = await client().dataSources.query({ data_source_id: ws.dataSource });
    expect(page.results).toHaveLength(2);
    expect(page.has_more).toBe(false);
    expect(page.request_status).toEqual({ type: 'incomplete', incomplete_reason: 'query_result_limit_reached' });
  });

  it('searches shared pages and data sources by title, sorted by last_edited_time, with an optional lag', async () => {
    const pages = await collectPaginatedAPI(notion.search, { filter: { property: 'object', value: 'page' }, page_size: 2 });
    expect(pages.some((p) => p.id === ws.hidden || p.id === ws.trashed)).toBe(false);
    expect(pages.length).toBeGreaterThanOrEqual(5);
    const sources = await notion.search({ filter: { property: 'object', value: 'data_source' }, sort: { timestamp: 'last_edited_time', direction: 'descending' } });
    expect(sources.results.map((r) => r.object)).toEqual(['data_source']);
    expect((await notion.search({ query: '手册' })).results.map((r) => r.id)).toEqual([ws.handbook]);
    await emu.close();
    emu = await startNotion({ now: () => nowMs, searchLagMs: 30_000 });
    ws = seedWorkspace(emu, 0);
    expect((await client().search({ query: 'Handbook' })).results).toHaveLength(0);
    nowMs += 30_000;
    expect((await client().search({ query: 'Handbook' })).results).toHaveLength(1);
  });

  it('lists users and returns the bot with bot.workspace_name from /users/me', async () => {
    const users = await collectPaginatedAPI(notion.users.list, {});
    expect(users.map((u) => u.type).sort()).toEqual(['bot', 'bot', 'person', 'person', 'person']);
    const me = await notion.users.me({});
    expect(me.type === 'bot' && 'workspace_name' in me.bot && me.bot.workspace_name).toBe(emu.workspaceName);
  });
});

describe('rate limits and faults', () => {
  it('answers over-budget requests with 429 rate_limited and Retry-After in seconds; the SDK retries then gives up', async () => {
    emu.setRateLimit({ requests: 2, windowMs: 60_000 });
    await raw('GET', '/v1/users/me');
    nowMs += 20_000;
    await raw('GET', '/v1/users/me');
    const limited = await raw('GET', '/v1/users/me');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('40');
    expect(limited.body).toMatchObject({ object: 'error', status: 429, code: 'rate_limited' });
    emu.clearRequests();
    const error = await apiError(notion.users.me({}));
    expect(error.code).toBe(APIErrorCode.RateLimited);
    expect(emu.count('GET /v1/users/me', 429)).toBe(3);
    nowMs += 40_000;
    expect((await notion.users.me({})).id).toBe(emu.bot.id);
  });

  it('injects 503 (retried by the SDK on GET) and 409 (surfaced on PATCH)', async () => {
    emu.setRateLimit(false);
    emu.failNext('GET /v1/pages/:page_id', 503);
    emu.clearRequests();
    expect((await notion.pages.retrieve({ page_id: ws.handbook })).id).toBe(ws.handbook);
    expect(emu.requests().map((r) => r.status)).toEqual([503, 200]);
    emu.failNext('PATCH /v1/pages/:page_id', 409);
    expect((await apiError(notion.pages.update({ page_id: ws.handbook, in_trash: true }))).code).toBe(APIErrorCode.ConflictError);
    emu.failNext('*', 504, 3);
    expect((await apiError(notion.users.list({}))).code).toBe(APIErrorCode.GatewayTimeout);
  });
});
