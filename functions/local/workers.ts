import { createEmbedderHandler } from '../embedder/embedder.ts';
import { createFetcherHandler } from '../fetcher/fetcher.ts';
import type { Logger } from '../../shared/core/deps.ts';
import { isLocalOwnerAlive, type LocalStack } from '../../shared/wiring/local-stack.ts';
import { QueuePoller } from './poller.ts';

export interface QueueWorkers {
  start(): void;
  stop(): Promise<void>;
}

/**
 * The fetch and embed queue pollers driving the Lambda handlers: `tributary start` runs them,
 * and so does `tributary console`, so what its buttons queue is applied.
 */
/** `afterFetch` runs after every fetch run, failed ones included (the runtime's alerts look again). */
export function queueWorkers(stack: LocalStack, log: Logger, options: { afterFetch?: () => void } = {}): QueueWorkers {
  const { deps, loaded } = stack;
  const maxReceives = loaded.config.queues.maxReceives;
  const fetchHandler = createFetcherHandler(deps, {
    maxReceives, owner: () => stack.owner, isOwnerAlive: isLocalOwnerAlive,
    onResult: (r) => {
      if (r.status === 'completed' && (r.counters.docsChanged > 0 || r.counters.docsDeleted > 0)) {
        log.info('sync run', { sourceId: r.sourceId, changed: r.counters.docsChanged, deleted: r.counters.docsDeleted, unchanged: r.counters.docsUnchanged });
      }
      if (r.breaker) log.error('mass-delete breaker tripped', { sourceId: r.sourceId, wouldDelete: r.breaker.wouldDelete, known: r.breaker.known });
      if ((r.docsSkipped ?? 0) > 0) log.warn('documents skipped; see tributary status', { sourceId: r.sourceId, skipped: r.docsSkipped });
    },
  });
  const fetchPoller = new QueuePoller(stack.queue, 'fetch', async (event, context) => {
    try {
      return await fetchHandler(event, context);
    } finally {
      options.afterFetch?.();
    }
  }, { concurrency: 2, log });
  const embedPoller = new QueuePoller(stack.queue, 'embed', createEmbedderHandler(deps, { maxReceives }), {
    concurrency: loaded.config.queues.embedConcurrency, log,
  });
  return {
    start() {
      fetchPoller.start();
      embedPoller.start();
    },
    async stop() {
      await fetchPoller.stop();
      await embedPoller.stop();
    },
  };
}
