import { CfnOutput, Duration, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { FreshnessAlarm } from '../constructs/freshness-alarm.ts';
import { PipelineFunction } from '../constructs/pipeline-function.ts';
import { SourceSchedule } from '../constructs/source-schedule.ts';
import type { WorkQueue } from '../constructs/work-queue.ts';
import type { FunctionName, StageConfig, TableAccess } from '../stage-config.ts';
import type { ChatopsStage, NotifierStage } from '../ops-config.ts';
import { addOperations } from './operations.ts';

export interface PipelineStackProps extends StackProps {
  readonly stage: StageConfig;
  readonly table: dynamodb.Table;
  readonly fetchQueue: WorkQueue;
  readonly embedQueue: WorkQueue;
  readonly bus: events.EventBus;
  /** Alerts to Slack and chat-ops (infra/ops-config.ts); absent parts are not deployed. @default none */
  readonly ops?: { readonly notifier?: NotifierStage; readonly chatops?: ChatopsStage };
}

/** The stateless pipeline: functions, schedules, the bus, the HTTP API, alarms and the dashboard. */
export class PipelineStack extends Stack {
  readonly topic: sns.Topic;
  readonly api: apigw.HttpApi;

  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    super(scope, id, props);
    const { stage, table, fetchQueue, embedQueue, bus } = props;
    const configJson = JSON.stringify(stage.runtimeConfig);
    const tableAccess = (fn: FunctionName): TableAccess => {
      const access = stage.tableAccessFor(fn);
      if (!access) throw new Error(`the ${fn} function has no share of the state table`);
      return access;
    };

    const fetcher = new PipelineFunction(this, 'Fetcher', {
      entry: 'fetcher', configJson, timeout: stage.fetcherTimeout, memorySize: 1024,
    }).useTable(table, tableAccess('fetcher')).consume(fetchQueue, { batchSize: 1 }).sendTo(fetchQueue, 'fetch').sendTo(embedQueue, 'embed')
      .readSecrets(this, stage.secretsFor('fetcher'));
    const embedder = new PipelineFunction(this, 'Embedder', {
      entry: 'embedder', configJson, timeout: stage.embedderTimeout, memorySize: 1024,
    }).useTable(table, tableAccess('embedder')).consume(embedQueue, { batchSize: stage.embedderBatchSize, maxConcurrency: stage.embedderMaxConcurrency })
      .knowQueues(fetchQueue, embedQueue).readSecrets(this, stage.secretsFor('embedder'));

    // The edge functions run for anyone who can reach the API (a signature is checked inside):
    // reserved concurrency both caps what a flood can spend and keeps capacity for real senders.
    const webhook = new PipelineFunction(this, 'Webhook', {
      entry: 'webhook', configJson, timeout: Duration.seconds(10), ...reserve(stage.reservedConcurrency.webhook),
    })
      .putEvents(bus).readSecrets(this, stage.secretsFor('webhook'));
    // Its replay memory (SEEN#webhook:<source> items) is all of the table it reaches.
    const webhookTable = stage.tableAccessFor('webhook');
    if (webhookTable) webhook.useTable(table, webhookTable);

    // Ingestion, only when a source takes pushes (its kind's definition says so): stashes pushed
    // documents in the table and publishes one hint per request; it never touches the queues.
    const ingest = stage.sources.some((s) => s.takesPushes)
      ? new PipelineFunction(this, 'Ingest', {
        entry: 'ingest', configJson, timeout: Duration.seconds(30), memorySize: 512, ...reserve(stage.reservedConcurrency.ingest),
      }).useTable(table, tableAccess('ingest')).putEvents(bus).readSecrets(this, stage.secretsFor('ingest'))
      : undefined;

    const watchdog = new PipelineFunction(this, 'Watchdog', { entry: 'watchdog', configJson, timeout: Duration.seconds(60) })
      .useTable(table, tableAccess('watchdog'));
    new events.Rule(this, 'WatchdogSchedule', {
      schedule: events.Schedule.rate(Duration.minutes(5)),
      targets: [new eventTargets.LambdaFunction(watchdog.fn)],
    });

    const admin = new PipelineFunction(this, 'Admin', { entry: 'admin', configJson, timeout: Duration.seconds(30) })
      .useTable(table, tableAccess('admin')).sendTo(fetchQueue, 'fetch').knowQueues(fetchQueue, embedQueue).readSecrets(this, stage.secretsFor('admin'));

    for (const source of stage.sources) {
      new SourceSchedule(this, `Schedule-${source.id}`, { sourceId: source.id, rate: source.schedule, fetchQueue });
    }

    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', { retention: logs.RetentionDays.ONE_MONTH });
    this.api = new apigw.HttpApi(this, 'Api', { description: 'Tributary webhooks and admin API', createDefaultStage: false });
    const apiStage = new apigw.HttpStage(this, 'ApiStage', {
      httpApi: this.api, stageName: '$default', autoDeploy: true,
      accessLogSettings: { destination: new apigw.LogGroupLogDestination(accessLogs) },
      // Routes without a throttle of their own get the strictest one.
      throttle: { rateLimit: stage.throttle.admin.rateLimit, burstLimit: stage.throttle.admin.burstLimit },
    });
    /** Routes by throttle group: each route key gets the group's throttle (its own bucket). */
    const throttled: Array<{ group: keyof StageConfig['throttle']; routes: apigw.HttpRoute[] }> = [];
    const [webhookRoute] = this.api.addRoutes({
      path: '/webhooks/{sourceId}', methods: [apigw.HttpMethod.POST],
      integration: new HttpLambdaIntegration('WebhookIntegration', webhook.fn),
    });
    if (webhookRoute) {
      throttled.push({ group: 'webhooks', routes: [webhookRoute] });
      Validations.of(webhookRoute).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason: 'Webhook senders (Slack, GitHub, custom systems) cannot sign with IAM; the function verifies an HMAC-SHA256 signature with a 5-minute replay window and answers 401 otherwise.',
      });
    }
    if (stage.sources.some((s) => s.answersWebhookGet)) {
      // A provider's subscription check (Tempo's `GET ?randomString=`), answered by the same function.
      const [checkRoute] = this.api.addRoutes({
        path: '/webhooks/{sourceId}', methods: [apigw.HttpMethod.GET],
        integration: new HttpLambdaIntegration('WebhookCheckIntegration', webhook.fn),
      });
      if (checkRoute) {
        throttled.push({ group: 'webhooks', routes: [checkRoute] });
        Validations.of(checkRoute).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: 'Providers check a webhook URL with an unauthenticated GET (Tempo echoes randomString); the function answers only sources whose kind defines the check, 401 otherwise, and changes nothing.',
        });
      }
    }
    if (ingest) {
      const [ingestRoute] = this.api.addRoutes({
        path: '/ingest/{sourceId}', methods: [apigw.HttpMethod.POST],
        integration: new HttpLambdaIntegration('IngestIntegration', ingest.fn),
      });
      if (ingestRoute) {
        throttled.push({ group: 'ingest', routes: [ingestRoute] });
        Validations.of(ingestRoute).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: 'Push clients sign each batch with the source\'s HMAC-SHA256 secret (as webhooks do); the function verifies it with a 5-minute replay window and answers 401 otherwise.',
        });
      }
    }
    const adminIntegration = new HttpLambdaIntegration('AdminIntegration', admin.fn);
    const iam = new HttpIamAuthorizer();
    for (const [method, path] of [
      [apigw.HttpMethod.GET, '/admin/sources'],
      [apigw.HttpMethod.POST, '/admin/sources/{sourceId}/sync'],
      [apigw.HttpMethod.POST, '/admin/sources/{sourceId}/resync'],
      [apigw.HttpMethod.POST, '/admin/sources/{sourceId}/reset'],
      [apigw.HttpMethod.GET, '/admin/sources/{sourceId}/runs'],
      [apigw.HttpMethod.GET, '/admin/search'],
    ] as const) {
      throttled.push({ group: 'admin', routes: this.api.addRoutes({ path, methods: [method], integration: adminIntegration, authorizer: iam }) });
    }
    throttleRoutes(apiStage, throttled.map(({ group, routes }) => ({ routes, throttle: stage.throttle[group] })));

    // Alarms: one topic; e-mail optional.
    this.topic = new sns.Topic(this, 'AlarmTopic', { displayName: 'Tributary alarms', enforceSSL: true });
    if (stage.alarmEmail) this.topic.addSubscription(new subscriptions.EmailSubscription(stage.alarmEmail));
    const notify = new cwActions.SnsAction(this.topic);
    const alarm = (id: string, metric: cloudwatch.IMetric, threshold: number, description: string): cloudwatch.Alarm => {
      const a = new cloudwatch.Alarm(this, id, {
        metric, threshold, evaluationPeriods: 1, alarmDescription: description,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      a.addAlarmAction(notify);
      return a;
    };
    const freshness = stage.sources.map((source) => {
      const f = new FreshnessAlarm(this, `Freshness-${source.id}`, { sourceId: source.id, sloMinutes: source.freshnessSloMinutes });
      f.alarm.addAlarmAction(notify);
      return f;
    });
    for (const [name, work] of [['Fetch', fetchQueue], ['Embed', embedQueue]] as const) {
      alarm(`${name}DeadLetters`, work.deadLetterDepth(), 1, `${name} tasks were dead-lettered; read their reason attribute. See README "Alarms".`);
      alarm(`${name}QueueAge`, work.oldestMessageAge(), stage.queueAgeAlarmMinutes * 60, `${name} queue is backing up. See README "Alarms".`);
    }
    // Chat-ops routes have no throttle of their own: the stage's default (the admin routes') holds them.
    const ops = addOperations(this, { configJson, table, fetchQueue, embedQueue, topic: this.topic, notify, api: this.api, ...props.ops });
    const functions = { Fetcher: fetcher, Embedder: embedder, Webhook: webhook, Watchdog: watchdog, Admin: admin, ...(ingest ? { Ingest: ingest } : {}), ...ops };
    // What the sources' definitions ask for besides (a bucket to read, say), on the functions they name.
    const byName: Record<FunctionName, PipelineFunction | undefined> = { fetcher, embedder, webhook, watchdog, admin, ingest };
    for (const [name, f] of Object.entries(byName) as Array<[FunctionName, PipelineFunction | undefined]>) f?.allow(stage.grantsFor(name));
    for (const [name, f] of Object.entries(functions)) {
      alarm(`${name}Errors`, f.errors(), 1, `${name} Lambda errors. See README "Alarms".`);
      alarm(`${name}Throttles`, f.throttles(), 1, `${name} Lambda throttled. See README "Alarms".`);
    }

    const runMetric = (name: string, statistic = 'Sum') => stage.sources.map((s) => new cloudwatch.Metric({
      namespace: 'Tributary', metricName: name, dimensionsMap: { SourceId: s.id, service: 'tributary' }, statistic, period: Duration.minutes(5), label: s.id,
    }));
    new cloudwatch.Dashboard(this, 'Dashboard', {
      widgets: [
        [new cloudwatch.GraphWidget({ title: 'Freshness lag (s) per source', left: freshness.map((f) => f.metric), width: 12 }),
          new cloudwatch.GraphWidget({ title: 'Documents changed per source', left: runMetric('DocsChanged'), width: 12 })],
        [new cloudwatch.GraphWidget({ title: 'Tasks enqueued', left: runMetric('TasksEnqueued'), width: 8 }),
          new cloudwatch.GraphWidget({ title: 'Queue age (s)', left: [fetchQueue.oldestMessageAge(), embedQueue.oldestMessageAge()], width: 8 }),
          new cloudwatch.GraphWidget({ title: 'Dead letters', left: [fetchQueue.deadLetterDepth(), embedQueue.deadLetterDepth()], width: 8 })],
        [new cloudwatch.GraphWidget({ title: 'Lambda errors', left: Object.values(functions).map((f) => f.errors()), width: 12 }),
          new cloudwatch.GraphWidget({ title: 'Consecutive failures', left: runMetric('ConsecutiveFailures', 'Maximum'), width: 12 })],
      ],
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.apiEndpoint, description: 'Webhooks: POST <url>/webhooks/<sourceId>; push: POST <url>/ingest/<sourceId>; admin: <url>/admin/… (IAM)' });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.topic.topicArn });
  }
}

