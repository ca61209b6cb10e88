import {
  DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, type Message,
} from '@aws-sdk/client-sqs';
import type {
  APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context, ScheduledEvent, SQSBatchResponse, SQSEvent,
} from 'aws-lambda';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DynamoDbHintBuffer } from '../../shared/adapters/aws/dynamodb-hint-buffer.ts';
import { DynamoDbStateStore } from '../../shared/adapters/aws/dynamodb-state-store.ts';
import { EVENT_DETAIL_TYPE, EVENT_SOURCE } from '../../shared/adapters/aws/eventbridge-event-bus.ts';
import { SqsTaskQueue, type QueueUrls } from '../../shared/adapters/aws/sqs-task-queue.ts';
import { HashingEmbedder } from '../../shared/adapters/local/hashing-embedder.ts';
import { LanceDbVectorStore } from '../../shared/adapters/local/lancedb/lancedb-vector-store.ts';
import { NEVER_SYNCED_LAG_SECONDS, type SourceHealth } from '../../shared/core/freshness.ts';
import { docVectorPrefix } from '../../shared/core/ids.ts';
import { decodeFetchTask } from '../../shared/core/tasks.ts';
import { signWebhook } from '../../shared/core/webhook.ts';
import { ENV } from '../../shared/wiring/aws.ts';
import { startServers, type EmbeddedServers } from '../support/embedded.ts';

/**
 * The Lambda entry points (`functions/<name>/handler.ts`, exactly what the stacks bundle)
 * invoked with the events AWS sends them, against dynalite and fauxqs (and loopback fakes
 * of EventBridge and Secrets Manager, which have no emulator here). Each function is loaded
 * fresh with the environment variables its stack sets (see test/infra/stacks.test.ts), so
 * e.g. the webhook really runs without a table or queues.
 */

type Entry<E, R> = (event: E, context: Context) => Promise<R>;
type HttpEntry = Entry<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>;
type SqsEntry = Entry<SQSEvent, SQSBatchResponse>;

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const BUS = 'tributary-dev-bus';
const WEBHOOK_SECRET = 'whsec-handler-tests';
const WEBHOOK_SECRET_ARN = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:tributary/docs-webhook-AbCdEf`;

const DOCS: Record<string, string> = {
  'lighthouse.md': '# Lighthouse\n\nThe lighthouse keeper trims the lamp wick at dusk and logs every passing ship in the ledger.\n',
  'orchard.md': '# Orchard\n\nApple trees in the orchard are pruned in late winter; grafting happens when the sap rises.\n',
  'harbour.md': '# Harbour\n\nThe harbour master assigns berths to fishing boats and collects mooring fees each morning.\n',
};

/** A loopback stand-in for an AWS JSON 1.1 service: routes on X-Amz-Target, records every call. */
interface FakeAws {
  readonly url: string;
  readonly calls: Array<{ target: string; body: Record<string, unknown> }>;
  close(): Promise<void>;
}

async function fakeAws(respond: (target: string, body: Record<string, unknown>) => { status: number; body: unknown }): Promise<FakeAws> {
  const calls: FakeAws['calls'] = [];
  const read = async (req: IncomingMessage): Promise<string> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };
  const server: Server = createServer((req, res) => {
    void read(req).then((text) => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const body = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
      calls.push({ target, body });
      const answer = respond(target, body);
      res.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

let servers: EmbeddedServers;
let events: FakeAws;
let secrets: FakeAws;
/** Secrets Manager answers AccessDenied this many more times (IAM not yet propagated after a deploy). */
let secretFailures = 0;
let dir: string;
let lanceDir: string;
let tableName: string;
let urls: QueueUrls;
let arns: { fetch: string; embed: string };
let state: DynamoDbStateStore;
let queue: SqsTaskQueue;
let configJson: string;
let fetcher: SqsEntry;

beforeAll(async () => {
  servers = await startServers();
  events = await fakeAws((target, body) => {
    if (target !== 'AWSEvents.PutEvents') return { status: 400, body: { __type: 'UnknownOperationException' } };
    const entries = body['Entries'] as unknown[];
    return { status: 200, body: { FailedEntryCount: 0, Entries: entries.map((_e, i) => ({ EventId: String(i + 1) })) } };
  });
  secrets = await fakeAws((target, body) => {
    if (target !== 'secretsmanager.GetSecretValue') return { status: 400, body: { __type: 'UnknownOperationException' } };
    if (secretFailures > 0) {
      secretFailures--;
      return { status: 400, body: { __type: 'AccessDeniedException', message: 'not authorized to perform: secretsmanager:GetSecretValue' } };
    }
    if (body['SecretId'] !== WEBHOOK_SECRET_ARN) return { status: 400, body: { __type: 'ResourceNotFoundException', message: 'no such secret' } };
    return { status: 200, body: { ARN: WEBHOOK_SECRET_ARN, Name: 'tributary/docs-webhook', SecretString: WEBHOOK_SECRET, VersionId: 'v1' } };
  });

  dir = await mkdtemp(join(tmpdir(), 'tributary-handlers-'));
  lanceDir = join(dir, 'lancedb');
  const docsDir = join(dir, 'docs');
  const notesDir = join(dir, 'notes');
  await mkdir(docsDir);
  await mkdir(notesDir);
  for (const [name, text] of Object.entries(DOCS)) await writeFile(join(docsDir, name), text);

  tableName = `tributary-${randomUUID().slice(0, 8)}`;
  state = new DynamoDbStateStore({ client: servers.ddb, tableName });
  await state.ensureTable();
  const ddbEndpoint = await servers.ddb.config.endpoint?.();
  const sqsEndpoint = await servers.sqs.config.endpoint?.();
  if (!ddbEndpoint || !sqsEndpoint) throw new Error('embedded server endpoints');
  const sqsOrigin = `${sqsEndpoint.protocol}//${sqsEndpoint.hostname}:${sqsEndpoint.port}`;
  urls = await SqsTaskQueue.ensureQueues(servers.sqs, `h${randomUUID().slice(0, 8)}`, 10);
  queue = new SqsTaskQueue({ client: servers.sqs, urls });
  arns = { fetch: await queueArn(urls.fetch), embed: await queueArn(urls.embed) };

  // What TRIBUTARY_CONFIG carries on Lambda: the validated config, absolute paths, no `aws` section.
  configJson = JSON.stringify({
    embedder: { kind: 'local', dimensions: 256 },
    vectorStore: { kind: 'lancedb', path: lanceDir },
    sources: [
      { id: 'docs', kind: 'filesystem', root: docsDir, watch: false, freshnessSloMinutes: 60, webhook: { secretEnv: 'DOCS_WEBHOOK_SECRET' } },
      { id: 'notes', kind: 'filesystem', root: notesDir, watch: false },
    ],
  });

  const common: Record<string, string> = {
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL_DYNAMODB: `${ddbEndpoint.protocol}//${ddbEndpoint.hostname}:${ddbEndpoint.port}`,
    AWS_ENDPOINT_URL_SQS: sqsOrigin,
    AWS_ENDPOINT_URL_EVENTBRIDGE: events.url,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url,
    // As the stacks set them.
    POWERTOOLS_SERVICE_NAME: 'tributary',
    POWERTOOLS_METRICS_NAMESPACE: 'Tributary',
    // Outside Lambda: no X-Ray daemon; metrics on (EMF through the global console, which the
    // tests read), logs silent.
    POWERTOOLS_TRACE_ENABLED: 'false',
    POWERTOOLS_DEV: 'true',
    POWERTOOLS_METRICS_DISABLED: 'false',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    AWS_LAMBDA_LOG_STREAM_NAME: '2026/01/01/[$LATEST]0123456789abcdef',
  };
  for (const [name, value] of Object.entries(common)) vi.stubEnv(name, value);
  // Expected warnings, kept out of the output: logMetrics after an invocation that published
  // nothing; and the SQS client, which cannot parse fauxqs's queue URLs
  // (http://sqs.us-east-1.127.0.0.1:<port>/…, an invalid IPv4 host) to use them as the
  // endpoint, and so uses AWS_ENDPOINT_URL_SQS — the same server.
  const warn = console.warn.bind(console);
  vi.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => {
    const [first] = args;
    if (String(first).startsWith('No application metrics to publish')) return;
    if (first instanceof TypeError && (first as TypeError & { input?: unknown }).input?.toString().startsWith('http://sqs.')) return;
    warn(...args);
  });
  captureEmfOutput();
});

