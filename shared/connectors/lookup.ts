import type { ConnectorDefinition } from './definition.ts';
import { connectors } from './registry.ts';

/** The registered definitions, as any code that handles every kind sees them. */
export function allDefinitions(): readonly ConnectorDefinition[] {
  return connectors;
}

/** The definition of a configured kind (the config schema admits no other). */
export function definitionOf(kind: string): ConnectorDefinition {
  const definition = allDefinitions().find((d) => d.kind === kind);
  if (!definition) throw new Error(`no connector definition for kind "${kind}" in shared/connectors/registry.ts`);
  return definition;
}
