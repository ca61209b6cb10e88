/**
 * Seeding and mutating the world directly (no HTTP), for tests: buckets, versioning, the
 * EventBridge switch, objects with chosen LastModified / multipart ETags / opaque ETags,
 * deletions, lifecycle expirations and objects the credentials may list but not read.
 *
 * Direct mutations produce the same EventBridge events as the API would (reason `PutObject`,
 * `CompleteMultipartUpload` for multipart seeds, `CopyObject`, `DeleteObject`, or
 * `Lifecycle Expiration` with requester "s3.amazonaws.com" and no source IP — ev-events.html).
 */

import { arrange, postS3Events, type DeliveryOptions, type S3EventBridgeEvent } from './events.ts';
import { S3Emulator } from './server.ts';
import type { Bucket, ObjectSeed, StoredVersion, Versioning } from './store.ts';

export interface BucketSeed {
  readonly versioning?: Versioning;
  /** "Send notifications to Amazon EventBridge for all events in this bucket". */
  readonly eventBridge?: boolean;
  /** Owned by another account: every request → 403 AccessDenied. */
  readonly denied?: boolean;
}

export class S3World extends S3Emulator {
  createBucket(name: string, seed: BucketSeed = {}): Bucket {
    return this.store.createBucket(name, seed);
  }

  setVersioning(bucket: string, state: 'Enabled' | 'Suspended'): void {
    this.store.bucket(bucket).versioning = state;
  }

  setEventBridge(bucket: string, enabled: boolean): void {
    this.store.bucket(bucket).eventBridge = enabled;
  }

  /** GetObject/HeadObject/CopyObject from keys under `prefix` → 403 AccessDenied; listing still shows them. */
  denyPrefix(bucket: string, prefix: string): void {
    this.store.bucket(bucket).deniedPrefixes.push(prefix);
  }

  /** Writes an object as PUT (or, with `parts`, CompleteMultipartUpload) would. */
  putObject(bucket: string, key: string, body: string | Buffer, seed: ObjectSeed = {}): StoredVersion {
    const b = this.store.bucket(bucket);
    const stored = this.store.put(b, key, typeof body === 'string' ? Buffer.from(body, 'utf8') : body, seed);
    this.events_.created(b, stored, seed.parts !== undefined ? 'CompleteMultipartUpload' : 'PutObject', this.controlContext());
    return stored;
  }

  /** Server-side copy, as CopyObject. */
  copyObject(bucket: string, from: string, to: string): StoredVersion {
    const b = this.store.bucket(bucket);
    const src = this.store.latest(b, from);
    if (!src || src.deleteMarker) throw new Error(`no object ${from}`);
    const stored = this.store.put(b, to, src.body, { contentType: src.contentType, metadata: src.metadata, storageClass: src.storageClass, etag: src.etag.replace(/"/g, '') });
    this.events_.created(b, stored, 'CopyObject', this.controlContext());
    return stored;
  }

  /** A rename the only way S3 has one: copy, then delete the old key. */
  renameObject(bucket: string, from: string, to: string): StoredVersion {
    const stored = this.copyObject(bucket, from, to);
    this.deleteObject(bucket, from);
    return stored;
  }

  /** DELETE as the API does it (delete marker in a versioned bucket; a given version removed for good). */
  deleteObject(bucket: string, key: string, versionId?: string): void {
    const b = this.store.bucket(bucket);
    if (versionId !== undefined) {
      const removed = this.store.deleteVersion(b, key, versionId);
      if (removed) this.events_.deleted(b, key, { removed }, 'DeleteObject', this.controlContext());
      return;
    }
    const result = this.store.deleteCurrent(b, key);
    if (result.marker || result.removed) this.events_.deleted(b, key, result, 'DeleteObject', this.controlContext());
  }

  /** An S3 Lifecycle expiration of the current version. */
  expire(bucket: string, key: string): void {
    const b = this.store.bucket(bucket);
    const result = this.store.deleteCurrent(b, key);
    if (result.marker || result.removed) {
      this.events_.deleted(b, key, result, 'Lifecycle Expiration', this.controlContext(true));
    }
  }

  /** Current version of a key (undefined when absent; may be a delete marker). */
  head(bucket: string, key: string): StoredVersion | undefined {
    return this.store.latest(this.store.bucket(bucket), key);
  }

  /** The emitted events, duplicated and/or shuffled as an at-least-once bus may deliver them. */
  eventBatch(options: DeliveryOptions = {}): S3EventBridgeEvent[] {
    return arrange(this.events(), options);
  }

  /** POSTs the emitted (and not yet taken) events to `url` like an EventBridge API destination; forgets them. */
  async deliverEvents(url: string, options: DeliveryOptions = {}): Promise<number[]> {
    return postS3Events(url, this.takeEvents(), options);
  }
}

export const startS3 = (options?: ConstructorParameters<typeof S3World>[0]): Promise<S3World> => S3World.start(options);