afterAll(async () => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  await events?.close();
  await secrets?.close();
  await servers?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function queueArn(url: string): Promise<string> {
  const { Attributes } = await servers.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  return Attributes?.['QueueArn'] ?? '';
}

/** The TRIBUTARY_* variables each stack sets (the others are removed). */
const fullEnv = (): Record<string, string> => ({
  [ENV.config]: configJson, [ENV.table]: tableName, [ENV.secretIds]: '{}',
  [ENV.fetchQueue]: urls.fetch, [ENV.fetchDlq]: urls.fetchDlq, [ENV.embedQueue]: urls.embed, [ENV.embedDlq]: urls.embedDlq,
});
const webhookEnv = (): Record<string, string> => ({
  [ENV.config]: configJson, [ENV.bus]: BUS, [ENV.table]: tableName, [ENV.secretIds]: JSON.stringify({ DOCS_WEBHOOK_SECRET: WEBHOOK_SECRET_ARN }),
});
const watchdogEnv = (): Record<string, string> => ({ [ENV.config]: configJson, [ENV.table]: tableName });

/**
 * Loads an entry point as a fresh Lambda container would: new module instances (lambdaEntry
 * keeps one runtime per module, built on the first invocation from process.env), with only
 * the function's own TRIBUTARY_* variables set. Invoke it before loading the next one.
 */
async function load<M extends { handler: unknown }>(env: Record<string, string>, importer: () => Promise<M>): Promise<M['handler']> {
  for (const name of Object.values(ENV)) vi.stubEnv(name, env[name]);
  vi.resetModules();
  return (await importer()).handler;
}

function lambdaContext(functionName: string, timeoutSeconds: number): Context {
  const deadline = Date.now() + timeoutSeconds * 1000;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2026/01/01/[$LATEST]0123456789abcdef',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

// ───────────── SQS, the way the event source mapping delivers it ─────────────

async function send(url: string, body: string, group: string): Promise<void> {
  await servers.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body, MessageGroupId: group, MessageDeduplicationId: randomUUID() }));
}

