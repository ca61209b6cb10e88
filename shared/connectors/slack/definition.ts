import { defineConnector, standardSecrets } from '../definition.ts';
import { slackSource } from './config.ts';
import { decodeSlackWebhook } from './events.ts';
import { SlackConnector } from './slack-connector.ts';

/** `slack`: channels a bot can read, as conversations; Slack's Events API for hints. See docs/sources/slack.md. */
export const slackConnector = defineConnector({
  kind: 'slack',
  schema: slackSource,
  docs: 'docs/sources/slack.md',
  summary: {
    indexes: 'channels the bot is in (or a list): a document per thread or per channel-day; people\'s messages, bots\' and integrations\' only with `includeBotMessages`',
    nearRealTime: 'Events API (`POST /webhooks/<id>`, Slack-signed)',
  },
  create: (source, context) => new SlackConnector({
    sourceId: source.id, token: () => context.secret(source.tokenEnv), tokenEnv: source.tokenEnv,
    channels: source.channels, documentMode: source.documentMode, timezone: source.timezone, apiUrl: source.apiUrl,
    includeBotMessages: source.includeBotMessages, pageSize: source.pageSize, threadLookbackDays: source.threadLookbackDays,
    reconcile: source.reconcile, maxConcurrency: source.maxConcurrency, requestTimeoutMs: source.requestTimeoutMs,
    retry: { retries: source.maxRetries, minDelayMs: source.retryMinDelayMs, maxDelayMs: source.retryMaxDelayMs },
    nameCacheSeconds: source.nameCacheSeconds, clock: context.clock, log: context.log,
  }),
  secrets: (source) => standardSecrets(source, { tokenEnv: source.tokenEnv }),
  // Slack's Events API: its v0 signature, the url_verification challenge, message events as hints.
  decodeWebhook: (source, request) => decodeSlackWebhook(source, request),
});
