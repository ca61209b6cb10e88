import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import { Construct } from 'constructs';
import type { WorkQueue } from './work-queue.ts';

export interface SourceScheduleProps {
  readonly sourceId: string;
  /** EventBridge rate expression from the config, e.g. `rate(15 minutes)`. */
  readonly rate: string;
  readonly fetchQueue: WorkQueue;
}

/**
 * An EventBridge Scheduler schedule that sends a fetch task for one source straight to the
 * fetch queue, in the source's message group. The task carries the scheduled time, so
 * each tick is a distinct message and a retried delivery of one tick is deduplicated.
 */
export class SourceSchedule extends Construct {
  readonly schedule: scheduler.Schedule;

  constructor(scope: Construct, id: string, props: SourceScheduleProps) {
    super(scope, id);
    const body = `{"type":"fetch","sourceId":${JSON.stringify(props.sourceId)},"trigger":"schedule","requestedAt":"<aws.scheduler.scheduled-time>"}`;
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      schedule: scheduler.ScheduleExpression.expression(props.rate),
      description: `Tributary: sync source ${props.sourceId}`,
      target: new targets.SqsSendMessage(props.fetchQueue.queue, {
        input: scheduler.ScheduleTargetInput.fromText(body),
        messageGroupId: props.sourceId,
      }),
    });
  }
}