/** Receives what the queue has (bounded), hiding it for the "function timeout". */
async function receiveAll(url: string, max = 10): Promise<Message[]> {
  const out: Message[] = [];
  for (let round = 0; round < 20 && out.length < max; round++) {
    const { Messages } = await servers.sqs.send(new ReceiveMessageCommand({
      QueueUrl: url, MaxNumberOfMessages: Math.min(10, max - out.length), WaitTimeSeconds: 0, VisibilityTimeout: 300,
      MessageSystemAttributeNames: ['All'], MessageAttributeNames: ['All'],
    }));
    if (!Messages || Messages.length === 0) break;
    out.push(...Messages);
  }
  return out;
}

function sqsEvent(eventSourceARN: string, messages: readonly Message[]): SQSEvent {
  return {
    Records: messages.map((m) => {
      const a = m.Attributes ?? {};
      return {
        messageId: m.MessageId ?? '',
        receiptHandle: m.ReceiptHandle ?? '',
        body: m.Body ?? '',
        attributes: {
          ApproximateReceiveCount: a['ApproximateReceiveCount'] ?? '1',
          SentTimestamp: a['SentTimestamp'] ?? String(Date.now()),
          SenderId: a['SenderId'] ?? 'AROAEXAMPLE:scheduler',
          ApproximateFirstReceiveTimestamp: a['ApproximateFirstReceiveTimestamp'] ?? String(Date.now()),
          ...(a['MessageGroupId'] !== undefined ? { MessageGroupId: a['MessageGroupId'] } : {}),
          ...(a['MessageDeduplicationId'] !== undefined ? { MessageDeduplicationId: a['MessageDeduplicationId'] } : {}),
          ...(a['SequenceNumber'] !== undefined ? { SequenceNumber: a['SequenceNumber'] } : {}),
        },
        messageAttributes: {},
        md5OfBody: m.MD5OfBody ?? '',
        eventSource: 'aws:sqs',
        eventSourceARN,
        awsRegion: REGION,
      };
    }),
  };
}

/** Invokes a consumer with what the queue holds and deletes what it did not report failed. */
async function deliver(url: string, arn: string, entry: SqsEntry, context: Context, extra: readonly Message[] = []): Promise<{ messages: Message[]; response: SQSBatchResponse }> {
  const messages = [...extra, ...(await receiveAll(url))];
  const response = await entry(sqsEvent(arn, messages), context);
  const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
  for (const m of messages.filter((x) => !failed.has(x.MessageId ?? ''))) {
    await servers.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
  }
  return { messages, response };
}

// ───────────── EMF metrics ─────────────

interface EmfRecord {
  readonly namespace: string;
  readonly dimensions: string[];
  readonly metrics: string[];
  readonly values: Record<string, unknown>;
}

/** EMF lines Powertools prints (POWERTOOLS_DEV routes them to console.log): collected by withEmf, dropped otherwise. */
let emfSink: string[] | undefined;

function captureEmfOutput(): void {
  const log = console.log.bind(console);
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    const line = args.map(String).join(' ');
    if (!line.startsWith('{"_aws"')) log(...args);
    else emfSink?.push(line);
  });
}

/** Runs `fn` and returns the EMF records printed meanwhile. */
async function withEmf<T>(fn: () => Promise<T>): Promise<{ result: T; emf: EmfRecord[] }> {
  const lines: string[] = [];
  emfSink = lines;
  try {
    const result = await fn();
    const emf = lines.filter((l) => l.includes('"_aws"')).map((l) => {
      const parsed = JSON.parse(l) as Record<string, unknown> & {
        _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string }> }> };
      };
      const directive = parsed._aws.CloudWatchMetrics[0]!;
      return { namespace: directive.Namespace, dimensions: [...(directive.Dimensions[0] ?? [])].sort(), metrics: directive.Metrics.map((m) => m.Name), values: parsed };
    });
    return { result, emf };
  } finally {
    emfSink = undefined;
  }
}

/** The record carrying `metric` for `sourceId`, which must have exactly the dimensions the alarms and dashboard use. */
function sourceMetric(emf: readonly EmfRecord[], metric: string, sourceId: string): EmfRecord {
  const found = emf.filter((r) => r.metrics.includes(metric) && r.values['SourceId'] === sourceId);
  expect(found, `${metric} of ${sourceId} in ${JSON.stringify(emf.map((r) => [r.metrics, r.dimensions, r.values['SourceId']]))}`).toHaveLength(1);
  const record = found[0]!;
  expect(record.namespace).toBe('Tributary');
  expect(record.dimensions, `${metric} dimensions`).toEqual(['SourceId', 'service']);
  expect(record.values['service']).toBe('tributary');
  return record;
}

// ───────────── API Gateway v2 ─────────────

