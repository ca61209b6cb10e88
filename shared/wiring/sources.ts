import { FilesystemConnector } from '../connectors/filesystem/filesystem-connector.ts';
import type { LoadedConfig } from '../config/load.ts';
import type { SourceConfig } from '../config/schema.ts';
import type { SourceSettings } from '../core/deps.ts';
import type { Clock, SourceConnector } from '../ports/index.ts';

export const systemClock: Clock = { now: () => Date.now() };

export function settingsOf(source: SourceConfig, defaults: LoadedConfig['config']['chunking']): SourceSettings {
  return {
    id: source.id,
    lookbackMs: source.lookbackSeconds * 1000,
    leaseTtlMs: 60_000,
    maxDeleteShare: source.maxDeleteShare,
    deleteGuardMin: source.deleteGuardMin,
    chunking: source.chunking ?? defaults,
  };
}

export function connectorOf(source: SourceConfig, onSkip?: (path: string, reason: string) => void): SourceConnector {
  switch (source.kind) {
    case 'filesystem':
      return new FilesystemConnector({
        sourceId: source.id, root: source.root, include: source.include, exclude: source.exclude,
        pageSize: source.pageSize, maxFileBytes: source.maxFileBytes, ...(onSkip ? { onSkip } : {}),
      });
  }
}

