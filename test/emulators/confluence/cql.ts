/**
 * The subset of CQL the emulator understands, evaluated against the world.
 *
 * Sources:
 * - https://developer.atlassian.com/cloud/confluence/advanced-searching-using-cql/ — fields
 *   `type`, `space` (and `space.key`), `id`, `ancestor`, `parent`, `title`, `text`, `label`,
 *   `created`, `lastmodified`; operators `=`, `!=`, `>`, `>=`, `<`, `<=`, `~`, `!~`, `IN`,
 *   `NOT IN`; keywords AND, OR, NOT, ORDER BY … ASC|DESC. Date literals "yyyy/MM/dd HH:mm",
 *   "yyyy-MM-dd HH:mm", "yyyy/MM/dd", "yyyy-MM-dd", read in the time zone of the calling
 *   user's profile (CQL field reference: "Dates are … relative to the current user's
 *   timezone"); a minute literal stands for that whole minute, a day literal for that day, so
 *   `>=` compares with the first millisecond and `>` with the first millisecond after it.
 * - Anything else (another field, a function such as now() or currentUser(), a bad literal)
 *   is answered like a parse failure: 400 "Could not parse cql : <cql>".
 * - Search covers published (status current) pages and blog posts the caller can view, in
 *   current spaces.
 */

import { cqlParseError } from './errors.ts';
import type { ConfluenceWorld, StoredContent } from './world.ts';

type Token = { kind: 'word' | 'string' | 'op' | 'lparen' | 'rparen' | 'comma'; value: string };
type Node =
  | { kind: 'and' | 'or'; left: Node; right: Node }
  | { kind: 'not'; inner: Node }
  | { kind: 'clause'; field: string; op: string; values: string[] };
export interface OrderBy { readonly field: string; readonly dir: 'asc' | 'desc' }
export interface ParsedCql { readonly where: Node | undefined; readonly order: readonly OrderBy[] }

const FIELDS = new Set(['type', 'space', 'space.key', 'id', 'content', 'ancestor', 'parent', 'title', 'text', 'label', 'created', 'lastmodified']);
const DATE_FIELDS = new Set(['created', 'lastmodified']);
const ORDER_FIELDS = new Set(['lastmodified', 'created', 'title', 'id']);

function tokenize(cql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < cql.length) {
    const c = cql[i]!;
    if (/\s/.test(c)) { i += 1; continue; }
    if (c === '(' || c === ')' || c === ',') { tokens.push({ kind: c === '(' ? 'lparen' : c === ')' ? 'rparen' : 'comma', value: c }); i += 1; continue; }
    if (c === '"' || c === "'") {
      let j = i + 1;
      let s = '';
      while (j < cql.length && cql[j] !== c) { if (cql[j] === '\\' && j + 1 < cql.length) j += 1; s += cql[j]; j += 1; }
      if (j >= cql.length) throw cqlParseError(cql);
      tokens.push({ kind: 'string', value: s });
      i = j + 1;
      continue;
    }
    const op = /^(>=|<=|!=|!~|=|>|<|~)/.exec(cql.slice(i));
    if (op) { tokens.push({ kind: 'op', value: op[1]! }); i += op[1]!.length; continue; }
    const word = /^[^\s()=,<>!~"']+/.exec(cql.slice(i));
    if (!word) throw cqlParseError(cql);
    tokens.push({ kind: 'word', value: word[0] });
    i += word[0].length;
  }
  return tokens;
}

export function parseCql(cql: string): ParsedCql {
  const tokens = tokenize(cql);
  let pos = 0;
  const fail = (): never => { throw cqlParseError(cql); };
  const peekWord = (w: string): boolean => tokens[pos]?.kind === 'word' && tokens[pos]!.value.toLowerCase() === w;
  const value = (): string => {
    const t = tokens[pos++];
    if (!t || (t.kind !== 'word' && t.kind !== 'string')) return fail();
    if (t.kind === 'word' && tokens[pos]?.kind === 'lparen') return fail(); // functions: now(), currentUser()…
    return t.value;
  };
  const clause = (): Node => {
    const f = tokens[pos++];
    if (!f || f.kind !== 'word') return fail();
    const field = f.value.toLowerCase();
    if (!FIELDS.has(field)) return fail();
    let op: string;
    if (peekWord('not')) { pos += 1; if (!peekWord('in')) fail(); pos += 1; op = 'not in'; }
    else if (peekWord('in')) { pos += 1; op = 'in'; }
    else { const o = tokens[pos++]; if (!o || o.kind !== 'op') return fail(); op = o.value; }
    if (op === 'in' || op === 'not in') {
      if (tokens[pos++]?.kind !== 'lparen') fail();
      const values = [value()];
      while (tokens[pos]?.kind === 'comma') { pos += 1; values.push(value()); }
      if (tokens[pos++]?.kind !== 'rparen') fail();
      return { kind: 'clause', field, op, values };
    }
    const fuzzy = op === '~' || op === '!~';
    if ((fuzzy && field !== 'title' && field !== 'text') || (field === 'text' && !fuzzy)) fail();
    if (['>', '>=', '<', '<='].includes(op) && !DATE_FIELDS.has(field)) fail();
    return { kind: 'clause', field, op, values: [value()] };
  };
  const primary = (): Node => {
    if (tokens[pos]?.kind === 'lparen') {
      pos += 1;
      const inner = or();
      if (tokens[pos++]?.kind !== 'rparen') fail();
      return inner;
    }
    if (peekWord('not')) { pos += 1; return { kind: 'not', inner: primary() }; }
    return clause();
  };
  const and = (): Node => {
    let left = primary();
    while (peekWord('and')) { pos += 1; left = { kind: 'and', left, right: primary() }; }
    return left;
  };
  const or = (): Node => {
    let left = and();
    while (peekWord('or')) { pos += 1; left = { kind: 'or', left, right: and() }; }
    return left;
  };
  const where = peekWord('order') ? undefined : or();
  const order: OrderBy[] = [];
  if (peekWord('order')) {
    pos += 1;
    if (!peekWord('by')) fail();
    pos += 1;
    do {
      if (order.length > 0) pos += 1;
      const f = tokens[pos++];
      if (!f || f.kind !== 'word' || !ORDER_FIELDS.has(f.value.toLowerCase())) fail();
      let dir: 'asc' | 'desc' = 'asc';
      if (peekWord('asc') || peekWord('desc')) dir = tokens[pos++]!.value.toLowerCase() as 'asc' | 'desc';
      order.push({ field: f!.value.toLowerCase(), dir });
    } while (tokens[pos]?.kind === 'comma');
  }
  if (pos !== tokens.length || (where === undefined && order.length === 0)) fail();
  return { where, order };
}

