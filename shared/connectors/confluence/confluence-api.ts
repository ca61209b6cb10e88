/**
 * The Confluence Cloud calls the connector makes, over the kit's HttpClient (retries, 429 +
 * Retry-After, pacing, typed errors), validated with zod:
 *
 * - `GET /rest/api/user/current` — the API user's `timeZone`: CQL reads date literals in it.
 * - `GET /rest/api/search?cql=…&start=…&limit=…&expand=content.version,content.space,
 *   content.ancestors[,content.body.atlas_doc_format]` — listings (ids, versions, ancestor
 *   titles in one request per page) and batch reads (`id in (…)`, with bodies).
 * - `GET /api/v2/pages/{id}/labels` (`/blogposts/{id}/labels`) — labels, `cursor` paged.
 * - `GET /rest/api/content/{id}/restriction/byOperation/read` — a page's own read restriction.
 *
 * Not confluence.js: 2.1.0 speaks only REST v1, throws raw error bodies instead of error
 * classes, does not retry 429s and hides response headers; the kit's client does all of that,
 * so nothing vendor-specific is loaded at all (no SDK import on any cold start).
 */
import { z } from 'zod';
import { ConfigError } from '../../core/errors.ts';
import type { Clock } from '../../ports/index.ts';
import { HttpClient, PaginationLoopError, type HttpClientOptions } from '../kit/index.ts';

const user = z.object({ accountId: z.string().optional(), displayName: z.string().optional(), publicName: z.string().optional() }).passthrough();

export const contentSchema = z.object({
  id: z.string().regex(/^\d+$/),
  type: z.string(),
  status: z.string(),
  title: z.string(),
  version: z.object({ number: z.number().int(), when: z.string(), by: user.optional() }),
  space: z.object({ key: z.string() }).optional(),
  ancestors: z.array(z.object({ id: z.string(), title: z.string().optional(), type: z.string().optional() })).optional(),
  history: z.object({ createdDate: z.string() }).partial().optional(),
  body: z.object({ atlas_doc_format: z.object({ value: z.string() }).optional() }).partial().optional(),
  _links: z.object({ webui: z.string().optional() }).partial().optional(),
});
export type Content = z.output<typeof contentSchema>;

const searchPage = z.object({
  results: z.array(z.object({ content: z.unknown() })),
  start: z.number().optional(),
  limit: z.number().optional(),
  size: z.number().optional(),
  _links: z.object({ base: z.string().optional(), next: z.string().optional() }).partial().optional(),
});

const currentUser = z.object({ accountId: z.string(), timeZone: z.string().optional() });

const labelsPage = z.object({
  results: z.array(z.object({ name: z.string(), prefix: z.string().optional() })),
  _links: z.object({ next: z.string().optional() }).partial().optional(),
});

const restriction = z.object({
  restrictions: z.object({
    user: z.object({ results: z.array(z.object({ accountId: z.string() }).passthrough()) }).optional(),
    group: z.object({ results: z.array(z.object({ id: z.string().optional(), name: z.string() }).passthrough()) }).optional(),
  }),
});

/** A search result whose content parsed; one that did not is reported with its id (when it has one). */
export type SearchItem = { readonly ok: true; readonly content: Content } | { readonly ok: false; readonly id: string | undefined; readonly reason: string };

export interface SearchResultPage {
  readonly items: readonly SearchItem[];
  readonly more: boolean;
  /** `_links.base`, the site's `/wiki` URL that `webui` links are relative to. */
  readonly base: string | undefined;
}

/** A page's own read restriction: the users and groups it names (both empty: unrestricted). */
export interface ReadRestriction {
  readonly users: readonly string[];
  readonly groups: readonly string[];
}

export interface ConfluenceApiOptions extends Pick<HttpClientOptions, 'fetch' | 'sleep' | 'random' | 'maxAttempts' | 'baseBackoffMs' | 'requestsPerMinute' | 'timeoutMs' | 'maxRetryWaitMs'> {
  readonly sourceId: string;
  readonly apiBase: string;
  /** Basic (`email` + API token) or Bearer; the token read lazily, at the first request. */
  readonly auth: { readonly email: string; readonly tokenEnv: string } | { readonly bearerTokenEnv: string };
  readonly secret: (envName: string) => string | undefined;
  readonly clock: Clock;
}

