/**
 * Object-level operations: GetObject, HeadObject, PutObject, CopyObject, DeleteObject, DeleteObjects.
 *
 * Sources (Amazon S3 API Reference):
 * - API_GetObject.html — `versionId`, `Range` (one range; 206 + Content-Range; 416 InvalidRange
 *   when unsatisfiable, which includes any range on an empty object), `If-Match` /
 *   `If-Unmodified-Since` → 412, `If-None-Match` / `If-Modified-Since` → 304, with the RFC 7232
 *   precedence the page spells out; response headers Last-Modified (RFC 1123), ETag,
 *   Content-Length, Content-Type, Accept-Ranges, `x-amz-version-id` (versioned objects),
 *   `x-amz-meta-*`, `x-amz-storage-class` (not for STANDARD); a key whose current version is a
 *   delete marker → 404 NoSuchKey with `x-amz-delete-marker: true`; GET of a delete marker's
 *   version → 405 MethodNotAllowed; an unknown version → 404 NoSuchVersion (400 InvalidArgument
 *   "Invalid version id specified" for a malformed one).
 * - API_HeadObject.html — the same headers and conditions, no body.
 * - API_PutObject.html — ETag (MD5 for a simple PUT), `x-amz-version-id` when versioning is
 *   Enabled, `x-amz-meta-*` stored lower-cased; keys over 1,024 bytes → 400 KeyTooLongError.
 *   Bodies the SDK streams with `content-encoding: aws-chunked` (STREAMING-UNSIGNED-PAYLOAD-TRAILER)
 *   are de-chunked (/API/sigv4-streaming.html).
 * - API_CopyObject.html — `x-amz-copy-source: <bucket>/<url-encoded key>[?versionId=]`,
 *   `x-amz-metadata-directive` COPY|REPLACE, `<CopyObjectResult><ETag/><LastModified/>`,
 *   `x-amz-copy-source-version-id`.
 * - API_DeleteObject.html — 204 always (also for a missing key), `x-amz-delete-marker` and
 *   `x-amz-version-id` when a marker is created or a version removed.
 * - API_DeleteObjects.html — `POST /?delete`, at most 1,000 keys (MalformedXML otherwise),
 *   Content-MD5 or an `x-amz-checksum-*` header required, `<DeleteResult>` with `<Deleted>` and
 *   per-key `<Error>`; Quiet mode lists only errors.
 * Events for every mutation are produced by ./events.ts when the bucket sends to EventBridge.
 */

import { accessDenied, invalidArgument, invalidRange, invalidRequest, keyTooLong, malformedXml, methodNotAllowedOnDeleteMarker, noSuchBucket,
  noSuchKey, noSuchVersion, preconditionFailed, type S3Error } from './errors.ts';
import type { EventContext, EventLog } from './events.ts';
import { isoMillis } from './listing.ts';
import { MAX_KEY_BYTES, type Bucket, type Store, type StoredVersion } from './store.ts';
import { parseDeleteRequest, xmlDocument, type XmlNode } from './xml.ts';

export interface Reply {
  status: number;
  headers: Record<string, string>;
  body?: Buffer | string;
}

export interface ObjectContext {
  readonly store: Store;
  readonly events: EventLog;
  readonly event: EventContext;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly query: Readonly<Record<string, string>>;
}

const header = (ctx: ObjectContext, name: string): string | undefined => {
  const v = ctx.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
};
const httpDate = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toUTCString();
const VERSION_RE = /^(null|[A-Za-z0-9._-]{1,1024})$/;

function checkKey(key: string): void {
  const size = Buffer.byteLength(key, 'utf8');
  if (size > MAX_KEY_BYTES) throw keyTooLong(size);
}

/** The version a GET/HEAD addresses, or the error S3 gives. */
function resolve(ctx: ObjectContext, bucket: Bucket, key: string): StoredVersion {
  const versionId = ctx.query['versionId'];
  if (versionId !== undefined) {
    if (!VERSION_RE.test(versionId)) throw invalidArgument('Invalid version id specified', 'versionId', versionId);
    const v = ctx.store.version(bucket, key, versionId);
    if (!v) throw noSuchVersion(key, versionId);
    if (v.deleteMarker) throw methodNotAllowedOnDeleteMarker(v.versionId);
    return v;
  }
  const v = ctx.store.latest(bucket, key);
  if (!v) throw noSuchKey(key);
  if (v.deleteMarker) throw noSuchKey(key, { versionId: v.versionId });
  return v;
}

