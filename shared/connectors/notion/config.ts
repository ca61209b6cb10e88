import { z } from 'zod';
import { envName, sourceBase } from '../../config/source-base.ts';

/** Notion answers at most 100 results per page (https://developers.notion.com/reference/intro#pagination). */
export const MAX_PAGE_SIZE = 100;
const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/**
 * `"kind": "notion"`: pages and data-source rows an internal integration can see, one Markdown
 * document per page. Every key and its default is documented in docs/sources/notion.md.
 */
export const notionSource = z.strictObject({
  ...sourceBase,
  kind: z.literal('notion'),
  /** Environment variable holding the integration secret (`ntn_…`, Settings → Connections → Develop or manage integrations). */
  tokenEnv: envName.default('NOTION_TOKEN'),
  /** The API root without `/v1` (the SDK's `baseUrl`); tests point it at a loopback emulator. */
  apiUrl: z.string().url({ message: 'must be an absolute URL such as "https://api.notion.com"' }).default('https://api.notion.com'),
  /**
   * Page ids and data source ids shared with the integration; only they and what lies below
   * them are indexed. Absent: every page and data source the integration can see.
   */
  roots: z.array(z.string().regex(UUID, { message: 'must be a Notion page or data source id (32 hex digits, dashes optional): copy it from the page\'s link' }))
    .min(1, { message: 'must name at least one page or data source id; leave "roots" out to index everything shared with the integration' })
    .transform((ids) => ids.map(dashed)).optional(),
  /** Results per search, query and block-children request (Notion's `page_size`). */
  pageSize: z.number().int().min(1, { message: 'must be at least 1' })
    .max(MAX_PAGE_SIZE, { message: `must be at most ${MAX_PAGE_SIZE}: Notion refuses a larger page_size` }).default(MAX_PAGE_SIZE),
  /** Requests per minute (Notion: an average of three per second per integration). */
  requestsPerMinute: z.number().int().min(1).max(180, { message: 'must be at most 180: Notion allows an integration three requests a second on average' }).default(170),
  /**
   * Requests sent back to back before pacing starts. Notion counts requests per 60-second window
   * (180), so `requestsPerMinute` + `burst` ≤ 180 never meets its limit.
   */
  burst: z.number().int().min(1).max(60).default(10),
  /** Block nesting read below a page (toggles in toggles, columns); deeper blocks are left out with a warning. */
  maxBlockDepth: z.number().int().min(1).max(100).default(25),
  /**
   * Hours between reconciles (a walk of every shared page's block tree: deletions, and pages
   * search did not return). A full pass (`sync --full`) always reconciles; 0: after every pass.
   */
  reconcileIntervalHours: z.number().min(0).max(24 * 30).default(24),
  /** When set, every document's `access` is `group:<accessGroup>` (Notion's API exposes no per-user sharing). */
  accessGroup: z.string().regex(/^[^\s,]{1,200}$/, { message: 'must be 1-200 characters without whitespace or commas (it becomes the principal group:<accessGroup>)' }).optional(),
  /**
   * Accept a Notion webhook subscription at `POST /webhooks/<id>`: the verification token Notion
   * sends first is stored in the credential store and verifies every later event. A
   * `webhook.secretEnv` instead pins the token from an environment variable.
   */
  webhookSubscription: z.boolean().default(false),
  /** Per-request timeout, reading the body included. */
  requestTimeoutMs: z.number().int().min(1000).max(300_000).default(30_000),
  /** Longest wait a rate-limited request sleeps through (Notion's Retry-After is at most 60 s). */
  maxRetryWaitSeconds: z.number().int().min(0).max(900).default(60),
});

export type NotionSourceConfig = z.output<typeof notionSource>;

/** A Notion id in its dashed form (the API answers with dashes; links carry 32 hex digits). */
export function dashed(id: string): string {
  const hex = id.replace(/-/g, '').toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const isNotionId = (id: string): boolean => UUID.test(id);
