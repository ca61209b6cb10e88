/**
 * Pagination, data-source query filters and sorts, and search.
 *
 * Sources:
 * - https://developers.notion.com/reference/intro#pagination — `start_cursor` / `page_size`
 *   (default 100, maximum 100) → `{object: "list", results, next_cursor, has_more, type,
 *   <type>: {}}`; the cursor is opaque (here: the id of the next result, as the API's cursors
 *   look).
 * - https://developers.notion.com/reference/query-a-data-source and
 *   /reference/filter-data-source-entries — property filters `{property, <type>: {<condition>:
 *   value}}`, timestamp filters `{timestamp: "last_edited_time" | "created_time",
 *   <timestamp>: {before | after | on_or_before | on_or_after | equals: ISO date}}`, compound
 *   `{and: [...]}` / `{or: [...]}`; sorts `{property, direction}` / `{timestamp, direction}`;
 *   `filter_properties` query param. The SDK's QueryDataSourceResponse carries `request_status
 *   {type: "complete" | "incomplete", incomplete_reason?: "query_result_limit_reached"}`; the
 *   SOURCES note puts the cap at 10,000 rows. Which page carries request_status is not
 *   documented: the emulator adds it to every page of a capped query.
 * - https://developers.notion.com/reference/post-search — `query` (title match), `filter
 *   {property: "object", value: "page" | "data_source"}`, `sort {timestamp: "last_edited_time",
 *   direction}`; results may lag and are not exhaustive ("Search ... is not guaranteed to return
 *   everything"); here an object becomes searchable `searchLagMs` after it was created.
 * - "Could not find property with name or id: X" for a filter on an unknown property is the
 *   API's captured wording (quoted in public code), as a 400 validation_error.
 */

import { invalid, validation } from './errors.ts';
import type { Json, PageNode, PropertySchema, DataSourceNode } from './model.ts';
import { plainText, type RichText } from './richtext.ts';
import { valueJson, type RenderContext } from './shapes.ts';

export interface Paged<T> {
  readonly results: readonly T[];
  readonly next_cursor: string | null;
  readonly has_more: boolean;
}

/** Checks page_size like the API (1–100). */
export function pageSize(where: 'body' | 'query', raw: unknown): number {
  if (raw === undefined || raw === null) return 100;
  const n = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
  if (typeof n !== 'number' || !Number.isInteger(n)) throw invalid(where, 'page_size', 'a number', raw);
  if (n > 100) throw invalid(where, 'page_size', '≤ `100`', n);
  if (n < 1) throw invalid(where, 'page_size', '≥ `1`', n);
  return n;
}

export function paginate<T>(items: readonly T[], idOf: (t: T) => string, cursor: unknown, size: number, where: 'body' | 'query'): Paged<T> {
  let start = 0;
  if (cursor !== undefined && cursor !== null) {
    if (typeof cursor !== 'string') throw invalid(where, 'start_cursor', 'a string', cursor);
    start = items.findIndex((t) => idOf(t) === cursor);
    if (start < 0) throw validation(`${where} failed validation: ${where}.start_cursor should be a valid cursor, instead was \`"${cursor}"\`.`);
  }
  const page = items.slice(start, start + size);
  const next = items[start + size];
  return { results: page, next_cursor: next ? idOf(next) : null, has_more: next !== undefined };
}

// ───────────── filters ─────────────

type Filter = Json;

function dateMs(v: unknown): number {
  const ms = typeof v === 'string' ? Date.parse(v) : NaN;
  if (Number.isNaN(ms)) throw validation(`body failed validation: date filter value should be an ISO 8601 date, instead was \`${JSON.stringify(v)}\`.`);
  return ms;
}

function compareDate(value: number | null, cond: Json): boolean {
  const [op, arg] = Object.entries(cond)[0] ?? [];
  if (op === 'is_empty') return value === null;
  if (op === 'is_not_empty') return value !== null;
  if (value === null) return false;
  const t = dateMs(arg);
  switch (op) {
    case 'equals': return value === t;
    case 'before': return value < t;
    case 'after': return value > t;
    case 'on_or_before': return value <= t;
    case 'on_or_after': return value >= t;
    default: throw validation(`body failed validation: unsupported date filter condition \`${String(op)}\`.`);
  }
}

function compareText(value: string, cond: Json): boolean {
  const [op, arg] = Object.entries(cond)[0] ?? [];
  const a = String(arg ?? '');
  switch (op) {
    case 'equals': return value === a;
    case 'does_not_equal': return value !== a;
    case 'contains': return value.toLowerCase().includes(a.toLowerCase());
    case 'does_not_contain': return !value.toLowerCase().includes(a.toLowerCase());
    case 'starts_with': return value.startsWith(a);
    case 'ends_with': return value.endsWith(a);
    case 'is_empty': return value === '';
    case 'is_not_empty': return value !== '';
    default: throw validation(`body failed validation: unsupported text filter condition \`${String(op)}\`.`);
  }
}

function compareNumber(value: number | null, cond: Json): boolean {
  const [op, arg] = Object.entries(cond)[0] ?? [];
  if (op === 'is_empty') return value === null;
  if (op === 'is_not_empty') return value !== null;
  if (value === null) return false;
  const n = Number(arg);
  switch (op) {
    case 'equals': return value === n;
    case 'does_not_equal': return value !== n;
    case 'greater_than': return value > n;
    case 'less_than': return value < n;
    case 'greater_than_or_equal_to': return value >= n;
    case 'less_than_or_equal_to': return value <= n;
    default: throw validation(`body failed validation: unsupported number filter condition \`${String(op)}\`.`);
  }
}

