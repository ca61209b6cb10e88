/**
 * Loopback emulator of Amazon S3 (REST, path-style, SigV4) and of the events S3 sends to Amazon
 * EventBridge — built from the Amazon S3 API Reference, the S3 User Guide and the official
 * @aws-sdk/client-s3 types, not from our connector. Each file under ./s3/ names, at its top,
 * the pages it follows; ./s3/samples.ts pins documented payloads and ./s3.test.ts drives the
 * emulator through the official SDK and checks it against them.
 *
 * - ./s3/store.ts     buckets, versioning states, versions and delete markers, ETags, key order
 * - ./s3/listing.ts   ListObjectsV2, ListObjectVersions, GetBucketVersioning, ListBuckets
 * - ./s3/objects.ts   GetObject / HeadObject (Range, conditionals), PutObject, CopyObject,
 *                     DeleteObject, DeleteObjects
 * - ./s3/auth.ts      SigV4 Authorization checks, signature recomputed with @smithy/signature-v4
 * - ./s3/throttle.ts  per-prefix request rates (503 SlowDown) and injected failures
 * - ./s3/events.ts    EventBridge "Object Created" / "Object Deleted", sequencer, delivery
 * - ./s3/errors.ts    S3's `<Error>` bodies and codes
 * - ./s3/xml.ts       the XML serializer and the `<Delete>` reader
 * - ./s3/server.ts    fastify endpoint, request log, fault injection, the handle
 * - ./s3/control.ts   seeding and mutations without HTTP (the S3World handle)
 *
 * No npm S3 emulator is used: s3rver (the usual one) had its last release in 2021 and is not
 * installed; this one is written for the cases the connector must survive.
 *
 * Control API (on the handle from `startS3()`): `createBucket`, `setVersioning`,
 * `setEventBridge`, `denyPrefix`, `putObject` (LastModified, `parts` → multipart ETag, opaque
 * `etag`, metadata, content type, storage class), `copyObject`, `renameObject`, `deleteObject`,
 * `expire`, `head`, `setRequestRates`, `failNext`, `clearFaults`, `requests`, `count`,
 * `countsByOperation`, `events`, `takeEvents`, `eventBatch`, `deliverEvents`.
 */

export { S3World as S3Emulator, startS3, type BucketSeed } from './s3/control.ts';
export { DEFAULT_CREDENTIALS, type RecordedRequest, type S3EmulatorOptions } from './s3/server.ts';
export type { Credentials } from './s3/auth.ts';
export type { ObjectSeed, StoredVersion, Versioning } from './s3/store.ts';
export { EMPTY_MD5, MAX_KEY_BYTES, multipartEtag } from './s3/store.ts';
export { MAX_KEYS } from './s3/listing.ts';
export { DOCUMENTED_RATES, type RequestRates } from './s3/throttle.ts';
export {
  arrange, compareSequencers, postS3Events, s3UrlEncode, type CreatedReason, type DeletedReason, type DeletionType, type DeliveryOptions,
  type S3EventBridgeEvent, type S3EventDetail,
} from './s3/events.ts';
