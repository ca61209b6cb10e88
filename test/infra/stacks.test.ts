import { App, Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, EXAMPLE_CONFIG, type BuiltApp } from '../../infra/build-app.ts';
import type { PipelineFunction } from '../../infra/constructs/pipeline-function.ts';
import { stageConfigFrom } from '../../infra/stage-config.ts';
import { EVENT_DETAIL_TYPE, EVENT_SOURCE } from '../../shared/adapters/aws/eventbridge-event-bus.ts';
import { parseConfig } from '../../shared/config/load.ts';
import { ConfigError } from '../../shared/core/errors.ts';
import { decodeFetchTask } from '../../shared/core/tasks.ts';
import { roleStatements } from '../support/cfn.ts';
import { isAllowed } from '../support/iam.ts';

/**
 * Template tests of both stacks, synthesized from the example deployment config. Bundling is
 * skipped (`aws:cdk:bundling-stacks: []`): the asset hash then comes from the construct path,
 * so no esbuild runs and the templates are otherwise exactly what `cdk synth` produces.
 */

/**
 * Logical IDs of everything that holds data. A changed ID makes CloudFormation replace the
 * resource — a new, empty table or queue, and the old one orphaned (Retain). These literals
 * were read once from the template; a refactor that changes them must fail here.
 */
const PINNED = {
  stack: 'Tributary-dev-State',
  table: 'StateTable9728C7E5',
  fetchQueue: 'FetchQueue2756B8DA',
  fetchDlq: 'FetchQueueDeadLetterQueueCE75F0F2',
  embedQueue: 'EmbedQueue473B1EBE',
  embedDlq: 'EmbedQueueDeadLetterQueue95AE42FD',
  bus: 'BusEA82B648',
} as const;

const FUNCTIONS = ['Fetcher', 'Embedder', 'Webhook', 'Watchdog', 'Admin'] as const;
type FunctionId = (typeof FUNCTIONS)[number];

const example = JSON.parse(readFileSync(EXAMPLE_CONFIG, 'utf8')) as {
  aws: { alarmEmail: string; secrets: Record<string, string> };
  sources: Array<{ id: string; schedule: string; freshnessSloMinutes: number }>;
};
/**
 * The secrets the example names, as Secrets Manager's ARNs of them would be: the example
 * names secrets by name, and a secret's ARN is its name, a hyphen and 6 random characters.
 */
const secretArnOf = (name: string): string => `arn:aws:secretsmanager:${RESOLVE.region}:${RESOLVE.account}:secret:${example.aws.secrets[name]!}-Xy12Ab`;
const RESOLVE = { region: 'eu-west-1', account: '123456789012' } as const;
const SECRET_ARN = {
  openai: secretArnOf('OPENAI_API_KEY'),
  pinecone: secretArnOf('PINECONE_API_KEY'),
  webhook: secretArnOf('HANDBOOK_WEBHOOK_SECRET'),
};

interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
}
interface CfnTemplate {
  readonly Resources: Record<string, CfnResource>;
  readonly Outputs?: Record<string, { Value: unknown; Export?: { Name: string } }>;
}
interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
}
/** One (action, resource) pair of a function role's policies; resource as `LogicalId.Attr`, or the literal string. */
interface Grant {
  readonly action: string;
  readonly resource: string;
}

let built: BuiltApp;
let state: Template;
let pipeline: Template;
let stateJson: CfnTemplate;
let pipelineJson: CfnTemplate;

beforeAll(() => {
  built = buildApp({ configPath: EXAMPLE_CONFIG, app: new App({ context: { 'aws:cdk:bundling-stacks': [] } }) });
  state = Template.fromStack(built.stateful);
  pipeline = Template.fromStack(built.pipeline);
  stateJson = state.toJSON() as CfnTemplate;
  pipelineJson = pipeline.toJSON() as CfnTemplate;
});

const props = (template: CfnTemplate, logicalId: string): Record<string, unknown> => {
  const resource = template.Resources[logicalId];
  if (!resource) throw new Error(`no resource ${logicalId}`);
  return resource.Properties ?? {};
};

const ofType = (template: CfnTemplate, type: string): Array<[string, CfnResource]> =>
  Object.entries(template.Resources).filter(([, r]) => r.Type === type);

/**
 * What a template value points at, as `LogicalId.Attr` (`LogicalId.Ref` for a Ref), following
 * cross-stack imports into the stateful stack's exports. Literal strings come back as they are.
 */
function target(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, unknown>;
  if (typeof v['Ref'] === 'string') return `${v['Ref']}.Ref`;
  const getAtt = v['Fn::GetAtt'];
  if (Array.isArray(getAtt)) return `${String(getAtt[0])}.${String(getAtt[1])}`;
  const imported = v['Fn::ImportValue'];
  if (typeof imported === 'string') {
    const output = Object.values(stateJson.Outputs ?? {}).find((o) => o.Export?.Name === imported);
    if (!output) throw new Error(`no export ${imported} in the stateful stack`);
    return target(output.Value);
  }
  return JSON.stringify(value);
}

const logicalIdOf = (element: CfnElement): string => Stack.of(element).resolve(element.logicalId) as string;

function fn(id: FunctionId): PipelineFunction {
  return built.pipeline.node.findChild(id) as PipelineFunction;
}

const fnLogicalId = (id: FunctionId): string => logicalIdOf(fn(id).fn.node.defaultChild as CfnElement);

