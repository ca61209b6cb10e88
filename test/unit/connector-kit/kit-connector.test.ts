/**
 * A connector built only from the kit (test/unit/connector-kit/wiki-fixture.ts), against a
 * loopback provider, through the real core on the embedded stack: the kit's promises hold
 * end to end — an expired change token turns into a reconcile-backed full pass, and a used-up
 * request budget stops a run after its last saved page, the next run resuming there.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { auditClean, auditSource } from '../../../shared/core/audit.ts';
import { runFetch } from '../../../shared/core/fetch-run.ts';
import type { FetchRunResult } from '../../../shared/core/fetch-run.ts';
import { RequestBudgetExhaustedError } from '../../../shared/connectors/kit/index.ts';
import type { Clock, FetchTask } from '../../../shared/ports/index.ts';
import { sourceConnectorContract } from '../../contract/source-connector.contract.ts';
import { drainEmbedQueue } from '../../support/drain.ts';
import { startServers, testPipeline } from '../../support/embedded.ts';
import type { EmbeddedServers, TestPipeline } from '../../support/embedded.ts';
import { WikiConnector, WikiServer } from './wiki-fixture.ts';

const OWNER = 'host:1:kit-test';
const systemClock: Clock = { now: () => Date.now() };

sourceConnectorContract('WikiConnector (kit example)', async () => {
  const server = new WikiServer(systemClock);
  await server.start();
  return {
    connector: new WikiConnector({ sourceId: 'wiki', baseUrl: server.url, token: 'wiki-token', pageSize: 3, clock: systemClock }),
    put: async (id, text) => server.put(id, text),
    remove: async (id) => server.remove(id),
    cleanup: () => server.close(),
  };
});

describe('a kit-built connector through the core', () => {
  let servers: EmbeddedServers;
  let p: TestPipeline | undefined;
  let wiki: WikiServer | undefined;

  beforeAll(async () => {
    servers = await startServers();
  });
  afterAll(async () => {
    await servers.close();
  });
  afterEach(async () => {
    await p?.close();
    await wiki?.close();
    p = undefined;
    wiki = undefined;
  });

  /** A pipeline with one wiki source; the provider and the HTTP client read the pipeline's manual clock. */
  async function setup(http: ConstructorParameters<typeof WikiConnector>[0]['http'] = {}): Promise<{ p: TestPipeline; wiki: WikiServer; connector: WikiConnector }> {
    // The pipeline (and its manual clock) is built after the connector that reads the clock.
    const built: { pipeline?: TestPipeline } = {};
    const clock: Clock = { now: () => built.pipeline?.clock.now() ?? Date.parse('2026-01-01T00:00:00Z') };
    wiki = new WikiServer(clock);
    await wiki.start();
    const connector = new WikiConnector({
      sourceId: 'wiki', baseUrl: wiki.url, token: 'wiki-token', pageSize: 2, clock,
      http: { sleep: async () => undefined, random: () => 0, ...http },
    });
    const pipeline = await testPipeline(servers, [{ connector, settings: { maxDeleteShare: 1 } }]);
    built.pipeline = pipeline;
    p = pipeline;
    return { p: pipeline, wiki, connector };
  }

  const task = (): FetchTask => ({ type: 'fetch', sourceId: 'wiki', trigger: 'cli', requestedAt: '2026-01-01T00:00:00.000Z' });

  async function sync(pipeline: TestPipeline): Promise<FetchRunResult> {
    const result = await runFetch(pipeline.deps, task(), { owner: OWNER });
    await drainEmbedQueue(pipeline.deps);
    return result;
  }

  /** docId → text of the index, from the chunk metadata. */
  async function indexedIds(pipeline: TestPipeline): Promise<string[]> {
    const rows = await pipeline.vectors.scan('wiki#');
    return [...new Set(rows.map((row) => String(row.metadata['docId'])))].sort();
  }

  it('follows the change feed incrementally, and an expired token falls back to a full pass with reconcile', async () => {
    // Prepare: five pages, fully synced.
    const { p: pipeline, wiki: provider } = await setup();
    for (let i = 1; i <= 5; i++) provider.put(`page-${i}`, `# Page ${i}\n\nAbout topic ${i}.`);
    const first = await sync(pipeline);
    pipeline.clock.advance(120_000);

    // Act 1: an edit and a removal, seen through the change feed.
    provider.put('page-2', '# Page 2\n\nRewritten about rotation.');
    provider.remove('page-4');
    const incremental = await sync(pipeline);
    const sinceRequests = provider.requests('/v1/changes').filter((r) => r.query.has('since')).length;
    const listingsBefore = provider.requests('/v1/pages').length;
    const afterIncremental = await indexedIds(pipeline);
    pipeline.clock.advance(120_000);

    // Act 2: more changes than one page; the token expires between pages; and one removal
    // the feed never reports (only a listing can show it).
    provider.put('page-3', '# Page 3\n\nEdited again.');
    provider.put('page-6', '# Page 6\n\nNew.');
    provider.put('page-7', '# Page 7\n\nNew too.');
    provider.removeSilently('page-1');
    provider.expireAfterNextSince = true;
    const expired = await sync(pipeline);

    // Assess
    expect(first.status).toBe('completed');
    expect(first.counters.docsChanged).toBe(5);
    expect(incremental.status).toBe('completed');
    expect(sinceRequests).toBe(1);
    expect(incremental.counters.docsChanged).toBe(1);
    expect(afterIncremental).toEqual(['page-1', 'page-2', 'page-3', 'page-5']);
    expect(provider.served.some((s) => s.status === 410)).toBe(true);
    expect(expired.status).toBe('completed');
    expect(provider.requests('/v1/pages').length).toBeGreaterThan(listingsBefore);
    expect(await indexedIds(pipeline)).toEqual(['page-2', 'page-3', 'page-5', 'page-6', 'page-7']);
    const audit = await auditSource(pipeline.deps, 'wiki');
    expect(auditClean(audit)).toBe(true);
    const [page3] = (await pipeline.vectors.scan('wiki#')).filter((row) => row.metadata['docId'] === 'page-3');
    expect(String(page3?.metadata['text'])).toContain('Edited again.');
  });

  it('a used-up request budget stops the run after its last saved page; the next run resumes there', async () => {
    // Prepare: 7 pages, listed 2 per listing page; a listing page costs 1 request and fetching
    // its documents 2 more. A budget of 10 runs out on the fourth page's fetch.
    const { p: pipeline, wiki: provider, connector } = await setup({ maxRequestsPerRun: 10, runGapMs: 30_000 });
    for (let i = 1; i <= 7; i++) provider.put(`page-${i}`, `# Page ${i}\n\nAbout topic ${i}.`);

    // Act: run until a run completes, a minute apart, as the schedule would.
    const outcomes: unknown[] = [];
    const runs: Array<typeof provider.served> = [];
    for (let run = 0; run < 5; run++) {
      const before = provider.served.length;
      try {
        outcomes.push((await sync(pipeline)).status);
      } catch (error) {
        outcomes.push(error);
        await drainEmbedQueue(pipeline.deps);
      }
      runs.push(provider.served.slice(before));
      if (outcomes.at(-1) === 'completed') break;
      pipeline.clock.advance(60_000);
    }

    // Assess: the first run stops at its 11th request with the retryable budget error, three
    // pages saved; the second starts at the fourth listing page (then catches up through the
    // change feed to its own start, and reconciles), within its own budget.
    expect(outcomes).toHaveLength(2);
    expect(outcomes[0]).toBeInstanceOf(RequestBudgetExhaustedError);
    expect((outcomes[0] as RequestBudgetExhaustedError).retryable).toBe(true);
    expect(outcomes[1]).toBe('completed');
    expect(runs[0]).toHaveLength(10);
    const resumedWith = runs[1]![0]!;
    expect([resumedWith.path, resumedWith.query.get('cursor')]).toEqual(['/v1/pages', 'page-6']);
    expect(runs[1]!.length).toBeLessThanOrEqual(10);
    expect(provider.requests('/v1/pages').filter((r) => !r.query.has('cursor'))).toHaveLength(2); // the pass once, reconcile once
    expect(await indexedIds(pipeline)).toEqual(['page-1', 'page-2', 'page-3', 'page-4', 'page-5', 'page-6', 'page-7']);
    expect(connector.http.stats.requests).toBe(provider.served.length);
  });

  it('the budget starts over at every run the core begins, however soon it follows the one that used it up', async () => {
    // Prepare: as above, but the next run starts a second later, far inside runGapMs (an hour):
    // only the core's beginRun can give it a budget.
    const { p: pipeline, wiki: provider } = await setup({ maxRequestsPerRun: 10, runGapMs: 3_600_000 });
    for (let i = 1; i <= 7; i++) provider.put(`page-${i}`, `# Page ${i}\n\nAbout topic ${i}.`);

    // Act
    const first = await sync(pipeline).catch((error: unknown) => error);
    await drainEmbedQueue(pipeline.deps);
    pipeline.clock.advance(1000);
    const before = provider.served.length;
    const second = await sync(pipeline);

    // Assess
    expect(first).toBeInstanceOf(RequestBudgetExhaustedError);
    expect(second.status).toBe('completed');
    expect(provider.served.length - before).toBeGreaterThan(0);
    expect(provider.served.length - before).toBeLessThanOrEqual(10);
    expect(await indexedIds(pipeline)).toEqual(['page-1', 'page-2', 'page-3', 'page-4', 'page-5', 'page-6', 'page-7']);
  });
});
