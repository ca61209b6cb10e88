/**
 * The emulated Tempo tenant: worklogs on Jira issues (numeric ids only), their authors, tokens and
 * what each token may see, deletions and the audit trail, all on an injectable clock.
 *
 * Sources (https://apidocs.tempo.io/, OpenAPI v4.0):
 * - `Worklog`: tempoWorklogId, issue {id}, author {accountId}, timeSpentSeconds, billableSeconds,
 *   startDate, startTime, startDateTimeUtc, description, createdAt, updatedAt, attributes
 *   {values [{key, value}]}. v4 worklogs carry no jiraWorklogId: the Jira id is reached through
 *   `POST /4/worklogs/tempo-to-jira` (`WorklogIdMapper {tempoWorklogId, jiraWorklogId}`).
 * - Issues are referenced by Jira issue id; v4 replaced issueKey/projectKey by ids ("Tempo API
 *   version 4.0 vs. version 3.0", help.tempo.io). Projects are Jira project ids.
 * - Visibility: a token works with "the data your permissions give you access to"
 *   ("Authentication"). A token scoped to some projects sees only their worklogs; the others
 *   answer 404 on `GET /4/worklogs/{id}` ("Worklog cannot be found in the system").
 * - Deletions: `DeletedWorklogBean {deletedAt, jiraWorklogId, tempoWorklogId}` and
 *   `AuditLogEvent {action Created|Updated|Deleted, author, changes [{field, new, previous}],
 *   entityId, entityType "worklog", parentId, timestamp, worker}` (Audit Events).
 * - Moving an issue to another project changes the project a worklog is found under (the
 *   `projectId` filter) without touching the worklog's updatedAt: whether Tempo bumps it is not
 *   documented.
 */

export interface Attribute { readonly key: string; readonly value: string }

export interface StoredWorklog {
  readonly tempoWorklogId: number;
  readonly jiraWorklogId: number;
  issueId: number;
  authorAccountId: string;
  updaterAccountId: string;
  timeSpentSeconds: number;
  billableSeconds: number;
  startDate: string;
  startTime: string;
  /** Epoch ms of the start in UTC. */
  startUtc: number;
  description: string;
  attributes: Attribute[];
  readonly createdAt: number;
  updatedAt: number;
}

export interface WorklogSeed {
  readonly issueId: number;
  readonly authorAccountId: string;
  readonly timeSpentSeconds: number;
  /** yyyy-MM-dd. */
  readonly startDate: string;
  /** HH:mm:ss. @default '00:00:00' */
  readonly startTime?: string;
  /** Minutes east of UTC of the worker's timezone, for startDateTimeUtc. @default 0 */
  readonly utcOffsetMinutes?: number;
  /** @default timeSpentSeconds */
  readonly billableSeconds?: number;
  /** @default '' */
  readonly description?: string;
  readonly attributes?: readonly Attribute[];
  /** Epoch ms; @default now() */
  readonly createdAt?: number;
  readonly updatedAt?: number;
  /** Who performed the change (audit author, webhook updater). @default authorAccountId */
  readonly actorAccountId?: string;
}

export type WorklogEdit = Partial<Omit<WorklogSeed, 'createdAt'>>;

export interface DeletedWorklog { readonly tempoWorklogId: number; readonly jiraWorklogId: number; readonly deletedAt: number; readonly seq: number }

export interface AuditChange { readonly field: string; readonly new: string | null; readonly previous: string | null }
export interface AuditEvent {
  readonly seq: number;
  readonly action: 'Created' | 'Updated' | 'Deleted';
  readonly author: string;
  readonly changes: readonly AuditChange[];
  readonly entityId: string;
  readonly parentId: string;
  readonly timestamp: number;
  readonly worker: string;
  readonly projectId: number;
}

/** What a token may see: every project, or only these project ids. */
export interface TokenScope { readonly projectIds?: readonly number[] }

export type WorklogEvent = 'worklog.created' | 'worklog.updated' | 'worklog.deleted';
export type WorklogListener = (event: WorklogEvent, worklog: StoredWorklog) => void;

const FIELDS = ['issueId', 'authorAccountId', 'timeSpentSeconds', 'billableSeconds', 'startDate', 'startTime', 'description'] as const;

export class TempoWorld {
  readonly worklogs = new Map<number, StoredWorklog>();
  readonly deleted: DeletedWorklog[] = [];
  readonly audit: AuditEvent[] = [];
  /** Jira issue id → Jira project id. */
  readonly issues = new Map<number, number>();
  readonly tokens = new Map<string, TokenScope>();
  private nextId: number;
  private seq = 0;
  private readonly listeners: WorklogListener[] = [];

  constructor(readonly now: () => number, firstWorklogId = 1) {
    this.nextId = firstWorklogId;
  }

  onWorklog(listener: WorklogListener): void {
    this.listeners.push(listener);
  }

  addToken(token: string, scope: TokenScope = {}): void {
    this.tokens.set(token, scope);
  }

  revokeToken(token: string): void {
    this.tokens.delete(token);
  }

  /** Registers a Jira issue in a Jira project (worklogs on unknown issues need it first). */
  addIssue(issueId: number, projectId: number): void {
    this.issues.set(issueId, projectId);
  }

