/**
 * The Confluence connector against the loopback Confluence emulator, beyond the shared contract:
 * 10,000 pages in one pass with no cap, CQL dates in the API user's zone at minute precision,
 * edits during a pass, descendants of a renamed or moved page, access from inherited read
 * restrictions, the document text, deletions, per-page isolation, 429s and auth, the reconcile
 * interval and blog posts. Requests are counted from the emulator's log.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { confluenceSource } from '../../shared/connectors/confluence/config.ts';
import { ConfluenceConnector } from '../../shared/connectors/confluence/confluence-connector.ts';
import { ProviderAuthError } from '../../shared/connectors/kit/index.ts';
import type { Cursor, DocumentRef, PullWindow } from '../../shared/ports/index.ts';
import { cqlDate, RICH_ADF, RICH_STORAGE, startConfluence, type ConfluenceEmulator } from '../emulators/confluence.ts';
import { InMemoryStateStore } from '../support/memory-state-store.ts';

const TOKEN = 'contract-token';
const SEARCH = 'GET /wiki/rest/api/search';
const T0 = Date.parse('2026-02-02T08:00:00.000Z');

let emu: ConfluenceEmulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

interface Site {
  readonly emu: ConfluenceEmulator;
  readonly clock: { now: number };
  readonly ada: string;
  readonly home: string;
}

async function site(options: { timeZone?: string; searchMaxLimit?: number } = {}): Promise<Site> {
  const clock = { now: T0 };
  emu = await startConfluence({ now: () => clock.now, ...(options.searchMaxLimit ? { searchMaxLimit: options.searchMaxLimit } : {}) });
  emu.setRateLimits({ max: Infinity });
  const ada = emu.addUser({ email: 'ada@acme.test', displayName: 'Ada Lovelace', apiToken: TOKEN, timeZone: options.timeZone ?? 'UTC', groups: ['eng-leads'] }).accountId;
  const home = emu.addSpace({ key: 'ENG', name: 'Engineering' }).homepageId!;
  return { emu, clock, ada, home };
}

function connector(s: Site, extra: Record<string, unknown> = {}, state = new InMemoryStateStore(), sleeps: number[] = []): ConfluenceConnector {
  const source = confluenceSource.parse({
    id: 'wiki', kind: 'confluence', siteUrl: s.emu.url, email: 'ada@acme.test', spaces: ['ENG'], requestsPerMinute: 6000, ...extra,
  });
  return new ConfluenceConnector({
    source, state, clock: { now: () => s.clock.now }, secret: (name) => (name === 'CONFLUENCE_API_TOKEN' ? TOKEN : undefined),
    sleep: async (ms) => { sleeps.push(ms); }, random: () => 0.5,
  });
}

const window = (s: Site, since?: number, resume?: Cursor): PullWindow => ({
  snapshotAt: new Date(s.clock.now).toISOString(), full: since === undefined,
  ...(since !== undefined ? { since: new Date(since).toISOString() } : {}), ...(resume ? { resume } : {}),
});

async function pass(c: ConfluenceConnector, w: PullWindow, between?: (page: number) => void): Promise<{ refs: DocumentRef[]; pages: number; last: Cursor }> {
  const refs: DocumentRef[] = [];
  let cursor: Cursor | undefined;
  for (let pages = 1; ; pages++) {
    const page = await c.pull(cursor === undefined ? undefined : JSON.parse(JSON.stringify(cursor)) as Cursor, w);
    refs.push(...page.changed);
    cursor = page.next;
    if (page.done) return { refs, pages, last: cursor };
    between?.(pages);
  }
}

/** Records the ledger as the core would after indexing `refs` (version and title). */
async function commit(state: InMemoryStateStore, c: ConfluenceConnector, ids: readonly string[]): Promise<void> {
  const { documents } = await c.fetch(ids);
  for (const d of documents) {
    await state.claimDocument({ sourceId: 'wiki', docId: d.id, rev: '1' });
    await state.commitDocument({ sourceId: 'wiki', docId: d.id, rev: '1', version: d.version, contentHash: 'h', chunkHashes: [], chunker: 'c', title: d.title!, decor: 'd', updatedAt: d.updatedAt! });
  }
}

