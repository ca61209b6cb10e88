import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { chunked } from '../../core/concurrency.ts';
import { TransientError } from '../../core/errors.ts';
import type { Clock, EventBus, FetchTask, Hints } from '../../ports/index.ts';

/** EventBridge's PutEvents limit. */
const MAX_ENTRIES = 10;
/** Keeps each event far below the 256 KB entry limit. */
const MAX_IDS_PER_EVENT = 500;
export const EVENT_SOURCE = 'tributary';
export const EVENT_DETAIL_TYPE = 'SourceChanged';

/**
 * EventBus on EventBridge: each hint becomes a `SourceChanged` event whose detail is the
 * fetch task itself; a rule per source forwards the detail to the fetch queue (group = source).
 */
export class EventBridgeEventBus implements EventBus {
  constructor(private readonly options: { client: EventBridgeClient; busName: string; clock: Clock }) {}

  async publish(hints: readonly Hints[]): Promise<void> {
    // The exact instant: the queue's content-based deduplication then drops only a redelivery of
    // this very event, never a later hint (which may follow a run that already read the source).
    const requestedAt = new Date(this.options.clock.now()).toISOString();
    const tasks: FetchTask[] = [];
    for (const h of hints) {
      if (h.ids.length === 0) tasks.push({ type: 'fetch', sourceId: h.sourceId, trigger: 'webhook', requestedAt });
      for (const ids of chunked([...h.ids].sort(), MAX_IDS_PER_EVENT)) {
        tasks.push({ type: 'fetch', sourceId: h.sourceId, trigger: 'webhook', ids, requestedAt });
      }
    }
    for (const batch of chunked(tasks, MAX_ENTRIES)) {
      const { FailedEntryCount, Entries } = await this.options.client.send(new PutEventsCommand({
        Entries: batch.map((task) => ({
          EventBusName: this.options.busName, Source: EVENT_SOURCE, DetailType: EVENT_DETAIL_TYPE, Detail: JSON.stringify(task),
        })),
      }));
      if (FailedEntryCount) {
        const reason = Entries?.find((e) => e.ErrorCode)?.ErrorMessage ?? 'unknown';
        throw new TransientError(`EventBridge rejected ${FailedEntryCount} of ${batch.length} events: ${reason}`);
      }
    }
  }
}
