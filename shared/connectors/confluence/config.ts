import { z } from 'zod';
import { envName, schedule, sourceBase } from '../../config/source-base.ts';

/** Confluence space keys: letters and digits (personal spaces: `~` and an account id). */
const SPACE_KEY = /^~?[A-Za-z0-9_]{1,255}$/;

/**
 * `"kind": "confluence"`: the pages (and, with `includeBlogPosts`, blog posts) of Confluence
 * Cloud spaces, one Markdown document per page. Every key and its default is documented in
 * docs/sources/confluence.md.
 */
export const confluenceSource = z.strictObject({
  ...sourceBase,
  kind: z.literal('confluence'),
  schedule: schedule('rate(15 minutes)'),
  /** The site, e.g. `https://acme.atlassian.net` (a trailing `/wiki` is accepted). */
  siteUrl: z.string().url({ message: 'must be the site\'s absolute URL such as "https://acme.atlassian.net"' }),
  /** The API base; default `<siteUrl>/wiki`. Tests and proxies point it elsewhere. */
  apiUrl: z.string().url({ message: 'must be an absolute URL such as "https://acme.atlassian.net/wiki"' }).optional(),
  /** The Atlassian account's e-mail, for Basic auth with the API token in `tokenEnv`. */
  email: z.string().email({ message: 'must be the e-mail of the Atlassian account the API token belongs to' }).optional(),
  /**
   * Environment variable holding the API token (id.atlassian.com → Security → API tokens), used
   * with `email`; `CONFLUENCE_API_TOKEN` when not given (see tokenEnvOf). Not defaulted in the
   * schema: with `bearerTokenEnv` there is no API token for a deployment to provide.
   */
  tokenEnv: envName.optional(),
  /** Environment variable holding an OAuth 2.0 (3LO) access token, sent as `Authorization: Bearer`; instead of `email`. */
  bearerTokenEnv: envName.optional(),
  /** Space keys whose pages are indexed (CQL `space in (…)`). */
  spaces: z.array(z.string().regex(SPACE_KEY, { message: 'must be a space key such as "ENG" (Space settings → Space details)' }))
    .min(1, { message: 'name at least one space key, e.g. ["ENG"]' }).max(100, { message: 'at most 100 spaces per source: split them into several sources' }),
  /** Index the spaces' blog posts too. */
  includeBlogPosts: z.boolean().default(false),
  /** Results per CQL search request (Confluence may lower it; the connector follows what it answers). */
  pageSize: z.number().int().min(1, { message: 'must be at least 1' }).max(250, { message: 'must be at most 250' }).default(100),
  /** Pages read (with their bodies) per `id in (…)` search request. */
  fetchBatchSize: z.number().int().min(1, { message: 'must be at least 1' }).max(100, { message: 'must be at most 100: one response then carries that many bodies' }).default(25),
  /**
   * Minutes between reconciles (a slim listing of every page, ids and versions): how trashed,
   * purged, archived and moved pages leave or update the index without webhooks. 0: after every pass.
   * Full passes always reconcile.
   */
  reconcileIntervalMinutes: z.number().int().min(0).max(30 * 1440, { message: 'must be at most 43200 (30 days)' }).default(60),
  /** Requests per minute this source sends (Atlassian publishes no number; 429s are honoured either way). */
  requestsPerMinute: z.number().int().min(1).max(6000).default(300),
  /** Per-request timeout, reading the body included. */
  requestTimeoutMs: z.number().int().min(1000).max(300_000).default(30_000),
  /** Longest Retry-After a request sleeps through; a longer one stops the run, and a later run resumes from the saved page. */
  maxRetryWaitSeconds: z.number().int().min(0).max(900).default(60),
}).superRefine((source, ctx) => {
  if (source.bearerTokenEnv !== undefined && source.tokenEnv !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['tokenEnv'], message: 'an API token ("tokenEnv") goes with "email"; with "bearerTokenEnv" remove it' });
  }
  if (source.bearerTokenEnv !== undefined && source.email !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['bearerTokenEnv'], message: 'give either "email" (with "tokenEnv", an API token) or "bearerTokenEnv" (an OAuth access token), not both' });
  }
  if (source.bearerTokenEnv === undefined && source.email === undefined) {
    ctx.addIssue({ code: 'custom', path: ['email'], message: 'add "email" (the account the API token in "tokenEnv" belongs to), or "bearerTokenEnv" for an OAuth access token' });
  }
  if (new Set(source.spaces).size !== source.spaces.length) {
    ctx.addIssue({ code: 'custom', path: ['spaces'], message: 'lists a space key twice: name each space once' });
  }
});

export type ConfluenceSourceConfig = z.output<typeof confluenceSource>;

/** The variable holding the API token of a source authenticating with `email`. */
export const tokenEnvOf = (source: Pick<ConfluenceSourceConfig, 'tokenEnv'>): string => source.tokenEnv ?? 'CONFLUENCE_API_TOKEN';

/** The API base the source calls: `apiUrl`, else `<siteUrl>/wiki`. */
export function apiBaseOf(source: Pick<ConfluenceSourceConfig, 'siteUrl' | 'apiUrl'>): string {
  if (source.apiUrl !== undefined) return source.apiUrl.replace(/\/+$/, '');
  return `${source.siteUrl.replace(/\/+$/, '').replace(/\/wiki$/, '')}/wiki`;
}
