import { defineConnector, standardSecrets } from '../definition.ts';
import { discordSource } from './config.ts';
import { DiscordConnector } from './discord-connector.ts';

/** `discord`: guild channels and threads a bot can read, as conversations; the Gateway for edits locally. See docs/sources/discord.md. */
export const discordConnector = defineConnector({
  kind: 'discord',
  schema: discordSource,
  docs: 'docs/sources/discord.md',
  summary: {
    indexes: 'guild channels and threads the bot can read (or a list): a document per channel-day (or message) and per thread; people\'s messages, bots\' and webhooks\' only with `includeBotMessages`',
    nearRealTime: 'Gateway (`tributary start`: edits and deletions); webhook',
  },
  create: (source, context) => new DiscordConnector({
    sourceId: source.id, token: () => context.secret(source.tokenEnv), tokenEnv: source.tokenEnv, apiUrl: source.apiUrl,
    guilds: source.guilds, channels: source.channels, documentMode: source.documentMode, timezone: source.timezone,
    includeBotMessages: source.includeBotMessages, includeThreads: source.includeThreads, pageSize: source.pageSize,
    recheckMinutes: source.recheckMinutes, reconcileIntervalMinutes: source.reconcileIntervalMinutes, watch: source.watch,
    retries: source.maxRetries, maxRateLimitWaitMs: source.maxRateLimitWaitMs, requestTimeoutMs: source.requestTimeoutMs,
    clock: context.clock, log: context.log,
  }),
  secrets: (source) => standardSecrets(source, { tokenEnv: source.tokenEnv }),
  aws: (source) => ({
    warnings: [
      `Discord source "${source.id}": the Gateway does not run on AWS; edits and deletions of messages older than recheckMinutes (${source.recheckMinutes}) `
      + `reach the index with the reconcile pass every reconcileIntervalMinutes (${source.reconcileIntervalMinutes}) — see docs/sources/discord.md`,
    ],
  }),
});
