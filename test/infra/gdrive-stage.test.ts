/**
 * A Google Drive source with push in a deployment (stage config, no synth): the scheduled
 * fetcher runs keep the channel, so the fetcher gets the webhook secret (channel tokens are
 * made from it) and the channel-state partition; the webhook function gets the secret and no
 * partition; synth warns only while `push.address` is missing.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../infra/constructs/pipeline-function.ts';
import { stageConfigFrom } from '../../infra/stage-config.ts';
import { parseConfig } from '../../shared/config/load.ts';
import { readJson } from '../support/templates.ts';

const ADDRESS = 'https://abc123.execute-api.eu-west-1.amazonaws.com/webhooks/drive';

function withDrive(source: Record<string, unknown>) {
  const config = readJson<{ aws: { secrets: Record<string, string> }; sources: unknown[] }>(join(REPO_ROOT, 'examples', 'aws', 'connectors.config.json'));
  config.aws.secrets = { ...config.aws.secrets, GDRIVE_SA_KEY: 'tributary/gdrive-key', GDRIVE_CHANNEL_SECRET: 'tributary/gdrive-channel' };
  config.sources = [...config.sources, { id: 'drive', kind: 'gdrive', serviceAccountKeyEnv: 'GDRIVE_SA_KEY', folders: ['1AbCdEfGhIjKlMnOpQrStUvWxYz'], ...source }];
  return stageConfigFrom(parseConfig(config));
}
const keys = (stage: ReturnType<typeof withDrive>, fn: 'fetcher' | 'embedder' | 'webhook' | 'admin') => JSON.stringify(stage.tableAccessFor(fn));

describe('a deployed gdrive source with push', () => {
  it('hands the channel secret and the channel state to the fetcher, and warns about nothing', () => {
    const stage = withDrive({ webhook: { secretEnv: 'GDRIVE_CHANNEL_SECRET' }, push: { address: ADDRESS } });
    expect(Object.keys(stage.secretsFor('fetcher'))).toEqual(expect.arrayContaining(['GDRIVE_SA_KEY', 'GDRIVE_CHANNEL_SECRET']));
    expect(Object.keys(stage.secretsFor('webhook'))).toContain('GDRIVE_CHANNEL_SECRET');
    expect(Object.keys(stage.secretsFor('embedder'))).not.toContain('GDRIVE_CHANNEL_SECRET');
    expect(keys(stage, 'fetcher')).toContain('CRED#gdrive-channel:drive');
    expect(keys(stage, 'webhook')).not.toContain('CRED#gdrive-channel:drive');
    expect(keys(stage, 'admin')).not.toContain('CRED#gdrive-channel:drive');
    expect(stage.warnings.join('\n')).not.toMatch(/gdrive source/);
  });

  it('warns while push.address is missing, naming the stack output to use', () => {
    const stage = withDrive({ webhook: { secretEnv: 'GDRIVE_CHANNEL_SECRET' }, push: {} });
    expect(stage.warnings.join('\n')).toMatch(/gdrive source "drive" has push but no push\.address: .*stack output ApiUrl \+ "\/webhooks\/drive"/);
  });

  it('keeps the channel partition without push, so the next run can stop a channel left open', () => {
    const stage = withDrive({});
    expect(keys(stage, 'fetcher')).toContain('CRED#gdrive-channel:drive');
    expect(Object.keys(stage.secretsFor('fetcher'))).not.toContain('GDRIVE_CHANNEL_SECRET');
  });
});
