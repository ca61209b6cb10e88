import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCorpus, writeCorpus } from '../../examples/generate-corpus.ts';
import { syncSources } from '../../functions/local/sync.ts';
import { loadConfig } from '../../shared/config/load.ts';
import { auditClean, auditSource } from '../../shared/core/audit.ts';
import { silentLogger } from '../../shared/core/deps.ts';
import { openLocalStack, type LocalStack } from '../../shared/wiring/local-stack.ts';
import { startOpenAiEmulator, type OpenAiEmulator } from '../emulators/openai-embeddings.ts';
import { startPineconeEmulator, type PineconeEmulator } from '../emulators/pinecone.ts';

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

const DIMS = 256;
/** OpenAiEmbedder's default per-request token budget. */
const TOKEN_BUDGET = 250_000;
/** PineconeVectorStore's default vectors per upsert request. */
const UPSERT_BATCH = 200;
const PAGE_SIZE = 200;

/**
 * The production adapters (OpenAI embeddings, Pinecone) wired from config exactly as a
 * deployment would, against loopback emulators of both APIs.
 */
describe('sync through the OpenAI and Pinecone adapters', () => {
  let openai: OpenAiEmulator;
  let pinecone: PineconeEmulator;
  let dir: string;

  beforeAll(async () => {
    openai = await startOpenAiEmulator({ apiKey: 'sk-test' });
    pinecone = await startPineconeEmulator({ apiKey: 'pc-test', dimension: DIMS });
    process.env['TEST_OPENAI_KEY'] = 'sk-test';
    process.env['TEST_PINECONE_KEY'] = 'pc-test';
    dir = await mkdtemp(join(tmpdir(), 'tributary-prod-'));
  });

  afterAll(async () => {
    await openai.close();
    await pinecone.close();
    delete process.env['TEST_OPENAI_KEY'];
    delete process.env['TEST_PINECONE_KEY'];
    await rm(dir, { recursive: true, force: true });
  });

  async function stackFor(name: string, count: number, seed: number, upsertLingerMs?: number): Promise<LocalStack> {
    const root = join(dir, name);
    await writeCorpus(join(root, 'corpus'), generateCorpus({ count, seed }));
    await writeFile(join(root, 'tributary.config.json'), JSON.stringify({
      embedder: { kind: 'openai', model: 'text-embedding-3-small', dimensions: DIMS, baseUrl: openai.url, apiKeyEnv: 'TEST_OPENAI_KEY' },
      vectorStore: { kind: 'pinecone', indexHost: pinecone.host, apiKeyEnv: 'TEST_PINECONE_KEY', namespace: 'source', ...(upsertLingerMs !== undefined ? { upsertLingerMs } : {}) },
      sources: [{ id: name, kind: 'filesystem', root: './corpus', watch: false, pageSize: PAGE_SIZE }],
    }));
    const loaded = loadConfig({ path: join(root, 'tributary.config.json'), cwd: root, allowDemo: false });
    return openLocalStack(loaded, { log: silentLogger });
  }

  /** Enough documents for several pages and shared upsert batches (1,000 measured the same bounds; 400 keeps CI short). */
  const DOCS = 400;
  const upserts = (): number => pinecone.requests.filter((r) => r.path === '/vectors/upsert' && r.status === 200).length;

  it('indexes 400 documents in about ceil(tokens / budget) embedding and ceil(vectors / batch) upsert requests', async () => {
    // Prepare
    // A bulk-friendly linger: partial upserts wait up to 1 s for company (the default, 250 ms, favours latency).
    const stack = await stackFor('thousand', DOCS, 11, 1000);
    const embedBefore = openai.stats();
    const upsertsBefore = upserts();
    try {
      // Act
      const [report] = await syncSources(stack, { sourceIds: ['thousand'], full: false, allowMassDelete: false });
      const audit = await auditSource(stack.deps, 'thousand');

      // Assess
      const embedAfter = openai.stats();
      const requests = embedAfter.requests - embedBefore.requests;
      const tokens = embedAfter.tokens - embedBefore.tokens;
      const vectors = report?.vectorsUpserted ?? 0;
      const pages = Math.ceil(DOCS / PAGE_SIZE);
      expect(report).toMatchObject({ status: 'synced', docsChanged: DOCS, tasksFailed: 0 });
      expect(auditClean(audit)).toBe(true);
      expect(report?.tokensEmbedded).toBe(tokens);
      expect(report?.estimatedCostUsd).toBeCloseTo((tokens * 0.02) / 1_000_000, 9);
      // Embedding is batched per page of documents: one request per page unless a page exceeds the budget.
      expect(requests).toBeLessThanOrEqual(Math.ceil(tokens / TOKEN_BUDGET) + pages);
      // Upserts of concurrent embed tasks share requests.
      expect(upserts() - upsertsBefore).toBeLessThanOrEqual(Math.ceil(vectors / UPSERT_BATCH) + 10);
      console.log(JSON.stringify({ docs: DOCS, tokens, embeddingRequests: requests, vectors, upsertRequests: upserts() - upsertsBefore }));
    } finally {
      await stack.close();
    }
  });

  it('absorbs a 429 storm from both providers: every document indexed, nothing dead-lettered', async () => {
    // Prepare
    const stack = await stackFor('storm', 200, 12);
    openai.setStorm({ mode: 'random', probability: 0.4, seed: 7, failure: { status: 429, retryAfterMs: 20 } });
    pinecone.startStorm({ probability: 0.4, seed: 8, retryAfterSeconds: 0 });
    const embedBefore = openai.stats();
    try {
      // Act
      const [report] = await syncSources(stack, { sourceIds: ['storm'], full: false, allowMassDelete: false });
      openai.setStorm(undefined);
      pinecone.stopStorm();
      const audit = await auditSource(stack.deps, 'storm');
      const dead = await stack.queue.listDeadLetters('embed', 10);

      // Assess
      const embedAfter = openai.stats();
      expect(report).toMatchObject({ status: 'synced', docsChanged: 200, tasksFailed: 0 });
      expect(auditClean(audit)).toBe(true);
      expect(dead).toEqual([]);
      expect(embedAfter.throttled - embedBefore.throttled).toBeGreaterThan(0);
      // Bounded by the backoff policy: each logical request makes at most 8 attempts.
      const logical = (embedAfter.succeeded - embedBefore.succeeded);
      expect(embedAfter.requests - embedBefore.requests).toBeLessThanOrEqual(logical * 8);
    } finally {
      openai.setStorm(undefined);
      pinecone.stopStorm();
      await stack.close();
    }
  });

  it('re-embeds nothing when a source is reset and synced again (the embedding cache survives reset)', async () => {
    // Prepare
    const stack = await stackFor('reset', 50, 13);
    try {
      await syncSources(stack, { sourceIds: ['reset'], full: false, allowMassDelete: false });
      await stack.deps.vectors.delete(await stack.deps.vectors.listIds('reset#'));
      await stack.state.resetSource('reset');
      const before = openai.stats().requests;

      // Act
      const [report] = await syncSources(stack, { sourceIds: ['reset'], full: false, allowMassDelete: false });

      // Assess
      expect(report).toMatchObject({ docsChanged: 50, embeddingCalls: 0, tokensEmbedded: 0 });
      expect(openai.stats().requests).toBe(before);
      expect(auditClean(await auditSource(stack.deps, 'reset'))).toBe(true);
    } finally {
      await stack.close();
    }
  });
});
