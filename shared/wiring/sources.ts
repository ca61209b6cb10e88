import type { LoadedConfig } from '../config/load.ts';
import type { SourceConfig } from '../config/schema.ts';
import type { SourceSettings } from '../core/deps.ts';
import type { ConnectorContext } from '../connectors/definition.ts';
import { definitionOf } from '../connectors/lookup.ts';
import { DEFAULT_LEASE_TTL_MS } from '../core/reset.ts';
import type { Clock, SourceConnector } from '../ports/index.ts';

export type { ConnectorContext };

export const systemClock: Clock = { now: () => Date.now() };

/**
 * A source's settings. `embedding` (the semantic embedder's `<model>/<dimensions>`) joins the
 * ledger's chunker signature, so switching `embedder.kind` to or from `semantic` re-indexes
 * every document on the next sync (from the embedding cache where the text was embedded before).
 */
export function settingsOf(source: SourceConfig, defaults: LoadedConfig['config']['chunking'], embedding?: string): SourceSettings {
  return {
    ...(embedding !== undefined ? { embedding } : {}),
    id: source.id,
    lookbackMs: source.lookbackSeconds * 1000,
    leaseTtlMs: DEFAULT_LEASE_TTL_MS,
    maxDeleteShare: source.maxDeleteShare,
    deleteGuardMin: source.deleteGuardMin,
    chunking: source.chunking ?? defaults,
  };
}

/** The connector of a configured source, built by its kind's definition (shared/connectors/registry.ts). */
export function connectorOf(source: SourceConfig, context: ConnectorContext): SourceConnector {
  return definitionOf(source.kind).create(source, context);
}

/** Closes every connector (connection pools), each once; one failing does not keep the others open. */
export async function closeConnectors(connectors: Iterable<SourceConnector>, log: ConnectorContext['log']): Promise<void> {
  for (const connector of connectors) {
    await connector.close?.().catch((error: unknown) => {
      log.warn('closing a connector failed', { sourceId: connector.sourceId, error: error instanceof Error ? error.message : String(error) });
    });
  }
}
