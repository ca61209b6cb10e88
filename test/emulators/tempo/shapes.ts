/**
 * Objects as the API writes them.
 *
 * Sources (https://apidocs.tempo.io/, OpenAPI v4.0 schemas):
 * - `Worklog`: self, tempoWorklogId, issue {self, id}, timeSpentSeconds, billableSeconds,
 *   startDate (yyyy-MM-dd), startTime (HH:mm:ss), startDateTimeUtc, description, createdAt,
 *   updatedAt, author {self, accountId}, attributes {self, values [{key, value}]}. No
 *   jiraWorklogId in v4 (the v3 field is gone; "Tempo API version 4.0 vs. version 3.0").
 * - `self` links: issue → the Jira site's `/rest/api/2/issue/{id}`, author → `/rest/api/2/user
 *   ?accountId=`, attributes → `/4/worklogs/{id}/work-attribute-values` — as in a v4 response
 *   fixture (thijsnissen/worklog, JsonParsingTest.kt, against api.eu.tempo.io).
 * - Timestamps: `updatedFrom` takes `yyyy-MM-dd['T'HH:mm:ss]['Z']` (second precision), its
 *   documented example "2023-11-06T16:48:59Z"; createdAt/updatedAt are written at that precision,
 *   `…:ssZ`. The schema's examples print "2017-02-06T16:41:41.000Z" (millis, always zero):
 *   `timestampStyle: 'millis'` writes that form instead.
 * - Pages: `PageableWorklog {self, metadata {count, offset, limit, next?, previous?}, results}`;
 *   `next`/`previous` are full URLs ("A link to the next page of results, if applicable").
 * - Webhook payload `Worklog1`: author {accountId}, updater {accountId}, billableSeconds,
 *   createdAt, description, issue {id}, startDate, startTime, tempoWorklogId, timeSpentSeconds,
 *   updatedAt — with millisecond timestamps ("2023-05-09T10:44:38.173Z", "Supported events").
 */

import type { StoredWorklog } from './world.ts';

export type TimestampStyle = 'seconds' | 'millis';

export interface ShapeContext {
  /** Where `self` links point: the emulator's origin. */
  readonly base: string;
  /** The Jira site issues and users link to. */
  readonly jiraSite: string;
  readonly timestampStyle: TimestampStyle;
}

export function timestamp(ms: number, style: TimestampStyle): string {
  const iso = new Date(Math.floor(ms / 1000) * 1000).toISOString();
  return style === 'millis' ? iso : iso.replace('.000Z', 'Z');
}

export function worklogJson(w: StoredWorklog, ctx: ShapeContext): Record<string, unknown> {
  return {
    self: `${ctx.base}/4/worklogs/${w.tempoWorklogId}`,
    tempoWorklogId: w.tempoWorklogId,
    issue: { self: `${ctx.jiraSite}/rest/api/2/issue/${w.issueId}`, id: w.issueId },
    timeSpentSeconds: w.timeSpentSeconds,
    billableSeconds: w.billableSeconds,
    startDate: w.startDate,
    startTime: w.startTime,
    startDateTimeUtc: timestamp(w.startUtc, ctx.timestampStyle),
    description: w.description,
    createdAt: timestamp(w.createdAt, ctx.timestampStyle),
    updatedAt: timestamp(w.updatedAt, ctx.timestampStyle),
    author: { self: `${ctx.jiraSite}/rest/api/2/user?accountId=${encodeURIComponent(w.authorAccountId)}`, accountId: w.authorAccountId },
    attributes: { self: `${ctx.base}/4/worklogs/${w.tempoWorklogId}/work-attribute-values`, values: w.attributes.map((a) => ({ key: a.key, value: a.value })) },
  };
}

/** `Worklog1`, the webhook payload. */
export function webhookWorklog(w: StoredWorklog): Record<string, unknown> {
  return {
    author: { accountId: w.authorAccountId },
    updater: { accountId: w.updaterAccountId },
    billableSeconds: w.billableSeconds,
    createdAt: new Date(w.createdAt).toISOString(),
    description: w.description,
    issue: { id: w.issueId },
    startDate: w.startDate,
    startTime: w.startTime,
    tempoWorklogId: w.tempoWorklogId,
    timeSpentSeconds: w.timeSpentSeconds,
    updatedAt: new Date(w.updatedAt).toISOString(),
  };
}

/** An offset page: `self` is the request's URL, `next`/`previous` the same URL at another offset. */
export function offsetPage<T>(items: readonly T[], offset: number, limit: number, requestUrl: URL): Record<string, unknown> {
  const results = items.slice(offset, offset + limit);
  const at = (o: number): string => {
    const url = new URL(requestUrl);
    url.searchParams.set('offset', String(o));
    url.searchParams.set('limit', String(limit));
    return url.toString();
  };
  return {
    self: requestUrl.toString(),
    metadata: {
      count: results.length, offset, limit,
      ...(offset + limit < items.length ? { next: at(offset + limit) } : {}),
      ...(offset > 0 ? { previous: at(Math.max(0, offset - limit)) } : {}),
    },
    results,
  };
}