/** Every (action, resource) pair the function's role allows, from its inline and attached policies. */
function grantsOf(id: FunctionId): Grant[] {
  const roleId = target(props(pipelineJson, fnLogicalId(id))['Role']).replace(/\.Arn$/, '');
  const role = props(pipelineJson, roleId);
  const documents: unknown[] = [
    ...((role['Policies'] as Array<{ PolicyDocument: unknown }> | undefined) ?? []).map((p) => p.PolicyDocument),
    ...ofType(pipelineJson, 'AWS::IAM::Policy')
      .filter(([, p]) => ((p.Properties?.['Roles'] as unknown[] | undefined) ?? []).some((r) => target(r) === `${roleId}.Ref`))
      .map(([, p]) => p.Properties?.['PolicyDocument']),
  ];
  const grants: Grant[] = [];
  for (const doc of documents) {
    for (const s of (doc as { Statement: Statement[] }).Statement) {
      expect(s.Effect).toBe('Allow');
      const actions = Array.isArray(s.Action) ? s.Action : [s.Action];
      const resources = Array.isArray(s.Resource) ? s.Resource : [s.Resource];
      for (const action of actions) for (const resource of resources) grants.push({ action, resource: target(resource) });
    }
  }
  return grants;
}

/** Whether the function's role lets it read the secret with this ARN, as IAM evaluates it. */
const readsSecret = (id: FunctionId, secretArn: string): boolean =>
  isAllowed(roleStatements(pipelineJson, fnLogicalId(id), { ...RESOLVE, imports: [stateJson] }), 'secretsmanager:GetSecretValue', secretArn);

const resourcesFor = (grants: readonly Grant[], action: string): string[] =>
  [...new Set(grants.filter((g) => g.action === action).map((g) => g.resource))].sort();
const actionsOf = (grants: readonly Grant[], service: string): string[] =>
  [...new Set(grants.filter((g) => g.action.startsWith(`${service}:`)).map((g) => g.action))].sort();

const arn = (logicalId: string): string => `${logicalId}.Arn`;
const CONSUME = ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility'] as const;
const DDB_WRITES = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'] as const;
const DDB_READ_ONLY = new Set([
  'dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan', 'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator',
]);

function envOf(id: FunctionId): Record<string, unknown> {
  return ((props(pipelineJson, fnLogicalId(id))['Environment'] as { Variables: Record<string, unknown> }).Variables);
}

describe('stateful stack', () => {
  it('keeps its name and the pinned logical IDs of everything that holds data', () => {
    expect(built.stateful.stackName).toBe(PINNED.stack);
    expect(logicalIdOf(built.stateful.table.node.defaultChild as CfnElement)).toBe(PINNED.table);
    expect(logicalIdOf(built.stateful.fetchQueue.queue.node.defaultChild as CfnElement)).toBe(PINNED.fetchQueue);
    expect(logicalIdOf(built.stateful.fetchQueue.deadLetterQueue.node.defaultChild as CfnElement)).toBe(PINNED.fetchDlq);
    expect(logicalIdOf(built.stateful.embedQueue.queue.node.defaultChild as CfnElement)).toBe(PINNED.embedQueue);
    expect(logicalIdOf(built.stateful.embedQueue.deadLetterQueue.node.defaultChild as CfnElement)).toBe(PINNED.embedDlq);
    expect(logicalIdOf(built.stateful.bus.node.defaultChild as CfnElement)).toBe(PINNED.bus);
    expect(Object.keys(state.findResources('AWS::DynamoDB::Table'))).toEqual([PINNED.table]);
    expect(Object.keys(state.findResources('AWS::SQS::Queue')).sort())
      .toEqual([PINNED.embedDlq, PINNED.embedQueue, PINNED.fetchDlq, PINNED.fetchQueue].sort());
    expect(Object.keys(state.findResources('AWS::Events::EventBus'))).toEqual([PINNED.bus]);
    // Nothing stateful lives in the pipeline stack (it can be destroyed and redeployed freely).
    for (const type of ['AWS::DynamoDB::Table', 'AWS::SQS::Queue', 'AWS::Events::EventBus']) pipeline.resourceCountIs(type, 0);
  });

  it('has the state table: pk/sk, on demand, PITR, TTL on expiresAt, retained', () => {
    state.resourceCountIs('AWS::DynamoDB::Table', 1);
    state.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        SSESpecification: { SSEEnabled: true },
      },
    });
  });

  it('has four FIFO queues, retained and encrypted; the two work queues redrive to the two DLQs', () => {
    const queues = ofType(stateJson, 'AWS::SQS::Queue');
    expect(queues).toHaveLength(4);
    for (const [, q] of queues) {
      expect(q.Properties?.['FifoQueue']).toBe(true);
      expect(q.Properties?.['SqsManagedSseEnabled']).toBe(true);
      expect(q.DeletionPolicy).toBe('Retain');
    }
    const redrive = (id: string) => props(stateJson, id)['RedrivePolicy'] as { deadLetterTargetArn: unknown; maxReceiveCount: number } | undefined;
    expect(target(redrive(PINNED.fetchQueue)?.deadLetterTargetArn)).toBe(arn(PINNED.fetchDlq));
    expect(target(redrive(PINNED.embedQueue)?.deadLetterTargetArn)).toBe(arn(PINNED.embedDlq));
    expect(redrive(PINNED.fetchDlq)).toBeUndefined();
    expect(redrive(PINNED.embedDlq)).toBeUndefined();
    // Schedules and rules send without a deduplication id: content-based deduplication is required.
    expect(props(stateJson, PINNED.fetchQueue)['ContentBasedDeduplication']).toBe(true);
    for (const id of [PINNED.fetchDlq, PINNED.embedDlq]) expect(props(stateJson, id)['MessageRetentionPeriod']).toBe(14 * 86_400);
  });

  it('sets each work queue\'s visibility timeout to at least 6× its consumer\'s timeout', () => {
    const mappings = ofType(pipelineJson, 'AWS::Lambda::EventSourceMapping');
    expect(mappings).toHaveLength(2);
    const checked: string[] = [];
    for (const [, m] of mappings) {
      const queueId = target(m.Properties?.['EventSourceArn']).replace(/\.Arn$/, '');
      const functionId = target(m.Properties?.['FunctionName']).replace(/\.Ref$/, '');
      const visibility = props(stateJson, queueId)['VisibilityTimeout'] as number;
      const timeout = props(pipelineJson, functionId)['Timeout'] as number;
      expect(visibility, `${queueId} consumed by ${functionId}`).toBeGreaterThanOrEqual(6 * timeout);
      checked.push(queueId);
    }
    expect(checked.sort()).toEqual([PINNED.embedQueue, PINNED.fetchQueue].sort());
  });

  it('has the bus and one rule per source forwarding its hints to the fetch queue in the source\'s group', () => {
    state.resourceCountIs('AWS::Events::EventBus', 1);
    const rules = ofType(stateJson, 'AWS::Events::Rule');
    expect(rules).toHaveLength(example.sources.length);
    for (const source of example.sources) {
      const [, rule] = rules.find(([, r]) => JSON.stringify(r.Properties?.['EventPattern']).includes(`"sourceId":["${source.id}"]`)) ?? [];
      expect(rule, `rule for ${source.id}`).toBeDefined();
      expect(target(rule!.Properties?.['EventBusName'])).toBe(`${PINNED.bus}.Ref`);
      expect(rule!.Properties?.['EventPattern']).toEqual({
        source: [EVENT_SOURCE], 'detail-type': [EVENT_DETAIL_TYPE], detail: { sourceId: [source.id] },
      });
      const targets = rule!.Properties?.['Targets'] as Array<Record<string, unknown>>;
      expect(targets).toHaveLength(1);
      expect(target(targets[0]!['Arn'])).toBe(arn(PINNED.fetchQueue));
      expect(targets[0]!['SqsParameters']).toEqual({ MessageGroupId: source.id });
      expect(targets[0]!['InputPath']).toBe('$.detail');
    }
  });

  it('lets only the hint rules (and nobody else outside IAM) send to the fetch queue, and only over TLS', () => {
    const policies = ofType(stateJson, 'AWS::SQS::QueuePolicy');
    expect(policies).toHaveLength(4);
    for (const [, p] of policies) {
      const statements = (p.Properties?.['PolicyDocument'] as { Statement: Array<Record<string, unknown>> }).Statement;
      expect(statements).toContainEqual(expect.objectContaining({
        Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }));
      for (const s of statements.filter((x) => x['Effect'] === 'Allow')) {
        expect(s['Principal']).toEqual({ Service: 'events.amazonaws.com' });
        expect(target(s['Resource'])).toBe(arn(PINNED.fetchQueue));
        const source = (s['Condition'] as { ArnEquals: { 'aws:SourceArn': unknown } }).ArnEquals['aws:SourceArn'];
        expect(target(source)).toMatch(/^Hints.*\.Arn$/);
      }
    }
  });
});