function compareList(values: readonly string[], cond: Json): boolean {
  const [op, arg] = Object.entries(cond)[0] ?? [];
  switch (op) {
    case 'contains': return values.includes(String(arg));
    case 'does_not_contain': return !values.includes(String(arg));
    case 'is_empty': return values.length === 0;
    case 'is_not_empty': return values.length > 0;
    default: throw validation(`body failed validation: unsupported filter condition \`${String(op)}\`.`);
  }
}

function matchProperty(ctx: RenderContext, page: PageNode, prop: PropertySchema, cond: Json): boolean {
  const v = valueJson(ctx, page, prop);
  switch (prop.type) {
    case 'title': case 'rich_text': return compareText(plainText(v as RichText[]), cond);
    case 'url': case 'email': case 'phone_number': return compareText((v as string | null) ?? '', cond);
    case 'number': return compareNumber(v as number | null, cond);
    case 'unique_id': return compareNumber((v as Json)['number'] as number | null, cond);
    case 'checkbox': {
      const [op, arg] = Object.entries(cond)[0] ?? [];
      return op === 'equals' ? v === arg : v !== arg;
    }
    case 'select': case 'status': {
      const name = ((v as Json | null)?.['name'] as string | undefined) ?? '';
      return compareText(name, cond);
    }
    case 'multi_select': return compareList((v as Json[]).map((o) => String(o['name'])), cond);
    case 'people': case 'created_by': case 'last_edited_by': {
      const ids = Array.isArray(v) ? (v as Json[]).map((u) => String(u['id'])) : [String((v as Json)['id'])];
      return compareList(ids, cond);
    }
    case 'relation': return compareList((v as Json[]).map((r) => String(r['id'])), cond);
    case 'date': return compareDate(v ? Date.parse(String((v as Json)['start'])) : null, cond);
    case 'created_time': case 'last_edited_time': return compareDate(Date.parse(String(v)), cond);
    case 'formula': {
      const f = v as Json;
      const [kind, inner] = Object.entries(cond)[0] ?? [];
      const fv = f[String(kind)];
      if (kind === 'number') return compareNumber((fv as number | null) ?? null, inner as Json);
      if (kind === 'checkbox') return fv === (inner as Json)['equals'];
      if (kind === 'date') return compareDate(fv ? Date.parse(String((fv as Json)['start'])) : null, inner as Json);
      return compareText(String(fv ?? ''), inner as Json);
    }
    default: throw validation(`body failed validation: filtering on property type ${prop.type} is not supported.`);
  }
}

export function matches(ctx: RenderContext, ds: DataSourceNode, page: PageNode, filter: Filter): boolean {
  if (Array.isArray(filter['and'])) return (filter['and'] as Filter[]).every((f) => matches(ctx, ds, page, f));
  if (Array.isArray(filter['or'])) return (filter['or'] as Filter[]).some((f) => matches(ctx, ds, page, f));
  const ts = filter['timestamp'];
  if (ts === 'last_edited_time' || ts === 'created_time') {
    const cond = filter[ts] as Json | undefined;
    if (!cond) throw invalid('body', `filter.${ts}`, 'defined', undefined);
    // The API compares the minute-rounded timestamps it returns.
    const at = Math.floor((ts === 'created_time' ? page.createdAt : page.editedAt) / 60_000) * 60_000;
    return compareDate(at, cond);
  }
  const name = filter['property'];
  if (typeof name !== 'string') throw validation('body failed validation: body.filter should be a property filter, a timestamp filter or a compound filter.');
  const prop = ds.schema.find((p) => p.name === name || p.id === name);
  if (!prop) throw validation(`Could not find property with name or id: ${name}`);
  const condition = filter[prop.type] ?? (prop.type === 'formula' ? filter['formula'] : undefined);
  if (!condition || typeof condition !== 'object') throw validation(`body failed validation: body.filter.${prop.type} should be defined, instead was \`undefined\`.`);
  return matchProperty(ctx, page, prop, condition as Json);
}

function sortKey(ctx: RenderContext, page: PageNode, prop: PropertySchema): string | number {
  const v = valueJson(ctx, page, prop);
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'object' && x ? String((x as Json)['plain_text'] ?? (x as Json)['name'] ?? '') : String(x))).join('');
  if (v && typeof v === 'object') return String((v as Json)['start'] ?? (v as Json)['name'] ?? (v as Json)['number'] ?? '');
  return v === null || v === undefined ? '' : String(v);
}

export function sortRows(ctx: RenderContext, ds: DataSourceNode, rows: PageNode[], sorts: unknown): PageNode[] {
  if (sorts === undefined) return [...rows]; // undocumented default order: creation order
  if (!Array.isArray(sorts)) throw invalid('body', 'sorts', 'an array', sorts);
  const keys = (sorts as Json[]).map((s) => {
    const dir = s['direction'] === 'descending' ? -1 : 1;
    if (s['timestamp'] === 'created_time' || s['timestamp'] === 'last_edited_time') {
      const field = s['timestamp'] === 'created_time' ? 'createdAt' : 'editedAt';
      return (a: PageNode, b: PageNode): number => dir * (Math.floor(a[field] / 60_000) - Math.floor(b[field] / 60_000));
    }
    const prop = ds.schema.find((p) => p.name === s['property'] || p.id === s['property']);
    if (!prop) throw validation(`Could not find sort property with name or id: ${String(s['property'])}`);
    return (a: PageNode, b: PageNode): number => {
      const x = sortKey(ctx, a, prop);
      const y = sortKey(ctx, b, prop);
      return dir * (x < y ? -1 : x > y ? 1 : 0);
    };
  });
  return [...rows].sort((a, b) => {
    for (const k of keys) {
      const d = k(a, b);
      if (d !== 0) return d;
    }
    return 0;
  });
}
