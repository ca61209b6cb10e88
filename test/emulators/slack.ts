/**
 * Loopback emulator of the Slack Web API and Events API, built from Slack's published docs and
 * captured payloads — not from our connector. Each file under ./slack/ names, at its top, the
 * source of every shape it produces; ./slack/samples.ts pins the captured field sets, and
 * ./slack.test.ts checks the emulator against them.
 *
 * - ./slack/shapes.ts     message objects per kind of poster (person, app bot token, legacy bot,
 *                         incoming webhook, workflow, file share, join/leave, topic, …)
 * - ./slack/workspace.ts  seeding controls, threads, edits, deletions and tombstones, events
 * - ./slack/server.ts     the Web API over HTTP (auth, pagination, errors, scopes, 429s)
 * - ./slack/events.ts     event_callback envelope, v0 signing, retries, url_verification
 *
 * Seeding: `post` (compat: `user`, or `botId` for a legacy bot_message), `postAsUser`,
 * `postAsApp`, `postLegacyBot`, `postWebhook`, `postWorkflow`, `shareFile`, `meMessage`, `join`,
 * `leave`, `setTopic`, `setPurpose`, `rename`, `edit`, `remove`; each returns the Events API
 * payload Slack would send, and every payload is also kept in `events` (`takeEvents()`).
 */

export { SlackEmulator, type RecordedCall, type SlackEmulatorOptions } from './slack/server.ts';
export { OWN_APP, TEAM_ID, type EmulatedUser, type Placement, type Posted, type RateLimitMode } from './slack/workspace.ts';
export { SLACKBOT, TOMBSTONE_TEXT, type EmulatedApp, type EmulatedFile, type EmulatedIntegration, type Wire } from './slack/shapes.ts';
export {
  appRateLimited, deliverEvent, RETRY_REASONS, signSlackRequest, urlVerification, verifySlackSignature, type Retry, type RetryReason,
} from './slack/events.ts';
