/**
 * Loopback stand-ins for the AWS services that have no emulator here (EventBridge, Secrets
 * Manager), and an authorizing proxy for the emulators that exist (dynalite, fauxqs). They
 * speak the AWS JSON protocol the SDK v3 clients use (X-Amz-Target), take the caller from the
 * access key id in the SigV4 Authorization header, and can ask an IAM check for every request,
 * answering AccessDeniedException as AWS does when it says no.
 */
import { randomUUID } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RequestContext } from './iam.ts';

/** Whether `caller` (an access key id) may perform `action` on `resource`. */
export type Authorize = (caller: string, action: string, resource: string, context?: RequestContext) => boolean;

export interface Denial {
  readonly caller: string;
  readonly action: string;
  readonly resource: string;
  readonly context?: RequestContext;
}

interface Answer {
  readonly status: number;
  readonly body: unknown;
}

interface Call {
  readonly target: string;
  readonly body: Record<string, unknown>;
  readonly caller: string;
}

export interface LoopbackService {
  readonly url: string;
  close(): Promise<void>;
}

const readBody = async (req: IncomingMessage): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

/** The access key id of a SigV4-signed request (`Credential=<id>/<date>/…`). */
export function callerOf(headers: IncomingMessage['headers']): string {
  return /Credential=([^/]+)\//.exec(String(headers['authorization'] ?? ''))?.[1] ?? 'anonymous';
}

const error = (type: string, message: string, status = 400): Answer => ({ status, body: { __type: type, message } });

async function listen(server: Server): Promise<LoopbackService> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

async function jsonService(contentType: string, handle: (call: Call) => Answer | Promise<Answer>): Promise<LoopbackService> {
  return listen(createServer((req, res) => {
    void readBody(req).then(async (raw) => {
      const text = raw.toString('utf8');
      const answer = await handle({ target: String(req.headers['x-amz-target'] ?? ''), body: (text ? JSON.parse(text) : {}) as Record<string, unknown>, caller: callerOf(req.headers) });
      res.writeHead(answer.status, { 'content-type': contentType, 'x-amzn-requestid': randomUUID() });
      res.end(JSON.stringify(answer.body));
    });
  }));
}

// ───────────── EventBridge ─────────────

export interface PutEventsEntry {
  readonly EventBusName?: string;
  readonly Source?: string;
  readonly DetailType?: string;
  readonly Detail?: string;
}

export interface FakeEventBridge extends LoopbackService {
  /** Every accepted PutEvents request: its entries and who sent them. */
  readonly requests: Array<{ caller: string; entries: PutEventsEntry[] }>;
  /** Requests refused for their size or entry count. */
  readonly rejected: string[];
  /** The next `n` entries fail with ThrottlingException (a partial failure, as PutEvents reports it). */
  throttleNext(n: number): void;
}

/** PutEvents limits, read strictly: 10 entries; 256 KB as 256,000 bytes per entry and per request. */
export const FAKE_PUT_EVENTS_LIMITS = { maxEntries: 10, maxBytes: 256_000 } as const;

const entrySize = (e: PutEventsEntry): number =>
  Buffer.byteLength(e.Source ?? '', 'utf8') + Buffer.byteLength(e.DetailType ?? '', 'utf8') + Buffer.byteLength(e.Detail ?? '', 'utf8');

/**
 * PutEvents with its limits. `deliver` receives each accepted entry (a test routes it as a
 * rule would); `authorize` decides `events:PutEvents` on the bus ARN.
 */
