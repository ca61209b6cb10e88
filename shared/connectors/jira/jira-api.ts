/**
 * The Jira Cloud REST v3 calls the connector makes, through the kit's HTTP client (retries,
 * Retry-After, pacing and typed errors by shared/resilience), each answer checked with zod.
 *
 * Why not jira.js: its Version3 client neither retries nor waits on a 429 (it throws an
 * `HttpException`), so every call would need wrapping in the resilience module anyway, and the
 * connector uses four endpoints. The kit's client gives the same retries, waits and error
 * mapping every other source has, and no SDK is loaded at all on a cold start.
 *
 * - `GET /rest/api/3/myself`: the API user's `timeZone` (JQL date literals are read in it).
 * - `POST /rest/api/3/search/jql`: `{jql, fields, maxResults, nextPageToken}` → `{issues,
 *   nextPageToken?, isLast}` (https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-search/).
 * - `GET /rest/api/3/issue/{id}/comment`: the comments an issue's `comment` field did not carry.
 */
import { z } from 'zod';
import { ConfigError } from '../../core/errors.ts';
import type { Clock } from '../../ports/index.ts';
import { HttpClient, ProviderRequestError, ProviderResponseError, type HttpSeams } from '../kit/index.ts';

const user = z.object({ accountId: z.string().optional(), displayName: z.string().optional(), emailAddress: z.string().optional() }).nullable().optional();

const commentSchema = z.object({
  id: z.string(),
  author: user,
  body: z.unknown().optional(),
  created: z.string(),
  updated: z.string().optional(),
});
export type JiraComment = z.output<typeof commentSchema>;

const commentPage = z.object({
  startAt: z.number().optional(),
  maxResults: z.number().optional(),
  total: z.number(),
  comments: z.array(commentSchema),
});

const named = z.object({ name: z.string().optional() }).nullable().optional();

/** The fields of an issue the connector reads (all optional: a slim search asks for few). */
export const issueSchema = z.object({
  id: z.string().regex(/^\d+$/, { message: 'must be a numeric issue id' }),
  key: z.string().optional(),
  fields: z.object({
    summary: z.string().optional(),
    updated: z.string().optional(),
    created: z.string().optional(),
    description: z.unknown().optional(),
    status: named,
    issuetype: named,
    priority: named,
    assignee: user,
    reporter: user,
    labels: z.array(z.string()).optional(),
    project: z.object({ id: z.string().optional(), key: z.string(), name: z.string().optional() }).optional(),
    parent: z.object({ id: z.string(), key: z.string().optional(), fields: z.object({ summary: z.string().optional() }).optional() }).nullable().optional(),
    security: z.object({ id: z.string(), name: z.string().optional() }).nullable().optional(),
    comment: commentPage.nullable().optional(),
  }).optional(),
});
export type JiraIssue = z.output<typeof issueSchema>;

const searchPage = z.object({
  issues: z.array(z.unknown()),
  nextPageToken: z.string().optional(),
  isLast: z.boolean().optional(),
});

const myselfSchema = z.object({ accountId: z.string().optional(), timeZone: z.string().optional() });

/** One search page: the issues that parsed, those that did not (by id, with why), and the next token. */
export interface SearchPage {
  readonly issues: JiraIssue[];
  readonly unreadable: { id: string; reason: string }[];
  readonly nextPageToken: string | undefined;
}

/** The page token handed in has expired (Jira's live 7 days) or is no longer valid for the query. */
export class PageTokenRejected extends Error {}

export interface JiraApiOptions extends HttpSeams {
  readonly sourceId: string;
  readonly apiUrl: string;
  /** `Authorization` header value (`Basic …` or `Bearer …`); read when the first request is made. */
  readonly authorization: () => string;
  readonly authHint: string;
  readonly requestsPerMinute: number;
  readonly timeoutMs: number;
  readonly maxRetryWaitMs: number;
  readonly clock: Clock;
}

export class JiraApi {
  private client: HttpClient | undefined;

  constructor(private readonly options: JiraApiOptions) {}

  /** Requests sent (retries included), for logs and tests. */
  get requests(): number { return this.client?.stats.requests ?? 0; }

