import type { VectorRecord, VectorStore } from '../ports/index.ts';
import { ForwardingVectorStore } from './forwarding-vector-store.ts';

export interface CoalescingOptions {
  /** Merged upsert requests in flight at once. @default 2 */
  readonly maxInFlight?: number;
  /** Records per merged upsert handed to the inner store (which splits by its own limits). @default 2000 */
  readonly maxRecordsPerFlush?: number;
  /**
   * How long a partial batch may wait for more records before it is sent. A full batch
   * (`flushAt`) goes at once. 0 sends as soon as a request slot is free. @default 0
   */
  readonly lingerMs?: number;
  /** Records that make a batch worth sending without lingering. @default 200 */
  readonly flushAt?: number;
}

interface Waiter {
  readonly records: readonly VectorRecord[];
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Group commit for a remote vector store: upserts that arrive while earlier ones are in
 * flight are merged into the next request, so many embed tasks running at once (one
 * document each) cost about ceil(vectors / batch limit) requests instead of one or more
 * per document. No timer is involved: an idle store sends at once. Each caller's promise
 * settles when its own records are written, so a task's later writes still follow them.
 */
export class CoalescingVectorStore extends ForwardingVectorStore {
  private readonly waiting: Waiter[] = [];
  private inFlight = 0;
  private readonly maxInFlight: number;
  private readonly maxRecords: number;
  /** Merged requests sent (for tests and metrics). */
  flushes = 0;

  private readonly lingerMs: number;
  private readonly flushAt: number;
  private lingerTimer: NodeJS.Timeout | undefined;
  private lingerExpired = false;

  constructor(inner: VectorStore, options: CoalescingOptions = {}) {
    super(inner);
    this.maxInFlight = options.maxInFlight ?? 2;
    this.maxRecords = options.maxRecordsPerFlush ?? 2000;
    this.lingerMs = options.lingerMs ?? 0;
    this.flushAt = options.flushAt ?? 200;
  }

  private pendingRecords(): number {
    return this.waiting.reduce((n, w) => n + w.records.length, 0);
  }

  /** Whether the waiting records should go now rather than wait for company. */
  private ready(): boolean {
    if (this.lingerMs <= 0 || this.lingerExpired || this.pendingRecords() >= this.flushAt) return true;
    this.lingerTimer ??= setTimeout(() => {
      this.lingerTimer = undefined;
      this.lingerExpired = true;
      this.pump();
    }, this.lingerMs);
    return false;
  }

  /** Merged like any upsert (Pinecone upserts are appends and overwrites alike). */
  override insert(records: readonly VectorRecord[]): Promise<void> {
    return this.upsert(records);
  }

  override upsert(records: readonly VectorRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ records, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.waiting.length > 0 && this.ready()) {
      if (this.lingerTimer) clearTimeout(this.lingerTimer);
      this.lingerTimer = undefined;
      this.lingerExpired = false;
      const group: Waiter[] = [];
      let count = 0;
      while (this.waiting.length > 0 && (group.length === 0 || count + (this.waiting[0]?.records.length ?? 0) <= this.maxRecords)) {
        const next = this.waiting.shift() as Waiter;
        group.push(next);
        count += next.records.length;
      }
      this.inFlight += 1;
      this.flushes += 1;
      this.inner.upsert(group.flatMap((w) => w.records)).then(
        () => group.forEach((w) => w.resolve()),
        (error: unknown) => group.forEach((w) => w.reject(error)),
      ).finally(() => {
        this.inFlight -= 1;
        this.pump();
      });
    }
  }

  override async close(): Promise<void> {
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    await super.close();
  }
}
