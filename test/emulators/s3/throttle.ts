/**
 * Request-rate limits per prefix and injected failures.
 *
 * Sources:
 * - "at least 3,500 PUT/COPY/POST/DELETE or 5,500 GET/HEAD requests per second per partitioned
 *   Amazon S3 prefix" and 503 Slow Down when exceeded:
 *   https://docs.aws.amazon.com/AmazonS3/latest/userguide/optimizing-performance.html and
 *   /userguide/optimizing-performance-design-patterns.html ("… you might receive 503 Slow Down
 *   errors"). The error: 503 `SlowDown`, "Please reduce your request rate." (ErrorResponses.html).
 *   S3 documents no Retry-After header for it; none is sent. The SDK treats SlowDown as a
 *   throttling error and retries with backoff (@smithy/service-error-classification
 *   THROTTLING_ERROR_CODES).
 * - S3 partitions prefixes dynamically; the emulator's partition is the key up to its last "/"
 *   (the `prefix` parameter for listings), each in a sliding one-second window. `setRequestRates`
 *   turns it up, down or off; refused requests are not counted.
 */

export type RateClass = 'read' | 'write';

export interface RequestRates {
  /** GET/HEAD (and listings) per second per prefix. @default 5500 */
  readonly read?: number;
  /** PUT/COPY/POST/DELETE per second per prefix. @default 3500 */
  readonly write?: number;
}

export const DOCUMENTED_RATES: Required<RequestRates> = { read: 5500, write: 3500 };

export const partitionOf = (bucket: string, key: string): string => `${bucket}/${key.slice(0, key.lastIndexOf('/') + 1)}`;

export class PrefixLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(private readonly now: () => number, private rates: RequestRates | false) {}

  set(rates: RequestRates | false): void {
    this.rates = rates;
    this.hits.clear();
  }

  /** True when the request may go ahead (and counts it). */
  take(partition: string, kind: RateClass): boolean {
    if (this.rates === false) return true;
    const limit = this.rates[kind] ?? DOCUMENTED_RATES[kind];
    const now = this.now();
    const id = `${kind} ${partition}`;
    const recent = (this.hits.get(id) ?? []).filter((t) => t > now - 1000);
    if (recent.length >= limit) {
      this.hits.set(id, recent);
      return false;
    }
    recent.push(now);
    this.hits.set(id, recent);
    return true;
  }
}

export interface Fault {
  readonly status: number;
  readonly code?: string;
  remaining: number;
}

/** Fail the next N requests of an operation (S3 operation names: "GetObject", "ListObjectsV2", …, or "*"). */
export class Faults {
  private readonly pending = new Map<string, Fault[]>();

  add(operation: string, count: number, status: number, code?: string): void {
    const list = this.pending.get(operation) ?? [];
    list.push({ status, remaining: count, ...(code !== undefined ? { code } : {}) });
    this.pending.set(operation, list);
  }

  take(operation: string): Fault | undefined {
    for (const name of [operation, '*']) {
      const list = this.pending.get(name);
      const fault = list?.find((f) => f.remaining > 0);
      if (fault) {
        fault.remaining -= 1;
        return fault;
      }
    }
    return undefined;
  }

  clear(): void {
    this.pending.clear();
  }
}