describe('pipeline stack: functions', () => {
  it('has the five functions on nodejs22.x, arm64, with active tracing and JSON logs', () => {
    const functions = ofType(pipelineJson, 'AWS::Lambda::Function');
    expect(functions).toHaveLength(5);
    for (const id of FUNCTIONS) {
      const p = props(pipelineJson, fnLogicalId(id));
      expect(p['Runtime'], id).toBe('nodejs22.x');
      expect(p['Architectures'], id).toEqual(['arm64']);
      expect(p['TracingConfig'], id).toEqual({ Mode: 'Active' });
      expect(p['Handler'], id).toBe('index.handler');
      expect((p['LoggingConfig'] as { LogFormat: string }).LogFormat, id).toBe('JSON');
    }
    expect(props(pipelineJson, fnLogicalId('Fetcher'))['Timeout']).toBe(built.stage.fetcherTimeout.toSeconds());
  });

  it('maps the fetch queue to the fetcher one task at a time and the embed queue in batches from the config', () => {
    const mappingOf = (id: FunctionId) => {
      const found = ofType(pipelineJson, 'AWS::Lambda::EventSourceMapping')
        .filter(([, m]) => target(m.Properties?.['FunctionName']) === `${fnLogicalId(id)}.Ref`);
      expect(found, id).toHaveLength(1);
      return found[0]![1].Properties ?? {};
    };
    const fetcher = mappingOf('Fetcher');
    expect(target(fetcher['EventSourceArn'])).toBe(arn(PINNED.fetchQueue));
    expect(fetcher['BatchSize']).toBe(1);
    expect(fetcher['FunctionResponseTypes']).toEqual(['ReportBatchItemFailures']);
    const embedder = mappingOf('Embedder');
    expect(target(embedder['EventSourceArn'])).toBe(arn(PINNED.embedQueue));
    expect(embedder['BatchSize']).toBe(built.stage.embedderBatchSize);
    expect(embedder['FunctionResponseTypes']).toEqual(['ReportBatchItemFailures']);
    expect(embedder['ScalingConfig']).toEqual({ MaximumConcurrency: built.stage.embedderMaxConcurrency });
  });

  it('has one Scheduler schedule per source sending a fetch task to the fetch queue in the source\'s group', () => {
    const schedules = ofType(pipelineJson, 'AWS::Scheduler::Schedule');
    expect(schedules).toHaveLength(example.sources.length);
    for (const source of example.sources) {
      const [, schedule] = schedules.find(([, s]) => (s.Properties?.['Target'] as { SqsParameters: { MessageGroupId: string } }).SqsParameters.MessageGroupId === source.id) ?? [];
      expect(schedule, `schedule of ${source.id}`).toBeDefined();
      expect(schedule!.Properties?.['ScheduleExpression']).toBe(source.schedule);
      const t = schedule!.Properties?.['Target'] as { Arn: unknown; Input: string; RoleArn: unknown };
      expect(target(t.Arn)).toBe(arn(PINNED.fetchQueue));
      expect(t.Input).toContain('<aws.scheduler.scheduled-time>');
      // What the fetcher will receive once Scheduler fills in the time: a valid fetch task.
      const task = decodeFetchTask(t.Input.replace('<aws.scheduler.scheduled-time>', '2026-01-01T00:15:00Z'));
      expect(task).toMatchObject({ type: 'fetch', sourceId: source.id, trigger: 'schedule' });
    }
    // The schedules' role can send to the fetch queue and nothing else.
    const roles = new Set(schedules.map(([, s]) => target((s.Properties?.['Target'] as { RoleArn: unknown }).RoleArn).replace(/\.Arn$/, '')));
    expect(roles.size).toBe(1);
    const [roleId] = [...roles];
    const statements = ofType(pipelineJson, 'AWS::IAM::Policy')
      .filter(([, p]) => ((p.Properties?.['Roles'] as unknown[]) ?? []).some((r) => target(r) === `${roleId}.Ref`))
      .flatMap(([, p]) => (p.Properties?.['PolicyDocument'] as { Statement: Statement[] }).Statement);
    expect(statements).toEqual([expect.objectContaining({ Action: 'sqs:SendMessage' })]);
    expect(target(statements[0]!.Resource)).toBe(arn(PINNED.fetchQueue));
  });

  it('runs the watchdog every 5 minutes', () => {
    pipeline.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [fnLogicalId('Watchdog'), 'Arn'] } })],
    });
  });

  it('puts no secret in an env var: only Secrets Manager ids as the config names them, and only in TRIBUTARY_SECRET_IDS', () => {
    const secretEnvNames = ['OPENAI_API_KEY', 'PINECONE_API_KEY', 'HANDBOOK_WEBHOOK_SECRET'];
    for (const id of FUNCTIONS) {
      const env = envOf(id);
      for (const name of secretEnvNames) expect(env, `${id} ${name}`).not.toHaveProperty(name);
      for (const [name, value] of Object.entries(env)) {
        if (name === 'TRIBUTARY_SECRET_IDS') continue;
        expect(JSON.stringify(value), `${id} ${name}`).not.toMatch(/secretsmanager|arn:aws/);
      }
      // The functions run the config without its deployment section (which lists the ARNs).
      const config = JSON.parse(env['TRIBUTARY_CONFIG'] as string) as Record<string, unknown>;
      expect(config, id).not.toHaveProperty('aws');
      const ids = env['TRIBUTARY_SECRET_IDS'];
      if (ids === undefined) continue;
      for (const [name, value] of Object.entries(JSON.parse(ids as string) as Record<string, string>)) {
        expect(value, `${id} ${name}`).toBe(example.aws.secrets[name]);
      }
    }
    const secretsOf = (id: FunctionId) => Object.keys(JSON.parse((envOf(id)['TRIBUTARY_SECRET_IDS'] as string | undefined) ?? '{}') as object).sort();
    // The fetcher writes no vectors: no Pinecone key (its folders need no secret).
    expect(secretsOf('Fetcher')).toEqual(['OPENAI_API_KEY']);
    expect(secretsOf('Embedder')).toEqual(['OPENAI_API_KEY', 'PINECONE_API_KEY']);
    expect(secretsOf('Admin')).toEqual(['OPENAI_API_KEY', 'PINECONE_API_KEY']);
    expect(secretsOf('Webhook')).toEqual(['HANDBOOK_WEBHOOK_SECRET']);
    expect(secretsOf('Watchdog')).toEqual([]);
  });

  it('gives each function the env vars of the resources it uses, and no others', () => {
    const tributaryVars = (id: FunctionId) => Object.keys(envOf(id)).filter((k) => k.startsWith('TRIBUTARY_')).sort();
    const queues = ['TRIBUTARY_EMBED_DLQ_URL', 'TRIBUTARY_EMBED_QUEUE_URL', 'TRIBUTARY_FETCH_DLQ_URL', 'TRIBUTARY_FETCH_QUEUE_URL'];
    const full = ['TRIBUTARY_CONFIG', ...queues, 'TRIBUTARY_SECRET_IDS', 'TRIBUTARY_TABLE'].sort();
    expect(tributaryVars('Fetcher')).toEqual(full);
    expect(tributaryVars('Embedder')).toEqual(full);
    expect(tributaryVars('Admin')).toEqual(full);
    expect(tributaryVars('Webhook')).toEqual(['TRIBUTARY_CONFIG', 'TRIBUTARY_EVENT_BUS', 'TRIBUTARY_SECRET_IDS', 'TRIBUTARY_TABLE']);
    expect(tributaryVars('Watchdog')).toEqual(['TRIBUTARY_CONFIG', 'TRIBUTARY_TABLE']);
    expect(target(envOf('Fetcher')['TRIBUTARY_TABLE'])).toBe(`${PINNED.table}.Ref`);
    expect(target(envOf('Fetcher')['TRIBUTARY_FETCH_QUEUE_URL'])).toBe(`${PINNED.fetchQueue}.Ref`);
    expect(target(envOf('Fetcher')['TRIBUTARY_EMBED_DLQ_URL'])).toBe(`${PINNED.embedDlq}.Ref`);
    expect(target(envOf('Webhook')['TRIBUTARY_EVENT_BUS'])).toBe(`${PINNED.bus}.Ref`);
    for (const id of FUNCTIONS) expect(envOf(id)['POWERTOOLS_METRICS_NAMESPACE'], id).toBe('Tributary');
  });
});

