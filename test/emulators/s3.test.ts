/**
 * The S3 emulator through the official @aws-sdk/client-s3 (so the SDK parses every answer),
 * and against S3's documented payloads (./s3/samples.ts): listing order, pagination, encoding,
 * versions and delete markers, Range and conditionals, auth, errors as SDK exception types,
 * 503 SlowDown, and the EventBridge events.
 */
import {
  CopyObjectCommand, DeleteObjectCommand, DeleteObjectsCommand, GetBucketVersioningCommand, GetObjectCommand, HeadObjectCommand,
  ListObjectsV2Command, ListObjectVersionsCommand, NoSuchBucket, NoSuchKey, NotFound, paginateListObjectsV2, PutObjectCommand, S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EVENT_LIFECYCLE_EXPIRATION, EVENT_OBJECT_CREATED, EVENT_OBJECT_DELETED, jsonShape, LIST_V2_XML, VERSIONING_XML, xmlShape } from './s3/samples.ts';
import { compareSequencers, DEFAULT_CREDENTIALS, EMPTY_MD5, multipartEtag, startS3, type S3Emulator } from './s3.ts';

const T0 = Date.parse('2026-03-02T09:00:00Z');
let s3: S3Emulator;
let nowMs: number;
let sdk: S3Client;

const client = (creds = DEFAULT_CREDENTIALS, maxAttempts = 1): S3Client => new S3Client({
  endpoint: s3.url, forcePathStyle: true, region: 'us-east-1', maxAttempts,
  credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey },
});

beforeEach(async () => {
  nowMs = T0;
  s3 = await startS3({ now: () => nowMs });
  s3.createBucket('docs', { eventBridge: true });
  s3.createBucket('vers', { versioning: 'Enabled', eventBridge: true });
  sdk = client();
});

afterEach(async () => {
  sdk.destroy();
  await s3.close();
});

const AWKWARD = ['a b.txt', 'c++/notes+1.md', 'résumé.pdf', '日本語/文書.txt', '🚀 launch.md', 'Z-upper', 'a/', `${'x'.repeat(1000)}.txt`];

