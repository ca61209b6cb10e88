/**
 * The `q` search language of files.list.
 *
 * Sources:
 * - https://developers.google.com/workspace/drive/api/guides/search-files — a query is `query_term
 *   operator values`, combined with `and`, `or`, `not` and parentheses; strings in single quotes,
 *   `\'` and `\\` escape; dates RFC 3339 (UTC by default).
 * - https://developers.google.com/workspace/drive/api/guides/ref-search-terms — terms and their
 *   operators: name (contains, =, !=), fullText (contains), mimeType (contains, =, !=),
 *   modifiedTime / createdTime / viewedByMeTime (<=, <, =, !=, >, >=), trashed / starred /
 *   sharedWithMe (=, !=), parents / owners / writers / readers (in), properties /
 *   appProperties (has), shortcutDetails.targetId (=, !=). "The contains operator only performs
 *   prefix matching for a name term" ("HelloWorld" matches `name contains 'Hello'`, not 'World');
 *   for fullText it matches entire string tokens.
 * - A query that does not parse, or a term with an operator it does not take, is refused with
 *   400 `invalid` / location `q` ("Invalid Value"), as Google answers.
 */

import { invalidQuery } from './errors.ts';

export interface QueryFile {
  readonly name: string;
  readonly mimeType: string;
  readonly trashed: boolean;
  readonly starred: boolean;
  readonly parents: readonly string[];
  readonly owners: readonly string[];
  readonly writers: readonly string[];
  readonly readers: readonly string[];
  readonly modifiedTime: number;
  readonly createdTime: number;
  readonly sharedWithMe: boolean;
  readonly fullText: string;
  readonly properties: Readonly<Record<string, string>>;
  readonly appProperties: Readonly<Record<string, string>>;
  readonly shortcutTargetId: string | undefined;
}

export type Predicate = (file: QueryFile) => boolean;

type Tok = { kind: 'str' | 'word' | 'op' | 'lp' | 'rp'; text: string };

function tokenize(q: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < q.length) {
    const c = q[i]!;
    if (/\s/.test(c)) { i += 1; continue; }
    if (c === '(') { out.push({ kind: 'lp', text: c }); i += 1; continue; }
    if (c === ')') { out.push({ kind: 'rp', text: c }); i += 1; continue; }
    if (c === "'") {
      let s = '';
      i += 1;
      for (;;) {
        if (i >= q.length) throw invalidQuery();
        const d = q[i]!;
        if (d === '\\') { s += q[i + 1] ?? ''; i += 2; continue; }
        if (d === "'") { i += 1; break; }
        s += d;
        i += 1;
      }
      out.push({ kind: 'str', text: s });
      continue;
    }
    const op = /^(<=|>=|!=|=|<|>)/.exec(q.slice(i));
    if (op) { out.push({ kind: 'op', text: op[1]! }); i += op[1]!.length; continue; }
    const w = /^[A-Za-z0-9_.]+/.exec(q.slice(i));
    if (!w) throw invalidQuery();
    out.push({ kind: 'word', text: w[0] });
    i += w[0].length;
  }
  return out;
}

const TIME_TERMS = new Set(['modifiedTime', 'createdTime', 'viewedByMeTime']);
const BOOL_TERMS = new Set(['trashed', 'starred', 'sharedWithMe']);
const IN_TERMS = new Set(['parents', 'owners', 'writers', 'readers']);

