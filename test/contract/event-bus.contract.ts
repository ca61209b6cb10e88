import { describe, expect, it } from 'vitest';
import { decodeFetchTask } from '../../shared/core/tasks.ts';
import type { EventBus, TaskQueue } from '../../shared/ports/index.ts';

export interface EventBusHarness {
  readonly bus: EventBus;
  /** The fetch queue the bus routes to. */
  readonly queue: TaskQueue;
  cleanup(): Promise<void>;
}

/** Every EventBus adapter must turn hints into fetch tasks on the fetch queue. */
export function eventBusContract(name: string, make: () => Promise<EventBusHarness>): void {
  describe(`EventBus contract: ${name}`, () => {
    it('routes a hint with ids to a targeted fetch task of that source', async () => {
      // Prepare
      const h = await make();
      try {
        // Act
        await h.bus.publish([{ sourceId: 'docs', ids: ['a.md', 'b.md'] }]);
        const [message] = await h.queue.receive('fetch', { max: 10, waitSeconds: 1 });

        // Assess
        const task = decodeFetchTask(message?.body);
        expect(task).toMatchObject({ type: 'fetch', sourceId: 'docs', ids: ['a.md', 'b.md'] });
        expect(message?.group).toBe('docs');
      } finally {
        await h.cleanup();
      }
    });

    it('routes an empty hint to an incremental sync of that source', async () => {
      // Prepare
      const h = await make();
      try {
        // Act
        await h.bus.publish([{ sourceId: 'wiki', ids: [] }]);
        const [message] = await h.queue.receive('fetch', { max: 10, waitSeconds: 1 });

        // Assess
        const task = decodeFetchTask(message?.body);
        expect(task.sourceId).toBe('wiki');
        expect(task.ids).toBeUndefined();
        expect(task.full).toBeUndefined();
      } finally {
        await h.cleanup();
      }
    });

    it('coalesces a burst of identical hints for one source', async () => {
      // Prepare
      const h = await make();
      try {
        // Act
        for (let i = 0; i < 20; i++) await h.bus.publish([{ sourceId: 'docs', ids: [] }]);
        const first = await h.queue.receive('fetch', { max: 10, waitSeconds: 1 });
        await h.queue.ack('fetch', first.map((m) => m.receipt));
        const rest = await h.queue.receive('fetch', { max: 10, waitSeconds: 0 });

        // Assess
        expect(first).toHaveLength(1);
        expect(rest).toHaveLength(0);
      } finally {
        await h.cleanup();
      }
    });
  });
}
