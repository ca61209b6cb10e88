/**
 * How a signed request proves where it came from: every scheme the sources use, over the raw
 * bytes of the body (never a decoded string: two byte sequences can decode to one string).
 * Each check throws HttpError(401) naming what failed, and returns the delivery's identity
 * for the replay memory (DeliveryLog): the matched signature, unless the scheme carries a
 * delivery id of its own (GitHub's X-GitHub-Delivery, Jira's X-Atlassian-Webhook-Identifier).
 *
 * | scheme | who | check |
 * |---|---|---|
 * | timestamped HMAC | Tributary (`t=…,v1=…`), Slack (v0), Stripe-style | `verifyTimestampedHmac` |
 * | raw-body HMAC with a prefix | GitHub `sha256=`, Jira/Confluence `sha256=`, Notion `sha256=`, Fireflies | `verifyBodyHmac` |
 * | Ed25519 over timestamp + body | Discord interactions | `verifyEd25519` |
 * | shared token in a header | Telegram, Google Drive channel tokens | `verifyToken` |
 */
import { createHmac, createPublicKey, timingSafeEqual, verify } from 'node:crypto';
import { HttpError } from './errors.ts';

/** The exact bytes of a request body. */
export type RawBytes = Uint8Array;

/** Signatures older or newer than this are replays (or a badly skewed sender clock). */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

/** What a verified request is, for the replay memory. */
export interface Verified {
  /** Stable for one delivery (its signature or delivery id); a second request with it is a replay. */
  readonly deliveryId: string;
}

