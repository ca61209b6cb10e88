/**
 * JSON objects as Jira Cloud REST v3 returns them.
 *
 * Sources (swagger-v3.v3.json, OpenAPI document 1001.0.0-SNAPSHOT-5330f7d9…, schemas and
 * examples; jira.js 5.4.0 Version3 models mirror them):
 * - UserDetails (issue fields, comment/worklog authors): self, accountId, emailAddress?,
 *   avatarUrls{16x16..48x48}, displayName, active, timeZone, accountType. `User` (GET /myself)
 *   adds locale, groups{size, items}, applicationRoles{size, items}, expand.
 * - IssueBean: expand, id, self, key, fields, renderedFields?, names?, schema?, changelog?.
 * - Fields: summary, description (ADF or null), status{self, description, iconUrl, name, id,
 *   statusCategory{self, id, key, colorName, name}}, issuetype{self, id, description, iconUrl,
 *   name, subtask, avatarId, hierarchyLevel}, parent{id, key, self, fields{summary, status,
 *   priority, issuetype}}, project{self, id, key, name, projectTypeKey, simplified,
 *   avatarUrls}, priority{self, iconUrl, name, id}, assignee/reporter (UserDetails or null),
 *   labels, created/updated (Jira timestamps), security{self, id, description, name}, comment
 *   (PageOfComments + self), worklog (PageOfWorklogs; the issue embeds at most 20, the
 *   documented cap of the worklog field — use GET …/worklog for the rest).
 * - Comment: self, id, author, body (ADF), updateAuthor, created, updated, jsdPublic,
 *   visibility?. Worklog: self, author, updateAuthor, comment?, created, updated, started,
 *   timeSpent ("3h 20m"), timeSpentSeconds, id, issueId.
 * - Changelog histories: {id, author, created, items[{field, fieldtype, fieldId, from,
 *   fromString, to, toString}]}.
 */

import { renderHtml } from './adf.ts';
import { jiraTimestamp } from './time.ts';
import { ISSUE_TYPES, PRIORITIES, STATUSES, type History, type JiraComment, type JiraIssue, type JiraProject, type JiraSite, type JiraUser, type JiraWorklog } from './site.ts';

export type Json = Record<string, unknown>;

/** Render context: the site's base URL and the caller (for time zones and e-mail visibility). */
export interface View { readonly base: string; readonly site: JiraSite; readonly zone: string }

const avatars = (base: string, id: string): Json => Object.fromEntries(
  [16, 24, 32, 48].map((s) => [`${s}x${s}`, `https://avatar-management--avatars.us-west-2.prod.public.atl-paas.net/${id}/${base.length % 9}?size=${s}`]),
);

export function userDetails(v: View, user: JiraUser | undefined): Json | null {
  if (!user) return null;
  return {
    self: `${v.base}/rest/api/3/user?accountId=${user.accountId}`, accountId: user.accountId, emailAddress: user.email,
    avatarUrls: avatars(v.base, user.accountId), displayName: user.displayName, active: user.active, timeZone: user.timeZone, accountType: user.accountType,
  };
}

export function myself(v: View, user: JiraUser): Json {
  return {
    ...userDetails(v, user), locale: 'en_US', groups: { size: 1, items: [] }, applicationRoles: { size: 1, items: [] },
    expand: 'groups,applicationRoles',
  };
}

export function project(v: View, p: JiraProject): Json {
  return {
    expand: 'description,lead,issueTypes,url,projectKeys,permissions,insight', self: `${v.base}/rest/api/3/project/${p.id}`, id: p.id, key: p.key, name: p.name,
    avatarUrls: Object.fromEntries([['16x16', 'xsmall'], ['24x24', 'small'], ['32x32', 'medium'], ['48x48', 'large']].map(([k, s]) => [k, `${v.base}/rest/api/3/universal_avatar/view/type/project/avatar/10400?size=${s}`])),
    projectTypeKey: p.projectTypeKey, simplified: false, style: 'classic', isPrivate: false, properties: {},
  };
}

export function status(v: View, name: keyof typeof STATUSES): Json {
  const s = STATUSES[name];
  return {
    self: `${v.base}/rest/api/3/status/${s.id}`, description: '', iconUrl: `${v.base}/`, name, id: s.id,
    statusCategory: { self: `${v.base}/rest/api/3/statuscategory/${s.category.id}`, id: s.category.id, key: s.category.key, colorName: s.category.colorName, name: s.category.name },
  };
}

export function issuetype(v: View, name: keyof typeof ISSUE_TYPES): Json {
  const t = ISSUE_TYPES[name];
  return {
    self: `${v.base}/rest/api/3/issuetype/${t.id}`, id: t.id, description: t.description,
    iconUrl: `${v.base}/rest/api/2/universal_avatar/view/type/issuetype/avatar/${10300 + Number(t.id) % 100}?size=medium`, name: name === 'Subtask' ? 'Subtask' : name,
    subtask: t.subtask, avatarId: 10300 + (Number(t.id) % 100), hierarchyLevel: t.hierarchyLevel,
  };
}