  /** The API user's IANA time zone (`GET /myself`); UTC when Jira names none. */
  async timeZone(): Promise<string> {
    const me = await this.http().getJson('rest/api/3/myself', { schema: myselfSchema });
    return me.timeZone && me.timeZone !== '' ? me.timeZone : 'UTC';
  }

  /** One page of `POST /search/jql`; a rejected `nextPageToken` throws {@link PageTokenRejected}. */
  async search(input: { jql: string; fields: readonly string[]; maxResults: number; nextPageToken?: string | undefined }): Promise<SearchPage> {
    let body: z.output<typeof searchPage>;
    try {
      body = await this.http().postJson('rest/api/3/search/jql', {
        jql: input.jql, fields: input.fields, maxResults: input.maxResults, ...(input.nextPageToken ? { nextPageToken: input.nextPageToken } : {}),
      }, { schema: searchPage });
    } catch (error) {
      // A 400 for a request carrying a token: the token (7 days' life) is what Jira refuses.
      if (input.nextPageToken && error instanceof ProviderRequestError && error.status === 400) throw new PageTokenRejected(error.message, { cause: error });
      throw error;
    }
    const issues: JiraIssue[] = [];
    const unreadable: { id: string; reason: string }[] = [];
    for (const raw of body.issues) {
      const parsed = issueSchema.safeParse(raw);
      if (parsed.success) {
        issues.push(parsed.data);
        continue;
      }
      const id = (raw as { id?: unknown } | null)?.id;
      const issue = parsed.error.issues[0];
      const reason = `Jira returned an issue this connector cannot read (${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'})`;
      // Without a usable id nothing can be skipped by name: the page as a whole is not readable.
      if (typeof id !== 'string' || !/^\d+$/.test(id)) throw new ProviderResponseError(`source "${this.options.sourceId}": ${reason}`, { sourceId: this.options.sourceId, provider: 'Jira', status: 200, method: 'POST', path: '/rest/api/3/search/jql' });
      unreadable.push({ id, reason });
    }
    return { issues, unreadable, nextPageToken: body.isLast === false || (body.isLast === undefined && body.nextPageToken) ? body.nextPageToken : undefined };
  }

  /** Comments of an issue from `startAt`, oldest first. */
  async comments(issueId: string, startAt: number): Promise<z.output<typeof commentPage>> {
    return this.http().getJson(`rest/api/3/issue/${encodeURIComponent(issueId)}/comment`, {
      query: { startAt, maxResults: 100, orderBy: 'created' }, schema: commentPage,
    });
  }

  private http(): HttpClient {
    if (this.client) return this.client;
    const o = this.options;
    this.client = new HttpClient({
      sourceId: o.sourceId, provider: 'Jira', baseUrl: o.apiUrl, authHint: o.authHint,
      headers: { authorization: o.authorization(), accept: 'application/json' },
      requestsPerMinute: o.requestsPerMinute, timeoutMs: o.timeoutMs, maxRetryWaitMs: o.maxRetryWaitMs, clock: o.clock,
      ...(o.fetch ? { fetch: o.fetch } : {}), ...(o.sleep ? { sleep: o.sleep } : {}), ...(o.random ? { random: o.random } : {}),
      ...(o.maxAttempts !== undefined ? { maxAttempts: o.maxAttempts } : {}), ...(o.baseBackoffMs !== undefined ? { baseBackoffMs: o.baseBackoffMs } : {}),
    });
    return this.client;
  }
}

/** The `Authorization` value of a source's credentials; a ConfigError naming the variable when it is unset. */
export function authorizationOf(
  source: { readonly id: string; readonly email?: string | undefined; readonly bearerTokenEnv?: string | undefined },
  tokenEnv: string, secret: (env: string) => string | undefined,
): string {
  const env = source.bearerTokenEnv ?? tokenEnv;
  const value = secret(env);
  if (!value) {
    throw new ConfigError(`source "${source.id}": environment variable ${env} is not set: put the Jira ${source.bearerTokenEnv ? 'OAuth access token' : 'API token'} in it (on AWS: add ${env} to aws.secrets)`, { sourceId: source.id });
  }
  return source.bearerTokenEnv ? `Bearer ${value}` : `Basic ${Buffer.from(`${source.email ?? ''}:${value}`).toString('base64')}`;
}
