import { PutEventsCommand, type EventBridgeClient, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { TransientError } from '../../core/errors.ts';
import type { Clock, EventBus, FetchTask, Hints } from '../../ports/index.ts';
import { batchesOf } from '../../core/batches.ts';

export const EVENT_SOURCE = 'tributary';
export const EVENT_DETAIL_TYPE = 'SourceChanged';

/**
 * EventBridge's PutEvents limits: 10 entries per request, and 256 KB per entry and per
 * request, an entry counted as the UTF-8 bytes of its Source, DetailType and Detail (no Time
 * or Resources are sent). 256 KB is read as 256,000 bytes, the stricter reading; the hint rule
 * forwards the Detail to the fetch queue, whose messages may be larger (256 KiB).
 */
export const PUT_EVENTS_LIMITS = { maxEntries: 10, maxEntryBytes: 256_000, maxRequestBytes: 256_000 } as const;
/** A fetch task names at most this many ids (shared/core/tasks.ts). */
const MAX_IDS_PER_TASK = 10_000;
/** Tries of an entry EventBridge reports failed (throttled, internal error) before the publish fails. */
const ENTRY_ATTEMPTS = 3;

/** What EventBridge counts of an entry against its limits. */
export function putEventsEntrySize(entry: Pick<PutEventsRequestEntry, 'Source' | 'DetailType' | 'Detail'>): number {
  return Buffer.byteLength(entry.Source ?? '', 'utf8') + Buffer.byteLength(entry.DetailType ?? '', 'utf8') + Buffer.byteLength(entry.Detail ?? '', 'utf8');
}

/**
 * EventBus on EventBridge: each hint becomes `SourceChanged` events whose detail is a fetch
 * task; a rule per source forwards the detail to the fetch queue (group = source). A hint
 * naming more ids than one entry holds is split into several tasks, each entry within the
 * limits, and the entries are sent in as few requests as the limits allow.
 */
export class EventBridgeEventBus implements EventBus {
  /** `retryDelayMs`: the first wait before an entry EventBridge reported failed is sent again (doubling after). @default 100 */
  constructor(private readonly options: { client: EventBridgeClient; busName: string; clock: Clock; retryDelayMs?: number }) {}

  async publish(hints: readonly Hints[]): Promise<void> {
    // The exact instant: the queue's content-based deduplication then drops only a redelivery of
    // this very event, never a later hint (which may follow a run that already read the source).
    const requestedAt = new Date(this.options.clock.now()).toISOString();
    const entries = hints.flatMap((h) => tasksOf(h, requestedAt)).map((task): PutEventsRequestEntry => ({
      EventBusName: this.options.busName, Source: EVENT_SOURCE, DetailType: EVENT_DETAIL_TYPE, Detail: JSON.stringify(task),
    }));
    for (const request of requestsOf(entries)) await this.put(request);
  }

  /** Sends one request; entries EventBridge reports failed are sent again, a few times. */
  private async put(entries: PutEventsRequestEntry[]): Promise<void> {
    let pending = entries;
    for (let attempt = 1; ; attempt++) {
      const { FailedEntryCount, Entries } = await this.options.client.send(new PutEventsCommand({ Entries: pending }));
      if (!FailedEntryCount) return;
      const failed = pending.filter((_e, i) => Entries?.[i]?.ErrorCode !== undefined);
      const reason = Entries?.find((e) => e.ErrorCode)?.ErrorMessage ?? 'unknown';
      if (attempt >= ENTRY_ATTEMPTS || failed.length === 0) {
        throw new TransientError(`EventBridge rejected ${FailedEntryCount} of ${pending.length} events: ${reason}`);
      }
      pending = failed;
      await new Promise((resolve) => setTimeout(resolve, (this.options.retryDelayMs ?? 100) * 2 ** (attempt - 1)));
    }
  }
}

/** The fetch tasks of one hint: an empty hint is one incremental sync; ids fill tasks up to the entry limit. */
function tasksOf(hint: Hints, requestedAt: string): FetchTask[] {
  const base: FetchTask = { type: 'fetch', sourceId: hint.sourceId, trigger: 'webhook', requestedAt, ...(hint.buffered === true ? { buffered: true } : {}) };
  if (hint.ids.length === 0) return [base];
  const fixed = putEventsEntrySize({ Source: EVENT_SOURCE, DetailType: EVENT_DETAIL_TYPE, Detail: JSON.stringify({ ...base, ids: [] }) });
  const tasks: FetchTask[] = [];
  let ids: string[] = [];
  let size = fixed;
  // Ids are at most 1,024 characters (6 KB as JSON), so one always fits an entry.
  for (const id of [...hint.ids].sort()) {
    const bytes = Buffer.byteLength(JSON.stringify(id), 'utf8');
    if (ids.length > 0 && (size + 1 + bytes > PUT_EVENTS_LIMITS.maxEntryBytes || ids.length === MAX_IDS_PER_TASK)) {
      tasks.push({ ...base, ids });
      ids = [];
      size = fixed;
    }
    // Each id adds its JSON string, and a comma after the first.
    size += bytes + (ids.length > 0 ? 1 : 0);
    ids.push(id);
  }
  tasks.push({ ...base, ids });
  return tasks;
}

/** Groups entries into requests of at most 10 entries and 256 KB. */
function requestsOf(entries: readonly PutEventsRequestEntry[]): PutEventsRequestEntry[][] {
  return batchesOf(entries, { maxItems: PUT_EVENTS_LIMITS.maxEntries, maxBytes: PUT_EVENTS_LIMITS.maxRequestBytes }, putEventsEntrySize);
}
