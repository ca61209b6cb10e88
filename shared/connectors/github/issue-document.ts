/**
 * An issue or pull request as one Markdown document: the title as heading, a line of facts
 * (kind, number, state, author, labels), the body, then every comment in order. Its version is
 * `updated_at` with the comment count (GitHub bumps `updated_at` on edits, labels, state and new
 * comments; the count also catches a deleted comment) and the repository's visibility, so a
 * document is re-read exactly when what it shows may have changed.
 */
import type { SourceDocument } from '../../ports/index.ts';
import type { CommentItem, IssueItem } from './github-api.ts';

export const issueId = (fullName: string, issueNumber: number): string => `${fullName}#${issueNumber}`;

export function issueVersion(issue: Pick<IssueItem, 'updated_at' | 'comments'>, isPrivate: boolean): string {
  return `${issue.updated_at}:${issue.comments}${isPrivate ? ':private' : ''}`;
}

export interface IssueContext {
  readonly fullName: string;
  readonly isPrivate: boolean;
  readonly access: readonly string[];
  /** Comments, when the source indexes them. */
  readonly comments?: readonly CommentItem[];
}

export function issueDocument(issue: IssueItem, context: IssueContext): SourceDocument {
  const pull = issue.pull_request !== undefined;
  const state = pull && issue.pull_request?.merged_at ? 'merged' : issue.state_reason && issue.state === 'closed' ? `closed (${issue.state_reason.replace(/_/g, ' ')})` : issue.state;
  const labels = issue.labels.map((l) => (typeof l === 'string' ? l : l.name ?? '')).filter(Boolean);
  const facts = [
    `${pull ? 'Pull request' : 'Issue'} #${issue.number} in ${context.fullName}`, state, `opened by @${issue.user?.login ?? 'ghost'}`,
    ...(labels.length > 0 ? [`labels: ${labels.join(', ')}`] : []),
  ];
  const parts = [`# ${issue.title}`, facts.join(' · ')];
  const body = issue.body?.trim();
  if (body) parts.push(body);
  const comments = (context.comments ?? []).filter((c) => c.body?.trim());
  if (comments.length > 0) {
    parts.push('## Comments');
    for (const c of comments) parts.push(`**@${c.user?.login ?? 'ghost'}** (${c.created_at}):\n\n${c.body!.trim()}`);
  }
  return {
    id: issueId(context.fullName, issue.number), version: issueVersion(issue, context.isPrivate), text: `${parts.join('\n\n')}\n`,
    title: issue.title, url: issue.html_url, updatedAt: issue.updated_at, format: 'markdown', access: [...context.access],
    metadata: { repository: context.fullName, type: pull ? 'pull_request' : 'issue', number: issue.number, state: issue.state, labels },
  };
}
