/**
 * Time, made injectable. Every wait of the resilience module goes through a {@link Sleep} and
 * every reading of the time through a {@link Clock}, so tests pin each wait without waiting.
 */
import type { Clock } from '../ports/index.ts';

/** Waits `ms` milliseconds. Inject one that records the waits (and advances a fake clock) in tests. */
export type Sleep = (ms: number) => Promise<void>;

/** A number in [0, 1): the jitter source. Inject a constant in tests. */
export type Random = () => number;

/** The system clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** A `setTimeout` sleep, cancelled (rejecting with the signal's reason) when `signal` aborts. */
export function realSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
