import type { ContractHarness } from './harness.ts';
import { confluenceHarness } from './confluence.ts';
import { discordHarness } from './discord.ts';
import { filesystemHarness } from './filesystem.ts';
import { firefliesHarness } from './fireflies.ts';
import { postgresHarness } from './postgres.ts';
import { pushHarness } from './push.ts';
import { slackHarness } from './slack.ts';
import { sqliteHarness } from './sqlite.ts';
import { telegramHarness } from './telegram.ts';

export type { ContractHarness };

/** The contract harness of each registered kind (a new kind adds its own here). */
export const contractHarnesses: Readonly<Record<string, ContractHarness>> = {
  confluence: confluenceHarness,
  discord: discordHarness,
  filesystem: filesystemHarness,
  fireflies: firefliesHarness,
  postgres: postgresHarness,
  push: pushHarness,
  slack: slackHarness,
  sqlite: sqliteHarness,
  telegram: telegramHarness,
};
