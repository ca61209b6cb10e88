/**
 * S3's REST endpoint over loopback HTTP (fastify, path-style `/<bucket>/<key>`), and the handle.
 *
 * Sources:
 * - Path-style requests and operation dispatch by method + subresource (`?list-type=2`,
 *   `?versions`, `?versioning`, `?delete`, `x-amz-copy-source`): the "Request Syntax" of each
 *   operation in the API Reference; /userguide/VirtualHosting.html ("Path-style requests").
 * - Order of checks: authentication (403/400), then bucket existence (404 NoSuchBucket), then
 *   access (403), then the operation — as S3 answers an unsigned or foreign request.
 * - Every answer carries `x-amz-request-id` and `x-amz-id-2` and `Server: AmazonS3`
 *   (API/RESTCommonResponseHeaders.html); errors are application/xml (./errors.ts).
 */

import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { authenticate, type Credentials } from './auth.ts';
import { accessDenied, injected, noSuchBucket, notImplemented, S3Error, slowDown } from './errors.ts';
import { EventLog, type EventContext, type S3EventBridgeEvent } from './events.ts';
import { getBucketVersioning, listBuckets, listObjectsV2, listObjectVersions } from './listing.ts';
import { copyObject, dechunk, deleteObject, deleteObjects, getObject, putObject, type ObjectContext, type Reply } from './objects.ts';
import { Store, type Bucket } from './store.ts';
import { Faults, PrefixLimiter, partitionOf, type RateClass, type RequestRates } from './throttle.ts';

export interface S3EmulatorOptions {
  /** Epoch-ms clock for LastModified, event times, sequencers and rate windows. @default Date.now */
  readonly now?: () => number;
  /** @default us-east-1 */
  readonly region?: string;
  /** Accepted keys. @default one key AKIAEMULATOR / emulator-secret, account 111122223333 */
  readonly credentials?: readonly Credentials[];
  /** Recompute SigV4 signatures (else only the key and scope are checked). @default true */
  readonly verifySignatures?: boolean;
  /** Per-prefix request rates, or false for none. @default the documented 5,500 read / 3,500 write */
  readonly requestRates?: RequestRates | false;
  /** How keys appear in EventBridge events (see ./events.ts). @default 'url' */
  readonly eventKeyEncoding?: 'url' | 'raw';
}

export interface RecordedRequest {
  readonly at: number;
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  /** S3 operation name, e.g. "ListObjectsV2", "GetObject". */
  readonly operation: string;
  readonly bucket?: string;
  readonly key?: string;
  readonly status: number;
  readonly errorCode?: string;
}

export const DEFAULT_CREDENTIALS: Credentials = { accessKeyId: 'AKIAEMULATOR', secretAccessKey: 'emulator-secret', accountId: '111122223333' };

function parseQuery(raw: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = decodeURIComponent(eq < 0 ? part : part.slice(0, eq));
    out[name] = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1).replace(/\+/g, '%20'));
  }
  return out;
}

function operationOf(method: string, key: string | undefined, query: Record<string, string>, headers: Record<string, unknown>): string {
  if (key === undefined) {
    if (method === 'GET' && 'versions' in query) return 'ListObjectVersions';
    if (method === 'GET' && 'versioning' in query) return 'GetBucketVersioning';
    if (method === 'GET' && query['list-type'] === '2') return 'ListObjectsV2';
    if (method === 'GET') return 'ListObjects';
    if (method === 'POST' && 'delete' in query) return 'DeleteObjects';
    if (method === 'HEAD') return 'HeadBucket';
    return `${method}Bucket`;
  }
  if (method === 'GET') return 'GetObject';
  if (method === 'HEAD') return 'HeadObject';
  if (method === 'PUT') return headers['x-amz-copy-source'] !== undefined ? 'CopyObject' : 'PutObject';
  if (method === 'DELETE') return 'DeleteObject';
  return `${method}Object`;
}

