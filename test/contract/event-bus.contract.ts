import { describe, expect, it } from 'vitest';
import { decodeFetchTask } from '../../shared/core/tasks.ts';
import type { EventBus, TaskQueue } from '../../shared/ports/index.ts';

export interface EventBusHarness {
  readonly bus: EventBus;
  /** The fetch queue the bus routes to. */
  readonly queue: TaskQueue;
  /** Moves the bus's clock forward. */
  advance(ms: number): void;
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

    it('drops only a redelivery of the same hint, never a later one, even after the first was consumed', async () => {
      // Prepare
      const h = await make();
      try {
        // Act: the same hint twice at one instant (a retried publish), consumed; then again 1 ms later.
        await h.bus.publish([{ sourceId: 'docs', ids: ['a.md'] }]);
        await h.bus.publish([{ sourceId: 'docs', ids: ['a.md'] }]);
        const first = await h.queue.receive('fetch', { max: 10, waitSeconds: 1 });
        await h.queue.ack('fetch', first.map((m) => m.receipt));
        h.advance(1);
        await h.bus.publish([{ sourceId: 'docs', ids: ['a.md'] }]);
        const later = await h.queue.receive('fetch', { max: 10, waitSeconds: 1 });

        // Assess: a run that read the source before the second edit must not swallow its hint.
        expect(first).toHaveLength(1);
        expect(later).toHaveLength(1);
        expect(decodeFetchTask(later[0]?.body).ids).toEqual(['a.md']);
      } finally {
        await h.cleanup();
      }
    });
  });
}
