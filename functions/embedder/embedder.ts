import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { CoreDeps } from '../../shared/core/deps.ts';
import { processEmbedTask } from '../../shared/core/embed-task.ts';
import { decodeEmbedTask } from '../../shared/core/tasks.ts';
import { processBatch } from '../shared/sqs-batch.ts';

export interface EmbedderHandlerOptions {
  /** Attempts before a task is dead-lettered with its reason. */
  readonly maxReceives: number;
}

/**
 * The embedder Lambda: decode each SQS record → apply the embed task → report partial
 * batch failures. The local runtime invokes this same handler with SQS-shaped events.
 */
export function createEmbedderHandler(deps: CoreDeps, options: EmbedderHandlerOptions) {
  return middy<SQSEvent, SQSBatchResponse>().handler(async (event) => processBatch(event, {
    queueName: 'embed', queue: deps.queue, maxReceives: options.maxReceives, log: deps.log,
    onDeadLetter: async (record) => {
      // The run must still settle: count the task as failed on its run record.
      try {
        const task = decodeEmbedTask(record.body);
        await deps.state.addRunCounters(task.sourceId, task.runSk, { tasksFailed: 1 });
      } catch {
        // Undecodable: it belongs to no run.
      }
    },
  }, async (record) => {
    await processEmbedTask(deps, decodeEmbedTask(record.body));
  }));
}
