import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { join } from 'node:path';
import { ENV } from '../../shared/wiring/aws.ts';
import { importSecret } from '../secret-reference.ts';
import type { AwsGrant, TableAccess } from '../stage-config.ts';
import type { WorkQueue } from './work-queue.ts';

export const REPO_ROOT = join(import.meta.dirname, '..', '..');

/** The item reads the state store makes (shared/adapters/aws/dynamodb-state-store.ts). */
const TABLE_READS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'] as const;
/** The item writes it makes (conditional puts and updates, deletes, batch writes of the embedding cache and resets). */
const TABLE_WRITES = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'] as const;
/** What an edge function writes: conditional puts (replay memory, a hint buffer's marker), batch puts of hinted ids, deletes. */
const ITEM_PUTS = ['dynamodb:PutItem', 'dynamodb:BatchWriteItem', 'dynamodb:DeleteItem'] as const;

export interface PipelineFunctionProps {
  /** Folder under functions/ holding `handler.ts`. */
  readonly entry: 'fetcher' | 'embedder' | 'webhook' | 'ingest' | 'watchdog' | 'admin' | 'notifier' | 'chatops';
  /** @default 30 seconds */
  readonly timeout?: Duration;
  /** @default 512 */
  readonly memorySize?: number;
  /** The validated Tributary config the function runs (no secrets in it: they are referenced by name). */
  readonly configJson: string;
  /** @default no cap */
  readonly reservedConcurrency?: number;
}

/**
 * A Lambda of the pipeline with the project's defaults: Node.js 22 on arm64, bundled by the
 * local esbuild (no Docker), X-Ray tracing, JSON logs kept for a month. Methods that wire it
 * to a resource set the environment variable and the IAM grant together.
 */
export class PipelineFunction extends Construct {
  readonly fn: NodejsFunction;

