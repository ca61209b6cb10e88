import { DEDUP_WINDOW_MS, embedDedupId, embedGroupId, fetchDedupId } from '../../shared/adapters/task-routing.ts';
import { encodeTask } from '../../shared/core/tasks.ts';
import type { Clock, EmbedTask, FetchTask, QueueName, ReceivedMessage, TaskQueue } from '../../shared/ports/index.ts';

/** The queues' default visibility timeout (`SqsTaskQueue.ensureQueues` sets 120 s). */
const DEFAULT_VISIBILITY_SECONDS = 120;

interface Message {
  readonly messageId: string;
  readonly raw: string;
  readonly group: string;
  readonly seq: number;
  receiveCount: number;
  /** Epoch ms from which it may be received again; undefined: never received. */
  visibleAt?: number;
  /** The receipt of the latest receive; older receipts no longer ack or release. */
  receipt?: string;
}

interface Fifo {
  messages: Message[];
  dedup: Map<string, number>;
  dead: Array<{ body: string; reason?: string }>;
}

export interface InMemoryTaskQueueOptions {
  /** Drives visibility timeouts and the deduplication window. @default the system clock */
  readonly clock?: Clock;
  /** Receives after which a message moves to the DLQ instead of being delivered (SQS redrive). @default 10 */
  readonly maxReceiveCount?: number;
  /**
   * Orders the message groups a receive serves (FIFO order within each group is kept).
   * Tests pass a seeded shuffle to reorder work across documents. @default send order
   */
  readonly orderGroups?: (groups: string[]) => string[];
}

/**
 * The in-memory twin of `SqsTaskQueue` on SQS FIFO queues: message groups (one in-flight
 * group is held until its message is acked or becomes visible again), visibility timeouts,
 * deduplication ids (the adapter's, within SQS's five-minute window), receive counts and a
 * redrive to the dead-letter queue after `maxReceiveCount` receives. The TaskQueue contract
 * suite proves it behaves like the adapter.
 */
export class InMemoryTaskQueue implements TaskQueue {
  private readonly queues: Record<QueueName, Fifo> = { fetch: emptyFifo(), embed: emptyFifo() };
  private readonly clock: Clock;
  private readonly maxReceiveCount: number;
  private readonly orderGroups: (groups: string[]) => string[];
  private seq = 0;

  constructor(options: InMemoryTaskQueueOptions = {}) {
    this.clock = options.clock ?? { now: () => Date.now() };
    this.maxReceiveCount = options.maxReceiveCount ?? 10;
    this.orderGroups = options.orderGroups ?? ((groups) => groups);
  }

  async sendFetch(tasks: readonly FetchTask[]): Promise<void> {
    await tick();
    for (const task of tasks) this.send('fetch', encodeTask(task), task.sourceId, fetchDedupId(task));
  }

  async sendEmbed(tasks: readonly EmbedTask[]): Promise<void> {
    await tick();
    for (const task of tasks) {
      this.send('embed', encodeTask(task), embedGroupId(task), embedDedupId(task));
    }
  }

  async deadLetter(queue: QueueName, raw: string, reason: string): Promise<void> {
    await tick();
    this.queues[queue].dead.push({ body: raw.length > 0 ? raw : '(empty body)', reason: reason.slice(0, 4000) || 'unknown' });
  }

