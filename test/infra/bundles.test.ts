import {
  DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, type Message,
} from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { App, Stack, type CfnElement } from 'aws-cdk-lib';
import { createHash, randomUUID } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type BuiltApp } from '../../infra/build-app.ts';
import { REPO_ROOT } from '../../infra/constructs/pipeline-function.ts';
import { DynamoDbHintBuffer } from '../../shared/adapters/aws/dynamodb-hint-buffer.ts';
import { DynamoDbStateStore } from '../../shared/adapters/aws/dynamodb-state-store.ts';
import { PUT_EVENTS_LIMITS } from '../../shared/adapters/aws/eventbridge-event-bus.ts';
import { SqsTaskQueue, type QueueUrls } from '../../shared/adapters/aws/sqs-task-queue.ts';
import { decodeFetchTask } from '../../shared/core/tasks.ts';
import { signWebhook } from '../../shared/core/webhook.ts';
import { signSlackRequest } from '../emulators/slack.ts';
import { startOpenAiEmulator, type OpenAiEmulator } from '../emulators/openai-embeddings.ts';
import { startPineconeEmulator, type PineconeEmulator } from '../emulators/pinecone.ts';
import {
  dynamoDbIamRequests, sqsIamRequests, startAuthorizingProxy, startFakeEventBridge, startFakeSecretsManager,
  type AuthorizingProxy, type FakeEventBridge, type FakeSecretsManager,
} from '../support/aws-fakes.ts';
import { resolve, roleStatements, type CfnTemplate, type ResolveContext } from '../support/cfn.ts';
import { startServers, type EmbeddedServers } from '../support/embedded.ts';
import { isAllowed, type PolicyStatement } from '../support/iam.ts';
import { startContainer, type LambdaContainer } from '../support/lambda-container.ts';
import { functionLogicalIdIn, type FunctionId } from '../support/templates.ts';

/**
 * What `cdk deploy` ships, run: the app is synthesized with bundling (the esbuild output in
 * cdk.out), and each function's bundle runs in its own Node process with the environment its
 * template gives it, only the AWS SDK beside it (as on Lambda), and its own credentials. Every
 * AWS call is checked against that function's role as IAM would: DynamoDB and SQS through
 * authorizing proxies in front of dynalite and fauxqs, EventBridge and Secrets Manager by
 * loopback fakes. OpenAI and Pinecone are the loopback emulators. Each function starts and does
 * its job once, in pipeline order: webhook → ingest → fetcher → embedder → watchdog → admin.
 */

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const SECRETS = {
  'tributary/openai': 'sk-bundles-openai',
  'tributary/pinecone': 'pc-bundles-pinecone',
  'tributary/slack-bot-token': 'xoxb-bundles',
  'tributary/slack-signing-secret': 'slack-signing-bundles',
  'tributary/tickets-push': 'push-secret-bundles',
  'tributary/docs-webhook': 'docs-webhook-bundles',
};
const DIMENSIONS = 256;
const caller = (fn: FunctionId): string => `AKIA${fn.toUpperCase().padEnd(16, '0')}`;

interface Bundle {
  readonly entry: string;
  readonly environment: Record<string, string>;
  readonly statements: PolicyStatement[];
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
}