describe('ListObjectsV2', () => {
  it('lists in UTF-8 binary order, follows pagination to the end, counts KeyCount with prefixes', async () => {
    for (const key of AWKWARD) s3.putObject('docs', key, `body of ${key}`);
    for (let i = 0; i < 25; i += 1) s3.putObject('docs', `many/${String(i).padStart(3, '0')}`, '');
    const keys: string[] = [];
    let pages = 0;
    for await (const page of paginateListObjectsV2({ client: sdk, pageSize: 7 }, { Bucket: 'docs' })) {
      pages += 1;
      expect(page.KeyCount).toBe(page.Contents?.length ?? 0);
      keys.push(...(page.Contents ?? []).map((c) => c.Key!));
    }
    const sorted = [...AWKWARD, ...Array.from({ length: 25 }, (_, i) => `many/${String(i).padStart(3, '0')}`)]
      .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    expect(keys).toEqual(sorted);
    expect(pages).toBe(Math.ceil(sorted.length / 7));
    expect(s3.count('ListObjectsV2')).toBe(pages);

    const rolled = await sdk.send(new ListObjectsV2Command({ Bucket: 'docs', Delimiter: '/', MaxKeys: 3 }));
    expect(rolled.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['a/']);
    expect(rolled.KeyCount).toBe(3);
    const after = await sdk.send(new ListObjectsV2Command({ Bucket: 'docs', Delimiter: '/', ContinuationToken: rolled.NextContinuationToken! }));
    expect(after.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['c++/', 'many/', '日本語/']);
    const [first] = (await sdk.send(new ListObjectsV2Command({ Bucket: 'docs', StartAfter: 'many/023', FetchOwner: true }))).Contents ?? [];
    expect(first).toMatchObject({ Key: 'many/024', Size: 0, ETag: `"${EMPTY_MD5}"`, StorageClass: 'STANDARD', Owner: { ID: expect.any(String) } });
  });

  it('URL-encodes keys with encoding-type=url, and matches the documented document shape', async () => {
    s3.putObject('docs', 'a b/🚀+.txt', 'x', { lastModified: Date.parse('2009-10-12T17:50:30Z') });
    const page = await sdk.send(new ListObjectsV2Command({ Bucket: 'docs', EncodingType: 'url' }));
    expect(page.Contents?.[0]?.Key).toBe('a+b/%F0%9F%9A%80%2B.txt');
    const raw = await (await fetch(`${s3.url}/docs?list-type=2`, { headers: await signedHeaders(`${s3.url}/docs?list-type=2`) })).text();
    expect(xmlShape(raw).filter((n) => n !== 'Contents')).toEqual(xmlShape(LIST_V2_XML).filter((n) => n !== 'Contents'));
    expect(raw).toContain('<LastModified>2009-10-12T17:50:30.000Z</LastModified>');
    expect(raw).toContain('<ETag>&quot;9dd4e461268c8034f5c8564e155c67a6&quot;</ETag>');
  });

  it('answers bad parameters with S3 InvalidArgument, unknown buckets with NoSuchBucket, foreign keys with 403', async () => {
    await expect(sdk.send(new ListObjectsV2Command({ Bucket: 'docs', ContinuationToken: 'bogus' }))).rejects.toMatchObject({ name: 'InvalidArgument', $metadata: { httpStatusCode: 400 } });
    await expect(sdk.send(new ListObjectsV2Command({ Bucket: 'nope' }))).rejects.toBeInstanceOf(NoSuchBucket);
    const stranger = client({ accessKeyId: 'AKIASTRANGER', secretAccessKey: 'x' });
    await expect(stranger.send(new ListObjectsV2Command({ Bucket: 'docs' }))).rejects.toMatchObject({ name: 'InvalidAccessKeyId', $metadata: { httpStatusCode: 403 } });
    const forger = client({ accessKeyId: DEFAULT_CREDENTIALS.accessKeyId, secretAccessKey: 'wrong' });
    await expect(forger.send(new ListObjectsV2Command({ Bucket: 'docs' }))).rejects.toMatchObject({ name: 'SignatureDoesNotMatch' });
    stranger.destroy();
    forger.destroy();
    s3.createBucket('theirs', { denied: true });
    await expect(sdk.send(new ListObjectsV2Command({ Bucket: 'theirs' }))).rejects.toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    expect((await fetch(`${s3.url}/docs?list-type=2`)).status).toBe(403);
  });
});

