import type { ContractHarness } from './harness.ts';
import { confluenceHarness } from './confluence.ts';
import { discordHarness } from './discord.ts';
import { filesystemHarness } from './filesystem.ts';
import { firefliesHarness } from './fireflies.ts';
import { gdriveHarness } from './gdrive.ts';
import { githubHarness } from './github.ts';
import { jiraHarness } from './jira.ts';
import { notionHarness } from './notion.ts';
import { postgresHarness } from './postgres.ts';
import { pushHarness } from './push.ts';
import { s3Harness } from './s3.ts';
import { slackHarness } from './slack.ts';
import { sqliteHarness } from './sqlite.ts';
import { telegramHarness } from './telegram.ts';
import { tempoHarness } from './tempo.ts';

export type { ContractHarness };

/** The contract harness of each registered kind (a new kind adds its own here). */
export const contractHarnesses: Readonly<Record<string, ContractHarness>> = {
  confluence: confluenceHarness,
  discord: discordHarness,
  filesystem: filesystemHarness,
  fireflies: firefliesHarness,
  gdrive: gdriveHarness,
  github: githubHarness,
  jira: jiraHarness,
  notion: notionHarness,
  postgres: postgresHarness,
  push: pushHarness,
  s3: s3Harness,
  slack: slackHarness,
  sqlite: sqliteHarness,
  telegram: telegramHarness,
  tempo: tempoHarness,
};
