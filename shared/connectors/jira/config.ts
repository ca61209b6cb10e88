import { z } from 'zod';
import { envName, schedule, sourceBase } from '../../config/source-base.ts';

/** Jira answers at most 100 issues per search page once fields besides `id`/`key` are asked for. */
export const MAX_PAGE_SIZE = 100;

/** A Jira project key: an uppercase letter, then uppercase letters, digits or underscores. */
const projectKey = z.string().regex(/^[A-Z][A-Z0-9_]{0,254}$/, {
  message: 'must be a Jira project key such as "ENG" (uppercase letters, digits, "_"; starting with a letter)',
});

const siteUrl = z.string().url({ message: 'must be your Jira site\'s absolute URL, such as "https://acme.atlassian.net"' })
  .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), { message: 'must be an http(s) URL such as "https://acme.atlassian.net"' });

/**
 * `"kind": "jira"`: the issues of a Jira Cloud site that `projects` and `jql` select, one
 * Markdown document per issue (id = the numeric issue id). Every key and its default is
 * documented in docs/sources/jira.md.
 */
export const jiraSource = z.strictObject({
  ...sourceBase,
  kind: z.literal('jira'),
  schedule: schedule('rate(15 minutes)'),
  /** The site, e.g. `https://acme.atlassian.net`: browse links (`<siteUrl>/browse/KEY-1`) and, by default, the API. */
  siteUrl,
  /** Where REST calls go (`<apiUrl>/rest/api/3/…`); tests and proxies point it elsewhere. @default siteUrl */
  apiUrl: siteUrl.optional(),
  /** The Atlassian account's e-mail, for Basic auth with the API token in `tokenEnv`. */
  email: z.string().email({ message: 'must be the e-mail address of the Atlassian account that owns the API token' }).optional(),
  /** Environment variable holding the API token (id.atlassian.com → Security → API tokens), with `email`. */
  tokenEnv: envName.optional(),
  /** Environment variable holding an OAuth 2.0 (3LO) access token, sent as `Bearer`; instead of `email` + `tokenEnv`. */
  bearerTokenEnv: envName.optional(),
  /** Project keys whose issues are indexed (`project in (…)`). */
  projects: z.array(projectKey).min(1, { message: 'must name at least one project key, or leave "projects" out and set "jql"' }).optional(),
  /** A JQL filter ANDed with `projects` (without ORDER BY: the connector orders its own searches). */
  jql: z.string().trim().min(1, { message: 'must be a non-empty JQL filter such as "labels = docs"' })
    .refine((value) => !/\border\s+by\b/i.test(value), { message: 'must not contain ORDER BY: the connector orders its searches by id; remove the ORDER BY clause' })
    .optional(),
  /** Index every comment (all pages, author and date each) below the description. */
  includeComments: z.boolean().default(true),
  /** Issues per search page (Jira's `maxResults`; it answers at most 100 with fields). */
  pageSize: z.number().int().min(1, { message: 'must be at least 1' })
    .max(MAX_PAGE_SIZE, { message: `must be at most ${MAX_PAGE_SIZE}: Jira answers no more issues per page with fields` }).default(MAX_PAGE_SIZE),
  /**
   * How often the slim listing of every issue in scope runs after a pass (deleted issues and
   * issues moved out of scope leave the index through it). 0: after every pass. A full pass
   * (`sync --full`) always reconciles.
   */
  reconcileIntervalMinutes: z.number().int().min(0).max(30 * 1440, { message: 'must be at most 43200 (30 days)' }).default(360),
  /** Requests per minute this source sends (Atlassian publishes no number; its burst limit answers 429 + Retry-After). */
  requestsPerMinute: z.number().int().min(1).max(6000).default(600),
  /** Per-request timeout, reading the body included. */
  requestTimeoutMs: z.number().int().min(1000).max(300_000).default(30_000),
  /** Longest Retry-After a rate-limited request sleeps through; a longer one stops the run, which a later run resumes. */
  maxRetryWaitSeconds: z.number().int().min(0).max(900).default(60),
}).superRefine((source, ctx) => {
  if (source.bearerTokenEnv !== undefined && (source.email !== undefined || source.tokenEnv !== undefined)) {
    ctx.addIssue({ code: 'custom', path: ['bearerTokenEnv'], message: 'is an alternative to "email" + "tokenEnv": keep one way of signing in' });
  }
  if (source.bearerTokenEnv === undefined && source.email === undefined) {
    ctx.addIssue({ code: 'custom', path: ['email'], message: 'is required with an API token ("email" + "tokenEnv"), or set "bearerTokenEnv" to an OAuth access token' });
  }
  if (source.projects === undefined && source.jql === undefined) {
    ctx.addIssue({ code: 'custom', path: ['projects'], message: 'is required unless "jql" is set: name the project keys to index (Jira refuses searches without a restriction)' });
  }
});

export type JiraSourceConfig = z.output<typeof jiraSource>;

/** The environment variable of the API token in Basic mode. */
export const DEFAULT_TOKEN_ENV = 'JIRA_API_TOKEN';

/** The scope every search of the source is restricted to, as a JQL condition. */
export function scopeJql(source: Pick<JiraSourceConfig, 'projects' | 'jql'>): string {
  const parts: string[] = [];
  if (source.projects) parts.push(`project in (${source.projects.map((k) => `"${k}"`).join(', ')})`);
  if (source.jql) parts.push(`(${source.jql})`);
  return parts.join(' AND ');
}
