/**
 * Loopback emulator of Confluence Cloud for one site (base `<url>/wiki`): REST API v2 for spaces,
 * pages, blog posts, ancestors, children, labels and versions; REST API v1 for the current user,
 * CQL search and content restrictions; and Data Center-style signed webhooks. Built from
 * Atlassian's v1/v2 references and OpenAPI spec (as generated into confluence.js), the
 * installed confluence.js 2.1.0 models, and captured payloads — see each file's header.
 *
 * - ./confluence/world.ts      users (time zones, groups), spaces, pages/blog posts, versions,
 *                               drafts, labels, restrictions, trash/restore/purge, moves
 * - ./confluence/bodies.ts     storage XHTML and ADF bodies with every documented element
 * - ./confluence/shapes.ts     v2 Page/BlogPost/Space/…, v1 Content/SearchResult/User
 * - ./confluence/http.ts       handler context, parameter validation, v2 cursors, v1 search pages
 * - ./confluence/routes-v2.ts  /wiki/api/v2/*
 * - ./confluence/routes-v1.ts  /wiki/rest/api/{user/current,search,content/search,content/{id},restriction}
 * - ./confluence/cql.ts        CQL subset, dates in the caller's time zone
 * - ./confluence/errors.ts     v2 `errors[]`, v1 `statusCode`/`message`, 401 bodies
 * - ./confluence/ratelimit.ts  429 with Retry-After / X-RateLimit-* / RateLimit-Reason
 * - ./confluence/webhooks.ts   Data Center payloads, X-Hub-Signature, delivery, signing helpers
 * - ./confluence/server.ts     fastify endpoint, auth, request log, faults, the handle
 * - ./confluence/samples.ts    documented and captured payloads the self-test checks against
 *
 * Control API (on the handle from `startConfluence()`; world methods from ConfluenceWorld):
 * `addUser`, `setTimeZone`, `addToGroup`, `removeFromGroup`, `addSpace`, `setSpaceViewers`,
 * `createPage`, `createBlogPost`, `editBody`, `rename`, `move`, `saveDraft`, `publishDraft`,
 * `archive`, `trash`, `restore`, `purge`, `addLabel`, `setReadRestriction`, `registerWebhook`,
 * `deliveries`, `webhooks.settle()`, `failNext`, `setRateLimits`, `resetRateLimits`,
 * `requests(route?)`, `count(route, status?)`, `countsByRoute()`, `resetLog`, `close`.
 * Routes are named by pattern: `GET /wiki/api/v2/pages`, `GET /wiki/api/v2/pages/:id`,
 * `GET /wiki/rest/api/search`, ….
 */

export { ConfluenceEmulator, startConfluence, type ConfluenceEmulatorOptions, type RecordedRequest } from './confluence/server.ts';
export {
  ConfluenceWorld, type Body, type ContentSeed, type ContentStatus, type ContentType, type DcEvent, type EditOptions, type SpaceSeed,
  type StoredContent, type StoredSpace, type StoredUser, type UserSeed, type Viewers,
} from './confluence/world.ts';
export { longStorage, RICH_ADF, RICH_STORAGE } from './confluence/bodies.ts';
export { cqlDate, zonedToEpoch } from './confluence/cql.ts';
export { type RateLimits } from './confluence/ratelimit.ts';
export {
  DC_BLOG_EVENTS, DC_PAGE_EVENTS, dcPayload, postConfluenceWebhook, signConfluenceBody, userKeyOf, verifyConfluenceSignature,
  type DcPayload, type FiredDelivery, type PostOptions, type WebhookRegistration,
} from './confluence/webhooks.ts';
