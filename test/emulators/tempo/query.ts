/**
 * Worklog filters, order and page size, read and validated as Tempo documents them.
 *
 * Sources (https://apidocs.tempo.io/, OpenAPI v4.0, operations getWorklogs, searchWorklogs,
 * getWorklogsByIssueId, getWorklogsByProjectId, getWorklogsByUser):
 * - GET /4/worklogs: `projectId` and `issueId` (arrays of int64, repeated: "…&project=10100&
 *   project=10200" in "API conventions > Arrays" predates the v4 names), `from` / `to`
 *   (yyyy-MM-dd, inclusive, on the worklog's startDate), `updatedFrom`
 *   (`yyyy-MM-dd['T'HH:mm:ss]['Z']`: "2023-11-16" or "2023-11-06T16:48:59Z"), `offset` (default
 *   0), `limit` (default 50), `orderBy` ∈ ID | START_DATE_TIME | UPDATED — "Order results by the
 *   specified field descending. If no order is specified, results will by default be ordered by
 *   START_DATE_TIME and ID ascending".
 * - POST /4/worklogs/search body `WorklogSearchInput {authorIds, issueIds, projectIds, from, to,
 *   updatedFrom, orderBy [{field, order ASC|DESC}]}`, offset/limit in the query.
 * - Maximum page: 5,000 ("Increase from 1000 records in version 3.0 to a maximum of 5000 records
 *   per API call in version 4.0", help.tempo.io; KB "Use a limit (default: 50, maximum: 5000)").
 *   What a larger limit does is not documented: the emulator clamps to 5,000 (`metadata.limit`
 *   says so), or answers 400 with `limitPolicy: 'error'`.
 * - updatedFrom without a zone is read as UTC (not documented); the comparison is inclusive at
 *   second precision.
 * - Unknown query parameters (e.g. v3's `project`, `issue`) are not documented to fail; the
 *   emulator ignores them, as a Spring-style server does, unless `unknownParameters: 'reject'`.
 */

import { badRequest, dateFormat } from './errors.ts';
import type { StoredWorklog, TempoWorld } from './world.ts';

export const MAX_LIMIT = 5000;
export const DEFAULT_LIMIT = 50;
export type OrderField = 'ID' | 'START_DATE_TIME' | 'UPDATED';
const ORDER_FIELDS: readonly string[] = ['ID', 'START_DATE_TIME', 'UPDATED'];

export interface QueryPolicy {
  readonly limitPolicy: 'clamp' | 'error';
  readonly unknownParameters: 'ignore' | 'reject';
}

export interface WorklogFilter {
  projectIds?: number[];
  issueIds?: number[];
  authorIds?: string[];
  from?: string;
  to?: string;
  updatedFrom?: number;
  order: { field: OrderField; order: 'ASC' | 'DESC' }[];
}

export type Query = Record<string, string | string[] | undefined>;

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const UPDATED_FROM = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}:\d{2}))?(Z)?$/;

export const list = (value: string | string[] | undefined): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
const one = (query: Query, name: string): string | undefined => list(query[name]).at(-1);

export function checkKnown(query: Query, known: readonly string[], policy: QueryPolicy): void {
  if (policy.unknownParameters === 'ignore') return;
  const unknown = Object.keys(query).filter((k) => !known.includes(k));
  if (unknown.length > 0) throw badRequest(`Unknown query parameter(s): ${unknown.map((k) => `'${k}'`).join(', ')}`);
}

export function int(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value)) throw badRequest(`'${name}' must be a number`);
  return Number(value);
}

export function date(value: string | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (!DATE.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) throw dateFormat(name);
  return value;
}

export function updatedFrom(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = UPDATED_FROM.exec(value);
  const ms = m ? Date.parse(`${m[1]}T${m[2] ?? '00:00:00'}Z`) : NaN;
  if (Number.isNaN(ms)) throw badRequest("'updatedFrom' must be valid on the format: 'yyyy-MM-dd['T'HH:mm:ss]['Z']'");
  return ms;
}

export function page(query: Query, policy: QueryPolicy): { offset: number; limit: number } {
  const offset = int(one(query, 'offset'), 'offset') ?? 0;
  let limit = int(one(query, 'limit'), 'limit') ?? DEFAULT_LIMIT;
  if (offset < 0) throw badRequest("'offset' must be greater than or equal to 0");
  if (limit < 1) throw badRequest("'limit' must be greater than or equal to 1");
  if (limit > MAX_LIMIT) {
    if (policy.limitPolicy === 'error') throw badRequest(`'limit' must be less than or equal to ${MAX_LIMIT}`);
    limit = MAX_LIMIT;
  }
  return { offset, limit };
}