export function priority(v: View, name: keyof typeof PRIORITIES): Json {
  const id = PRIORITIES[name];
  return { self: `${v.base}/rest/api/3/priority/${id}`, iconUrl: `${v.base}/images/icons/priorities/${name.toLowerCase()}.svg`, name, id };
}

/** "3h 20m" as Jira formats timeSpent (w/d/h/m with an 8h day and 5d week). */
export function timeSpent(seconds: number): string {
  const minutes = Math.round(seconds / 60);
  const parts: string[] = [];
  const units: [string, number][] = [['w', 5 * 8 * 60], ['d', 8 * 60], ['h', 60], ['m', 1]];
  let left = minutes;
  for (const [unit, size] of units) {
    if (left >= size) { parts.push(`${Math.floor(left / size)}${unit}`); left %= size; }
  }
  return parts.join(' ') || '0m';
}

export function comment(v: View, c: JiraComment, rendered = false): Json {
  const issue = v.site.issues.get(c.issueId);
  return {
    self: `${v.base}/rest/api/3/issue/${issue?.id ?? c.issueId}/comment/${c.id}`, id: c.id, author: userDetails(v, v.site.users.get(c.author)),
    body: c.body, ...(rendered ? { renderedBody: renderHtml(c.body) } : {}), updateAuthor: userDetails(v, v.site.users.get(c.updateAuthor)),
    created: jiraTimestamp(c.created, v.zone), updated: jiraTimestamp(c.updated, v.zone), jsdPublic: true, ...(c.visibility ? { visibility: { ...c.visibility, identifier: c.visibility.value } } : {}),
  };
}

export function worklog(v: View, w: JiraWorklog): Json {
  return {
    self: `${v.base}/rest/api/3/issue/${w.issueId}/worklog/${w.id}`, author: userDetails(v, v.site.users.get(w.author)),
    updateAuthor: userDetails(v, v.site.users.get(w.updateAuthor)), ...(w.comment ? { comment: w.comment } : {}),
    created: jiraTimestamp(w.created, v.zone), updated: jiraTimestamp(w.updated, v.zone), started: jiraTimestamp(w.started, v.zone),
    timeSpent: timeSpent(w.timeSpentSeconds), timeSpentSeconds: w.timeSpentSeconds, id: w.id, issueId: w.issueId,
  };
}

export function history(v: View, h: History): Json {
  return { id: h.id, author: userDetails(v, v.site.users.get(h.author)), created: jiraTimestamp(h.created, v.zone), items: h.items };
}

/** Field ids the emulator knows, with their display names (for `expand=names`). */
export const FIELD_NAMES: Readonly<Record<string, string>> = {
  summary: 'Summary', description: 'Description', status: 'Status', issuetype: 'Issue Type', parent: 'Parent', project: 'Project',
  priority: 'Priority', assignee: 'Assignee', reporter: 'Reporter', labels: 'Labels', created: 'Created', updated: 'Updated',
  security: 'Security Level', comment: 'Comment', worklog: 'Log Work', subtasks: 'Sub-tasks',
};

const SCHEMAS: Readonly<Record<string, Json>> = {
  summary: { type: 'string', system: 'summary' }, description: { type: 'string', system: 'description' }, status: { type: 'status', system: 'status' },
  issuetype: { type: 'issuetype', system: 'issuetype' }, parent: { type: 'issuelink', system: 'parent' }, project: { type: 'project', system: 'project' },
  priority: { type: 'priority', system: 'priority' }, assignee: { type: 'user', system: 'assignee' }, reporter: { type: 'user', system: 'reporter' },
  labels: { type: 'array', items: 'string', system: 'labels' }, created: { type: 'datetime', system: 'created' }, updated: { type: 'datetime', system: 'updated' },
  security: { type: 'securitylevel', system: 'security' }, comment: { type: 'comments-page', system: 'comment' }, worklog: { type: 'array', items: 'worklog', system: 'worklog' },
  subtasks: { type: 'array', items: 'issuelinks', system: 'subtasks' },
};

function parentField(v: View, parent: JiraIssue): Json {
  return {
    id: parent.id, key: v.site.keyOf(parent), self: `${v.base}/rest/api/3/issue/${parent.id}`,
    fields: { summary: parent.summary, status: status(v, parent.status), priority: priority(v, parent.priority), issuetype: issuetype(v, parent.issuetype) },
  };
}