describe('pipeline stack: least privilege', () => {
  const table = arn(PINNED.table);

  it('uses its own roles without managed policies, each writing only to its own log group', () => {
    for (const id of FUNCTIONS) {
      const roleId = target(props(pipelineJson, fnLogicalId(id))['Role']).replace(/\.Arn$/, '');
      expect(props(pipelineJson, roleId)['ManagedPolicyArns'], id).toBeUndefined();
      const logGroup = target((props(pipelineJson, fnLogicalId(id))['LoggingConfig'] as { LogGroup: unknown }).LogGroup).replace(/\.Ref$/, '');
      const logResources = grantsOf(id).filter((g) => g.action.startsWith('logs:')).map((g) => g.resource);
      expect(logResources.length, id).toBeGreaterThan(0);
      for (const r of logResources) expect(r, id).toContain(logGroup);
    }
  });

  it('never grants a DynamoDB or SQS action on "*", nor any wildcard action', () => {
    for (const id of FUNCTIONS) {
      for (const g of grantsOf(id)) {
        expect(g.action, id).not.toMatch(/\*/);
        if (/^(dynamodb|sqs):/.test(g.action)) expect(g.resource, `${id} ${g.action}`).not.toBe('*');
      }
      // The only "*" resources are X-Ray's, which has no resource-level permissions.
      for (const g of grantsOf(id).filter((x) => x.resource === '*')) expect(g.action, id).toMatch(/^xray:/);
    }
  });

  it('fetcher: reads and writes the table; consumes the fetch queue only; sends to the fetch and embed queues and its DLQ', () => {
    const grants = grantsOf('Fetcher');
    for (const a of actionsOf(grants, 'dynamodb')) expect(resourcesFor(grants, a), a).toEqual([table]);
    for (const a of DDB_WRITES) expect(resourcesFor(grants, a), a).toEqual([table]);
    for (const a of CONSUME) expect(resourcesFor(grants, a), a).toEqual([arn(PINNED.fetchQueue)]);
    // It dead-letters fetch tasks only, so it needs no grant on the embed DLQ.
    expect(resourcesFor(grants, 'sqs:SendMessage')).toEqual([arn(PINNED.embedQueue), arn(PINNED.fetchQueue), arn(PINNED.fetchDlq)].sort());
  });

  it('embedder: reads and writes the table; consumes the embed queue; sends only to the embed DLQ, never the fetch queue', () => {
    const grants = grantsOf('Embedder');
    for (const a of actionsOf(grants, 'dynamodb')) expect(resourcesFor(grants, a), a).toEqual([table]);
    for (const a of DDB_WRITES) expect(resourcesFor(grants, a), a).toEqual([table]);
    for (const a of CONSUME) expect(resourcesFor(grants, a), a).toEqual([arn(PINNED.embedQueue)]);
    expect(resourcesFor(grants, 'sqs:SendMessage')).toEqual([arn(PINNED.embedDlq)]);
    const everything = grants.map((g) => g.resource);
    expect(everything).not.toContain(arn(PINNED.fetchQueue));
    expect(everything).not.toContain(arn(PINNED.fetchDlq));
  });

  it('webhook: only puts and deletes (replay memory, hint buffer) in DynamoDB; no SQS; PutEvents on the bus; only the webhook secret', () => {
    const grants = grantsOf('Webhook');
    expect(actionsOf(grants, 'dynamodb').sort()).toEqual(['dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem']);
    for (const a of actionsOf(grants, 'dynamodb')) expect(resourcesFor(grants, a), a).toEqual([table]);
    expect(actionsOf(grants, 'sqs')).toEqual([]);
    expect(actionsOf(grants, 'events')).toEqual(['events:PutEvents']);
    expect(resourcesFor(grants, 'events:PutEvents')).toEqual([arn(PINNED.bus)]);
    expect(resourcesFor(grants, 'secretsmanager:GetSecretValue')).toHaveLength(1);
    expect(readsSecret('Webhook', SECRET_ARN.webhook)).toBe(true);
    expect(readsSecret('Webhook', SECRET_ARN.openai)).toBe(false);
    expect(readsSecret('Webhook', SECRET_ARN.pinecone)).toBe(false);
  });

  it('watchdog: DynamoDB read-only actions on the table; no SQS, no events, no secrets', () => {
    const grants = grantsOf('Watchdog');
    const dynamo = actionsOf(grants, 'dynamodb');
    expect(dynamo).toContain('dynamodb:GetItem');
    for (const a of dynamo) {
      expect(DDB_READ_ONLY.has(a), a).toBe(true);
      expect(resourcesFor(grants, a), a).toEqual([table]);
    }
    expect(actionsOf(grants, 'sqs')).toEqual([]);
    expect(actionsOf(grants, 'events')).toEqual([]);
    expect(actionsOf(grants, 'secretsmanager')).toEqual([]);
  });

  it('admin: reads and writes the table; sends to the fetch queue only; consumes nothing', () => {
    const grants = grantsOf('Admin');
    for (const a of actionsOf(grants, 'dynamodb')) expect(resourcesFor(grants, a), a).toEqual([table]);
    for (const a of DDB_WRITES) expect(resourcesFor(grants, a), a).toEqual([table]);
    expect(resourcesFor(grants, 'sqs:SendMessage')).toEqual([arn(PINNED.fetchQueue)]);
    for (const a of CONSUME) expect(resourcesFor(grants, a), a).toEqual([]);
    expect(actionsOf(grants, 'events')).toEqual([]);
  });

  it('grants the embedding key to fetcher, embedder and admin, the Pinecone key to embedder and admin, and no webhook secret to them', () => {
    for (const id of ['Fetcher', 'Embedder', 'Admin'] as const) {
      const writesVectors = id !== 'Fetcher';
      expect(resourcesFor(grantsOf(id), 'secretsmanager:GetSecretValue'), id).toHaveLength(writesVectors ? 2 : 1);
      expect(readsSecret(id, SECRET_ARN.openai), id).toBe(true);
      expect(readsSecret(id, SECRET_ARN.pinecone), id).toBe(writesVectors);
      expect(readsSecret(id, SECRET_ARN.webhook), id).toBe(false);
    }
  });
});

