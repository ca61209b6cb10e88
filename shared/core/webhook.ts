import { createHmac, timingSafeEqual } from 'node:crypto';
import { HttpError } from './errors.ts';
import type { Hints } from '../ports/index.ts';

/** Signatures older or newer than this are replays (or a badly skewed sender clock). */
export const WEBHOOK_TOLERANCE_SECONDS = 300;
export const SIGNATURE_HEADER = 'x-tributary-signature';

/** `t=<unix>,v1=<hex>` where hex = HMAC-SHA256(secret, `${t}.${body}`). */
export function signWebhook(secret: string, body: string, unixSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${body}`, 'utf8').digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

/** Throws HttpError(401) unless the header carries a fresh, valid signature of `body`. */
export function verifyWebhookSignature(secret: string, header: string | undefined, body: string, nowMs: number): void {
  if (!header) throw new HttpError(401, `missing ${SIGNATURE_HEADER} header`);
  const parts = new Map<string, string[]>();
  for (const piece of header.split(',')) {
    const eq = piece.indexOf('=');
    if (eq <= 0) continue;
    const k = piece.slice(0, eq).trim();
    parts.set(k, [...(parts.get(k) ?? []), piece.slice(eq + 1).trim()]);
  }
  const t = Number(parts.get('t')?.[0]);
  const candidates = parts.get('v1') ?? [];
  if (!Number.isInteger(t) || candidates.length === 0) throw new HttpError(401, `malformed ${SIGNATURE_HEADER} header: expected t=<unix>,v1=<hex>`);
  if (Math.abs(nowMs / 1000 - t) > WEBHOOK_TOLERANCE_SECONDS) throw new HttpError(401, 'signature timestamp outside the 5-minute window');
  const expected = Buffer.from(createHmac('sha256', secret).update(`${t}.${body}`, 'utf8').digest('hex'), 'utf8');
  // Several v1 values allow secret rotation: any one matching is enough.
  const ok = candidates.some((c) => {
    const given = Buffer.from(c, 'utf8');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!ok) throw new HttpError(401, 'signature does not match');
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
