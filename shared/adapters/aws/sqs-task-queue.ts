import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { randomUUID } from 'node:crypto';
import { chunked, forEachLimited } from '../../core/concurrency.ts';
import { batchesOf } from '../../core/batches.ts';
import { TransientError } from '../../core/errors.ts';
import { encodeTask } from '../../core/tasks.ts';
import { embedDedupId, embedGroupId, fetchDedupId } from '../task-routing.ts';
import type { EmbedTask, FetchTask, QueueName, ReceivedMessage, TaskQueue } from '../../ports/index.ts';

/** SQS caps a batch at 10 entries and 256 KiB in all; keep headroom for attributes. */
const MAX_BATCH_ENTRIES = 10;
const MAX_BATCH_BYTES = 240 * 1024;
/** SendMessageBatch requests in flight at once when their message groups are disjoint. */
const SEND_CONCURRENCY = 4;

export interface QueueUrls {
  fetch: string;
  fetchDlq: string;
  embed: string;
  embedDlq: string;
}

export interface SqsTaskQueueOptions {
  client: SQSClient;
  urls: QueueUrls;
}

/**
 * TaskQueue on SQS FIFO queues. Fetch tasks are grouped per source (one run of a source at
 * a time), embed tasks per document (one document's tasks in order, documents in parallel).
 */
export class SqsTaskQueue implements TaskQueue {
  constructor(private readonly options: SqsTaskQueueOptions) {}

