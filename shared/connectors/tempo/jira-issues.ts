/**
 * The few Jira Cloud calls the Tempo source needs (REST v3), written here rather than shared with
 * the `jira` source so neither depends on the other's internals:
 *
 * - `POST /rest/api/3/issue/bulkfetch {issueIdsOrKeys ≤ 100, fields [summary, project]}`: key,
 *   summary and project of the issues worklogs name. Unknown or hidden issues are left out of the
 *   answer (a JQL `id in (…)` would instead fail the whole query for one missing id).
 * - `GET /rest/api/3/myself`: the API user's time zone, in which JQL reads date literals.
 * - `POST /rest/api/3/search/jql` with `updated >= "yyyy/MM/dd HH:mm"` (minute precision, in that
 *   zone), paged by `nextPageToken`: issues changed since a pass's window, whose worklogs are
 *   refreshed in the same pass (a renamed or moved issue changes its worklogs' documents).
 *
 * Resolved issues are cached by id for `issueCacheSeconds` (per connector instance: across the
 * runs of one process or warm Lambda), and every issue the JQL search names refreshes its entry.
 */
import { z } from 'zod';
import { ConfigError } from '../../core/errors.ts';
import type { Logger } from '../../core/deps.ts';
import type { Clock } from '../../ports/index.ts';
import { HttpClient, isTimeZone, minuteLiteral, type HttpClientStats, type HttpSeams } from '../kit/index.ts';
import type { TempoSourceConfig } from './config.ts';

/** What a worklog's document needs of its issue. */
export interface IssueInfo {
  readonly id: number;
  readonly key: string;
  readonly summary: string;
  readonly projectId: string;
  readonly projectKey: string;
}

const BULK_MAX = 100;
const SEARCH_PAGE = 100;
/** Issues Jira did not return are asked for again after at most this long (they may become visible). */
const MISSING_TTL_MS = 5 * 60_000;

const issueBean = z.object({
  id: z.union([z.string(), z.number()]).transform(String),
  key: z.string(),
  fields: z.object({
    summary: z.string().nullish(),
    project: z.object({ id: z.union([z.string(), z.number()]).transform(String), key: z.string() }),
  }),
});
const bulkAnswer = z.object({ issues: z.array(issueBean) });
const searchAnswer = z.object({ issues: z.array(issueBean), nextPageToken: z.string().nullish(), isLast: z.boolean().optional() });
const myselfAnswer = z.object({ timeZone: z.string().nullish() });

export interface JiraIssuesOptions extends HttpSeams {
  readonly sourceId: string;
  readonly jira: TempoSourceConfig['jira'];
  readonly cacheMs: number;
  readonly token: () => string | undefined;
  readonly timeoutMs: number;
  readonly maxRetryWaitMs: number;
  readonly clock: Clock;
  readonly log: Logger;
}

type Cached = { readonly info: IssueInfo | undefined; readonly at: number };

export class JiraIssues {
  private client: HttpClient | undefined;
  private zone: Promise<string> | undefined;
  private readonly cache = new Map<number, Cached>();

  constructor(private readonly options: JiraIssuesOptions) {}

  get stats(): HttpClientStats | undefined {
    return this.client?.stats;
  }

  /** The issues by id (absent: Jira does not have it, or the Jira user may not see it). */
  async resolve(ids: Iterable<number>): Promise<Map<number, IssueInfo>> {
    const now = this.options.clock.now();
    const out = new Map<number, IssueInfo>();
    const missing: number[] = [];
    for (const id of new Set(ids)) {
      const hit = this.cache.get(id);
      const ttl = hit?.info ? this.options.cacheMs : Math.min(this.options.cacheMs, MISSING_TTL_MS);
      if (hit && now - hit.at < ttl) {
        if (hit.info) out.set(id, hit.info);
      } else missing.push(id);
    }
    for (let i = 0; i < missing.length; i += BULK_MAX) {
      const batch = missing.slice(i, i + BULK_MAX);
      const answer = await this.http().postJson('rest/api/3/issue/bulkfetch', { issueIdsOrKeys: batch.map(String), fields: ['summary', 'project'] }, { schema: bulkAnswer });
      const found = new Map(answer.issues.map((bean) => [Number(bean.id), infoOf(bean)]));
      for (const id of batch) {
        const info = found.get(id);
        this.cache.set(id, { info, at: now });
        if (info) out.set(id, info);
      }
    }
    return out;
  }

