import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../shared/config/load.ts';
import { configError } from '../support/config-error.ts';

const parse = (source: Record<string, unknown>) => parseConfig({ sources: [{ id: 'tg', kind: 'telegram', apiId: 12345, ...source }] });


describe('telegram source config', () => {
  it('fills every default, and takes chat ids as numbers or strings', () => {
    // Act
    const source = parse({ chats: [-1001500000001, '-900001', 42] }).sources[0];

    // Assess
    expect(source).toMatchObject({
      kind: 'telegram', apiId: 12345, apiHashEnv: 'TELEGRAM_API_HASH', sessionEnv: 'TELEGRAM_SESSION', timezone: 'UTC',
      editWindowHours: 48, pageSize: 100, reconcile: false, floodSleepThresholdSeconds: 60, connectionRetries: 5,
      chats: ['-1001500000001', '-900001', '42'], schedule: 'rate(15 minutes)',
    });
    expect(parse({}).sources[0]).not.toHaveProperty('chats');
    expect(parse({}).sources[0]).not.toHaveProperty('desktopExport');
  });

  it.each([
    [{ apiId: undefined }, /apiId: is required: the api_id of your app, shown at https:\/\/my\.telegram\.org/],
    [{ apiId: -3 }, /apiId: must be a positive integer/],
    [{ apiId: '12345' }, /apiId: must be a positive integer.*not a string/],
    [{ session: '1AgAOMTQ5LjE1NC4xNjcuNTA' }, /unknown key "session"/],
    [{ sessionEnv: '1AgAOMTQ5LjE1NC4xNjcuNTA' }, /sessionEnv.*environment variable/],
    [{ apiHashEnv: 'abc123' }, /apiHashEnv.*environment variable/],
    [{ chats: ['@eng_team'] }, /chats\[0\]: must be a marked chat id such as -1001234567890/],
    [{ chats: ['https://t.me/eng_team'] }, /marked chat id/],
    [{ chats: [] }, /chats.*at least one chat, or be left out/],
    [{ timezone: 'Mars/Olympus' }, /timezone.*IANA time zone/],
    [{ pageSize: 200 }, /pageSize.*at most 100/],
    [{ editWindowHours: -1 }, /editWindowHours/],
    [{ webhook: { secret: 'inline' } }, /webhook/],
  ])('rejects %j naming the key and the fix', (source, pattern) => {
    expect(configError(() => parse(source))).toMatch(pattern);
  });

  it('resolves desktopExport against the config file\'s folder', () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'tributary-tg-config-'));
    const path = join(dir, 'tributary.config.json');
    writeFileSync(path, JSON.stringify({ sources: [{ id: 'tg', kind: 'telegram', apiId: 1, desktopExport: './exports/result.json' }] }));

    // Act
    const loaded = loadConfig({ path, cwd: dir, allowDemo: false });

    // Assess
    expect(loaded.config.sources[0]).toMatchObject({ desktopExport: join(dir, 'exports', 'result.json') });
    rmSync(dir, { recursive: true, force: true });
  });
});
