import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config/load.ts';
import { configError } from '../support/config-error.ts';

const parse = (source: Record<string, unknown>) => parseConfig({ sources: [{ id: 'team', kind: 'slack', ...source }] });


describe('slack source config', () => {
  it('fills every default', () => {
    // Act
    const source = parse({}).sources[0];

    // Assess
    expect(source).toMatchObject({
      kind: 'slack', tokenEnv: 'SLACK_BOT_TOKEN', documentMode: 'thread', timezone: 'UTC', apiUrl: 'https://slack.com/api/',
      includeBotMessages: false, pageSize: 200, threadLookbackDays: 7, reconcile: false, maxRetries: 10,
      retryMinDelayMs: 1000, retryMaxDelayMs: 60_000, maxConcurrency: 3, requestTimeoutMs: 30_000, nameCacheSeconds: 3600,
      schedule: 'rate(15 minutes)',
    });
    expect(source).not.toHaveProperty('channels');
  });

  it.each([
    [{ token: 'xoxb-inline' }, /unknown key "token"/],
    [{ tokenEnv: 'xoxb-123' }, /environment variable/],
    [{ channels: ['#general'] }, /Slack conversation id/],
    [{ documentMode: 'message' }, /documentMode/],
    [{ timezone: 'Mars/Olympus' }, /IANA time zone/],
    [{ pageSize: 1000 }, /pageSize/],
    [{ retryMinDelayMs: 5000, retryMaxDelayMs: 10 }, /retryMaxDelayMs/],
  ])('rejects %j naming the key and the fix', (source, pattern) => {
    expect(configError(() => parse(source))).toMatch(pattern);
  });
});
