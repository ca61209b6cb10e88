/**
 * Loopback emulator of the Tempo Cloud REST API v4 (https://api.tempo.io/4) — worklogs, deleted
 * worklogs through the audit ("papertrail") endpoints, and Tempo webhooks — built from
 * https://apidocs.tempo.io/ (its OpenAPI document), Tempo's help center and KB, and public clients
 * of the live API, not from our connector. Each file under ./tempo/ names, at its top, what it
 * follows; ./tempo/samples.ts pins documented and captured payloads, ./tempo.test.ts checks the
 * emulator against them.
 *
 * - ./tempo/world.ts      issues → projects, worklogs, tokens and their project scope, deletions, audit
 * - ./tempo/shapes.ts     Worklog / page / webhook-payload objects as the API writes them
 * - ./tempo/query.ts      filters, order, limit ≤ 5000, parameter validation
 * - ./tempo/routes.ts     /4/worklogs…, /4/papertrail/search, /papertrail/1/…, /4/webhooks/subscriptions
 * - ./tempo/errors.ts     `{errors:[{message}]}`, 401/403 text/html, the gateway's 429
 * - ./tempo/ratelimit.ts  5 requests/second per token
 * - ./tempo/webhooks.ts   subscriptions, handshake, Tempo-Signature, retries, signing helpers
 * - ./tempo/server.ts     fastify endpoint, request log, fault injection, the handle
 *
 * Control API (on the handle from `startTempo()`): `addIssue(issueId, projectId)`, `moveIssue`,
 * `addWorklog(seed)`, `seedWorklogs(count, i => seed)`, `editWorklog(id, edit)`,
 * `deleteWorklog(id)`, `addToken(token, {projectIds?})`, `revokeToken`, `setRateLimit`,
 * `resetRateLimit`, `failNext(route, count, status)`, `requests()`, `count(route, status?)`,
 * `clearRequests`, `subscriptions`, `deliveries`, `flushWebhooks()`, `runWebhookRetries()`.
 * Routes are named `METHOD pattern`, e.g. 'GET /4/worklogs', 'GET /4/worklogs/:id'.
 */

export { startTempo, TempoEmulator, type RecordedRequest, type TempoEmulatorOptions } from './tempo/server.ts';
export {
  TempoWorld, type Attribute, type AuditEvent, type DeletedWorklog, type StoredWorklog, type TokenScope, type WorklogEdit, type WorklogEvent,
  type WorklogSeed,
} from './tempo/world.ts';
export { DOCUMENTED_RATE_LIMIT, type RateLimit } from './tempo/ratelimit.ts';
export { DEFAULT_LIMIT, MAX_LIMIT } from './tempo/query.ts';
export { timestamp, type TimestampStyle } from './tempo/shapes.ts';
export {
  MAX_RETRIES, MAX_SUBSCRIPTIONS, postTempoWebhook, signTempoWebhook, SUBSCRIPTION_EVENTS, verifyTempoWebhook, type Delivery, type PostOptions,
  type Subscription, type WebhookEnvelope,
} from './tempo/webhooks.ts';
