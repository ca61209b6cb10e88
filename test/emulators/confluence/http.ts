/**
 * Request plumbing shared by the v1 and v2 routes: the handler context, query-parameter
 * validation and both pagination styles.
 *
 * Sources:
 * - v2 cursor pagination: "Used for pagination, this opaque cursor will be returned in the
 *   `next` URL in the `Link` response header. Use the relative URL in the `Link` header to
 *   retrieve the `next` set of results" and `limit` "Maximum number of pages per result to
 *   return" (default 25, maximum 250) — v2 spec, e.g. GET /pages (confluence.js 3.x
 *   src/v2/parameters/getPages.ts). The body repeats the relative URL in `_links.next` and the
 *   site in `_links.base` (confluence.js live suite page.test.ts reads the cursor from
 *   `_links.next`). The header is `Link: </wiki/api/v2/pages?cursor=…&limit=…>; rel="next",
 *   <https://site/wiki>; rel="base"`; no `next` when the listing is exhausted.
 * - Values outside a parameter's enum or range answer 400 INVALID_REQUEST_PARAMETER. Query
 *   parameters the endpoint does not define are ignored, as Confluence's JAX-RS resources do.
 *   Multi-valued parameters accept comma-separated lists and repeated keys.
 * - v1 search pagination: `limit` and `start`, `_links.next` carrying a `cursor` (confluence.js
 *   2.1.0 parameters/searchByCQL.ts: cursor "returned as part of the next or prev URL").
 */

import { badRequest } from './errors.ts';
import type { StoredUser } from './world.ts';

export type Query = Readonly<Record<string, string>>;

export interface Ctx {
  readonly user: StoredUser;
  readonly query: Query;
  readonly params: Readonly<Record<string, string>>;
  /** `http://127.0.0.1:<port>/wiki` — what Confluence sends as `_links.base`. */
  readonly base: string;
  /** Path without the query, e.g. `/wiki/api/v2/pages`. */
  readonly path: string;
}

export interface Reply {
  readonly status?: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export function normalizeQuery(raw: unknown): Query {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries((raw ?? {}) as Record<string, unknown>)) {
    out[k] = Array.isArray(v) ? v.map(String).join(',') : String(v);
  }
  return out;
}

const invalid = (name: string, value: string, type: string): Error =>
  badRequest(`Provided value {${value}} for '${name}' is not the correct type. Expected type is ${type}`);

export function intParam(q: Query, name: string, fallback: number, min: number, max: number): number {
  const raw = q[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^-?\d+$/.test(raw)) throw invalid(name, raw, 'Integer');
  const n = Number(raw);
  if (n < min || n > max) throw badRequest(`'${name}' must be between ${min} and ${max}`);
  return n;
}

export function enumParam<T extends string>(q: Query, name: string, values: readonly T[], type: string): T | undefined {
  const raw = q[name];
  if (raw === undefined || raw === '') return undefined;
  if (!(values as readonly string[]).includes(raw)) throw invalid(name, raw, type);
  return raw as T;
}

export function listParam<T extends string>(q: Query, name: string, values?: readonly T[], type = 'String'): T[] | undefined {
  const raw = q[name];
  if (raw === undefined || raw === '') return undefined;
  const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
  for (const item of items) if (values && !(values as readonly string[]).includes(item)) throw invalid(name, item, type);
  return items as T[];
}

export function idListParam(q: Query, name: string): string[] | undefined {
  const items = listParam(q, name);
  for (const item of items ?? []) if (!/^\d+$/.test(item)) throw invalid(name, item, 'Long');
  return items;
}

export function boolParam(q: Query, name: string): boolean {
  const raw = q[name];
  if (raw === undefined || raw === '') return false;
  if (raw !== 'true' && raw !== 'false') throw invalid(name, raw, 'Boolean');
  return raw === 'true';
}

export function idParam(ctx: Ctx, name = 'id'): string {
  const raw = ctx.params[name] ?? '';
  if (!/^\d+$/.test(raw)) throw invalid(name, raw, 'Long');
  return raw;
}

const encodeCursor = (offset: number): string => Buffer.from(JSON.stringify({ o: offset, v: 1 })).toString('base64url');

export function decodeCursor(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 0;
  try {
    const parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as { o?: unknown };
    if (typeof parsed.o === 'number' && Number.isInteger(parsed.o) && parsed.o >= 0) return parsed.o;
  } catch {
    // fall through
  }
  throw badRequest('Invalid cursor');
}

function nextUrl(ctx: Ctx, cursorKey: string, cursor: string, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(ctx.query)) if (k !== cursorKey && !(k in extra)) params.set(k, v);
  for (const [k, v] of Object.entries(extra)) params.set(k, v);
  params.set(cursorKey, cursor);
  return `${ctx.path}?${params.toString()}`;
}

/** A v2 page of results with the `Link` header and `_links`. */
export function v2Page<T>(ctx: Ctx, items: readonly T[], render: (item: T) => unknown, limit = intParam(ctx.query, 'limit', 25, 1, 250)): Reply {
  const offset = decodeCursor(ctx.query['cursor']);
  const slice = items.slice(offset, offset + limit);
  const more = offset + limit < items.length;
  const next = more ? nextUrl(ctx, 'cursor', encodeCursor(offset + limit), { limit: String(limit) }) : undefined;
  return {
    body: { results: slice.map(render), _links: { ...(next ? { next } : {}), base: ctx.base } },
    headers: next ? { link: `<${next}>; rel="next", <${ctx.base}>; rel="base"` } : {},
  };
}

/** A v1 search page: `start`/`limit` plus `_links.next` with a cursor (relative to `/wiki`). */
export function v1SearchPage<T>(ctx: Ctx, items: readonly T[], render: (item: T) => unknown, opts: { maxLimit: number; acceptStart: boolean; envelope: (page: Record<string, unknown>) => Record<string, unknown> }): Reply {
  const limit = Math.min(intParam(ctx.query, 'limit', 25, 0, Number.MAX_SAFE_INTEGER), opts.maxLimit);
  const start = ctx.query['cursor'] ? decodeCursor(ctx.query['cursor']) : opts.acceptStart ? intParam(ctx.query, 'start', 0, 0, Number.MAX_SAFE_INTEGER) : 0;
  const slice = items.slice(start, start + limit);
  const more = start + limit < items.length && limit > 0;
  const rel = ctx.path.replace(/^\/wiki/, '');
  const nextPath = more ? nextUrl({ ...ctx, path: rel }, 'cursor', encodeCursor(start + limit), { next: 'true', limit: String(limit), ...(opts.acceptStart ? { start: String(start + limit) } : {}) }) : undefined;
  const self = `${ctx.base}${rel}${Object.keys(ctx.query).length ? `?${new URLSearchParams(ctx.query as Record<string, string>).toString()}` : ''}`;
  return {
    body: opts.envelope({
      results: slice.map(render), start, limit, size: slice.length,
      _links: { base: ctx.base, context: '/wiki', ...(nextPath ? { next: nextPath } : {}), self },
    }),
  };
}
