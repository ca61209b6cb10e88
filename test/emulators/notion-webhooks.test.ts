/**
 * Notion webhooks from the emulator: the verification request, documented event shapes
 * (./notion/samples.ts), X-Notion-Signature checked with node:crypto and with the SDK's own
 * verifyWebhookSignature, aggregation within the window, created-then-deleted cancelling, retries
 * with a growing attempt_number, and postNotionWebhook for receivers.
 */
import { verifyWebhookSignature } from '@notionhq/client';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DOCS_PAGE_CONTENT_UPDATED, DOCS_PAGE_CREATED, DOCS_PAGE_PROPERTIES_UPDATED, DOCS_VERIFICATION, shapeOf } from './notion/samples.ts';
import { seedWorkspace, type SeededWorkspace } from './notion/testkit.ts';
import { AGGREGATION_MS, postNotionWebhook, retryDelayMs, startNotion, type NotionEmulator, type Subscription } from './notion.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let emu: NotionEmulator;
let ws: SeededWorkspace;
let nowMs: number;
let receiver: Server;
let hookUrl: string;
let received: { body: string; headers: IncomingHttpHeaders }[];
let answers: number[];
let sub: Subscription;

const events = (): Json[] => received.slice(1).map((r) => JSON.parse(r.body) as Json);
/** Keys of the documented sample, with the emulator's value shapes (accessible_by is public-integration only). */
const sameShape = (event: Json, sample: Json): void => {
  const { accessible_by: _omit, ...documented } = sample;
  void _omit;
  const { api_version: _v, ...ours } = event;
  void _v;
  expect(shapeOf(ours)).toEqual(shapeOf(documented));
};

