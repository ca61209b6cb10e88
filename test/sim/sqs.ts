/**
 * The simulated SQS FIFO queues (fetch and embed), with the semantics of the in-memory twin
 * that passes the TaskQueue contract suite — message groups served in order with one batch of a
 * group in flight at a time, visibility timeouts, five-minute deduplication by the adapters' ids
 * (shared/adapters/task-routing.ts), receive counts and the redrive to the DLQ — on data
 * structures that stay O(1) per message at millions of messages, plus a latency per request
 * and the age of every message when it is received (the queue-age figures).
 */
import { DEDUP_WINDOW_MS, embedDedupId, embedGroupId, fetchDedupId } from '../../shared/adapters/task-routing.ts';
import { encodeTask } from '../../shared/core/tasks.ts';
import type { EmbedTask, FetchTask, QueueName, ReceivedMessage, TaskQueue } from '../../shared/ports/index.ts';
import { Sample, type Latencies, type Scheduler } from './engine.ts';
import type { SimConfig } from './config.ts';

interface Message {
  readonly messageId: string;
  readonly raw: string;
  readonly group: string;
  readonly sentAt: number;
  receiveCount: number;
  receipt?: string;
  inFlight: boolean;
}

class Fifo {
  readonly groups = new Map<string, Message[]>();
  /** Groups with messages and nothing in flight, in the order they became ready. */
  readonly ready = new Set<string>();
  readonly inFlight = new Map<string, number>();
  readonly byReceipt = new Map<string, Message>();
  readonly dedup = new Map<string, number>();
  readonly dead: Array<{ body: string; reason?: string }> = [];
  ages = new Sample();
  size = 0;
  sent = 0;
  received = 0;
  requests = 0;
}

export class SimTaskQueue implements TaskQueue {
  private readonly queues: Record<QueueName, Fifo> = { fetch: new Fifo(), embed: new Fifo() };
  private seq = 0;
  /** Sends under way (their messages are not in the queue yet). */
  private sending = 0;
  /** Called after a send makes messages available (the event source mappings poll then). */
  onAvailable: (queue: QueueName) => void = () => undefined;

  constructor(
    private readonly sched: Scheduler,
    private readonly lat: Latencies,
    private readonly config: SimConfig,
    /** Visibility timeout per queue (infra: 6 × the consumer's timeout). */
    private readonly visibilityMs: Record<QueueName, number>,
  ) {}

  private async latency(kind: 'send' | 'receive'): Promise<void> {
    const ms = this.lat.draw(kind === 'send' ? this.config.latency.sqsSend : this.config.latency.sqsReceive);
    if (ms > 0) await this.sched.sleep(ms);
  }

  async sendFetch(tasks: readonly FetchTask[]): Promise<void> {
    await this.sendAll('fetch', tasks.map((t) => [encodeTask(t), t.sourceId, fetchDedupId(t)]));
  }

  async sendEmbed(tasks: readonly EmbedTask[]): Promise<void> {
    await this.sendAll('embed', tasks.map((t) => [encodeTask(t), embedGroupId(t), embedDedupId(t)]));
  }

  private async sendAll(queue: QueueName, messages: ReadonlyArray<readonly [raw: string, group: string, dedup: string]>): Promise<void> {
    // SendMessageBatch: 10 per request.
    this.sending += 1;
    try {
      for (let i = 0; i < messages.length; i += 10) {
        await this.latency('send');
        this.queues[queue].requests += 1;
        for (const [raw, group, dedup] of messages.slice(i, i + 10)) this.put(queue, raw, group, dedup);
      }
    } finally {
      this.sending -= 1;
    }
    this.onAvailable(queue);
  }

  private put(queue: QueueName, raw: string, group: string, dedupId: string): void {
    const fifo = this.queues[queue];
    const now = this.sched.clock.now();
    const sentAt = fifo.dedup.get(dedupId);
    if (sentAt !== undefined && now - sentAt < DEDUP_WINDOW_MS) return;
    fifo.dedup.delete(dedupId);
    fifo.dedup.set(dedupId, now);
    // Forget ids older than the window (insertion order is time order).
    for (const [id, at] of fifo.dedup) {
      if (now - at < DEDUP_WINDOW_MS) break;
      fifo.dedup.delete(id);
    }
    this.seq += 1;
    const m: Message = { messageId: `m-${this.seq}`, raw, group, sentAt: now, receiveCount: 0, inFlight: false };
    const members = fifo.groups.get(group);
    if (members) members.push(m);
    else fifo.groups.set(group, [m]);
    if (!fifo.inFlight.get(group)) fifo.ready.add(group);
    fifo.size += 1;
    fifo.sent += 1;
  }

