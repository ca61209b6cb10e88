import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config/load.ts';
import { ConfigError } from '../../shared/core/errors.ts';
import { connectorFromConfig } from '../contract/harnesses/harness.ts';
import { configError } from '../support/config-error.ts';

const parse = (source: Record<string, unknown>) => parseConfig({ sources: [{ id: 'meetings', kind: 'fireflies', ...source }] });


describe('fireflies source config', () => {
  it('fills every default', () => {
    // Act
    const source = parse({}).sources[0];

    // Assess
    expect(source).toMatchObject({
      kind: 'fireflies', apiKeyEnv: 'FIREFLIES_API_KEY', apiUrl: 'https://api.fireflies.ai/graphql', pageSize: 50, fetchBatchSize: 10,
      overlapHours: 24, reconcile: true, linkAccess: 'public', requestsPerMinute: 50, requestTimeoutMs: 60_000, maxRetryWaitSeconds: 60,
      schedule: 'rate(1 hour)',
    });
    expect(source).not.toHaveProperty('team');
  });

  it.each([
    [{ apiKey: 'ff-inline' }, /sources\[0\]\.apiKey: unknown key "apiKey" — remove it/],
    [{ apiKeyEnv: 'ff-key-123' }, /sources\[0\]\.apiKeyEnv: must name an environment variable/],
    [{ pageSize: 51 }, /sources\[0\]\.pageSize: must be at most 50: Fireflies refuses a larger transcripts limit/],
    [{ pageSize: 0 }, /sources\[0\]\.pageSize: must be at least 1/],
    [{ fetchBatchSize: 40 }, /sources\[0\]\.fetchBatchSize: must be at most 25/],
    [{ overlapHours: 0 }, /sources\[0\]\.overlapHours: must be at least 1: meetings appear after processing/],
    [{ team: 'sales team' }, /sources\[0\]\.team: must be 1-200 characters without whitespace or commas/],
    [{ linkAccess: 'everyone' }, /sources\[0\]\.linkAccess: must be one of "public", "teammatesandparticipants"/],
    [{ requestsPerMinute: 100 }, /sources\[0\]\.requestsPerMinute: must be at most 60: Fireflies allows no key more/],
    [{ apiUrl: 'api.fireflies.ai' }, /sources\[0\]\.apiUrl: must be an absolute URL/],
    [{ schedule: 'every hour' }, /sources\[0\]\.schedule: must be a rate expression/],
  ])('rejects %j naming the key and the fix', (source, pattern) => {
    expect(configError(() => parse(source))).toMatch(pattern);
  });

  it('fails the first request, not the process, when the API key is not set, naming the variable and the fix', async () => {
    // Prepare
    const connector = connectorFromConfig({ id: 'meetings', kind: 'fireflies', apiKeyEnv: 'MEETINGS_FF_KEY' });

    // Act
    const error = await connector.pull(undefined, { snapshotAt: new Date().toISOString(), full: true }).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/apiKeyEnv names MEETINGS_FF_KEY, which is not set: export MEETINGS_FF_KEY=.*aws\.secrets/);
  });
});
