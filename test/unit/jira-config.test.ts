import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config/load.ts';
import { jiraConnector } from '../../shared/connectors/jira/definition.ts';
import { scopeJql, type JiraSourceConfig } from '../../shared/connectors/jira/config.ts';
import { configError } from '../support/config-error.ts';

const BASE = { siteUrl: 'https://acme.atlassian.net', email: 'bot@acme.test', projects: ['ENG'] };
const parse = (source: Record<string, unknown>) => parseConfig({ sources: [{ id: 'issues', kind: 'jira', ...source }] }).sources[0] as JiraSourceConfig;


describe('jira source config', () => {
  it('fills every default and scopes searches by projects and jql', () => {
    const source = parse({ ...BASE, jql: 'labels = docs' });
    expect(source).toMatchObject({
      kind: 'jira', includeComments: true, pageSize: 100, reconcileIntervalMinutes: 360, requestsPerMinute: 600, requestTimeoutMs: 30_000,
      maxRetryWaitSeconds: 60, schedule: 'rate(15 minutes)',
    });
    expect(source).not.toHaveProperty('apiUrl');
    expect(scopeJql(source)).toBe('project in ("ENG") AND (labels = docs)');
    expect(jiraConnector.secrets(source)).toEqual([{ key: 'tokenEnv', env: 'JIRA_API_TOKEN', functions: ['fetcher', 'embedder'] }]);
    const bearer = parse({ siteUrl: BASE.siteUrl, bearerTokenEnv: 'JIRA_OAUTH', jql: 'project = OPS', webhook: { secretEnv: 'JIRA_HOOK' } });
    expect(jiraConnector.secrets(bearer).map((s) => s.env)).toEqual(['JIRA_OAUTH', 'JIRA_HOOK']);
  });

  it.each([
    [{ ...BASE, token: 'inline' }, /sources\[0\]\.token: unknown key "token" — remove it/],
    [{ ...BASE, siteUrl: 'acme.atlassian.net' }, /sources\[0\]\.siteUrl: must be your Jira site's absolute URL/],
    [{ ...BASE, tokenEnv: 'my-token' }, /sources\[0\]\.tokenEnv: must name an environment variable/],
    [{ ...BASE, projects: ['eng'] }, /sources\[0\]\.projects\[0\]: must be a Jira project key such as "ENG"/],
    [{ ...BASE, jql: 'project = ENG ORDER BY created DESC' }, /sources\[0\]\.jql: must not contain ORDER BY/],
    [{ ...BASE, pageSize: 101 }, /sources\[0\]\.pageSize: must be at most 100/],
    [{ siteUrl: BASE.siteUrl, projects: ['ENG'] }, /sources\[0\]\.email: is required with an API token/],
    [{ ...BASE, bearerTokenEnv: 'JIRA_OAUTH' }, /sources\[0\]\.bearerTokenEnv: is an alternative to "email" \+ "tokenEnv"/],
    [{ siteUrl: BASE.siteUrl, email: BASE.email }, /sources\[0\]\.projects: is required unless "jql" is set/],
  ])('names the key and the fix: %j', (source, message) => {
    expect(configError(() => parse(source))).toMatch(message);
  });
});
