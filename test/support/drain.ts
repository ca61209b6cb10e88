import type { Context } from 'aws-lambda';
import { createEmbedderHandler } from '../../functions/embedder/embedder.ts';
import type { CoreDeps } from '../../shared/core/deps.ts';
import type { ReceivedMessage, SQSRecordLike } from './types.ts';

export type { SQSRecordLike };

/**
 * Delivers embed tasks to the embedder handler until the queue is empty, the way the
 * Lambda event source mapping (or the local poller) would. Returns the messages handled.
 */
export async function drainEmbedQueue(deps: CoreDeps, options: { maxReceives?: number; maxRounds?: number } = {}): Promise<number> {
  const handler = createEmbedderHandler(deps, { maxReceives: options.maxReceives ?? 3 });
  let handled = 0;
  for (let round = 0; round < (options.maxRounds ?? 1000); round++) {
    const messages = await deps.queue.receive('embed', { max: 10, waitSeconds: 0, visibilitySeconds: 30 });
    if (messages.length === 0) {
      const depth = await deps.queue.depth('embed');
      if (depth.visible === 0 && depth.inFlight === 0) return handled;
      continue;
    }
    const response = await handler({ Records: messages.map(toRecord) }, {} as Context);
    const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
    await deps.queue.ack('embed', messages.filter((m) => !failed.has(m.messageId)).map((m) => m.receipt));
    for (const m of messages.filter((x) => failed.has(x.messageId))) await deps.queue.release('embed', m.receipt, 0);
    handled += messages.length;
  }
  throw new Error('embed queue did not drain');
}

export function toRecord(m: ReceivedMessage): SQSRecordLike {
  return {
    messageId: m.messageId, receiptHandle: m.receipt, body: m.raw,
    attributes: {
      ApproximateReceiveCount: String(m.receiveCount), SentTimestamp: '0', SenderId: 'test', ApproximateFirstReceiveTimestamp: '0',
      ...(m.group !== undefined ? { MessageGroupId: m.group } : {}),
    },
    messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:local:0:embed.fifo', awsRegion: 'local',
  };
}
