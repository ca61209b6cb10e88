/**
 * What S3 sends to EventBridge when "Send notifications to Amazon EventBridge" is on for a bucket.
 *
 * Sources:
 * - Envelope and detail: https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html
 *   (examples "Object created", "Object deleted (using DeleteObject)", "Object deleted (using
 *   lifecycle expiration)", copied into ./samples.ts). The current page adds
 *   `detail["event-version"]: "1.0"` next to `detail.version: "0"`. Object Deleted carries no
 *   `size`; a delete-marker event carries the empty-body MD5 as `etag` and the marker's id as
 *   `version-id`; lifecycle events have `requester: "s3.amazonaws.com"` and no `source-ip-address`.
 * - detail-type per S3 event: https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-mapping-troubleshooting.html
 *   (ObjectCreated:Put/Post/Copy/CompleteMultipartUpload → "Object Created"; ObjectRemoved:Delete /
 *   DeleteMarkerCreated / LifecycleExpiration:* → "Object Deleted").
 * - `reason` and `deletion-type` values: ev-events.html, "Event message detail field".
 * - sequencer: "the event notification with the greater sequencer hexadecimal value is the event
 *   that occurred later … to compare these values, first right pad the shorter value with zeros,
 *   and then do a lexicographical comparison"; only meaningful per key
 *   (/userguide/notification-content-structure.html). Emulated as 8 hex digits of epoch seconds
 *   plus a 8-digit counter, like the documented "617f08299329d189".
 * - Delivery: EventBridge is at-least-once and unordered (/userguide/EventBridge.html; "Event
 *   ordering and duplicate events" in /notification-how-to-event-types-and-destinations.html).
 *   S3 → EventBridge has no signature: authenticity is IAM on the rule's target. An API
 *   destination target POSTs the event JSON with the connection's auth header.
 *
 * Keys in these events — ev-events.html does not say. The SQS/SNS/Lambda format documents the
 * key as URL encoded ("red flower.jpg" becomes "red+flower.jpg", notification-content-structure.html),
 * and AWS's own Powertools decodes the EventBridge key the same way
 * (aws_lambda_powertools …/s3_event.py, S3EventBridgeNotificationObject.key → unquote_plus).
 * The emulator therefore sends keys form-URL-encoded (space → "+", "/" kept, UTF-8 percent-
 * escaped) by default; `eventKeyEncoding: 'raw'` sends them as stored. A consumer that applies
 * unquote_plus is right under both.
 */

import { randomUUID } from 'node:crypto';
import { EMPTY_MD5, type Bucket, type StoredVersion } from './store.ts';

export type CreatedReason = 'PutObject' | 'POST Object' | 'CopyObject' | 'CompleteMultipartUpload';
export type DeletedReason = 'DeleteObject' | 'Lifecycle Expiration';
export type DeletionType = 'Permanently Deleted' | 'Delete Marker Created';

export interface S3EventDetail {
  version: '0';
  'event-version': '1.0';
  bucket: { name: string };
  object: { key: string; size?: number; etag: string; 'version-id'?: string; sequencer: string };
  'request-id': string;
  requester: string;
  'source-ip-address'?: string;
  reason: CreatedReason | DeletedReason;
  'deletion-type'?: DeletionType;
}

export interface S3EventBridgeEvent {
  version: '0';
  id: string;
  'detail-type': 'Object Created' | 'Object Deleted';
  source: 'aws.s3';
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: S3EventDetail;
}

/** Form-style URL encoding S3 uses for keys in notifications and `encoding-type=url` listings. */
export function s3UrlEncode(key: string): string {
  return encodeURIComponent(key).replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+').replace(/%2F/g, '/');
}

/** S3's documented order: right-pad the shorter with zeros, then compare as strings. */
export function compareSequencers(a: string, b: string): number {
  const width = Math.max(a.length, b.length);
  const pa = a.toLowerCase().padEnd(width, '0');
  const pb = b.toLowerCase().padEnd(width, '0');
  return pa < pb ? -1 : pa > pb ? 1 : 0;
}

export interface EventContext {
  readonly account: string;
  readonly region: string;
  readonly requestId: string;
  /** Account id of the caller, or "s3.amazonaws.com" for lifecycle. */
  readonly requester: string;
  readonly sourceIp?: string;
}

