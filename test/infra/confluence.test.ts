/**
 * A Confluence source's stage config (no synth; its template is checked in
 * test/infra/api-sources.test.ts): without a webhook synth warns that Cloud sites poll, and an
 * OAuth token variable goes to the fetcher and embedder.
 */
import { describe, expect, it } from 'vitest';
import { stageConfigFrom } from '../../infra/stage-config.ts';
import { parseConfig } from '../../shared/config/load.ts';
import { apiSourcesConfig } from './api-sources-config.ts';

describe('confluence stage config', () => {
  it('warns when the source has no webhook, and hands an OAuth token variable to the fetcher and embedder', () => {
    const config = apiSourcesConfig({}, { email: undefined, bearerTokenEnv: 'CONFLUENCE_API_TOKEN' });
    delete (config['sources'] as Array<Record<string, unknown>>).find((s) => s['id'] === 'wiki')!['webhook'];
    const stage = stageConfigFrom(parseConfig(config));
    expect(stage.warnings.filter((w) => w.startsWith('confluence'))).toEqual([expect.stringMatching(/confluence source "wiki" has no webhook: edits wait for its schedule \(rate\(30 minutes\)\), trashed pages for the reconcile every 60 minutes/)]);
    expect(Object.keys(stage.secretsFor('fetcher'))).toContain('CONFLUENCE_API_TOKEN');
    expect(Object.keys(stage.secretsFor('webhook'))).not.toContain('CONFLUENCE_API_TOKEN');
  });
});