describe('pipeline stack: HTTP API', () => {
  it('has one HTTP API with a throttled, access-logged default stage', () => {
    pipeline.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    pipeline.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
    pipeline.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default', AutoDeploy: true,
      AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }),
      // The strictest throttle for any route without its own (test/infra/api-limits.test.ts checks each route's).
      DefaultRouteSettings: { ThrottlingBurstLimit: built.stage.throttle.admin.burstLimit, ThrottlingRateLimit: built.stage.throttle.admin.rateLimit },
    });
  });

  it('routes POST /webhooks/{sourceId} to the webhook without an authorizer and the six /admin routes to admin with IAM', () => {
    const routes = ofType(pipelineJson, 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties ?? {});
    const integrationFn = (route: Record<string, unknown>): string => {
      const join = (route['Target'] as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
      const integrationId = target(join[1]).replace(/\.Ref$/, '');
      return target(props(pipelineJson, integrationId)['IntegrationUri']).replace(/\.Arn$/, '');
    };
    expect(routes.map((r) => r['RouteKey']).sort()).toEqual([
      'GET /admin/search', 'GET /admin/sources', 'GET /admin/sources/{sourceId}/runs',
      'POST /admin/sources/{sourceId}/reset', 'POST /admin/sources/{sourceId}/resync', 'POST /admin/sources/{sourceId}/sync',
      'POST /webhooks/{sourceId}',
    ]);
    for (const route of routes) {
      if (route['RouteKey'] === 'POST /webhooks/{sourceId}') {
        expect(route['AuthorizationType']).toBe('NONE');
        expect(route['AuthorizerId']).toBeUndefined();
        expect(integrationFn(route)).toBe(fnLogicalId('Webhook'));
      } else {
        expect(route['AuthorizationType'], String(route['RouteKey'])).toBe('AWS_IAM');
        expect(integrationFn(route), String(route['RouteKey'])).toBe(fnLogicalId('Admin'));
      }
    }
    for (const [, integration] of ofType(pipelineJson, 'AWS::ApiGatewayV2::Integration')) {
      expect(integration.Properties?.['PayloadFormatVersion']).toBe('2.0');
    }
  });
});