beforeEach(async () => {
  nowMs = Date.parse('2026-03-02T09:00:00Z');
  received = [];
  answers = [];
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ body: Buffer.concat(chunks).toString('utf8'), headers: req.headers });
      res.statusCode = answers.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/notion`;
  emu = await startNotion({ now: () => nowMs });
  ws = seedWorkspace(emu, 0);
  sub = await emu.subscribe(hookUrl);
});

afterEach(async () => {
  await emu.close();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

describe('subscription', () => {
  it('POSTs the one-time verification request, unsigned, with a secret_ token', () => {
    expect(received).toHaveLength(1);
    const body = JSON.parse(received[0]!.body) as Json;
    expect(shapeOf(body)).toEqual(shapeOf(DOCS_VERIFICATION));
    expect(body['verification_token']).toBe(sub.verificationToken);
    expect(sub.verificationToken).toMatch(/^secret_/);
    expect(received[0]!.headers['x-notion-signature']).toBeUndefined();
  });
});

describe('events', () => {
  it('aggregates content updates for ~1 minute, then delivers one signed event in the documented shape', async () => {
    const [block] = emu.world.need(ws.child, 'page').children;
    emu.editBlock(block!, { rich_text: [] });
    nowMs += 10_000;
    emu.append(ws.child, [{ type: 'paragraph', text: '追加 ✨' }]);
    expect(await emu.deliverWebhooks()).toBe(0);
    nowMs += AGGREGATION_MS;
    expect(await emu.deliverWebhooks()).toBe(1);
    const [event] = events();
    sameShape(event!, DOCS_PAGE_CONTENT_UPDATED);
    expect(event).toMatchObject({
      type: 'page.content_updated', entity: { id: ws.child, type: 'page' }, attempt_number: 1, subscription_id: sub.id,
      workspace_id: emu.workspaceId, workspace_name: emu.workspaceName, integration_id: emu.integrationId,
      data: { parent: { id: ws.handbook, type: 'page' } }, authors: [{ id: ws.alice, type: 'person' }],
    });
    expect((event!['data'] as Json)['updated_blocks']).toHaveLength(2);
    const { body, headers } = received[1]!;
    const signature = headers['x-notion-signature'] as string;
    expect(signature).toBe(`sha256=${createHmac('sha256', sub.verificationToken).update(body).digest('hex')}`);
    expect(await verifyWebhookSignature({ body, signature, verificationToken: sub.verificationToken })).toBe(true);
  });

  it('sends page.created and page.properties_updated shaped like the samples, with row parents', async () => {
    const page = emu.addPage({ title: '新しいページ' }, { pageId: ws.handbook });
    emu.setValues(ws.rows[0]!, { Points: 5, Done: true });
    emu.rename(ws.handbook, 'Renamed 📗');
    nowMs += AGGREGATION_MS;
    await emu.deliverWebhooks();
    const byType = new Map(events().map((e) => [`${e['type']}:${e['entity'].id}`, e]));
    const created = byType.get(`page.created:${page}`)!;
    sameShape(created, DOCS_PAGE_CREATED);
    const props = byType.get(`page.properties_updated:${ws.rows[0]}`)!;
    sameShape({ ...props, data: { ...props['data'], parent: { id: '', type: '' } } }, DOCS_PAGE_PROPERTIES_UPDATED);
    expect(props['data'].parent).toEqual({ id: ws.database, type: 'database', data_source_id: ws.dataSource });
    expect(props['data'].updated_properties).toHaveLength(2);
    const renamed = byType.get(`page.properties_updated:${ws.handbook}`)!;
    expect(renamed['data']).toEqual({ parent: { id: emu.workspaceId, type: 'space' }, updated_properties: ['title'] });
  });

  it('drops a page created and deleted within the window, and sends moved / deleted / undeleted / locked', async () => {
    const fleeting = emu.addPage({ title: 'tmp' }, { pageId: ws.handbook });
    emu.trash(fleeting);
    emu.lock(ws.handbook);
    expect(events()).toHaveLength(0);
    await emu.deliverWebhooks();
    expect(events().map((e) => e['type'])).toEqual(['page.locked']);
    emu.move(ws.child, { pageId: ws.rows[0]! });
    emu.trash(ws.rows[1]!);
    nowMs += AGGREGATION_MS;
    await emu.deliverWebhooks();
    emu.restore(ws.rows[1]!);
    await emu.deliverWebhooks({ force: true });
    expect(events().map((e) => e['type']).sort()).toEqual(['page.deleted', 'page.locked', 'page.moved', 'page.undeleted']);
    const moved = events().find((e) => e['type'] === 'page.moved')!;
    expect(moved['data'].parent).toEqual({ id: ws.rows[0], type: 'page' });
  });

  it('sends nothing for what the integration cannot see', async () => {
    emu.append(ws.hidden, [{ type: 'paragraph', text: 'still secret' }]);
    await emu.deliverWebhooks({ force: true });
    expect(events()).toHaveLength(0);
  });

  it('retries a failed delivery with backoff and a growing attempt_number, up to 8 attempts', async () => {
    answers = [500, 503, 200];
    emu.lock(ws.handbook);
    await emu.deliverWebhooks();
    nowMs += retryDelayMs(1) - 1;
    expect(await emu.deliverWebhooks()).toBe(0);
    nowMs += 1;
    await emu.deliverWebhooks();
    nowMs += retryDelayMs(2);
    await emu.deliverWebhooks();
    expect(events().map((e) => e['attempt_number'])).toEqual([1, 2, 3]);
    expect(new Set(events().map((e) => e['id'])).size).toBe(1);
    expect(emu.queuedEvents).toHaveLength(0);
    expect(emu.deliveries.map((d) => d.status)).toEqual([200, 500, 503, 200]);
    const total = Array.from({ length: 7 }, (_, i) => retryDelayMs(i + 1)).reduce((a, b) => a + b, 0);
    expect(total / 3_600_000).toBeCloseTo(23.8, 1);
  });
});

describe('postNotionWebhook', () => {
  it('signs and POSTs any payload the way Notion does', async () => {
    await postNotionWebhook(hookUrl, DOCS_PAGE_CREATED, { verificationToken: 'secret_abc' });
    const last = received.at(-1)!;
    expect(JSON.parse(last.body)).toEqual(DOCS_PAGE_CREATED);
    expect(await verifyWebhookSignature({ body: last.body, signature: last.headers['x-notion-signature'] as string, verificationToken: 'secret_abc' })).toBe(true);
  });
});
