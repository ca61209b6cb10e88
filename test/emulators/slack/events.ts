/**
 * The Events API side of the emulator: the `event_callback` envelope, request signing (v0),
 * retries, `url_verification` and `app_rate_limited`.
 *
 * Sources:
 * - Envelope: MercuryTechnologies/slack-web tests/golden/SlackWebhookEvent/*.json (captured
 *   deliveries): token, team_id, context_team_id, context_enterprise_id (2024 captures), api_app_id,
 *   event, type "event_callback", event_id "Ev…", event_time (epoch seconds), authorizations
 *   [{enterprise_id: null, team_id, user_id, is_bot, is_enterprise_install}],
 *   is_ext_shared_channel, event_context. The event itself is the stored message plus `channel`,
 *   `event_ts` (= ts for a new message) and `channel_type` ("channel" public, "group" private, as
 *   in the captures).
 * - A reply arrives as a plain `message` with `thread_ts`, not as `message_replied`:
 *   https://docs.slack.dev/reference/events/message/message_replied ("Bug alert! This event is
 *   missing the subtype field when dispatched over the Events API").
 * - Signing: `X-Slack-Signature: v0=<hex HMAC-SHA256(secret, "v0:<ts>:<body>")>` and
 *   `X-Slack-Request-Timestamp`, requests older than 5 minutes rejected —
 *   https://docs.slack.dev/authentication/verifying-requests-from-slack; slackapi/python-slack-sdk
 *   slack_sdk/signature/__init__.py (`abs(now - timestamp) > 60 * 5`).
 * - Retries: up to 3 redeliveries of the same payload (same event_id) with
 *   `X-Slack-Retry-Num: 1..3` and `X-Slack-Retry-Reason` in {http_timeout, too_many_redirects,
 *   connection_failed, ssl_error, http_error, unknown_error} — https://docs.slack.dev/apis/events-api
 *   ("Failure conditions" / "Graceful retries").
 * - url_verification {token, challenge, type}: https://docs.slack.dev/reference/events/url_verification.
 * - app_rate_limited {token, type, team_id, minute_rate_limited, api_app_id}:
 *   https://docs.slack.dev/reference/events/app_rate_limited.
 */

import { createHmac } from 'node:crypto';

export const RETRY_REASONS = ['http_timeout', 'too_many_redirects', 'connection_failed', 'ssl_error', 'http_error', 'unknown_error'] as const;
export type RetryReason = (typeof RETRY_REASONS)[number];

export interface Retry {
  /** 1, 2 or 3. */
  readonly num: number;
  readonly reason: RetryReason;
}

export interface EnvelopeContext {
  readonly teamId: string;
  readonly appId: string;
  readonly botUserId: string;
  readonly eventId: string;
  readonly eventTime: number;
}

export function envelope(event: Record<string, unknown>, ctx: EnvelopeContext): Record<string, unknown> {
  return {
    token: 'verification-token-unused', team_id: ctx.teamId, context_team_id: ctx.teamId, context_enterprise_id: null,
    api_app_id: ctx.appId, event, type: 'event_callback', event_id: ctx.eventId, event_time: ctx.eventTime,
    authorizations: [{ enterprise_id: null, team_id: ctx.teamId, user_id: ctx.botUserId, is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
    event_context: `4-${Buffer.from(JSON.stringify({ et: String(event['type']), tid: ctx.teamId, aid: ctx.appId })).toString('base64')}`,
  };
}

/**
 * Headers of an Events API request signed the way Slack signs it (v0); with `retry`, the headers
 * Slack adds when it redelivers the same payload.
 */
export function signSlackRequest(secret: string, body: string, timestampSeconds: number, retry?: Retry): Record<string, string> {
  const signature = createHmac('sha256', secret).update(`v0:${timestampSeconds}:${body}`, 'utf8').digest('hex');
  return {
    'content-type': 'application/json',
    'x-slack-request-timestamp': String(timestampSeconds),
    'x-slack-signature': `v0=${signature}`,
    ...(retry ? { 'x-slack-retry-num': String(retry.num), 'x-slack-retry-reason': retry.reason } : {}),
  };
}

/** Checks a v0 signature the way Slack's SDKs do (the emulator's test uses it). */
export function verifySlackSignature(secret: string, headers: Record<string, string | undefined>, body: string, nowSeconds: number): boolean {
  const timestamp = Number(headers['x-slack-request-timestamp']);
  const signature = headers['x-slack-signature'];
  if (!Number.isFinite(timestamp) || !signature || Math.abs(nowSeconds - timestamp) > 60 * 5) return false;
  return signSlackRequest(secret, body, timestamp)['x-slack-signature'] === signature;
}

/** The `url_verification` request Slack sends when a Request URL is saved. */
export function urlVerification(challenge: string): Record<string, unknown> {
  return { token: 'verification-token-unused', challenge, type: 'url_verification' };
}

/** The notice Slack sends when an app's Events API deliveries are being rate limited. */
export function appRateLimited(minuteRateLimited: number, teamId = 'T0EMULATOR', appId = 'AEMULATOR'): Record<string, unknown> {
  return { token: 'verification-token-unused', type: 'app_rate_limited', team_id: teamId, minute_rate_limited: minuteRateLimited, api_app_id: appId };
}

/**
 * POSTs a payload to a Request URL signed like Slack (optionally as retry `retry.num`), returning
 * the receiver's response.
 */
export async function deliverEvent(url: string, payload: unknown, options: { secret: string; at?: number; retry?: Retry }): Promise<Response> {
  const body = JSON.stringify(payload);
  return fetch(url, { method: 'POST', body, headers: signSlackRequest(options.secret, body, options.at ?? Math.floor(Date.now() / 1000), options.retry) });
}
