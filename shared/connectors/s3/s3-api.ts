/**
 * The S3 calls the connector makes, over @aws-sdk/client-s3 imported on first use (every CLI
 * start and Lambda cold start loads the registry; only a configured S3 source pays for the
 * SDK). Retries are the SDK's standard strategy (`maxAttempts`): 503 SlowDown and other
 * throttling codes, 5xx, timeouts and connection failures back off with jitter (S3 sends no
 * Retry-After). What is left is mapped to the project's errors here, so the connector decides
 * with `instanceof`:
 *
 * - NoSuchBucket → ConfigError naming `bucket`;
 * - InvalidAccessKeyId, SignatureDoesNotMatch, ExpiredToken… → ProviderAuthError (not retryable) naming the credentials;
 * - AccessDenied on a listing → ProviderAuthError naming the missing `s3:ListBucket` permission;
 *   on an object → ObjectRefusedError, which the connector reports as that object's skip;
 * - NoSuchKey → undefined (the object is gone);
 * - retries used up, the endpoint unreachable → TransientError (the run resumes from its last page).
 */
import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import { ConfigError, TransientError, TributaryError } from '../../core/errors.ts';
import { ProviderAuthError } from '../kit/errors.ts';
import { s3UrlDecode } from './keys.ts';

export interface S3ApiOptions {
  readonly sourceId: string;
  readonly bucket: string;
  readonly region?: string;
  readonly endpoint?: string;
  readonly forcePathStyle: boolean;
  readonly maxAttempts: number;
  /** Static keys (`accessKeyIdEnv`/`secretAccessKeyEnv`), read on first use; undefined: the SDK's credential chain. */
  readonly credentials?: () => { accessKeyId: string; secretAccessKey: string };
}

/** One listed object: its key (decoded), ETag (unquoted), size and, from a versions listing, its version id. */
export interface ListedObject {
  readonly key: string;
  readonly etag: string;
  readonly size: number;
  readonly lastModified?: string;
  readonly versionId?: string;
}

export interface ListPage {
  readonly objects: readonly ListedObject[];
  /** Where the next page starts; undefined on the last page. */
  readonly next?: ListPosition;
}

/** ListObjectsV2's continuation token, or ListObjectVersions' key and version-id markers. */
export type ListPosition = { readonly token: string } | { readonly keyMarker: string; readonly versionIdMarker?: string | undefined };

export interface ObjectBody {
  readonly bytes: Uint8Array;
  readonly etag: string;
  readonly versionId?: string;
  readonly contentType?: string;
  readonly lastModified?: string;
  readonly size: number;
}

/** GetObject was refused for this one object (a bucket policy or an IAM grant that leaves it out, an archived storage class): that object's skip. */
export class ObjectRefusedError extends TributaryError {}

const AUTH_CODES = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'ExpiredToken', 'InvalidToken', 'TokenRefreshRequired', 'CredentialsProviderError']);