describe('pipeline stack: alarms, topic and dashboard', () => {
  type Alarm = Record<string, unknown>;
  const alarms = (): Array<[string, Alarm]> => ofType(pipelineJson, 'AWS::CloudWatch::Alarm').map(([id, a]) => [id, a.Properties ?? {}]);
  const topicId = (): string => Object.keys(pipeline.findResources('AWS::SNS::Topic'))[0]!;
  const dimension = (a: Alarm, name: string): unknown => (a['Dimensions'] as Array<{ Name: string; Value: unknown }>).find((d) => d.Name === name)?.Value;

  it('has the alarm topic with the configured e-mail subscription', () => {
    pipeline.resourceCountIs('AWS::SNS::Topic', 1);
    pipeline.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email', Endpoint: example.aws.alarmEmail, TopicArn: { Ref: topicId() },
    });
  });

  it('has one freshness alarm per source at its SLO, breaching when the watchdog goes quiet', () => {
    const freshness = alarms().filter(([, a]) => a['MetricName'] === 'FreshnessLagSeconds');
    expect(freshness).toHaveLength(example.sources.length);
    for (const source of example.sources) {
      const [, a] = freshness.find(([, x]) => dimension(x, 'SourceId') === source.id) ?? [];
      expect(a, source.id).toBeDefined();
      expect(a).toMatchObject({
        Namespace: 'Tributary', Threshold: source.freshnessSloMinutes * 60, TreatMissingData: 'breaching',
        ComparisonOperator: 'GreaterThanThreshold', Statistic: 'Maximum',
      });
      // The exact dimension set the watchdog publishes (SourceId plus Powertools' service).
      expect(a!['Dimensions']).toEqual([{ Name: 'SourceId', Value: source.id }, { Name: 'service', Value: 'tributary' }]);
    }
  });

  it('alarms on any dead letter in either DLQ and on the age of either work queue', () => {
    const sqs = alarms().filter(([, a]) => a['Namespace'] === 'AWS/SQS');
    const queueOf = (a: Alarm): string => target(dimension(a, 'QueueName')).replace(/\.QueueName$/, '');
    const dlq = sqs.filter(([, a]) => a['MetricName'] === 'ApproximateNumberOfMessagesVisible');
    expect(dlq.map(([, a]) => queueOf(a)).sort()).toEqual([PINNED.embedDlq, PINNED.fetchDlq].sort());
    for (const [id, a] of dlq) expect(a, id).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    const age = sqs.filter(([, a]) => a['MetricName'] === 'ApproximateAgeOfOldestMessage');
    expect(age.map(([, a]) => queueOf(a)).sort()).toEqual([PINNED.embedQueue, PINNED.fetchQueue].sort());
    for (const [id, a] of age) expect(a, id).toMatchObject({ Threshold: built.stage.queueAgeAlarmMinutes * 60, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    expect(sqs).toHaveLength(4);
  });

  it('alarms on errors and throttles of every function', () => {
    const lambda = alarms().filter(([, a]) => a['Namespace'] === 'AWS/Lambda');
    for (const id of FUNCTIONS) {
      for (const metric of ['Errors', 'Throttles']) {
        const found = lambda.filter(([, a]) => a['MetricName'] === metric && target(dimension(a, 'FunctionName')) === `${fnLogicalId(id)}.Ref`);
        expect(found, `${id} ${metric}`).toHaveLength(1);
        expect(found[0]![1]).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
      }
    }
    expect(lambda).toHaveLength(2 * FUNCTIONS.length);
    expect(alarms()).toHaveLength(example.sources.length + 4 + 2 * FUNCTIONS.length);
  });

  it('notifies the topic from every alarm', () => {
    for (const [id, a] of alarms()) expect(a['AlarmActions'], id).toEqual([{ Ref: topicId() }]);
  });

  it('has the dashboard with freshness per source', () => {
    pipeline.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const body = JSON.stringify(Object.values(pipeline.findResources('AWS::CloudWatch::Dashboard'))[0]);
    for (const source of example.sources) expect(body).toContain(`\\"FreshnessLagSeconds\\",\\"SourceId\\",\\"${source.id}\\"`);
    for (const title of ['Freshness lag (s) per source', 'Queue age (s)', 'Dead letters', 'Lambda errors']) expect(body).toContain(title);
  });
});

