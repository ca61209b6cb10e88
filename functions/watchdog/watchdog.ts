import middy from '@middy/core';
import type { DepsOf } from '../../shared/core/deps.ts';
import type { SourceStates } from '../../shared/ports/index.ts';
import { sourceHealth, type SourceHealth } from '../../shared/core/freshness.ts';

export interface WatchdogOptions {
  readonly sourceIds: readonly string[];
  /** Publishes one source's health (CloudWatch metrics via EMF on AWS). */
  readonly emit: (health: SourceHealth) => void;
}

/**
 * Runs every few minutes: reads every configured source's state and publishes freshness
 * lag, consecutive failures and stuck leases — also for sources that never ran, so a
 * pipeline that silently stopped still breaches its freshness alarm.
 */
export function createWatchdogHandler(deps: DepsOf<'clock', SourceStates>, options: WatchdogOptions) {
  return middy<unknown, { sources: SourceHealth[] }>().handler(async () => {
    const states = await deps.state.getSources(options.sourceIds);
    const now = deps.clock.now();
    const sources = options.sourceIds.map((id) => sourceHealth(id, states.get(id), now));
    for (const health of sources) options.emit(health);
    return { sources };
  });
}
