import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { lambdaEntry, publishSourceMetrics } from '../shared/lambda.ts';
import { createWatchdogHandler } from './watchdog.ts';

/** Watchdog Lambda: every 5 minutes, per-source freshness metrics for the alarms. */
export const handler = lambdaEntry('state', (rt) => createWatchdogHandler(rt.deps, {
  sourceIds: rt.config.sources.map((s) => s.id),
  emit: (health) => publishSourceMetrics(health.sourceId, [
    ['FreshnessLagSeconds', MetricUnit.Seconds, health.freshnessLagSeconds],
    ['ConsecutiveFailures', MetricUnit.Count, health.consecutiveFailures],
    ['LeaseStuck', MetricUnit.Count, health.leaseStuck],
    ['BreakerTripped', MetricUnit.Count, health.breakerTripped],
  ]),
}));
