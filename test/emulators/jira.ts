/**
 * Loopback emulator of Jira Cloud REST API v3 (one site) and its admin webhooks, built from
 * Atlassian's OpenAPI document (swagger-v3.v3.json), developer.atlassian.com pages and captured
 * live responses — not from our connector. Each file under ./jira/ names, at its top, the source
 * of what it does; ./jira/samples.ts pins documented payloads, ./jira.test.ts checks the
 * emulator against them and drives it through jira.js (Version3Client).
 *
 * - ./jira/site.ts       users (time zones, Browse projects, security levels), projects, issues
 *                        (create/edit/move/delete, epics and sub-tasks), comments, worklogs
 * - ./jira/shapes.ts     IssueBean, fields, UserDetails, Comment, Worklog, Project as returned
 * - ./jira/adf.ts        ADF documents (every node and mark kind) and renderedFields HTML
 * - ./jira/time.ts       Jira timestamps, JQL date literals in the user's zone
 * - ./jira/jql.ts        the JQL subset: parser, evaluator, ORDER BY, Jira's error texts
 * - ./jira/routes.ts     search/jql, issue, comments, worklogs, bulkfetch, projects, worklog feeds
 * - ./jira/errors.ts     ErrorCollection bodies and messages (410 on the removed /search)
 * - ./jira/ratelimit.ts  429 with Retry-After, X-RateLimit-*, RateLimit-Reason
 * - ./jira/webhooks.ts   admin webhook payloads, X-Hub-Signature, retries, identifiers
 * - ./jira/server.ts     fastify endpoint, auth, request log, faults, the emulator handle
 *
 * Control API (on the handle from `startJira()`): `addUser`, `setTimeZone`, `setBrowse`,
 * `setSecurityLevels`, `addProject`, `addSecurityLevel`, `createIssue`, `editIssue`,
 * `moveIssue`, `deleteIssue`, `addComment`, `editComment`, `deleteComment`, `addWorklog` (with a
 * fixed `id` for Tempo), `editWorklog`, `deleteWorklog`, `findIssue`, `keyOf`,
 * `registerWebhook`, `clearWebhooks`, `deliveries`, `webhooksSettled`, `setRateLimits`,
 * `resetRateLimits`, `failNext`, `requests`, `clearRequests`, `count`, `countsByRoute`, `close`.
 */

export { JiraEmulator, startJira, type JiraEmulatorOptions, type RecordedRequest } from './jira/server.ts';
export {
  ISSUE_TYPES, PRIORITIES, STATUSES, type IssueEdit, type IssueSeed, type IssueTypeName, type JiraComment, type JiraIssue, type JiraProject,
  type JiraUser, type JiraWorklog, type PriorityName, type SecurityLevel, type StatusName, type UserSeed,
} from './jira/site.ts';
export { everyNodeDoc, kindsIn, paragraphDoc, plainText, renderHtml, text, type AdfDoc, type AdfNode } from './jira/adf.ts';
export { jiraTimestamp, jqlDate, parseJqlDate, zonedToEpoch } from './jira/time.ts';
export { postJiraWebhook, signJiraBody, verifyJiraSignature, type FiredDelivery, type WebhookEvent, type WebhookRegistration } from './jira/webhooks.ts';
export { DEFAULT_LIMITS, resetStamp, type RateLimits } from './jira/ratelimit.ts';
export { MESSAGES } from './jira/errors.ts';