function httpEvent(routeKey: string, options: {
  path: string; pathParameters?: Record<string, string>; query?: Record<string, string>;
  headers?: Record<string, string>; body?: string; isBase64Encoded?: boolean;
}): APIGatewayProxyEventV2 {
  const [method = 'GET'] = routeKey.split(' ');
  const now = new Date();
  const rawQueryString = new URLSearchParams(options.query ?? {}).toString();
  return {
    version: '2.0',
    routeKey,
    rawPath: options.path,
    rawQueryString,
    // API Gateway lower-cases header names in payload version 2.0.
    headers: {
      accept: '*/*', 'content-type': 'application/json', host: 'abc123.execute-api.us-east-1.amazonaws.com',
      'user-agent': 'handler-tests', 'x-forwarded-proto': 'https', ...options.headers,
    },
    ...(options.query ? { queryStringParameters: options.query } : {}),
    ...(options.pathParameters ? { pathParameters: options.pathParameters } : {}),
    requestContext: {
      accountId: ACCOUNT, apiId: 'abc123', domainName: 'abc123.execute-api.us-east-1.amazonaws.com', domainPrefix: 'abc123',
      http: { method, path: options.path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'handler-tests' },
      requestId: randomUUID(), routeKey, stage: '$default', time: now.toUTCString(), timeEpoch: now.getTime(),
    },
    ...(options.body !== undefined ? { body: options.body } : {}),
    isBase64Encoded: options.isBase64Encoded ?? false,
  };
}

const jsonOf = (response: APIGatewayProxyStructuredResultV2): Record<string, unknown> => JSON.parse(response.body ?? '{}') as Record<string, unknown>;

function webhookEvent(sourceId: string, body: string, options: { signature?: string; base64?: boolean } = {}): APIGatewayProxyEventV2 {
  const signature = options.signature ?? signWebhook(WEBHOOK_SECRET, body, Math.floor(Date.now() / 1000));
  return httpEvent('POST /webhooks/{sourceId}', {
    path: `/webhooks/${sourceId}`, pathParameters: { sourceId },
    headers: { 'x-tributary-signature': signature },
    body: options.base64 ? Buffer.from(body, 'utf8').toString('base64') : body,
    isBase64Encoded: options.base64 ?? false,
  });
}

// ───────────── the tests, in pipeline order ─────────────

describe('fetcher handler (SQS, from the Scheduler)', () => {
  beforeAll(async () => {
    fetcher = await load(fullEnv(), () => import('../../functions/fetcher/handler.ts'));
  });

  it('syncs the source named by a Scheduler task and enqueues one embed task per document', async () => {
    // What the schedule's input becomes once Scheduler fills in <aws.scheduler.scheduled-time>.
    const scheduledTime = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    await send(urls.fetch, `{"type":"fetch","sourceId":"docs","trigger":"schedule","requestedAt":"${scheduledTime}"}`, 'docs');

    const { result: { messages, response }, emf } = await withEmf(() => deliver(urls.fetch, arns.fetch, fetcher, lambdaContext('tributary-fetcher', 900)));
    expect(messages).toHaveLength(1);
    expect(response).toEqual({ batchItemFailures: [] });
    expect(await queue.depth('fetch')).toEqual({ visible: 0, inFlight: 0 });
    expect((await queue.depth('embed')).visible).toBe(Object.keys(DOCS).length);
    expect((await state.getSource('docs'))?.watermark).toBeDefined();

    // Per-source run metrics, with the dimensions the dashboard queries.
    expect(sourceMetric(emf, 'DocsSeen', 'docs').values['DocsSeen']).toBe(3);
    expect(sourceMetric(emf, 'DocsChanged', 'docs').values['DocsChanged']).toBe(3);
    sourceMetric(emf, 'DocsDeleted', 'docs');
    expect(sourceMetric(emf, 'TasksEnqueued', 'docs').values['TasksEnqueued']).toBe(3);
    expect(sourceMetric(emf, 'DocsSkipped', 'docs').values['DocsSkipped']).toBe(0);
  });

  it('dead-letters a malformed fetch task with its reason and reports no failure', async () => {
    await send(urls.fetch, '{"type":"fetch","sourceId":"docs"}', 'docs');
    const { response } = await deliver(urls.fetch, arns.fetch, fetcher, lambdaContext('tributary-fetcher', 900));
    expect(response).toEqual({ batchItemFailures: [] });
    const dead = await queue.listDeadLetters('fetch', 10);
    expect(dead).toHaveLength(1);
    expect(dead[0]!.reason).toMatch(/^PoisonTaskError: malformed fetch task/);
  });
});

describe('embedder handler (SQS batch with poison)', () => {
  let embedder: SqsEntry;
  beforeAll(async () => {
    embedder = await load(fullEnv(), () => import('../../functions/embedder/handler.ts'));
  });

  it('embeds the tasks and dead-letters a malformed message and a task of an unknown source, failing nothing', async () => {
    await send(urls.embed, '{"type":"upsert", this is not JSON', 'poison');
    const ghost = JSON.stringify({ type: 'delete', sourceId: 'ghost', docId: 'gone.md', rev: 'r1', runId: 'run#2026-01-01T00:00:00.000Z#x' });
    await send(urls.embed, ghost, 'ghost#gone');

    const { messages, response } = await deliver(urls.embed, arns.embed, embedder, lambdaContext('tributary-embedder', 300));
    expect(messages).toHaveLength(Object.keys(DOCS).length + 2);
    expect(response).toEqual({ batchItemFailures: [] });
    expect(await queue.depth('embed')).toEqual({ visible: 0, inFlight: 0 });

    const dead = await queue.listDeadLetters('embed', 10);
    expect(dead.map((d) => d.body).sort()).toEqual([ghost, '{"type":"upsert", this is not JSON'].sort());
    expect(dead.find((d) => d.body === ghost)?.reason).toBe('PoisonTaskError: unknown source "ghost"');
    expect(dead.find((d) => d.body !== ghost)?.reason).toBe('PoisonTaskError: task body is not JSON');

    // The vectors are in the store the config names, one or more per document.
    const vectors = await LanceDbVectorStore.open({ dir: lanceDir, dimensions: 256 });
    try {
      for (const name of Object.keys(DOCS)) expect(await vectors.listIds(docVectorPrefix('docs', name)), name).not.toEqual([]);
    } finally {
      await vectors.close();
    }
    const [run] = await state.listRuns('docs', 1);
    expect(run).toMatchObject({ tasksDone: 3 });
  });
});

