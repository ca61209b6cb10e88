/**
 * The emulated Jira Cloud site: users, projects, issues, comments, worklogs, security levels.
 *
 * Sources:
 * - Ids: issue, comment, worklog and project ids are numeric strings from 10000 up, as in every
 *   example of swagger-v3.v3.json (IssueBean.id "10002", Comment.id "10000", Worklog.id
 *   "100028"); keys are `<PROJECT>-<n>`.
 * - Moving an issue to another project gives it a new key in that project; the old key keeps
 *   resolving ("if the identifier doesn't match an issue, a case-insensitive search and check
 *   for moved issues is performed" — POST /rest/api/3/issue/bulkfetch; GET issue follows moved
 *   keys too, https://support.atlassian.com/jira-software-cloud/docs/move-an-issue/).
 * - Visibility: issues appear where the user has *Browse projects* for the project and, when an
 *   issue security level is set, is in that level (GET /rest/api/3/search/jql "Permissions
 *   required"; https://support.atlassian.com/jira-cloud-administration/docs/configure-issue-security-schemes/).
 * - Deleting an issue deletes its comments and worklogs; deleted worklogs are listed by
 *   GET /rest/api/3/worklog/deleted.
 * - Statuses/categories, issue types (Epic hierarchyLevel 1, Sub-task hierarchyLevel -1 and
 *   `subtask: true`) and priorities use the ids and names of a new Jira Software Cloud site
 *   (the StatusCategory ids 2/4/3 and keys new/indeterminate/done with colors blue-gray/yellow/
 *   green are from the spec's StatusDetails examples).
 */

import type { AdfDoc } from './adf.ts';

export interface UserSeed {
  readonly email: string;
  readonly displayName: string;
  /** API token for Basic auth (email:token). */
  readonly apiToken?: string;
  /** Bearer (OAuth 2.0) access token. */
  readonly bearerToken?: string;
  /** IANA zone, e.g. 'America/New_York'. @default 'UTC' */
  readonly timeZone?: string;
  /** Project keys the user may browse, or 'all'. @default 'all' */
  readonly browse?: readonly string[] | 'all';
  /** Issue security level ids the user belongs to. @default [] */
  readonly securityLevels?: readonly string[];
  readonly accountId?: string;
  readonly active?: boolean;
  readonly accountType?: 'atlassian' | 'app' | 'customer';
}

export interface JiraUser extends Required<Omit<UserSeed, 'browse' | 'securityLevels' | 'bearerToken' | 'timeZone'>> {
  timeZone: string;
  readonly bearerToken: string | undefined;
  browse: readonly string[] | 'all';
  securityLevels: readonly string[];
}

export interface JiraProject { readonly id: string; key: string; name: string; readonly projectTypeKey: string; nextNumber: number }
export interface SecurityLevel { readonly id: string; readonly name: string; readonly description: string }

export const STATUSES = {
  'To Do': { id: '10000', category: { id: 2, key: 'new', colorName: 'blue-gray', name: 'To Do' } },
  'In Progress': { id: '3', category: { id: 4, key: 'indeterminate', colorName: 'yellow', name: 'In Progress' } },
  'In Review': { id: '10001', category: { id: 4, key: 'indeterminate', colorName: 'yellow', name: 'In Progress' } },
  Done: { id: '10002', category: { id: 3, key: 'done', colorName: 'green', name: 'Done' } },
} as const;
export type StatusName = keyof typeof STATUSES;

export const ISSUE_TYPES = {
  Epic: { id: '10000', hierarchyLevel: 1, subtask: false, description: 'A big user story that needs to be broken down.' },
  Task: { id: '10001', hierarchyLevel: 0, subtask: false, description: 'A small, distinct piece of work.' },
  Story: { id: '10002', hierarchyLevel: 0, subtask: false, description: 'Functionality or a feature expressed as a user goal.' },
  Bug: { id: '10003', hierarchyLevel: 0, subtask: false, description: 'A problem or error.' },
  Subtask: { id: '10004', hierarchyLevel: -1, subtask: true, description: 'A small piece of work that\'s part of a larger task.' },
} as const;
export type IssueTypeName = keyof typeof ISSUE_TYPES;

export const PRIORITIES = { Highest: '1', High: '2', Medium: '3', Low: '4', Lowest: '5' } as const;
export type PriorityName = keyof typeof PRIORITIES;

