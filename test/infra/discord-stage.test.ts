/**
 * A Discord source in a deployment: its token goes to the fetcher and the embedder only, and
 * synth warns that edits and deletions of older messages wait for the reconcile pass.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../infra/constructs/pipeline-function.ts';
import { stageConfigFrom } from '../../infra/stage-config.ts';
import { parseConfig } from '../../shared/config/load.ts';
import { readJson } from '../support/templates.ts';

describe('a deployed discord source', () => {
  it('hands the bot token to the fetcher and embedder only, and warns about the reconcile delay', () => {
    // Prepare
    const config = readJson<{ aws: { secrets: Record<string, string> }; sources: unknown[] }>(join(REPO_ROOT, 'examples', 'aws', 'connectors.config.json'));
    config.aws.secrets = { ...config.aws.secrets, DISCORD_BOT_TOKEN: 'tributary/discord-bot-token' };
    config.sources = [...config.sources, { id: 'community', kind: 'discord', reconcileIntervalMinutes: 720 }];

    // Act
    const stage = stageConfigFrom(parseConfig(config));

    // Assess
    expect(Object.keys(stage.secretsFor('fetcher'))).toContain('DISCORD_BOT_TOKEN');
    expect(Object.keys(stage.secretsFor('embedder'))).toContain('DISCORD_BOT_TOKEN');
    for (const fn of ['webhook', 'watchdog', 'admin', 'ingest'] as const) expect(Object.keys(stage.secretsFor(fn))).not.toContain('DISCORD_BOT_TOKEN');
    expect(stage.warnings.join('\n')).toMatch(/Discord source "community": the Gateway does not run on AWS.*reconcileIntervalMinutes \(720\)/);
  });

  it('refuses a token variable missing from aws.secrets, naming the key', () => {
    // Prepare
    const config = readJson<{ sources: unknown[] }>(join(REPO_ROOT, 'examples', 'aws', 'connectors.config.json'));
    config.sources = [...config.sources, { id: 'community', kind: 'discord' }];

    // Act + Assess
    expect(() => stageConfigFrom(parseConfig(config))).toThrow(/tokenEnv.*DISCORD_BOT_TOKEN/);
  });
});