describe('Confluence connector', () => {
  // 500 pages, not 10,000: the emulator evaluates a CQL date clause per page with a fresh Intl
  // formatter (about 0.3 ms a page), so one request over 10,000 pages costs it 6 s.
  it('pages through 500 pages in one pass at the limit Confluence answers (100 of the 250 asked), no cap', async () => {
    // Prepare: pages a second apart (about 60 a minute).
    const s = await site();
    for (let i = 0; i < 500; i++) {
      s.clock.now += 1000;
      s.emu.createPage({ space: 'ENG', title: `Page ${i}`, parentId: null, body: `<p>${i}</p>` });
    }
    s.emu.resetLog();

    // Act
    const { refs, pages } = await pass(connector(s, { pageSize: 250 }), window(s));

    // Assess: every page (and the homepage) once; requests: the zone, then one per page of 100.
    expect(new Set(refs.map((r) => r.id)).size).toBe(501);
    expect(refs).toHaveLength(501);
    expect(pages).toBe(6);
    expect(s.emu.countsByRoute()).toEqual({ 'GET /wiki/rest/api/user/current': 1, [SEARCH]: 6 });
  });

  it('asks CQL for lastmodified from since − 1 minute, in the API user\'s time zone, and gets only what changed', async () => {
    // Prepare: a user in India (UTC+05:30); two pages; one edited two hours later.
    const s = await site({ timeZone: 'Asia/Kolkata' });
    const kept = s.emu.createPage({ space: 'ENG', title: 'Kept', body: '<p>old</p>' }).id;
    const edited = s.emu.createPage({ space: 'ENG', title: 'Edited', body: '<p>old</p>' }).id;
    const c = connector(s);
    const first = await pass(c, window(s));
    s.clock.now = T0 + 2 * 3_600_000;
    s.emu.editBody(edited, '<p>new</p>');
    s.clock.now += 60_000;
    s.emu.resetLog();
    const since = T0 + 3_600_000 + 42_000;

    // Act
    const { refs } = await pass(c, window(s, since));

    // Assess
    expect(refs.map((r) => r.id)).toEqual([edited]);
    expect(refs[0]!.version).not.toBe(first.refs.find((r) => r.id === edited)!.version);
    const cql = s.emu.requests(SEARCH)[0]!.query['cql'];
    expect(cql).toBe(`type = page AND space in ("ENG") AND lastmodified >= "${cqlDate(since - 42_000 - 60_000, 'Asia/Kolkata')}" ORDER BY lastmodified ASC`);
    expect(cql).toContain('lastmodified >= "2026/02/02 14:29"');
    expect(first.refs.map((r) => r.id)).toContain(kept);
  });

  it('loses no page when pages are edited while a pass pages through them', async () => {
    // Prepare: 30 pages 20 s apart, 5 per page.
    const s = await site();
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) {
      s.clock.now += 20_000;
      ids.push(s.emu.createPage({ space: 'ENG', title: `P${i}`, parentId: null }).id);
    }
    s.clock.now += 60_000;
    const c = connector(s, { pageSize: 5 });

    // Act: after the second page, pages already listed and pages not yet listed are edited.
    const { refs } = await pass(c, window(s, T0), (n) => {
      if (n !== 2) return;
      s.clock.now += 1000;
      for (const id of [ids[1]!, ids[3]!, ids[12]!, ids[20]!]) s.emu.editBody(id, '<p>edited</p>');
    });

    // Assess
    expect(new Set(refs.map((r) => r.id))).toEqual(new Set([s.home, ...ids]));
  });

  it('refreshes the descendants of a renamed page in the same pass, and those of a moved page on its hint', async () => {
    // Prepare: Home > Guides > (Setup, Deploy > Rollback), Home > Other; all indexed.
    const s = await site();
    const page = (title: string, parentId: string): string => s.emu.createPage({ space: 'ENG', title, parentId, body: `<p>${title}</p>` }).id;
    const guides = page('Guides', s.home);
    const setup = page('Setup', guides);
    const deploy = page('Deploy', guides);
    const rollback = page('Rollback', deploy);
    const other = page('Other', s.home);
    const state = new InMemoryStateStore();
    const c = connector(s, {}, state);
    const initial = await pass(c, window(s));
    await commit(state, c, initial.refs.map((r) => r.id));

    // Act 1: Guides renamed.
    s.clock.now += 120_000;
    s.emu.rename(guides, 'Handbook');
    s.clock.now += 60_000;
    s.emu.resetLog();
    const renamed = await pass(c, window(s, T0 + 120_000));

    // Assess 1: Guides and everything below it, at new versions; Other untouched.
    expect(renamed.refs.map((r) => r.id).sort()).toEqual([guides, setup, deploy, rollback].sort());
    for (const ref of renamed.refs) expect(ref.version).not.toBe(initial.refs.find((r) => r.id === ref.id)!.version);
    expect(s.emu.count(SEARCH)).toBe(2);
    const { documents } = await c.fetch([rollback]);
    expect(documents[0]!.metadata).toMatchObject({ breadcrumb: 'Engineering Home > Handbook > Deploy' });

    // Act 2: Deploy moved under Other (no new version), announced by a page_moved hint.
    await commit(state, c, renamed.refs.map((r) => r.id));
    s.emu.move(deploy, other);
    c.beginRun({ runId: 'r2', trigger: 'webhook', targeted: true });
    const moved = await c.fetch([deploy]);

    // Assess 2: Deploy and Rollback, with the new breadcrumb.
    expect(moved.documents.map((d) => [d.id, d.metadata?.['breadcrumb']])).toEqual([
      [deploy, 'Engineering Home > Other'], [rollback, 'Engineering Home > Other > Deploy'],
    ]);
  });

  it('sets access from inherited read restrictions, reading each page\'s restriction once per run', async () => {
    // Prepare: Home > Open; Home > Secret (Ada, eng-leads) > Child (eng-leads) > Grandchild.
    const s = await site();
    const open = s.emu.createPage({ space: 'ENG', title: 'Open' }).id;
    const secret = s.emu.createPage({ space: 'ENG', title: 'Secret', readRestriction: { users: [s.ada], groups: ['eng-leads'] } }).id;
    const child = s.emu.createPage({ space: 'ENG', title: 'Child', parentId: secret, readRestriction: { groups: ['eng-leads'] } }).id;
    const grandchild = s.emu.createPage({ space: 'ENG', title: 'Grandchild', parentId: child }).id;
    const c = connector(s);
    s.emu.resetLog();

    // Act
    const { documents } = await c.fetch([open, secret, child, grandchild]);

    // Assess
    const access = new Map(documents.map((d) => [d.id, d.access]));
    expect(access.get(open)).toEqual(['group:confluence-space:ENG']);
    expect(access.get(secret)).toEqual([expect.stringMatching(/^group:group-[0-9a-f]+$/), `user:${s.ada}`]);
    expect(access.get(child)).toEqual([access.get(secret)![0]]);
    expect(access.get(grandchild)).toEqual(access.get(child));
    expect(s.emu.count('GET /wiki/rest/api/content/:id/restriction/byOperation/:operationKey')).toBe(5);
  });

  it('renders the body as Markdown with the title, page links by title, labels and metadata', async () => {
    // Prepare
    const s = await site();
    const id = s.emu.createPage({ space: 'ENG', title: 'Release checklist', body: { storage: RICH_STORAGE, adf: RICH_ADF }, labels: ['release', 'ops'] }).id;

    // Act
    const [doc] = (await connector(s).fetch([id])).documents;

    // Assess
    expect(doc!.text).toBe([
      '# Release checklist', '# Release checklist',
      'Owner: @Ada Lovelace — see [Deploy runbook](https://emulated.atlassian.net/wiki/spaces/ENG/pages/65540/Deploy+runbook) 🙂',
      '## Steps', '1. Freeze the branch\n2. Tag the release\n   - semver only',
      '| Service | Status |\n| --- | --- |\n| api | [DONE] |',
      '```bash\ngit tag -a v1.2.0 -m "release" && echo "<done>"\n```',
      '> **Info:** Deploys run at 10:00 Europe/Berlin.', '> **Note:** Ask in #release first.', '> **Warning:** Never deploy on Friday.',
      '- [x] Write notes\n- [ ] Announce', '**Rollback**', 'Revert the tag.', '[attachment: diagram.png]', 'Left 左', 'Right 右 🚀',
      'Labels: ops, release',
    ].join('\n\n'));
    expect(doc).toMatchObject({
      id, title: 'Release checklist', format: 'markdown', url: `${s.emu.url}/wiki/spaces/ENG/pages/${id}/Release+checklist`,
      metadata: { type: 'page', space: 'ENG', breadcrumb: 'Engineering Home', labels: ['ops', 'release'], author: 'Ada Lovelace', version: 1 },
    });
  });

  it('leaves trashed, archived, purged and draft pages out of fetch and list', async () => {
    // Prepare
    const s = await site();
    const [live, trashed, archived, purged] = ['Live', 'Trashed', 'Archived', 'Purged'].map((title) => s.emu.createPage({ space: 'ENG', title }).id);
    const draft = s.emu.createPage({ space: 'ENG', title: 'Draft', status: 'draft' }).id;
    s.emu.trash(trashed!);
    s.emu.archive(archived!);
    s.emu.purge(purged!);
    const c = connector(s, { pageSize: 2 });

    // Act
    const { documents } = await c.fetch([live!, trashed!, archived!, purged!, draft]);
    const listed: string[] = [];
    for await (const item of c.list()) listed.push(item.id);

    // Assess
    expect(documents.map((d) => d.id)).toEqual([live]);
    expect(listed.sort()).toEqual([s.home, live].sort());
  });

  it('skips a page Confluence refuses with the reason, and reads a refused batch page by page', async () => {
    // Prepare
    const s = await site();
    const ids = ['A', 'B', 'C'].map((title) => s.emu.createPage({ space: 'ENG', title }).id);
    const c = connector(s);

    // Act
    s.emu.failNext('GET /wiki/api/v2/pages/:id/labels', 1, 400);
    const one = await c.fetch(ids);
    s.emu.failNext(SEARCH, 1, 400);
    const batch = await c.fetch(ids);

    // Assess
    expect(one.documents).toHaveLength(2);
    expect(one.skipped).toEqual([{ id: expect.any(String), reason: expect.stringMatching(/Confluence .*400/) }]);
    expect(batch.documents.map((d) => d.id)).toEqual(ids);
  });

  it('waits out 429s as Retry-After says, and fails a rejected token without retrying, naming the fix', async () => {
    // Prepare
    const s = await site();
    const sleeps: number[] = [];
    const c = connector(s, {}, new InMemoryStateStore(), sleeps);
    s.emu.failNext(SEARCH, 2, 429, { 'retry-after': '3' });

    // Act
    const ok = await pass(c, window(s));
    const bad = new ConfluenceConnector({
      source: confluenceSource.parse({ id: 'wiki', kind: 'confluence', siteUrl: s.emu.url, email: 'ada@acme.test', spaces: ['ENG'] }),
      state: new InMemoryStateStore(), clock: { now: () => s.clock.now }, secret: () => 'wrong-token',
    });
    const failure = bad.pull(undefined, window(s));

    // Assess
    expect(ok.refs.map((r) => r.id)).toEqual([s.home]);
    expect(sleeps.filter((ms) => ms >= 3000)).toHaveLength(2);
    await expect(failure).rejects.toBeInstanceOf(ProviderAuthError);
    await expect(failure).rejects.toMatchObject({ retryable: false, message: expect.stringMatching(/CONFLUENCE_API_TOKEN holds an API token of ada@acme\.test/) });
  });

  it('reconciles after full passes and then once reconcileIntervalMinutes have passed', async () => {
    // Prepare
    const s = await site();
    const c = connector(s, { reconcileIntervalMinutes: 60 });

    // Act
    const full = await pass(c, window(s));
    const afterFull = c.reconcileAfterPass();
    s.clock.now += 30 * 60_000;
    const soon = await pass(c, window(s, s.clock.now - 60_000, full.last));
    const afterSoon = c.reconcileAfterPass();
    s.clock.now += 31 * 60_000;
    const due = await pass(c, window(s, s.clock.now - 60_000, soon.last));
    const afterDue = c.reconcileAfterPass();

    // Assess
    expect([afterFull, afterSoon, afterDue]).toEqual([true, false, true]);
    expect(full.last).toEqual({ kind: 'done', reconciledAt: new Date(T0).toISOString() });
    expect(soon.last).toEqual(full.last);
    expect(due.last).toEqual({ kind: 'done', reconciledAt: new Date(s.clock.now).toISOString() });
  });

  it('indexes blog posts only with includeBlogPosts', async () => {
    // Prepare
    const s = await site();
    const post = s.emu.createBlogPost({ space: 'ENG', title: 'Launch notes', body: '<p>We launched.</p>' }).id;

    // Act
    const without = await pass(connector(s), window(s));
    const withPosts = connector(s, { includeBlogPosts: true });
    const included = await pass(withPosts, window(s));
    const [doc] = (await withPosts.fetch([post])).documents;

    // Assess
    expect(without.refs.map((r) => r.id)).toEqual([s.home]);
    expect(included.refs.map((r) => r.id).sort()).toEqual([s.home, post].sort());
    expect(doc).toMatchObject({ text: '# Launch notes\n\nWe launched.', metadata: { type: 'blogpost', breadcrumb: '' } });
  });
});
