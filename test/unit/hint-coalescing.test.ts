/**
 * A burst of hints naming ids is one queued run with every id merged, not one run per hint:
 * 2,000 webhooks for 2,000 edited documents made 2,020 fetch runs before.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEmbedderHandler } from '../../functions/embedder/embedder.ts';
import { createFetcherHandler } from '../../functions/fetcher/fetcher.ts';
import { QueuePoller } from '../../functions/local/poller.ts';
import { syncSources } from '../../functions/local/sync.ts';
import { loadConfig } from '../../shared/config/load.ts';
import { silentLogger } from '../../shared/core/deps.ts';
import { BufferedHintBus } from '../../shared/core/hints.ts';
import type { EventBus, Hints } from '../../shared/ports/index.ts';
import { isLocalOwnerAlive, openLocalStack, type LocalStack } from '../../shared/wiring/local-stack.ts';
import { InMemoryHintBuffer } from '../support/memory-hint-buffer.ts';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

const DOCS = 2000;
const name = (i: number): string => `doc-${String(i).padStart(4, '0')}.md`;

/** Runs the fetch and embed queues with the Lambda handlers, as `tributary start` does, until both are empty. */
async function drainQueues(stack: LocalStack): Promise<void> {
  const { deps } = stack;
  const maxReceives = stack.loaded.config.queues.maxReceives;
  const fetch = new QueuePoller(stack.queue, 'fetch', createFetcherHandler(deps, { maxReceives, owner: () => stack.owner, isOwnerAlive: isLocalOwnerAlive }), { concurrency: 1, log: silentLogger, waitSeconds: 0.1 });
  const embed = new QueuePoller(stack.queue, 'embed', createEmbedderHandler(deps, { maxReceives }), { concurrency: 4, log: silentLogger, waitSeconds: 0.1 });
  fetch.start();
  embed.start();
  try {
    for (;;) {
      const [f, e] = await Promise.all([stack.queue.depth('fetch'), stack.queue.depth('embed')]);
      if (f.visible + f.inFlight + e.visible + e.inFlight === 0 && !fetch.active && !embed.active) return;
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await fetch.stop();
    await embed.stop();
  }
}

describe('hints naming ids coalesce', () => {
  it('turns 2,000 one-id hints into one queued run that reads every one of them', async () => {
    // Prepare: 2,000 documents indexed, then all edited.
    const dir = await mkdtemp(join(tmpdir(), 'tributary-hints-'));
    dirs.push(dir);
    await mkdir(join(dir, 'corpus'));
    for (let i = 0; i < DOCS; i++) await writeFile(join(dir, 'corpus', name(i)), `# Doc ${i}\n\nOriginal text ${i}.`);
    await writeFile(join(dir, 'tributary.config.json'), JSON.stringify({ sources: [{ id: 'docs', kind: 'filesystem', root: './corpus', watch: false }] }));
    const stack = await openLocalStack(loadConfig({ cwd: dir, allowDemo: false }), { log: silentLogger });
    try {
      const [initial] = await syncSources(stack, { sourceIds: ['docs'], full: false, allowMassDelete: false });
      expect(initial).toMatchObject({ status: 'synced', docsChanged: DOCS });
      for (let i = 0; i < DOCS; i++) await writeFile(join(dir, 'corpus', name(i)), `# Doc ${i}\n\nEdited text ${i}.`);
      const runsBefore = (await stack.state.listRuns('docs', 100)).length;

      // Act: one hint per edited document, as 2,000 webhooks would send them.
      for (let i = 0; i < DOCS; i++) await stack.eventBus.publish([{ sourceId: 'docs', ids: [name(i)] }]);
      const queued = await stack.queue.depth('fetch');
      await drainQueues(stack);

      // Assess: one queued run, one run record, every edit in the index.
      expect(queued).toEqual({ visible: 1, inFlight: 0 });
      const runs = await stack.state.listRuns('docs', 100);
      expect(runs.length - runsBefore).toBe(1);
      expect(runs[0]).toMatchObject({ trigger: 'webhook', docsChanged: DOCS });
      const texts = (await stack.deps.vectors.scan('docs#')).map((r) => String(r.metadata['text']));
      expect(texts.filter((t) => t.includes('Edited text'))).toHaveLength(DOCS);
    } finally {
      await stack.close();
    }
  }, 120_000);

  it('publishes again when the queued run could not be published, so a retry is not lost', async () => {
    // Prepare: a bus that fails once.
    const buffer = new InMemoryHintBuffer();
    const published: Hints[] = [];
    let failures = 1;
    const inner: EventBus = {
      publish: async (hints) => {
        if (failures-- > 0) throw new Error('bus unavailable');
        published.push(...hints);
      },
    };
    const bus = new BufferedHintBus(buffer, inner, { now: () => 1_000 });

    // Act
    await expect(bus.publish([{ sourceId: 'docs', ids: ['a.md'] }])).rejects.toThrow(/bus unavailable/);
    await bus.publish([{ sourceId: 'docs', ids: ['a.md'] }]);
    await bus.publish([{ sourceId: 'docs', ids: ['b.md'] }]);
    await bus.publish([{ sourceId: 'docs', ids: [] }]);

    // Assess: one wake-up for both ids; an incremental hint passes through.
    expect(published).toEqual([{ sourceId: 'docs', ids: [], buffered: true }, { sourceId: 'docs', ids: [] }]);
    expect((await buffer.takeHints({ sourceId: 'docs', limit: 10 })).map((h) => h.id).sort()).toEqual(['a.md', 'b.md']);
  });

  it('keeps what noticed the change: a watcher\'s hint queues a run triggered by `watch`', async () => {
    const published: Hints[] = [];
    const bus = new BufferedHintBus(new InMemoryHintBuffer(), { publish: async (hints) => { published.push(...hints); } }, { now: () => 1_000 });

    await bus.publish([{ sourceId: 'docs', ids: ['a.md'], trigger: 'watch' }]);

    expect(published).toEqual([{ sourceId: 'docs', ids: [], buffered: true, trigger: 'watch' }]);
  });
});