let dir: string;
let servers: EmbeddedServers;
let openai: OpenAiEmulator;
let pinecone: PineconeEmulator;
let events: FakeEventBridge;
let secrets: FakeSecretsManager;
let dynamo: AuthorizingProxy;
let sqs: AuthorizingProxy;
let xray: Socket;
const xraySegments: string[] = [];
let built: BuiltApp;
let state: DynamoDbStateStore;
let urls: QueueUrls;
let tableName: string;
const queueArn = new Map<string, string>();
const queueArnOf = (url: string): string => queueArn.get(url) ?? '';
const bundles = new Map<FunctionId, Bundle>();
const containers: LambdaContainer[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tributary-bundles-'));
  servers = await startServers();
  openai = await startOpenAiEmulator({ apiKey: SECRETS['tributary/openai'] });
  pinecone = await startPineconeEmulator({ apiKey: SECRETS['tributary/pinecone'], dimension: DIMENSIONS });
  secrets = await startFakeSecretsManager({ region: REGION, account: ACCOUNT, secrets: SECRETS, authorize: (...args) => authorize(...args) });
  events = await startFakeEventBridge({ region: REGION, account: ACCOUNT, authorize: (...args) => authorize(...args) });
  xray = createSocket('udp4');
  xray.on('message', (m) => void xraySegments.push(m.toString('utf8')));
  await new Promise<void>((done) => xray.bind(0, '127.0.0.1', () => done()));

  // The resources the stacks would create, here.
  tableName = `bundles-${randomUUID().slice(0, 8)}`;
  state = new DynamoDbStateStore({ client: servers.ddb, tableName });
  await state.ensureTable();
  urls = await SqsTaskQueue.ensureQueues(servers.sqs, `b${randomUUID().slice(0, 8)}`, 10);
  for (const url of Object.values(urls)) {
    const { Attributes } = await servers.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
    queueArn.set(url, Attributes?.['QueueArn'] ?? '');
  }
  const ddbEndpoint = await servers.ddb.config.endpoint?.();
  const sqsEndpoint = await servers.sqs.config.endpoint?.();
  if (!ddbEndpoint || !sqsEndpoint) throw new Error('embedded server endpoints');
  const origin = (e: { protocol: string; hostname: string; port?: number }) => `${e.protocol}//${e.hostname}:${e.port}`;
  dynamo = await startAuthorizingProxy({ upstream: origin(ddbEndpoint), authorize: (...args) => authorize(...args), iamRequestsOf: dynamoDbIamRequests(REGION, ACCOUNT) });
  sqs = await startAuthorizingProxy({ upstream: origin(sqsEndpoint), authorize: (...args) => authorize(...args), iamRequestsOf: sqsIamRequests((url) => queueArn.get(url) ?? url) });

  // The deployment config: every kind of secret reference, every edge route.
  const docsRoot = join(dir, 'docs');
  mkdirSync(docsRoot);
  const prefix = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:`;
  const config = {
    embedder: { kind: 'openai', model: 'text-embedding-3-small', dimensions: DIMENSIONS, baseUrl: openai.url, apiKeyEnv: 'OPENAI_API_KEY' },
    vectorStore: { kind: 'pinecone', indexHost: pinecone.host, apiKeyEnv: 'PINECONE_API_KEY', namespace: 'source', upsertLingerMs: 0 },
    aws: {
      stage: 'bundles', account: ACCOUNT, region: REGION,
      secrets: {
        OPENAI_API_KEY: secrets.arnOf('tributary/openai'), // a complete ARN
        PINECONE_API_KEY: `${prefix}tributary/pinecone`, // a partial ARN
        SLACK_BOT_TOKEN: 'tributary/slack-bot-token', // names
        SLACK_SIGNING_SECRET: 'tributary/slack-signing-secret',
        TICKETS_PUSH_SECRET: 'tributary/tickets-push',
        DOCS_WEBHOOK_SECRET: 'tributary/docs-webhook',
      },
    },
    sources: [
      { id: 'team-chat', kind: 'slack', tokenEnv: 'SLACK_BOT_TOKEN', webhook: { secretEnv: 'SLACK_SIGNING_SECRET' }, documentMode: 'thread' },
      { id: 'tickets', kind: 'push', webhook: { secretEnv: 'TICKETS_PUSH_SECRET' } },
      { id: 'docs', kind: 'filesystem', root: docsRoot, watch: false, webhook: { secretEnv: 'DOCS_WEBHOOK_SECRET' } },
    ],
  };
  writeFileSync(join(dir, 'tributary.config.json'), JSON.stringify(config));

  // Synthesize with bundling, beside a node_modules that holds only the AWS SDK (the Lambda
  // runtime provides it; the bundles leave it external).
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(join(REPO_ROOT, 'node_modules', '@aws-sdk'), join(dir, 'node_modules', '@aws-sdk'), 'dir');
  const outdir = join(dir, 'cdk.out');
  built = buildApp({ configPath: join(dir, 'tributary.config.json'), app: new App({ outdir }) });
  const assembly = built.app.synth();
  const template = (stack: Stack): CfnTemplate => JSON.parse(readFileSync(join(assembly.directory, `${stack.stackName}.template.json`), 'utf8')) as CfnTemplate;
  const pipeline = template(built.pipeline);
  const stateful = template(built.stateful);

  const local = new Map<string, Record<string, string>>([
    [logicalIdOf(built.stateful.table.node.defaultChild as CfnElement), { Ref: tableName, Arn: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${tableName}` }],
    [logicalIdOf(built.stateful.bus.node.defaultChild as CfnElement), { Ref: 'tributary-bundles-bus', Name: 'tributary-bundles-bus', Arn: `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/tributary-bundles-bus` }],
    ...([
      [built.stateful.fetchQueue.queue, urls.fetch], [built.stateful.fetchQueue.deadLetterQueue, urls.fetchDlq],
      [built.stateful.embedQueue.queue, urls.embed], [built.stateful.embedQueue.deadLetterQueue, urls.embedDlq],
    ] as const).map(([queue, url]) => [logicalIdOf(queue.node.defaultChild as CfnElement), { Ref: url, Arn: queueArn.get(url) ?? '' }] as [string, Record<string, string>]),
  ]);
  const ctx: ResolveContext = { region: REGION, account: ACCOUNT, imports: [stateful], attribute: (id, attr) => local.get(id)?.[attr] };
  for (const fn of ['Webhook', 'Ingest', 'Fetcher', 'Embedder', 'Watchdog', 'Admin'] as const) {
    const id = functionLogicalIdIn(built, fn);
    const props = pipeline.Resources[id]?.Properties ?? {};
    const variables = (props['Environment'] as { Variables: Record<string, unknown> }).Variables;
    const key = String((props['Code'] as { S3Key: unknown }).S3Key).replace(/\.zip$/, '');
    bundles.set(fn, {
      entry: join(assembly.directory, `asset.${key}`, 'index.mjs'),
      environment: Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, resolve(v, ctx)])),
      statements: roleStatements(pipeline, id, ctx),
      memoryMb: Number(props['MemorySize']),
      timeoutSeconds: Number(props['Timeout']),
    });
  }
  // Bundling six functions takes seconds alone, more with the rest of the suite beside it.
}, 180_000);

