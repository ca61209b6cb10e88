import { z } from 'zod';
import { envName, sourceBase } from '../../config/source-base.ts';

/** What a repository indexes when `include` is not given: Markdown anywhere, and the docs folder. */
export const DEFAULT_INCLUDE = ['**/*.md', '**/*.mdx', '**/*.markdown', 'docs/**', 'README*'] as const;

const NAME = /^[A-Za-z0-9_.-]{1,100}$/;

const repository = z.strictObject({
  /** The user or organisation owning the repository (`acme` in acme/docs). */
  owner: z.string().regex(NAME, { message: 'must be a GitHub user or organisation name such as "acme"' }),
  /** The repository's name (`docs` in acme/docs). */
  repo: z.string().regex(NAME, { message: 'must be a repository name such as "docs" (without the owner)' }),
  /** The branch indexed. Default: the repository's default branch, read on every pass. */
  branch: z.string().min(1).max(255).regex(/^[^\s~^:?*[\\]+$/, { message: 'must be a branch name such as "main" (no spaces, ~ ^ : ? * [ or \\)' }).optional(),
  /** Globs (picomatch, paths relative to the repository root) of the files indexed. */
  include: z.array(z.string().min(1)).min(1, { message: 'must name at least one glob, e.g. ["**/*.md"]' }).default([...DEFAULT_INCLUDE]),
  /** Globs of files left out even when included. */
  exclude: z.array(z.string().min(1)).default([]),
});

const issues = z.strictObject({
  /** Index the repositories' issues (one document each: title, state, labels, author, body, comments). */
  enabled: z.boolean().default(false),
  /** Also index pull requests (GitHub lists them among issues). */
  includePullRequests: z.boolean().default(true),
  /** Add every comment to its issue's document (one request per 100 comments of each changed issue). */
  includeComments: z.boolean().default(true),
});

const app = z.strictObject({
  /** The GitHub App's id (its settings page: "App ID"). */
  appId: z.number().int().positive({ message: 'must be the GitHub App\'s numeric "App ID"' }),
  /** Environment variable holding the App's private key (PEM, as downloaded). */
  privateKeyEnv: envName,
  /** The installation's id (the number at the end of the installation's settings URL). */
  installationId: z.number().int().positive({ message: 'must be the numeric installation id (github.com/settings/installations/<id>)' }),
});

/**
 * `"kind": "github"`: Markdown and docs files of repositories at a branch, optionally their issues
 * and pull requests. Every key and its default is documented in docs/sources/github.md.
 */
export const githubSource = z.strictObject({
  ...sourceBase,
  kind: z.literal('github'),
  /** The repositories indexed, each at one branch. */
  repositories: z.array(repository).min(1, { message: 'must list at least one repository: [{ "owner": "acme", "repo": "docs" }]' }).max(100),
  issues: issues.default({ enabled: false, includePullRequests: true, includeComments: true }),
  /** Environment variable holding a personal access token. Default `GITHUB_TOKEN`, unless `app` is set (then none). */
  tokenEnv: envName.optional(),
  /** Authenticate as a GitHub App installation instead of with a token (tokens of 1 h, kept in the credential store). */
  app: app.optional(),
  /** The REST API root: `https://<host>/api/v3` for GitHub Enterprise Server; tests point it at an emulator. */
  apiUrl: z.string().url({ message: 'must be an absolute URL such as "https://api.github.com" or "https://ghe.example.com/api/v3"' }).default('https://api.github.com'),
  /** Files larger than this (bytes, from the tree listing) are not indexed. */
  maxFileBytes: z.number().int().min(1).max(100 * 1024 * 1024, { message: 'must be at most 104857600: the API serves no larger blob' }).default(1024 * 1024),
  /** Documents per pull page (changed files or issues); the cursor is saved after each. */
  pageSize: z.number().int().min(1).max(1000).default(200),
  /** Reconcile (list every file and issue, so deleted issues leave the index) at most this often. */
  reconcileIntervalMinutes: z.number().int().min(1).max(7 * 24 * 60).default(24 * 60),
  /** Longest rate-limit wait (primary reset or secondary `retry-after`) slept through; a longer one stops the run, which resumes later. */
  maxRetryWaitSeconds: z.number().int().min(0).max(3600).default(60),
}).superRefine((source, ctx) => {
  const seen = new Set<string>();
  if (source.app && source.tokenEnv) ctx.addIssue({ code: 'custom', path: ['tokenEnv'], message: 'is not used with "app": remove one of them (a token, or GitHub App installation tokens)' });
  source.repositories.forEach((r, i) => {
    const key = `${r.owner}/${r.repo}`.toLowerCase();
    if (seen.has(key)) ctx.addIssue({ code: 'custom', path: ['repositories', i], message: `lists ${r.owner}/${r.repo} twice: keep one entry per repository` });
    seen.add(key);
  });
});

/** The variable a token-authenticated source reads. */
export const tokenEnvOf = (source: { readonly tokenEnv?: string | undefined }): string => source.tokenEnv ?? 'GITHUB_TOKEN';

export type GitHubSourceConfig = z.output<typeof githubSource>;
export type GitHubRepositoryConfig = GitHubSourceConfig['repositories'][number];