  /** What a receive hands out now, without the request's latency (the event source mapping's poll). */
  take(queue: QueueName, max: number, visibilityMs = this.visibilityMs[queue]): Array<ReceivedMessage<unknown>> {
    const fifo = this.queues[queue];
    const now = this.sched.clock.now();
    const out: Array<ReceivedMessage<unknown>> = [];
    for (const group of fifo.ready) {
      if (out.length >= max) break;
      const members = fifo.groups.get(group) ?? [];
      fifo.ready.delete(group);
      let taken = 0;
      while (members.length > 0 && out.length < max) {
        const m = members[taken];
        if (!m) break;
        if (m.receiveCount >= this.config.deploy.queueMaxReceiveCount) {
          // The queue's own redrive.
          members.splice(taken, 1);
          fifo.size -= 1;
          fifo.dead.push({ body: m.raw });
          continue;
        }
        m.receiveCount += 1;
        m.inFlight = true;
        m.receipt = `${m.messageId}:${m.receiveCount}`;
        fifo.byReceipt.set(m.receipt, m);
        fifo.ages.add(now - m.sentAt);
        out.push(toReceived(m));
        taken += 1;
      }
      if (members.length === 0) fifo.groups.delete(group);
      if (taken > 0) {
        fifo.inFlight.set(group, taken);
        const batch = members.slice(0, taken);
        this.sched.at(now + visibilityMs, () => {
          for (const m of batch) if (m.inFlight && m.receipt !== undefined && fifo.byReceipt.get(m.receipt) === m) this.becomeVisible(fifo, m);
        });
      }
    }
    fifo.received += out.length;
    if (out.length > 0) fifo.requests += 1;
    return out;
  }

  async receive(queue: QueueName, options: { max: number; waitSeconds: number; visibilitySeconds?: number }): Promise<Array<ReceivedMessage<unknown>>> {
    await this.latency('receive');
    this.queues[queue].requests += 1;
    return this.take(queue, Math.min(10, Math.max(1, options.max)), options.visibilitySeconds === undefined ? undefined : options.visibilitySeconds * 1000);
  }

  /** A message back in its group's line (visibility expired, or released). */
  private becomeVisible(fifo: Fifo, m: Message): void {
    if (m.receipt !== undefined) fifo.byReceipt.delete(m.receipt);
    m.inFlight = false;
    this.leaveFlight(fifo, m.group);
  }

  private leaveFlight(fifo: Fifo, group: string): void {
    const left = (fifo.inFlight.get(group) ?? 1) - 1;
    if (left > 0) {
      fifo.inFlight.set(group, left);
      return;
    }
    fifo.inFlight.delete(group);
    if ((fifo.groups.get(group)?.length ?? 0) > 0) {
      fifo.ready.add(group);
      this.onAvailable(fifo === this.queues.fetch ? 'fetch' : 'embed');
    }
  }

  async ack(queue: QueueName, receipts: readonly string[]): Promise<void> {
    this.ackNow(queue, receipts);
  }

  /** DeleteMessageBatch as the event source mapping does it (its requests are not the function's). */
  ackNow(queue: QueueName, receipts: readonly string[]): void {
    const fifo = this.queues[queue];
    for (const receipt of receipts) {
      const m = fifo.byReceipt.get(receipt);
      if (!m || !m.inFlight) continue;
      fifo.byReceipt.delete(receipt);
      const members = fifo.groups.get(m.group);
      if (members) {
        const i = members.indexOf(m);
        if (i >= 0) members.splice(i, 1);
        if (members.length === 0) fifo.groups.delete(m.group);
      }
      fifo.size -= 1;
      m.inFlight = false;
      this.leaveFlight(fifo, m.group);
    }
  }

  async release(queue: QueueName, receipt: string, delaySeconds: number): Promise<void> {
    const fifo = this.queues[queue];
    const m = fifo.byReceipt.get(receipt);
    if (!m) return;
    this.sched.at(this.sched.clock.now() + Math.max(0, delaySeconds) * 1000, () => {
      if (m.inFlight && fifo.byReceipt.get(receipt) === m) this.becomeVisible(fifo, m);
    });
  }

  async deadLetter(queue: QueueName, raw: string, reason: string): Promise<void> {
    await this.latency('send');
    this.queues[queue].requests += 1;
    this.queues[queue].dead.push({ body: raw, reason });
  }

  async depth(queue: QueueName): Promise<{ visible: number; inFlight: number }> {
    const fifo = this.queues[queue];
    const inFlight = fifo.byReceipt.size;
    return { visible: fifo.size - inFlight, inFlight };
  }

  async listDeadLetters(queue: QueueName, max: number): Promise<Array<{ body: string; reason?: string }>> {
    return this.queues[queue].dead.slice(0, Math.min(10, Math.max(1, max)));
  }

  /** Figures for the report. */
  stats(queue: QueueName): { size: number; sent: number; received: number; requests: number; dead: number; ageP50: number; ageP99: number; ageMax: number; deadReasons: string[] } {
    const f = this.queues[queue];
    return {
      size: f.size, sent: f.sent, received: f.received, requests: f.requests, dead: f.dead.length,
      ageP50: f.ages.percentile(50), ageP99: f.ages.percentile(99), ageMax: f.ages.max(),
      deadReasons: [...new Set(f.dead.map((d) => (d.reason ?? 'redrive').slice(0, 120)))].slice(0, 5),
    };
  }

  /** Starts the queue-age samples afresh (a new scenario). */
  resetAges(): void {
    for (const fifo of Object.values(this.queues)) fifo.ages = new Sample();
  }

  /** Nothing waiting or in flight. */
  get empty(): boolean {
    return this.sending === 0 && this.queues.fetch.size === 0 && this.queues.embed.size === 0;
  }

  sizeOf(queue: QueueName): number {
    return this.queues[queue].size;
  }
}

function toReceived(m: Message): ReceivedMessage<unknown> {
  return { body: JSON.parse(m.raw) as unknown, raw: m.raw, group: m.group, messageId: m.messageId, receipt: m.receipt ?? '', receiveCount: m.receiveCount };
}
