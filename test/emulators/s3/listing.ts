/**
 * Bucket-level reads: ListObjectsV2, ListObjectVersions, GetBucketVersioning, ListBuckets.
 *
 * Sources (Amazon S3 API Reference):
 * - https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html — `list-type=2`,
 *   `prefix`, `delimiter`, `max-keys` (up to 1,000 returned, default 1,000), `continuation-token`
 *   (opaque; it supersedes `start-after`), `start-after`, `encoding-type=url` (Delimiter,
 *   Prefix, Key and StartAfter come back encoded), `fetch-owner` (Owner only when true);
 *   `KeyCount` counts Contents plus CommonPrefixes; `NextContinuationToken` only when
 *   IsTruncated; `ContinuationToken` / `StartAfter` echoed when sent.
 * - https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectVersions.html — `key-marker`,
 *   `version-id-marker`, Version and DeleteMarker entries (Owner always present, DisplayName no
 *   longer returned since November 2025 per the notice on the same page), newest first per key,
 *   `NextKeyMarker`/`NextVersionIdMarker`; unversioned objects have VersionId `null`.
 * - https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketVersioning.html — an empty
 *   `<VersioningConfiguration/>` for a bucket that never had versioning, else `<Status>`.
 * - Errors: 400 InvalidArgument for a bad max-keys, encoding type or continuation token, and
 *   for a version-id-marker without key-marker (ErrorResponses.html; messages as S3 words them).
 *   Unknown query parameters are ignored, as S3 ignores them.
 */

import { createHash } from 'node:crypto';
import { invalidArgument } from './errors.ts';
import { s3UrlEncode } from './events.ts';
import { compareKeys, type Bucket, type Store, type StoredVersion } from './store.ts';
import { xmlDocument, type XmlNode } from './xml.ts';

export const MAX_KEYS = 1000;

type Query = Readonly<Record<string, string>>;

export const canonicalId = (account: string): string => createHash('sha256').update(`canonical:${account}`).digest('hex');
export const isoMillis = (ms: number): string => new Date(ms).toISOString();

function maxKeysOf(query: Query): number {
  const raw = query['max-keys'];
  if (raw === undefined) return MAX_KEYS;
  if (!/^\d+$/.test(raw) || Number(raw) > 2_147_483_647) throw invalidArgument('Provided max-keys not an integer or within integer range', 'max-keys', raw);
  return Math.min(Number(raw), MAX_KEYS);
}

function encoderOf(query: Query): (s: string) => string {
  const type = query['encoding-type'];
  if (type === undefined) return (s) => s;
  if (type !== 'url') throw invalidArgument('Invalid Encoding Method specified in Request', 'encoding-type', type);
  return s3UrlEncode;
}

type Entry = { kind: 'key'; key: string } | { kind: 'prefix'; prefix: string };

/** Keys after `after`, rolled up by `delimiter` into common prefixes. */
function entries(keys: readonly string[], prefix: string, delimiter: string | undefined, after: string | undefined): Entry[] {
  const out: Entry[] = [];
  let lastPrefix: string | undefined;
  for (const key of keys) {
    if (!key.startsWith(prefix)) continue;
    if (after !== undefined && compareKeys(key, after) <= 0) continue;
    if (delimiter) {
      const i = key.indexOf(delimiter, prefix.length);
      if (i >= 0) {
        const cp = key.slice(0, i + delimiter.length);
        if (after !== undefined && after.startsWith(cp)) continue;
        if (cp !== lastPrefix) out.push({ kind: 'prefix', prefix: cp });
        lastPrefix = cp;
        continue;
      }
    }
    out.push({ kind: 'key', key });
  }
  return out;
}

const encodeToken = (marker: string): string => Buffer.from(`\u0001${marker}`, 'utf8').toString('base64');
function decodeToken(token: string): string {
  const decoded = /^[A-Za-z0-9+/]+={0,2}$/.test(token) ? Buffer.from(token, 'base64').toString('utf8') : '';
  if (!decoded.startsWith('\u0001')) throw invalidArgument('The continuation token provided is incorrect', 'continuation-token', token);
  return decoded.slice(1);
}

export function listObjectsV2(store: Store, bucket: Bucket, query: Query, account: string): string {
  const maxKeys = maxKeysOf(query);
  const enc = encoderOf(query);
  const prefix = query['prefix'] ?? '';
  const delimiter = query['delimiter'] || undefined;
  const token = query['continuation-token'];
  const after = token !== undefined ? decodeToken(token) : query['start-after'];
  const all = entries(store.liveKeys(bucket), prefix, delimiter, after);
  const page = all.slice(0, maxKeys);
  const truncated = all.length > page.length;
  const last = page.at(-1);
  const owner = query['fetch-owner'] === 'true' ? ([['Owner', [['ID', canonicalId(account)]]]] as const) : [];
  const contents: XmlNode[] = page.filter((e) => e.kind === 'key').map((e) => {
    const v = store.latest(bucket, e.key)!;
    return [['Key', enc(v.key)], ['LastModified', isoMillis(v.lastModified)], ['ETag', v.etag], ['Size', v.body.length], ...owner, ['StorageClass', v.storageClass]];
  });
  const prefixes: XmlNode[] = page.flatMap((e) => (e.kind === 'prefix' ? [[['Prefix', enc(e.prefix)]] as XmlNode] : []));
  return xmlDocument('ListBucketResult', [
    ['Name', bucket.name], ['Prefix', enc(prefix)],
    ['ContinuationToken', token], ['NextContinuationToken', truncated && last ? encodeToken(last.kind === 'key' ? last.key : last.prefix) : undefined],
    ['KeyCount', page.length], ['MaxKeys', Number(query['max-keys'] ?? MAX_KEYS)], ['Delimiter', delimiter !== undefined ? enc(delimiter) : undefined],
    ['EncodingType', query['encoding-type']], ['IsTruncated', truncated],
    ['StartAfter', query['start-after'] !== undefined ? enc(query['start-after']) : undefined],
    ['Contents', contents], ['CommonPrefixes', prefixes],
  ]);
}

