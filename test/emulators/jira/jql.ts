/**
 * A faithful subset of JQL: parse, evaluate against the site as a user, order.
 *
 * Sources:
 * - Fields and operators: https://support.atlassian.com/jira-software-cloud/docs/jql-fields/ and
 *   /jql-operators/ — project, key (aliases issue, issuekey), id, updated, created, labels,
 *   status, parent, issuetype (alias type), assignee, reporter; =, !=, IN, NOT IN, >, >=, <, <=,
 *   IS [NOT] EMPTY/NULL; AND, OR, NOT, parentheses; ORDER BY f [ASC|DESC], … (up to 7 fields on
 *   /search/jql, per its `jql` parameter). currentUser() is the one function understood.
 * - Dates: ./time.ts (user's zone, minute precision, relative periods).
 * - Error texts are Jira Cloud's (seen verbatim in public issue threads and the JQL editor):
 *   "Field 'x' does not exist or you do not have permission to view it.",
 *   "The value 'X' does not exist for the field 'project'.",
 *   "An issue with key 'X-1' does not exist for field 'key'.",
 *   "Error in the JQL Query: …", and for /search/jql "Unbounded JQL queries are not allowed
 *   here. Please add a search restriction to your query.". Keys and project names that the user
 *   cannot see get the same "does not exist" message as missing ones.
 */

import { invalidDateMessage, parseJqlDate } from './time.ts';
import type { JiraIssue, JiraSite, JiraUser } from './site.ts';

export class JqlError extends Error {}

type Value = { kind: 'str'; v: string } | { kind: 'empty' } | { kind: 'fn'; name: string };
type Node =
  | { t: 'and' | 'or'; l: Node; r: Node }
  | { t: 'not'; e: Node }
  | { t: 'clause'; field: string; op: string; values: Value[] };

export interface Query { readonly where: Node | undefined; readonly order: readonly { field: string; dir: 'ASC' | 'DESC' }[] }

const FIELDS: Readonly<Record<string, string>> = {
  project: 'project', key: 'key', issue: 'key', issuekey: 'key', id: 'id', updated: 'updated', updateddate: 'updated', created: 'created',
  createddate: 'created', labels: 'labels', status: 'status', parent: 'parent', issuetype: 'issuetype', type: 'issuetype', assignee: 'assignee', reporter: 'reporter',
};
const ORDERABLE = new Set(['updated', 'created', 'id', 'key', 'project', 'status', 'issuetype', 'priority', 'summary']);

