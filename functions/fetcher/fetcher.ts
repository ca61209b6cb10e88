import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { CoreDeps } from '../../shared/core/deps.ts';
import { LeaseLostError } from '../../shared/core/errors.ts';
import { runFetch, type FetchRunResult } from '../../shared/core/fetch-run.ts';
import { decodeFetchTask } from '../../shared/core/tasks.ts';
import { processBatch } from '../shared/sqs-batch.ts';
import type { NativeEventDecoder } from './native-events.ts';

export interface FetcherHandlerOptions {
  readonly maxReceives: number;
  /** Lease owner id for this invocation. */
  readonly owner: () => string;
  readonly isOwnerAlive?: (owner: string) => boolean | undefined;
  readonly onResult?: (result: FetchRunResult) => void;
  /** Messages that are AWS services' events (S3 object events) → the targeted task they call for. */
  readonly nativeEvents?: NativeEventDecoder;
}

/**
 * The fetcher Lambda: one source run per fetch task. A run that meets the Lambda deadline
 * persists its cursor and enqueues its own continuation (inside the core); a run asked to
 * run again by a trigger that arrived meanwhile enqueues a rerun.
 */
export function createFetcherHandler(deps: CoreDeps, options: FetcherHandlerOptions) {
  return middy<SQSEvent, SQSBatchResponse, Error, Context>().handler(async (event, context) => processBatch(event, {
    queueName: 'fetch', queue: deps.queue, maxReceives: options.maxReceives, log: deps.log,
  }, async (record) => {
    const native = options.nativeEvents?.(record.body, deps.clock.now());
    // An event about nothing the source indexes (another prefix, an unselected key): no run.
    if (native === 'skip') return;
    const task = native ?? decodeFetchTask(record.body);
    const remaining = typeof context?.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : undefined;
    try {
      const result = await runFetch(deps, task, {
        owner: options.owner(),
        ...(remaining !== undefined ? { deadline: deps.clock.now() + remaining } : {}),
        ...(options.isOwnerAlive ? { isOwnerAlive: options.isOwnerAlive } : {}),
      });
      options.onResult?.(result);
      if (result.rerun) {
        await deps.queue.sendFetch([{ type: 'fetch', sourceId: task.sourceId, trigger: 'rerun', requestedAt: new Date(deps.clock.now()).toISOString() }]);
      }
    } catch (error) {
      // Another run took the source over; it does this work.
      if (error instanceof LeaseLostError) return;
      throw error;
    }
  }));
}
