/**
 * Tempo Cloud REST API v4 over the kit's HTTP client (https://apidocs.tempo.io/): worklog pages,
 * one worklog by id, and the audit trail's deleted worklogs. No SDK: Tempo publishes none.
 *
 * - Worklogs: `POST /4/worklogs/search` (`WorklogSearchInput {projectIds, issueIds, updatedFrom,
 *   orderBy}`, `offset`/`limit` ≤ 5000 in the query) — the search, not `GET /4/worklogs`, because
 *   only it orders ascending (`GET`'s `orderBy` is descending only), and ascending ids keep a
 *   worklog created during a pass at the end instead of shifting every page.
 * - `updatedFrom` takes `yyyy-MM-dd'T'HH:mm:ss'Z'` (second precision, inclusive).
 * - Deleted worklogs: `POST /4/papertrail/search {from, entityType: [worklog], action: [Deleted]}`
 *   paged by `nextPageToken`; `from` must lie within the last 180 days.
 * - 429: Tempo's gateway sends neither a body nor a Retry-After ("Retry after at least 1
 *   second", Tempo KB): ./transport below adds `Retry-After: 1` when it is absent, so the client
 *   waits at least a second and holds every request of the source meanwhile.
 */
import { z } from 'zod';
import { ConfigError } from '../../core/errors.ts';
import type { Logger } from '../../core/deps.ts';
import type { Clock } from '../../ports/index.ts';
import { HttpClient, type HttpClientStats, type HttpSeams } from '../kit/index.ts';

export const PAPERTRAIL_DAYS = 180;
const PAPERTRAIL_LIMIT = 1000;

export const tempoWorklog = z.object({
  tempoWorklogId: z.number().int(),
  issue: z.object({ id: z.number().int() }),
  timeSpentSeconds: z.number(),
  billableSeconds: z.number().nullish(),
  startDate: z.string(),
  startTime: z.string().nullish(),
  description: z.string().nullish(),
  createdAt: z.string().nullish(),
  updatedAt: z.string(),
  author: z.object({ accountId: z.string() }),
  attributes: z.object({ values: z.array(z.object({ key: z.string(), value: z.unknown() })).nullish() }).nullish(),
});
export type TempoWorklog = z.output<typeof tempoWorklog>;

const worklogPage = z.object({
  metadata: z.object({ count: z.number().optional(), offset: z.number().optional(), limit: z.number().optional(), next: z.string().nullish() }),
  results: z.array(z.unknown()),
});

const auditPage = z.object({
  metadata: z.object({ nextPageToken: z.string().nullish() }).partial().optional(),
  results: z.array(z.object({ entityId: z.union([z.string(), z.number()]), action: z.string().optional(), entityType: z.string().optional(), timestamp: z.string().optional() })),
});

export interface TempoApiOptions extends HttpSeams {
  readonly sourceId: string;
  readonly apiUrl: string;
  readonly token: () => string | undefined;
  readonly tokenEnv: string;
  readonly requestsPerSecond: number;
  readonly timeoutMs: number;
  readonly maxRetryWaitMs: number;
  readonly clock: Clock;
  readonly log: Logger;
}

/** One worklog page: the worklogs that parsed, the ones that did not (with why), and whether Tempo names a next page. */
export interface WorklogPage {
  readonly worklogs: readonly TempoWorklog[];
  readonly unreadable: readonly { readonly id: string | undefined; readonly reason: string }[];
  /** Entries on the page, unreadable ones included. */
  readonly count: number;
  readonly hasNext: boolean;
}

export interface WorklogQuery {
  readonly projectIds?: readonly string[] | undefined;
  readonly issueIds?: readonly number[] | undefined;
  /** Epoch ms; sent at second precision, rounded down. */
  readonly updatedFromMs?: number | undefined;
  readonly offset: number;
  readonly limit: number;
}

export class TempoApi {
  private client: HttpClient | undefined;

  constructor(private readonly options: TempoApiOptions) {}

  get stats(): HttpClientStats | undefined {
    return this.client?.stats;
  }