/** Offset of `zone` from UTC at instant `ms`, in ms. */
function zoneOffset(ms: number, zone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(new Date(ms));
  const n = (t: string): number => Number(parts.find((p) => p.type === t)?.value);
  return Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second')) - Math.floor(ms / 1000) * 1000;
}

/** A wall-clock time in `zone` as epoch ms. */
export function zonedToEpoch(y: number, mo: number, d: number, h: number, mi: number, zone: string): number {
  const guess = Date.UTC(y, mo - 1, d, h, mi);
  const first = guess - zoneOffset(guess, zone);
  return guess - zoneOffset(first, zone);
}

/** Formats epoch ms as a CQL minute literal in `zone` ("yyyy/MM/dd HH:mm"). */
export function cqlDate(ms: number, zone: string): string {
  const local = new Date(ms + zoneOffset(ms, zone));
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${local.getUTCFullYear()}/${p(local.getUTCMonth() + 1)}/${p(local.getUTCDate())} ${p(local.getUTCHours())}:${p(local.getUTCMinutes())}`;
}

function dateRange(literal: string, zone: string, cql: string): [number, number] {
  const m = /^(\d{4})[/-](\d{1,2})[/-](\d{1,2})(?: (\d{1,2}):(\d{2}))?$/.exec(literal.trim());
  if (!m) throw cqlParseError(cql);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (m[4] === undefined) {
    const start = zonedToEpoch(y, mo, d, 0, 0, zone);
    return [start, zonedToEpoch(y, mo, d + 1, 0, 0, zone)];
  }
  const start = zonedToEpoch(y, mo, d, Number(m[4]), Number(m[5]), zone);
  return [start, start + 60_000];
}

export interface CqlContext {
  readonly world: ConfluenceWorld;
  readonly zone: string;
  readonly cql: string;
}

function test(node: Node, item: StoredContent, ctx: CqlContext): boolean {
  if (node.kind === 'not') return !test(node.inner, item, ctx);
  if (node.kind !== 'clause') return node.kind === 'and' ? test(node.left, item, ctx) && test(node.right, item, ctx) : test(node.left, item, ctx) || test(node.right, item, ctx);
  const { world } = ctx;
  const v = world.current(item);
  const { field, op, values } = node;
  if (DATE_FIELDS.has(field)) {
    const at = field === 'created' ? item.createdAt : v.createdAt;
    const [start, end] = dateRange(values[0]!, ctx.zone, ctx.cql);
    switch (op) {
      case '=': return at >= start && at < end;
      case '!=': return at < start || at >= end;
      case '>': return at >= end;
      case '>=': return at >= start;
      case '<': return at < start;
      case '<=': return at < end;
      default: throw cqlParseError(ctx.cql);
    }
  }
  if (op === '~' || op === '!~') {
    const hay = (field === 'title' ? v.title : `${v.title} ${v.body.storage.replace(/<[^>]+>/g, ' ')}`).toLowerCase();
    const hit = values[0]!.toLowerCase().replace(/\*/g, '').split(/\s+/).filter(Boolean).every((w) => hay.includes(w));
    return op === '~' ? hit : !hit;
  }
  const actual: string[] = (() => {
    switch (field) {
      case 'type': return [item.type];
      case 'space': case 'space.key': return [world.spaces.get(item.spaceId)?.key ?? ''];
      case 'id': case 'content': return [item.id];
      case 'ancestor': return world.ancestorIds(item);
      case 'parent': return item.parentId ? [item.parentId] : [];
      case 'title': return [v.title];
      case 'label': return item.labels.map((l) => l.name);
      default: throw cqlParseError(ctx.cql);
    }
  })();
  const hit = values.some((x) => actual.includes(x));
  return op === '=' || op === 'in' ? hit : !hit;
}

/** Searchable items matching `cql` for the caller, in the query's order (else by id). */
export function runCql(parsed: ParsedCql, ctx: CqlContext, visible: (item: StoredContent) => boolean): StoredContent[] {
  const { world } = ctx;
  const hits = [...world.content.values()].filter((item) =>
    item.status === 'current' && world.spaces.get(item.spaceId)?.status === 'current' && visible(item)
    && (parsed.where === undefined || test(parsed.where, item, ctx)));
  const key = (item: StoredContent, field: string): number | string =>
    field === 'lastmodified' ? world.lastModified(item) : field === 'created' ? item.createdAt : field === 'title' ? world.current(item).title : Number(item.id);
  return hits.sort((a, b) => {
    for (const o of [...parsed.order, { field: 'id', dir: 'asc' as const }]) {
      const [x, y] = [key(a, o.field), key(b, o.field)];
      if (x !== y) return (x < y ? -1 : 1) * (o.dir === 'asc' ? 1 : -1);
    }
    return 0;
  });
}
