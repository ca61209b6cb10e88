import { TransientError } from '../../../shared/core/errors.ts';
import type { Clock } from '../../../shared/ports/index.ts';

/** Every port call a fault can hit, as `port.method`. */
export const PORT_OPS = [
  'state.getSource', 'state.acquireLease', 'state.saveProgress', 'state.finishRun', 'state.getDocuments', 'state.listDocuments',
  'state.markPending', 'state.releasePending', 'state.touchDocument', 'state.claimDocument', 'state.commitDocument', 'state.commitDeletion',
  'state.putRun', 'state.updateRun', 'state.addRunCounters', 'state.getEmbeddings', 'state.putEmbeddings',
  'queue.sendFetch', 'queue.sendEmbed', 'queue.ack', 'queue.deadLetter',
  'vectors.upsert', 'vectors.delete', 'vectors.listIds',
  'embedder.embed',
  'source.pull', 'source.fetch', 'source.list',
] as const;
export type PortOp = (typeof PORT_OPS)[number];

/** Batch writes a crash can cut in half. */
export const BATCH_OPS: readonly PortOp[] = ['state.markPending', 'state.putEmbeddings', 'queue.sendEmbed', 'vectors.upsert', 'vectors.delete'];

/**
 * A fault on the `nth` call of `op` by one process:
 * - `crash` kills the process (every later port call of it fails, nothing it had in memory
 *   survives): `before` the call, `after` it took effect, or `partial`ly through a batch;
 * - `error` makes that one call throw a retryable error, and the process carries on.
 */
export interface FaultSpec {
  readonly op: PortOp;
  readonly at: 'before' | 'after' | 'partial';
  readonly kind: 'crash' | 'error';
  readonly nth: number;
}

/** What a killed process sees from every port call after its death. */
export class ProcessKilled extends Error {
  constructor(readonly procId: number, readonly reason: string) {
    super(`process ${procId} is dead (${reason})`);
    this.name = 'ProcessKilled';
  }
}

export type StepOutcome = 'parked' | 'done';

/**
 * One simulated process (a Lambda invocation or a CLI run). Port wrappers call `enter` and
 * `exit` around each call; there the process dies, fails a call, or parks at a park point
 * until the scheduler resumes it. The scheduler runs one process at a time, to its next park
 * point or to its end, so every interleaving is chosen by the scenario and replays exactly.
 */
export class Proc {
  dead = false;
  deathReason: string | undefined;
  /** Whether the process stops at its park points (false once the scenario's faults stop). */
  parking = true;
  parkedAt: PortOp | undefined;
  /** Set when the process body threw (ProcessKilled for a killed one). */
  error: unknown;
  finished = false;
  private readonly calls = new Map<PortOp, number>();
  private resume: (() => void) | undefined;
  private onPark: (() => void) | undefined;
  private done: Promise<void> = Promise.resolve();

  constructor(
    readonly id: number,
    readonly owner: string,
    readonly kind: 'lambda-fetch' | 'cli' | 'embedder',
    private readonly clock: Clock,
    readonly faults: readonly FaultSpec[],
    private readonly parkOn: ReadonlySet<PortOp>,
    /** Epoch ms at which a Lambda is killed by its time limit. */
    readonly deadline?: number,
  ) {}

  /** Starts `body` and runs it to its first park point or its end. */
  launch(body: () => Promise<void>): Promise<StepOutcome> {
    return new Promise<StepOutcome>((resolve) => {
      this.onPark = () => resolve('parked');
      this.done = body().then(
        () => undefined,
        (error: unknown) => {
          this.error = error;
        },
      ).finally(() => {
        this.finished = true;
      });
      void this.done.then(() => resolve('done'));
    });
  }

  /** Resumes a parked process until its next park point or its end. */
  step(): Promise<StepOutcome> {
    return new Promise<StepOutcome>((resolve) => {
      if (this.finished) {
        resolve('done');
        return;
      }
      this.onPark = () => resolve('parked');
      void this.done.then(() => resolve('done'));
      const resume = this.resume;
      this.resume = undefined;
      this.parkedAt = undefined;
      resume?.();
    });
  }

  /** Kills the process; a parked one is resumed so that it unwinds (every port call fails). */
  async kill(reason: string): Promise<void> {
    this.die(reason);
    while (!this.finished) await this.step();
  }

  /** Runs a parked process to its end without parking again. */
  async finish(): Promise<void> {
    this.parking = false;
    while (!this.finished) await this.step();
  }

  die(reason: string): void {
    if (this.dead) return;
    this.dead = true;
    this.deathReason = reason;
  }

  /** Before a port call: dies, parks, or fails as the scenario says. Returns the call's number. */
  async enter(op: PortOp): Promise<number> {
    this.assertAlive();
    if (this.deadline !== undefined && this.clock.now() > this.deadline) {
      this.die('Lambda time limit');
      this.assertAlive();
    }
    if (this.parking && this.parkOn.has(op)) {
      await new Promise<void>((resume) => {
        this.resume = resume;
        this.parkedAt = op;
        const onPark = this.onPark;
        this.onPark = undefined;
        onPark?.();
      });
      this.assertAlive();
      if (this.deadline !== undefined && this.clock.now() > this.deadline) {
        this.die('Lambda time limit');
        this.assertAlive();
      }
    }
    const n = (this.calls.get(op) ?? 0) + 1;
    this.calls.set(op, n);
    const fault = this.faultAt(op, n, 'before');
    if (fault?.kind === 'crash') {
      this.die(`crash before ${op} #${n}`);
      this.assertAlive();
    }
    if (fault?.kind === 'error') throw new TransientError(`injected failure of ${op} #${n}`);
    return n;
  }

  /** After a port call took effect: dies, or reports a failure the caller cannot tell from a lost write. */
  exit(op: PortOp, n: number): void {
    const fault = this.faultAt(op, n, 'after');
    if (fault?.kind === 'crash') {
      this.die(`crash after ${op} #${n}`);
      this.assertAlive();
    }
    if (fault?.kind === 'error') throw new TransientError(`injected failure of ${op} #${n} (after it took effect)`);
  }

  /** Whether the `n`th call of a batch op is to be cut in half. */
  partial(op: PortOp, n: number): FaultSpec | undefined {
    return this.faultAt(op, n, 'partial');
  }

  /** Ends a batch op cut in half (its first half applied): the process dies, or the call fails. */
  midway(op: PortOp, n: number, fault: FaultSpec): never {
    if (fault.kind === 'error') throw new TransientError(`injected failure midway through ${op} #${n}`);
    this.die(`crash midway through ${op} #${n}`);
    throw new ProcessKilled(this.id, this.deathReason ?? 'killed');
  }

  private faultAt(op: PortOp, n: number, at: FaultSpec['at']): FaultSpec | undefined {
    return this.faults.find((f) => f.op === op && f.nth === n && (f.at === at || (at === 'after' && f.at === 'partial' && !BATCH_OPS.includes(op))));
  }

  private assertAlive(): void {
    if (this.dead) throw new ProcessKilled(this.id, this.deathReason ?? 'killed');
  }
}
