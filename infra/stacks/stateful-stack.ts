import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import { EVENT_DETAIL_TYPE, EVENT_SOURCE } from '../../shared/adapters/aws/eventbridge-event-bus.ts';
import type { Construct } from 'constructs';
import { WorkQueue } from '../constructs/work-queue.ts';

export interface StatefulStackProps extends StackProps {
  /** Fetcher timeout: the fetch queue's visibility timeout is six times it. */
  readonly fetcherTimeout: Duration;
  /** Embedder timeout: the embed queue's visibility timeout is six times it. */
  readonly embedderTimeout: Duration;
  /** Source ids: each gets a rule routing its hints to the fetch queue. */
  readonly sourceIds: readonly string[];
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
  }
}