  constructor(scope: Construct, id: string, props: PipelineFunctionProps) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_MONTH });
    // Its own role, allowed to write to its own log group only (not the broad AWS-managed
    // AWSLambdaBasicExecutionRole, which may write to any log group).
    const role = new iam.Role(this, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    role.addToPolicy(new iam.PolicyStatement({
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [logGroup.logGroupArn, `${logGroup.logGroupArn}:log-stream:*`],
    }));
    this.fn = new NodejsFunction(this, 'Function', {
      role,
      entry: join(REPO_ROOT, 'functions', props.entry, 'handler.ts'),
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(30),
      tracing: lambda.Tracing.ACTIVE,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      ...(props.reservedConcurrency !== undefined ? { reservedConcurrentExecutions: props.reservedConcurrency } : {}),
      environment: {
        [ENV.config]: props.configJson,
        POWERTOOLS_SERVICE_NAME: 'tributary',
        POWERTOOLS_METRICS_NAMESPACE: 'Tributary',
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: {
        // Bundles are built by the esbuild in node_modules, never in Docker.
        format: OutputFormat.ESM,
        target: 'node22',
        sourceMap: true,
        forceDockerBundling: false,
        // Native or local-only modules the Lambda never loads (the local vector store, embedded
        // servers, the SQLite driver of the local-only sqlite source, imported only when one runs).
        externalModules: ['@aws-sdk/*', '@lancedb/lancedb', 'better-sqlite3', 'dynalite', 'fauxqs', 'fsevents'],
        // ESM bundles need a require() for the CommonJS dependencies they inline.
        banner: "import { createRequire as __tributaryCreateRequire } from 'module'; const require = __tributaryCreateRequire(import.meta.url);",
      },
    });
    this.acknowledgeFindings(logGroup);
  }

  /** cdk-nag findings accepted for every pipeline function, each with its reason. */
  private acknowledgeFindings(logGroup: logs.LogGroup): void {
    const logGroupId = Stack.of(this).getLogicalId(logGroup.node.defaultChild as logs.CfnLogGroup);
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'Pinned to nodejs22.x on purpose: the code and its tests target Node 20 and 22; upgrade deliberately, with tests.',
    });
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray tracing (xray:PutTraceSegments, xray:PutTelemetryRecords) has no resource-level permissions.',
    });
    Validations.of(this).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${logGroupId}.Arn>:log-stream:*]`,
      reason: "Log streams are created per container; the wildcard stays inside this function's own log group.",
    });
  }

  /**
   * Reads (and, with `write`, writes) only the state-table items under `partitionKeys`: a
   * `dynamodb:LeadingKeys` condition on every item action, so a function cannot reach another
   * source's items or the embedding cache unless it is given their keys. No Scan, no streams,
   * no table-level actions: a Scan names no partition key, and `ForAllValues` holds vacuously
   * for a request without keys, hence the `Null` guard.
   */
  useTable(table: dynamodb.Table, access: TableAccess): this {
    this.fn.addEnvironment(ENV.table, table.tableName);
    this.fn.addToRolePolicy(new iam.PolicyStatement({
      actions: access.putOnly === true ? [...ITEM_PUTS] : [...TABLE_READS, ...(access.write ? TABLE_WRITES : [])],
      resources: [table.tableArn],
      conditions: {
        // StringLike: a key is matched exactly unless it ends in `*` (a profile's generations, `…@g*`).
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...access.partitionKeys] },
        Null: { 'dynamodb:LeadingKeys': 'false' },
      },
    }));
    return this;
  }

  /** Consumes a work queue, with partial batch failures; may dead-letter tasks with their reason. */
  consume(work: WorkQueue, options: { batchSize: number; maxConcurrency?: number }): this {
    this.fn.addEventSource(new SqsEventSource(work.queue, {
      batchSize: options.batchSize,
      reportBatchItemFailures: true,
      ...(options.maxConcurrency !== undefined ? { maxConcurrency: options.maxConcurrency } : {}),
    }));
    work.deadLetterQueue.grantSendMessages(this.fn);
    return this;
  }

  /** Sends tasks to a work queue; sets its URL and its DLQ's (the DLQ grant comes with `consume`). */
  sendTo(work: WorkQueue, kind: 'fetch' | 'embed'): this {
    this.fn.addEnvironment(kind === 'fetch' ? ENV.fetchQueue : ENV.embedQueue, work.queue.queueUrl);
    this.fn.addEnvironment(kind === 'fetch' ? ENV.fetchDlq : ENV.embedDlq, work.deadLetterQueue.queueUrl);
    work.queue.grantSendMessages(this.fn);
    return this;
  }

  /** Names the queues without any grant (the adapter needs all four URLs to start). */
  knowQueues(fetch: WorkQueue, embed: WorkQueue): this {
    for (const [work, kind] of [[fetch, 'fetch'], [embed, 'embed']] as const) {
      this.fn.addEnvironment(kind === 'fetch' ? ENV.fetchQueue : ENV.embedQueue, work.queue.queueUrl);
      this.fn.addEnvironment(kind === 'fetch' ? ENV.fetchDlq : ENV.embedDlq, work.deadLetterQueue.queueUrl);
    }
    return this;
  }

  /**
   * Reads these secrets at cold start: `ids` maps the config's environment-variable names to
   * secret names or ARNs (see infra/secret-reference.ts). The ids travel by env var, the
   * values never do.
   */
  readSecrets(scope: Construct, ids: Readonly<Record<string, string>>): this {
    this.fn.addEnvironment(ENV.secretIds, JSON.stringify(ids));
    for (const [name, id] of Object.entries(ids)) importSecret(scope, `${this.node.id}Secret${name}`, id).grantRead(this.fn);
    return this;
  }

  /**
   * Allows what a source's definition asks for (shared/connectors/definition.ts `aws()`), one
   * statement per grant; a wildcard resource's AwsSolutions-IAM5 finding is acknowledged with
   * the reason the definition gives.
   */
  allow(grants: readonly AwsGrant[]): this {
    for (const grant of grants) {
      this.fn.addToRolePolicy(new iam.PolicyStatement({
        actions: [...grant.actions], resources: [...grant.resources],
        ...(grant.conditions ? { conditions: JSON.parse(JSON.stringify(grant.conditions)) as Record<string, unknown> } : {}),
      }));
      for (const resource of grant.resources.filter((r) => r.includes('*'))) {
        Validations.of(this).acknowledge({ id: `AwsSolutions-IAM5[Resource::${resource}]`, reason: grant.wildcardReason ?? '' });
      }
    }
    return this;
  }

  /** Puts events on the bus. */
  putEvents(bus: events.EventBus): this {
    this.fn.addEnvironment(ENV.bus, bus.eventBusName);
    bus.grantPutEventsTo(this.fn);
    return this;
  }

  errors(): import('aws-cdk-lib/aws-cloudwatch').IMetric {
    return this.fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' });
  }

  throttles(): import('aws-cdk-lib/aws-cloudwatch').IMetric {
    return this.fn.metricThrottles({ period: Duration.minutes(5), statistic: 'Sum' });
  }
}