/** GET filters (`/4/worklogs` and the per-issue/project/user routes). */
export function filterFromQuery(query: Query): WorklogFilter {
  const ids = (name: string): number[] | undefined => {
    const values = list(query[name]).flatMap((v) => v.split(',')).map((v) => int(v, name)!);
    return values.length ? values : undefined;
  };
  const orderBy = one(query, 'orderBy');
  if (orderBy !== undefined && !ORDER_FIELDS.includes(orderBy)) throw badRequest(`'orderBy' must be one of: ${ORDER_FIELDS.join(', ')}`);
  return clean({
    projectIds: ids('projectId'), issueIds: ids('issueId'), from: date(one(query, 'from'), 'from'), to: date(one(query, 'to'), 'to'),
    updatedFrom: updatedFrom(one(query, 'updatedFrom')),
    order: orderBy ? [{ field: orderBy as OrderField, order: 'DESC' as const }] : [],
  });
}

/** `WorklogSearchInput`. */
export function filterFromBody(raw: unknown): WorklogFilter {
  const body = (raw && typeof raw === 'object' && !Array.isArray(raw) ? raw : {}) as Record<string, unknown>;
  const array = <T>(name: string, ok: (v: unknown) => v is T): T[] | undefined => {
    const v = body[name];
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v) || !v.every(ok)) throw badRequest(`'${name}' is invalid`);
    return v.length ? v : undefined;
  };
  const isId = (v: unknown): v is number => (typeof v === 'number' && Number.isInteger(v)) || (typeof v === 'string' && /^\d+$/.test(v));
  const str = (name: string): string | undefined => {
    const v = body[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') throw badRequest(`'${name}' is invalid`);
    return v;
  };
  const order = array('orderBy', (v): v is { field: OrderField; order: 'ASC' | 'DESC' } => {
    const o = v as { field?: unknown; order?: unknown } | null;
    return !!o && ORDER_FIELDS.includes(String(o.field)) && (o.order === 'ASC' || o.order === 'DESC');
  }) ?? [];
  return clean({
    projectIds: array('projectIds', isId)?.map(Number), issueIds: array('issueIds', isId)?.map(Number),
    authorIds: array('authorIds', (v): v is string => typeof v === 'string'),
    from: date(str('from'), 'from'), to: date(str('to'), 'to'), updatedFrom: updatedFrom(str('updatedFrom')), order,
  });
}

/** The worklogs `token` may see that match, in the requested (or default) order. */
export function select(world: TempoWorld, token: string, f: WorklogFilter): StoredWorklog[] {
  const second = (ms: number): number => Math.floor(ms / 1000) * 1000;
  const hits = [...world.worklogs.values()].filter((w) => world.canSee(token, w)
    && (!f.projectIds || f.projectIds.includes(world.projectOf(w)))
    && (!f.issueIds || f.issueIds.includes(w.issueId))
    && (!f.authorIds || f.authorIds.includes(w.authorAccountId))
    && (!f.from || w.startDate >= f.from) && (!f.to || w.startDate <= f.to)
    && (f.updatedFrom === undefined || second(w.updatedAt) >= f.updatedFrom));
  const key: Record<OrderField, (w: StoredWorklog) => number> = { ID: (w) => w.tempoWorklogId, START_DATE_TIME: (w) => w.startUtc, UPDATED: (w) => second(w.updatedAt) };
  const order = f.order.length ? f.order : [{ field: 'START_DATE_TIME' as const, order: 'ASC' as const }];
  const tie = order.at(-1)!.order;
  return hits.sort((a, b) => {
    for (const o of order) {
      const d = key[o.field](a) - key[o.field](b);
      if (d !== 0) return o.order === 'ASC' ? d : -d;
    }
    return tie === 'ASC' ? a.tempoWorklogId - b.tempoWorklogId : b.tempoWorklogId - a.tempoWorklogId;
  });
}

type Loose<T> = { [K in keyof T]: T[K] | undefined };

function clean(f: Loose<WorklogFilter>): WorklogFilter {
  return Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined)) as unknown as WorklogFilter;
}