afterAll(async () => {
  for (const c of containers) await c.close();
  await Promise.all([dynamo?.close(), sqs?.close(), events?.close(), secrets?.close(), openai?.close(), pinecone?.close()]);
  xray?.close();
  await servers?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const logicalIdOf = (element: CfnElement): string => Stack.of(element).resolve(element.logicalId) as string;

/** The harness itself (`test`) may do anything; a function only what its role allows. */
function authorize(who: string, action: string, resource: string, context?: Readonly<Record<string, string | readonly string[] | undefined>>): boolean {
  if (who === 'test') return true;
  const fn = [...bundles.keys()].find((f) => caller(f) === who);
  return fn !== undefined && isAllowed(bundles.get(fn)!.statements, action, resource, context);
}

/** A fresh container of the function, with its credentials and the local endpoints. */
async function container(fn: FunctionId): Promise<LambdaContainer> {
  const bundle = bundles.get(fn)!;
  const c = await startContainer({
    entry: bundle.entry, functionName: `tributary-bundles-${fn.toLowerCase()}`, environment: bundle.environment,
    region: REGION, account: ACCOUNT, memoryMb: bundle.memoryMb, timeoutSeconds: bundle.timeoutSeconds,
    overrides: {
      AWS_ACCESS_KEY_ID: caller(fn), AWS_SECRET_ACCESS_KEY: 'bundles-secret', AWS_SESSION_TOKEN: 'bundles-session',
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.url, AWS_ENDPOINT_URL_SQS: sqs.url,
      AWS_ENDPOINT_URL_EVENTBRIDGE: events.url, AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url,
      AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${(xray.address() as AddressInfo).port}`, AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
      // Node 20 here, 22 on Lambda: the SDK would warn about the version on every cold start.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  });
  containers.push(c);
  return c;
}

function httpEvent(routeKey: string, path: string, options: { body?: string; headers?: Record<string, string>; pathParameters?: Record<string, string>; query?: Record<string, string> } = {}): APIGatewayProxyEventV2 {
  const now = new Date();
  return {
    version: '2.0', routeKey, rawPath: path, rawQueryString: new URLSearchParams(options.query ?? {}).toString(),
    headers: { 'content-type': 'application/json', host: 'abc123.execute-api.us-east-1.amazonaws.com', ...options.headers },
    ...(options.query ? { queryStringParameters: options.query } : {}),
    ...(options.pathParameters ? { pathParameters: options.pathParameters } : {}),
    requestContext: {
      accountId: ACCOUNT, apiId: 'abc123', domainName: 'abc123.execute-api.us-east-1.amazonaws.com', domainPrefix: 'abc123',
      http: { method: routeKey.split(' ')[0]!, path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'bundles' },
      requestId: randomUUID(), routeKey, stage: '$default', time: now.toUTCString(), timeEpoch: now.getTime(),
    },
    ...(options.body !== undefined ? { body: options.body } : {}),
    isBase64Encoded: false,
  };
}

/** What the queue holds, as the event source mapping delivers it. */
async function sqsEvent(url: string, arn: string): Promise<{ event: SQSEvent; messages: Message[] }> {
  const messages: Message[] = [];
  for (let round = 0; round < 10; round++) {
    const { Messages } = await servers.sqs.send(new ReceiveMessageCommand({
      QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 300, MessageSystemAttributeNames: ['All'],
    }));
    if (!Messages?.length) break;
    messages.push(...Messages);
  }
  return {
    messages,
    event: {
      Records: messages.map((m) => ({
        messageId: m.MessageId ?? '', receiptHandle: m.ReceiptHandle ?? '', body: m.Body ?? '',
        attributes: {
          ApproximateReceiveCount: m.Attributes?.['ApproximateReceiveCount'] ?? '1', SentTimestamp: m.Attributes?.['SentTimestamp'] ?? '0',
          SenderId: 'AROAEXAMPLE', ApproximateFirstReceiveTimestamp: m.Attributes?.['ApproximateFirstReceiveTimestamp'] ?? '0',
          ...(m.Attributes?.['MessageGroupId'] ? { MessageGroupId: m.Attributes['MessageGroupId'] } : {}),
        },
        messageAttributes: {}, md5OfBody: m.MD5OfBody ?? '', eventSource: 'aws:sqs', eventSourceARN: arn, awsRegion: REGION,
      })),
    },
  };
}

async function settle(url: string, messages: readonly Message[], response: SQSBatchResponse): Promise<void> {
  const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
  for (const m of messages.filter((x) => !failed.has(x.MessageId ?? ''))) {
    await servers.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
  }
}

const json = (r: APIGatewayProxyStructuredResultV2): Record<string, unknown> => JSON.parse(r.body ?? '{}') as Record<string, unknown>;
/** The ids a source's hint buffer holds (read as the fetcher takes them; taking only clears the marker). */
const bufferedIds = async (sourceId: string): Promise<string[]> =>
  (await new DynamoDbHintBuffer(servers.ddb, tableName).takeHints({ sourceId, limit: 10_000 })).map((h) => h.id).sort();
const detailsSince = (n: number) => events.requests.slice(n).flatMap((r) => r.entries.map((e) => ({ caller: r.caller, entry: e, task: decodeFetchTask(e.Detail) })));
const emf = (out: string): Array<Record<string, unknown>> => out.split('\n').filter((l) => l.startsWith('{"_aws"')).map((l) => JSON.parse(l) as Record<string, unknown>);

describe('the bundles cdk synth produces', () => {
  it('are six, each loadable by Node with only the AWS SDK beside it', () => {
    expect([...bundles.keys()].sort()).toEqual(['Admin', 'Embedder', 'Fetcher', 'Ingest', 'Watchdog', 'Webhook']);
    for (const [fn, b] of bundles) {
      expect(b.entry, fn).toMatch(/cdk\.out\/asset\.[0-9a-f]{64}\/index\.mjs$/);
      expect(b.environment['TRIBUTARY_CONFIG'], fn).toBeDefined();
    }
  });

  it('webhook: a Slack-signed event and a signed hint of 2,000 long ids wait in the hint buffer behind one wake-up each; a push source is not a webhook', async () => {
    const webhook = await container('Webhook');
    const before = events.requests.length;
    const now = Math.floor(Date.now() / 1000);

    const slackBody = JSON.stringify({ type: 'event_callback', team_id: 'T1', event: { type: 'message', channel: 'C0GENERAL', user: 'U1', text: 'hello', ts: '1767225600.000100' } });
    const slack = await webhook.invoke<APIGatewayProxyStructuredResultV2>(httpEvent('POST /webhooks/{sourceId}', '/webhooks/team-chat', {
      body: slackBody, pathParameters: { sourceId: 'team-chat' }, headers: signSlackRequest(SECRETS['tributary/slack-signing-secret'], slackBody, now),
    }));
    expect(slack.statusCode, slack.body).toBe(200);
    // The ids wait in the hint buffer; the bus carries one wake-up for the run that takes them.
    expect(detailsSince(before).map((d) => d.task)).toEqual([expect.objectContaining({ sourceId: 'team-chat', buffered: true })]);
    expect(await bufferedIds('team-chat')).toEqual(['C0GENERAL/1767225600.000100']);

    const ids = Array.from({ length: 2000 }, (_v, i) => `runbooks/${String(i).padStart(4, '0')}-${'x'.repeat(122)}.md`);
    const hintBody = JSON.stringify({ changed: ids });
    const afterSlack = events.requests.length;
    const hint = await webhook.invoke<APIGatewayProxyStructuredResultV2>(httpEvent('POST /webhooks/{sourceId}', '/webhooks/docs', {
      body: hintBody, pathParameters: { sourceId: 'docs' }, headers: { 'x-tributary-signature': signWebhook(SECRETS['tributary/docs-webhook'], hintBody, now) },
    }));
    expect(hint.statusCode, hint.body).toBe(202);
    const hinted = detailsSince(afterSlack);
    expect(events.rejected).toEqual([]);
    expect(hinted.map((d) => d.task)).toEqual([expect.objectContaining({ sourceId: 'docs', buffered: true })]);
    for (const d of hinted) expect(Buffer.byteLength(`${d.entry.Source}${d.entry.DetailType}${d.entry.Detail}`)).toBeLessThanOrEqual(PUT_EVENTS_LIMITS.maxEntryBytes);
    expect(await bufferedIds('docs')).toEqual([...ids].sort());

    const push = await webhook.invoke<APIGatewayProxyStructuredResultV2>(httpEvent('POST /webhooks/{sourceId}', '/webhooks/tickets', {
      body: '{}', pathParameters: { sourceId: 'tickets' }, headers: { 'x-tributary-signature': signWebhook(SECRETS['tributary/tickets-push'], '{}', now) },
    }));
    // A push source takes no hints: refused as an unknown source or a bad signature is.
    expect(push.statusCode).toBe(401);
    // It read the two webhook secrets, by name, and nothing else.
    expect(secrets.reads.filter((r) => r.caller === caller('Webhook')).map((r) => r.secretId).sort()).toEqual(['tributary/docs-webhook', 'tributary/slack-signing-secret']);
  });

  let pushedTask: string;

  it('ingest: a signed push is stashed and hinted', async () => {
    const ingest = await container('Ingest');
    const before = events.requests.length;
    const body = JSON.stringify({ operations: [
      { op: 'upsert', id: 'kb/reset-password', version: 3, format: 'markdown', text: '# Reset a password\n\nOpen the account page, choose "Reset", and follow the e-mailed link.' },
      { op: 'upsert', id: 'kb/rotate-keys', version: 1, text: 'Rotate the signing keys every quarter; the old key stays valid for a day.' },
    ] });
    const response = await ingest.invoke<APIGatewayProxyStructuredResultV2>(httpEvent('POST /ingest/{sourceId}', '/ingest/tickets', {
      body, pathParameters: { sourceId: 'tickets' },
      headers: { 'x-tributary-signature': signWebhook(SECRETS['tributary/tickets-push'], body, Math.floor(Date.now() / 1000)), 'idempotency-key': randomUUID() },
    }));
    expect(response.statusCode, response.body).toBe(200);
    expect(json(response)).toMatchObject({ accepted: 2, rejected: 0 });
    const stashed = await state.getStashed('tickets', ['kb/reset-password', 'kb/rotate-keys']);
    expect([...stashed.values()].map((d) => d.version).sort()).toEqual(['1', '3']);
    const hinted = detailsSince(before);
    expect(hinted).toHaveLength(1);
    expect(hinted[0]!.caller).toBe(caller('Ingest'));
    expect(hinted[0]!.task).toMatchObject({ sourceId: 'tickets', trigger: 'webhook', buffered: true });
    pushedTask = hinted[0]!.entry.Detail!;
  });

  it('fetcher: the push\'s fetch task (as the hint rule delivers it) becomes embed tasks', async () => {
    // The hint rule: `$.detail` to the fetch queue in the source's group, content-deduplicated.
    await servers.sqs.send(new SendMessageCommand({
      QueueUrl: urls.fetch, MessageBody: pushedTask, MessageGroupId: 'tickets', MessageDeduplicationId: createHash('sha256').update(pushedTask).digest('hex'),
    }));
    const fetcher = await container('Fetcher');
    const { event, messages } = await sqsEvent(urls.fetch, queueArnOf(urls.fetch));
    expect(messages).toHaveLength(1);
    const response = await fetcher.invoke<SQSBatchResponse>(event);
    expect(response).toEqual({ batchItemFailures: [] });
    await settle(urls.fetch, messages, response);
    expect((await new SqsTaskQueue({ client: servers.sqs, urls }).depth('embed')).visible).toBe(2);
    // It embedded the new chunks ahead, with the key it read from Secrets Manager by complete ARN.
    expect(openai.stats().succeeded).toBeGreaterThan(0);
    expect(secrets.reads.filter((r) => r.caller === caller('Fetcher')).map((r) => r.secretId).sort())
      .toEqual([secrets.arnOf('tributary/openai'), 'tributary/slack-bot-token']);
    expect(sqs.denials).toEqual([]);
  });

  it('embedder: the embed tasks become vectors in Pinecone; a task of a source no longer configured is dead-lettered', async () => {
    const ghost = JSON.stringify({ type: 'delete', sourceId: 'ghost', docId: 'gone.md', rev: 'r1', runId: 'RUN#2026-01-01T00:00:00.000Z#x' });
    await servers.sqs.send(new SendMessageCommand({ QueueUrl: urls.embed, MessageBody: ghost, MessageGroupId: 'ghost#gone', MessageDeduplicationId: randomUUID() }));
    const embedder = await container('Embedder');
    const { event, messages } = await sqsEvent(urls.embed, queueArnOf(urls.embed));
    expect(messages).toHaveLength(3);
    const response = await embedder.invoke<SQSBatchResponse>(event);
    expect(response).toEqual({ batchItemFailures: [] });
    await settle(urls.embed, messages, response);
    expect(pinecone.count('tickets')).toBeGreaterThanOrEqual(2);
    const ledger = await state.getDocuments('tickets', ['kb/reset-password', 'kb/rotate-keys']);
    expect([...ledger.values()].map((e) => e.version).sort()).toEqual(['1', '3']);
    const dead = await new SqsTaskQueue({ client: servers.sqs, urls }).listDeadLetters('embed', 10);
    expect(dead).toEqual([{ body: ghost, reason: 'PoisonTaskError: unknown source "ghost"' }]);
  });

  it('watchdog: publishes freshness metrics for every source', async () => {
    const watchdog = await container('Watchdog');
    const result = await watchdog.invoke<{ sources: Array<{ sourceId: string }> }>({
      version: '0', id: randomUUID(), 'detail-type': 'Scheduled Event', source: 'aws.events', account: ACCOUNT,
      time: new Date().toISOString(), region: REGION, resources: [], detail: {},
    });
    expect(result.sources.map((s) => s.sourceId)).toEqual(['team-chat', 'tickets', 'docs']);
    const freshness = emf(watchdog.stdout()).filter((m) => 'FreshnessLagSeconds' in m);
    expect(freshness.map((m) => m['SourceId']).sort()).toEqual(['docs', 'team-chat', 'tickets']);
  });

  it('admin: status, search over the pushed documents, and a sync', async () => {
    const admin = await container('Admin');
    const sources = await admin.invoke<APIGatewayProxyStructuredResultV2>(httpEvent('GET /admin/sources', '/admin/sources'));
    expect(sources.statusCode, sources.body).toBe(200);
    expect((json(sources)['sources'] as Array<{ sourceId: string }>).map((s) => s.sourceId)).toEqual(['team-chat', 'tickets', 'docs']);

    const search = await admin.invoke<APIGatewayProxyStructuredResultV2>(httpEvent('GET /admin/search', '/admin/search', { query: { q: 'reset a password', top: '3', source: 'tickets' } }));
    expect(search.statusCode, search.body).toBe(200);
    const results = json(search)['results'] as Array<{ sourceId: string; docId: string }>;
    expect(results.length).toBeGreaterThan(0);
    for (const r of results) expect(r.sourceId).toBe('tickets');

    const sync = await admin.invoke<APIGatewayProxyStructuredResultV2>(httpEvent('POST /admin/sources/{sourceId}/sync', '/admin/sources/tickets/sync', { pathParameters: { sourceId: 'tickets' } }));
    expect(sync.statusCode, sync.body).toBe(202);
    const { messages } = await sqsEvent(urls.fetch, queueArnOf(urls.fetch));
    expect(messages.map((m) => decodeFetchTask(m.Body))).toEqual([expect.objectContaining({ sourceId: 'tickets', trigger: 'admin' })]);
  });

  it('made every call within its role: nothing was denied, and the roles are enforced', async () => {
    expect(dynamo.denials).toEqual([]);
    expect(sqs.denials).toEqual([]);
    // The proxies checked the functions' calls (nothing went around them)…
    const actionsOf = (proxy: AuthorizingProxy, fn: FunctionId) => [...new Set(proxy.checked.filter((c) => c.caller === caller(fn)).map((c) => c.action))].sort();
    expect(actionsOf(dynamo, 'Ingest')).toEqual(expect.arrayContaining(['dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']));
    expect(actionsOf(dynamo, 'Fetcher')).toEqual(expect.arrayContaining(['dynamodb:BatchWriteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']));
    expect(actionsOf(dynamo, 'Embedder')).toEqual(expect.arrayContaining(['dynamodb:BatchGetItem', 'dynamodb:UpdateItem']));
    expect(actionsOf(dynamo, 'Watchdog')).toEqual(['dynamodb:BatchGetItem']);
    expect(actionsOf(dynamo, 'Admin')).toEqual(expect.arrayContaining(['dynamodb:BatchGetItem', 'dynamodb:Query']));
    // Its replay memory and hint buffers only.
    expect(actionsOf(dynamo, 'Webhook')).toEqual(['dynamodb:BatchWriteItem', 'dynamodb:PutItem']);
    expect(actionsOf(sqs, 'Fetcher')).toEqual(['sqs:SendMessage']);
    expect(actionsOf(sqs, 'Embedder')).toEqual(['sqs:SendMessage']);
    expect(actionsOf(sqs, 'Admin')).toEqual(['sqs:SendMessage']);
    // …and refuse what a role does not allow: the ingest function reading the embedding cache.
    const probe = await fetch(dynamo.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.GetItem',
        authorization: `AWS4-HMAC-SHA256 Credential=${caller('Ingest')}/20260101/${REGION}/dynamodb/aws4_request, SignedHeaders=host, Signature=0`,
      },
      body: JSON.stringify({ TableName: tableName, Key: { pk: { S: `EMB#text-embedding-3-small#${DIMENSIONS}` }, sk: { S: 'x' } } }),
    });
    expect(probe.status).toBe(400);
    expect(await probe.text()).toContain('AccessDeniedException');
    dynamo.denials.length = 0;
    // Each function traced its invocation to the X-Ray daemon.
    expect(xraySegments.some((s) => s.includes('## index.handler'))).toBe(true);
  });
});
