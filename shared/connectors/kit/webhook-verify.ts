/**
 * Webhook verification for connectors. The primitives live in the pure core
 * (shared/core/signatures.ts, all over raw bytes); connectors import the ones their providers
 * need from here.
 *
 * A provider's scheme is a few lines on top: which headers carry the timestamp and the
 * signature, and which bytes were signed — timestamped HMAC (Slack), an HMAC of the raw body
 * (GitHub's `X-Hub-Signature-256`, Notion, Jira and Confluence webhooks: `verifyBodyHmac`), a
 * shared token (Google Drive's `X-Goog-Channel-Token`: `verifyToken`). The body's size is
 * checked by the webhook function before any decoder runs. Slack's v0, for example:
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
