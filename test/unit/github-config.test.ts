/** The github source's config: defaults, and errors that name the key and the fix. */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config/load.ts';
import { githubConnector } from '../../shared/connectors/github/definition.ts';
import { githubSource } from '../../shared/connectors/github/config.ts';

const base = { embedder: { kind: 'local' }, vectorStore: { kind: 'lancedb' } };
const errorOf = (source: Record<string, unknown>): string => {
  try {
    parseConfig({ ...base, sources: [{ id: 'gh', kind: 'github', ...source }] });
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected a config error');
};

describe('github config', () => {
  it('fills the defaults', () => {
    const s = githubSource.parse({ id: 'gh', kind: 'github', repositories: [{ owner: 'acme', repo: 'docs' }] });
    expect(s.repositories[0]).toEqual({ owner: 'acme', repo: 'docs', include: ['**/*.md', '**/*.mdx', '**/*.markdown', 'docs/**', 'README*'], exclude: [] });
    expect(s).toMatchObject({ apiUrl: 'https://api.github.com', maxFileBytes: 1048576, issues: { enabled: false, includePullRequests: true, includeComments: true } });
    expect(githubConnector.secrets(s)).toEqual([{ key: 'tokenEnv', env: 'GITHUB_TOKEN', functions: ['fetcher', 'embedder'] }]);
    expect(githubConnector.tokens!(s)).toEqual([]);
  });

  it('names the key and the fix', () => {
    expect(errorOf({})).toMatch(/repositories/);
    expect(errorOf({ repositories: [] })).toMatch(/at least one repository/);
    expect(errorOf({ repositories: [{ owner: 'acme', repo: 'acme/docs' }] })).toMatch(/repositories\[0\]\.repo.*without the owner/);
    expect(errorOf({ repositories: [{ owner: 'acme', repo: 'docs', brnch: 'main' }] })).toMatch(/brnch/);
    expect(errorOf({ repositories: [{ owner: 'acme', repo: 'docs' }, { owner: 'ACME', repo: 'docs' }] })).toMatch(/twice/);
    expect(errorOf({ repositories: [{ owner: 'acme', repo: 'docs' }], apiUrl: 'ghe' })).toMatch(/apiUrl.*api\/v3/);
    expect(errorOf({ repositories: [{ owner: 'acme', repo: 'docs' }], app: { appId: 'x', privateKeyEnv: 'K', installationId: 1 } })).toMatch(/app\.appId/);
    expect(errorOf({ repositories: [{ owner: 'acme', repo: 'docs' }], token: 'ghp_x' })).toMatch(/token/);
    expect(errorOf({ repositories: [{ owner: 'acme', repo: 'docs' }], tokenEnv: 'T', app: { appId: 1, privateKeyEnv: 'K', installationId: 1 } })).toMatch(/tokenEnv.*not used with "app"/);
  });

  it('gives an App key to the fetcher and embedder and keeps its installation token in the store', () => {
    const s = githubSource.parse({ id: 'gh', kind: 'github', repositories: [{ owner: 'acme', repo: 'docs' }], app: { appId: 1, privateKeyEnv: 'GH_KEY', installationId: 2 }, webhook: { secretEnv: 'GH_HOOK' } });
    expect(githubConnector.secrets(s)).toEqual([
      { key: 'app.privateKeyEnv', env: 'GH_KEY', functions: ['fetcher', 'embedder'] }, { key: 'webhook.secretEnv', env: 'GH_HOOK', functions: ['webhook'] },
    ]);
    expect(githubConnector.tokens!(s)).toEqual(['github:gh']);
  });
});