describe('webhook handler (API Gateway v2 → EventBridge)', () => {
  let webhook: HttpEntry;
  const context = () => lambdaContext('tributary-webhook', 10);
  const putEvents = () => events.calls.filter((c) => c.target === 'AWSEvents.PutEvents');

  beforeAll(async () => {
    webhook = await load(webhookEnv(), () => import('../../functions/webhook/handler.ts'));
  });

  it('recovers on the next invocation when its cold start fails (e.g. IAM not yet propagated)', async () => {
    secretFailures = 1;
    const body = '{"changed":["lighthouse.md"]}';
    await expect(webhook(webhookEvent('docs', body), context())).rejects.toThrow(/not authorized/);
    const response = await webhook(webhookEvent('docs', body), context());
    expect(response.statusCode).toBe(202);
    // As the run it woke would: take (and settle) the buffered ids.
    const buffer = new DynamoDbHintBuffer(servers.ddb, tableName);
    await buffer.settleHints({ sourceId: 'docs', taken: await buffer.takeHints({ sourceId: 'docs', limit: 100 }) });
    events.calls.length = 0;
  });

  it('accepts a signed hint: 202, its ids in the hint buffer, and one SourceChanged wake-up the rule turns into a fetch task', async () => {
    const body = JSON.stringify({ changed: ['orchard.md', 'lighthouse.md'], deleted: ['old.md'] });
    const response = await webhook(webhookEvent('docs', body), context());
    expect(response.statusCode).toBe(202);
    expect(jsonOf(response)).toEqual({ accepted: true, sourceId: 'docs', ids: 3 });

    expect(putEvents()).toHaveLength(1);
    const entries = putEvents()[0]!.body['Entries'] as Array<Record<string, string>>;
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ EventBusName: BUS, Source: EVENT_SOURCE, DetailType: EVENT_DETAIL_TYPE });
    // The hint rule forwards `$.detail` to the fetch queue in the source's group: it must be a fetch task.
    const task = decodeFetchTask(entries[0]!['Detail']!);
    expect(task).toMatchObject({ type: 'fetch', sourceId: 'docs', trigger: 'webhook', buffered: true });

    // A second hint while that run is queued joins the buffer and publishes nothing.
    const more = JSON.stringify({ changed: ['quay.md'] });
    expect((await webhook(webhookEvent('docs', more), context())).statusCode).toBe(202);
    expect(putEvents()).toHaveLength(1);

    // …which the fetcher runs.
    await send(urls.fetch, entries[0]!['Detail']!, 'docs');
    const { response: fetched } = await deliver(urls.fetch, arns.fetch, fetcher, lambdaContext('tributary-fetcher', 900));
    expect(fetched).toEqual({ batchItemFailures: [] });
    events.calls.length = 0;
  });

  it('accepts a base64-encoded body, verifying the signature over the decoded bytes', async () => {
    const body = '{"changed":["harbour.md"]}';
    const response = await webhook(webhookEvent('docs', body, { base64: true }), context());
    expect(response.statusCode).toBe(202);
    expect(putEvents()).toHaveLength(1);
    events.calls.length = 0;
  });

  it('rejects a wrong, missing or expired signature with 401 and publishes nothing', async () => {
    const body = '{"changed":["lighthouse.md"]}';
    const now = Math.floor(Date.now() / 1000);
    const wrong = await webhook(webhookEvent('docs', body, { signature: signWebhook('not-the-secret', body, now) }), context());
    expect(wrong.statusCode).toBe(401);
    expect(jsonOf(wrong)['error']).toBe('signature does not match');

    const tampered = await webhook(webhookEvent('docs', '{"changed":["orchard.md"]}', { signature: signWebhook(WEBHOOK_SECRET, body, now) }), context());
    expect(tampered.statusCode).toBe(401);

    const base64Wrong = await webhook(webhookEvent('docs', body, { base64: true, signature: signWebhook('not-the-secret', body, now) }), context());
    expect(base64Wrong.statusCode).toBe(401);

    const expired = await webhook(webhookEvent('docs', body, { signature: signWebhook(WEBHOOK_SECRET, body, now - 600) }), context());
    expect(expired.statusCode).toBe(401);
    expect(jsonOf(expired)['error']).toMatch(/5-minute window/);

    const unsigned = httpEvent('POST /webhooks/{sourceId}', { path: '/webhooks/docs', pathParameters: { sourceId: 'docs' }, body });
    expect((await webhook(unsigned, context())).statusCode).toBe(401);

    expect(putEvents()).toHaveLength(0);
  });

  it('answers 400 for a malformed body, 401 for an unknown source or one without a webhook (as for a bad signature), 413 for an oversized body', async () => {
    const malformed = await webhook(webhookEvent('docs', '{"changed": [oops'), context());
    expect(malformed.statusCode).toBe(400);
    expect(jsonOf(malformed)['error']).toBe('body is not valid JSON');

    const unknown = await webhook(webhookEvent('ghost', '{}'), context());
    expect(unknown.statusCode).toBe(401);
    const noWebhook = await webhook(webhookEvent('notes', '{}'), context());
    expect(noWebhook.statusCode).toBe(401);
    expect(jsonOf(noWebhook)).toEqual(jsonOf(unknown));

    const huge = JSON.stringify({ changed: ['x'.repeat(1024 * 1024)] });
    const oversized = await webhook(webhookEvent('docs', huge), context());
    expect(oversized.statusCode).toBe(413);

    expect(putEvents()).toHaveLength(0);
  });

  it('read its secret from Secrets Manager by its id, once per successful cold start', () => {
    const reads = secrets.calls.filter((c) => c.target === 'secretsmanager.GetSecretValue');
    // One AccessDenied at the failed cold start, one read at the next: none per request.
    expect(reads.map((c) => c.body['SecretId'])).toEqual([WEBHOOK_SECRET_ARN, WEBHOOK_SECRET_ARN]);
  });
});

