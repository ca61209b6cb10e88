/**
 * Webhook verification for connectors. The primitive lives in the pure core (the webhook
 * Lambda's own scheme uses it too); connectors import it from here.
 *
 * A provider's scheme is a few lines on top: which headers carry the timestamp and the
 * signature, and which bytes were signed. Slack's v0, for example:
 *
 * ```ts
 * verifyTimestampedHmac({
 *   secret, nowMs, header: 'x-slack-signature', prefix: 'v0=',
 *   timestamp: headers['x-slack-request-timestamp'],
 *   signatures: [headers['x-slack-signature'] ?? ''].filter(Boolean),
 *   payload: `v0:${headers['x-slack-request-timestamp']}:${body}`,
 * });
 * ```
 */
export { constantTimeEqual, verifyTimestampedHmac, WEBHOOK_TOLERANCE_SECONDS } from '../../core/webhook.ts';
export type { TimestampedHmacCheck } from '../../core/webhook.ts';

/** Case-insensitive header lookup over a raw request's headers. */
export function headerOf(headers: Readonly<Record<string, string | undefined>>, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === lower) return v;
  return undefined;
}
