import { randomBytes } from 'node:crypto';
import { DEDUP_WINDOW_MS, embedDedupId, embedGroupId, fetchDedupId } from '../../task-routing.ts';
import { deadLetterTask } from '../../../core/dead-letters.ts';
import type { Clock, DeadLetter, DeadLetterAdmin, EmbedTask, FetchTask, QueueName, ReceivedMessage, TaskQueue } from '../../../ports/index.ts';
import { immediate, sql, type Db } from './database.ts';

/** The visibility timeout of a receive that names none (the SQS queues' default). */
const DEFAULT_VISIBILITY_SECONDS = 120;
/** How often a waiting receive looks for messages another process sent (sends in this process wake it at once). */
const DEFAULT_POLL_MS = 100;
/** How often a receive checks whether the processes holding messages in flight are still alive. */
const RECEIVER_CHECK_MS = 1_000;
/** How often sends forget deduplication ids older than the window. */
const DEDUP_PURGE_MS = 10_000;

export interface SqliteTaskQueueOptions {
  /** Receives after which a message moves to the dead-letter queue instead of being delivered (SQS redrive). */
  readonly maxReceiveCount: number;
  /** Who receives through this instance (the local owner id: host, pid, random). */
  readonly receiver: string;
  /**
   * Whether the process behind a receiver id still runs; undefined when that cannot be told
   * (another host). Messages a dead process held become visible at once instead of after
   * their visibility timeout, so a restart after a crash continues where it stopped.
   */
  readonly isReceiverAlive?: (receiver: string) => boolean | undefined;
  /** @default the system clock */
  readonly clock?: Clock;
  /** @default 100 ms */
  readonly pollMs?: number;
}

interface MessageRow {
  seq: number;
  grp: string;
  body: string;
  receive_count: number;
}

/** Wake-ups for receives waiting in this process, per database connection. */
const waiting = new WeakMap<Db, Set<() => void>>();

/**
 * TaskQueue in the local SQLite database, with the SQS FIFO semantics the pipeline relies
 * on: message groups (a group with a message in flight hands out nothing, so one document's
 * tasks apply in order), deduplication ids within five minutes, visibility timeouts, receive
 * counts, a redrive to the dead-letter queue and dead letters with reasons. Every process
 * that opens the file shares the queues; each receive is one immediate transaction, so two
 * processes never receive the same message. Bodies are stored as sent: any Unicode text.
 */
export class SqliteTaskQueue implements TaskQueue, DeadLetterAdmin {
  private readonly clock: Clock;
  private readonly pollMs: number;
  private lastReceiverCheck = 0;
  private lastDedupPurge = 0;

  constructor(private readonly db: Db, private readonly options: SqliteTaskQueueOptions) {
    this.clock = options.clock ?? { now: () => Date.now() };
    this.pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  }

  async sendFetch(tasks: readonly FetchTask[]): Promise<void> {
    this.send('fetch', tasks.map((task) => ({ body: JSON.stringify(task), group: task.sourceId, dedup: fetchDedupId(task) })));
  }

  async sendEmbed(tasks: readonly EmbedTask[]): Promise<void> {
    this.send('embed', tasks.map((task) => ({ body: JSON.stringify(task), group: embedGroupId(task), dedup: embedDedupId(task) })));
  }

  async deadLetter(queue: QueueName, raw: string, reason: string): Promise<void> {
    sql(this.db, 'INSERT INTO dead_letters (queue, body, reason, dead_at) VALUES (?, ?, ?, ?)')
      .run(queue, raw.length > 0 ? raw : '(empty body)', reason.slice(0, 4000) || 'unknown', this.clock.now());
  }

  async receive(queue: QueueName, options: { max: number; waitSeconds: number; visibilitySeconds?: number; signal?: AbortSignal }): Promise<Array<ReceivedMessage<unknown>>> {
    const deadline = Date.now() + Math.max(0, options.waitSeconds) * 1000;
    for (;;) {
      // Each attempt is one transaction: a wait cut short by the signal strands nothing.
      if (options.signal?.aborted === true) return [];
      const got = this.receiveNow(queue, Math.min(10, Math.max(1, options.max)), (options.visibilitySeconds ?? DEFAULT_VISIBILITY_SECONDS) * 1000);
      const left = deadline - Date.now();
      if (got.length > 0 || left <= 0) return got;
      await this.wake(Math.min(this.pollMs, left), options.signal);
    }
  }

  async ack(queue: QueueName, receipts: readonly string[]): Promise<void> {
    if (receipts.length === 0) return;
    sql(this.db, 'DELETE FROM queue_messages INDEXED BY queue_messages_by_receipt WHERE queue = ? AND receipt IN (SELECT value FROM json_each(?))')
      .run(queue, JSON.stringify(receipts));
    // The messages' groups are free again.
    this.notify();
  }

  async release(queue: QueueName, receipt: string, delaySeconds: number): Promise<void> {
    sql(this.db, 'UPDATE queue_messages INDEXED BY queue_messages_by_receipt SET visible_at = ? WHERE queue = ? AND receipt = ?')
      .run(this.clock.now() + Math.max(0, Math.round(delaySeconds)) * 1000, queue, receipt);
    this.notify();
  }

