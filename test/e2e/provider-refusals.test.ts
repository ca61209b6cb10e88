/**
 * A misconfigured provider (a wrong key) fails `sync` at once with the provider's message,
 * instead of every task being retried maxReceives times with backoff against the provider.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCorpus, writeCorpus } from '../../examples/generate-corpus.ts';
import { syncSources } from '../../functions/local/sync.ts';
import { loadConfig } from '../../shared/config/load.ts';
import { silentLogger } from '../../shared/core/deps.ts';
import { openLocalStack, type LocalStack } from '../../shared/wiring/local-stack.ts';
import { startOpenAiEmulator, type OpenAiEmulator } from '../emulators/openai-embeddings.ts';
import { startPineconeEmulator, type PineconeEmulator } from '../emulators/pinecone.ts';

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

const DIMS = 64;
const DOCS = 30;

describe('sync with a provider that refuses the configuration', () => {
  let openai: OpenAiEmulator;
  let pinecone: PineconeEmulator;
  let dir: string;

  beforeAll(async () => {
    openai = await startOpenAiEmulator({ apiKey: 'sk-right' });
    pinecone = await startPineconeEmulator({ apiKey: 'pc-right', dimension: DIMS });
    dir = await mkdtemp(join(tmpdir(), 'tributary-refusals-'));
  });

  afterAll(async () => {
    await openai.close();
    await pinecone.close();
    delete process.env['REFUSAL_OPENAI_KEY'];
    delete process.env['REFUSAL_PINECONE_KEY'];
    await rm(dir, { recursive: true, force: true });
  });

  async function stackFor(name: string, keys: { openai: string; pinecone: string }): Promise<LocalStack> {
    process.env['REFUSAL_OPENAI_KEY'] = keys.openai;
    process.env['REFUSAL_PINECONE_KEY'] = keys.pinecone;
    const root = join(dir, name);
    await writeCorpus(join(root, 'corpus'), generateCorpus({ count: DOCS, seed: 3 }));
    await writeFile(join(root, 'tributary.config.json'), JSON.stringify({
      embedder: { kind: 'openai', model: 'text-embedding-3-small', dimensions: DIMS, baseUrl: openai.url, apiKeyEnv: 'REFUSAL_OPENAI_KEY' },
      vectorStore: { kind: 'pinecone', indexHost: pinecone.host, apiKeyEnv: 'REFUSAL_PINECONE_KEY', namespace: 'source' },
      queues: { maxReceives: 5 },
      sources: [{ id: name, kind: 'filesystem', root: './corpus', watch: false, pageSize: 10 }],
    }));
    const loaded = loadConfig({ path: join(root, 'tributary.config.json'), cwd: root, allowDemo: false });
    return openLocalStack(loaded, { log: silentLogger });
  }

  it('a wrong embedding key: the run fails on its first request with the provider\'s message, nothing is enqueued', async () => {
    // Prepare
    const stack = await stackFor('badopenai', { openai: 'sk-wrong', pinecone: 'pc-right' });
    const before = openai.stats().requests;
    try {
      // Act
      const [report] = await syncSources(stack, { sourceIds: ['badopenai'], full: false, allowMassDelete: false });

      // Assess
      expect(report?.status).toBe('failed');
      expect(report?.error).toMatch(/OpenAI refused the embeddings request \(401\).*check the API key/);
      expect(openai.stats().requests - before).toBe(1);
      expect(await stack.queue.depth('embed')).toEqual({ visible: 0, inFlight: 0 });
    } finally {
      await stack.close();
    }
  });

  it('a wrong vector-store key: the embed tasks are given up on their first attempt and sync fails with the provider\'s message', async () => {
    // Prepare
    const stack = await stackFor('badpinecone', { openai: 'sk-right', pinecone: 'pc-wrong' });
    const upserts = (): number => pinecone.requests.filter((r) => r.path === '/vectors/upsert').length;
    try {
      // Act
      const started = Date.now();
      const [report] = await syncSources(stack, { sourceIds: ['badpinecone'], full: false, allowMassDelete: false });
      const took = Date.now() - started;
      const dead = await stack.queue.listDeadLetters('embed', 10);

      // Assess: no retries (a retried task says "after N attempts"), and no waiting through backoffs.
      expect(report?.status).toBe('failed');
      expect(report?.error).toContain('Pinecone rejected the API key');
      expect(dead.length).toBeGreaterThan(0);
      expect(dead.every((d) => d.reason?.includes('VectorStoreProviderError') && !d.reason.includes('attempts'))).toBe(true);
      expect(upserts()).toBeLessThanOrEqual(DOCS);
      expect(took).toBeLessThan(30_000);
    } finally {
      await stack.close();
    }
  });
});