  /** Creates the four queues when absent (local mode) and returns their URLs. */
  static async ensureQueues(client: SQSClient, prefix: string, maxReceiveCount: number): Promise<QueueUrls> {
    const create = async (name: string, attributes: Record<string, string>): Promise<string> => {
      const { QueueUrl } = await client.send(new CreateQueueCommand({
        QueueName: `${prefix}-${name}.fifo`,
        Attributes: { FifoQueue: 'true', VisibilityTimeout: '120', ...attributes },
      }));
      if (!QueueUrl) throw new Error(`CreateQueue returned no URL for ${name}`);
      return QueueUrl;
    };
    const arnOf = async (url: string): Promise<string> => {
      const { Attributes } = await client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
      const arn = Attributes?.['QueueArn'];
      if (!arn) throw new Error(`no ARN for queue ${url}`);
      return arn;
    };
    const fetchDlq = await create('fetch-dlq', { MessageRetentionPeriod: '1209600' });
    const embedDlq = await create('embed-dlq', { MessageRetentionPeriod: '1209600' });
    const redrive = async (dlq: string) => ({
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: await arnOf(dlq), maxReceiveCount }),
    });
    const fetch = await create('fetch', await redrive(fetchDlq));
    const embed = await create('embed', await redrive(embedDlq));
    return { fetch, fetchDlq, embed, embedDlq };
  }

  async sendFetch(tasks: readonly FetchTask[]): Promise<void> {
    await this.sendAll(this.options.urls.fetch, tasks.map((task) => ({
      body: encodeTask(task),
      group: task.sourceId,
      dedup: fetchDedupId(task),
    })));
  }

  async sendEmbed(tasks: readonly EmbedTask[]): Promise<void> {
    await this.sendAll(this.options.urls.embed, tasks.map((task) => ({
      body: encodeTask(task),
      group: embedGroupId(task),
      dedup: embedDedupId(task),
    })));
  }

  async deadLetter(queue: QueueName, raw: string, reason: string): Promise<void> {
    // One group per dead letter: a FIFO receive hands out only the head of a group, so a
    // shared group (per source) would hide all but one dead letter per source from
    // listDeadLetters. A UUID is also always a valid group id, unlike a poison body's sourceId.
    const id = randomUUID();
    await this.options.client.send(new SendMessageCommand({
      QueueUrl: queue === 'fetch' ? this.options.urls.fetchDlq : this.options.urls.embedDlq,
      MessageBody: raw.length > 0 ? raw : '(empty body)',
      MessageGroupId: id,
      MessageDeduplicationId: id,
      MessageAttributes: { reason: { DataType: 'String', StringValue: reason.slice(0, 4000) || 'unknown' } },
    }));
  }

  async receive(queue: QueueName, options: { max: number; waitSeconds: number; visibilitySeconds?: number }): Promise<Array<ReceivedMessage<unknown>>> {
    const { Messages } = await this.options.client.send(new ReceiveMessageCommand({
      QueueUrl: this.url(queue),
      MaxNumberOfMessages: Math.min(10, Math.max(1, options.max)),
      WaitTimeSeconds: options.waitSeconds,
      MessageSystemAttributeNames: ['ApproximateReceiveCount', 'MessageGroupId'],
      ...(options.visibilitySeconds !== undefined ? { VisibilityTimeout: options.visibilitySeconds } : {}),
    }));
    return (Messages ?? []).map((m) => {
      const raw = m.Body ?? '';
      let body: unknown = raw;
      try {
        body = JSON.parse(raw);
      } catch {
        // Left as the raw string: the handler dead-letters what it cannot decode.
      }
      const group = m.Attributes?.['MessageGroupId'];
      return {
        body,
        raw,
        ...(group !== undefined ? { group } : {}),
        messageId: m.MessageId ?? '',
        receipt: m.ReceiptHandle ?? '',
        receiveCount: Number(m.Attributes?.['ApproximateReceiveCount'] ?? '1'),
      };
    });
  }

  async ack(queue: QueueName, receipts: readonly string[]): Promise<void> {
    for (const batch of chunked(receipts, MAX_BATCH_ENTRIES)) {
      await this.options.client.send(new DeleteMessageBatchCommand({
        QueueUrl: this.url(queue),
        Entries: batch.map((ReceiptHandle, i) => ({ Id: String(i), ReceiptHandle })),
      }));
    }
  }

  /** A receipt that no longer names an in-flight message (acked, or received again since) changes nothing, as on the other adapters. */
  async release(queue: QueueName, receipt: string, delaySeconds: number): Promise<void> {
    try {
      await this.options.client.send(new ChangeMessageVisibilityCommand({
        QueueUrl: this.url(queue), ReceiptHandle: receipt, VisibilityTimeout: Math.max(0, Math.round(delaySeconds)),
      }));
    } catch (error) {
      const name = (error as { name?: string }).name ?? '';
      if (name.includes('MessageNotInflight') || name.includes('ReceiptHandleIsInvalid')) return;
      throw error;
    }
  }

  async depth(queue: QueueName): Promise<{ visible: number; inFlight: number }> {
    const { Attributes } = await this.options.client.send(new GetQueueAttributesCommand({
      QueueUrl: this.url(queue),
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
    }));
    return {
      visible: Number(Attributes?.['ApproximateNumberOfMessages'] ?? 0) + Number(Attributes?.['ApproximateNumberOfMessagesDelayed'] ?? 0),
      inFlight: Number(Attributes?.['ApproximateNumberOfMessagesNotVisible'] ?? 0),
    };
  }

  async listDeadLetters(queue: QueueName, max: number): Promise<Array<{ body: string; reason?: string }>> {
    // Visibility 0: a peek that leaves the messages where they are.
    const { Messages } = await this.options.client.send(new ReceiveMessageCommand({
      QueueUrl: queue === 'fetch' ? this.options.urls.fetchDlq : this.options.urls.embedDlq,
      MaxNumberOfMessages: Math.min(10, Math.max(1, max)),
      VisibilityTimeout: 0,
      WaitTimeSeconds: 0,
      MessageAttributeNames: ['All'],
    }));
    return (Messages ?? []).map((m) => {
      const reason = m.MessageAttributes?.['reason']?.StringValue;
      return reason === undefined ? { body: m.Body ?? '' } : { body: m.Body ?? '', reason };
    });
  }

  private url(queue: QueueName): string {
    return queue === 'fetch' ? this.options.urls.fetch : this.options.urls.embed;
  }

  /** Sends in batches bounded by entry count and total bytes; retries entries SQS reports as failed. */
  private async sendAll(queueUrl: string, messages: Array<{ body: string; group: string; dedup: string }>): Promise<void> {
    // 256 bytes per entry for its id, group and dedup id.
    const batches = batchesOf(messages, { maxItems: MAX_BATCH_ENTRIES, maxBytes: MAX_BATCH_BYTES }, (m) => Buffer.byteLength(m.body, 'utf8') + 256);

    // FIFO order holds within a message group across requests only if they go one after
    // another; batches that share no group (embed tasks: one group per document) go side by side.
    const groupsPerBatch = batches.map((batch) => new Set(batch.map((m) => m.group)));
    const disjoint = new Set(groupsPerBatch.flatMap((groups) => [...groups])).size === groupsPerBatch.reduce((n, groups) => n + groups.size, 0);
    await forEachLimited(batches, disjoint ? SEND_CONCURRENCY : 1, async (batch) => {
      let pending = batch.map((m, i) => ({ ...m, id: String(i) }));
      for (let attempt = 0; pending.length > 0; attempt++) {
        const { Failed } = await this.options.client.send(new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: pending.map((m) => ({ Id: m.id, MessageBody: m.body, MessageGroupId: m.group, MessageDeduplicationId: m.dedup })),
        }));
        const failed = new Set((Failed ?? []).map((f) => f.Id));
        const senderFault = (Failed ?? []).find((f) => f.SenderFault);
        if (senderFault) throw new Error(`SQS rejected a task: ${senderFault.Code ?? ''} ${senderFault.Message ?? ''}`);
        pending = pending.filter((m) => failed.has(m.id));
        if (pending.length > 0) {
          if (attempt >= 5) throw new TransientError(`SQS kept failing ${pending.length} entries`);
          await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
        }
      }
    });
  }
}