  /** The issue moved to another project (Jira "Move"). */
  moveIssue(issueId: number, projectId: number): void {
    if (!this.issues.has(issueId)) throw new Error(`issue ${issueId} is not registered`);
    this.issues.set(issueId, projectId);
  }

  projectOf(worklog: StoredWorklog): number {
    return this.issues.get(worklog.issueId) ?? 0;
  }

  canSee(token: string, worklog: StoredWorklog): boolean {
    const projects = this.tokens.get(token)?.projectIds;
    return !projects || projects.includes(this.projectOf(worklog));
  }

  addWorklog(seed: WorklogSeed): StoredWorklog {
    const worklog = this.build(seed, this.now());
    this.record('Created', worklog, seed.actorAccountId ?? seed.authorAccountId, FIELDS.map((f) => ({ field: f, new: String(worklog[f]), previous: null })));
    this.emit('worklog.created', worklog);
    return worklog;
  }

  /**
   * Many worklogs at once, without audit entries or webhooks (a tenant's history). `make(i)` gives
   * the i-th seed; 12,000 take a few milliseconds.
   */
  seedWorklogs(count: number, make: (i: number) => WorklogSeed): StoredWorklog[] {
    const at = this.now();
    return Array.from({ length: count }, (_, i) => this.build(make(i), at));
  }

  editWorklog(id: number, edit: WorklogEdit): StoredWorklog {
    const worklog = this.require(id);
    const before = { ...worklog };
    if (edit.issueId !== undefined) this.requireIssue(edit.issueId);
    Object.assign(worklog, definedOnly({
      issueId: edit.issueId, authorAccountId: edit.authorAccountId, timeSpentSeconds: edit.timeSpentSeconds,
      billableSeconds: edit.billableSeconds, startDate: edit.startDate, startTime: edit.startTime, description: edit.description,
      attributes: edit.attributes ? [...edit.attributes] : undefined,
    }));
    if (edit.startDate !== undefined || edit.startTime !== undefined || edit.utcOffsetMinutes !== undefined) {
      worklog.startUtc = startUtc(worklog.startDate, worklog.startTime, edit.utcOffsetMinutes ?? 0);
    }
    worklog.updatedAt = edit.updatedAt ?? this.now();
    worklog.updaterAccountId = edit.actorAccountId ?? worklog.authorAccountId;
    const changes = FIELDS.filter((f) => before[f] !== worklog[f]).map((f) => ({ field: f, new: String(worklog[f]), previous: String(before[f]) }));
    this.record('Updated', worklog, worklog.updaterAccountId, changes);
    this.emit('worklog.updated', worklog);
    return worklog;
  }

  deleteWorklog(id: number, actorAccountId?: string): DeletedWorklog {
    const worklog = this.require(id);
    this.worklogs.delete(id);
    const gone = { tempoWorklogId: id, jiraWorklogId: worklog.jiraWorklogId, deletedAt: this.now(), seq: ++this.seq };
    this.deleted.push(gone);
    this.record('Deleted', worklog, actorAccountId ?? worklog.authorAccountId, []);
    this.emit('worklog.deleted', worklog);
    return gone;
  }

  get(id: number): StoredWorklog | undefined {
    return this.worklogs.get(id);
  }

  private build(seed: WorklogSeed, at: number): StoredWorklog {
    this.requireIssue(seed.issueId);
    const id = this.nextId++;
    const startTime = seed.startTime ?? '00:00:00';
    const worklog: StoredWorklog = {
      tempoWorklogId: id, jiraWorklogId: 10_000 + id, issueId: seed.issueId, authorAccountId: seed.authorAccountId,
      updaterAccountId: seed.actorAccountId ?? seed.authorAccountId, timeSpentSeconds: seed.timeSpentSeconds,
      billableSeconds: seed.billableSeconds ?? seed.timeSpentSeconds, startDate: seed.startDate, startTime,
      startUtc: startUtc(seed.startDate, startTime, seed.utcOffsetMinutes ?? 0), description: seed.description ?? '',
      attributes: [...(seed.attributes ?? [])], createdAt: seed.createdAt ?? at, updatedAt: seed.updatedAt ?? seed.createdAt ?? at,
    };
    this.worklogs.set(id, worklog);
    return worklog;
  }

  private record(action: AuditEvent['action'], worklog: StoredWorklog, author: string, changes: AuditChange[]): void {
    this.audit.push({
      seq: ++this.seq, action, author, changes, entityId: String(worklog.tempoWorklogId), parentId: String(worklog.issueId),
      timestamp: this.now(), worker: worklog.authorAccountId, projectId: this.projectOf(worklog),
    });
  }

  private emit(event: WorklogEvent, worklog: StoredWorklog): void {
    for (const listener of this.listeners) listener(event, { ...worklog, attributes: [...worklog.attributes] });
  }

  private require(id: number): StoredWorklog {
    const worklog = this.worklogs.get(id);
    if (!worklog) throw new Error(`worklog ${id} does not exist`);
    return worklog;
  }

  private requireIssue(issueId: number): void {
    if (!this.issues.has(issueId)) throw new Error(`issue ${issueId} is not registered: call addIssue(issueId, projectId) first`);
  }
}

function startUtc(date: string, time: string, offsetMinutes: number): number {
  return Date.parse(`${date}T${time}Z`) - offsetMinutes * 60_000;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
