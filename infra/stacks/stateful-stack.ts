import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import { EVENT_DETAIL_TYPE, EVENT_SOURCE } from '../../shared/adapters/aws/eventbridge-event-bus.ts';
import type { Construct } from 'constructs';
import { WorkQueue } from '../constructs/work-queue.ts';
import type { StageEventRule } from '../stage-config.ts';

export interface StatefulStackProps extends StackProps {
  /** Fetcher timeout: the fetch queue's visibility timeout is six times it. */
  readonly fetcherTimeout: Duration;
  /** Embedder timeout: the embed queue's visibility timeout is six times it. */
  readonly embedderTimeout: Duration;
  /** Source ids: each gets a rule routing its hints to the fetch queue. */
  readonly sourceIds: readonly string[];
  /** Rules on the default bus forwarding AWS services' events (S3 object events) of a source to the fetch queue. @default none */
  readonly eventRules?: readonly StageEventRule[];
}

/**
 * Everything that holds data: the state table and the two work queues with their DLQs —
 * plus the event bus and its rules, because a rule targeting a queue writes the queue's
 * (single) resource policy, which must live in the queue's stack. Kept apart from the
 * pipeline so redeploying functions never touches them; logical IDs are pinned by tests.
 */
export class StatefulStack extends Stack {
  readonly table: dynamodb.Table;
  readonly fetchQueue: WorkQueue;
  readonly embedQueue: WorkQueue;
  readonly bus: events.EventBus;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    this.table = new dynamodb.Table(this, 'StateTable', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Run records carry `expiresAt`; nothing else does.
      timeToLiveAttribute: 'expiresAt',
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.fetchQueue = new WorkQueue(this, 'FetchQueue', { visibilityTimeout: Duration.seconds(props.fetcherTimeout.toSeconds() * 6) });
    this.embedQueue = new WorkQueue(this, 'EmbedQueue', { visibilityTimeout: Duration.seconds(props.embedderTimeout.toSeconds() * 6) });

    this.bus = new events.EventBus(this, 'Bus');
    // One rule per source: the target's message group must be the source, and a rule's is static.
    for (const sourceId of props.sourceIds) {
      new events.Rule(this, `Hints-${sourceId}`, {
        eventBus: this.bus,
        description: `Tributary: webhook hints of source ${sourceId} to the fetch queue`,
        eventPattern: { source: [EVENT_SOURCE], detailType: [EVENT_DETAIL_TYPE], detail: { sourceId: [sourceId] } },
        targets: [new eventTargets.SqsQueue(this.fetchQueue.queue, {
          messageGroupId: sourceId,
          message: events.RuleTargetInput.fromEventPath('$.detail'),
        })],
      });
    }
    // AWS services publish to the default bus; the fetcher decodes the event with the source's definition.
    const counts = new Map<string, number>();
    for (const rule of props.eventRules ?? []) {
      const n = (counts.get(rule.sourceId) ?? 0) + 1;
      counts.set(rule.sourceId, n);
      new events.Rule(this, `Events-${rule.sourceId}${n > 1 ? `-${n}` : ''}`, {
        description: rule.description,
        eventPattern: eventPatternOf(rule.pattern),
        targets: [new eventTargets.SqsQueue(this.fetchQueue.queue, {
          messageGroupId: rule.sourceId,
          // The event's own fields, as `decodeEvent` reads them (account, region and resources are not needed).
          message: events.RuleTargetInput.fromObject({
            type: 'event', sourceId: rule.sourceId,
            event: { id: events.EventField.eventId, source: events.EventField.source, 'detail-type': events.EventField.detailType, time: events.EventField.time, detail: events.EventField.fromPath('$.detail') },
          }),
        })],
      });
    }
  }
}

/** A pattern as EventBridge writes it (`detail-type`) in CDK's spelling (`detailType`); the rest passes through. */
function eventPatternOf(pattern: Readonly<Record<string, unknown>>): events.EventPattern {
  const { 'detail-type': detailType, ...rest } = pattern;
  return { ...rest, ...(detailType !== undefined ? { detailType: detailType as string[] } : {}) } as events.EventPattern;
}
