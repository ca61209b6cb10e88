/**
 * A token bucket refilled continuously at `perMinute`, holding at most `capacity`.
 *
 * Reserved, not polled: a caller takes its amount at once (the level may go negative) and is
 * told how long to wait until that amount would have been there, then sleeps once. Callers
 * queue up behind each other's debt in arrival order, nothing spins, and with an injected
 * clock every wait is exact.
 */
export interface TokenBucketOptions {
  /** Refill rate, tokens per minute. */
  readonly perMinute: number;
  /** Most tokens held: what is let through back to back. @default perMinute (a minute's budget) */
  readonly capacity?: number;
}

export class TokenBucket {
  private readonly perMinute: number;
  private readonly capacity: number;
  private level: number;
  private updatedAt: number;

  /** @param nowMs the clock reading at creation: the bucket starts full */
  constructor(options: TokenBucketOptions, nowMs: number) {
    const { perMinute, capacity = perMinute } = options;
    if (!Number.isFinite(perMinute) || perMinute <= 0) throw new RangeError(`TokenBucket: perMinute must be a positive number, got ${perMinute}`);
    if (!Number.isFinite(capacity) || capacity <= 0) throw new RangeError(`TokenBucket: capacity must be a positive number, got ${capacity}`);
    this.perMinute = perMinute;
    this.capacity = capacity;
    this.level = capacity;
    this.updatedAt = nowMs;
  }

  /**
   * Takes `amount` tokens and returns how many ms to wait until they were there (0: at once).
   * An amount over the capacity takes the capacity: it waits for a full bucket, never longer.
   */
  reserve(amount: number, nowMs: number): number {
    const perMs = this.perMinute / 60_000;
    this.level = Math.min(this.capacity, this.level + Math.max(0, nowMs - this.updatedAt) * perMs);
    this.updatedAt = Math.max(this.updatedAt, nowMs);
    this.level -= Math.min(Math.max(0, amount), this.capacity);
    return this.level >= 0 ? 0 : Math.ceil(-this.level / perMs);
  }
}
