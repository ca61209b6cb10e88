import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { errorMessage, TributaryError } from '../../shared/core/errors.ts';
import type { Logger } from '../../shared/core/deps.ts';
import type { QueueName, TaskQueue } from '../../shared/ports/index.ts';

export interface BatchOptions {
  readonly queueName: QueueName;
  readonly queue: TaskQueue;
  /** Attempts before a failing task is dead-lettered with its reason. */
  readonly maxReceives: number;
  readonly log: Logger;
  /** Called when a task is dead-lettered (with the error that ended it), so its run still settles. */
  readonly onDeadLetter?: (record: SQSRecord, reason: string, error: unknown) => Promise<void>;
}

/**
 * Runs `handle` over an SQS batch the way FIFO queues require: message groups in parallel,
 * each group in order, and once a message of a group fails, the rest of that group is
 * reported failed too so nothing overtakes it. A message whose error says no retry can help
 * (a TributaryError with `retryable: false`: a poison task, a document that cannot be read, a
 * provider refusing the key or the vector size) goes to the dead-letter queue with its reason
 * at once, as does one out of attempts; the rest of the batch succeeds. Errors of unknown
 * kind are retried: they may be an outage.
 */
export async function processBatch(
  event: SQSEvent,
  options: BatchOptions,
  handle: (record: SQSRecord) => Promise<void>,
): Promise<SQSBatchResponse> {
  const groups = new Map<string, SQSRecord[]>();
  for (const record of event.Records) {
    const group = record.attributes.MessageGroupId ?? record.messageId;
    groups.set(group, [...(groups.get(group) ?? []), record]);
  }
  const failures: string[] = [];
  await Promise.all([...groups.values()].map(async (records) => {
    let blocked = false;
    for (const record of records) {
      if (blocked) {
        failures.push(record.messageId);
        continue;
      }
      try {
        await handle(record);
      } catch (error) {
        const attempts = Number(record.attributes.ApproximateReceiveCount ?? '1');
        const final = error instanceof TributaryError && !error.retryable;
        const reason = `${error instanceof Error ? error.name : 'Error'}: ${errorMessage(error)}`;
        if (final || attempts >= options.maxReceives) {
          options.log.error('task dead-lettered', { queue: options.queueName, messageId: record.messageId, attempts, reason });
          try {
            await options.queue.deadLetter(options.queueName, record.body, final ? reason : `${reason} (after ${attempts} attempts)`);
            await options.onDeadLetter?.(record, reason, error);
          } catch (dlqError) {
            options.log.error('dead-lettering failed; leaving the task to SQS redrive', { error: errorMessage(dlqError) });
            failures.push(record.messageId);
            blocked = true;
          }
        } else {
          options.log.warn('task failed; it will be retried', { queue: options.queueName, messageId: record.messageId, attempts, reason });
          failures.push(record.messageId);
          blocked = true;
        }
      }
    }
  }));
  return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
}
