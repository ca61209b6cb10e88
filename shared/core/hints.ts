import type { Clock, EventBus, HintBuffer, Hints } from '../ports/index.ts';

/** A marker older than this announces a run that was lost: the next hint queues another. */
export const HINT_MARK_STALE_MS = 15 * 60_000;

/**
 * An EventBus that coalesces hints naming ids: the ids go to the source's HintBuffer, and a
 * wake-up (`buffered`, no ids) is published only when no run is queued to take them. A burst
 * of 2,000 hints is then one queued run (plus the one running) with every id merged. Hints
 * without ids ("run an incremental sync") pass through; the fetcher absorbs their bursts.
 */
export class BufferedHintBus implements EventBus {
  constructor(private readonly buffer: HintBuffer, private readonly inner: EventBus, private readonly clock: Clock) {}

  async publish(hints: readonly Hints[]): Promise<void> {
    const forward: Hints[] = [];
    const marked: string[] = [];
    for (const hint of hints) {
      if (hint.ids.length === 0) {
        forward.push(hint);
        continue;
      }
      const queue = await this.buffer.addHints({ sourceId: hint.sourceId, ids: hint.ids, now: this.clock.now(), staleAfterMs: HINT_MARK_STALE_MS });
      if (queue) {
        forward.push({ sourceId: hint.sourceId, ids: [], buffered: true, ...(hint.trigger ? { trigger: hint.trigger } : {}) });
        marked.push(hint.sourceId);
      }
    }
    if (forward.length === 0) return;
    try {
      await this.inner.publish(forward);
    } catch (error) {
      // No run is queued after all: the sender's retry (or the next hint) must queue one.
      for (const sourceId of marked) await this.buffer.releaseMark({ sourceId }).catch(() => undefined);
      throw error;
    }
  }
}
