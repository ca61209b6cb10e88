/**
 * The fetcher handler over the batch edge: a run that lost its lease is not a failure (another
 * run does the work), even though LeaseLostError is not retryable and such errors are now
 * dead-lettered on their first receive; a source-wide refusal is dead-lettered at once.
 */
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createFetcherHandler } from '../../functions/fetcher/fetcher.ts';
import { HashingEmbedder } from '../../shared/adapters/local/hashing-embedder.ts';
import type { CoreDeps } from '../../shared/core/deps.ts';
import { silentLogger } from '../../shared/core/deps.ts';
import { LeaseLostError, TributaryError } from '../../shared/core/errors.ts';
import type { FetchTask } from '../../shared/ports/index.ts';
import { toRecord } from '../support/drain.ts';
import { ManualClock, testSettings } from '../support/embedded.ts';
import { MemorySource } from '../support/memory-source.ts';
import { InMemoryStateStore } from '../support/memory-state-store.ts';
import { InMemoryTaskQueue } from '../support/memory-task-queue.ts';
import { InMemoryVectorStore } from '../support/memory-vector-store.ts';

function setup() {
  const clock = new ManualClock();
  const source = new MemorySource('docs', 2);
  for (let i = 0; i < 5; i++) source.put(`doc-${i}.md`, `# Doc ${i}\n\nText ${i}.`);
  const state = new InMemoryStateStore();
  const queue = new InMemoryTaskQueue({ clock });
  const deps: CoreDeps = {
    state, queue, vectors: new InMemoryVectorStore(), embedder: new HashingEmbedder({ dimensions: 16 }), clock, log: silentLogger,
    connector: (id) => (id === 'docs' ? source : undefined), settings: (id) => (id === 'docs' ? testSettings('docs') : undefined),
  };
  const handler = createFetcherHandler(deps, { maxReceives: 5, owner: () => 'host:1:test' });
  const invoke = async () => {
    const task: FetchTask = { type: 'fetch', sourceId: 'docs', trigger: 'schedule', requestedAt: new Date(clock.now()).toISOString() };
    await queue.sendFetch([task]);
    const messages = await queue.receive('fetch', { max: 10, waitSeconds: 0 });
    return handler({ Records: messages.map(toRecord) }, {} as Context);
  };
  return { source, state, queue, invoke };
}

describe('fetcher handler at the batch edge', () => {
  it('neither retries nor dead-letters a run that lost its lease', async () => {
    // Prepare: the cursor write finds another run holding the source.
    const t = setup();
    t.state.saveProgress = async (input) => {
      throw new LeaseLostError(input.sourceId, input.epoch);
    };

    // Act
    const response = await t.invoke();

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(await t.queue.listDeadLetters('fetch', 10)).toEqual([]);
  });

  it('dead-letters at once a run that failed for a reason no retry can fix, with that reason', async () => {
    // Prepare
    const t = setup();
    t.source.pull = async () => {
      throw new TributaryError('source "docs": the API refused the token (401): set DOCS_TOKEN');
    };

    // Act
    const response = await t.invoke();

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    const dead = await t.queue.listDeadLetters('fetch', 10);
    expect(dead.map((d) => d.reason)).toEqual(['TributaryError: source "docs": the API refused the token (401): set DOCS_TOKEN']);
    expect((await t.state.getSource('docs'))?.lastError).toContain('set DOCS_TOKEN');
  });
});