/** Parses `q`; `aliases` maps 'root' to the caller's My Drive id. */
export function parseQuery(q: string, aliases: Readonly<Record<string, string>> = {}): Predicate {
  const toks = tokenize(q);
  let pos = 0;
  const peek = (): Tok | undefined => toks[pos];
  const isWord = (t: Tok | undefined, w: string): boolean => t?.kind === 'word' && t.text.toLowerCase() === w;
  const take = (): Tok => {
    const t = toks[pos];
    if (t === undefined) throw invalidQuery();
    pos += 1;
    return t;
  };

  const orExpr = (): Predicate => {
    let left = andExpr();
    while (isWord(peek(), 'or')) {
      pos += 1;
      const a = left;
      const b = andExpr();
      left = (f) => a(f) || b(f);
    }
    return left;
  };
  const andExpr = (): Predicate => {
    let left = unary();
    while (isWord(peek(), 'and')) {
      pos += 1;
      const a = left;
      const b = unary();
      left = (f) => a(f) && b(f);
    }
    return left;
  };
  const unary = (): Predicate => {
    if (isWord(peek(), 'not')) {
      pos += 1;
      const inner = unary();
      return (f) => !inner(f);
    }
    if (peek()?.kind === 'lp') {
      pos += 1;
      const inner = orExpr();
      if (take().kind !== 'rp') throw invalidQuery();
      return inner;
    }
    return comparison();
  };
  const comparison = (): Predicate => {
    const first = take();
    if (first.kind === 'str') {
      if (!isWord(take(), 'in')) throw invalidQuery();
      const term = take();
      if (term.kind !== 'word' || !IN_TERMS.has(term.text)) throw invalidQuery();
      const value = aliases[first.text] ?? first.text;
      const key = term.text as 'parents' | 'owners' | 'writers' | 'readers';
      return (f) => f[key].includes(value);
    }
    if (first.kind !== 'word') throw invalidQuery();
    const term = first.text;
    const opTok = take();
    const op = opTok.kind === 'op' ? opTok.text : opTok.kind === 'word' ? opTok.text.toLowerCase() : '';
    const valTok = take();
    if (BOOL_TERMS.has(term)) {
      if (valTok.kind !== 'word' || !/^(true|false)$/i.test(valTok.text) || (op !== '=' && op !== '!=')) throw invalidQuery();
      const v = valTok.text.toLowerCase() === 'true';
      const key = term as 'trashed' | 'starred' | 'sharedWithMe';
      return op === '=' ? (f) => f[key] === v : (f) => f[key] !== v;
    }
    if (valTok.kind !== 'str') throw invalidQuery();
    const v = valTok.text;
    if (TIME_TERMS.has(term)) {
      const t = Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(v) ? v : `${v}Z`);
      if (Number.isNaN(t) || !['<', '<=', '=', '!=', '>', '>='].includes(op)) throw invalidQuery();
      const key = term === 'createdTime' ? 'createdTime' : 'modifiedTime';
      return (f) => compare(f[key], op, t);
    }
    switch (term) {
      case 'name':
        if (op === 'contains') return (f) => namePrefix(f.name, v);
        if (op === '=') return (f) => f.name === v;
        if (op === '!=') return (f) => f.name !== v;
        throw invalidQuery();
      case 'mimeType':
        if (op === 'contains') return (f) => f.mimeType.includes(v);
        if (op === '=') return (f) => f.mimeType === v;
        if (op === '!=') return (f) => f.mimeType !== v;
        throw invalidQuery();
      case 'fullText':
        if (op !== 'contains') throw invalidQuery();
        return (f) => tokensMatch(f.fullText, v);
      case 'properties':
      case 'appProperties': {
        if (op !== 'has') throw invalidQuery();
        const m = /^\{\s*key\s*=\s*'((?:[^'\\]|\\.)*)'\s+and\s+value\s*=\s*'((?:[^'\\]|\\.)*)'\s*\}$/.exec(v);
        if (!m) throw invalidQuery();
        return (f) => f[term][m[1]!] === m[2];
      }
      case 'shortcutDetails.targetId':
        if (op === '=') return (f) => f.shortcutTargetId === v;
        if (op === '!=') return (f) => f.shortcutTargetId !== v;
        throw invalidQuery();
      default:
        throw invalidQuery();
    }
  };

  if (toks.length === 0) return () => true;
  const pred = orExpr();
  if (pos !== toks.length) throw invalidQuery();
  return pred;
}

function compare(a: number, op: string, b: number): boolean {
  switch (op) {
    case '<': return a < b;
    case '<=': return a <= b;
    case '=': return a === b;
    case '!=': return a !== b;
    case '>': return a > b;
    default: return a >= b;
  }
}

const words = (s: string): string[] => s.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((w) => w !== '');

/** `name contains`: prefix of the name or of one of its words, case-insensitive. */
function namePrefix(name: string, v: string): boolean {
  const needle = v.toLowerCase();
  return name.toLowerCase().startsWith(needle) || words(name).some((w) => w.startsWith(needle));
}

/** `fullText contains`: every token of the value is a whole token of the text. */
function tokensMatch(text: string, v: string): boolean {
  const have = new Set(words(text));
  const want = words(v);
  return want.length > 0 && want.every((w) => have.has(w)) || (want.length === 0 && text.includes(v));
}