  /**
   * One page of the issues updated at or after `sinceMs` (minute precision, in the Jira user's
   * zone, rounded down) in `projectIds` (all projects when absent); refreshes their cache entries.
   */
  async updatedSince(sinceMs: number, projectIds: readonly string[] | undefined, nextPageToken: string | undefined): Promise<{ issues: IssueInfo[]; next: string | undefined }> {
    const zone = await this.timeZone();
    const scope = projectIds ? `project in (${projectIds.join(', ')}) AND ` : '';
    const jql = `${scope}updated >= "${minuteLiteral(sinceMs, zone)}" ORDER BY id ASC`;
    const answer = await this.http().postJson('rest/api/3/search/jql', {
      jql, fields: ['summary', 'project'], maxResults: SEARCH_PAGE, ...(nextPageToken ? { nextPageToken } : {}),
    }, { schema: searchAnswer });
    const now = this.options.clock.now();
    const issues = answer.issues.map(infoOf);
    for (const info of issues) this.cache.set(info.id, { info, at: now });
    const next = answer.isLast === true ? undefined : answer.nextPageToken ?? undefined;
    return { issues, next: next === '' ? undefined : next };
  }

  /** The Jira user's zone (GET /myself, once per instance); JQL reads date literals in it. */
  timeZone(): Promise<string> {
    this.zone ??= this.http().getJson('rest/api/3/myself', { schema: myselfAnswer }).then((me) => {
      const zone = me.timeZone ?? 'UTC';
      if (isTimeZone(zone)) return zone;
      this.options.log.warn('Jira user time zone unknown to Intl; JQL dates are written in UTC', { sourceId: this.options.sourceId, zone });
      return 'UTC';
    }).catch((error: unknown) => {
      this.zone = undefined;
      throw error;
    });
    return this.zone;
  }

  private http(): HttpClient {
    if (this.client) return this.client;
    const o = this.options;
    const { jira } = o;
    const token = o.token();
    if (!token) {
      throw new ConfigError(
        `tempo source "${o.sourceId}": jira.tokenEnv names ${jira.tokenEnv}, which is not set: export ${jira.tokenEnv}=<Atlassian API token of ${jira.email ?? 'the Jira user'}> ` +
          `(id.atlassian.com → Security → API tokens; on AWS: map ${jira.tokenEnv} in aws.secrets)`,
        { sourceId: o.sourceId, key: 'jira.tokenEnv' },
      );
    }
    const authorization = jira.email ? `Basic ${Buffer.from(`${jira.email}:${token}`).toString('base64')}` : `Bearer ${token}`;
    this.client = new HttpClient({
      sourceId: o.sourceId, provider: 'Jira', baseUrl: jira.siteUrl, headers: { authorization },
      authHint: `check that ${jira.tokenEnv} holds an API token of ${jira.email ?? 'a Jira user'} who may browse the configured projects`,
      timeoutMs: o.timeoutMs, maxRetryWaitMs: o.maxRetryWaitMs, requestsPerMinute: jira.requestsPerMinute, clock: o.clock,
      ...(o.fetch ? { fetch: o.fetch } : {}), ...(o.sleep ? { sleep: o.sleep } : {}), ...(o.random ? { random: o.random } : {}),
      onRetry: (event) => o.log.warn('Jira request retried', { sourceId: o.sourceId, ...event }),
    });
    return this.client;
  }
}

function infoOf(bean: z.output<typeof issueBean>): IssueInfo {
  return { id: Number(bean.id), key: bean.key, summary: bean.fields.summary ?? '', projectId: bean.fields.project.id, projectKey: bean.fields.project.key };
}