describe('watchdog handler (EventBridge schedule)', () => {
  it('reports per-source health: a small lag after a sync, a huge one for a source never synced, as EMF metrics', async () => {
    const watchdog = await load(watchdogEnv(), () => import('../../functions/watchdog/handler.ts'));
    const event: ScheduledEvent = {
      version: '0', id: randomUUID(), 'detail-type': 'Scheduled Event', source: 'aws.events', account: ACCOUNT,
      time: new Date().toISOString(), region: REGION, resources: [`arn:aws:events:${REGION}:${ACCOUNT}:rule/WatchdogSchedule`], detail: {},
    };
    const { result, emf } = await withEmf(() => watchdog(event, lambdaContext('tributary-watchdog', 60)));
    const byId = new Map(result.sources.map((s: SourceHealth) => [s.sourceId, s]));
    expect([...byId.keys()]).toEqual(['docs', 'notes']);
    expect(byId.get('docs')!.freshnessLagSeconds).toBeLessThan(300);
    expect(byId.get('docs')).toMatchObject({ consecutiveFailures: 0, leaseStuck: 0 });
    expect(byId.get('notes')!.freshnessLagSeconds).toBe(NEVER_SYNCED_LAG_SECONDS);

    // The freshness alarm reads FreshnessLagSeconds with exactly {SourceId, service}.
    for (const sourceId of ['docs', 'notes']) {
      const health = byId.get(sourceId)!;
      expect(sourceMetric(emf, 'FreshnessLagSeconds', sourceId).values['FreshnessLagSeconds']).toBe(health.freshnessLagSeconds);
      expect(sourceMetric(emf, 'ConsecutiveFailures', sourceId).values['ConsecutiveFailures']).toBe(health.consecutiveFailures);
      expect(sourceMetric(emf, 'LeaseStuck', sourceId).values['LeaseStuck']).toBe(health.leaseStuck);
    }
  });
});

