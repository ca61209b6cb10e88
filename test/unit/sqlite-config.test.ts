/**
 * The `sqlite` source kind's configuration: defaults, what the schema rejects (with the key and
 * the fix), the path resolved against the config file's folder, and a deployment refused at
 * synth with the reason and the alternatives.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stageConfigFrom } from '../../infra/stage-config.ts';
import { loadConfig, parseConfig } from '../../shared/config/load.ts';
import { sqliteSource } from '../../shared/connectors/sqlite/config.ts';
import { ConfigError } from '../../shared/core/errors.ts';

const base = {
  id: 'bot', kind: 'sqlite', path: './bot.db', table: 'messages', idColumn: 'id', updatedAtColumn: 'updated_at',
  textTemplate: '{{author}}: {{body}}',
};

/** The one-line messages parseConfig reports for a config with this single source. */
function errorsOf(source: Record<string, unknown>): string {
  try {
    parseConfig({ sources: [source] });
  } catch (error) {
    return String(error);
  }
  return '';
}

describe('sqlite source configuration', () => {
  it('fills in the defaults', () => {
    // Prepare + Act
    const parsed = sqliteSource.parse(base);

    // Assess
    expect(parsed).toMatchObject({
      mode: 'row', pageSize: 200, metadataColumns: [], updatedAtFormat: 'auto', watch: true, busyTimeoutMs: 5_000,
      schedule: 'rate(15 minutes)', lookbackSeconds: 600,
    });
  });

  it('accepts a conversation source through the top-level config union, its order format defaulting to auto', () => {
    // Prepare + Act
    const config = parseConfig({ sources: [{ ...base, mode: 'conversation', conversation: { groupColumn: 'chat_id', orderColumn: 'sent_at', timeWindow: 'day' } }] });

    // Assess
    expect(config.sources[0]).toMatchObject({ kind: 'sqlite', conversation: { timeWindow: 'day', orderFormat: 'auto' } });
  });

  it.each([
    [{ path: ':memory:' }, /sources\[0\]\.path: must be the path of the database file/],
    [{ path: 'file:bot.db?mode=rw' }, /sources\[0\]\.path: must be the path of the database file/],
    [{ path: undefined }, /sources\[0\]\.path: expected string \(required, missing\)/],
    [{ table: undefined }, /sources\[0\]\.table: set exactly one of "table".*and "query"/],
    [{ table: undefined, query: 'SELECT * FROM m;' }, /sources\[0\]\.query: must be one SELECT without a trailing ";"/],
    [{ idColumn: 'id"; --' }, /sources\[0\]\.idColumn: must be a column name/],
    [{ updatedAtFormat: 'iso' }, /sources\[0\]\.updatedAtFormat/],
    [{ mode: 'conversation', conversation: { groupColumn: 'c', orderColumn: 's', orderFormat: 'seconds' } }, /sources\[0\]\.conversation\.orderFormat/],
    [{ mode: 'conversation' }, /sources\[0\]\.conversation: mode "conversation" needs/],
    [{ connectionStringEnv: 'BOT_DB' }, /sources\[0\]\.connectionStringEnv: unknown key/],
    [{ busyTimeoutMs: -1 }, /sources\[0\]\.busyTimeoutMs/],
  ])('rejects %j naming the key', (change, message) => {
    // Prepare
    const source = { ...base, ...change };

    // Act
    const errors = errorsOf(source);

    // Assess
    expect(errors).toMatch(message);
  });

  it('resolves a relative path against the config file\'s folder, not the working directory', async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), 'tributary-sqlite-config-'));
    try {
      await writeFile(join(dir, 'tributary.config.json'), JSON.stringify({ sources: [{ ...base, path: 'data/bot.db' }, { ...base, id: 'abs', path: '/var/lib/bot/bot.db' }] }));

      // Act
      const { config } = loadConfig({ path: join(dir, 'tributary.config.json'), cwd: tmpdir(), allowDemo: false });

      // Assess
      expect(config.sources.map((s) => ('path' in s ? s.path : undefined))).toEqual([join(dir, 'data', 'bot.db'), '/var/lib/bot/bot.db']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses to deploy: the file is not reachable from Lambda, with the alternatives', () => {
    // Prepare
    const config = parseConfig({
      embedder: { kind: 'openai', model: 'text-embedding-3-small', apiKeyEnv: 'OPENAI_API_KEY' },
      vectorStore: { kind: 'pinecone', indexHost: 'https://x-abc1234.svc.aped-4627-b74a.pinecone.io', apiKeyEnv: 'PINECONE_API_KEY' },
      aws: { secrets: { OPENAI_API_KEY: 'tributary/openai', PINECONE_API_KEY: 'tributary/pinecone' } },
      sources: [{ ...base, path: '/srv/bot/bot.db' }],
    });

    // Act
    const deploy = (): unknown => stageConfigFrom(config);

    // Assess
    expect(deploy).toThrow(ConfigError);
    expect(deploy).toThrow(/source "bot" \(kind "sqlite"\) reads \/srv\/bot\/bot\.db, a file on this machine: AWS Lambda cannot reach it/);
    expect(deploy).toThrow(/Leave it out of the config you deploy.*kind "postgres".*kind "push"/);
  });
});
