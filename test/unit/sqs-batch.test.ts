import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { processBatch } from '../../functions/shared/sqs-batch.ts';
import type { BatchOptions } from '../../functions/shared/sqs-batch.ts';
import { silentLogger } from '../../shared/core/deps.ts';
import { DocumentError, LeaseLostError, PoisonTaskError, TransientError, TributaryError } from '../../shared/core/errors.ts';
import type { QueueName, TaskQueue } from '../../shared/ports/index.ts';

const MAX_RECEIVES = 5;

/** An SQS record of a FIFO queue; its body names it, so handlers can tell records apart. */
function record(messageId: string, group: string, receiveCount = 1): SQSRecord {
  return {
    messageId,
    receiptHandle: `rh-${messageId}`,
    body: JSON.stringify({ id: messageId }),
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: '1767225600000',
      SenderId: 'AIDA',
      ApproximateFirstReceiveTimestamp: '1767225600000',
      MessageGroupId: group,
      MessageDeduplicationId: `dedup-${messageId}`,
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:embed.fifo',
    awsRegion: 'us-east-1',
  };
}

const event = (...records: SQSRecord[]): SQSEvent => ({ Records: records });

/** A TaskQueue that records dead letters (the only method processBatch may call). */
function fakeQueue(options: { failDeadLetter?: boolean } = {}) {
  const deadLetters: Array<{ queue: QueueName; raw: string; reason: string }> = [];
  const queue = {
    async deadLetter(name: QueueName, raw: string, reason: string): Promise<void> {
      if (options.failDeadLetter) throw new Error('DLQ unavailable');
      deadLetters.push({ queue: name, raw, reason });
    },
  } as unknown as TaskQueue;
  return { queue, deadLetters };
}

/** Batch options with a recording onDeadLetter. */
function batchOptions(queue: TaskQueue) {
  const settled: Array<{ messageId: string; reason: string }> = [];
  const options: BatchOptions = {
    queueName: 'embed', queue, maxReceives: MAX_RECEIVES, log: silentLogger,
    onDeadLetter: async (r, reason) => {
      settled.push({ messageId: r.messageId, reason });
    },
  };
  return { options, settled };
}

const idOf = (r: SQSRecord): string => (JSON.parse(r.body) as { id: string }).id;
const failedIds = (response: { batchItemFailures: Array<{ itemIdentifier: string }> }): string[] =>
  response.batchItemFailures.map((f) => f.itemIdentifier).sort();

