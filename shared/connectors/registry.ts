/**
 * Every source kind, one line each. Config (the `sources[]` union), wiring (local and AWS),
 * the webhook and ingest functions, the stacks and the README's source table read this list
 * (through ./lookup.ts for one kind): a new kind is its folder, with a `definition.ts` (see
 * ./definition.ts), plus one line here.
 */

import { confluenceConnector } from './confluence/definition.ts';
import { discordConnector } from './discord/definition.ts';
import { filesystemConnector } from './filesystem/definition.ts';
import { firefliesConnector } from './fireflies/definition.ts';
import { postgresConnector } from './postgres/definition.ts';
import { pushConnector } from './push/definition.ts';
import { slackConnector } from './slack/definition.ts';
import { sqliteConnector } from './sqlite/definition.ts';
import { telegramConnector } from './telegram/definition.ts';

export const connectors = [
  confluenceConnector,
  discordConnector,
  filesystemConnector,
  firefliesConnector,
  postgresConnector,
  pushConnector,
  slackConnector,
  sqliteConnector,
  telegramConnector,
] as const;

export type SourceKind = (typeof connectors)[number]['kind'];