const TOKEN = /\s*(?:("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|(!=|>=|<=|!~|[=<>~(),])|([^\s"'=<>!~(),]+))/y;

function tokenize(jql: string): { text: string; quoted: boolean; pos: number }[] {
  const out: { text: string; quoted: boolean; pos: number }[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < jql.length) {
    if (/^\s*$/.test(jql.slice(TOKEN.lastIndex))) break;
    const pos = TOKEN.lastIndex;
    const m = TOKEN.exec(jql);
    if (!m) throw new JqlError(`Error in the JQL Query: The character '${jql[pos]}' is a reserved JQL character. You must enclose it in a string or use the escape '\\u${jql.charCodeAt(pos).toString(16).padStart(4, '0')}' instead. (line 1, character ${pos + 1})`);
    const quoted = m[1] !== undefined;
    out.push({ text: quoted ? m[1]!.slice(1, -1).replace(/\\(.)/g, '$1') : (m[2] ?? m[3])!, quoted, pos: pos + (m[0].length - m[0].trimStart().length) + 1 });
  }
  return out;
}

export function parseJql(jql: string): Query {
  const tokens = tokenize(jql);
  let i = 0;
  const peek = (): string | undefined => (tokens[i] && !tokens[i]!.quoted ? tokens[i]!.text.toUpperCase() : tokens[i]?.text);
  const fail = (expected: string): never => {
    const t = tokens[i];
    throw new JqlError(t ? `Error in the JQL Query: Expecting ${expected} but got '${t.text}'. (line 1, character ${t.pos})` : `Error in the JQL Query: Expecting ${expected} but reached the end of the query.`);
  };
  const value = (): Value => {
    const t = tokens[i];
    if (!t || (!t.quoted && /^[(),=<>!~]/.test(t.text))) return fail('either a value, list or function');
    i += 1;
    if (!t.quoted && /^(EMPTY|NULL)$/i.test(t.text)) return { kind: 'empty' };
    if (!t.quoted && tokens[i]?.text === '(') {
      i += 1;
      if (tokens[i]?.text !== ')') return fail("')'");
      i += 1;
      if (t.text.toLowerCase() !== 'currentuser') throw new JqlError(`Unable to find JQL function '${t.text}()'.`);
      return { kind: 'fn', name: 'currentUser' };
    }
    return { kind: 'str', v: t.text };
  };
  const clause = (): Node => {
    if (peek() === '(') { i += 1; const e = or(); if (peek() !== ')') fail("')'"); i += 1; return e; }
    if (peek() === 'NOT') { i += 1; return { t: 'not', e: clause() }; }
    const f = tokens[i];
    if (!f || (!f.quoted && /^[(),=<>!~]/.test(f.text))) return fail('a field name');
    i += 1;
    const field = FIELDS[f.text.toLowerCase()];
    if (!field) throw new JqlError(`Field '${f.text}' does not exist or you do not have permission to view it.`);
    let op = peek();
    if (op === 'NOT' && tokens[i + 1]?.text.toUpperCase() === 'IN') { i += 2; op = 'NOT IN'; }
    else if (op === 'IS' && tokens[i + 1]?.text.toUpperCase() === 'NOT') { i += 2; op = 'IS NOT'; }
    else if (op && ['=', '!=', '>', '>=', '<', '<=', 'IN', 'IS', '~', '!~', 'WAS', 'CHANGED'].includes(op)) i += 1;
    else return fail("operator");
    if (op === '~' || op === '!~' || op === 'WAS' || op === 'CHANGED') throw new JqlError(`The operator '${op.toLowerCase()}' is not supported by the '${f.text}' field.`);
    let values: Value[];
    if (op === 'IN' || op === 'NOT IN') {
      if (peek() !== '(') fail("'('");
      i += 1;
      values = [value()];
      while (peek() === ',') { i += 1; values.push(value()); }
      if (peek() !== ')') fail("')'");
      i += 1;
    } else values = [value()];
    if ((op === 'IS' || op === 'IS NOT') && values[0]!.kind !== 'empty') throw new JqlError(`The operator '${op.toLowerCase()}' only supports 'EMPTY' or 'NULL'.`);
    return { t: 'clause', field, op, values };
  };
  const and = (): Node => { let l = clause(); while (peek() === 'AND') { i += 1; l = { t: 'and', l, r: clause() }; } return l; };
  const or = (): Node => { let l = and(); while (peek() === 'OR') { i += 1; l = { t: 'or', l, r: and() }; } return l; };
  const where = tokens.length > 0 && peek() !== 'ORDER' ? or() : undefined;
  const order: { field: string; dir: 'ASC' | 'DESC' }[] = [];
  if (peek() === 'ORDER') {
    i += 1;
    if (peek() !== 'BY') fail("'by'");
    i += 1;
    do {
      if (order.length > 0) i += 1;
      const t = tokens[i];
      if (!t) fail('a field name');
      const name = (FIELDS[t!.text.toLowerCase()] ?? t!.text.toLowerCase());
      if (!ORDERABLE.has(name)) throw new JqlError(`Field '${t!.text}' does not exist or you do not have permission to view it.`);
      i += 1;
      const dir = peek() === 'ASC' || peek() === 'DESC' ? (tokens[i++]!.text.toUpperCase() as 'ASC' | 'DESC') : 'ASC';
      order.push({ field: name, dir });
    } while (peek() === ',');
    if (order.length > 7) throw new JqlError('The ORDER BY clause can contain a maximum of 7 fields.');
  }
  if (i < tokens.length) fail(where ? "either 'OR' or 'AND'" : "a field name");
  return { where, order };
}

interface Ctx { readonly site: JiraSite; readonly user: JiraUser; readonly now: number }

/** Checks literal values against the site (unknown projects/keys, bad dates) before searching. */
function validate(node: Node | undefined, ctx: Ctx): void {
  if (!node) return;
  if (node.t === 'not') { validate(node.e, ctx); return; }
  if (node.t !== 'clause') { validate(node.l, ctx); validate(node.r, ctx); return; }
  for (const v of node.values) {
    if (v.kind !== 'str') continue;
    if (node.field === 'project') {
      const p = ctx.site.projectByKey(v.v) ?? [...ctx.site.projects.values()].find((x) => x.id === v.v || x.name.toLowerCase() === v.v.toLowerCase());
      if (!p || !ctx.site.canBrowseProject(ctx.user, p.id)) throw new JqlError(`The value '${v.v}' does not exist for the field 'project'.`);
    }
    if (node.field === 'key' || node.field === 'parent') {
      const issue = ctx.site.findIssue(v.v);
      if (!/^\d+$/.test(v.v) && (!issue || !ctx.site.canSee(ctx.user, issue))) throw new JqlError(`An issue with key '${v.v}' does not exist for field '${node.field === 'key' ? 'key' : 'parent'}'.`);
    }
    if ((node.field === 'updated' || node.field === 'created') && parseJqlDate(v.v, ctx.user.timeZone, ctx.now) === undefined) throw new JqlError(invalidDateMessage(v.v, node.field));
    if (node.field === 'id' && !/^\d+$/.test(v.v)) throw new JqlError(`The issue key '${v.v}' for field 'id' is invalid.`);
  }
}

function matches(node: Node, issue: JiraIssue, ctx: Ctx): boolean {
  if (node.t === 'and') return matches(node.l, issue, ctx) && matches(node.r, issue, ctx);
  if (node.t === 'or') return matches(node.l, issue, ctx) || matches(node.r, issue, ctx);
  if (node.t === 'not') return !matches(node.e, issue, ctx);
  if (node.t !== 'clause') return false;
  const { field, op, values } = node;
  if (op === 'IS' || op === 'IS NOT') {
    const empty = field === 'assignee' ? issue.assignee === null : field === 'reporter' ? issue.reporter === null : field === 'parent' ? issue.parentId === null : field === 'labels' ? issue.labels.length === 0 : false;
    return op === 'IS' ? empty : !empty;
  }
  if (field === 'updated' || field === 'created') {
    const t = field === 'updated' ? issue.updated : issue.created;
    const at = parseJqlDate((values[0] as { v: string }).v, ctx.user.timeZone, ctx.now)!;
    switch (op) {
      case '>=': return t >= at; case '>': return t > at; case '<': return t < at; case '<=': return t <= at;
      case '=': return t === at; case '!=': return t !== at; default: throw new JqlError(`The operator '${op}' is not supported by the '${field}' field.`);
    }
  }
  if (['>', '>=', '<', '<='].includes(op) && field !== 'id' && field !== 'key') throw new JqlError(`The operator '${op}' is not supported by the '${field}' field.`);
  const actual = (): string[] => {
    const parent = issue.parentId ? ctx.site.issues.get(issue.parentId) : undefined;
    switch (field) {
      case 'project': { const p = ctx.site.projects.get(issue.projectId)!; return [p.key.toUpperCase(), p.id, p.name.toLowerCase()]; }
      case 'key': return [issue.id, ctx.site.keyOf(issue), ...issue.formerKeys];
      case 'id': return [issue.id];
      case 'labels': return issue.labels;
      case 'status': return [issue.status.toLowerCase()];
      case 'issuetype': return [issue.issuetype.toLowerCase(), ...(issue.issuetype === 'Subtask' ? ['sub-task'] : [])];
      case 'parent': return parent ? [parent.id, ctx.site.keyOf(parent), ...parent.formerKeys] : [];
      case 'assignee': return issue.assignee ? [issue.assignee] : [];
      case 'reporter': return issue.reporter ? [issue.reporter] : [];
      default: return [];
    }
  };
  const have = actual();
  const wanted = values.map((v: Value) => {
    if (v.kind === 'fn') return ctx.user.accountId;
    if (v.kind === 'empty') return '\u0000empty';
    if (field === 'key' || field === 'parent') return ctx.site.findIssue(v.v)?.id ?? v.v.toUpperCase();
    if (field === 'project') return v.v.toUpperCase() === v.v.toUpperCase() && ctx.site.projectByKey(v.v) ? v.v.toUpperCase() : v.v.toLowerCase();
    return field === 'labels' || field === 'id' || field === 'assignee' || field === 'reporter' ? v.v : v.v.toLowerCase();
  });
  const idKey = field === 'key' || field === 'parent' ? [issue.id, ...(issue.parentId ? [issue.parentId] : [])] : [];
  const hit = (w: string): boolean => have.includes(w) || (field === 'key' && idKey[0] === w) || (field === 'parent' && issue.parentId === w) || (w === '\u0000empty' && have.length === 0);
  if (['>', '>=', '<', '<='].includes(op)) {
    const n = Number(field === 'id' ? issue.id : issue.number);
    const target = Number(field === 'id' ? wanted[0] : ctx.site.findIssue((values[0] as { v: string }).v)?.number ?? 0);
    return op === '>' ? n > target : op === '>=' ? n >= target : op === '<' ? n < target : n <= target;
  }
  const any = wanted.some(hit);
  return op === '=' || op === 'IN' ? any : !any;
}

/** Issues matching `query` that `user` may see, in the query's order (default `key DESC`). */
export function runJql(query: Query, site: JiraSite, user: JiraUser, now: number): JiraIssue[] {
  const ctx: Ctx = { site, user, now };
  validate(query.where, ctx);
  const found = [...site.issues.values()].filter((i) => site.canSee(user, i) && (!query.where || matches(query.where, i, ctx)));
  const order = query.order.length > 0 ? query.order : [{ field: 'key', dir: 'DESC' as const }];
  const keyOf = (i: JiraIssue, f: string): string | number => {
    switch (f) {
      case 'updated': return i.updated; case 'created': return i.created; case 'id': return Number(i.id);
      case 'key': return `${site.projects.get(i.projectId)!.key}-${String(i.number).padStart(12, '0')}`;
      case 'project': return site.projects.get(i.projectId)!.key; case 'summary': return i.summary.toLowerCase();
      case 'status': return i.status; case 'issuetype': return i.issuetype; default: return Number(i.id);
    }
  };
  return found.sort((a, b) => {
    for (const { field, dir } of order) {
      const x = keyOf(a, field);
      const y = keyOf(b, field);
      if (x !== y) return (x < y ? -1 : 1) * (dir === 'ASC' ? 1 : -1);
    }
    return Number(a.id) - Number(b.id);
  });
}

/** Whether the query restricts the search (Jira refuses unbounded queries on /search/jql). */
export const isBounded = (query: Query): boolean => query.where !== undefined;