describe('admin handler (API Gateway v2, IAM-authorised routes)', () => {
  let admin: HttpEntry;
  const context = () => lambdaContext('tributary-admin', 30);
  const call = (routeKey: string, options: Parameters<typeof httpEvent>[1]) => admin(httpEvent(routeKey, options), context());
  const takeFetchTasks = async () => {
    const messages = await receiveAll(urls.fetch);
    for (const m of messages) await servers.sqs.send(new DeleteMessageCommand({ QueueUrl: urls.fetch, ReceiptHandle: m.ReceiptHandle }));
    return messages.map((m) => decodeFetchTask(m.Body ?? ''));
  };

  beforeAll(async () => {
    admin = await load(fullEnv(), () => import('../../functions/admin/handler.ts'));
    await takeFetchTasks();
  });

  it('GET /admin/sources lists every source with its health', async () => {
    const response = await call('GET /admin/sources', { path: '/admin/sources' });
    expect(response.statusCode).toBe(200);
    const sources = jsonOf(response)['sources'] as Array<Record<string, unknown>>;
    expect(sources.map((s) => s['sourceId'])).toEqual(['docs', 'notes']);
    expect(sources[0]!['watermark']).not.toBeNull();
    expect(sources[0]!['lastRun']).toMatchObject({ sourceId: 'docs' });
    expect(sources[1]).toMatchObject({ freshnessLagSeconds: NEVER_SYNCED_LAG_SECONDS, watermark: null, lastRun: null });
  });

  it('POST …/sync answers 202 and puts a fetch task on the queue', async () => {
    const response = await call('POST /admin/sources/{sourceId}/sync', { path: '/admin/sources/docs/sync', pathParameters: { sourceId: 'docs' } });
    expect(response.statusCode).toBe(202);
    const tasks = await takeFetchTasks();
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ type: 'fetch', sourceId: 'docs', trigger: 'admin' });
    expect(tasks[0]!.full).toBeUndefined();
  });

  it('POST …/resync needs {"confirm":"<sourceId>"}: 400 without it, 202 with it (plain or base64)', async () => {
    const route = 'POST /admin/sources/{sourceId}/resync';
    const base = { path: '/admin/sources/docs/resync', pathParameters: { sourceId: 'docs' } };
    const missing = await call(route, base);
    expect(missing.statusCode).toBe(400);
    expect(jsonOf(missing)['error']).toContain('{"confirm":"docs"}');
    expect((await call(route, { ...base, body: '{"confirm":"notes"}' })).statusCode).toBe(400);
    expect((await call(route, { ...base, body: '{confirm' })).statusCode).toBe(400);
    expect(await takeFetchTasks()).toEqual([]);

    expect((await call(route, { ...base, body: '{"confirm":"docs"}' })).statusCode).toBe(202);
    const tasks = await takeFetchTasks();
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ sourceId: 'docs', trigger: 'admin', full: true });

    const encoded = Buffer.from('{"confirm":"docs"}').toString('base64');
    expect((await call(route, { ...base, body: encoded, isBase64Encoded: true })).statusCode).toBe(202);
    await takeFetchTasks();
  });

  it('GET …/runs answers 200 with the run history', async () => {
    const response = await call('GET /admin/sources/{sourceId}/runs', { path: '/admin/sources/docs/runs', pathParameters: { sourceId: 'docs' }, query: { limit: '5' } });
    expect(response.statusCode).toBe(200);
    const runs = jsonOf(response)['runs'] as Array<Record<string, unknown>>;
    expect(runs.length).toBeGreaterThanOrEqual(1);
    for (const run of runs) expect(run['sourceId']).toBe('docs');
  });

  it('GET /admin/search answers 200 with the matching chunks', async () => {
    const response = await call('GET /admin/search', { path: '/admin/search', query: { q: 'lighthouse keeper lamp wick', top: '3' } });
    expect(response.statusCode).toBe(200);
    const results = jsonOf(response)['results'] as Array<Record<string, unknown>>;
    expect(results.length).toBeGreaterThan(0);
    expect(results[0]).toMatchObject({ sourceId: 'docs', docId: 'lighthouse.md' });
    expect(String(results[0]!['text'])).toContain('lighthouse keeper');

    const filtered = await call('GET /admin/search', { path: '/admin/search', query: { q: 'lighthouse', source: 'notes' } });
    expect(jsonOf(filtered)['results']).toEqual([]);
    expect((await call('GET /admin/search', { path: '/admin/search', query: { q: 'x', top: '0' } })).statusCode).toBe(400);
  });

  it('GET /admin/search?as= finds only what those principals may see, and refuses a malformed principal', async () => {
    // Prepare: a restricted chunk written as the embedder writes one (its access on the vector).
    const text = 'The lighthouse keeper trims the lamp wick at dusk: the keepers\' rota.';
    const { vectors: [values] } = await new HashingEmbedder({ dimensions: 256 }).embed([text]);
    const store = await LanceDbVectorStore.open({ dir: lanceDir, dimensions: 256 });
    await store.upsert([{ id: 'docs#restricted#0', values: values!, metadata: { sourceId: 'docs', docId: 'keepers.md', chunkIndex: 0, text, access: ['user:keeper'] } }]);
    const docIds = async (query: Record<string, string>) => {
      const response = await call('GET /admin/search', { path: '/admin/search', query: { q: text, top: '10', ...query } });
      return (jsonOf(response)['results'] as Array<Record<string, unknown>>).map((r) => r['docId']);
    };

    try {
      // Act
      const operator = await docIds({});
      const keeper = await docIds({ as: 'user:keeper' });
      const visitor = await docIds({ as: 'user:visitor,group:guests' });
      const malformed = await call('GET /admin/search', { path: '/admin/search', query: { q: text, as: 'keeper' } });

      // Assess
      expect(operator).toContain('keepers.md');
      expect(keeper).toContain('keepers.md');
      expect(keeper).toContain('lighthouse.md');
      expect(visitor).not.toContain('keepers.md');
      expect(visitor).toContain('lighthouse.md');
      expect(malformed.statusCode).toBe(400);
      expect(String(jsonOf(malformed)['error'])).toMatch(/"keeper" is not a principal/);
    } finally {
      await store.delete(['docs#restricted#0']);
      await store.close();
    }
  });

  it('answers 404 for an unknown source or route', async () => {
    const ghost = { pathParameters: { sourceId: 'ghost' } };
    expect((await call('POST /admin/sources/{sourceId}/sync', { path: '/admin/sources/ghost/sync', ...ghost })).statusCode).toBe(404);
    expect((await call('GET /admin/sources/{sourceId}/runs', { path: '/admin/sources/ghost/runs', ...ghost })).statusCode).toBe(404);
    expect((await call('POST /admin/sources/{sourceId}/resync', { path: '/admin/sources/ghost/resync', ...ghost, body: '{"confirm":"ghost"}' })).statusCode).toBe(404);
    expect((await call('GET /admin/search', { path: '/admin/search', query: { q: 'x', source: 'ghost' } })).statusCode).toBe(404);
    expect((await call('DELETE /admin/sources', { path: '/admin/sources' })).statusCode).toBe(404);
    expect(await takeFetchTasks()).toEqual([]);
  });

  it('POST …/reset with confirmation deletes the source\'s vectors and state', async () => {
    const route = 'POST /admin/sources/{sourceId}/reset';
    const base = { path: '/admin/sources/docs/reset', pathParameters: { sourceId: 'docs' } };
    expect((await call(route, base)).statusCode).toBe(400);
    const response = await call(route, { ...base, body: '{"confirm":"docs"}' });
    expect(response.statusCode).toBe(200);
    expect(jsonOf(response)['vectorsDeleted']).toBeGreaterThan(0);
    const after = await call('GET /admin/search', { path: '/admin/search', query: { q: 'lighthouse keeper' } });
    expect(jsonOf(after)['results']).toEqual([]);
    expect((await state.getSource('docs'))?.watermark).toBeUndefined();
  });
});

