import type { AlertChannel } from '../../ports/index.ts';
import { announceFiring, announceRecovery, type AnnounceDeps, type Announced } from './announce.ts';
import { activeConditions, type ConditionInput, type SourceCondition } from './conditions.ts';

export interface SourceAlertInput extends ConditionInput {
  /** Where this source's alerts go; none: the source is not watched. */
  readonly channels: readonly AlertChannel[];
}

export interface CheckOptions {
  /** The conditions that raise alerts (`alerts.on`). */
  readonly watch: readonly SourceCondition[];
  /** An incident still open after this long is announced again. */
  readonly repeatMs: number;
}

export interface CheckOutcome {
  readonly sourceId: string;
  readonly condition: SourceCondition;
  readonly firing: boolean;
  readonly outcome: Announced;
}

const RECOVERED: Record<SourceCondition, (id: string) => string> = {
  failure: (id) => `source "${id}" is syncing again`,
  stale: (id) => `source "${id}" is within its freshness SLO again`,
  breaker: (id) => `source "${id}": the mass-delete breaker is clear`,
  deadLetters: (id) => `source "${id}": no dead letters left`,
};

/**
 * One check of every watched source: a condition that holds is announced (once per incident),
 * one that no longer holds gets its recovery (once). Safe to run from several processes at
 * once and as often as wanted: the incident log decides who sends.
 */
export async function checkSourceAlerts(deps: AnnounceDeps, sources: readonly SourceAlertInput[], options: CheckOptions): Promise<CheckOutcome[]> {
  const outcomes: CheckOutcome[] = [];
  for (const source of sources) {
    if (source.channels.length === 0) continue;
    const sourceId = source.report.id;
    const active = activeConditions(source);
    for (const condition of options.watch) {
      const now = active.get(condition);
      const outcome = now
        ? await announceFiring(deps, source.channels, { sourceId, ...now }, options)
        : await announceRecovery(deps, source.channels, { sourceId, condition, title: RECOVERED[condition](sourceId) }, options);
      if (outcome !== 'not-open' && outcome !== 'already-open') outcomes.push({ sourceId, condition, firing: now !== undefined, outcome });
    }
  }
  return outcomes;
}
