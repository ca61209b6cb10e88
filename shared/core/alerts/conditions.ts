import type { AlertCondition, AlertMessage } from '../../ports/index.ts';
import type { SourceReport } from '../source-status.ts';

/** A condition that holds for a source now: what its alert will say. */
export type ActiveCondition = Pick<AlertMessage, 'condition' | 'title' | 'error' | 'fix'>;

/** The source conditions alerts watch, in the order they are checked. */
export const SOURCE_CONDITIONS = ['failure', 'stale', 'breaker', 'deadLetters'] as const satisfies readonly AlertCondition[];
export type SourceCondition = (typeof SOURCE_CONDITIONS)[number];

export interface ConditionInput {
  readonly report: SourceReport;
  /** Dead-lettered tasks of the source and the first reason. */
  readonly deadLetters: { readonly count: number; readonly reason?: string };
  /** Consecutive failed runs before `failure` holds. @default 1 */
  readonly failuresBeforeAlert?: number;
  /**
   * Whether a source that never completed a sync counts as stale. The local runtime says no
   * until it has been up for the SLO (a first sync is under way); the AWS alarm treats silence
   * as a breach from the start.
   */
  readonly neverSyncedIsStale: boolean;
}

/**
 * Splits a message the core recorded into the error and the fix it ends with: errors name
 * their fix after a last "; " (`…rejected the credentials (401); check the credentials the
 * source config names`). Without one the whole message is the error.
 */
export function splitFix(message: string): { error: string; fix?: string } {
  const at = message.lastIndexOf('; ');
  if (at <= 0 || message.length - at > 400) return { error: message };
  return { error: message.slice(0, at), fix: message.slice(at + 2) };
}

const minutes = (seconds: number): string => (seconds < 5400 ? `${Math.round(seconds / 60)} min` : `${(seconds / 3600).toFixed(1)} h`);

/** The conditions that hold for one source, from the report `tributary status` gives. */
export function activeConditions(input: ConditionInput): Map<SourceCondition, ActiveCondition> {
  const { report: r } = input;
  const id = r.id;
  const out = new Map<SourceCondition, ActiveCondition>();
  const failure = r.lastError ?? r.lastRun?.taskError ?? null;
  if (failure !== null && (r.lastError === null || r.consecutiveFailures >= (input.failuresBeforeAlert ?? 1))) {
    const { error, fix } = splitFix(failure);
    const runs = r.consecutiveFailures > 1 ? ` (${r.consecutiveFailures} runs in a row)` : '';
    out.set('failure', {
      condition: 'failure', title: `source "${id}" is failing${runs}`, error,
      fix: fix ?? `see \`tributary status\` and the log; \`tributary sync --source ${id}\` shows the error as it happens, and the next scheduled sync retries`,
    });
  }
  if (r.lagSeconds === null ? input.neverSyncedIsStale : r.stale) {
    out.set('stale', {
      condition: 'stale',
      title: r.lagSeconds === null ? `source "${id}" has never completed a sync` : `source "${id}" is ${minutes(r.lagSeconds)} behind (SLO ${r.freshnessSloMinutes} min)`,
      ...(failure !== null ? { error: splitFix(failure).error } : {}),
      fix: 'check that syncs run (`tributary start` locally, the schedule on AWS) and what fails in `tributary status`; raise freshnessSloMinutes if the source changes rarely',
    });
  }
  if (r.breaker !== null) {
    const { error, fix } = splitFix(r.breaker);
    out.set('breaker', { condition: 'breaker', title: `source "${id}": mass-delete breaker tripped, nothing deleted`, error, ...(fix ? { fix } : {}) });
  }
  if (input.deadLetters.count > 0) {
    out.set('deadLetters', {
      condition: 'deadLetters', title: `source "${id}": ${input.deadLetters.count} task${input.deadLetters.count === 1 ? '' : 's'} dead-lettered`,
      ...(input.deadLetters.reason !== undefined ? { error: input.deadLetters.reason } : {}),
      fix: 'read the reasons (`tributary status`, or the DLQ\'s reason attribute on AWS), fix the cause, then redrive the dead letters',
    });
  }
  return out;
}

/** Dead letters per source, from queue bodies (`sourceId` of a fetch or embed task) with their reasons. */
export function deadLettersBySource(letters: ReadonlyArray<{ body: string; reason?: string }>): Map<string, { count: number; reason?: string }> {
  const out = new Map<string, { count: number; reason?: string }>();
  for (const letter of letters) {
    let sourceId: unknown;
    try {
      sourceId = (JSON.parse(letter.body) as { sourceId?: unknown }).sourceId;
    } catch {
      continue;
    }
    if (typeof sourceId !== 'string') continue;
    const seen = out.get(sourceId);
    const reason = seen?.reason ?? letter.reason;
    out.set(sourceId, { count: (seen?.count ?? 0) + 1, ...(reason !== undefined ? { reason } : {}) });
  }
  return out;
}
