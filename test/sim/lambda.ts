/**
 * Simulated Lambda: functions with containers (a cold start when none is idle, idle ones
 * reclaimed after a while), a timeout that kills the container mid-work (its later port calls
 * never return, as a frozen runtime's would), reserved and account-wide concurrency, billed
 * duration in GB-seconds; and SQS event source mappings as infra/ deploys them (batch size,
 * maximum concurrency, failed records of a partial batch response left to their visibility
 * timeout, successes deleted).
 */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { QueueName } from '../../shared/ports/index.ts';
import { toRecord } from '../support/drain.ts';
import type { Latencies, LatencySpec, Scheduler } from './engine.ts';
import type { SimTaskQueue } from './sqs.ts';

/** A container's liveness: ports built for it stop answering once it is killed. */
export interface Container {
  alive: boolean;
}

export interface FunctionSpec {
  readonly name: string;
  readonly memoryMb: number;
  readonly timeoutMs: number;
  /** Reserved concurrency (a cap); absent: only the account's. */
  readonly reserved?: number;
}

export class LambdaAccount {
  active = 0;
  peak = 0;
  private readonly waiters = new Set<() => void>();
  constructor(readonly concurrency: number) {}
  onFree(poke: () => void): void {
    this.waiters.add(poke);
  }
  freed(): void {
    for (const poke of this.waiters) poke();
  }
}

type Handler<E, R> = (event: E, context: Context) => Promise<R>;

export class FunctionPool<E, R> {
  readonly stats = { invocations: 0, coldStarts: 0, gbSeconds: 0, timeouts: 0, errors: 0, throttles: 0, peak: 0 };
  private readonly idle: Array<{ container: Container; handler: Handler<E, R>; idleSince: number }> = [];
  active = 0;

  constructor(
    private readonly sched: Scheduler,
    private readonly lat: Latencies,
    private readonly coldStart: LatencySpec,
    private readonly account: LambdaAccount,
    readonly spec: FunctionSpec,
    /** Builds one container's handler (its deps gated on `container.alive`). */
    private readonly build: (container: Container) => Handler<E, R>,
  ) {}

  get canStart(): boolean {
    return this.active < (this.spec.reserved ?? Number.POSITIVE_INFINITY) && this.account.active < this.account.concurrency;
  }

  /** One invocation; `throttled` when no concurrency is left, `timeout` when it ran out of time. */
  async invoke(event: E): Promise<R | 'throttled' | 'timeout' | 'error'> {
    if (!this.canStart) {
      this.stats.throttles += 1;
      return 'throttled';
    }
    this.active += 1;
    this.account.active += 1;
    this.stats.peak = Math.max(this.stats.peak, this.active);
    this.account.peak = Math.max(this.account.peak, this.account.active);
    this.stats.invocations += 1;
    const started = this.sched.clock.now();
    // Containers idle for 10 minutes are reclaimed.
    while (this.idle.length > 0 && started - this.idle[0]!.idleSince > 600_000) this.idle.shift();
    let warm = this.idle.pop();
    if (!warm) {
      this.stats.coldStarts += 1;
      await this.sched.sleep(this.lat.draw(this.coldStart));
      const container: Container = { alive: true };
      warm = { container, handler: this.build(container), idleSince: 0 };
    }
    const deadline = this.sched.clock.now() + this.spec.timeoutMs;
    const context = { getRemainingTimeInMillis: () => deadline - this.sched.clock.now() } as Context;
    let outcome: R | 'timeout' | 'error';
    try {
      outcome = await Promise.race([
        warm.handler(event, context),
        new Promise<'timeout'>((resolve) => this.sched.at(deadline, () => resolve('timeout'))),
      ]);
    } catch {
      outcome = 'error';
      this.stats.errors += 1;
    }
    if (outcome === 'timeout') {
      // The runtime is killed: whatever it still awaits never lands.
      warm.container.alive = false;
      this.stats.timeouts += 1;
    } else {
      this.idle.push({ ...warm, idleSince: this.sched.clock.now() });
    }
    const ms = this.sched.clock.now() - started;
    this.stats.gbSeconds += (Math.ceil(ms) / 1000) * (this.spec.memoryMb / 1024);
    this.active -= 1;
    this.account.active -= 1;
    this.account.freed();
    return outcome;
  }
}

/** Ports of one container: after the container is killed, calls on them never settle. */
export function gate<T extends object>(target: T, container: Container): T {
  return new Proxy(target, {
    get(t, key, receiver) {
      const value = Reflect.get(t, key, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => (container.alive ? (value as (...a: unknown[]) => unknown).apply(t, args) : new Promise(() => undefined));
    },
  });
}

/** An SQS event source mapping: polls while the function has concurrency and messages wait. */
export class EventSourceMapping {
  running = 0;
  private scheduled = false;

  constructor(
    private readonly sched: Scheduler,
    private readonly lat: Latencies,
    private readonly receiveLatency: LatencySpec,
    private readonly queue: SimTaskQueue,
    private readonly queueName: QueueName,
    private readonly pool: FunctionPool<SQSEvent, SQSBatchResponse>,
    private readonly options: { batchSize: number; maxConcurrency?: number },
    account: LambdaAccount,
  ) {
    account.onFree(() => this.poke());
  }

  /** Something changed (a message arrived, concurrency freed): poll at this instant. */
  poke(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.sched.at(this.sched.clock.now(), () => {
      this.scheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    while (this.running < (this.options.maxConcurrency ?? Number.POSITIVE_INFINITY) && this.pool.canStart) {
      const messages = this.queue.take(this.queueName, this.options.batchSize);
      if (messages.length === 0) return;
      this.running += 1;
      void this.deliver(messages);
    }
  }

  private async deliver(messages: ReturnType<SimTaskQueue['take']>): Promise<void> {
    await this.sched.sleep(this.lat.draw(this.receiveLatency));
    const result = await this.pool.invoke({ Records: messages.map((m) => toRecord(m) as SQSEvent['Records'][number]) });
    if (typeof result === 'object') {
      const failed = new Set(result.batchItemFailures.map((f) => f.itemIdentifier));
      this.queue.ackNow(this.queueName, messages.filter((m) => !failed.has(m.messageId)).map((m) => m.receipt));
    }
    // Failed records, errors and timeouts: the messages come back after their visibility timeout.
    this.running -= 1;
    this.poke();
  }
}
