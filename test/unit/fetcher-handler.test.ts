/**
 * The fetcher handler over the batch edge: a run that lost its lease is not a failure (another
 * run does the work), even though LeaseLostError is not retryable and such errors are now
 * dead-lettered on their first receive; a source-wide refusal is dead-lettered at once.
 */
import type { Context } from 'aws-lambda';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFetcherHandler } from '../../functions/fetcher/fetcher.ts';
import { HashingEmbedder } from '../../shared/adapters/local/hashing-embedder.ts';
import { FilesystemConnector } from '../../shared/connectors/filesystem/filesystem-connector.ts';
import type { CoreDeps } from '../../shared/core/deps.ts';
import { silentLogger } from '../../shared/core/deps.ts';
import { LeaseLostError, TributaryError } from '../../shared/core/errors.ts';
import type { FetchTask, SourceConnector } from '../../shared/ports/index.ts';
import { toRecord } from '../support/drain.ts';
import { ManualClock, testSettings } from '../support/embedded.ts';
import { MemorySource } from '../support/memory-source.ts';
import { InMemoryStateStore } from '../support/memory-state-store.ts';
import { InMemoryTaskQueue } from '../support/memory-task-queue.ts';
import { InMemoryVectorStore } from '../support/memory-vector-store.ts';

function setup(connector?: SourceConnector) {
  const clock = new ManualClock();
  const source = new MemorySource('docs', 2);
  for (let i = 0; i < 5; i++) source.put(`doc-${i}.md`, `# Doc ${i}\n\nText ${i}.`);
  const state = new InMemoryStateStore();
  const queue = new InMemoryTaskQueue({ clock });
  const deps: CoreDeps = {
    state, queue, vectors: new InMemoryVectorStore(), embedder: new HashingEmbedder({ dimensions: 16 }), clock, log: silentLogger,
    connector: (id) => (id === 'docs' ? connector ?? source : undefined), settings: (id) => (id === 'docs' ? testSettings('docs') : undefined),
  };
  const handler = createFetcherHandler(deps, { maxReceives: 5, owner: () => 'host:1:test' });
  const invoke = async (extra: Partial<FetchTask> = {}) => {
    const task: FetchTask = { type: 'fetch', sourceId: 'docs', trigger: 'schedule', requestedAt: new Date(clock.now()).toISOString(), ...extra };
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

  it('a hint naming a symlink loop and a name too long for the filesystem is neither retried nor dead-lettered', async () => {
    // Prepare: before, each failed the hint's run until the task was dead-lettered.
    const root = await mkdtemp(path.join(tmpdir(), 'tributary-hint-'));
    try {
      await writeFile(path.join(root, 'ok.md'), '# OK\n\nfine');
      await symlink(path.join(root, 'b.md'), path.join(root, 'a.md'));
      await symlink(path.join(root, 'a.md'), path.join(root, 'b.md'));
      const t = setup(new FilesystemConnector({ sourceId: 'docs', root }));

      // Act
      const response = await t.invoke({ trigger: 'watch', ids: ['a.md', `${'x'.repeat(300)}.md`, 'ok.md'] });

      // Assess
      expect(response.batchItemFailures).toEqual([]);
      expect(await t.queue.listDeadLetters('fetch', 10)).toEqual([]);
      const state = await t.state.getSource('docs');
      expect(state?.lastError).toBeUndefined();
      const [run] = await t.state.listRuns('docs', 1);
      expect(run).toMatchObject({ status: 'succeeded', docsChanged: 1, skipped: [{ id: 'a.md', reason: 'symlink loop (ELOOP)' }] });
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