describe('cdk-nag (AwsSolutions)', () => {
  it('reports no unacknowledged finding, and synthesis (which runs it as a validation plugin) succeeds', () => {
    const report = new AwsSolutionsChecks().validateScope(built.app);
    expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
    expect(report.success).toBe(true);
    // The plugin registered by buildApp runs at synth and throws ValidationFailed on an error.
    const assembly = built.app.synth();
    const validation = JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8')) as { pluginReports: Array<{ conclusion: string }> };
    expect(validation.pluginReports.filter((r) => r.conclusion !== 'success')).toEqual([]);
  });

  it('acknowledges only real findings, each with a reason', () => {
    const acknowledged: Array<{ path: string; id: string; reason: string }> = [];
    for (const construct of built.app.node.findAll()) {
      for (const entry of construct.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
          acknowledged.push({ path: construct.node.path, id: id.replace(/^annotation::/i, ''), reason });
        }
      }
    }
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const a of acknowledged) {
      expect(a.id, a.path).toMatch(/^AwsSolutions-/);
      expect(a.reason.trim().length, `${a.path} ${a.id}`).toBeGreaterThan(20);
    }
    // Everything cdk-nag finds with acknowledgements ignored: each acknowledgement must match one
    // (no stale suppressions), and each finding must be acknowledged (the report above is empty).
    const raw = new AwsSolutionsChecks();
    Object.defineProperty(raw, 'isAcknowledged', { value: () => false });
    const findings = raw.validateScope(built.app).violations.flatMap((v) => v.violatingResources.map((r) => ({ id: v.ruleName, path: r.constructPath ?? '' })));
    for (const a of acknowledged) {
      expect(findings.some((f) => f.id === a.id && (f.path === a.path || f.path.startsWith(`${a.path}/`))), `${a.path} ${a.id} matches a finding`).toBe(true);
    }
    for (const f of findings) {
      expect(acknowledged.some((a) => a.id === f.id && (f.path === a.path || f.path.startsWith(`${a.path}/`))), `${f.path} ${f.id} is acknowledged`).toBe(true);
    }
  });
});

describe('stage config errors', () => {
  const base = () => JSON.parse(readFileSync(EXAMPLE_CONFIG, 'utf8')) as Record<string, unknown> & { aws: { secrets: Record<string, string> } };
  const errorOf = (raw: unknown): string => {
    try {
      stageConfigFrom(parseConfig(raw));
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as Error).message;
    }
    throw new Error('expected a ConfigError');
  };

  it('accepts the example config', () => {
    const stage = stageConfigFrom(parseConfig(base()));
    expect(stage.sources.map((s) => s.id)).toEqual(example.sources.map((s) => s.id));
    expect(stage.secretsFor('watchdog')).toEqual({});
  });

  it('rejects the local embedder, naming the key and the fix', () => {
    const message = errorOf({ ...base(), embedder: { kind: 'local' } });
    expect(message).toContain('embedder.kind');
    expect(message).toContain('"openai"');
  });

  it('rejects LanceDB, naming the key and the fix', () => {
    const message = errorOf({ ...base(), vectorStore: { kind: 'lancedb' } });
    expect(message).toContain('vectorStore.kind');
    expect(message).toContain('"pinecone"');
  });

  it('rejects a secret missing from aws.secrets, naming the env var, the key that names it and the fix', () => {
    const noPinecone = base();
    delete noPinecone.aws.secrets['PINECONE_API_KEY'];
    const message = errorOf(noPinecone);
    expect(message).toContain('PINECONE_API_KEY');
    expect(message).toContain('vectorStore.apiKeyEnv');
    expect(message).toContain('aws.secrets');
    expect(message).toContain('"PINECONE_API_KEY": "<its Secrets Manager name, e.g. tributary/pinecone-api-key, or its ARN>"');

    const noWebhook = base();
    delete noWebhook.aws.secrets['HANDBOOK_WEBHOOK_SECRET'];
    const webhookMessage = errorOf(noWebhook);
    expect(webhookMessage).toContain('HANDBOOK_WEBHOOK_SECRET');
    expect(webhookMessage).toContain('sources[0].webhook.secretEnv');
  });

  describe('through buildApp (what `cdk synth` runs)', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'tributary-infra-'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('fails before creating any stack', () => {
      const path = join(dir, 'tributary.config.json');
      writeFileSync(path, JSON.stringify({ ...base(), embedder: { kind: 'local' } }));
      const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
      expect(() => buildApp({ configPath: path, app })).toThrow(/embedder\.kind/);
      expect(app.node.children).toHaveLength(0);
    });
  });
});

