import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config/load.ts';
import { configError } from '../support/config-error.ts';

const parse = (source: Record<string, unknown>) => parseConfig({ sources: [{ id: 'wiki', kind: 'notion', ...source }] });


describe('notion source config', () => {
  it('fills every default', () => {
    const source = parse({}).sources[0];
    expect(source).toMatchObject({
      kind: 'notion', tokenEnv: 'NOTION_TOKEN', apiUrl: 'https://api.notion.com', pageSize: 100, requestsPerMinute: 170, burst: 10, maxBlockDepth: 25,
      reconcileIntervalHours: 24, webhookSubscription: false, requestTimeoutMs: 30_000, maxRetryWaitSeconds: 60, schedule: 'rate(15 minutes)',
    });
    expect(source).not.toHaveProperty('roots');
    expect(source).not.toHaveProperty('accessGroup');
  });

  it('takes roots as links carry them (32 hex digits) and keeps them dashed', () => {
    const source = parse({ roots: ['1429989FE8AC4EFFBC8F57F56486DB54'] }).sources[0] as { roots: string[] };
    expect(source.roots).toEqual(['1429989f-e8ac-4eff-bc8f-57f56486db54']);
  });

  it.each([
    [{ token: 'ntn_inline' }, /sources\[0\]\.token: unknown key "token" — remove it/],
    [{ tokenEnv: 'ntn-123' }, /sources\[0\]\.tokenEnv: must name an environment variable/],
    [{ apiUrl: 'api.notion.com' }, /sources\[0\]\.apiUrl: must be an absolute URL such as "https:\/\/api.notion.com"/],
    [{ roots: ['Handbook'] }, /sources\[0\]\.roots\[0\]: must be a Notion page or data source id/],
    [{ roots: [] }, /sources\[0\]\.roots: must name at least one page or data source id; leave "roots" out/],
    [{ pageSize: 101 }, /sources\[0\]\.pageSize: must be at most 100: Notion refuses a larger page_size/],
    [{ requestsPerMinute: 600 }, /sources\[0\]\.requestsPerMinute: must be at most 180/],
    [{ accessGroup: 'all staff' }, /sources\[0\]\.accessGroup: must be 1-200 characters without whitespace or commas/],
  ])('refuses %o, naming the key and the fix', (source, message) => {
    expect(configError(() => parse(source))).toMatch(message);
  });
});