export class EventLog {
  readonly emitted: S3EventBridgeEvent[] = [];
  private counter = 0;

  constructor(private readonly now: () => number, private readonly keyEncoding: 'url' | 'raw') {}

  sequencer(): string {
    this.counter += 1;
    const seconds = Math.floor(this.now() / 1000).toString(16).padStart(8, '0');
    return `${seconds}${this.counter.toString(16).padStart(8, '0')}`;
  }

  created(bucket: Bucket, stored: StoredVersion, reason: CreatedReason, ctx: EventContext): S3EventBridgeEvent | undefined {
    return this.emit(bucket, 'Object Created', {
      key: this.encode(stored.key), size: stored.body.length, etag: stored.etag.replace(/"/g, ''),
      ...(stored.versionId !== 'null' ? { 'version-id': stored.versionId } : {}), sequencer: this.sequencer(),
    }, ctx, reason);
  }

  deleted(bucket: Bucket, key: string, what: { marker?: StoredVersion; removed?: StoredVersion }, reason: DeletedReason, ctx: EventContext): S3EventBridgeEvent | undefined {
    const version = what.marker ?? what.removed;
    return this.emit(bucket, 'Object Deleted', {
      key: this.encode(key), etag: what.marker ? EMPTY_MD5 : (version?.etag.replace(/"/g, '') ?? EMPTY_MD5),
      ...(version && version.versionId !== 'null' ? { 'version-id': version.versionId } : {}), sequencer: this.sequencer(),
    }, ctx, reason, what.marker ? 'Delete Marker Created' : 'Permanently Deleted');
  }

  private encode(key: string): string {
    return this.keyEncoding === 'url' ? s3UrlEncode(key) : key;
  }

  private emit(bucket: Bucket, type: S3EventBridgeEvent['detail-type'], object: S3EventDetail['object'], ctx: EventContext,
    reason: S3EventDetail['reason'], deletionType?: DeletionType): S3EventBridgeEvent | undefined {
    if (!bucket.eventBridge) return undefined;
    const event: S3EventBridgeEvent = {
      version: '0', id: randomUUID(), 'detail-type': type, source: 'aws.s3', account: ctx.account,
      time: new Date(this.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'), region: ctx.region, resources: [`arn:aws:s3:::${bucket.name}`],
      detail: {
        version: '0', 'event-version': '1.0', bucket: { name: bucket.name }, object, 'request-id': ctx.requestId, requester: ctx.requester,
        ...(ctx.sourceIp !== undefined ? { 'source-ip-address': ctx.sourceIp } : {}), reason,
        ...(deletionType ? { 'deletion-type': deletionType } : {}),
      },
    };
    this.emitted.push(event);
    return event;
  }
}

export interface DeliveryOptions {
  /** Shuffle the batch (deterministically from `seed`). */
  readonly shuffle?: boolean;
  /** Send each event this many extra times (EventBridge is at-least-once). @default 0 */
  readonly duplicates?: number;
  readonly seed?: number;
  /** Extra headers, e.g. the API-destination connection's `authorization` or API-key header. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** Arranges a batch the way an at-least-once, unordered bus may hand it over. */
export function arrange(events: readonly S3EventBridgeEvent[], options: DeliveryOptions = {}): S3EventBridgeEvent[] {
  const out: S3EventBridgeEvent[] = [];
  for (const e of events) for (let i = 0; i <= (options.duplicates ?? 0); i += 1) out.push(e);
  if (options.shuffle) {
    let s = (options.seed ?? 1) >>> 0 || 1;
    for (let i = out.length - 1; i > 0; i -= 1) {
      s = (s * 1_103_515_245 + 12_345) >>> 0;
      const j = s % (i + 1);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
  }
  return out;
}

/** POSTs each event as an EventBridge API destination does (JSON body, no signature). */
export async function postS3Events(url: string, events: readonly S3EventBridgeEvent[], options: DeliveryOptions = {}): Promise<number[]> {
  const statuses: number[] = [];
  for (const event of arrange(events, options)) {
    const response = await fetch(url, {
      method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'Amazon/EventBridge/ApiDestinations', ...options.headers },
      body: JSON.stringify(event),
    });
    await response.arrayBuffer();
    statuses.push(response.status);
  }
  return statuses;
}