export interface ChangeItem { readonly field: string; readonly fieldtype: string; readonly fieldId: string; readonly from: string | null; readonly fromString: string | null; readonly to: string | null; readonly toString: string | null }
export interface History { readonly id: string; readonly author: string; readonly created: number; readonly items: readonly ChangeItem[] }

export interface JiraComment { readonly id: string; readonly issueId: string; author: string; updateAuthor: string; body: AdfDoc; readonly created: number; updated: number; visibility?: { type: 'role' | 'group'; value: string } }
export interface JiraWorklog { readonly id: string; issueId: string; author: string; updateAuthor: string; comment: AdfDoc | undefined; readonly created: number; updated: number; started: number; timeSpentSeconds: number }

export interface JiraIssue {
  readonly id: string;
  projectId: string;
  number: number;
  /** Keys the issue had before moves (resolve to it). */
  readonly formerKeys: string[];
  summary: string;
  description: AdfDoc | null;
  status: StatusName;
  issuetype: IssueTypeName;
  assignee: string | null;
  reporter: string | null;
  labels: string[];
  priority: PriorityName;
  parentId: string | null;
  securityLevelId: string | null;
  readonly created: number;
  updated: number;
  readonly comments: JiraComment[];
  readonly worklogs: JiraWorklog[];
  readonly histories: History[];
}

export interface IssueSeed {
  readonly project: string;
  readonly summary: string;
  readonly description?: AdfDoc | null;
  readonly status?: StatusName;
  readonly issuetype?: IssueTypeName;
  readonly assignee?: string | null;
  readonly reporter?: string | null;
  readonly labels?: readonly string[];
  readonly priority?: PriorityName;
  /** Parent issue key or id (an Epic, or the parent of a Sub-task). */
  readonly parent?: string;
  readonly securityLevel?: string;
  readonly created?: number;
  readonly updated?: number;
}

export type IssueEdit = Partial<Pick<IssueSeed, 'summary' | 'description' | 'status' | 'issuetype' | 'assignee' | 'labels' | 'priority' | 'parent' | 'securityLevel'>>;

/** What happened, for webhooks. */
export type SiteEvent =
  | { readonly kind: 'issue_created' | 'issue_updated' | 'issue_deleted' | 'issue_moved'; readonly issue: JiraIssue; readonly actor: string; readonly history?: History }
  | { readonly kind: 'comment_created' | 'comment_updated' | 'comment_deleted'; readonly issue: JiraIssue; readonly comment: JiraComment; readonly actor: string }
  | { readonly kind: 'worklog_created' | 'worklog_updated' | 'worklog_deleted'; readonly issue: JiraIssue; readonly worklog: JiraWorklog; readonly actor: string };

export class JiraSite {
  readonly users = new Map<string, JiraUser>();
  readonly projects = new Map<string, JiraProject>();
  readonly issues = new Map<string, JiraIssue>();
  readonly securityLevels = new Map<string, SecurityLevel>();
  readonly deletedWorklogs: { worklogId: number; updatedTime: number }[] = [];
  private nextId = { issue: 10000, project: 10000, comment: 10000, worklog: 10000, history: 10000, level: 10000, account: 1 };

  constructor(protected readonly now: () => number, private readonly emit: (event: SiteEvent) => void) {}

  addUser(seed: UserSeed): JiraUser {
    const accountId = seed.accountId ?? `712020:${String(this.nextId.account++).padStart(8, '0')}-6a1e-4c8e-9b1a-5e3c0d2f7a11`;
    const user: JiraUser = {
      email: seed.email, displayName: seed.displayName, apiToken: seed.apiToken ?? `token-${accountId}`, bearerToken: seed.bearerToken,
      timeZone: seed.timeZone ?? 'UTC', browse: seed.browse ?? 'all', securityLevels: seed.securityLevels ?? [], accountId,
      active: seed.active ?? true, accountType: seed.accountType ?? 'atlassian',
    };
    this.users.set(accountId, user);
    return user;
  }

  setTimeZone(accountId: string, zone: string): void { this.user(accountId).timeZone = zone; }
  setBrowse(accountId: string, browse: readonly string[] | 'all'): void { this.user(accountId).browse = browse; }
  setSecurityLevels(accountId: string, levels: readonly string[]): void { this.user(accountId).securityLevels = levels; }