export const BASE_EXPAND = ['content.version', 'content.space', 'content.ancestors'];
export const BODY_EXPAND = [...BASE_EXPAND, 'content.body.atlas_doc_format'];
/** The slim listing orders by creation: `history.createdDate`. */
export const LIST_EXPAND = [...BASE_EXPAND, 'content.history'];

export class ConfluenceApi {
  private client: HttpClient | undefined;

  constructor(private readonly options: ConfluenceApiOptions) {}

  /** Requests sent so far (retries included). */
  get requests(): number {
    return this.client?.stats.requests ?? 0;
  }

  async timeZone(): Promise<string> {
    const me = await this.http().getJson('rest/api/user/current', { schema: currentUser });
    return me.timeZone ?? 'UTC';
  }

  async search(cql: string, page: { start: number; limit: number; expand: readonly string[] }): Promise<SearchResultPage> {
    const body = await this.http().getJson('rest/api/search', {
      query: { cql, start: page.start, limit: page.limit, expand: page.expand.join(',') }, schema: searchPage,
    });
    const items = body.results.map((r): SearchItem => {
      const parsed = contentSchema.safeParse(r.content);
      if (parsed.success) return { ok: true, content: parsed.data };
      const id = (r.content as { id?: unknown } | null)?.id;
      return { ok: false, id: typeof id === 'string' ? id : undefined, reason: `Confluence answered a search result this connector cannot read (${parsed.error.issues[0]?.path.join('.') ?? 'content'}: ${parsed.error.issues[0]?.message ?? 'invalid'})` };
    });
    return { items, more: body._links?.next !== undefined && body.results.length > 0, base: body._links?.base };
  }

  async labels(id: string, type: string): Promise<string[]> {
    const names: string[] = [];
    let next: string | undefined = `api/v2/${type === 'blogpost' ? 'blogposts' : 'pages'}/${encodeURIComponent(id)}/labels?limit=250`;
    for (let pages = 0; next !== undefined; pages++) {
      if (pages > 1000) throw new PaginationLoopError(`source "${this.options.sourceId}": the labels of page ${id} run past 1,000 pages (a looping cursor)`, { sourceId: this.options.sourceId });
      const body: z.output<typeof labelsPage> = await this.http().getJson(next.replace(/^\/wiki\//, ''), { schema: labelsPage });
      names.push(...body.results.map((l) => l.name));
      next = body._links?.next;
    }
    return names;
  }

  async readRestriction(id: string): Promise<ReadRestriction> {
    const body = await this.http().getJson(`rest/api/content/${encodeURIComponent(id)}/restriction/byOperation/read`, { query: { limit: 200 }, schema: restriction });
    return {
      users: (body.restrictions.user?.results ?? []).map((u) => u.accountId),
      groups: (body.restrictions.group?.results ?? []).map((g) => g.id ?? g.name),
    };
  }

  private http(): HttpClient {
    if (this.client) return this.client;
    const o = this.options;
    const { authorization, hint } = this.authorization();
    this.client = new HttpClient({
      sourceId: o.sourceId, provider: 'Confluence', baseUrl: `${o.apiBase}/`, headers: { authorization, accept: 'application/json' },
      authHint: hint, clock: o.clock,
      ...pick(o, ['fetch', 'sleep', 'random', 'maxAttempts', 'baseBackoffMs', 'requestsPerMinute', 'timeoutMs', 'maxRetryWaitMs']),
    });
    return this.client;
  }

  private authorization(): { authorization: string; hint: string } {
    const { auth, secret, sourceId } = this.options;
    const env = 'bearerTokenEnv' in auth ? auth.bearerTokenEnv : auth.tokenEnv;
    const token = secret(env);
    if (!token) {
      throw new ConfigError(`source "${sourceId}": environment variable ${env} is not set: set it to the Confluence ${'bearerTokenEnv' in auth ? 'OAuth access token' : 'API token'} locally, or add it to aws.secrets for a deployment`, { sourceId });
    }
    if ('bearerTokenEnv' in auth) return { authorization: `Bearer ${token}`, hint: `check that ${env} holds a valid OAuth 2.0 access token with the read:confluence-content.all, read:confluence-space.summary and search:confluence scopes` };
    return {
      authorization: `Basic ${Buffer.from(`${auth.email}:${token}`).toString('base64')}`,
      hint: `check that ${env} holds an API token of ${auth.email} (id.atlassian.com → Security → API tokens) and that the account may view the spaces`,
    };
  }
}

function pick<T extends object, K extends keyof T>(value: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const key of keys) if (value[key] !== undefined) out[key] = value[key];
  return out;
}
