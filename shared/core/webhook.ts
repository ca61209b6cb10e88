import { createHmac, timingSafeEqual } from 'node:crypto';
import { HttpError } from './errors.ts';
import type { Hints } from '../ports/index.ts';

/** Signatures older or newer than this are replays (or a badly skewed sender clock). */
export const WEBHOOK_TOLERANCE_SECONDS = 300;
export const SIGNATURE_HEADER = 'x-tributary-signature';

/** HMAC of `payload` (UTF-8), hex or base64. */
export function hmacOf(secret: string, payload: string, options: { algorithm?: 'sha256' | 'sha1'; encoding?: 'hex' | 'base64' } = {}): string {
  return createHmac(options.algorithm ?? 'sha256', secret).update(payload, 'utf8').digest(options.encoding ?? 'hex');
}

/** `t=<unix>,v1=<hex>` where hex = HMAC-SHA256(secret, `${t}.${body}`). */
export function signWebhook(secret: string, body: string, unixSeconds: number): string {
  const mac = hmacOf(secret, `${unixSeconds}.${body}`);
  return `t=${unixSeconds},v1=${mac}`;
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
  /** The exact bytes the sender signed, e.g. `${t}.${body}` or `v0:${t}:${body}`. */
  readonly payload: string;
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
 * The check every timestamped-HMAC webhook scheme shares (Tributary's own, Slack's v0,
 * Stripe-style `t=…,v1=…`): a timestamp within the replay window and at least one signature
 * equal, in constant time, to HMAC(secret, payload). Throws HttpError(401) naming what failed.
 */
export function verifyTimestampedHmac(check: TimestampedHmacCheck): void {
  const header = check.header ?? 'signature';
  const t = typeof check.timestamp === 'number' ? check.timestamp : Number(check.timestamp ?? Number.NaN);
  if (check.timestamp === undefined || check.timestamp === '' || !Number.isInteger(t)) {
    throw new HttpError(401, `missing or malformed timestamp for ${header}: expected unix seconds`);
  }
  const tolerance = check.toleranceSeconds ?? WEBHOOK_TOLERANCE_SECONDS;
  if (Math.abs(check.nowMs / 1000 - t) > tolerance) {
    throw new HttpError(401, `signature timestamp outside the ${Math.round(tolerance / 60)}-minute window`);
  }
  if (check.signatures.length === 0) throw new HttpError(401, `missing ${header}`);
  const expected = hmacOf(check.secret, check.payload, { algorithm: check.algorithm ?? 'sha256', encoding: check.encoding ?? 'hex' });
  const prefix = check.prefix ?? '';
  const ok = check.signatures.some((given) => given.startsWith(prefix) && constantTimeEqual(given.slice(prefix.length), expected));
  if (!ok) throw new HttpError(401, 'signature does not match');
}

/**
 * Splits a `k=v,k=v` signature header (Stripe-style `t=…,v1=…,v1=…`, Tributary's own) into
 * its values by key; a key may repeat (secret rotation). Pieces without `=` are ignored.
 */
export function parseSignatureHeader(header: string): Map<string, string[]> {
  const parts = new Map<string, string[]>();
  for (const piece of header.split(',')) {
    const eq = piece.indexOf('=');
    if (eq <= 0) continue;
    const key = piece.slice(0, eq).trim();
    parts.set(key, [...(parts.get(key) ?? []), piece.slice(eq + 1).trim()]);
  }
  return parts;
}

/** Throws HttpError(401) unless the header carries a fresh, valid signature of `body`. */
export function verifyWebhookSignature(secret: string, header: string | undefined, body: string, nowMs: number): void {
  if (!header) throw new HttpError(401, `missing ${SIGNATURE_HEADER} header`);
  const parts = parseSignatureHeader(header);
  const t = Number(parts.get('t')?.[0]);
  const candidates = parts.get('v1') ?? [];
  if (!Number.isInteger(t) || candidates.length === 0) throw new HttpError(401, `malformed ${SIGNATURE_HEADER} header: expected t=<unix>,v1=<hex>`);
  // Several v1 values allow secret rotation: any one matching is enough.
  verifyTimestampedHmac({ secret, timestamp: t, signatures: candidates, payload: `${t}.${body}`, nowMs, header: SIGNATURE_HEADER });
}

/** Decodes `{ "changed": [ids], "deleted": [ids] }`, or an empty body meaning "run a sync". */
export function parseHintBody(sourceId: string, body: string): Hints {
  if (body.trim().length === 0) return { sourceId, ids: [] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new HttpError(400, 'body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new HttpError(400, 'body must be a JSON object like {"changed":["id"],"deleted":["id"]}');
  }
  const record = parsed as Record<string, unknown>;
  const unknownKeys = Object.keys(record).filter((k) => k !== 'changed' && k !== 'deleted');
  if (unknownKeys.length > 0) throw new HttpError(400, `unknown field(s) ${unknownKeys.join(', ')}: expected "changed" and/or "deleted"`);
  const ids: string[] = [];
  for (const field of ['changed', 'deleted'] as const) {
    const value = record[field];
    if (value === undefined) continue;
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && v.length > 0 && v.length <= 1024)) {
      throw new HttpError(400, `"${field}" must be an array of non-empty string ids (at most 1024 characters each)`);
    }
    ids.push(...(value as string[]));
  }
  if (ids.length > 10_000) throw new HttpError(400, 'at most 10000 ids per hint; send an empty body to request a full incremental sync');
  return { sourceId, ids: [...new Set(ids)] };
}
