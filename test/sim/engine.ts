/**
 * The simulation's virtual time: a clock that only moves when every piece of simulated work is
 * waiting on it, and a scheduler of timers. Real code (the handlers, the core, the resilience
 * limiter) runs unchanged; wherever it would wait on the network or sleep, the simulated
 * services make it wait on `sleep(ms)` here instead. `run` lets all promise chains settle
 * (a `setImmediate` turn: nothing in the simulation does real I/O), then jumps the clock to the
 * earliest timer, so an hour of traffic takes as long as the CPU work in it.
 */
import type { Clock } from '../../shared/ports/index.ts';
import { Rng } from '../support/rng.ts';

export const SIM_EPOCH = Date.parse('2026-01-05T00:00:00.000Z');

export class VirtualClock implements Clock {
  constructor(private t = SIM_EPOCH) {}
  now(): number {
    return this.t;
  }
  /** Moves forward only (the scheduler's job). */
  advanceTo(ms: number): void {
    if (ms > this.t) this.t = ms;
  }
}

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly fire: () => void;
}

/** A binary min-heap of timers by (at, seq): equal times fire in scheduling order. */
class TimerHeap {
  private readonly items: Timer[] = [];
  get size(): number {
    return this.items.length;
  }
  peek(): Timer | undefined {
    return this.items[0];
  }
  push(timer: Timer): void {
    const a = this.items;
    a.push(timer);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(a[i]!, a[parent]!)) break;
      [a[i], a[parent]] = [a[parent]!, a[i]!];
      i = parent;
    }
  }
  pop(): Timer | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && before(a[l]!, a[m]!)) m = l;
        if (r < a.length && before(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
}

const before = (x: Timer, y: Timer): boolean => x.at < y.at || (x.at === y.at && x.seq < y.seq);

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class Scheduler {
  readonly clock = new VirtualClock();
  private readonly timers = new TimerHeap();
  private seq = 0;
  /** Timer events fired so far (a measure of the simulation's own work). */
  events = 0;

  /** Resolves after `ms` of virtual time (0: at the next scheduling turn, after what is due now). */
  sleep = (ms: number): Promise<void> => new Promise((resolve) => this.at(this.clock.now() + Math.max(0, ms), resolve));

  /** Calls `fire` at virtual time `atMs`. */
  at(atMs: number, fire: () => void): void {
    this.timers.push({ at: Math.max(atMs, this.clock.now()), seq: this.seq++, fire });
  }

  /** Calls `fire` every `periodMs` from `startMs` until `untilMs`, or until `stopped()` holds. */
  every(startMs: number, periodMs: number, untilMs: number, fire: (atMs: number) => void, stopped: () => boolean = () => false): void {
    const tick = (t: number): void => {
      if (t > untilMs) return;
      this.at(t, () => {
        if (stopped()) return;
        fire(t);
        tick(t + periodMs);
      });
    };
    tick(startMs);
  }

  /**
   * Runs until virtual time `untilMs`, or earlier when `done()` holds with nothing left to do
   * at the current instant. Returns the virtual time reached.
   */
  async run(untilMs: number, done: () => boolean = () => false): Promise<number> {
    for (;;) {
      await settle();
      const next = this.timers.peek();
      if ((!next || next.at > this.clock.now()) && done()) return this.clock.now();
      if (!next || next.at > untilMs) break;
      this.clock.advanceTo(next.at);
      // Fire everything due at this instant, then let the work it woke run.
      while (this.timers.peek()?.at === next.at) {
        this.timers.pop()!.fire();
        this.events += 1;
      }
    }
    if (Number.isFinite(untilMs)) this.clock.advanceTo(untilMs);
    return this.clock.now();
  }

  get idle(): boolean {
    return this.timers.size === 0;
  }
}

/** A latency distribution: lognormal through p50 and p99 (ms), or fixed at 0. */
export interface LatencySpec {
  readonly p50: number;
  readonly p99: number;
}

const Z99 = 2.3263;

export class Latencies {
  private readonly rng: Rng;
  constructor(seed: number, private readonly scale = 1) {
    this.rng = new Rng(seed);
  }

  /** One draw in ms (0 when the spec or the scale is 0). */
  draw(spec: LatencySpec | undefined): number {
    if (!spec || this.scale === 0 || spec.p50 <= 0) return 0;
    const sigma = Math.max(0, Math.log(Math.max(spec.p99, spec.p50) / spec.p50) / Z99);
    // Box-Muller from two uniforms.
    const u = Math.max(1e-12, this.rng.float());
    const v = this.rng.float();
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    return Math.round(spec.p50 * Math.exp(sigma * z) * this.scale);
  }

  float(): number {
    return this.rng.float();
  }
}

/** Percentiles over a sample kept whole (the simulations here keep at most a few million). */
export class Sample {
  private values: number[] = [];
  private sorted = true;
  add(value: number): void {
    this.values.push(value);
    this.sorted = false;
  }
  get count(): number {
    return this.values.length;
  }
  percentile(p: number): number {
    if (this.values.length === 0) return 0;
    if (!this.sorted) {
      this.values.sort((a, b) => a - b);
      this.sorted = true;
    }
    return this.values[Math.min(this.values.length - 1, Math.floor((p / 100) * this.values.length))]!;
  }
  max(): number {
    return this.percentile(100);
  }
}
