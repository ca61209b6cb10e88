import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config/load.ts';
import { connectorFromConfig } from '../contract/harnesses/harness.ts';
import { configError } from '../support/config-error.ts';

const JIRA = { siteUrl: 'https://acme.atlassian.net', email: 'reader@acme.test' };
const parse = (source: Record<string, unknown>) => parseConfig({ sources: [{ id: 'worklogs', kind: 'tempo', jira: JIRA, ...source }] });


describe('tempo source config', () => {
  it('fills every default, and takes project ids as numbers or digit strings', () => {
    // Act
    const source = parse({ projects: [10000, '10001'] }).sources[0];

    // Assess
    expect(source).toMatchObject({
      kind: 'tempo', apiUrl: 'https://api.tempo.io', tokenEnv: 'TEMPO_API_TOKEN', projects: ['10000', '10001'], pageSize: 5000, requestsPerSecond: 4,
      issueCacheSeconds: 3600, reconcileIntervalHours: 24, requestTimeoutMs: 60_000, maxRetryWaitSeconds: 60, schedule: 'rate(15 minutes)',
      jira: { siteUrl: 'https://acme.atlassian.net', email: 'reader@acme.test', tokenEnv: 'JIRA_API_TOKEN', requestsPerMinute: 300 },
    });
    expect(parse({}).sources[0]).not.toHaveProperty('projects');
  });

  it.each([
    [{ token: 'inline' }, /sources\[0\]\.token: unknown key "token" — remove it/],
    [{ tokenEnv: 'tempo-token' }, /sources\[0\]\.tokenEnv: must name an environment variable/],
    [{ projects: ['OPS'] }, /sources\[0\]\.projects\[0\]: must be a numeric Jira project id such as "10000" \(Tempo v4 filters by projectId, not by key\)/],
    [{ projects: [] }, /sources\[0\]\.projects: must name at least one Jira project id/],
    [{ pageSize: 5001 }, /sources\[0\]\.pageSize: must be at most 5000: Tempo v4 returns no more per request/],
    [{ requestsPerSecond: 10 }, /sources\[0\]\.requestsPerSecond: must be at most 5: Tempo's gateway refuses more per token/],
    [{ apiUrl: 'api.tempo.io' }, /sources\[0\]\.apiUrl: must be an absolute URL such as "https:\/\/api.tempo.io"/],
    [{ jira: { siteUrl: 'acme' } }, /sources\[0\]\.jira\.siteUrl: must be the Jira site's absolute URL/],
    [{ jira: { ...JIRA, token: 'x' } }, /sources\[0\]\.jira\.token: unknown key "token"/],
  ])('names the key and the fix for %j', (source, message) => {
    expect(configError(() => parse(source))).toMatch(message);
  });

  it('requires the jira block (issue keys and summaries come from Jira)', () => {
    expect(configError(() => parseConfig({ sources: [{ id: 'worklogs', kind: 'tempo' }] }))).toMatch(/sources\[0\]\.jira/);
  });

  it('fails the first request, not the start, when a token variable is unset, naming it and the fix', async () => {
    // Prepare
    const connector = connectorFromConfig({ id: 'worklogs', kind: 'tempo', jira: JIRA, tokenEnv: 'MISSING_TEMPO_TOKEN' });

    // Act
    const message = await connector.pull(undefined, { snapshotAt: new Date().toISOString(), full: true }).then(() => '', (e: Error) => e.message);

    // Assess
    expect(message).toMatch(/tokenEnv names MISSING_TEMPO_TOKEN, which is not set: export MISSING_TEMPO_TOKEN=<token from Tempo → Settings → API integration>/);
  });
});