  async depth(queue: QueueName): Promise<{ visible: number; inFlight: number }> {
    const row = sql(this.db, 'SELECT COALESCE(SUM(visible_at <= @now), 0) AS visible, COALESCE(SUM(visible_at > @now), 0) AS inFlight FROM queue_messages WHERE queue = @queue')
      .get({ queue, now: this.clock.now() }) as { visible: number; inFlight: number };
    return { visible: row.visible, inFlight: row.inFlight };
  }

  async listDeadLetters(queue: QueueName, max: number): Promise<Array<{ body: string; reason?: string }>> {
    return sql(this.db, 'SELECT body, reason FROM dead_letters WHERE queue = ? ORDER BY seq LIMIT ?')
      .all(queue, Math.max(1, max)) as Array<{ body: string; reason: string }>;
  }

  async inspectDeadLetters(queue: QueueName, max: number): Promise<DeadLetter[]> {
    const rows = sql(this.db, 'SELECT seq, body, reason, dead_at FROM dead_letters WHERE queue = ? ORDER BY seq LIMIT ?')
      .all(queue, Math.max(1, max)) as Array<{ seq: number; body: string; reason: string; dead_at: number }>;
    return rows.map((r) => ({ id: String(r.seq), queue, body: r.body, reason: r.reason, deadAt: new Date(r.dead_at).toISOString() }));
  }

  /**
   * Back into the queue as new messages (receive count 0), past the deduplication window: a
   * redrive is a deliberate resend of a body the queue has seen.
   */
  async redriveDeadLetters(queue: QueueName, ids?: readonly string[]): Promise<{ redriven: number; kept: Array<{ id: string; reason: string }> }> {
    const kept: Array<{ id: string; reason: string }> = [];
    let redriven = 0;
    immediate(this.db, () => {
      const insert = sql(this.db, 'INSERT INTO queue_messages (queue, grp, body, sent_at) VALUES (?, ?, ?, ?)');
      const remove = sql(this.db, 'DELETE FROM dead_letters WHERE seq = ?');
      for (const row of this.deadRows(queue, ids)) {
        const decoded = deadLetterTask(queue, row.body);
        if ('error' in decoded) {
          kept.push({ id: String(row.seq), reason: decoded.error });
          continue;
        }
        const task = decoded.task;
        insert.run(queue, task.type === 'fetch' ? task.sourceId : embedGroupId(task), row.body, this.clock.now());
        remove.run(row.seq);
        redriven += 1;
      }
    });
    this.notify();
    return { redriven, kept };
  }

  async discardDeadLetters(queue: QueueName, ids?: readonly string[]): Promise<number> {
    return immediate(this.db, () => {
      const remove = sql(this.db, 'DELETE FROM dead_letters WHERE seq = ?');
      const rows = this.deadRows(queue, ids);
      for (const row of rows) remove.run(row.seq);
      return rows.length;
    });
  }

  private deadRows(queue: QueueName, ids: readonly string[] | undefined): Array<{ seq: number; body: string }> {
    if (ids === undefined) return sql(this.db, 'SELECT seq, body FROM dead_letters WHERE queue = ? ORDER BY seq').all(queue) as Array<{ seq: number; body: string }>;
    return sql(this.db, 'SELECT seq, body FROM dead_letters WHERE queue = ? AND seq IN (SELECT value FROM json_each(?)) ORDER BY seq')
      .all(queue, JSON.stringify(ids.map(Number).filter(Number.isInteger))) as Array<{ seq: number; body: string }>;
  }

  /** Dead letters in a queue. */
  deadLetterCount(queue: QueueName): number {
    return (sql(this.db, 'SELECT COUNT(*) AS n FROM dead_letters WHERE queue = ?').get(queue) as { n: number }).n;
  }

  /** Messages waiting or in flight whose group starts with `prefix` (an ASCII prefix ending in `#`, as embedGroupPrefix makes). */
  countInGroups(queue: QueueName, prefix: string): number {
    // The groups of a prefix are a key range: from the prefix to the prefix with its last character bumped.
    const upper = `${prefix.slice(0, -1)}${String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1)}`;
    return (sql(this.db, 'SELECT COUNT(*) AS n FROM queue_messages INDEXED BY queue_messages_by_group WHERE queue = ? AND grp >= ? AND grp < ?')
      .get(queue, prefix, upper) as { n: number }).n;
  }

  /** Message groups with a message waiting or in flight (recovery asks which documents still have a task). */
  groupsWithMessages(queue: QueueName): Set<string> {
    const rows = sql(this.db, 'SELECT DISTINCT grp FROM queue_messages WHERE queue = ?').all(queue) as Array<{ grp: string }>;
    return new Set(rows.map((r) => r.grp));
  }

