import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { Logger } from '../../shared/core/deps.ts';
import { errorMessage } from '../../shared/core/errors.ts';
import type { QueueName, ReceivedMessage, TaskQueue } from '../../shared/ports/index.ts';

export type BatchHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

export interface PollerOptions {
  readonly concurrency: number;
  /** Long-poll wait; short enough that stop() returns promptly. @default 1 */
  readonly waitSeconds?: number;
  /** @default 300 */
  readonly visibilitySeconds?: number;
  readonly log: Logger;
}

/**
 * Local stand-in for Lambda's SQS event source mapping: receives batches, invokes the
 * handler with an SQS-shaped event, deletes what succeeded and returns the reported
 * failures to the queue with a backoff (as Lambda does with ReportBatchItemFailures).
 */
export class QueuePoller {
  private running = false;
  private busy = 0;
  /** Ends waiting receives when the poller stops (the local queue ends them at once). */
  private stopping = new AbortController();
  private loops: Array<Promise<void>> = [];

  constructor(
    private readonly queue: TaskQueue,
    private readonly name: QueueName,
    private readonly handler: BatchHandler,
    private readonly options: PollerOptions,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopping = new AbortController();
    this.loops = Array.from({ length: this.options.concurrency }, () => this.loop());
  }

  async stop(): Promise<void> {
    this.running = false;
    this.stopping.abort();
    await Promise.all(this.loops);
  }

  /** True while a handler invocation is under way. */
  get active(): boolean {
    return this.busy > 0;
  }

  private async loop(): Promise<void> {
    while (this.running) {
      let messages: Array<ReceivedMessage<unknown>>;
      try {
        messages = await this.queue.receive(this.name, {
          max: 10, waitSeconds: this.options.waitSeconds ?? 1, visibilitySeconds: this.options.visibilitySeconds ?? 300,
          signal: this.stopping.signal,
        });
      } catch (error) {
        if (!this.running) return;
        this.options.log.warn('receive failed', { queue: this.name, error: errorMessage(error) });
        await new Promise((r) => setTimeout(r, 500));
        continue;
      }
      if (messages.length === 0) continue;
      this.busy += 1;
      try {
        await this.deliver(messages);
      } finally {
        this.busy -= 1;
      }
    }
  }

  private async deliver(messages: Array<ReceivedMessage<unknown>>): Promise<void> {
    const event: SQSEvent = { Records: messages.map((m) => toRecord(this.name, m)) };
    let failed: Set<string>;
    try {
      const response = await this.handler(event, {} as Context);
      failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    } catch (error) {
      this.options.log.error('handler failed for the whole batch', { queue: this.name, error: errorMessage(error) });
      failed = new Set(messages.map((m) => m.messageId));
    }
    await this.queue.ack(this.name, messages.filter((m) => !failed.has(m.messageId)).map((m) => m.receipt));
    for (const m of messages.filter((x) => failed.has(x.messageId))) {
      // Exponential backoff between attempts, as a visibility timeout would give on AWS.
      await this.queue.release(this.name, m.receipt, Math.min(30, 2 ** (m.receiveCount - 1))).catch(() => undefined);
    }
  }
}

function toRecord(queue: QueueName, m: ReceivedMessage<unknown>): SQSRecord {
  return {
    messageId: m.messageId,
    receiptHandle: m.receipt,
    body: m.raw,
    attributes: {
      ApproximateReceiveCount: String(m.receiveCount),
      SentTimestamp: String(Date.now()),
      SenderId: 'local',
      ApproximateFirstReceiveTimestamp: String(Date.now()),
      ...(m.group !== undefined ? { MessageGroupId: m.group } : {}),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:local:000000000000:tributary-${queue}.fifo`,
    awsRegion: 'local',
  };
}