  async receive(queue: QueueName, options: { max: number; waitSeconds: number; visibilitySeconds?: number }): Promise<Array<ReceivedMessage<unknown>>> {
    await tick();
    const fifo = this.queues[queue];
    const now = this.clock.now();
    const max = Math.min(10, Math.max(1, options.max));
    const visibility = (options.visibilitySeconds ?? DEFAULT_VISIBILITY_SECONDS) * 1000;
    // Redrive: a visible message received maxReceiveCount times goes to the DLQ.
    for (const m of [...fifo.messages]) {
      if (isVisible(m, now) && m.receiveCount >= this.maxReceiveCount) {
        fifo.messages.splice(fifo.messages.indexOf(m), 1);
        fifo.dead.push({ body: m.raw });
      }
    }
    const groups: string[] = [];
    for (const m of fifo.messages) if (!groups.includes(m.group)) groups.push(m.group);
    const out: Array<ReceivedMessage<unknown>> = [];
    for (const group of this.orderGroups(groups)) {
      const members = fifo.messages.filter((m) => m.group === group);
      // A group with a message in flight hands out nothing: order within the group is kept.
      if (members.some((m) => !isVisible(m, now))) continue;
      for (const m of members) {
        if (out.length >= max) break;
        m.receiveCount += 1;
        m.visibleAt = now + visibility;
        m.receipt = `${m.messageId}:${m.receiveCount}`;
        out.push(toReceived(m));
      }
      if (out.length >= max) break;
    }
    return out;
  }

  async ack(queue: QueueName, receipts: readonly string[]): Promise<void> {
    await tick();
    const fifo = this.queues[queue];
    const wanted = new Set(receipts);
    fifo.messages = fifo.messages.filter((m) => m.receipt === undefined || !wanted.has(m.receipt));
  }

  async release(queue: QueueName, receipt: string, delaySeconds: number): Promise<void> {
    await tick();
    const m = this.queues[queue].messages.find((x) => x.receipt === receipt);
    if (m) m.visibleAt = this.clock.now() + Math.max(0, Math.round(delaySeconds)) * 1000;
  }

  async depth(queue: QueueName): Promise<{ visible: number; inFlight: number }> {
    await tick();
    const now = this.clock.now();
    const messages = this.queues[queue].messages;
    const visible = messages.filter((m) => isVisible(m, now)).length;
    return { visible, inFlight: messages.length - visible };
  }

  async listDeadLetters(queue: QueueName, max: number): Promise<Array<{ body: string; reason?: string }>> {
    await tick();
    return this.queues[queue].dead.slice(0, Math.min(10, Math.max(1, max))).map((d) => ({ ...d }));
  }

  /** Every message still in the queue (waiting or in flight), oldest first: for test assertions. */
  peek(queue: QueueName): Array<{ raw: string; group: string; receiveCount: number; inFlight: boolean }> {
    const now = this.clock.now();
    return this.queues[queue].messages.map((m) => ({ raw: m.raw, group: m.group, receiveCount: m.receiveCount, inFlight: !isVisible(m, now) }));
  }

  /** Every dead letter (listDeadLetters shows at most 10). */
  deadLetters(queue: QueueName): Array<{ body: string; reason?: string }> {
    return this.queues[queue].dead.map((d) => ({ ...d }));
  }

  private send(queue: QueueName, raw: string, group: string, dedupId: string): void {
    const fifo = this.queues[queue];
    const now = this.clock.now();
    const sentAt = fifo.dedup.get(dedupId);
    if (sentAt !== undefined && now - sentAt < DEDUP_WINDOW_MS) return;
    fifo.dedup.set(dedupId, now);
    this.seq += 1;
    fifo.messages.push({ messageId: `m-${this.seq}`, raw, group, seq: this.seq, receiveCount: 0 });
  }
}

function emptyFifo(): Fifo {
  return { messages: [], dedup: new Map(), dead: [] };
}

function isVisible(m: Message, now: number): boolean {
  return m.visibleAt === undefined || m.visibleAt <= now;
}

function toReceived(m: Message): ReceivedMessage<unknown> {
  let body: unknown = m.raw;
  try {
    body = JSON.parse(m.raw);
  } catch {
    // Left as the raw string: the handler dead-letters what it cannot decode.
  }
  return { body, raw: m.raw, group: m.group, messageId: m.messageId, receipt: m.receipt ?? '', receiveCount: m.receiveCount };
}

function tick(): Promise<void> {
  return Promise.resolve();
}