  private send(queue: QueueName, messages: ReadonlyArray<{ body: string; group: string; dedup: string }>): void {
    if (messages.length === 0) return;
    const now = this.clock.now();
    const seen = sql(this.db, 'SELECT sent_at FROM queue_dedup WHERE queue = ? AND dedup_id = ?');
    const remember = sql(this.db, 'INSERT OR REPLACE INTO queue_dedup (queue, dedup_id, sent_at) VALUES (?, ?, ?)');
    const insert = sql(this.db, 'INSERT INTO queue_messages (queue, grp, body, sent_at) VALUES (?, ?, ?, ?)');
    immediate(this.db, () => {
      if (now - this.lastDedupPurge > DEDUP_PURGE_MS) {
        sql(this.db, 'DELETE FROM queue_dedup WHERE sent_at <= ?').run(now - DEDUP_WINDOW_MS);
        this.lastDedupPurge = now;
      }
      for (const m of messages) {
        const sent = seen.get(queue, m.dedup) as { sent_at: number } | undefined;
        if (sent !== undefined && now - sent.sent_at < DEDUP_WINDOW_MS) continue;
        remember.run(queue, m.dedup, now);
        insert.run(queue, m.group, m.body, now);
      }
    });
    this.notify();
  }

  private receiveNow(queue: QueueName, max: number, visibilityMs: number): Array<ReceivedMessage<unknown>> {
    const now = this.clock.now();
    const checkReceivers = this.options.isReceiverAlive !== undefined && Date.now() - this.lastReceiverCheck >= RECEIVER_CHECK_MS;
    if (checkReceivers) this.lastReceiverCheck = Date.now();
    return immediate(this.db, () => {
      if (checkReceivers) this.returnMessagesOfDeadReceivers(queue, now);
      this.redrive(queue, now);
      const rows = sql(this.db, `SELECT seq, grp, body, receive_count FROM queue_messages m INDEXED BY queue_messages_in_order
        WHERE queue = @queue AND visible_at <= @now
          AND NOT EXISTS (SELECT 1 FROM queue_messages b WHERE b.queue = @queue AND b.grp = m.grp AND b.visible_at > @now)
        ORDER BY seq LIMIT @max`).all({ queue, now, max }) as MessageRow[];
      const take = sql(this.db, 'UPDATE queue_messages SET receive_count = ?, visible_at = ?, receipt = ?, receiver = ? WHERE seq = ?');
      return rows.map((row) => {
        const receiveCount = row.receive_count + 1;
        const receipt = `${row.seq}.${receiveCount}.${randomBytes(6).toString('hex')}`;
        take.run(receiveCount, now + visibilityMs, receipt, this.options.receiver, row.seq);
        return toReceived(row, receiveCount, receipt);
      });
    });
  }

  /** SQS redrive: a visible message already received `maxReceiveCount` times goes to the dead-letter queue. */
  private redrive(queue: QueueName, now: number): void {
    const spent = sql(this.db, 'SELECT seq, body, receive_count FROM queue_messages INDEXED BY queue_messages_by_receives WHERE queue = ? AND visible_at <= ? AND receive_count >= ?')
      .all(queue, now, this.options.maxReceiveCount) as MessageRow[];
    for (const row of spent) {
      sql(this.db, 'INSERT INTO dead_letters (queue, body, reason, dead_at) VALUES (?, ?, ?, ?)')
        .run(queue, row.body, `received ${row.receive_count} times without being processed (redrive after ${this.options.maxReceiveCount})`, now);
      sql(this.db, 'DELETE FROM queue_messages WHERE seq = ?').run(row.seq);
    }
  }

  /** Messages in flight with a process that died go back to the queue now, not when their visibility runs out. */
  private returnMessagesOfDeadReceivers(queue: QueueName, now: number): void {
    const receivers = sql(this.db, 'SELECT DISTINCT receiver FROM queue_messages WHERE queue = ? AND visible_at > ? AND receiver IS NOT NULL AND receiver <> ?')
      .all(queue, now, this.options.receiver) as Array<{ receiver: string }>;
    for (const { receiver } of receivers) {
      if (this.options.isReceiverAlive?.(receiver) === false) {
        sql(this.db, 'UPDATE queue_messages SET visible_at = 0 WHERE queue = ? AND receiver = ? AND visible_at > ?').run(queue, receiver, now);
      }
    }
  }

  private notify(): void {
    const waiters = waiting.get(this.db);
    if (!waiters) return;
    waiting.delete(this.db);
    for (const wake of waiters) wake();
  }

  /** Resolves after `ms`, or sooner when this process sends, acks or releases a message, or `signal` aborts. */
  private wake(ms: number, signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve) => {
      let waiters = waiting.get(this.db);
      if (!waiters) {
        waiters = new Set();
        waiting.set(this.db, waiters);
      }
      const done = (): void => {
        clearTimeout(timer);
        waiting.get(this.db)?.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}

function toReceived(row: MessageRow, receiveCount: number, receipt: string): ReceivedMessage<unknown> {
  let body: unknown = row.body;
  try {
    body = JSON.parse(row.body);
  } catch {
    // Left as the raw string: the handler dead-letters what it cannot decode.
  }
  return { body, raw: row.body, group: row.grp, messageId: String(row.seq), receipt, receiveCount };
}