const unquote = (etag: string | undefined): string => (etag ?? '').replace(/"/g, '');
const iso = (date: Date | undefined): string | undefined => (date ? date.toISOString() : undefined);

export class S3Api {
  private client: Promise<{ client: S3Client; sdk: typeof import('@aws-sdk/client-s3') }> | undefined;
  /** Requests sent, by operation (for logs and tests). */
  readonly stats = { list: 0, get: 0 };

  constructor(private readonly options: S3ApiOptions) {}

  /** One ListObjectsV2 page (keys URL-encoded on the wire, so any key survives XML). */
  async listObjects(prefix: string, maxKeys: number, token?: string): Promise<ListPage> {
    const { client, sdk } = await this.sdk();
    this.stats.list += 1;
    const page = await this.call('list', prefix, () => client.send(new sdk.ListObjectsV2Command({
      Bucket: this.options.bucket, Prefix: prefix, MaxKeys: maxKeys, EncodingType: 'url', ...(token !== undefined ? { ContinuationToken: token } : {}),
    })));
    const decode = page.EncodingType === 'url' ? s3UrlDecode : (k: string) => k;
    const objects = (page.Contents ?? []).flatMap((o) => (o.Key === undefined ? [] : [{
      key: decode(o.Key), etag: unquote(o.ETag), size: o.Size ?? 0, ...(o.LastModified ? { lastModified: iso(o.LastModified)! } : {}),
    }]));
    if (page.IsTruncated && !page.NextContinuationToken) throw new TransientError(`S3 source "${this.options.sourceId}": a truncated ListObjectsV2 page came without a continuation token`);
    return { objects, ...(page.IsTruncated ? { next: { token: page.NextContinuationToken! } } : {}) };
  }

  /** One ListObjectVersions page, reduced to the current version of each live key (delete markers and older versions dropped). */
  async listLatestVersions(prefix: string, maxKeys: number, at?: { readonly keyMarker: string; readonly versionIdMarker?: string | undefined }): Promise<ListPage> {
    const { client, sdk } = await this.sdk();
    this.stats.list += 1;
    const page = await this.call('list', prefix, () => client.send(new sdk.ListObjectVersionsCommand({
      Bucket: this.options.bucket, Prefix: prefix, MaxKeys: maxKeys, EncodingType: 'url',
      ...(at ? { KeyMarker: at.keyMarker, ...(at.versionIdMarker ? { VersionIdMarker: at.versionIdMarker } : {}) } : {}),
    })));
    const decode = page.EncodingType === 'url' ? s3UrlDecode : (k: string) => k;
    const objects = (page.Versions ?? []).filter((v) => v.IsLatest && v.Key !== undefined).map((v) => ({
      key: decode(v.Key!), etag: unquote(v.ETag), size: v.Size ?? 0, ...(v.VersionId ? { versionId: v.VersionId } : {}),
      ...(v.LastModified ? { lastModified: iso(v.LastModified)! } : {}),
    }));
    if (!page.IsTruncated) return { objects };
    if (!page.NextKeyMarker) throw new TransientError(`S3 source "${this.options.sourceId}": a truncated ListObjectVersions page came without a key marker`);
    return { objects, next: { keyMarker: decode(page.NextKeyMarker), ...(page.NextVersionIdMarker ? { versionIdMarker: page.NextVersionIdMarker } : {}) } };
  }

  /** The object's current version with its body; undefined when there is none (deleted, or a delete marker). */
  async getObject(key: string, maxBytes: number): Promise<ObjectBody | 'tooLarge' | undefined> {
    const { client, sdk } = await this.sdk();
    this.stats.get += 1;
    let answer;
    try {
      answer = await this.call('get', key, () => client.send(new sdk.GetObjectCommand({ Bucket: this.options.bucket, Key: key })));
    } catch (error) {
      if (nameOf(error) === 'NoSuchKey' || nameOf(error) === 'NotFound') return undefined;
      throw error;
    }
    const size = answer.ContentLength ?? 0;
    if (size > maxBytes) {
      // The body is not read: destroy the stream so the socket is freed.
      (answer.Body as { destroy?: () => void } | undefined)?.destroy?.();
      return 'tooLarge';
    }
    const bytes = answer.Body ? await answer.Body.transformToByteArray() : new Uint8Array();
    return {
      bytes, etag: unquote(answer.ETag), size: bytes.byteLength,
      ...(answer.VersionId && answer.VersionId !== 'null' ? { versionId: answer.VersionId } : {}),
      ...(answer.ContentType ? { contentType: answer.ContentType } : {}),
      ...(answer.LastModified ? { lastModified: iso(answer.LastModified)! } : {}),
    };
  }

  close(): void {
    void this.client?.then(({ client }) => client.destroy()).catch(() => undefined);
    this.client = undefined;
  }

  private sdk(): Promise<{ client: S3Client; sdk: typeof import('@aws-sdk/client-s3') }> {
    this.client ??= (async () => {
      const sdk = await import('@aws-sdk/client-s3');
      const { region, endpoint, forcePathStyle, maxAttempts, credentials } = this.options;
      const config: S3ClientConfig = {
        forcePathStyle, maxAttempts,
        // A store other than AWS's needs some region to sign with; AWS's default chain finds the real one.
        ...(region !== undefined ? { region } : endpoint !== undefined ? { region: 'us-east-1' } : {}),
        ...(endpoint !== undefined ? { endpoint } : {}),
        ...(credentials ? { credentials: async () => credentials() } : {}),
      };
      return { client: new sdk.S3Client(config), sdk };
    })();
    return this.client;
  }

  /** Runs one SDK call, turning what the SDK did not retry into the project's errors. */
  private async call<T>(what: 'list' | 'get', key: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw this.mapped(error, what, key);
    }
  }

  private mapped(error: unknown, what: 'list' | 'get', key: string): unknown {
    if (error instanceof TributaryError) return error;
    const name = nameOf(error);
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    const { sourceId, bucket } = this.options;
    const where = `S3 source "${sourceId}"`;
    if (name === 'NoSuchKey' || name === 'NotFound') return error;
    if (name === 'NoSuchBucket') return new ConfigError(`${where}: bucket: no bucket "${bucket}"${this.options.endpoint ? ` at ${this.options.endpoint}` : ''}; fix "bucket" (or "region"/"endpoint") in the config`);
    if (AUTH_CODES.has(name) || (name === 'Error' && /credential/i.test(errorText(error)))) {
      return new ProviderAuthError(`${where}: S3 refused the credentials (${name}): ${this.options.credentials ? 'check accessKeyIdEnv/secretAccessKeyEnv' : 'check the SDK credential chain (the Lambda role, AWS_PROFILE, or set accessKeyIdEnv/secretAccessKeyEnv)'}`,
        { sourceId, provider: 'S3', method: what === 'list' ? 'GET' : 'GET', path: `/${bucket}`, ...(status !== undefined ? { status } : {}), cause: error });
    }
    if (name === 'AccessDenied' || status === 403) {
      if (what === 'get') return new ObjectRefusedError(`access denied: s3:GetObject on arn:aws:s3:::${bucket}/${key} is not allowed for these credentials`, { cause: error });
      return new ProviderAuthError(
        `${where}: access denied listing s3://${bucket}/${key}: the credentials need s3:ListBucket on arn:aws:s3:::${bucket}` +
          `${key ? ` (condition s3:prefix like "${key}*")` : ''}${this.options.credentials ? '' : '; on AWS the stacks grant it to the fetcher, check the bucket policy'}`,
        { sourceId, provider: 'S3', method: 'GET', path: `/${bucket}`, ...(status !== undefined ? { status } : {}), cause: error });
    }
    // The SDK gave up retrying (throttling, 5xx), or could not connect: a later run resumes.
    const retryable = (error as { $retryable?: unknown }).$retryable !== undefined || status === undefined || status >= 500 || status === 429 || name === 'SlowDown';
    if (retryable) return new TransientError(`${where}: S3 ${what === 'list' ? 'ListObjects' : 'GetObject'} failed after ${this.options.maxAttempts} attempts: ${name}${status ? ` (${status})` : ''}: ${errorText(error).slice(0, 200)}`, { cause: error });
    if (what === 'get') return new ObjectRefusedError(`S3 refused GetObject: ${name}${status ? ` (${status})` : ''}: ${errorText(error).slice(0, 200)}`, { cause: error });
    return new TributaryError(`${where}: S3 refused the listing: ${name}${status ? ` (${status})` : ''}: ${errorText(error).slice(0, 200)}`, { cause: error });
  }
}

function nameOf(error: unknown): string {
  return (error as { name?: unknown })?.name && typeof (error as { name?: unknown }).name === 'string' ? (error as { name: string }).name : 'Error';
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