function etagMatches(list: string, etag: string): boolean {
  return list.split(',').map((s) => s.trim().replace(/^W\//, '')).some((s) => s === '*' || s.replace(/"/g, '') === etag.replace(/"/g, ''));
}

function objectHeaders(v: StoredVersion): Record<string, string> {
  const h: Record<string, string> = { 'last-modified': httpDate(v.lastModified), etag: v.etag, 'accept-ranges': 'bytes', 'content-type': v.contentType };
  if (v.versionId !== 'null') h['x-amz-version-id'] = v.versionId;
  if (v.storageClass !== 'STANDARD') h['x-amz-storage-class'] = v.storageClass;
  for (const [k, val] of Object.entries(v.metadata)) h[`x-amz-meta-${k}`] = val;
  return h;
}

/** 304/412 per the conditional headers, else undefined. */
function conditional(ctx: ObjectContext, v: StoredVersion): Reply | undefined {
  const ifMatch = header(ctx, 'if-match');
  const ifNoneMatch = header(ctx, 'if-none-match');
  const ifModifiedSince = header(ctx, 'if-modified-since');
  const ifUnmodifiedSince = header(ctx, 'if-unmodified-since');
  const seconds = Math.floor(v.lastModified / 1000) * 1000;
  if (ifMatch !== undefined) {
    if (!etagMatches(ifMatch, v.etag)) throw preconditionFailed('If-Match');
  } else if (ifUnmodifiedSince !== undefined && seconds > Date.parse(ifUnmodifiedSince)) {
    throw preconditionFailed('If-Unmodified-Since');
  }
  const notModified = { status: 304, headers: { etag: v.etag, 'last-modified': httpDate(v.lastModified), ...(v.versionId !== 'null' ? { 'x-amz-version-id': v.versionId } : {}) } };
  if (ifNoneMatch !== undefined) {
    if (etagMatches(ifNoneMatch, v.etag)) return notModified;
  } else if (ifModifiedSince !== undefined && seconds <= Date.parse(ifModifiedSince)) {
    return notModified;
  }
  return undefined;
}

export function getObject(ctx: ObjectContext, bucket: Bucket, key: string, head: boolean): Reply {
  if (ctx.store.isDenied(bucket, key)) throw accessDenied();
  const v = resolve(ctx, bucket, key);
  const cond = conditional(ctx, v);
  if (cond) return cond;
  const headers = objectHeaders(v);
  const range = header(ctx, 'range');
  const m = range !== undefined ? /^bytes=(\d*)-(\d*)$/.exec(range.trim()) : null;
  if (m && (m[1] !== '' || m[2] !== '')) {
    const size = v.body.length;
    let start: number;
    let end: number;
    if (m[1] === '') {
      start = Math.max(0, size - Number(m[2]));
      end = size - 1;
      if (Number(m[2]) === 0) throw invalidRange(range!, size);
    } else {
      start = Number(m[1]);
      end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
      if (m[2] !== '' && Number(m[2]) < start) return { status: 200, headers: { ...headers, 'content-length': String(size) }, ...(head ? {} : { body: v.body }) };
    }
    if (start >= size) throw invalidRange(range!, size);
    const slice = v.body.subarray(start, end + 1);
    return { status: 206, headers: { ...headers, 'content-range': `bytes ${start}-${end}/${size}`, 'content-length': String(slice.length) }, ...(head ? {} : { body: slice }) };
  }
  return { status: 200, headers: { ...headers, 'content-length': String(v.body.length) }, ...(head ? {} : { body: v.body }) };
}

function metadataFrom(ctx: ObjectContext): Record<string, string> {
  return Object.fromEntries(Object.entries(ctx.headers).flatMap(([k, v]) => (k.startsWith('x-amz-meta-') && v !== undefined ? [[k.slice(11), Array.isArray(v) ? v.join(',') : v]] : [])));
}

export function putObject(ctx: ObjectContext, bucket: Bucket, key: string, body: Buffer): Reply {
  checkKey(key);
  const contentType = header(ctx, 'content-type');
  const storageClass = header(ctx, 'x-amz-storage-class');
  const stored = ctx.store.put(bucket, key, body, { metadata: metadataFrom(ctx), ...(contentType ? { contentType } : {}), ...(storageClass ? { storageClass } : {}) });
  ctx.events.created(bucket, stored, 'PutObject', ctx.event);
  return { status: 200, headers: { etag: stored.etag, ...(stored.versionId !== 'null' ? { 'x-amz-version-id': stored.versionId } : {}) } };
}

export function copyObject(ctx: ObjectContext, bucket: Bucket, key: string, source: string): Reply {
  checkKey(key);
  const [path = '', qs = ''] = source.replace(/^\//, '').split('?');
  const slash = path.indexOf('/');
  if (slash <= 0) throw invalidArgument('Invalid copy source object key', 'x-amz-copy-source', source);
  const srcBucketName = decodeURIComponent(path.slice(0, slash));
  const srcKey = decodeURIComponent(path.slice(slash + 1));
  const srcBucket = ctx.store.buckets.get(srcBucketName);
  if (!srcBucket) throw noSuchBucket(srcBucketName);
  if (srcBucket.denied || ctx.store.isDenied(srcBucket, srcKey)) throw accessDenied();
  const versionId = new URLSearchParams(qs).get('versionId') ?? undefined;
  const src = resolve({ ...ctx, query: versionId !== undefined ? { versionId } : {} }, srcBucket, srcKey);
  const replace = header(ctx, 'x-amz-metadata-directive') === 'REPLACE';
  if (!replace && srcBucket === bucket && srcKey === key && header(ctx, 'x-amz-storage-class') === undefined) {
    throw invalidRequest('This copy request is illegal because it is trying to copy an object to itself without changing the object\'s metadata, storage class, website redirect location or encryption attributes.');
  }
  const contentType = replace ? header(ctx, 'content-type') : src.contentType;
  const stored = ctx.store.put(bucket, key, src.body, {
    metadata: replace ? metadataFrom(ctx) : src.metadata, ...(contentType ? { contentType } : {}),
    storageClass: header(ctx, 'x-amz-storage-class') ?? src.storageClass,
    ...(src.parts !== undefined && !replace ? { etag: src.etag.replace(/"/g, '') } : {}),
  });
  ctx.events.created(bucket, stored, 'CopyObject', ctx.event);
  const body = xmlDocument('CopyObjectResult', [['ETag', stored.etag], ['LastModified', isoMillis(stored.lastModified)]]);
  return {
    status: 200, body, headers: {
      'content-type': 'application/xml', ...(stored.versionId !== 'null' ? { 'x-amz-version-id': stored.versionId } : {}),
      ...(src.versionId !== 'null' ? { 'x-amz-copy-source-version-id': src.versionId } : {}),
    },
  };
}

interface DeleteOutcome {
  deleteMarker?: boolean;
  versionId?: string;
  markerVersionId?: string;
}

function deleteOne(ctx: ObjectContext, bucket: Bucket, key: string, versionId: string | undefined): DeleteOutcome {
  if (versionId !== undefined) {
    if (!VERSION_RE.test(versionId)) throw invalidArgument('Invalid version id specified', 'versionId', versionId);
    const removed = ctx.store.deleteVersion(bucket, key, versionId);
    if (removed) ctx.events.deleted(bucket, key, { removed }, 'DeleteObject', ctx.event);
    return { versionId, ...(removed?.deleteMarker ? { deleteMarker: true } : {}) };
  }
  const result = ctx.store.deleteCurrent(bucket, key);
  if (result.marker || result.removed) ctx.events.deleted(bucket, key, result, 'DeleteObject', ctx.event);
  return result.marker ? { deleteMarker: true, markerVersionId: result.marker.versionId } : {};
}

export function deleteObject(ctx: ObjectContext, bucket: Bucket, key: string): Reply {
  const out = deleteOne(ctx, bucket, key, ctx.query['versionId']);
  const headers: Record<string, string> = {};
  if (out.deleteMarker) headers['x-amz-delete-marker'] = 'true';
  const id = out.markerVersionId ?? out.versionId;
  if (id !== undefined && !(id === 'null' && !out.deleteMarker && ctx.query['versionId'] === undefined)) headers['x-amz-version-id'] = id;
  return { status: 204, headers };
}

export function deleteObjects(ctx: ObjectContext, bucket: Bucket, body: Buffer): Reply {
  const hasChecksum = header(ctx, 'content-md5') !== undefined || Object.keys(ctx.headers).some((h) => h.startsWith('x-amz-checksum-') && h !== 'x-amz-checksum-type');
  if (!hasChecksum) throw invalidRequest('Missing required header for this request: Content-MD5');
  const request = parseDeleteRequest(body.toString('utf8'));
  if (!request || request.objects.length === 0 || request.objects.length > 1000) throw malformedXml();
  const deleted: XmlNode[] = [];
  const errors: XmlNode[] = [];
  for (const { key, versionId } of request.objects) {
    try {
      if (ctx.store.isDenied(bucket, key)) throw accessDenied();
      const out = deleteOne(ctx, bucket, key, versionId);
      if (!request.quiet) {
        deleted.push([['Key', key], ['VersionId', versionId], ['DeleteMarker', out.deleteMarker ? true : undefined],
          ['DeleteMarkerVersionId', out.markerVersionId ?? (out.deleteMarker ? versionId : undefined)]]);
      }
    } catch (error) {
      const e = error as S3Error;
      errors.push([['Key', key], ['VersionId', versionId], ['Code', e.code], ['Message', e.message]]);
    }
  }
  return { status: 200, headers: { 'content-type': 'application/xml' }, body: xmlDocument('DeleteResult', [['Deleted', deleted], ['Error', errors]]) };
}

/** Undoes `content-encoding: aws-chunked` framing (`<hex>[;chunk-signature=…]\r\n<data>\r\n` … `0\r\n<trailers>\r\n`). */
export function dechunk(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = body.indexOf('\r\n', at);
    if (eol < 0) break;
    const size = parseInt(body.subarray(at, eol).toString('latin1').split(';')[0]!, 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(body.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(parts);
}
