import { describe, expect, it } from 'vitest';
import { applyPushBatch } from '../../shared/connectors/push/push-batch.ts';
import { PushConnector } from '../../shared/connectors/push/push-connector.ts';
import type { Clock, PushStateStore } from '../../shared/ports/index.ts';
import { ManualClock } from '../support/embedded.ts';
import { InMemoryStateStore } from '../support/memory-state-store.ts';
import { collect, newWindow, pullPass } from './source-connector.contract.ts';

const OPTIONS = { sourceId: 'pushed', maxDocumentBytes: 300 * 1024, tombstoneRetentionMs: 86_400_000 };

/** Pushes through the push API's own use case, so the contract runs over what it writes. */
function pusher(state: PushStateStore, clock: Clock = { now: () => Date.now() }) {
  let version = 0;
  return {
    put: async (id: string, text: string, extra: Record<string, unknown> = {}): Promise<void> => {
      version += 1;
      const { results } = await applyPushBatch({ state, clock }, OPTIONS, [{ op: 'upsert', id, text, version, ...extra }]);
      expect(results[0]?.status).toBe('accepted');
    },
    remove: async (id: string): Promise<void> => {
      const { results } = await applyPushBatch({ state, clock }, OPTIONS, [{ op: 'delete', id }]);
      expect(results[0]?.status).toBe('accepted');
    },
  };
}

describe('PushConnector', () => {
  it('hands over documents whole: title, url, format, metadata and the write time', async () => {
    // Prepare
    const state = new InMemoryStateStore();
    const clock = new ManualClock(Date.parse('2026-03-04T05:06:07.000Z'));
    await pusher(state, clock).put('guide', '# Guide\n\nText.', {
      title: 'Guide', url: 'https://wiki.example.com/guide', format: 'markdown', metadata: { team: 'infra', rank: 2, draft: false },
    });
    const connector = new PushConnector({ sourceId: 'pushed', state });

    // Act
    const { refs } = await pullPass(connector, newWindow());
    const [fetched] = (await connector.fetch(['guide'])).documents;

    // Assess
    expect(refs).toHaveLength(1);
    expect(refs[0]?.document).toEqual(fetched);
    expect(fetched).toEqual({
      id: 'guide', version: '1', text: '# Guide\n\nText.', title: 'Guide', url: 'https://wiki.example.com/guide', format: 'markdown',
      metadata: { team: 'infra', rank: 2, draft: false }, updatedAt: '2026-03-04T05:06:07.000Z',
    });
  });

  it('skips a damaged stash item (no text) with the reason instead of indexing an empty document', async () => {
    // Prepare: one good document, one item without text (written by hand, or damaged).
    const state = new InMemoryStateStore();
    await pusher(state).put('good', 'text');
    await state.putStashed({ document: { sourceId: 'pushed', docId: 'hollow', version: '3', deleted: false, updatedAt: '2026-01-01T00:00:00.000Z' }, expectStamp: undefined });
    const connector = new PushConnector({ sourceId: 'pushed', state });

    // Act
    const pass = await pullPass(connector, newWindow());
    const fetched = await connector.fetch(['good', 'hollow', 'unknown']);

    // Assess
    expect(pass.refs.map((r) => r.id)).toEqual(['good']);
    expect(pass.skipped).toEqual([{ id: 'hollow', reason: expect.stringContaining('no text') }]);
    expect(fetched.documents.map((d) => d.id)).toEqual(['good']);
    expect(fetched.skipped).toEqual([{ id: 'hollow', reason: expect.stringContaining('no text') }]);
  });

  it('an incremental pass names only what was written since the window began, deletions included', async () => {
    // Prepare
    const state = new InMemoryStateStore();
    const clock = new ManualClock(Date.parse('2026-01-01T00:00:00.000Z'));
    const push = pusher(state, clock);
    for (const id of ['a', 'b', 'c', 'd']) await push.put(id, `text ${id}`);
    clock.advance(60_000);
    await push.put('b', 'edited b');
    await push.remove('c');
    const connector = new PushConnector({ sourceId: 'pushed', state, pageSize: 1 });

    // Act
    const window = { since: '2026-01-01T00:00:30.000Z', snapshotAt: '2026-01-01T00:02:00.000Z', full: false };
    const changed: string[] = [];
    const deleted: string[] = [];
    let cursor;
    for (let page = 0; page < 20; page++) {
      const result = await connector.pull(cursor, window);
      changed.push(...result.changed.map((r) => r.id));
      deleted.push(...result.deleted);
      cursor = result.next;
      if (result.done) break;
    }
    const full = await pullPass(connector, newWindow());
    const listed = await collect(connector.list());

    // Assess
    expect(changed).toEqual(['b']);
    expect(deleted).toEqual(['c']);
    expect(full.refs.map((r) => r.id)).toEqual(['a', 'b', 'd']);
    expect(listed).toEqual([{ id: 'a', version: '1' }, { id: 'b', version: '5' }, { id: 'd', version: '4' }]);
  });
});
