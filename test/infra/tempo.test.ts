/**
 * A Tempo source's stage config (no synth; its template is checked in
 * test/infra/api-sources.test.ts): the GET route is asked for only by a source with a webhook,
 * and synth warns without one.
 */
import { describe, expect, it } from 'vitest';
import { stageConfigFrom } from '../../infra/stage-config.ts';
import { parseConfig } from '../../shared/config/load.ts';
import { apiSourcesConfig } from './api-sources-config.ts';

describe('tempo stage config', () => {
  it('asks for the GET route only for a source with a webhook, and warns without one', () => {
    const hooked = stageConfigFrom(parseConfig(apiSourcesConfig()));
    const config = apiSourcesConfig();
    delete (config['sources'] as Array<Record<string, unknown>>).find((s) => s['id'] === 'timesheets')!['webhook'];
    const quiet = stageConfigFrom(parseConfig(config));
    expect(hooked.sources.filter((s) => s.answersWebhookGet).map((s) => s.id)).toEqual(['timesheets']);
    expect(quiet.sources.some((s) => s.answersWebhookGet)).toBe(false);
    expect(quiet.warnings.filter((w) => w.startsWith('tempo'))).toEqual([expect.stringMatching(/tempo source "timesheets" has no webhook: worklog changes wait for its schedule/)]);
  });
});