type VersionEntry = { kind: 'version'; v: StoredVersion; latest: boolean } | { kind: 'prefix'; prefix: string };

export function listObjectVersions(bucket: Bucket, query: Query, account: string): string {
  const maxKeys = maxKeysOf(query);
  const enc = encoderOf(query);
  const prefix = query['prefix'] ?? '';
  const delimiter = query['delimiter'] || undefined;
  const keyMarker = query['key-marker'] || undefined;
  const versionMarker = query['version-id-marker'] || undefined;
  if (versionMarker !== undefined && keyMarker === undefined) {
    throw invalidArgument('A version-id marker cannot be specified without a key marker.', 'version-id-marker', versionMarker);
  }
  const keys = [...bucket.versions.keys()].sort(compareKeys);
  const all: VersionEntry[] = [];
  let lastPrefix: string | undefined;
  for (const key of keys) {
    if (!key.startsWith(prefix)) continue;
    if (keyMarker !== undefined && compareKeys(key, keyMarker) < 0) continue;
    if (keyMarker !== undefined && key === keyMarker && versionMarker === undefined) continue;
    if (delimiter) {
      const i = key.indexOf(delimiter, prefix.length);
      if (i >= 0) {
        const cp = key.slice(0, i + delimiter.length);
        if (keyMarker !== undefined && keyMarker.startsWith(cp)) continue;
        if (cp !== lastPrefix) all.push({ kind: 'prefix', prefix: cp });
        lastPrefix = cp;
        continue;
      }
    }
    const list = bucket.versions.get(key)!;
    let started = !(key === keyMarker && versionMarker !== undefined);
    list.forEach((v, i) => {
      if (started) all.push({ kind: 'version', v, latest: i === 0 });
      else if (v.versionId === versionMarker) started = true;
    });
  }
  const page = all.slice(0, maxKeys);
  const truncated = all.length > page.length;
  const last = page.at(-1);
  const owner = ['Owner', [['ID', canonicalId(account)]]] as const;
  const versions: XmlNode[] = [];
  const markers: XmlNode[] = [];
  for (const e of page) {
    if (e.kind !== 'version') continue;
    const base = [['Key', enc(e.v.key)], ['VersionId', e.v.versionId], ['IsLatest', e.latest], ['LastModified', isoMillis(e.v.lastModified)]] as const;
    if (e.v.deleteMarker) markers.push([owner, ...base]);
    else versions.push([...base, ['ETag', e.v.etag], ['Size', e.v.body.length], owner, ['StorageClass', e.v.storageClass]]);
  }
  return xmlDocument('ListVersionsResult', [
    ['Name', bucket.name], ['Prefix', enc(prefix)], ['KeyMarker', keyMarker !== undefined ? enc(keyMarker) : ''], ['VersionIdMarker', versionMarker ?? ''],
    ['NextKeyMarker', truncated && last ? enc(last.kind === 'version' ? last.v.key : last.prefix) : undefined],
    ['NextVersionIdMarker', truncated && last?.kind === 'version' ? last.v.versionId : undefined],
    ['MaxKeys', Number(query['max-keys'] ?? MAX_KEYS)], ['Delimiter', delimiter !== undefined ? enc(delimiter) : undefined],
    ['EncodingType', query['encoding-type']], ['IsTruncated', truncated],
    ['Version', versions], ['DeleteMarker', markers], ['CommonPrefixes', page.flatMap((e) => (e.kind === 'prefix' ? [[['Prefix', enc(e.prefix)]] as XmlNode] : []))],
  ]);
}

export function getBucketVersioning(bucket: Bucket): string {
  return xmlDocument('VersioningConfiguration', bucket.versioning === 'Unversioned' ? [] : [['Status', bucket.versioning]]);
}

export function listBuckets(store: Store, account: string): string {
  const buckets: XmlNode[] = [...store.buckets.values()].filter((b) => !b.denied).sort((a, b) => compareKeys(a.name, b.name))
    .map((b) => [['Name', b.name], ['CreationDate', isoMillis(b.created)]]);
  return xmlDocument('ListAllMyBucketsResult', [['Owner', [['ID', canonicalId(account)]]], ['Buckets', [['Bucket', buckets]]]]);
}
