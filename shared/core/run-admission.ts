/**
 * Whether a fetch run starts at all: a hint an earlier pass already covered is skipped, and
 * a run starts only once it holds the source's lease.
 */
import type { CoreDeps } from './deps.ts';
import { TributaryError, errorMessage } from './errors.ts';
import type { FetchTask, LeaseResult } from '../ports/index.ts';

/** Attempts at taking (or handing back) the lease when an attempt fails with a retryable error. */
export const LEASE_ATTEMPTS = 3;

/** Publisher and fetcher clocks may disagree by this much; a hint this close to the watermark runs. */
export const HINT_CLOCK_SKEW_MS = 5_000;

/**
 * An incremental hint (no ids) requested before the snapshot of the last completed pass: that
 * pass read everything the hint could point at. Hints naming ids always run (an edit of an old
 * item is not always visible to an incremental pass), and so do full and recovery requests.
 */
export function isSubsumedHint(task: FetchTask, watermark: string | undefined): boolean {
  if (task.trigger !== 'webhook' && task.trigger !== 'watch') return false;
  if ((task.ids?.length ?? 0) > 0 || task.buffered === true || task.full === true || task.recover === true || watermark === undefined) return false;
  return Date.parse(task.requestedAt) + HINT_CLOCK_SKEW_MS < Date.parse(watermark);
}

/**
 * Takes the lease, retrying a failed attempt: the write may have landed with only its answer
 * lost, and then nobody would hold the source but a lease no run knows about (until it
 * expires, every trigger would be deferred to it). Retrying as the same owner takes it back.
 */
export async function acquire(deps: CoreDeps, input: Parameters<CoreDeps['state']['acquireLease']>[0]): Promise<LeaseResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await deps.state.acquireLease(input);
    } catch (error) {
      if (attempt >= LEASE_ATTEMPTS || !(error instanceof TributaryError && error.retryable)) throw error;
      deps.log.warn('taking the lease failed; trying again', { sourceId: input.sourceId, error: errorMessage(error) });
    }
  }
}
