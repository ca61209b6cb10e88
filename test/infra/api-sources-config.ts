/**
 * The deployed config the API source kinds share for their template tests: the example config
 * with one source of each such kind added and their secrets in `aws.secrets`, so one synth
 * (the slow part: bundling and cdk-nag) serves every kind (test/infra/api-sources.test.ts).
 */
import { join } from 'node:path';
import { REPO_ROOT } from '../../infra/constructs/pipeline-function.ts';
import { readJson } from '../support/templates.ts';

export const CONFIG = join(REPO_ROOT, 'examples', 'aws', 'connectors.config.json');
export const REGION = 'eu-west-1';
export const ACCOUNT = '123456789012';
export const TABLE = 'StateTable9728C7E5.Arn';
export const SECRETS = {
  FIREFLIES_API_KEY: 'tributary/fireflies-api-key', FIREFLIES_WEBHOOK_SECRET: 'tributary/fireflies-webhook-secret',
  JIRA_API_TOKEN: 'tributary/jira-api-token', JIRA_WEBHOOK_SECRET: 'tributary/jira-webhook-secret',
  TEMPO_API_TOKEN: 'tributary/tempo-token', TEMPO_WEBHOOK_SECRETS: 'tributary/tempo-webhook-secrets',
  GDRIVE_SA_KEY: 'tributary/gdrive-service-account',
  CONFLUENCE_API_TOKEN: 'tributary/confluence-api-token', CONFLUENCE_WEBHOOK_SECRET: 'tributary/confluence-webhook-secret',
  GITHUB_TOKEN: 'tributary/github-token', GITHUB_WEBHOOK_SECRET: 'tributary/github-hook',
} as const;
export type SecretEnv = keyof typeof SECRETS;
export const secretArn = (name: string): string => `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-Q1w2E3`;

/** The example config with a source of each API kind; `fireflies` and `confluence` override those sources' keys. */
export function apiSourcesConfig(fireflies: Record<string, unknown> = {}, confluence: Record<string, unknown> = {}): Record<string, unknown> {
  const config = readJson<{ aws: { secrets: Record<string, string> } & Record<string, unknown>; sources: unknown[] }>(CONFIG);
  config.aws = { ...config.aws, account: ACCOUNT, region: REGION, secrets: { ...config.aws.secrets, ...SECRETS } };
  config.sources.push({ id: 'meetings', kind: 'fireflies', apiKeyEnv: 'FIREFLIES_API_KEY', webhook: { secretEnv: 'FIREFLIES_WEBHOOK_SECRET' }, ...fireflies });
  config.sources.push({ id: 'issues', kind: 'jira', siteUrl: 'https://acme.atlassian.net', email: 'bot@acme.test', projects: ['ENG'], webhook: { secretEnv: 'JIRA_WEBHOOK_SECRET' } });
  config.sources.push({ id: 'handbook', kind: 's3', bucket: 'acme-handbook', prefix: 'handbook/' });
  config.sources.push({
    id: 'timesheets', kind: 'tempo', projects: ['10000'], jira: { siteUrl: 'https://acme.atlassian.net', email: 'reader@acme.test' },
    webhook: { secretEnv: 'TEMPO_WEBHOOK_SECRETS' },
  });
  config.sources.push({ id: 'drive', kind: 'gdrive', serviceAccountKeyEnv: 'GDRIVE_SA_KEY', folders: ['1AbCdEfGhIjKlMnOpQrStUvWxYz'] });
  config.sources.push({
    id: 'wiki', kind: 'confluence', siteUrl: 'https://acme.atlassian.net', email: 'indexer@acme.com', spaces: ['ENG'],
    webhook: { secretEnv: 'CONFLUENCE_WEBHOOK_SECRET' }, schedule: 'rate(30 minutes)', ...confluence,
  });
  config.sources.push({ id: 'docs-repo', kind: 'github', repositories: [{ owner: 'acme', repo: 'handbook' }], webhook: { secretEnv: 'GITHUB_WEBHOOK_SECRET' } });
  return config;
}
