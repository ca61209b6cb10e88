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
import { gdriveConnector } from './gdrive/definition.ts';
import { githubConnector } from './github/definition.ts';
import { jiraConnector } from './jira/definition.ts';
import { notionConnector } from './notion/definition.ts';
import { postgresConnector } from './postgres/definition.ts';
import { pushConnector } from './push/definition.ts';
import { s3Connector } from './s3/definition.ts';
import { slackConnector } from './slack/definition.ts';
import { sqliteConnector } from './sqlite/definition.ts';
import { telegramConnector } from './telegram/definition.ts';
import { tempoConnector } from './tempo/definition.ts';

export const connectors = [
  confluenceConnector,
  discordConnector,
  filesystemConnector,
  firefliesConnector,
  gdriveConnector,
  githubConnector,
  jiraConnector,
  notionConnector,
  postgresConnector,
  pushConnector,
  s3Connector,
  slackConnector,
  sqliteConnector,
  telegramConnector,
  tempoConnector,
] as const;

export type SourceKind = (typeof connectors)[number]['kind'];
