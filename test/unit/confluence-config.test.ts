import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config/load.ts';
import { apiBaseOf, tokenEnvOf } from '../../shared/connectors/confluence/config.ts';
import { confluenceConnector } from '../../shared/connectors/confluence/definition.ts';
import { ConfigError } from '../../shared/core/errors.ts';
import { connectorFromConfig } from '../contract/harnesses/harness.ts';
import { configError } from '../support/config-error.ts';

const base = { id: 'wiki', kind: 'confluence', siteUrl: 'https://acme.atlassian.net', email: 'ada@acme.test', spaces: ['ENG'] };
const parse = (source: Record<string, unknown>) => parseConfig({ sources: [{ ...base, ...source }] });


describe('confluence source config', () => {
  it('fills every default', () => {
    // Act
    const source = parse({}).sources[0];

    // Assess
    expect(source).toMatchObject({
      kind: 'confluence', includeBlogPosts: false, pageSize: 100, fetchBatchSize: 25,
      reconcileIntervalMinutes: 60, requestsPerMinute: 300, requestTimeoutMs: 30_000, maxRetryWaitSeconds: 60, schedule: 'rate(15 minutes)',
    });
    expect(source).not.toHaveProperty('apiUrl');
    expect(tokenEnvOf(source as never)).toBe('CONFLUENCE_API_TOKEN');
    expect(source).not.toHaveProperty('bearerTokenEnv');
  });

  it.each([
    [{ token: 'inline' }, /sources\[0\]\.token: unknown key "token" — remove it/],
    [{ tokenEnv: 'my-token' }, /sources\[0\]\.tokenEnv: must name an environment variable/],
    [{ email: undefined }, /sources\[0\]\.email: add "email" \(the account the API token in "tokenEnv" belongs to\), or "bearerTokenEnv"/],
    [{ bearerTokenEnv: 'CONFLUENCE_OAUTH' }, /sources\[0\]\.bearerTokenEnv: give either "email" .* or "bearerTokenEnv" .*, not both/],
    [{ email: undefined, bearerTokenEnv: 'OAUTH', tokenEnv: 'TOKEN' }, /sources\[0\]\.tokenEnv: an API token \("tokenEnv"\) goes with "email"; with "bearerTokenEnv" remove it/],
    [{ email: 'ada' }, /sources\[0\]\.email: must be the e-mail of the Atlassian account/],
    [{ siteUrl: 'acme.atlassian.net' }, /sources\[0\]\.siteUrl: must be the site's absolute URL/],
    [{ apiUrl: '/wiki' }, /sources\[0\]\.apiUrl: must be an absolute URL/],
    [{ spaces: [] }, /sources\[0\]\.spaces: name at least one space key/],
    [{ spaces: ['ENG', 'ENG'] }, /sources\[0\]\.spaces: lists a space key twice/],
    [{ spaces: ['Eng Team'] }, /sources\[0\]\.spaces\[0\]: must be a space key such as "ENG"/],
    [{ pageSize: 251 }, /sources\[0\]\.pageSize: must be at most 250/],
    [{ fetchBatchSize: 0 }, /sources\[0\]\.fetchBatchSize: must be at least 1/],
    [{ reconcileIntervalMinutes: 50_000 }, /sources\[0\]\.reconcileIntervalMinutes: must be at most 43200/],
    [{ schedule: 'hourly' }, /sources\[0\]\.schedule: must be a rate expression/],
  ])('rejects %j naming the key and the fix', (source, pattern) => {
    expect(configError(() => parse(source))).toMatch(pattern);
  });

  it('takes an OAuth token instead of e-mail and API token', () => {
    // Act
    const source = parse({ email: undefined, bearerTokenEnv: 'CONFLUENCE_OAUTH' }).sources[0]!;

    // Assess: the fetcher and the embedder get that variable, the webhook function its secret.
    expect(source).toMatchObject({ bearerTokenEnv: 'CONFLUENCE_OAUTH' });
    const withHook = parse({ email: undefined, bearerTokenEnv: 'CONFLUENCE_OAUTH', webhook: { secretEnv: 'WIKI_HOOK' } }).sources[0]!;
    expect(confluenceConnector.secrets(withHook as never)).toEqual([
      { key: 'bearerTokenEnv', env: 'CONFLUENCE_OAUTH', functions: ['fetcher', 'embedder'] },
      { key: 'webhook.secretEnv', env: 'WIKI_HOOK', functions: ['webhook'] },
    ]);
  });

  it('calls <siteUrl>/wiki unless apiUrl says otherwise', () => {
    expect(apiBaseOf({ siteUrl: 'https://acme.atlassian.net/' })).toBe('https://acme.atlassian.net/wiki');
    expect(apiBaseOf({ siteUrl: 'https://acme.atlassian.net/wiki' })).toBe('https://acme.atlassian.net/wiki');
    expect(apiBaseOf({ siteUrl: 'https://acme.atlassian.net', apiUrl: 'http://127.0.0.1:9/proxy/wiki/' })).toBe('http://127.0.0.1:9/proxy/wiki');
  });

  it('fails the first request, not the process, when the token is not set, naming the variable and the fix', async () => {
    // Prepare
    const connector = connectorFromConfig({ ...base, tokenEnv: 'WIKI_TOKEN' });

    // Act
    const failure = connector.pull(undefined, { snapshotAt: new Date().toISOString(), full: true });

    // Assess
    await expect(failure).rejects.toBeInstanceOf(ConfigError);
    await expect(failure).rejects.toThrow(/WIKI_TOKEN is not set: set it to the Confluence API token locally, or add it to aws.secrets/);
  });
});