describe('push sources: the ingest function', () => {
  const PUSH_SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:tributary/notes-push-AbC123';
  let dir: string;
  let pushApp: BuiltApp;
  let json: CfnTemplate;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tributary-infra-push-'));
    const config = JSON.parse(readFileSync(EXAMPLE_CONFIG, 'utf8')) as { aws: { secrets: Record<string, string> }; sources: unknown[] };
    config.aws.secrets['NOTES_PUSH_SECRET'] = PUSH_SECRET_ARN;
    config.sources.push({ id: 'notes', kind: 'push', webhook: { secretEnv: 'NOTES_PUSH_SECRET' } });
    const path = join(dir, 'tributary.config.json');
    writeFileSync(path, JSON.stringify(config));
    pushApp = buildApp({ configPath: path, app: new App({ context: { 'aws:cdk:bundling-stacks': [] } }) });
    json = Template.fromStack(pushApp.pipeline).toJSON() as CfnTemplate;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const ingestId = (): string => {
    const ingest = pushApp.pipeline.node.tryFindChild('Ingest') as PipelineFunction | undefined;
    expect(ingest, 'an Ingest function').toBeDefined();
    return logicalIdOf(ingest!.fn.node.defaultChild as CfnElement);
  };
  /** (action, resource) pairs of the ingest role, resources as `LogicalId.Attr` or literal. */
  const ingestGrants = (): Grant[] => {
    const roleId = target(props(json, ingestId())['Role']).replace(/\.Arn$/, '');
    const grants: Grant[] = [];
    const docs = ofType(json, 'AWS::IAM::Policy')
      .filter(([, p]) => ((p.Properties?.['Roles'] as unknown[] | undefined) ?? []).some((r) => target(r) === `${roleId}.Ref`))
      .map(([, p]) => p.Properties?.['PolicyDocument'] as { Statement: Statement[] });
    for (const doc of docs) {
      for (const s of doc.Statement) {
        for (const action of [s.Action].flat()) for (const resource of [s.Resource].flat()) grants.push({ action, resource: target(resource) });
      }
    }
    return grants;
  };

  it('exists only when a push source does', () => {
    expect(built.pipeline.node.tryFindChild('Ingest')).toBeUndefined();
    expect(ingestId()).toMatch(/^Ingest/);
  });

  it('routes POST /ingest/{sourceId} to it without an IAM authorizer (pushes are HMAC-signed)', () => {
    const routes = ofType(json, 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties ?? {});
    const route = routes.find((r) => r['RouteKey'] === 'POST /ingest/{sourceId}');
    expect(route).toBeDefined();
    expect(route!['AuthorizationType']).toBe('NONE');
    const join = (route!['Target'] as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
    const integrationId = target(join[1]).replace(/\.Ref$/, '');
    expect(props(json, integrationId)['PayloadFormatVersion']).toBe('2.0');
    expect(target(props(json, integrationId)['IntegrationUri'])).toBe(`${ingestId()}.Arn`);
  });

  it('least privilege: the table, PutEvents on the bus and the push secret only; no SQS, no provider secrets', () => {
    const grants = ingestGrants();
    const table = `${PINNED.table}.Arn`;
    const dynamo = [...new Set(grants.filter((g) => g.action.startsWith('dynamodb:')))];
    expect(dynamo.length).toBeGreaterThan(0);
    for (const g of dynamo) expect([table, `${table}/index/*`], g.action).toContain(g.resource);
    for (const a of DDB_WRITES) expect(grants.some((g) => g.action === a && g.resource === table), a).toBe(true);
    expect(grants.filter((g) => g.action.startsWith('sqs:'))).toEqual([]);
    expect([...new Set(grants.filter((g) => g.action.startsWith('events:')).map((g) => `${g.action} ${g.resource}`))]).toEqual([`events:PutEvents ${PINNED.bus}.Arn`]);
    const secrets = [...new Set(grants.filter((g) => g.action === 'secretsmanager:GetSecretValue').map((g) => g.resource))];
    // A complete ARN (it ends in the random suffix) is granted exactly.
    expect(secrets).toEqual([PUSH_SECRET_ARN]);
    const env = (props(json, ingestId())['Environment'] as { Variables: Record<string, unknown> }).Variables;
    expect(Object.keys(env).filter((k) => k.startsWith('TRIBUTARY_')).sort()).toEqual(['TRIBUTARY_CONFIG', 'TRIBUTARY_EVENT_BUS', 'TRIBUTARY_SECRET_IDS', 'TRIBUTARY_TABLE']);
    expect(Object.keys(JSON.parse(env['TRIBUTARY_SECRET_IDS'] as string) as object)).toEqual(['NOTES_PUSH_SECRET']);
  });

  it('alarms on its errors and throttles, and cdk-nag stays clean', () => {
    const alarms = ofType(json, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties ?? {})
      .filter((a) => a['Namespace'] === 'AWS/Lambda'
        && (a['Dimensions'] as Array<{ Name: string; Value: unknown }>).some((d) => d.Name === 'FunctionName' && target(d.Value) === `${ingestId()}.Ref`));
    expect(alarms.map((a) => a['MetricName']).sort()).toEqual(['Errors', 'Throttles']);
    const report = new AwsSolutionsChecks().validateScope(pushApp.app);
    expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
  });
});