  addProject(key: string, name: string, projectTypeKey = 'software'): JiraProject {
    const project: JiraProject = { id: String(this.nextId.project++), key, name, projectTypeKey, nextNumber: 1 };
    this.projects.set(project.id, project);
    return project;
  }

  addSecurityLevel(name: string, description = ''): SecurityLevel {
    const level = { id: String(this.nextId.level++), name, description };
    this.securityLevels.set(level.id, level);
    return level;
  }

  projectByKey(key: string): JiraProject | undefined {
    return [...this.projects.values()].find((p) => p.key.toUpperCase() === key.toUpperCase());
  }

  keyOf(issue: JiraIssue): string { return `${this.projects.get(issue.projectId)!.key}-${issue.number}`; }

  /** By id, current key, or a key the issue had before a move (case-insensitive). */
  findIssue(idOrKey: string): JiraIssue | undefined {
    if (/^\d+$/.test(idOrKey)) return this.issues.get(idOrKey);
    const upper = idOrKey.toUpperCase();
    return [...this.issues.values()].find((i) => this.keyOf(i) === upper) ?? [...this.issues.values()].find((i) => i.formerKeys.includes(upper));
  }

  canBrowseProject(user: JiraUser, projectId: string): boolean {
    const project = this.projects.get(projectId);
    return !!project && (user.browse === 'all' || user.browse.some((k) => k.toUpperCase() === project.key.toUpperCase()));
  }

  canSee(user: JiraUser, issue: JiraIssue): boolean {
    return this.canBrowseProject(user, issue.projectId) && (issue.securityLevelId === null || user.securityLevels.includes(issue.securityLevelId));
  }

  createIssue(seed: IssueSeed, actor?: string): JiraIssue {
    const project = this.projectByKey(seed.project);
    if (!project) throw new Error(`no project ${seed.project}`);
    const at = seed.created ?? this.now();
    const reporter = seed.reporter === undefined ? actor ?? null : seed.reporter;
    const issue: JiraIssue = {
      id: String(this.nextId.issue++), projectId: project.id, number: project.nextNumber++, formerKeys: [], summary: seed.summary,
      description: seed.description ?? null, status: seed.status ?? 'To Do', issuetype: seed.issuetype ?? 'Task', assignee: seed.assignee ?? null,
      reporter, labels: [...(seed.labels ?? [])], priority: seed.priority ?? 'Medium', parentId: seed.parent ? this.mustFind(seed.parent).id : null,
      securityLevelId: seed.securityLevel ?? null, created: at, updated: seed.updated ?? at, comments: [], worklogs: [], histories: [],
    };
    if (issue.issuetype === 'Subtask' && !issue.parentId) throw new Error('a Sub-task needs a parent');
    this.issues.set(issue.id, issue);
    this.emit({ kind: 'issue_created', issue, actor: actor ?? reporter ?? this.anyUser() });
    return issue;
  }

