/**
 * A Fireflies source's stage config (no synth; its template is checked in
 * test/infra/api-sources.test.ts): without a webhook synth warns, and an API key missing from
 * aws.secrets is refused naming the key that names it.
 */
import { describe, expect, it } from 'vitest';
import { stageConfigFrom } from '../../infra/stage-config.ts';
import { parseConfig } from '../../shared/config/load.ts';
import { ConfigError } from '../../shared/core/errors.ts';
import { apiSourcesConfig } from './api-sources-config.ts';

describe('fireflies stage config', () => {
  it('warns at synth when the source has no webhook', () => {
    const config = apiSourcesConfig();
    const source = (config['sources'] as Array<Record<string, unknown>>).find((s) => s['id'] === 'meetings')!;
    delete source['webhook'];
    const stage = stageConfigFrom(parseConfig(config));
    expect(stage.warnings.filter((w) => w.startsWith('fireflies'))).toEqual([expect.stringMatching(/fireflies source "meetings" has no webhook: new meetings wait for its schedule/)]);
  });

  it('refuses an API key missing from aws.secrets, naming the key that names it', () => {
    const config = apiSourcesConfig({ apiKeyEnv: 'MEETINGS_FF_KEY' });
    let error: unknown;
    try {
      stageConfigFrom(parseConfig(config));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/aws\.secrets: no secret for MEETINGS_FF_KEY \(named by sources\[3\]\.apiKeyEnv\)/);
  });
});