export async function startFakeEventBridge(options: {
  region: string; account: string; authorize?: Authorize; deliver?: (entry: PutEventsEntry) => Promise<void>;
}): Promise<FakeEventBridge> {
  const requests: FakeEventBridge['requests'] = [];
  const rejected: string[] = [];
  let throttle = 0;
  const service = await jsonService('application/x-amz-json-1.1', async ({ target, body, caller }) => {
    if (target !== 'AWSEvents.PutEvents') return error('UnknownOperationException', target);
    const entries = (body['Entries'] ?? []) as PutEventsEntry[];
    const total = entries.reduce((n, e) => n + entrySize(e), 0);
    if (entries.length === 0 || entries.length > FAKE_PUT_EVENTS_LIMITS.maxEntries) {
      rejected.push(`${entries.length} entries`);
      return error('ValidationException', `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length less than or equal to 10`);
    }
    if (total > FAKE_PUT_EVENTS_LIMITS.maxBytes) {
      rejected.push(`${total} bytes`);
      return error('ValidationException', 'Total size of the entries in the request is over the limit.');
    }
    for (const e of entries) {
      const bus = `arn:aws:events:${options.region}:${options.account}:event-bus/${e.EventBusName ?? 'default'}`;
      if (options.authorize && !options.authorize(caller, 'events:PutEvents', bus)) {
        return error('AccessDeniedException', `User: ${caller} is not authorized to perform: events:PutEvents on resource: ${bus}`);
      }
    }
    const results: Array<Record<string, string>> = [];
    const accepted: PutEventsEntry[] = [];
    for (const e of entries) {
      if (throttle > 0) {
        throttle--;
        results.push({ ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' });
        continue;
      }
      accepted.push(e);
      results.push({ EventId: randomUUID() });
      await options.deliver?.(e);
    }
    requests.push({ caller, entries: accepted });
    return { status: 200, body: { FailedEntryCount: entries.length - accepted.length, Entries: results } };
  });
  return { ...service, requests, rejected, throttleNext: (n) => void (throttle = n) };
}

// ───────────── Secrets Manager ─────────────

export interface FakeSecretsManager extends LoopbackService {
  /** The ARN Secrets Manager gave a secret: its name, a hyphen and 6 random characters. */
  arnOf(name: string): string;
  /** Every GetSecretValue: the SecretId asked for and by whom. */
  readonly reads: Array<{ caller: string; secretId: string }>;
}

/**
 * GetSecretValue by name, complete ARN or partial ARN, resolved as Secrets Manager does (an
 * ARN ending in `-` and 6 characters is complete); `authorize` decides
 * `secretsmanager:GetSecretValue` on the secret's real (complete) ARN.
 */
export async function startFakeSecretsManager(options: {
  region: string; account: string; secrets: Readonly<Record<string, string>>; authorize?: Authorize;
}): Promise<FakeSecretsManager> {
  const prefix = `arn:aws:secretsmanager:${options.region}:${options.account}:secret:`;
  const suffixOf = new Map(Object.keys(options.secrets).map((name) => [name, randomUUID().replace(/-/g, '').slice(0, 6)]));
  const arnOf = (name: string): string => `${prefix}${name}-${suffixOf.get(name) ?? 'XXXXXX'}`;
  const reads: FakeSecretsManager['reads'] = [];
  const find = (id: string): string | undefined => {
    if (!id.startsWith('arn:')) return id in options.secrets ? id : undefined;
    if (!id.startsWith(prefix)) return undefined;
    const rest = id.slice(prefix.length);
    if (/-[A-Za-z0-9]{6}$/.test(rest)) return Object.keys(options.secrets).find((name) => arnOf(name) === id);
    return rest in options.secrets ? rest : undefined;
  };
  const service = await jsonService('application/x-amz-json-1.1', ({ target, body, caller }) => {
    if (target !== 'secretsmanager.GetSecretValue') return error('UnknownOperationException', target);
    const id = String(body['SecretId'] ?? '');
    reads.push({ caller, secretId: id });
    const name = find(id);
    // IAM is evaluated on the ARN asked for when the secret does not exist.
    const resource = name !== undefined ? arnOf(name) : id.startsWith('arn:') ? id : `${prefix}${id}`;
    if (options.authorize && !options.authorize(caller, 'secretsmanager:GetSecretValue', resource)) {
      return error('AccessDeniedException', `User: ${caller} is not authorized to perform: secretsmanager:GetSecretValue on resource: ${id}`);
    }
    if (name === undefined) return error('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    return { status: 200, body: { ARN: arnOf(name), Name: name, SecretString: options.secrets[name], VersionId: randomUUID(), VersionStages: ['AWSCURRENT'] } };
  });
  return { ...service, arnOf, reads };
}

// ───────────── authorizing proxy (dynalite, fauxqs) ─────────────

/** An IAM request: the action, the resource ARN and the context keys conditions read. */
export interface IamRequest {
  readonly action: string;
  readonly resource: string;
  readonly context?: RequestContext;
}

export interface AuthorizingProxy extends LoopbackService {
  /** Every IAM request checked, allowed or not. */
  readonly checked: Denial[];
  readonly denials: Denial[];
}

/**
 * Forwards AWS JSON requests to `upstream` when every IAM request `iamRequestsOf` derives from
 * them is authorized; answers AccessDeniedException otherwise.
 */
export async function startAuthorizingProxy(options: {
  upstream: string; authorize: Authorize; iamRequestsOf: (target: string, body: Record<string, unknown>) => IamRequest[];
}): Promise<AuthorizingProxy> {
  const denials: Denial[] = [];
  const checked: Denial[] = [];
  const upstream = new URL(options.upstream);
  const service = await listen(createServer((req, res) => {
    void readBody(req).then((raw) => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const caller = callerOf(req.headers);
      const body = (raw.length > 0 ? JSON.parse(raw.toString('utf8')) : {}) as Record<string, unknown>;
      const requests = options.iamRequestsOf(target, body);
      checked.push(...requests.map((r) => ({ caller, ...r })));
      const denied = requests.find((r) => !options.authorize(caller, r.action, r.resource, r.context));
      if (denied) {
        denials.push({ caller, ...denied });
        res.writeHead(400, { 'content-type': String(req.headers['content-type'] ?? 'application/x-amz-json-1.0'), 'x-amzn-requestid': randomUUID() });
        res.end(JSON.stringify({ __type: 'com.amazon.coral.service#AccessDeniedException', message: `User: ${caller} is not authorized to perform: ${denied.action} on resource: ${denied.resource}` }));
        return;
      }
      const forward = httpRequest({
        host: upstream.hostname, port: upstream.port, method: req.method, path: req.url,
        headers: { ...req.headers, host: upstream.host, 'content-length': String(raw.length) },
      }, (upstreamRes) => {
        res.writeHead(upstreamRes.statusCode ?? 500, upstreamRes.headers);
        upstreamRes.pipe(res);
      });
      forward.on('error', (e) => {
        res.writeHead(502);
        res.end(String(e));
      });
      forward.end(raw);
    });
  }));
  return { ...service, checked, denials };
}

type Attr = Record<string, { S?: string }>;
const pkOf = (item: unknown): string | undefined => (item as Attr | undefined)?.['pk']?.S;

/** The IAM requests of a DynamoDB call on the state table (pk/sk): action, table ARN, `dynamodb:LeadingKeys`. */
export function dynamoDbIamRequests(region: string, account: string) {
  const tableArn = (name: string): string => `arn:aws:dynamodb:${region}:${account}:table/${name}`;
  return (target: string, body: Record<string, unknown>): IamRequest[] => {
    const action = `dynamodb:${target.split('.')[1] ?? ''}`;
    const keys = (values: Array<string | undefined>): RequestContext => {
      const present = values.filter((v): v is string => v !== undefined);
      return present.length > 0 ? { 'dynamodb:LeadingKeys': [...new Set(present)] } : {};
    };
    const items = body['RequestItems'] as Record<string, unknown> | undefined;
    if (items) {
      return Object.entries(items).map(([table, request]) => {
        const requests = Array.isArray(request)
          ? (request as Array<{ PutRequest?: { Item: unknown }; DeleteRequest?: { Key: unknown } }>).map((r) => pkOf(r.PutRequest?.Item ?? r.DeleteRequest?.Key))
          : ((request as { Keys: unknown[] }).Keys).map(pkOf);
        return { action, resource: tableArn(table), context: keys(requests) };
      });
    }
    const table = String(body['TableName'] ?? '');
    let pk = pkOf(body['Key'] ?? body['Item']);
    const condition = body['KeyConditionExpression'];
    if (typeof condition === 'string') {
      const placeholder = /\bpk\s*=\s*(:[A-Za-z0-9_]+)/.exec(condition)?.[1];
      pk = placeholder ? (body['ExpressionAttributeValues'] as Attr | undefined)?.[placeholder]?.S : undefined;
    }
    return [{ action, resource: tableArn(table), context: keys([pk]) }];
  };
}

const SQS_BATCH_ACTIONS: Readonly<Record<string, string>> = {
  SendMessageBatch: 'SendMessage', DeleteMessageBatch: 'DeleteMessage', ChangeMessageVisibilityBatch: 'ChangeMessageVisibility',
};

/** The IAM request of an SQS call: action (batch actions are authorized as their single form) and queue ARN. */
export function sqsIamRequests(arnOfQueueUrl: (url: string) => string) {
  return (target: string, body: Record<string, unknown>): IamRequest[] => {
    const name = target.split('.')[1] ?? '';
    return [{ action: `sqs:${SQS_BATCH_ACTIONS[name] ?? name}`, resource: arnOfQueueUrl(String(body['QueueUrl'] ?? '')) }];
  };
}