  /** Edits fields, records a changelog history and bumps `updated`. */
  editIssue(idOrKey: string, edit: IssueEdit, actor?: string): JiraIssue {
    const issue = this.mustFind(idOrKey);
    const items: ChangeItem[] = [];
    const change = (field: string, fieldId: string, from: string | null, fromString: string | null, to: string | null, toString: string | null, fieldtype = 'jira'): void => {
      if (from !== to || fromString !== toString) items.push({ field, fieldtype, fieldId, from, fromString, to, toString });
    };
    if (edit.summary !== undefined) { change('summary', 'summary', null, issue.summary, null, edit.summary); issue.summary = edit.summary; }
    if (edit.description !== undefined) { change('description', 'description', null, issue.description ? '(ADF)' : null, null, edit.description ? '(ADF)' : null); issue.description = edit.description; }
    if (edit.status !== undefined) { change('status', 'status', STATUSES[issue.status].id, issue.status, STATUSES[edit.status].id, edit.status); issue.status = edit.status; }
    if (edit.issuetype !== undefined) { change('issuetype', 'issuetype', ISSUE_TYPES[issue.issuetype].id, issue.issuetype, ISSUE_TYPES[edit.issuetype].id, edit.issuetype); issue.issuetype = edit.issuetype; }
    if (edit.priority !== undefined) { change('priority', 'priority', PRIORITIES[issue.priority], issue.priority, PRIORITIES[edit.priority], edit.priority); issue.priority = edit.priority; }
    if (edit.assignee !== undefined) {
      const name = (id: string | null): string | null => (id ? this.users.get(id)?.displayName ?? null : null);
      change('assignee', 'assignee', issue.assignee, name(issue.assignee), edit.assignee, name(edit.assignee)); issue.assignee = edit.assignee;
    }
    if (edit.labels !== undefined) { change('labels', 'labels', null, issue.labels.join(' ') || null, null, edit.labels.join(' ') || null); issue.labels = [...edit.labels]; }
    if (edit.parent !== undefined) {
      const parent = edit.parent ? this.mustFind(edit.parent) : null;
      const old = issue.parentId ? this.issues.get(issue.parentId) : undefined;
      change('IssueParentAssociation', 'parent', old?.id ?? null, old ? this.keyOf(old) : null, parent?.id ?? null, parent ? this.keyOf(parent) : null);
      issue.parentId = parent?.id ?? null;
    }
    if (edit.securityLevel !== undefined) {
      const nameOf = (id: string | null): string | null => (id ? this.securityLevels.get(id)?.name ?? null : null);
      change('security', 'security', issue.securityLevelId, nameOf(issue.securityLevelId), edit.securityLevel ?? null, nameOf(edit.securityLevel ?? null));
      issue.securityLevelId = edit.securityLevel ?? null;
    }
    const history = this.touch(issue, items, actor);
    this.emit({ kind: 'issue_updated', issue, actor: history.author, history });
    return issue;
  }

  /** Moves to another project: new key there, the old key is remembered. */
  moveIssue(idOrKey: string, projectKey: string, actor?: string): JiraIssue {
    const issue = this.mustFind(idOrKey);
    const target = this.projectByKey(projectKey);
    if (!target) throw new Error(`no project ${projectKey}`);
    const from = this.projects.get(issue.projectId)!;
    const oldKey = this.keyOf(issue);
    issue.formerKeys.push(oldKey);
    issue.projectId = target.id;
    issue.number = target.nextNumber++;
    const history = this.touch(issue, [
      { field: 'Key', fieldtype: 'jira', fieldId: 'issuekey', from: null, fromString: oldKey, to: null, toString: this.keyOf(issue) },
      { field: 'project', fieldtype: 'jira', fieldId: 'project', from: from.id, fromString: from.name, to: target.id, toString: target.name },
    ], actor);
    this.emit({ kind: 'issue_moved', issue, actor: history.author, history });
    return issue;
  }

  deleteIssue(idOrKey: string, actor?: string): void {
    const issue = this.mustFind(idOrKey);
    for (const child of [...this.issues.values()].filter((i) => i.parentId === issue.id && i.issuetype === 'Subtask')) this.deleteIssue(child.id, actor);
    for (const other of this.issues.values()) if (other.parentId === issue.id) other.parentId = null;
    this.issues.delete(issue.id);
    for (const w of issue.worklogs) this.deletedWorklogs.push({ worklogId: Number(w.id), updatedTime: this.now() });
    this.emit({ kind: 'issue_deleted', issue, actor: actor ?? this.anyUser() });
  }

  addComment(idOrKey: string, author: string, body: AdfDoc, options: { created?: number; visibility?: { type: 'role' | 'group'; value: string } } = {}): JiraComment {
    const issue = this.mustFind(idOrKey);
    const at = options.created ?? this.now();
    const comment: JiraComment = { id: String(this.nextId.comment++), issueId: issue.id, author, updateAuthor: author, body, created: at, updated: at, ...(options.visibility ? { visibility: options.visibility } : {}) };
    issue.comments.push(comment);
    issue.updated = Math.max(issue.updated, at);
    this.emit({ kind: 'comment_created', issue, comment, actor: author });
    return comment;
  }

  editComment(commentId: string, body: AdfDoc, actor?: string): JiraComment {
    const { issue, comment } = this.mustFindComment(commentId);
    comment.body = body;
    comment.updateAuthor = actor ?? comment.author;
    comment.updated = this.now();
    issue.updated = this.now();
    this.emit({ kind: 'comment_updated', issue, comment, actor: comment.updateAuthor });
    return comment;
  }