function fieldValue(v: View, issue: JiraIssue, field: string): unknown {
  switch (field) {
    case 'summary': return issue.summary;
    case 'description': return issue.description;
    case 'status': return status(v, issue.status);
    case 'issuetype': return issuetype(v, issue.issuetype);
    case 'project': { const p = project(v, v.site.projects.get(issue.projectId)!); return { self: p['self'], id: p['id'], key: p['key'], name: p['name'], projectTypeKey: p['projectTypeKey'], simplified: false, avatarUrls: p['avatarUrls'] }; }
    case 'priority': return priority(v, issue.priority);
    case 'assignee': return userDetails(v, issue.assignee ? v.site.users.get(issue.assignee) : undefined);
    case 'reporter': return userDetails(v, issue.reporter ? v.site.users.get(issue.reporter) : undefined);
    case 'labels': return [...issue.labels];
    case 'created': return jiraTimestamp(issue.created, v.zone);
    case 'updated': return jiraTimestamp(issue.updated, v.zone);
    case 'security': { const l = issue.securityLevelId ? v.site.securityLevels.get(issue.securityLevelId) : undefined; return l ? { self: `${v.base}/rest/api/3/securitylevel/${l.id}`, id: l.id, description: l.description, name: l.name } : null; }
    case 'comment': return { comments: issue.comments.map((c) => comment(v, c)), self: `${v.base}/rest/api/3/issue/${issue.id}/comment`, maxResults: issue.comments.length, total: issue.comments.length, startAt: 0 };
    case 'worklog': return { startAt: 0, maxResults: 20, total: issue.worklogs.length, worklogs: issue.worklogs.slice(0, 20).map((w) => worklog(v, w)) };
    case 'subtasks': return [...v.site.issues.values()].filter((i) => i.parentId === issue.id && i.issuetype === 'Subtask').map((s) => parentField(v, s));
    default: return undefined;
  }
}

export const ALL_FIELDS = Object.keys(FIELD_NAMES);

/**
 * Which fields a `fields` list selects: `*all`, `*navigable` (every field here is navigable),
 * ids, `-id` exclusions; unknown ids are ignored as Jira does. `undefined` → `defaults`.
 */
export function selectFields(requested: readonly string[] | undefined, defaults: readonly string[]): string[] {
  const items = (requested ?? defaults).flatMap((f) => f.split(',')).map((f) => f.trim()).filter(Boolean);
  const chosen = new Set<string>();
  for (const f of items) {
    if (f === '*all' || f === '*navigable') ALL_FIELDS.forEach((x) => chosen.add(x));
    else if (!f.startsWith('-')) chosen.add(f);
  }
  if (items.every((f) => f.startsWith('-')) && items.length > 0) ALL_FIELDS.forEach((x) => chosen.add(x));
  for (const f of items) if (f.startsWith('-')) chosen.delete(f.slice(1));
  return [...chosen];
}

/** An IssueBean with the chosen fields and expansions. */
export function issueBean(v: View, issue: JiraIssue, fields: readonly string[], expand: ReadonlySet<string>): Json {
  const known = fields.filter((f) => f in FIELD_NAMES);
  if (fields.length === 1 && fields[0] === 'id' && expand.size === 0) return { id: issue.id };
  const out: Json = {
    expand: 'renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations',
    id: issue.id, self: `${v.base}/rest/api/3/issue/${issue.id}`, key: v.site.keyOf(issue),
  };
  const values: Json = {};
  for (const f of known) {
    if (f === 'parent') { const parent = issue.parentId ? v.site.issues.get(issue.parentId) : undefined; if (parent) values['parent'] = parentField(v, parent); continue; }
    if (f === 'security' && !issue.securityLevelId) continue;
    values[f] = fieldValue(v, issue, f);
  }
  out['fields'] = values;
  if (expand.has('renderedFields')) {
    const rendered: Json = {};
    for (const f of known) {
      if (f === 'description') rendered[f] = issue.description ? renderHtml(issue.description) : null;
      else if (f === 'created' || f === 'updated') rendered[f] = new Date(f === 'created' ? issue.created : issue.updated).toUTCString();
      else if (f === 'comment') rendered[f] = { comments: issue.comments.map((c) => comment(v, c, true)), maxResults: issue.comments.length, total: issue.comments.length, startAt: 0 };
      else rendered[f] = null;
    }
    out['renderedFields'] = rendered;
  }
  if (expand.has('names')) out['names'] = Object.fromEntries(known.map((f) => [f, FIELD_NAMES[f]]));
  if (expand.has('schema')) out['schema'] = Object.fromEntries(known.map((f) => [f, SCHEMAS[f]]));
  if (expand.has('changelog')) {
    const histories = [...issue.histories].reverse().map((h) => history(v, h));
    out['changelog'] = { startAt: 0, maxResults: histories.length, total: histories.length, histories };
  }
  return out;
}
