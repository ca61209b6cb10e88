/**
 * Every source kind, one line each. Config (the `sources[]` union), wiring (local and AWS),
 * the webhook and ingest functions, the stacks and the README's source table read this list:
 * a new kind is its folder (with a `definition.ts`, see ./definition.ts) plus one line here.
 */

import type { ConnectorDefinition } from './definition.ts';
import { filesystemConnector } from './filesystem/definition.ts';
import { postgresConnector } from './postgres/definition.ts';
import { pushConnector } from './push/definition.ts';
import { slackConnector } from './slack/definition.ts';

export const connectors = [
  filesystemConnector,
  postgresConnector,
  pushConnector,
  slackConnector,
] as const;

export type SourceKind = (typeof connectors)[number]['kind'];

const byKind = new Map<string, ConnectorDefinition>();
for (const definition of connectors as readonly ConnectorDefinition[]) {
  if (byKind.has(definition.kind)) throw new Error(`connector registry: kind "${definition.kind}" is listed twice`);
  byKind.set(definition.kind, definition);
}

/** The definition of a configured kind (the config schema admits no other). */
export function definitionOf(kind: string): ConnectorDefinition {
  const definition = byKind.get(kind);
  if (!definition) throw new Error(`no connector definition for kind "${kind}" in shared/connectors/registry.ts`);
  return definition;
}
