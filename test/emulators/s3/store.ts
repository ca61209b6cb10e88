/**
 * The emulated world: buckets, their versioning state and every object version.
 *
 * Sources:
 * - Versioning states Unversioned / Enabled / Suspended, the `null` version id, delete markers
 *   and what DELETE does in each state: https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html,
 *   /DeletingObjectVersions.html, /AddingObjectstoVersionSuspendedBuckets.html.
 * - Version ids: opaque URL-safe strings of 32 characters like "IYV3p45BT0ac8hjHg1houSdS1a.Mro8e"
 *   (the EventBridge examples in /userguide/ev-events.html).
 * - ETag: the MD5 hex of the body for a simple PUT; `"<md5 of the concatenated binary part MD5s>-<parts>"`
 *   for multipart uploads (/userguide/checking-object-integrity.html, "Using part-level checksums
 *   for multipart uploads"; API_Object "ETag"). SSE-KMS objects have an ETag that is not an MD5
 *   (same page); `putObject(…, { etag })` seeds such an opaque value.
 * - Keys: UTF-8, at most 1,024 bytes (/userguide/object-keys.html). Listing order is the UTF-8
 *   binary order (API_ListObjectsV2: "returned sorted in an ascending order of the respective key
 *   names"; /userguide/ListingKeysUsingAPIs.html: "UTF-8 binary order").
 * - Default Content-Type of a PUT without one: binary/octet-stream (API_PutObject "Content-Type").
 */

import { createHash, randomBytes } from 'node:crypto';

export type Versioning = 'Unversioned' | 'Enabled' | 'Suspended';

export interface StoredVersion {
  readonly key: string;
  readonly versionId: string;
  readonly deleteMarker: boolean;
  readonly body: Buffer;
  /** Quoted, as S3 sends it. */
  readonly etag: string;
  readonly lastModified: number;
  readonly contentType: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly storageClass: string;
  readonly parts?: number;
}

export interface Bucket {
  readonly name: string;
  readonly created: number;
  versioning: Versioning;
  eventBridge: boolean;
  /** Every version per key, newest first. */
  readonly versions: Map<string, StoredVersion[]>;
  /** Key prefixes the credentials may list but not read (GetObject/HeadObject → 403). */
  readonly deniedPrefixes: string[];
  /** The whole bucket belongs to someone else: every call → 403 AccessDenied. */
  denied: boolean;
}

export interface ObjectSeed {
  readonly contentType?: string;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly storageClass?: string;
  /** LastModified (epoch ms); defaults to the clock. */
  readonly lastModified?: number;
  /** Store as a multipart upload of this many parts: ETag `"<md5-of-md5s>-<parts>"`. */
  readonly parts?: number;
  /** An opaque ETag (unquoted), as for SSE-KMS objects. */
  readonly etag?: string;
}

export const MAX_KEY_BYTES = 1024;
export const EMPTY_MD5 = 'd41d8cd98f00b204e9800998ecf8427e';
const VERSION_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._';

export function newVersionId(): string {
  return [...randomBytes(32)].map((b) => VERSION_ALPHABET[b % VERSION_ALPHABET.length]).join('');
}

export const md5Hex = (data: Buffer): string => createHash('md5').update(data).digest('hex');

/** `"<md5 of md5s>-<parts>"` for `body` split into `parts` equal parts (the last takes the rest). */
export function multipartEtag(body: Buffer, parts: number): string {
  const size = Math.ceil(body.length / parts) || 1;
  const digests: Buffer[] = [];
  for (let i = 0; i < parts; i += 1) digests.push(createHash('md5').update(body.subarray(i * size, (i + 1) * size)).digest());
  return `${createHash('md5').update(Buffer.concat(digests)).digest('hex')}-${parts}`;
}

export const compareKeys = (a: string, b: string): number => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

export class Store {
  readonly buckets = new Map<string, Bucket>();

  constructor(private readonly now: () => number) {}

