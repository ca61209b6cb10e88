/**
 * The Notion connector against the loopback emulator, directly (no CLI): the Markdown of every
 * block type, scope and trash, incremental passes that read O(changes), a renamed page's
 * descendants refreshed, a 10,000-row data source paged through, Notion's 10,000-row query cap,
 * and a backfill at Notion's rate limit (180 requests a minute) without one failed request.
 * Pacing and Retry-After waits move the emulator's clock, never real time.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../shared/core/deps.ts';
import { notionSource } from '../../shared/connectors/notion/config.ts';
import { NotionConnector } from '../../shared/connectors/notion/notion-connector.ts';
import type { Cursor, LedgerEntry, PullWindow, StateStore } from '../../shared/ports/index.ts';
import { InMemoryStateStore } from '../support/memory-state-store.ts';
import { startNotion, type NotionEmulator, type NotionEmulatorOptions } from '../emulators/notion.ts';
import { seedWorkspace } from '../emulators/notion/testkit.ts';

let emu: NotionEmulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

const HOUR = 3_600_000;

async function start(options: NotionEmulatorOptions = {}): Promise<NotionEmulator> {
  emu = await startNotion({ now: () => Date.now() - 2 * HOUR, rateLimit: false, ...options });
  return emu;
}

function connectorOf(e: NotionEmulator, raw: Record<string, unknown> = {}, state: StateStore = new InMemoryStateStore()): NotionConnector {
  return new NotionConnector({
    source: notionSource.parse({ id: 'wiki', kind: 'notion', apiUrl: e.url, ...raw }),
    token: () => e.token, state, clock: { now: () => e.now() + 10 * 60_000 }, log: silentLogger,
    // Waits move the emulator's clock (its rate-limit window and stamps), not real time.
    sleep: async (ms) => e.advance(ms), random: () => 0.5,
  });
}

async function pass(c: NotionConnector, window: PullWindow): Promise<{ changed: Map<string, string>; deleted: string[]; final: Cursor }> {
  const changed = new Map<string, string>();
  const deleted: string[] = [];
  let cursor: Cursor | undefined;
  for (let i = 0; i < 10_000; i++) {
    const page = await c.pull(cursor, window);
    for (const ref of page.changed) changed.set(ref.id, ref.version);
    deleted.push(...page.deleted);
    cursor = JSON.parse(JSON.stringify(page.next)) as Cursor;
    if (page.done) return { changed, deleted, final: cursor };
  }
  throw new Error('pass did not end');
}

const windowAt = (e: NotionEmulator, extra: Partial<PullWindow> = {}): PullWindow => ({ snapshotAt: new Date(e.now() + 10 * 60_000).toISOString(), full: true, ...extra });

describe('notion connector', () => {
  it('renders every block type and row property as Markdown, and leaves trashed and unshared pages out', async () => {
    const e = await start();
    const w = seedWorkspace(e, 3);
    const c = connectorOf(e);
    const { changed } = await pass(c, windowAt(e));
    expect([...changed.keys()].sort()).toEqual([w.handbook, w.child, ...w.rows].sort());
    const { documents } = await c.fetch([w.handbook, w.child, w.rows[0]!, w.trashed, w.hidden]);
    const byId = new Map(documents.map((d) => [d.id, d]));
    expect([...byId.keys()].sort()).toEqual([w.handbook, w.child, w.rows[0]!].sort());
    const handbook = byId.get(w.handbook)!.text;
    for (const piece of [
      '# Handbook 📘 手册', '# Welcome', '## Toggle heading\n\nhidden in heading', '### 小见出し',
      'Bold [link](https://example.com)', '- bullet\n1. first', '- [x] ship it', '- More\n  inside toggle', '```typescript\nconst x = 1;\n```',
      '> 引用 😀', '> ⚠️ Note', '| Name | Value |\n| --- | --- |\n| a | 1 |', '[image: image](https://example.com/cat.png)',
      '[pdf: pdf]', '[file: notes.txt]', '$$a^2+b^2=c^2$$', 'synced original', 'left\n\nright',
      `[Child page](notion://page/${w.child})`, `[Tasks](notion://database/${w.database})`, 'filler 2',
    ]) expect(handbook, piece).toContain(piece);
    expect(handbook).not.toContain('X-Amz-Expires');
    expect(byId.get(w.child)).toMatchObject({ text: '# Child page\n\nchild body', metadata: { breadcrumb: 'Handbook 📘 手册', notionType: 'page' } });
    const row = byId.get(w.rows[0]!)!;
    expect(row.text).toContain('# Write docs ✍️\n\nNotes: 日本語のメモ\nPoints: 3\nPriority: High\nTags: docs\nState: In progress\nDue: 2026-03-05');
    expect(row.text).toMatch(/Key: TSK-1[\s\S]*\n\nrow body$/);
    expect(row.metadata).toMatchObject({ breadcrumb: 'Handbook 📘 手册 / Tasks', notionType: 'row' });
  });

  it('an incremental pass reads O(changes): search down to the watermark and one query per data source', async () => {
    const e = await start();
    const w = seedWorkspace(e, 3);
    const c = connectorOf(e);
    const first = await pass(c, windowAt(e));
    e.advance(30 * 60_000);
    const since = new Date(e.now()).toISOString();
    e.advance(5 * 60_000);
    e.clearRequests();
    const quiet = await pass(c, windowAt(e, { full: false, since, resume: first.final }));
    expect(quiet.changed.size).toBe(0);
    expect(e.requests().map((r) => r.route)).toEqual(['POST /v1/search', 'POST /v1/data_sources/:data_source_id/query']);
    e.append(w.child, [{ type: 'paragraph', text: 'new line' }]);
    e.setValues(w.rows[1]!, { Points: 9 });
    e.advance(5 * 60_000);
    const edited = await pass(c, windowAt(e, { full: false, since, resume: quiet.final }));
    expect([...edited.changed.keys()].sort()).toEqual([w.child, w.rows[1]!].sort());
    expect(edited.changed.get(w.child)).not.toBe(first.changed.get(w.child));
  });

  it('a renamed page refreshes its descendants\' versions in the same pass (the ledger holds the old title)', async () => {
    const e = await start();
    const w = seedWorkspace(e, 3);
    const ledger = new Map<string, LedgerEntry>();
    const state = { getDocuments: async (_s: string, ids: readonly string[]) => new Map(ids.flatMap((id) => (ledger.has(id) ? [[id, ledger.get(id)!] as const] : []))) } as unknown as StateStore;
    const c = connectorOf(e, {}, state);
    const first = await pass(c, windowAt(e));
    for (const [id, version] of first.changed) ledger.set(id, { sourceId: 'wiki', docId: id, version, title: id === w.handbook ? 'Handbook 📘 手册' : 'x' });
    e.advance(30 * 60_000);
    const since = new Date(e.now()).toISOString();
    e.rename(w.handbook, 'Company handbook');
    e.advance(5 * 60_000);
    const renamed = await pass(c, windowAt(e, { full: false, since, resume: first.final }));
    // The page itself, its child page and the rows of its database: new breadcrumbs, new versions.
    expect([...renamed.changed.keys()].sort()).toEqual([w.handbook, w.child, ...w.rows].sort());
    const { documents } = await c.fetch([w.child, w.rows[0]!]);
    expect(documents.map((d) => d.metadata?.['breadcrumb'])).toEqual(['Company handbook', 'Company handbook / Tasks']);
  });

  it('a trashed page takes its subtree out (its descendants keep in_trash false); list() walks every block tree', async () => {
    const e = await start();
    const w = seedWorkspace(e, 3);
    const c = connectorOf(e);
    const listed = async (): Promise<string[]> => {
      const ids: string[] = [];
      for await (const d of c.list()) ids.push(d.id);
      return ids.sort();
    };
    expect(await listed()).toEqual([w.handbook, w.child, ...w.rows].sort());
    e.trash(w.handbook);
    c.beginRun({ runId: 'r', trigger: 'cli', targeted: true });
    expect((await c.fetch([w.handbook, w.child])).documents).toEqual([]);
    expect(await listed()).toEqual([]);
  });

  // 3,000 rows, not 10,000: the emulator answers a query of 10,000 rows in ~0.3 s (a search in ~0.9 s),
  // so a 10,000-row pass would cost half a minute. A 1,000-row cap makes the pass cross it twice.
  it('pages through the rows of a large data source, past Notion\'s cap on one query\'s rows', async () => {
    const e = await start({ queryResultLimit: 1_000 });
    const db = e.addDatabase({ title: 'Big', shared: true, dataSources: [{ title: 'Big', properties: { Name: { type: 'title' } } }] });
    const ds = db.dataSources[0]!;
    const ids: string[] = [];
    for (let i = 0; i < 3_000; i++) {
      if (i % 500 === 0) e.advance(61_000);
      ids.push(e.addRow(ds, { values: { Name: `row ${i}` } }));
    }
    const c = connectorOf(e, { roots: [ds] });
    e.clearRequests();
    const { changed } = await pass(c, windowAt(e));
    expect([...changed.keys()].sort()).toEqual([...ids].sort());
    // 30 pages of 100, plus the rows of the last minute before each cap read again.
    expect(e.count('POST /v1/data_sources/:data_source_id/query')).toBeLessThan(55);
  });

  it('backfills a workspace at Notion\'s rate limit (180 requests a minute) without a failed request', async () => {
    const e = await start({ rateLimit: { requests: 180, windowMs: 60_000 } });
    const root = e.addPage({ title: 'Wiki', shared: true });
    const pages = Array.from({ length: 150 }, (_, i) => e.addPage({ title: `Page ${i}`, children: [{ type: 'paragraph', text: `body ${i}` }, { type: 'toggle', text: 't', children: [{ type: 'paragraph', text: `inner ${i}` }] }] }, { pageId: root }));
    const c = connectorOf(e, { requestsPerMinute: 180 });
    const { changed } = await pass(c, windowAt(e));
    expect(changed.size).toBe(151);
    const result = await c.fetch([...changed.keys()]);
    expect(result.documents).toHaveLength(151);
    expect(result.skipped).toEqual([]);
    expect(result.documents.find((d) => d.id === pages[7])!.text).toBe('# Page 7\n\nbody 7\n\n- t\n  inner 7');
    // Bursts meet the window's end now and then: each 429 is waited out (Retry-After), none fails.
    const limited = e.requests().filter((r) => r.status === 429).length;
    expect(e.requests().filter((r) => r.status !== 200 && r.status !== 429)).toEqual([]);
    console.log(`notion backfill: ${e.requests().length} requests, ${limited} answered 429 and retried`);
  });

  it('a rejected token fails with the fix; a missing one names the variable', async () => {
    const e = await start();
    e.addPage({ title: 'A', shared: true });
    const bad = new NotionConnector({ source: notionSource.parse({ id: 'wiki', kind: 'notion', apiUrl: e.url }), token: () => 'wrong', state: new InMemoryStateStore(), clock: { now: () => Date.now() }, log: silentLogger });
    await expect(bad.pull(undefined, windowAt(e))).rejects.toMatchObject({ retryable: false, message: expect.stringMatching(/NOTION_TOKEN holds the integration's secret/) });
    const none = new NotionConnector({ source: notionSource.parse({ id: 'wiki', kind: 'notion', apiUrl: e.url }), token: () => undefined, state: new InMemoryStateStore(), clock: { now: () => Date.now() }, log: silentLogger });
    await expect(none.pull(undefined, windowAt(e))).rejects.toThrow(/NOTION_TOKEN is not set/);
  });
});