/** `reservedConcurrency` for a function, when the config reserves any. */
function reserve(value: number | null): { reservedConcurrency?: number } {
  return value === null ? {} : { reservedConcurrency: value };
}

/**
 * Per-route throttling (HTTP API route settings, keyed by route key). CDK's HttpStage sets only
 * the stage default, hence the escape hatch; the stage must be created after the routes it
 * names, or CloudFormation cannot find them.
 */
function throttleRoutes(stage: apigw.HttpStage, groups: ReadonlyArray<{ routes: readonly apigw.HttpRoute[]; throttle: { rateLimit: number; burstLimit: number } }>): void {
  const cfnStage = stage.node.defaultChild as apigw.CfnStage;
  // RouteSettings is a JSON map in CloudFormation: CDK would not rename the keys of its values, so they are written as CloudFormation spells them.
  const settings: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }> = {};
  for (const { routes, throttle } of groups) {
    for (const route of routes) {
      const cfnRoute = route.node.defaultChild as apigw.CfnRoute;
      settings[cfnRoute.routeKey] = { ThrottlingRateLimit: throttle.rateLimit, ThrottlingBurstLimit: throttle.burstLimit };
      cfnStage.addResourceDependency(cfnRoute);
    }
  }
  cfnStage.addPropertyOverride('RouteSettings', settings);
}
