/**
 * A contract harness per source kind: how to stand up an empty source of that kind and change
 * it behind the connector's back, with the connector built the way the wiring builds it (the
 * kind's definition, from a config the registry's schema validated). test/contract/
 * registry-contract.test.ts runs the SourceConnector contract over every registry entry with
 * these, and fails for an entry without one.
 */
import { sourceSchema } from '../../../shared/config/schema.ts';
import type { ConnectorContext } from '../../../shared/connectors/definition.ts';
import { definitionOf } from '../../../shared/connectors/lookup.ts';
import { silentLogger } from '../../../shared/core/deps.ts';
import type { SourceConnector } from '../../../shared/ports/index.ts';
import { InMemoryCredentialStore } from '../../support/memory-credential-store.ts';
import { InMemoryStateStore } from '../../support/memory-state-store.ts';
import type { SourceConnectorFixture } from '../source-connector.contract.ts';

export interface ContractHarness {
  /**
   * Starts what every fixture of the kind shares (a database server, an emulator) once before
   * them; returns how to stop it.
   */
  readonly setup?: () => Promise<() => Promise<void>>;
  /** Fresh empty sources, one way each (a document mode, a state store): each runs the whole contract. */
  readonly variants: ReadonlyArray<{ readonly name: string; readonly make: () => Promise<SourceConnectorFixture> }>;
}

/** The connector of `raw` (a `sources[]` entry as a user writes it), built by its kind's definition. */
export function connectorFromConfig(raw: Record<string, unknown>, context: Partial<ConnectorContext> = {}): SourceConnector {
  const source = sourceSchema.parse(raw);
  return definitionOf(source.kind).create(source, {
    secret: () => undefined, credentials: new InMemoryCredentialStore({}), state: new InMemoryStateStore(), clock: { now: () => Date.now() },
    log: silentLogger, ...context,
  });
}