describe('objects', () => {
  it('round-trips bodies, metadata and ETags through the SDK; Range, If-None-Match, If-Match', async () => {
    const put = await sdk.send(new PutObjectCommand({ Bucket: 'docs', Key: '日本語 🚀.md', Body: 'héllo wörld', ContentType: 'text/markdown', Metadata: { author: 'ana' } }));
    expect(put.ETag).toMatch(/^"[0-9a-f]{32}"$/);
    const got = await sdk.send(new GetObjectCommand({ Bucket: 'docs', Key: '日本語 🚀.md' }));
    expect(await got.Body!.transformToString()).toBe('héllo wörld');
    expect(got).toMatchObject({ ContentType: 'text/markdown', Metadata: { author: 'ana' }, ETag: put.ETag, ContentLength: 13 });
    const part = await sdk.send(new GetObjectCommand({ Bucket: 'docs', Key: '日本語 🚀.md', Range: 'bytes=0-1' }));
    expect(part.ContentRange).toBe('bytes 0-1/13');
    await expect(sdk.send(new GetObjectCommand({ Bucket: 'docs', Key: '日本語 🚀.md', IfNoneMatch: put.ETag }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 304 } });
    await expect(sdk.send(new GetObjectCommand({ Bucket: 'docs', Key: '日本語 🚀.md', IfMatch: '"0"' }))).rejects.toMatchObject({ name: 'PreconditionFailed' });
    s3.putObject('docs', 'empty', '');
    await expect(sdk.send(new GetObjectCommand({ Bucket: 'docs', Key: 'empty', Range: 'bytes=0-' }))).rejects.toMatchObject({ name: 'InvalidRange' });
    await expect(sdk.send(new GetObjectCommand({ Bucket: 'docs', Key: 'gone' }))).rejects.toBeInstanceOf(NoSuchKey);
    await expect(sdk.send(new HeadObjectCommand({ Bucket: 'docs', Key: 'gone' }))).rejects.toBeInstanceOf(NotFound);
    s3.denyPrefix('docs', 'secret/');
    s3.putObject('docs', 'secret/plan', 'x');
    await expect(sdk.send(new GetObjectCommand({ Bucket: 'docs', Key: 'secret/plan' }))).rejects.toMatchObject({ name: 'AccessDenied' });
    const big = Buffer.alloc(3 * 1024 * 1024, 7);
    s3.putObject('docs', 'big.bin', big, { parts: 3 });
    const head = await sdk.send(new HeadObjectCommand({ Bucket: 'docs', Key: 'big.bin' }));
    expect(head.ETag).toBe(`"${multipartEtag(big, 3)}"`);
    expect(head.ETag).toMatch(/-3"$/);
    await expect(sdk.send(new PutObjectCommand({ Bucket: 'docs', Key: 'k'.repeat(1025), Body: 'x' }))).rejects.toMatchObject({ name: 'KeyTooLongError' });
    // A stream body goes out aws-chunked with a trailing checksum; the stored body is the payload.
    await sdk.send(new PutObjectCommand({ Bucket: 'docs', Key: 'streamed', Body: Readable.from([Buffer.from('chunk one, '), Buffer.from('chunk two')]), ContentLength: 20 }));
    expect(s3.head('docs', 'streamed')?.body.toString()).toBe('chunk one, chunk two');
  });

  it('keeps versions and delete markers; DeleteObjects and CopyObject', async () => {
    const v1 = await sdk.send(new PutObjectCommand({ Bucket: 'vers', Key: 'doc', Body: 'one' }));
    await sdk.send(new PutObjectCommand({ Bucket: 'vers', Key: 'doc', Body: 'two' }));
    const del = await sdk.send(new DeleteObjectCommand({ Bucket: 'vers', Key: 'doc' }));
    expect(del.DeleteMarker).toBe(true);
    await expect(sdk.send(new GetObjectCommand({ Bucket: 'vers', Key: 'doc' }))).rejects.toBeInstanceOf(NoSuchKey);
    const old = await sdk.send(new GetObjectCommand({ Bucket: 'vers', Key: 'doc', VersionId: v1.VersionId! }));
    expect(await old.Body!.transformToString()).toBe('one');
    const listed = await sdk.send(new ListObjectVersionsCommand({ Bucket: 'vers' }));
    expect(listed.DeleteMarkers).toMatchObject([{ Key: 'doc', IsLatest: true, VersionId: del.VersionId }]);
    expect(listed.Versions?.map((v) => [v.IsLatest, v.Size])).toEqual([[false, 3], [false, 3]]);
    expect((await sdk.send(new GetBucketVersioningCommand({ Bucket: 'vers' }))).Status).toBe('Enabled');
    expect((await sdk.send(new GetBucketVersioningCommand({ Bucket: 'docs' }))).Status).toBeUndefined();
    expect(xmlShape(VERSIONING_XML)).toEqual(['VersioningConfiguration', 'Status']);

    s3.putObject('docs', 'x y', 'x');
    await sdk.send(new CopyObjectCommand({ Bucket: 'docs', Key: 'moved/x y', CopySource: `docs/${encodeURIComponent('x y')}` }));
    const batch = await sdk.send(new DeleteObjectsCommand({ Bucket: 'docs', Delete: { Objects: [{ Key: 'x y' }, { Key: 'never' }] } }));
    expect(batch.Deleted?.map((d) => d.Key)).toEqual(['x y', 'never']);
    const left = await sdk.send(new ListObjectsV2Command({ Bucket: 'docs' }));
    expect(left.Contents?.map((c) => c.Key)).toEqual(['moved/x y']);
  });
});

describe('throttling and faults', () => {
  it('surfaces 503 SlowDown and injected 500s; the SDK retries them when allowed', async () => {
    s3.putObject('docs', 'p/a', 'x');
    s3.setRequestRates({ read: 2 });
    await sdk.send(new GetObjectCommand({ Bucket: 'docs', Key: 'p/a' }));
    await sdk.send(new GetObjectCommand({ Bucket: 'docs', Key: 'p/a' }));
    const err = await sdk.send(new GetObjectCommand({ Bucket: 'docs', Key: 'p/a' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(S3ServiceException);
    expect(err).toMatchObject({ name: 'SlowDown', $metadata: { httpStatusCode: 503 } });
    nowMs += 1001;
    s3.setRequestRates(false);
    s3.failNext('ListObjectsV2', 1, 500);
    const retrying = client(DEFAULT_CREDENTIALS, 3);
    const page = await retrying.send(new ListObjectsV2Command({ Bucket: 'docs' }));
    retrying.destroy();
    expect(page.KeyCount).toBe(1);
    expect(s3.count('ListObjectsV2', 500)).toBe(1);
    expect(s3.count('ListObjectsV2', 200)).toBe(1);
    expect(s3.countsByOperation()).toMatchObject({ GetObject: 3, ListObjectsV2: 2 });
  });
});

describe('EventBridge events', () => {
  it('emits the documented shapes for put, delete marker, permanent delete and lifecycle expiration', async () => {
    await sdk.send(new PutObjectCommand({ Bucket: 'vers', Key: 'red flower.jpg', Body: 'hello' }));
    await sdk.send(new DeleteObjectCommand({ Bucket: 'vers', Key: 'red flower.jpg' }));
    s3.putObject('vers', 'old', 'x');
    s3.expire('vers', 'old');
    s3.putObject('docs', 'plain', 'x');
    s3.deleteObject('docs', 'plain');
    const [created, marker, , lifecycle, , permanent] = s3.events();
    expect(jsonShape(created)).toEqual(jsonShape(EVENT_OBJECT_CREATED));
    expect(created).toMatchObject({ 'detail-type': 'Object Created', resources: ['arn:aws:s3:::vers'], detail: { object: { key: 'red+flower.jpg', size: 5 }, reason: 'PutObject' } });
    expect(jsonShape(marker)).toEqual(jsonShape(EVENT_OBJECT_DELETED));
    expect(marker!.detail.object.etag).toBe(EMPTY_MD5);
    expect(jsonShape(lifecycle)).toEqual(jsonShape(EVENT_LIFECYCLE_EXPIRATION));
    expect(permanent!.detail).toMatchObject({ reason: 'DeleteObject', 'deletion-type': 'Permanently Deleted' });
    expect(permanent!.detail.object['version-id']).toBeUndefined();
    expect(compareSequencers(created!.detail.object.sequencer, marker!.detail.object.sequencer)).toBe(-1);
    expect(compareSequencers('617f0829', '617f08290')).toBe(0);
    expect(s3.eventBatch({ duplicates: 1, shuffle: true, seed: 7 })).toHaveLength(12);
  });
});

/** Signs a plain fetch with the SDK's own signer, to read raw XML. */
async function signedHeaders(url: string): Promise<Record<string, string>> {
  const { SignatureV4 } = await import('@smithy/signature-v4');
  const { createHash, createHmac } = await import('node:crypto');
  class H {
    private readonly h;
    constructor(secret?: string | Uint8Array) { this.h = secret === undefined ? createHash('sha256') : createHmac('sha256', secret); }
    update(d: string | Uint8Array): void { this.h.update(d); }
    digest(): Promise<Uint8Array> { return Promise.resolve(new Uint8Array(this.h.digest())); }
    reset(): void {}
  }
  const u = new URL(url);
  const signer = new SignatureV4({ credentials: DEFAULT_CREDENTIALS, region: 'us-east-1', service: 's3', sha256: H as never, uriEscapePath: false });
  const signed = await signer.sign({
    method: 'GET', protocol: 'http:', hostname: u.hostname, path: u.pathname, query: Object.fromEntries(u.searchParams),
    headers: { host: u.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
  });
  return signed.headers as Record<string, string>;
}
