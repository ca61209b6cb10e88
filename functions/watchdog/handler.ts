import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { lambdaEntry, metrics } from '../shared/lambda.ts';
import { createWatchdogHandler } from './watchdog.ts';

/** Watchdog Lambda: every 5 minutes, per-source freshness metrics for the alarms. */
export const handler = lambdaEntry('state', (rt) => createWatchdogHandler(rt.deps, {
  sourceIds: rt.config.sources.map((s) => s.id),
  emit: (health) => {
    const m = metrics.singleMetric();
    m.addDimension('SourceId', health.sourceId);
    m.addMetric('FreshnessLagSeconds', MetricUnit.Seconds, health.freshnessLagSeconds);
    m.addMetric('ConsecutiveFailures', MetricUnit.Count, health.consecutiveFailures);
    m.addMetric('LeaseStuck', MetricUnit.Count, health.leaseStuck);
  },
}));
