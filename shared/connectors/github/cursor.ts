/**
 * The github source's cursor. Between passes it holds, per repository, the head commit the last
 * completed pass indexed (the code cursor), the repository's ETag (a 304 then says nothing was
 * pushed), visibility, branch and a hash of the path rules (a change of either re-lists the
 * tree), and whether its issues were listed once (later passes list them from `window.since`).
 * Within a pass it also holds the position: the repository, the stage (code, then issues), the
 * comparison being paged (`plan`) and the last path handed out, or the issue keyset.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { GitHubRepositoryConfig } from './config.ts';

export const repoStateSchema = z.object({
  head: z.string(),
  etag: z.string().optional(),
  private: z.boolean(),
  branch: z.string(),
  rules: z.string(),
  htmlUrl: z.string(),
  issues: z.boolean().optional(),
});

export const planSchema = z.object({
  mode: z.enum(['tree', 'diff']),
  base: z.string().optional(),
  head: z.string(),
  private: z.boolean(),
  branch: z.string(),
  etag: z.string().optional(),
  htmlUrl: z.string(),
});

export const githubCursor = z.object({
  kind: z.literal('github'),
  v: z.literal(1),
  repos: z.record(z.string(), repoStateSchema),
  /** This pass is followed by a reconcile (a tree was listed without deletions, or the interval passed). */
  reconcile: z.boolean(),
  reconciledAt: z.string().optional(),
  at: z.number().int().min(0),
  stage: z.enum(['code', 'issues']),
  plan: planSchema.optional(),
  after: z.string().optional(),
  issues: z.object({ since: z.string().optional(), page: z.number().int().min(1), boundary: z.array(z.number().int()) }).optional(),
  /** Repositories this pass could not read (their documents are kept, not deleted). */
  unreadable: z.array(z.string()).default([]),
  done: z.boolean(),
});

export type GitHubCursor = z.output<typeof githubCursor>;
export type RepoState = z.output<typeof repoStateSchema>;
export type Plan = z.output<typeof planSchema>;

export const repoKey = (r: Pick<GitHubRepositoryConfig, 'owner' | 'repo'>): string => `${r.owner}/${r.repo}`.toLowerCase();

/** A short hash of what decides which files a repository indexes: a change re-lists its tree. */
export function rulesHash(r: GitHubRepositoryConfig, maxFileBytes: number): string {
  return createHash('sha256').update(JSON.stringify([r.include, r.exclude, maxFileBytes])).digest('hex').slice(0, 16);
}