  createBucket(name: string, options: { versioning?: Versioning; eventBridge?: boolean; denied?: boolean } = {}): Bucket {
    const bucket: Bucket = {
      name, created: this.now(), versioning: options.versioning ?? 'Unversioned', eventBridge: options.eventBridge ?? false,
      versions: new Map(), deniedPrefixes: [], denied: options.denied ?? false,
    };
    this.buckets.set(name, bucket);
    return bucket;
  }

  bucket(name: string): Bucket {
    const bucket = this.buckets.get(name);
    if (!bucket) throw new Error(`no bucket ${name}`);
    return bucket;
  }

  /** The current version (may be a delete marker), or undefined when the key has none. */
  latest(bucket: Bucket, key: string): StoredVersion | undefined {
    return bucket.versions.get(key)?.[0];
  }

  version(bucket: Bucket, key: string, versionId: string): StoredVersion | undefined {
    return bucket.versions.get(key)?.find((v) => v.versionId === versionId);
  }

  /** Writes a new current version the way PUT does in the bucket's versioning state. */
  put(bucket: Bucket, key: string, body: Buffer, seed: ObjectSeed = {}): StoredVersion {
    const etag = seed.etag ?? (seed.parts !== undefined && seed.parts > 0 ? multipartEtag(body, seed.parts) : md5Hex(body));
    const stored: StoredVersion = {
      key, versionId: bucket.versioning === 'Enabled' ? newVersionId() : 'null', deleteMarker: false, body, etag: `"${etag}"`,
      lastModified: seed.lastModified ?? this.now(), contentType: seed.contentType ?? 'binary/octet-stream',
      metadata: lowerKeys(seed.metadata ?? {}), storageClass: seed.storageClass ?? 'STANDARD',
      ...(seed.parts !== undefined ? { parts: seed.parts } : {}),
    };
    this.insert(bucket, stored);
    return stored;
  }

  /**
   * DELETE without a version id: removes the object (Unversioned) or adds a delete marker
   * (Enabled: new id; Suspended: id `null`, replacing the null version). Returns the marker
   * or the removed version.
   */
  deleteCurrent(bucket: Bucket, key: string, at = this.now()): { marker?: StoredVersion; removed?: StoredVersion } {
    if (bucket.versioning === 'Unversioned') {
      const removed = this.latest(bucket, key);
      bucket.versions.delete(key);
      return removed ? { removed } : {};
    }
    const marker: StoredVersion = {
      key, versionId: bucket.versioning === 'Enabled' ? newVersionId() : 'null', deleteMarker: true, body: Buffer.alloc(0),
      etag: `"${EMPTY_MD5}"`, lastModified: at, contentType: '', metadata: {}, storageClass: 'STANDARD',
    };
    this.insert(bucket, marker);
    return { marker };
  }

  /** DELETE with a version id: removes exactly that version (object or marker). */
  deleteVersion(bucket: Bucket, key: string, versionId: string): StoredVersion | undefined {
    const list = bucket.versions.get(key);
    const index = list?.findIndex((v) => v.versionId === versionId) ?? -1;
    if (!list || index < 0) return undefined;
    const [removed] = list.splice(index, 1);
    if (list.length === 0) bucket.versions.delete(key);
    return removed;
  }

  private insert(bucket: Bucket, stored: StoredVersion): void {
    const list = (bucket.versions.get(stored.key) ?? []).filter((v) => v.versionId !== 'null' || stored.versionId !== 'null');
    list.unshift(stored);
    bucket.versions.set(stored.key, list);
  }

  /** Keys whose current version is an object (not a delete marker), in UTF-8 binary order. */
  liveKeys(bucket: Bucket): string[] {
    return [...bucket.versions.entries()].filter(([, list]) => list[0] && !list[0].deleteMarker).map(([key]) => key).sort(compareKeys);
  }

  isDenied(bucket: Bucket, key: string): boolean {
    return bucket.deniedPrefixes.some((p) => key.startsWith(p));
  }
}

function lowerKeys(meta: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(meta).map(([k, v]) => [k.toLowerCase(), v]));
}