describe('processBatch', () => {
  it('dead-letters a poison record with its reason and does not report it, while the rest succeed', async () => {
    // Prepare: the poison record sits in the middle of its group.
    const { queue, deadLetters } = fakeQueue();
    const { options, settled } = batchOptions(queue);
    const handled: string[] = [];
    const records = [record('a1', 'g1'), record('poison', 'g1'), record('a2', 'g1'), record('b1', 'g2')];

    // Act
    const response = await processBatch(event(...records), options, async (r) => {
      handled.push(idOf(r));
      if (idOf(r) === 'poison') throw new PoisonTaskError('malformed embed task: missing docId');
    });

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(deadLetters).toEqual([{ queue: 'embed', raw: records[1]!.body, reason: 'PoisonTaskError: malformed embed task: missing docId' }]);
    expect(settled).toEqual([{ messageId: 'poison', reason: 'PoisonTaskError: malformed embed task: missing docId' }]);
    expect(handled.sort()).toEqual(['a1', 'a2', 'b1', 'poison']);
  });

  it.each([
    ['a refusal no retry can fix', new TributaryError('OpenAI refused the embeddings request (401): check the API key')],
    ['a document that cannot be read', new DocumentError('a.md', 'permission denied (EACCES)')],
    ['a lost lease', new LeaseLostError('docs', 3)],
  ])('dead-letters %s (retryable: false) on its first receive, with its reason and error', async (_what, error) => {
    // Prepare
    const { queue, deadLetters } = fakeQueue();
    const errors: unknown[] = [];
    const { options } = batchOptions(queue);
    const onDeadLetter = options.onDeadLetter!;
    const withErrors = { ...options, onDeadLetter: async (r: SQSRecord, reason: string, e: unknown) => { errors.push(e); await onDeadLetter(r, reason, e); } };

    // Act
    const response = await processBatch(event(record('final', 'g1', 1), record('next', 'g1')), withErrors, async (r) => {
      if (idOf(r) === 'final') throw error;
    });

    // Assess: not retried; the rest of its group goes on.
    expect(response).toEqual({ batchItemFailures: [] });
    expect(deadLetters).toEqual([{ queue: 'embed', raw: record('final', 'g1').body, reason: `${error.name}: ${error.message}` }]);
    expect(errors).toEqual([error]);
  });

  it('retries an error of unknown kind, and a retryable one, until the last attempt', async () => {
    // Prepare
    const { queue, deadLetters } = fakeQueue();
    const { options } = batchOptions(queue);

    // Act
    const response = await processBatch(event(record('plain', 'g1', 2), record('transient', 'g2', MAX_RECEIVES - 1)), options, async (r) => {
      throw idOf(r) === 'plain' ? new Error('socket hang up') : new TransientError('503 from the provider');
    });

    // Assess
    expect(failedIds(response)).toEqual(['plain', 'transient']);
    expect(deadLetters).toEqual([]);
  });

  it('reports a transient failure before the last attempt, without dead-lettering it', async () => {
    // Prepare
    const { queue, deadLetters } = fakeQueue();
    const { options, settled } = batchOptions(queue);

    // Act
    const response = await processBatch(event(record('t1', 'g1', 1), record('ok', 'g2')), options, async (r) => {
      if (idOf(r) === 't1') throw new TransientError('throttled');
    });

    // Assess
    expect(failedIds(response)).toEqual(['t1']);
    expect(deadLetters).toEqual([]);
    expect(settled).toEqual([]);
  });

  it.each([MAX_RECEIVES, MAX_RECEIVES + 2])('dead-letters a failing record at receiveCount %i, naming the attempts', async (attempts) => {
    // Prepare
    const { queue, deadLetters } = fakeQueue();
    const { options, settled } = batchOptions(queue);
    const failing = record('tired', 'g1', attempts);

    // Act
    const response = await processBatch(event(failing, record('next', 'g1')), options, async (r) => {
      if (idOf(r) === 'tired') throw new Error('embedding provider down');
    });

    // Assess: dead-lettered and not reported, so the rest of its group goes on.
    expect(response).toEqual({ batchItemFailures: [] });
    expect(deadLetters).toEqual([{ queue: 'embed', raw: failing.body, reason: `Error: embedding provider down (after ${attempts} attempts)` }]);
    expect(settled).toEqual([{ messageId: 'tired', reason: 'Error: embedding provider down' }]);
  });

  it('reports the rest of a group failed, unprocessed, after a failure, while other groups proceed', async () => {
    // Prepare: interleaved groups, as SQS delivers them.
    const { queue, deadLetters } = fakeQueue();
    const { options } = batchOptions(queue);
    const handled: string[] = [];
    const records = [
      record('a1', 'doc-a'), record('b1', 'doc-b'), record('a2', 'doc-a'), record('b2', 'doc-b'),
      record('a3', 'doc-a'), record('c1', 'doc-c'), record('b3', 'doc-b'),
    ];

    // Act
    const response = await processBatch(event(...records), options, async (r) => {
      handled.push(idOf(r));
      if (idOf(r) === 'a2') throw new Error('vector store timeout');
    });

    // Assess
    expect(failedIds(response)).toEqual(['a2', 'a3']);
    expect(handled).not.toContain('a3');
    expect(handled.filter((id) => id.startsWith('a'))).toEqual(['a1', 'a2']);
    expect(handled.filter((id) => id.startsWith('b'))).toEqual(['b1', 'b2', 'b3']);
    expect(handled).toContain('c1');
    expect(deadLetters).toEqual([]);
  });

  it('processes each group in order, one record at a time', async () => {
    // Prepare: handlers finish out of order unless the group is awaited record by record.
    const { queue } = fakeQueue();
    const { options } = batchOptions(queue);
    const finished: string[] = [];
    let running = 0;
    let maxRunningInGroup = 0;
    const delays: Record<string, number> = { a1: 3, a2: 0, a3: 1 };

    // Act
    await processBatch(event(record('a1', 'g'), record('a2', 'g'), record('a3', 'g')), options, async (r) => {
      running++;
      maxRunningInGroup = Math.max(maxRunningInGroup, running);
      for (let i = 0; i < (delays[idOf(r)] ?? 0); i++) await Promise.resolve();
      finished.push(idOf(r));
      running--;
    });

    // Assess
    expect(finished).toEqual(['a1', 'a2', 'a3']);
    expect(maxRunningInGroup).toBe(1);
  });

  it('reports the record (and blocks its group) when dead-lettering itself fails', async () => {
    // Prepare
    const { queue } = fakeQueue({ failDeadLetter: true });
    const { options, settled } = batchOptions(queue);
    const handled: string[] = [];

    // Act
    const response = await processBatch(event(record('poison', 'g1'), record('after', 'g1'), record('other', 'g2')), options, async (r) => {
      handled.push(idOf(r));
      if (idOf(r) === 'poison') throw new PoisonTaskError('bad');
    });

    // Assess
    expect(failedIds(response)).toEqual(['after', 'poison']);
    expect(handled.sort()).toEqual(['other', 'poison']);
    expect(settled).toEqual([]);
  });

  it('treats records without a group as independent', async () => {
    // Prepare: a standard queue has no MessageGroupId.
    const { queue } = fakeQueue();
    const { options } = batchOptions(queue);
    const loose = (id: string): SQSRecord => {
      const r = record(id, 'unused');
      delete r.attributes.MessageGroupId;
      return r;
    };
    const handled: string[] = [];

    // Act
    const response = await processBatch(event(loose('x1'), loose('x2'), loose('x3')), options, async (r) => {
      handled.push(idOf(r));
      if (idOf(r) === 'x1') throw new Error('flaky');
    });

    // Assess: x1's failure blocks nothing else.
    expect(failedIds(response)).toEqual(['x1']);
    expect(handled.sort()).toEqual(['x1', 'x2', 'x3']);
  });
});
