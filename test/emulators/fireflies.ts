/**
 * Loopback emulator of the Fireflies.ai API — GraphQL at `POST /graphql` and Webhooks V2/V1 —
 * built from docs.fireflies.ai and from public clients that talk to the live API, not from our
 * connector. Each file under ./fireflies/ names, at its top, the source of what it does;
 * ./fireflies/samples.ts pins documented and captured payloads, ./fireflies.test.ts checks the
 * emulator against them.
 *
 * - ./fireflies/schema.ts     the SDL every document is validated against (unknown field → 400)
 * - ./fireflies/workspace.ts  users and keys, meetings, processing state, privacy → visibility
 * - ./fireflies/shapes.ts     Transcript / User objects as the API returns them
 * - ./fireflies/resolvers.ts  transcripts filters, order and pagination, transcript, user(s), mutations
 * - ./fireflies/errors.ts     Fireflies' error entries (`code`, `friendly`, `extensions.status`)
 * - ./fireflies/ratelimit.ts  per-key budgets per plan, deleteTranscript's own limit
 * - ./fireflies/webhooks.ts   V2/V1 payloads, X-Hub-Signature, delivery, signing helpers
 * - ./fireflies/server.ts     fastify endpoint, request log, the emulator handle
 *
 * Control API (on the handle from `startFireflies()`): `addUser`, `addMeeting` (processing),
 * `addProcessedMeeting`, `finishProcessing` (→ meeting.transcribed), `finishSummary`
 * (→ meeting.summarized), `botJoined`, `deleteMeeting`, `setTitle`, `setPrivacy`, `share`,
 * `revokeShare`, `registerWebhook`, `setPlan`, `setRateLimits`, `resetRateLimits`, `requests`,
 * `deliveries`, `count`.
 */

export { FirefliesEmulator, startFireflies, type FirefliesEmulatorOptions, type RecordedRequest } from './fireflies/server.ts';
export {
  PRIVACY_LEVELS, type AttendeeSeed, type EmulatedUser, type MeetingPrivacy, type MeetingSeed, type Plan, type SentenceSeed,
  type ShareSeed, type SummarySeed, type SummaryStatus, type UserSeed,
} from './fireflies/workspace.ts';
export {
  postFirefliesWebhook, signFirefliesBody, verifyFirefliesSignature, V1_EVENT_TYPE, V2_EVENTS, WEBHOOK_USER_AGENT,
  type FiredDelivery, type PostOptions, type WebhookEvent, type WebhookRegistration,
} from './fireflies/webhooks.ts';
export { PLAN_LIMITS, type RateLimits } from './fireflies/ratelimit.ts';
export { MAX_LIMIT } from './fireflies/resolvers.ts';
export { SDL } from './fireflies/schema.ts';
