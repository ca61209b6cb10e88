/**
 * One Tempo worklog as a document (docs/sources/tempo.md "What is indexed").
 *
 * - id `worklog:<tempoWorklogId>`;
 * - text (`format: 'text'`, chunked by paragraphs):
 *
 *   ```
 *   <ISSUE-KEY> <issue summary>
 *   Worklog by <author account id> on <startDate>[ at <HH:mm>]: <hours> h, billable <hours> h
 *   Attributes: <key>: <value>; …                 (only when the worklog has attributes)
 *
 *   <description>                                 (only when it has one)
 *   ```
 *
 *   hours = seconds / 3600 with two decimals;
 * - version `<updatedAt>|<hash of the text and access>`: the text holds the issue's key and
 *   summary and the access its project, so a renamed or moved issue changes its worklogs'
 *   versions while their `updatedAt` stays put; and since `updatedAt` has second precision, two
 *   edits within one second still differ by the hash. The page a worklog is listed on carries
 *   every field, so computing it costs no request;
 * - access `group:jira-project:<PROJECT KEY>`: who may browse the issue's project (the principal the
 *   `jira` source uses for project visibility).
 */
import { sha256 } from '../../core/ids.ts';
import type { SourceDocument } from '../../ports/index.ts';
import type { IssueInfo } from './jira-issues.ts';
import type { TempoWorklog } from './tempo-api.ts';

export const ID_PREFIX = 'worklog:';
const ID = /^worklog:(\d{1,18})$/;

export function docIdOf(tempoWorklogId: number | string): string {
  return `${ID_PREFIX}${tempoWorklogId}`;
}

/** The Tempo worklog id of a document id; undefined for ids that name no worklog. */
export function worklogIdOf(docId: string): string | undefined {
  return ID.exec(docId)?.[1];
}

/** The principal of a Jira project's readers, shared with the `jira` source. */
export function projectPrincipal(projectKey: string): string {
  return `group:jira-project:${projectKey}`;
}

export function versionOf(worklog: TempoWorklog, issue: IssueInfo): string {
  return `${worklog.updatedAt}|${sha256(JSON.stringify([worklogText(worklog, issue), projectPrincipal(issue.projectKey)])).slice(0, 16)}`;
}

/** The version a listing gives a worklog whose issue Jira does not return: never equal to a real one, so reconcile re-reads it. */
export function unresolvedVersion(worklog: TempoWorklog): string {
  return `${worklog.updatedAt}|unresolved`;
}

export function hours(seconds: number): string {
  return (seconds / 3600).toFixed(2);
}

function attributeValue(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function worklogText(worklog: TempoWorklog, issue: IssueInfo): string {
  const time = worklog.startTime ? ` at ${worklog.startTime.slice(0, 5)}` : '';
  const billable = hours(worklog.billableSeconds ?? 0);
  const header = [
    `${issue.key} ${issue.summary}`.trim(),
    `Worklog by ${worklog.author.accountId} on ${worklog.startDate}${time}: ${hours(worklog.timeSpentSeconds)} h, billable ${billable} h`,
  ];
  const attributes = worklog.attributes?.values ?? [];
  if (attributes.length > 0) header.push(`Attributes: ${attributes.map((a) => `${a.key}: ${attributeValue(a.value)}`).join('; ')}`);
  const description = (worklog.description ?? '').replace(/\r\n?/g, '\n').trim();
  return description ? `${header.join('\n')}\n\n${description}` : header.join('\n');
}

export function worklogDocument(worklog: TempoWorklog, issue: IssueInfo, siteUrl: string): SourceDocument {
  return {
    id: docIdOf(worklog.tempoWorklogId),
    version: versionOf(worklog, issue),
    text: worklogText(worklog, issue),
    title: `${issue.key} ${issue.summary}`.trim(),
    url: `${siteUrl.replace(/\/+$/, '')}/browse/${encodeURIComponent(issue.key)}`,
    updatedAt: worklog.updatedAt,
    format: 'text',
    access: [projectPrincipal(issue.projectKey)],
    metadata: {
      tempoWorklogId: worklog.tempoWorklogId, issueId: issue.id, issueKey: issue.key, projectKey: issue.projectKey,
      authorAccountId: worklog.author.accountId, startDate: worklog.startDate, hours: Number(hours(worklog.timeSpentSeconds)),
      billableHours: Number(hours(worklog.billableSeconds ?? 0)),
    },
  };
}
