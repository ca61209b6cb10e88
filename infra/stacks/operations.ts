import { Duration, Validations, type Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { PipelineFunction } from '../constructs/pipeline-function.ts';
import type { WorkQueue } from '../constructs/work-queue.ts';
import type { ChatopsStage, NotifierStage } from '../ops-config.ts';

export interface OperationsProps {
  readonly configJson: string;
  readonly table: dynamodb.Table;
  readonly fetchQueue: WorkQueue;
  readonly embedQueue: WorkQueue;
  readonly topic: sns.Topic;
  readonly notify: cwActions.SnsAction;
  readonly api: apigw.HttpApi;
  readonly notifier?: NotifierStage;
  readonly chatops?: ChatopsStage;
}

/** A per-source alarm on a watchdog metric (SourceId and Powertools' service dimensions, as published). */
function sourceAlarm(stack: Stack, id: string, sourceId: string, metricName: string, threshold: number, description: string): cloudwatch.Alarm {
  return new cloudwatch.Metric({
    namespace: 'Tributary', metricName, dimensionsMap: { SourceId: sourceId, service: 'tributary' }, statistic: 'Maximum', period: Duration.minutes(5),
  }).createAlarm(stack, id, {
    threshold, evaluationPeriods: 1, alarmDescription: description,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
}

/**
 * Alerts and chat-ops on AWS, each only when configured. Alerts: per alerted source, alarms on
 * its failures and its breaker (its freshness alarm exists already), and the notifier
 * subscribed to the alarm topic, reading only its Slack webhook secrets. Chat-ops: a function
 * behind `POST /chatops/<platform>` that checks the platform's signature, reads the sources'
 * state, remembers deliveries and sends fetch tasks, nothing else.
 */
export function addOperations(stack: Stack, props: OperationsProps): Record<string, PipelineFunction> {
  const functions: Record<string, PipelineFunction> = {};
  const { notifier: n, chatops: c } = props;
  if (n) {
    for (const sourceId of n.sourceIds) {
      sourceAlarm(stack, `Failures-${sourceId}`, sourceId, 'ConsecutiveFailures', n.failuresBeforeAlert,
        `Tributary source "${sourceId}" failed ${n.failuresBeforeAlert} run(s) in a row. See README "Alerts".`).addAlarmAction(props.notify);
      sourceAlarm(stack, `Breaker-${sourceId}`, sourceId, 'BreakerTripped', 1,
        `Tributary source "${sourceId}": the mass-delete breaker refused a reconcile's deletions. See README "Alerts".`).addAlarmAction(props.notify);
    }
    const notifier = new PipelineFunction(stack, 'Notifier', { entry: 'notifier', configJson: props.configJson, timeout: Duration.seconds(30) })
      .useTable(props.table, n.reads).useTable(props.table, n.writes).readSecrets(stack, n.secrets);
    props.topic.addSubscription(new subscriptions.LambdaSubscription(notifier.fn));
    functions['Notifier'] = notifier;
  }
  if (c) {
    const chatops = new PipelineFunction(stack, 'Chatops', { entry: 'chatops', configJson: props.configJson, timeout: Duration.seconds(10) })
      .useTable(props.table, c.reads).useTable(props.table, c.writes)
      .knowQueues(props.fetchQueue, props.embedQueue).sendTo(props.fetchQueue, 'fetch').readSecrets(stack, c.secrets);
    const integration = new HttpLambdaIntegration('ChatopsIntegration', chatops.fn);
    for (const platform of c.platforms) {
      const [route] = props.api.addRoutes({ path: `/chatops/${platform}`, methods: [apigw.HttpMethod.POST], integration });
      if (route) {
        Validations.of(route).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: platform === 'slack'
            ? 'Slack cannot sign with IAM; the function verifies X-Slack-Signature (v0 HMAC-SHA256 of the raw body, 5-minute window, replays refused) and answers 401 otherwise.'
            : 'Discord cannot sign with IAM; the function verifies the Ed25519 X-Signature-Ed25519 over timestamp and body (5-minute window, replays refused) and answers 401 otherwise.',
        });
      }
    }
    functions['Chatops'] = chatops;
  }
  return functions;
}
