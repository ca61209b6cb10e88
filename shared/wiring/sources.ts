import { FilesystemConnector } from '../connectors/filesystem/filesystem-connector.ts';
import { PushConnector, pushStateOf } from '../connectors/push/push-connector.ts';
import { PostgresConnector } from '../connectors/postgres/postgres-connector.ts';
import { SlackConnector } from '../connectors/slack/slack-connector.ts';
import type { LoadedConfig } from '../config/load.ts';
import type { SourceConfig } from '../config/schema.ts';
import type { Logger, SourceSettings } from '../core/deps.ts';
import type { Clock, SourceConnector, StateStore } from '../ports/index.ts';
import { DEFAULT_LEASE_TTL_MS } from '../core/reset.ts';

export const systemClock: Clock = { now: () => Date.now() };

export function settingsOf(source: SourceConfig, defaults: LoadedConfig['config']['chunking']): SourceSettings {
  return {
    id: source.id,
    lookbackMs: source.lookbackSeconds * 1000,
    leaseTtlMs: DEFAULT_LEASE_TTL_MS,
    maxDeleteShare: source.maxDeleteShare,
    deleteGuardMin: source.deleteGuardMin,
    chunking: source.chunking ?? defaults,
  };
}

/** What a connector may need besides its own config. */
export interface ConnectorContext {
  /** Secret values by the environment-variable names the config uses (process.env locally, Secrets Manager on AWS). */
  readonly secret: (envName: string) => string | undefined;
  /** The state table (push sources keep pushed documents there). */
  readonly state: StateStore;
  readonly clock: Clock;
  readonly log: Logger;
}

export function connectorOf(source: SourceConfig, context: ConnectorContext): SourceConnector {
  switch (source.kind) {
    case 'filesystem':
      return new FilesystemConnector({
        sourceId: source.id, root: source.root, include: source.include, exclude: source.exclude,
        pageSize: source.pageSize, maxFileBytes: source.maxFileBytes,
        onSkip: (path, reason) => context.log.warn('document skipped', { sourceId: source.id, path, reason }),
      });
    case 'push':
      return new PushConnector({ sourceId: source.id, state: pushStateOf(context.state, source.id), pageSize: source.pageSize });
    case 'postgres':
      return new PostgresConnector(source.id, {
        config: source, connectionStringEnv: source.connectionStringEnv,
        connectionString: () => context.secret(source.connectionStringEnv), log: context.log,
      });
    case 'slack':
      return new SlackConnector({
        sourceId: source.id, token: () => context.secret(source.tokenEnv), tokenEnv: source.tokenEnv,
        channels: source.channels, documentMode: source.documentMode, timezone: source.timezone, apiUrl: source.apiUrl,
        includeBotMessages: source.includeBotMessages, pageSize: source.pageSize, threadLookbackDays: source.threadLookbackDays,
        reconcile: source.reconcile, maxConcurrency: source.maxConcurrency, requestTimeoutMs: source.requestTimeoutMs,
        retry: { retries: source.maxRetries, minDelayMs: source.retryMinDelayMs, maxDelayMs: source.retryMaxDelayMs },
        nameCacheSeconds: source.nameCacheSeconds, clock: context.clock, log: context.log,
      });
  }
}