/** Bytes of a string (UTF-8) or the bytes themselves. */
export function bytesOf(data: string | RawBytes): Buffer {
  return typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** `parts` joined into the byte string a sender signed, e.g. `${t}.` + body. */
export function concatBytes(...parts: ReadonlyArray<string | RawBytes>): Buffer {
  return Buffer.concat(parts.map(bytesOf));
}

/** HMAC of `payload`, hex or base64. */
export function hmacOf(secret: string, payload: string | RawBytes, options: { algorithm?: 'sha256' | 'sha1'; encoding?: 'hex' | 'base64' } = {}): string {
  return createHmac(options.algorithm ?? 'sha256', secret).update(bytesOf(payload)).digest(options.encoding ?? 'hex');
}

/** Compares two strings in time independent of where they differ (lengths may leak; contents do not). */
export function constantTimeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface TimestampedHmacCheck {
  readonly secret: string;
  /** Unix seconds the sender claims; a header value (string) or already parsed. */
  readonly timestamp: string | number | undefined;
  /** Candidate signatures as sent (several allow secret rotation); `prefix` is stripped from each. */
  readonly signatures: readonly string[];
  /** The exact bytes the sender signed, e.g. concatBytes(`${t}.`, body) or `v0:${t}:` + body. */
  readonly payload: string | RawBytes;
  readonly nowMs: number;
  /** Replay window either side of now. @default 300 */
  readonly toleranceSeconds?: number;
  /** @default 'sha256' */
  readonly algorithm?: 'sha256' | 'sha1';
  /** @default 'hex' */
  readonly encoding?: 'hex' | 'base64';
  /** Scheme prefix on each signature, e.g. "v0=" or "sha256=". @default '' */
  readonly prefix?: string;
  /** Names the header in error messages. */
  readonly header?: string;
}

/**
 * A timestamp within the replay window and at least one signature equal, in constant time,
 * to HMAC(secret, payload). The delivery id is the matching signature.
 */
export function verifyTimestampedHmac(check: TimestampedHmacCheck): Verified {
  const header = check.header ?? 'signature';
  const t = typeof check.timestamp === 'number' ? check.timestamp : Number(check.timestamp ?? Number.NaN);
  if (check.timestamp === undefined || check.timestamp === '' || !Number.isInteger(t)) {
    throw new HttpError(401, `missing or malformed timestamp for ${header}: expected unix seconds`);
  }
  const tolerance = check.toleranceSeconds ?? WEBHOOK_TOLERANCE_SECONDS;
  if (Math.abs(check.nowMs / 1000 - t) > tolerance) {
    throw new HttpError(401, `signature timestamp outside the ${Math.round(tolerance / 60)}-minute window`);
  }
  return { deliveryId: matchHmac(check, header) };
}

export interface BodyHmacCheck {
  readonly secret: string;
  /** The signature header's value, e.g. `sha256=<hex>`; undefined when absent. */
  readonly signature: string | undefined;
  readonly body: RawBytes;
  /** @default 'sha256=' */
  readonly prefix?: string;
  /** @default 'sha256' */
  readonly algorithm?: 'sha256' | 'sha1';
  /** @default 'hex' */
  readonly encoding?: 'hex' | 'base64';
  readonly header: string;
  /** The scheme's own delivery id (a header), if it has one; else the signature identifies the delivery. */
  readonly deliveryId?: string | undefined;
}

/**
 * HMAC of the raw body with no timestamp (GitHub, Jira, Notion, Fireflies). Such a request
 * can be replayed at any later time: the caller must remember delivery ids (or signatures)
 * for as long as the sender retries, and rely on the events being hints, not content.
 */
export function verifyBodyHmac(check: BodyHmacCheck): Verified {
  if (!check.signature) throw new HttpError(401, `missing ${check.header}`);
  const signature = matchHmac({
    secret: check.secret, signatures: [check.signature], payload: check.body, prefix: check.prefix ?? 'sha256=',
    algorithm: check.algorithm ?? 'sha256', encoding: check.encoding ?? 'hex',
  }, check.header);
  return { deliveryId: check.deliveryId ?? signature };
}

export interface Ed25519Check {
  /** The application's public key, 64 hex characters (32 bytes). */
  readonly publicKeyHex: string;
  /** The signature header's value, 128 hex characters. */
  readonly signatureHex: string | undefined;
  /** The signed bytes, e.g. concatBytes(timestamp, body) for Discord. */
  readonly message: RawBytes;
  readonly header: string;
}

/** DER prefix of an Ed25519 SubjectPublicKeyInfo; the 32 key bytes follow. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** Ed25519 signature of the message under a raw public key (Discord's interactions endpoint). */
export function verifyEd25519(check: Ed25519Check): Verified {
  if (!check.signatureHex) throw new HttpError(401, `missing ${check.header}`);
  const signature = Buffer.from(check.signatureHex, 'hex');
  const key = Buffer.from(check.publicKeyHex, 'hex');
  if (signature.length !== 64 || !/^[0-9a-f]{128}$/i.test(check.signatureHex)) throw new HttpError(401, `malformed ${check.header}: expected 128 hex characters`);
  if (key.length !== 32) throw new HttpError(401, 'the configured public key is not 32 bytes of hex');
  const publicKey = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, key]), format: 'der', type: 'spki' });
  if (!verify(null, bytesOf(check.message), publicKey, signature)) throw new HttpError(401, 'signature does not match');
  return { deliveryId: check.signatureHex.toLowerCase() };
}

export interface TokenCheck {
  readonly expected: string;
  readonly given: string | undefined;
  readonly header: string;
  /** The request's own delivery id (e.g. Telegram's update_id, Google's channel + message number). */
  readonly deliveryId: string;
}

/** A shared secret sent as is (Telegram's secret token, a Google channel token), compared in constant time. */
export function verifyToken(check: TokenCheck): Verified {
  if (!check.given) throw new HttpError(401, `missing ${check.header}`);
  if (!constantTimeEqual(check.given, check.expected)) throw new HttpError(401, `${check.header} does not match`);
  return { deliveryId: check.deliveryId };
}

/** The first candidate equal to HMAC(secret, payload) after its prefix, or a 401. */
function matchHmac(check: Pick<TimestampedHmacCheck, 'secret' | 'signatures' | 'payload' | 'prefix' | 'algorithm' | 'encoding'>, header: string): string {
  if (check.signatures.length === 0) throw new HttpError(401, `missing ${header}`);
  const expected = hmacOf(check.secret, check.payload, { algorithm: check.algorithm ?? 'sha256', encoding: check.encoding ?? 'hex' });
  const prefix = check.prefix ?? '';
  const match = check.signatures.find((given) => given.startsWith(prefix) && constantTimeEqual(given.slice(prefix.length), expected));
  if (match === undefined) throw new HttpError(401, 'signature does not match');
  return match.slice(prefix.length);
}