describe('ingest handler (API Gateway v2 → state table + EventBridge)', () => {
  let ingest: HttpEntry;
  const context = () => lambdaContext('tributary-ingest', 30);
  const putEvents = () => events.calls.filter((c) => c.target === 'AWSEvents.PutEvents');
  /** What the stacks give the ingest function: its config (with a push source), the table, the bus and the push secret. */
  const ingestEnv = (): Record<string, string> => ({
    [ENV.config]: JSON.stringify({
      embedder: { kind: 'local', dimensions: 256 },
      vectorStore: { kind: 'lancedb', path: lanceDir },
      sources: [{ id: 'pushed', kind: 'push', webhook: { secretEnv: 'DOCS_WEBHOOK_SECRET' } }],
    }),
    [ENV.table]: tableName, [ENV.bus]: BUS, [ENV.secretIds]: JSON.stringify({ DOCS_WEBHOOK_SECRET: WEBHOOK_SECRET_ARN }),
  });
  const ingestEvent = (body: string, headers: Record<string, string> = {}): APIGatewayProxyEventV2 => httpEvent('POST /ingest/{sourceId}', {
    path: '/ingest/pushed', pathParameters: { sourceId: 'pushed' }, body,
    headers: { 'x-tributary-signature': signWebhook(WEBHOOK_SECRET, body, Math.floor(Date.now() / 1000)), ...headers },
  });

  beforeAll(async () => {
    ingest = await load(ingestEnv(), () => import('../../functions/ingest/handler.ts'));
    events.calls.length = 0;
  });

  it('stashes a signed batch in the table, answers per operation and puts one SourceChanged event naming the documents', async () => {
    const body = JSON.stringify({ operations: [
      { op: 'upsert', id: 'memo-1', text: 'The lighthouse memo.', version: 1 },
      { op: 'upsert', id: 'memo-2', version: 1 },
    ] });
    const response = await ingest(ingestEvent(body, { 'idempotency-key': 'handler-test-1' }), context());
    expect(response.statusCode).toBe(207);
    expect(jsonOf(response)['results']).toEqual([
      { index: 0, id: 'memo-1', status: 'accepted' },
      { index: 1, id: 'memo-2', status: 'rejected', reason: 'text: required: the document text (a string)' },
    ]);
    expect((await state.getStashed('pushed', ['memo-1', 'memo-2'])).get('memo-1')).toMatchObject({ text: 'The lighthouse memo.', version: '1' });

    expect(putEvents()).toHaveLength(1);
    const entries = putEvents()[0]!.body['Entries'] as Array<Record<string, string>>;
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ EventBusName: BUS, Source: EVENT_SOURCE, DetailType: EVENT_DETAIL_TYPE });
    const task = decodeFetchTask(entries[0]!['Detail']!);
    expect(task).toMatchObject({ type: 'fetch', sourceId: 'pushed', trigger: 'webhook', buffered: true });
    const buffered = await new DynamoDbHintBuffer(servers.ddb, tableName).takeHints({ sourceId: 'pushed', limit: 100 });
    expect(buffered.map((h) => h.id).filter((id) => id.startsWith('memo'))).toEqual(['memo-1']);

    // The retry with the same key is answered from the table, publishing nothing.
    const replay = await ingest(ingestEvent(body, { 'idempotency-key': 'handler-test-1' }), context());
    expect(replay.statusCode).toBe(207);
    expect(replay.headers?.['idempotent-replayed']).toBe('true');
    expect(replay.body).toBe(response.body);
    expect(putEvents()).toHaveLength(1);
    events.calls.length = 0;
  });

  it('refuses a bad signature with 401, stashing and publishing nothing', async () => {
    const body = JSON.stringify({ operations: [{ op: 'upsert', id: 'memo-9', text: 'x', version: 1 }] });
    const response = await ingest(ingestEvent(body, { 'x-tributary-signature': signWebhook('not-the-secret', body, Math.floor(Date.now() / 1000)) }), context());
    expect(response.statusCode).toBe(401);
    expect((await state.getStashed('pushed', ['memo-9'])).size).toBe(0);
    expect(putEvents()).toEqual([]);
  });
});
