/**
 * Loopback emulator of the Notion API (REST under /v1, Notion-Version 2025-09-03 — the default
 * of @notionhq/client 5.26.0 — and 2026-03-11) and of Notion's integration webhooks, built from
 * developers.notion.com and the SDK's own types and helpers. Each file under ./notion/ names, at
 * its top, the pages it follows; ./notion/samples.ts pins documented and captured payloads and
 * ./notion.test.ts (REST) and ./notion-webhooks.test.ts check the emulator against them through
 * the official SDK. ./notion/testkit.ts seeds a workspace with every block and property type.
 *
 * - ./notion/model.ts      stored objects and seed types (pages, blocks, databases, data sources, rows)
 * - ./notion/world.ts      the workspace, sharing/visibility, every mutation, change records
 * - ./notion/richtext.ts   rich text items and seed helpers (text, mention, equation)
 * - ./notion/shapes.ts     page / block / database / data source / user / comment JSON
 * - ./notion/query.ts      pagination, data-source filters and sorts
 * - ./notion/requests.ts   id and parameter validation, request values → stored values
 * - ./notion/routes.ts     the REST routes
 * - ./notion/errors.ts     Notion's error body and codes
 * - ./notion/ratelimit.ts  the per-integration budget (180 requests / 60 s by default)
 * - ./notion/webhooks.ts   subscriptions, verification, aggregation, X-Notion-Signature, retries
 * - ./notion/server.ts     fastify endpoint, request log, faults, the emulator handle
 *
 * Control API (on the handle from `startNotion()`): `addUser`, `addPage`, `addDatabase`,
 * `addDataSource`, `addRow`, `addComment`, `append`, `editBlock`, `deleteBlock`, `rename`,
 * `setValues`, `move`, `trash`, `restore`, `purge`, `lock`, `share`, `unshare`, `advance`,
 * `subscribe`, `deliverWebhooks`, `deliveries`, `queuedEvents`, `failNext`, `setRateLimit`,
 * `resetRateLimit`, `requests`, `clearRequests`, `count`; `token`, `bot`, `workspaceId`, `url`.
 */

export { NotionEmulator, startNotion, type NotionEmulatorOptions, type RecordedRequest } from './notion/server.ts';
export type {
  BlockSeed, ContentSeed, DatabaseSeed, DataSourceSeed, PageSeed, Placement, PropertySeed, RowSeed, User, UserSeed,
} from './notion/model.ts';
export { equation, mention, text, type Annotations, type RichText } from './notion/richtext.ts';
export { DOCUMENTED_LIMIT, type RateLimit } from './notion/ratelimit.ts';
export { NotionError, type NotionCode } from './notion/errors.ts';
export {
  AGGREGATION_MS, MAX_ATTEMPTS, postNotionWebhook, retryDelayMs, signNotionBody, verifyNotionSignature,
  type Delivery, type PostOptions, type Subscription,
} from './notion/webhooks.ts';
export { FILE_URL_TTL_MS } from './notion/shapes.ts';