  deleteComment(commentId: string, actor?: string): void {
    const { issue, comment } = this.mustFindComment(commentId);
    issue.comments.splice(issue.comments.indexOf(comment), 1);
    issue.updated = this.now();
    this.emit({ kind: 'comment_deleted', issue, comment, actor: actor ?? comment.author });
  }

  /** Adds a worklog; `id` lets another emulator (Tempo) pin the Jira worklog id it knows. */
  addWorklog(idOrKey: string, author: string, seed: { timeSpentSeconds: number; started?: number; comment?: AdfDoc; id?: string; created?: number }): JiraWorklog {
    const issue = this.mustFind(idOrKey);
    const at = seed.created ?? this.now();
    const id = seed.id ?? String(this.nextId.worklog++);
    if (this.findWorklog(id)) throw new Error(`worklog ${id} exists`);
    if (/^\d+$/.test(id)) this.nextId.worklog = Math.max(this.nextId.worklog, Number(id) + 1);
    const worklog: JiraWorklog = { id, issueId: issue.id, author, updateAuthor: author, comment: seed.comment, created: at, updated: at, started: seed.started ?? at, timeSpentSeconds: seed.timeSpentSeconds };
    issue.worklogs.push(worklog);
    issue.updated = Math.max(issue.updated, at);
    this.emit({ kind: 'worklog_created', issue, worklog, actor: author });
    return worklog;
  }

  editWorklog(worklogId: string, edit: { timeSpentSeconds?: number; comment?: AdfDoc; started?: number }, actor?: string): JiraWorklog {
    const { issue, worklog } = this.mustFindWorklog(worklogId);
    if (edit.timeSpentSeconds !== undefined) worklog.timeSpentSeconds = edit.timeSpentSeconds;
    if (edit.comment !== undefined) worklog.comment = edit.comment;
    if (edit.started !== undefined) worklog.started = edit.started;
    worklog.updateAuthor = actor ?? worklog.author;
    worklog.updated = this.now();
    issue.updated = this.now();
    this.emit({ kind: 'worklog_updated', issue, worklog, actor: worklog.updateAuthor });
    return worklog;
  }

  deleteWorklog(worklogId: string, actor?: string): void {
    const { issue, worklog } = this.mustFindWorklog(worklogId);
    issue.worklogs.splice(issue.worklogs.indexOf(worklog), 1);
    issue.updated = this.now();
    this.deletedWorklogs.push({ worklogId: Number(worklog.id), updatedTime: this.now() });
    this.emit({ kind: 'worklog_deleted', issue, worklog, actor: actor ?? worklog.author });
  }

  findWorklog(id: string): { issue: JiraIssue; worklog: JiraWorklog } | undefined {
    for (const issue of this.issues.values()) {
      const worklog = issue.worklogs.find((w) => w.id === id);
      if (worklog) return { issue, worklog };
    }
    return undefined;
  }

  user(accountId: string): JiraUser {
    const user = this.users.get(accountId);
    if (!user) throw new Error(`no user ${accountId}`);
    return user;
  }

  mustFind(idOrKey: string): JiraIssue {
    const issue = this.findIssue(idOrKey);
    if (!issue) throw new Error(`no issue ${idOrKey}`);
    return issue;
  }

  private mustFindComment(id: string): { issue: JiraIssue; comment: JiraComment } {
    for (const issue of this.issues.values()) {
      const comment = issue.comments.find((c) => c.id === id);
      if (comment) return { issue, comment };
    }
    throw new Error(`no comment ${id}`);
  }

  private mustFindWorklog(id: string): { issue: JiraIssue; worklog: JiraWorklog } {
    const found = this.findWorklog(id);
    if (!found) throw new Error(`no worklog ${id}`);
    return found;
  }

  private touch(issue: JiraIssue, items: ChangeItem[], actor: string | undefined): History {
    issue.updated = this.now();
    const history: History = { id: String(this.nextId.history++), author: actor ?? issue.reporter ?? this.anyUser(), created: issue.updated, items };
    issue.histories.push(history);
    return history;
  }

  private anyUser(): string {
    const first = this.users.keys().next();
    if (first.done) throw new Error('seed a user first');
    return first.value;
  }
}
