import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface WorkQueueProps {
  /** Visibility timeout: at least the consuming function's timeout (AWS recommends 6×). */
  readonly visibilityTimeout: Duration;
  /**
   * Deliveries before SQS itself moves a message to the DLQ. The handlers dead-letter a
   * failing task with its reason earlier (config `queues.maxReceives`); this is the backstop.
   * @default 10
   */
  readonly maxReceiveCount?: number;
}

/** A FIFO work queue with its FIFO dead-letter queue (14 days' retention), both encrypted. */
export class WorkQueue extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: WorkQueueProps) {
    super(scope, id);
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      fifo: true,
      retentionPeriod: Duration.days(14),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      fifo: true,
      // Schedules and EventBridge rules send without a deduplication id.
      contentBasedDeduplication: true,
      visibilityTimeout: props.visibilityTimeout,
      retentionPeriod: Duration.days(4),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount ?? 10 },
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /** Messages waiting in the dead-letter queue. */
  deadLetterDepth(): cloudwatch.IMetric {
    return this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' });
  }

  /** Age of the oldest message waiting in the work queue. */
  oldestMessageAge(): cloudwatch.IMetric {
    return this.queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(1), statistic: 'Maximum' });
  }
}
