/**
 * A GitHub source in a deployment (stage config, no synth): its token (or App key) goes to the
 * fetcher and the embedder only, its webhook secret to the webhook function only, an App's
 * installation-token partition to the fetcher and embedder only, and synth warns without a webhook.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../infra/constructs/pipeline-function.ts';
import { stageConfigFrom } from '../../infra/stage-config.ts';
import { parseConfig } from '../../shared/config/load.ts';
import { readJson } from '../support/templates.ts';

function withGitHub(source: Record<string, unknown>, secrets: Record<string, string>) {
  const config = readJson<{ aws: { secrets: Record<string, string> }; sources: unknown[] }>(join(REPO_ROOT, 'examples', 'aws', 'connectors.config.json'));
  config.aws.secrets = { ...config.aws.secrets, ...secrets };
  config.sources = [...config.sources, { id: 'handbook', kind: 'github', repositories: [{ owner: 'acme', repo: 'handbook' }], ...source }];
  return stageConfigFrom(parseConfig(config));
}

describe('a deployed github source', () => {
  it('hands the token to the fetcher and embedder, the signing secret to the webhook function', () => {
    const stage = withGitHub({ webhook: { secretEnv: 'GITHUB_WEBHOOK_SECRET' } }, { GITHUB_TOKEN: 'tributary/github-token', GITHUB_WEBHOOK_SECRET: 'tributary/github-hook' });
    for (const fn of ['fetcher', 'embedder'] as const) expect(Object.keys(stage.secretsFor(fn))).toContain('GITHUB_TOKEN');
    for (const fn of ['webhook', 'watchdog', 'admin', 'ingest'] as const) expect(Object.keys(stage.secretsFor(fn))).not.toContain('GITHUB_TOKEN');
    expect(Object.keys(stage.secretsFor('webhook'))).toContain('GITHUB_WEBHOOK_SECRET');
    expect(stage.warnings.join('\n')).not.toMatch(/github source/);
  });

  it('gives an App\'s installation-token partition to the fetcher and embedder only, and warns without a webhook', () => {
    const stage = withGitHub({ app: { appId: 1, privateKeyEnv: 'GITHUB_APP_KEY', installationId: 2 } }, { GITHUB_APP_KEY: 'tributary/github-app-key' });
    const keys = (fn: 'fetcher' | 'embedder' | 'webhook' | 'admin') => JSON.stringify(stage.tableAccessFor(fn));
    expect(keys('fetcher')).toContain('CRED#github:handbook');
    expect(keys('embedder')).toContain('CRED#github:handbook');
    expect(keys('webhook')).not.toContain('CRED#github:handbook');
    expect(keys('admin')).not.toContain('CRED#github:handbook');
    expect(Object.keys(stage.secretsFor('fetcher'))).toContain('GITHUB_APP_KEY');
    expect(stage.warnings.join('\n')).toMatch(/github source "handbook" has no webhook/);
  });

  it('refuses a token variable missing from aws.secrets, naming the key', () => {
    expect(() => withGitHub({ tokenEnv: 'HANDBOOK_TOKEN' }, {})).toThrow(/tokenEnv.*HANDBOOK_TOKEN|HANDBOOK_TOKEN.*tokenEnv/);
  });
});
