/**
 * S3 change events → the ids they name. Two shapes arrive:
 *
 * - EventBridge (`source: "aws.s3"`, `detail-type` "Object Created" | "Object Deleted",
 *   `detail.bucket.name`, `detail.object.{key, sequencer}`;
 *   https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html): through the fetch
 *   queue on AWS (the rule the stacks add), or POSTed by an EventBridge API destination.
 * - The notification `Records` format (`eventName` "ObjectCreated:*" | "ObjectRemoved:*",
 *   `s3.bucket.name`, `s3.object.{key, sequencer}`;
 *   https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html),
 *   which MinIO's webhook target also sends.
 *
 * Keys: the Records format URL-encodes them ("red flower.jpg" → "red+flower.jpg"); for
 * EventBridge AWS does not say, and AWS Powertools decodes them the same way (unquote_plus), so
 * both are form-URL-decoded. A key that is literally "a+b" arrives as "a%2Bb" and survives —
 * unless the sender did not encode (MinIO's and EventBridge's behaviour is not pinned down):
 * so when decoding changes a key, both forms are hinted. The one that does not exist costs a
 * GetObject answered 404, which is no change for an id the index does not hold.
 *
 * The result is ids, not states: the fetcher reads each object as it is now, so an old event
 * arriving after a new one cannot bring an old state back. Within one batch each key is
 * reported once, as of its greatest `sequencer` (S3's per-key order: right-pad with zeros,
 * compare as strings), which the caller may log.
 */
import { TributaryError } from '../../core/errors.ts';
import { s3UrlDecode, type KeySpace } from './keys.ts';

export type S3Change = 'created' | 'deleted';

export interface DecodedEvents {
  /** Ids of the source's objects the events name, each once. */
  readonly ids: readonly string[];
  /** The latest change per id, by sequencer. */
  readonly latest: ReadonlyMap<string, { readonly change: S3Change; readonly sequencer: string }>;
  /** Events about other buckets, other prefixes, unselected keys or other event types. */
  readonly ignored: number;
  /** A stable id of the delivery (the EventBridge event id), for replay memory. */
  readonly deliveryId?: string;
}

/** The body is not an S3 event of either shape. */
export class MalformedEventError extends TributaryError {}

/** S3's documented order of two sequencers of one key. */
export function compareSequencers(a: string, b: string): number {
  const width = Math.max(a.length, b.length);
  const pa = a.toLowerCase().padEnd(width, '0');
  const pb = b.toLowerCase().padEnd(width, '0');
  return pa < pb ? -1 : pa > pb ? 1 : 0;
}

interface RawChange {
  readonly bucket: string;
  /** The decoded key, then the key as sent when that differs. */
  readonly keys: readonly string[];
  readonly sequencer: string;
  readonly change: S3Change | undefined;
}

/** The ids an S3 event (EventBridge) or notification (Records), or a list of them, names for one source's bucket and keys. */
export function decodeS3Events(body: unknown, source: { readonly bucket: string; readonly keys: KeySpace }): DecodedEvents {
  const items = Array.isArray(body) ? body : [body];
  if (items.length === 0) throw new MalformedEventError('no S3 event in the body');
  const changes = items.flatMap(changesOf);
  const latest = new Map<string, { change: S3Change; sequencer: string }>();
  let ignored = 0;
  for (const c of changes) {
    const ids = c.bucket === source.bucket && c.change ? c.keys.flatMap((key) => source.keys.idOf(key) ?? []) : [];
    if (ids.length === 0 || c.change === undefined) {
      ignored += 1;
      continue;
    }
    for (const id of ids) {
      const seen = latest.get(id);
      if (!seen || compareSequencers(c.sequencer, seen.sequencer) > 0) latest.set(id, { change: c.change, sequencer: c.sequencer });
    }
  }
  const first = items[0] as { id?: unknown };
  return {
    ids: [...latest.keys()], latest, ignored,
    ...(items.length === 1 && typeof first.id === 'string' && first.id !== '' ? { deliveryId: first.id } : {}),
  };
}

function changesOf(item: unknown): RawChange[] {
  if (!isObject(item)) throw new MalformedEventError('an S3 event must be a JSON object');
  if (Array.isArray(item['Records'])) return item['Records'].map(recordChange);
  if (item['detail'] !== undefined || item['detail-type'] !== undefined) return [eventBridgeChange(item)];
  throw new MalformedEventError('not an S3 event: expected an EventBridge event ("detail-type", "detail") or a notification ("Records")');
}

function eventBridgeChange(event: Record<string, unknown>): RawChange {
  const type = event['detail-type'];
  if (typeof type !== 'string') throw new MalformedEventError('"detail-type" must be a string');
  if (event['source'] !== undefined && event['source'] !== 'aws.s3') throw new MalformedEventError(`"source" is ${JSON.stringify(event['source'])}, not "aws.s3"`);
  const detail = event['detail'];
  if (!isObject(detail)) throw new MalformedEventError('"detail" must be an object');
  const { bucket, keys, sequencer } = located(detail['bucket'], detail['object'], 'detail');
  const change = type === 'Object Created' ? 'created' : type === 'Object Deleted' ? 'deleted' : undefined;
  return { bucket, keys, sequencer, change };
}

function recordChange(record: unknown): RawChange {
  if (!isObject(record)) throw new MalformedEventError('each of "Records" must be an object');
  const name = record['eventName'];
  if (typeof name !== 'string') throw new MalformedEventError('"Records[].eventName" must be a string');
  const s3 = record['s3'];
  if (!isObject(s3)) throw new MalformedEventError('"Records[].s3" must be an object');
  const { bucket, keys, sequencer } = located(s3['bucket'], s3['object'], 'Records[].s3');
  const bare = name.replace(/^s3:/, '');
  const change = bare.startsWith('ObjectCreated:') ? 'created' : bare.startsWith('ObjectRemoved:') || bare.startsWith('LifecycleExpiration:') ? 'deleted' : undefined;
  return { bucket, keys, sequencer, change };
}

function located(bucket: unknown, object: unknown, where: string): { bucket: string; keys: string[]; sequencer: string } {
  if (!isObject(bucket) || typeof bucket['name'] !== 'string') throw new MalformedEventError(`"${where}.bucket.name" must be a string`);
  if (!isObject(object) || typeof object['key'] !== 'string' || object['key'] === '') throw new MalformedEventError(`"${where}.object.key" must be a non-empty string`);
  const sequencer = typeof object['sequencer'] === 'string' ? object['sequencer'] : '';
  const sent = object['key'];
  const decoded = s3UrlDecode(sent);
  return { bucket: bucket['name'], keys: decoded === sent ? [sent] : [decoded, sent], sequencer };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
