/**
 * Webhook verification for connectors. The primitives live in the pure core
 * (shared/core/signatures.ts: timestamped HMAC, raw-body HMAC, Ed25519, shared tokens, all
 * over raw bytes); connectors import them from here.
 *
 * A provider's scheme is a few lines on top: which headers carry the timestamp and the
 * signature, and which bytes were signed. Slack's v0, for example:
 *
 * ```ts
 * verifyTimestampedHmac({
 *   secret, nowMs, header: 'x-slack-signature', prefix: 'v0=',
 *   timestamp: headers['x-slack-request-timestamp'],
 *   signatures: [headers['x-slack-signature'] ?? ''].filter(Boolean),
 *   payload: concatBytes(`v0:${headers['x-slack-request-timestamp']}:`, rawBody),
 * });
 * ```
 */
import { HttpError } from '../../core/errors.ts';

export {
  bytesOf, concatBytes, constantTimeEqual, hmacOf, verifyBodyHmac, verifyEd25519, verifyTimestampedHmac, verifyToken,
  WEBHOOK_TOLERANCE_SECONDS,
} from '../../core/signatures.ts';
export type { BodyHmacCheck, Ed25519Check, RawBytes, TimestampedHmacCheck, TokenCheck, Verified } from '../../core/signatures.ts';
export { parseSignatureHeader } from '../../core/webhook.ts';

/** Case-insensitive header lookup over a raw request's headers. */
export function headerOf(headers: Readonly<Record<string, string | undefined>>, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

/** Largest webhook body accepted by default: 1 MiB, as the local server and API Gateway handler enforce. */
export const MAX_WEBHOOK_BODY_BYTES = 1024 * 1024;

/**
 * Throws HttpError(413) when the raw body is over `maxBytes` (UTF-8 bytes), before any HMAC
 * is computed over it: an unauthenticated sender must not make the verifier hash megabytes.
 */
export function assertBodySize(body: string, maxBytes: number = MAX_WEBHOOK_BODY_BYTES): void {
  // Cheap bounds first: a UTF-8 string has between length and 3·length bytes.
  if (body.length <= maxBytes / 3) return;
  const bytes = Buffer.byteLength(body, 'utf8');
  if (bytes > maxBytes) throw new HttpError(413, `body is ${bytes} bytes, over the ${maxBytes}-byte limit`);
}
