import { HttpError } from './errors.ts';
import { concatBytes, hmacOf, verifyTimestampedHmac, type RawBytes, type Verified } from './signatures.ts';
import type { Hints } from '../ports/index.ts';

export { constantTimeEqual, hmacOf, verifyTimestampedHmac, WEBHOOK_TOLERANCE_SECONDS } from './signatures.ts';
export type { TimestampedHmacCheck } from './signatures.ts';

export const SIGNATURE_HEADER = 'x-tributary-signature';

/** `t=<unix>,v1=<hex>` where hex = HMAC-SHA256(secret, `${t}.${body}`) over the body's bytes. */
export function signWebhook(secret: string, body: string | RawBytes, unixSeconds: number): string {
  const mac = hmacOf(secret, concatBytes(`${unixSeconds}.`, body));
  return `t=${unixSeconds},v1=${mac}`;
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

/** Throws HttpError(401) unless the header carries a fresh, valid signature of the body's bytes. */
export function verifyWebhookSignature(secret: string, header: string | undefined, body: string | RawBytes, nowMs: number): Verified {
  if (!header) throw new HttpError(401, `missing ${SIGNATURE_HEADER} header`);
  const parts = parseSignatureHeader(header);
  const t = Number(parts.get('t')?.[0]);
  const candidates = parts.get('v1') ?? [];
  if (!Number.isInteger(t) || candidates.length === 0) throw new HttpError(401, `malformed ${SIGNATURE_HEADER} header: expected t=<unix>,v1=<hex>`);
  // Several v1 values allow secret rotation: any one matching is enough.
  return verifyTimestampedHmac({ secret, timestamp: t, signatures: candidates, payload: concatBytes(`${t}.`, body), nowMs, header: SIGNATURE_HEADER });
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

/** The replay-memory scope of a signed route's deliveries for one source (a DeliveryLog scope). */
export function deliveryScope(route: 'webhook' | 'ingest', sourceId: string): string {
  return `${route}:${sourceId}`;
}