export class S3Emulator {
  /** Base URL for the SDK's `endpoint` (use `forcePathStyle: true`). */
  url = '';
  readonly store: Store;
  readonly region: string;
  readonly log: RecordedRequest[] = [];
  private readonly now: () => number;
  private readonly eventLog: EventLog;
  private readonly limiter: PrefixLimiter;
  private readonly faults = new Faults();
  private readonly keys: Credentials[];
  private readonly app: FastifyInstance = Fastify({ logger: false, forceCloseConnections: true, bodyLimit: 256 * 1024 * 1024 });

  constructor(private readonly options: S3EmulatorOptions) {
    this.now = options.now ?? (() => Date.now());
    this.region = options.region ?? 'us-east-1';
    this.keys = [...(options.credentials ?? [DEFAULT_CREDENTIALS])];
    this.store = new Store(this.now);
    this.eventLog = new EventLog(this.now, options.eventKeyEncoding ?? 'url');
    this.limiter = new PrefixLimiter(this.now, options.requestRates ?? {});
    this.app.removeAllContentTypeParsers();
    this.app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    this.app.route({
      method: ['GET', 'HEAD', 'PUT', 'POST', 'DELETE'], url: '/*', exposeHeadRoute: false,
      handler: async (request, reply) => {
        const r = await this.handle(request.method, request.raw.url ?? '/', request.headers, Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0), request.ip);
        void reply.code(r.status).headers(r.headers);
        return reply.send(request.method === 'HEAD' || r.status === 304 || r.status === 204 ? undefined : (r.body ?? ''));
      },
    });
  }

  static async start<T extends S3Emulator>(this: new (o: S3EmulatorOptions) => T, options: S3EmulatorOptions = {}): Promise<T> {
    const emulator = new this(options);
    emulator.url = await emulator.app.listen({ port: 0, host: '127.0.0.1' });
    return emulator;
  }

  async close(): Promise<void> {
    await this.app.close();
  }

  // ───────────── control: rates, faults, logs ─────────────

  setRequestRates(rates: RequestRates | false): void {
    this.limiter.set(rates);
  }

  /** The next `count` requests of `operation` ("*" for any) fail with `status` (S3's code for it, or `code`). */
  failNext(operation: string, count: number, status: number, code?: string): void {
    this.faults.add(operation, count, status, code);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  requests(): readonly RecordedRequest[] {
    return this.log;
  }

  /** Requests of an operation (optionally only those answered with `status`). */
  count(operation: string, status?: number): number {
    return this.log.filter((r) => r.operation === operation && (status === undefined || r.status === status)).length;
  }

  /** Calls per operation, e.g. { ListObjectsV2: 3, GetObject: 40 }. */
  countsByOperation(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.log) out[r.operation] = (out[r.operation] ?? 0) + 1;
    return out;
  }

  /** Every EventBridge event emitted so far, in emission order. */
  events(): readonly S3EventBridgeEvent[] {
    return this.eventLog.emitted;
  }

  /** Returns and forgets the emitted events. */
  takeEvents(): S3EventBridgeEvent[] {
    return this.eventLog.emitted.splice(0);
  }

  protected get events_(): EventLog {
    return this.eventLog;
  }

  /** Event fields for a mutation made through the control API (as the first key's account, or by S3 Lifecycle). */
  protected controlContext(lifecycle = false): EventContext {
    const account = this.keys[0]?.accountId ?? DEFAULT_CREDENTIALS.accountId!;
    const base = { account, region: this.region, requestId: requestId() };
    return lifecycle ? { ...base, requester: 's3.amazonaws.com' } : { ...base, requester: account, sourceIp: '127.0.0.1' };
  }

  // ───────────── HTTP ─────────────

  private async handle(method: string, rawUrl: string, headers: Record<string, string | string[] | undefined>, rawBody: Buffer, ip: string): Promise<Reply> {
    const q = rawUrl.indexOf('?');
    const rawPath = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const query = parseQuery(q < 0 ? '' : rawUrl.slice(q + 1));
    const slash = rawPath.indexOf('/', 1);
    const bucketName = decodeURIComponent(slash < 0 ? rawPath.slice(1) : rawPath.slice(1, slash)) || undefined;
    const key = slash < 0 || slash === rawPath.length - 1 ? undefined : decodeURIComponent(rawPath.slice(slash + 1));
    const operation = bucketName === undefined ? 'ListBuckets' : operationOf(method, key, query, headers);
    const id = requestId();
    const hostId = randomBytes(48).toString('base64');
    const common = { 'x-amz-request-id': id, 'x-amz-id-2': hostId, server: 'AmazonS3' };
    let reply: Reply;
    try {
      const caller = await authenticate({ method, rawPath, query, headers }, this.keys, this.region, this.options.verifySignatures ?? true);
      if (caller instanceof S3Error) throw caller;
      const fault = this.faults.take(operation);
      if (fault) throw injected(fault.status, fault.code);
      const kind: RateClass = method === 'GET' || method === 'HEAD' ? 'read' : 'write';
      if (bucketName !== undefined && !this.limiter.take(partitionOf(bucketName, key ?? query['prefix'] ?? ''), kind)) throw slowDown();
      reply = this.dispatch(operation, bucketName, key, query, headers, rawBody, {
        account: caller.accountId ?? DEFAULT_CREDENTIALS.accountId!, region: this.region, requestId: id, requester: caller.accountId ?? '111122223333', sourceIp: ip,
      });
    } catch (error) {
      if (!(error instanceof S3Error)) throw error;
      const errorHeaders: Record<string, string> = { ...error.headers, ...(method === 'HEAD' ? {} : { 'content-type': 'application/xml' }) };
      reply = { status: error.status, headers: errorHeaders, body: method === 'HEAD' ? undefined : error.toXml(id, hostId) } as Reply;
      this.record(method, rawPath, query, operation, bucketName, key, error.status, error.code);
      return { ...reply, headers: { ...reply.headers, ...common } };
    }
    this.record(method, rawPath, query, operation, bucketName, key, reply.status);
    return { ...reply, headers: { ...reply.headers, ...common } };
  }

  private record(method: string, path: string, query: Record<string, string>, operation: string, bucket: string | undefined, key: string | undefined, status: number, errorCode?: string): void {
    this.log.push({
      at: this.now(), method, path, query, operation, status,
      ...(bucket !== undefined ? { bucket } : {}), ...(key !== undefined ? { key } : {}), ...(errorCode !== undefined ? { errorCode } : {}),
    });
  }

  private dispatch(operation: string, bucketName: string | undefined, key: string | undefined, query: Record<string, string>,
    headers: Record<string, string | string[] | undefined>, rawBody: Buffer, event: EventContext): Reply {
    const xml = (body: string): Reply => ({ status: 200, headers: { 'content-type': 'application/xml' }, body });
    if (bucketName === undefined) return xml(listBuckets(this.store, event.account));
    const bucket: Bucket | undefined = this.store.buckets.get(bucketName);
    if (!bucket) throw noSuchBucket(bucketName);
    if (bucket.denied) throw accessDenied();
    const ctx: ObjectContext = { store: this.store, events: this.eventLog, event, headers, query };
    const encoding = String(headers['content-encoding'] ?? '');
    const streamed = encoding.includes('aws-chunked') || String(headers['x-amz-content-sha256'] ?? '').startsWith('STREAMING-');
    const body = streamed ? dechunk(rawBody) : rawBody;
    switch (operation) {
      case 'ListObjectsV2': return xml(listObjectsV2(this.store, bucket, query, event.account));
      case 'ListObjectVersions': return xml(listObjectVersions(bucket, query, event.account));
      case 'GetBucketVersioning': return xml(getBucketVersioning(bucket));
      case 'HeadBucket': return { status: 200, headers: { 'x-amz-bucket-region': this.region } };
      case 'DeleteObjects': return deleteObjects(ctx, bucket, body);
      case 'GetObject': return getObject(ctx, bucket, key!, false);
      case 'HeadObject': return getObject(ctx, bucket, key!, true);
      case 'PutObject': return putObject(ctx, bucket, key!, body);
      case 'CopyObject': return copyObject(ctx, bucket, key!, String(headers['x-amz-copy-source']));
      case 'DeleteObject': return deleteObject(ctx, bucket, key!);
      default: throw notImplemented(operation);
    }
  }
}

/** 16 upper-case hex/alnum characters, like "N4N7GDK58NMKJ12R". */
function requestId(): string {
  const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  return [...randomBytes(16)].map((b) => alphabet[b % 36]).join('');
}
