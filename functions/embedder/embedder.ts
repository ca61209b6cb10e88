import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { CoreDeps } from '../../shared/core/deps.ts';
import { abandonEmbedTask, countersOf, processEmbedTask } from '../../shared/core/embed-task.ts';
import { errorMessage } from '../../shared/core/errors.ts';
import { decodeEmbedTask } from '../../shared/core/tasks.ts';
import type { RunCounters } from '../../shared/ports/index.ts';
import { processBatch } from '../shared/sqs-batch.ts';

export interface EmbedderHandlerOptions {
  /** Attempts before a task is dead-lettered with its reason. */
  readonly maxReceives: number;
}

/**
 * The embedder Lambda: decode each SQS record → apply the embed task → report partial
 * batch failures. The local runtime invokes this same handler with SQS-shaped events.
 *
 * Run counters are summed over the batch and written once per run: every task of a run
 * updating one item would make it a hot key. If that write fails, the whole batch is
 * retried; the replayed tasks are dropped as already applied and still count as done.
 */
export function createEmbedderHandler(deps: CoreDeps, options: EmbedderHandlerOptions) {
  return middy<SQSEvent, SQSBatchResponse>().handler(async (event) => {
    const totals = new Map<string, { sourceId: string; runSk: string; delta: Partial<RunCounters> }>();
    const add = (sourceId: string, runSk: string, delta: Partial<RunCounters>): void => {
      const key = `${sourceId}\u0000${runSk}`;
      const entry = totals.get(key) ?? { sourceId, runSk, delta: {} };
      for (const [k, v] of Object.entries(delta) as Array<[keyof RunCounters, number]>) entry.delta[k] = (entry.delta[k] ?? 0) + v;
      totals.set(key, entry);
    };
    const response = await processBatch(event, {
      queueName: 'embed', queue: deps.queue, maxReceives: options.maxReceives, log: deps.log,
      onDeadLetter: async (record) => {
        let task;
        try {
          task = decodeEmbedTask(record.body);
        } catch {
          // Undecodable: it belongs to no run and no document.
          return;
        }
        // A source no longer configured has nothing left to release (and on AWS its items are
        // outside this function's grant).
        if (!deps.settings(task.sourceId)) return;
        // The next pass enqueues the document again; a failure here retries the dead-lettering.
        await abandonEmbedTask(deps, task);
        // The run must still settle: count the task as failed on its run record.
        add(task.sourceId, task.runSk, { tasksFailed: 1 });
      },
    }, async (record) => {
      const task = decodeEmbedTask(record.body);
      add(task.sourceId, task.runSk, countersOf(await processEmbedTask(deps, task), deps.embeddingPricePerMillionTokensUsd ?? 0));
    });
    try {
      for (const { sourceId, runSk, delta } of totals.values()) await deps.state.addRunCounters(sourceId, runSk, delta);
    } catch (error) {
      deps.log.warn('could not record run counters; retrying the batch', { error: errorMessage(error) });
      return { batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })) };
    }
    return response;
  });
}
