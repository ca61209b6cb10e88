import middy from '@middy/core';
import type { SNSEvent } from 'aws-lambda';
import { announceFiring, announceRecovery, type AnnounceDeps, type Announced } from '../../shared/core/alerts/announce.ts';
import { activeConditions, type SourceCondition } from '../../shared/core/alerts/conditions.ts';
import type { DepsOf } from '../../shared/core/deps.ts';
import { reportSource } from '../../shared/core/source-status.ts';
import type { AlertChannel, AlertCondition, RunLog, SourceStates } from '../../shared/ports/index.ts';

/** The fields of a CloudWatch alarm's SNS message the notifier reads. */
interface AlarmMessage {
  readonly AlarmName?: string;
  readonly AlarmDescription?: string | null;
  readonly NewStateValue?: string;
  readonly NewStateReason?: string;
  readonly Trigger?: { readonly MetricName?: string; readonly Dimensions?: ReadonlyArray<{ readonly name?: string; readonly value?: string }> };
}

/** Metrics whose alarms are about one source (its SourceId dimension), by the condition they mean. */
const SOURCE_METRICS: Readonly<Record<string, SourceCondition>> = {
  FreshnessLagSeconds: 'stale',
  ConsecutiveFailures: 'failure',
  BreakerTripped: 'breaker',
};

export interface NotifierOptions {
  /** Where a source's alerts go; `pipeline` for alarms of no source (queues, functions). */
  readonly channelsFor: (sourceId: string) => readonly AlertChannel[];
  readonly freshnessSloMinutes: (sourceId: string) => number;
  readonly repeatMs: number;
}

export type NotifierDeps = AnnounceDeps & DepsOf<never, SourceStates & RunLog>;

/**
 * The alarm topic's subscriber: each CloudWatch alarm that goes to ALARM is announced once per
 * incident (SNS delivers at least once; the IncidentLog drops the repeat), its return to OK
 * once as a recovery. A source's alarm is told with what its state says: the error and its
 * fix, the breaker's numbers. INSUFFICIENT_DATA says nothing.
 */
export function createNotifierHandler(deps: NotifierDeps, options: NotifierOptions) {
  return middy<SNSEvent, { results: Announced[] }>().handler(async (event) => {
    const results: Announced[] = [];
    for (const record of event.Records) {
      let alarm: AlarmMessage;
      try {
        alarm = JSON.parse(record.Sns.Message) as AlarmMessage;
      } catch {
        deps.log.warn('not a CloudWatch alarm message; ignored', { messageId: record.Sns.MessageId });
        continue;
      }
      results.push(await notify(deps, options, alarm));
    }
    return { results };
  });
}

async function notify(deps: NotifierDeps, options: NotifierOptions, alarm: AlarmMessage): Promise<Announced> {
  const state = alarm.NewStateValue;
  if (state !== 'ALARM' && state !== 'OK') return 'not-open';
  const metric = alarm.Trigger?.MetricName ?? '';
  const sourceId = alarm.Trigger?.Dimensions?.find((d) => d.name === 'SourceId')?.value;
  const sourceCondition = sourceId !== undefined ? SOURCE_METRICS[metric] : undefined;
  const about = sourceCondition !== undefined && sourceId !== undefined ? sourceId : 'pipeline';
  const condition: AlertCondition = sourceCondition ?? 'pipeline';
  // A pipeline alarm is its own incident; a source's is its condition, as locally.
  const key = condition === 'pipeline' ? alarm.AlarmName ?? metric : condition;
  const channels = options.channelsFor(about);
  const title = alarm.AlarmDescription ?? alarm.AlarmName ?? metric;
  if (state === 'OK') return announceRecovery(deps, channels, { sourceId: about, condition, title: `${alarm.AlarmName ?? title} is OK again` }, { repeatMs: options.repeatMs, key });
  let details = { title, ...(alarm.NewStateReason ? { error: alarm.NewStateReason } : {}), fix: 'see README "Alarms, and what to do"' } as { title: string; error?: string; fix?: string };
  if (sourceCondition !== undefined && sourceId !== undefined) {
    const [states, [lastRun]] = await Promise.all([deps.state.getSources([sourceId]), deps.state.listRuns(sourceId, 1)]);
    const report = reportSource({ sourceId, state: states.get(sourceId), lastRun, now: deps.clock.now(), freshnessSloMinutes: options.freshnessSloMinutes(sourceId) });
    const active = activeConditions({ report, deadLetters: { count: 0 }, neverSyncedIsStale: true }).get(sourceCondition);
    if (active) details = { title: active.title, ...(active.error !== undefined ? { error: active.error } : {}), ...(active.fix !== undefined ? { fix: active.fix } : {}) };
  }
  return announceFiring(deps, channels, { sourceId: about, condition, ...details }, { repeatMs: options.repeatMs, key });
}