  /** Worklogs in ascending id order. */
  async worklogs(query: WorklogQuery): Promise<WorklogPage> {
    const body = {
      ...(query.projectIds ? { projectIds: query.projectIds.map(Number) } : {}),
      ...(query.issueIds ? { issueIds: query.issueIds } : {}),
      ...(query.updatedFromMs !== undefined ? { updatedFrom: secondLiteral(query.updatedFromMs) } : {}),
      orderBy: [{ field: 'ID', order: 'ASC' }],
    };
    const page = await this.http().postJson('4/worklogs/search', body, { query: { offset: query.offset, limit: query.limit }, schema: worklogPage });
    const worklogs: TempoWorklog[] = [];
    const unreadable: { id: string | undefined; reason: string }[] = [];
    for (const raw of page.results) {
      const parsed = tempoWorklog.safeParse(raw);
      if (parsed.success) worklogs.push(parsed.data);
      else {
        const id = (raw as { tempoWorklogId?: unknown } | null)?.tempoWorklogId;
        const issue = parsed.error.issues[0];
        unreadable.push({ id: typeof id === 'number' ? String(id) : undefined, reason: `Tempo returned it in an unexpected shape (${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'})` });
      }
    }
    return { worklogs, unreadable, count: page.results.length, hasNext: typeof page.metadata.next === 'string' && page.metadata.next !== '' };
  }

  /** One worklog; a ProviderNotFoundError when Tempo does not have it (or the token may not see it). */
  async worklog(id: string): Promise<TempoWorklog> {
    return this.http().getJson(`4/worklogs/${encodeURIComponent(id)}`, { schema: tempoWorklog });
  }

  /** One page of worklog deletions from `fromMs` on: the deleted tempoWorklogIds and the next page's token. */
  async deletions(fromMs: number, nextPageToken: string | undefined): Promise<{ ids: string[]; next: string | undefined }> {
    const page = await this.http().postJson('4/papertrail/search', {
      from: new Date(fromMs).toISOString(), entityType: ['worklog'], action: ['Deleted'],
    }, { query: { limit: PAPERTRAIL_LIMIT, nextPageToken }, schema: auditPage });
    const ids = page.results.filter((e) => (e.action ?? 'Deleted') === 'Deleted' && (e.entityType ?? 'worklog') === 'worklog').map((e) => String(e.entityId));
    const next = page.metadata?.nextPageToken ?? undefined;
    return { ids, next: next === '' ? undefined : next };
  }

  private http(): HttpClient {
    if (this.client) return this.client;
    const o = this.options;
    const token = o.token();
    if (!token) {
      throw new ConfigError(
        `tempo source "${o.sourceId}": tokenEnv names ${o.tokenEnv}, which is not set: export ${o.tokenEnv}=<token from Tempo → Settings → API integration> ` +
          `(on AWS: map ${o.tokenEnv} in aws.secrets)`,
        { sourceId: o.sourceId, key: 'tokenEnv' },
      );
    }
    this.client = new HttpClient({
      sourceId: o.sourceId, provider: 'Tempo', baseUrl: o.apiUrl, headers: { authorization: `Bearer ${token}` },
      authHint: `check that ${o.tokenEnv} holds a valid Tempo API token with the "View worklogs" scope for the configured projects`,
      timeoutMs: o.timeoutMs, maxRetryWaitMs: o.maxRetryWaitMs,
      requestsPerMinute: Math.round(o.requestsPerSecond * 60), burst: Math.max(1, Math.floor(o.requestsPerSecond)),
      fetch: tempoFetch(o.fetch ?? globalThis.fetch), clock: o.clock,
      ...(o.sleep ? { sleep: o.sleep } : {}), ...(o.random ? { random: o.random } : {}),
      onRetry: (event) => o.log.warn('Tempo request retried', { sourceId: o.sourceId, ...event }),
    });
    return this.client;
  }
}

/** `yyyy-MM-ddTHH:mm:ssZ`, rounded down to the second: the precision `updatedFrom` takes. */
export function secondLiteral(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** A `fetch` that gives Tempo's bare 429s the documented minimum wait of one second. */
export function tempoFetch(inner: typeof globalThis.fetch): typeof globalThis.fetch {
  return async (input, init) => {
    const response = await inner(input, init);
    if (response.status !== 429 || response.headers.has('retry-after')) return response;
    const headers = new Headers(response.headers);
    headers.set('retry-after', '1');
    return new Response(await response.text(), { status: 429, statusText: response.statusText, headers });
  };
}
