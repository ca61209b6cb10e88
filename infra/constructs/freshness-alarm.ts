import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';

export interface FreshnessAlarmProps {
  readonly sourceId: string;
  /** The source's freshness SLO: alarm when its last completed sync is older. */
  readonly sloMinutes: number;
}

/**
 * Fires when a source's data is older than its SLO. Missing data breaches: if the watchdog
 * (or the whole pipeline) stops, the alarm fires rather than going quiet.
 */
export class FreshnessAlarm extends Construct {
  readonly metric: cloudwatch.Metric;
  readonly alarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: FreshnessAlarmProps) {
    super(scope, id);
    this.metric = new cloudwatch.Metric({
      namespace: 'Tributary',
      metricName: 'FreshnessLagSeconds',
      dimensionsMap: { SourceId: props.sourceId, service: 'tributary' },
      statistic: 'Maximum',
      period: Duration.minutes(5),
    });
    this.alarm = this.metric.createAlarm(this, 'Alarm', {
      alarmDescription: `Tributary source "${props.sourceId}" is staler than its ${props.sloMinutes}-minute SLO (or the watchdog stopped reporting). See README "Alarms".`,
      threshold: props.sloMinutes * 60,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
  }
}
