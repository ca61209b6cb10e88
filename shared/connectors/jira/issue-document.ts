/**
 * One Jira issue as a Markdown document: its id, version, title, text, metadata and access.
 *
 * Text layout (docs/sources/jira.md#what-is-indexed): a `# KEY: summary` heading, a list of the
 * issue's facts (project, type, status, priority, assignee, reporter, labels, parent), then
 * `## Description` (ADF → Markdown) and `## Comments`, one `### <author>, <date> UTC` section
 * per comment, oldest first. Facts come first and alone in their section, so a change of status
 * or of the parent's summary rewrites the first chunk, not the description's.
 *
 * Version: the issue's `updated` instant (comments, moves, security levels and every field edit
 * move it) plus a hash of the parent's key and summary, which are part of the text but do not
 * move the child's `updated`. A slim search (`updated`, `parent`) yields the same version as
 * the full read, so reconcile and pull agree without reading any text.
 */
import { sha256 } from '../../core/ids.ts';
import type { Metadata, SourceDocument } from '../../ports/index.ts';
import { adfToMarkdown } from '../kit/index.ts';
import type { JiraComment, JiraIssue } from './jira-api.ts';

/** Fields a slim search asks for: enough for the version and the title (rename detection). */
export const SLIM_FIELDS = ['summary', 'updated', 'parent'] as const;
/** Fields a reconcile listing asks for: the version's. */
export const LIST_FIELDS = ['updated', 'parent'] as const;
/** Fields of a full read. */
export const FULL_FIELDS = ['summary', 'description', 'status', 'issuetype', 'priority', 'assignee', 'reporter', 'labels', 'project', 'parent', 'security', 'created', 'updated'] as const;

/** Epoch ms of a Jira timestamp (`2026-12-03T10:15:30.123-0500`, the offset without a colon). */
export function jiraTimeMs(value: string): number {
  const iso = value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`"${value}" is not a Jira timestamp`);
  return ms;
}

/** `yyyy-MM-dd HH:mm UTC` of a Jira timestamp: what the text shows, whatever the API user's zone. */
function utcMinute(value: string): string {
  return `${new Date(jiraTimeMs(value)).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** `KEY: summary`, the document's title (the ledger keeps it: a change is a rename). */
export function titleOf(issue: JiraIssue): string {
  return `${issue.key ?? issue.id}: ${issue.fields?.summary ?? ''}`.trimEnd();
}

/** The version of an issue from `updated` and `parent` (see the module comment); `nc` marks text without comments. */
export function versionOf(issue: JiraIssue, includeComments: boolean): string {
  const updated = issue.fields?.updated;
  if (updated === undefined) throw new Error('Jira returned the issue without its "updated" field');
  const parent = issue.fields?.parent;
  const parentPart = parent ? `.p${sha256(`${parent.id}\n${parent.key ?? ''}\n${parent.fields?.summary ?? ''}`).slice(0, 12)}` : '';
  return `${jiraTimeMs(updated)}${parentPart}${includeComments ? '' : '.nc'}`;
}

/** Who may see the issue: its security level's members when it has one, else its project's (approximated, docs/sources/jira.md#access). */
export function accessOf(issue: JiraIssue): string[] | undefined {
  const level = issue.fields?.security;
  if (level) return [`group:jira-security-level:${level.id}`];
  const project = issue.fields?.project?.key;
  return project ? [`group:jira-project:${project}`] : undefined;
}

type Person = { readonly displayName?: string | undefined; readonly accountId?: string | undefined } | null | undefined;

export interface RenderOptions {
  readonly siteUrl: string;
  readonly includeComments: boolean;
}

/** The document of a fully read issue with all its comments. */
export function issueDocument(issue: JiraIssue, comments: readonly JiraComment[], options: RenderOptions): SourceDocument {
  const f = issue.fields ?? {};
  const key = issue.key ?? issue.id;
  const title = titleOf(issue);
  const url = `${options.siteUrl.replace(/\/+$/, '')}/browse/${encodeURIComponent(key)}`;
  const who = (u: Person): string | undefined => u?.displayName ?? u?.accountId;
  const facts: [string, string | undefined][] = [
    ['Project', f.project ? (f.project.name ? `${f.project.name} (${f.project.key})` : f.project.key) : undefined],
    ['Type', f.issuetype?.name],
    ['Status', f.status?.name],
    ['Priority', f.priority?.name],
    ['Assignee', who(f.assignee) ?? 'Unassigned'],
    ['Reporter', who(f.reporter)],
    ['Labels', f.labels && f.labels.length > 0 ? f.labels.join(', ') : undefined],
    ['Parent', f.parent ? `${f.parent.key ?? f.parent.id} ${f.parent.fields?.summary ?? ''}`.trimEnd() : undefined],
  ];
  const sections = [`# ${title}`, facts.filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => `- ${k}: ${v}`).join('\n')];
  const description = adfToMarkdown(f.description);
  if (description !== '') sections.push(`## Description\n\n${description}`);
  if (options.includeComments && comments.length > 0) {
    sections.push('## Comments');
    for (const c of comments) {
      const body = adfToMarkdown(c.body);
      sections.push(`### ${c.author?.displayName ?? c.author?.accountId ?? 'Unknown'}, ${utcMinute(c.created)}${body === '' ? '' : `\n\n${body}`}`);
    }
  }
  const metadata: Metadata = { key, url };
  const put = (name: string, value: string | undefined): void => { if (value !== undefined && value !== '') metadata[name] = value; };
  put('project', f.project?.key);
  put('status', f.status?.name);
  put('issuetype', f.issuetype?.name);
  put('assignee', who(f.assignee));
  if (f.labels && f.labels.length > 0) metadata['labels'] = [...f.labels];
  put('parentKey', f.parent?.key);
  put('parentSummary', f.parent?.fields?.summary);
  const access = accessOf(issue);
  return {
    id: issue.id, version: versionOf(issue, options.includeComments), title, url, text: `${sections.join('\n\n')}\n`, format: 'markdown', metadata,
    ...(f.updated ? { updatedAt: new Date(jiraTimeMs(f.updated)).toISOString() } : {}),
    ...(access ? { access } : {}),
  };
}
