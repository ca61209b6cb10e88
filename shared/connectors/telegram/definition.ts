import { defineConnector, standardSecrets } from '../definition.ts';
import { telegramSource } from './config.ts';
import { currentHistoryClientFactory } from './history-client.ts';
import { TelegramConnector } from './telegram-connector.ts';
import { decodeTelegramWebhook } from './webhook.ts';

/** `telegram`: the chats a user account sees (GramJS), a bot's webhook for hints, a Desktop export as backfill. See docs/sources/telegram.md. */
export const telegramConnector = defineConnector({
  kind: 'telegram',
  schema: telegramSource,
  docs: 'docs/sources/telegram.md',
  summary: {
    indexes: 'the chats a user account sees (or a list), through GramJS: a document per chat-day or forum topic-day; a Telegram Desktop export as a one-time backfill',
    nearRealTime: 'Bot API webhook (`POST /webhooks/<id>`, `X-Telegram-Bot-Api-Secret-Token`)',
  },
  create: (source, context) => new TelegramConnector({
    sourceId: source.id, apiId: source.apiId, apiHashEnv: source.apiHashEnv, sessionEnv: source.sessionEnv, secret: context.secret,
    // Captured now: a test that installs a fake (history-client.ts) affects only connectors created after it.
    factory: currentHistoryClientFactory(),
    chats: source.chats, timezone: source.timezone, editWindowHours: source.editWindowHours, pageSize: source.pageSize,
    reconcile: source.reconcile, desktopExport: source.desktopExport, floodSleepThreshold: source.floodSleepThresholdSeconds,
    connectionRetries: source.connectionRetries, state: context.state, log: context.log,
  }),
  // The session and api_hash: the fetcher and the embedder (which re-reads a document too large for its task); the bot's secret token: the webhook.
  secrets: (source) => standardSecrets(source, { apiHashEnv: source.apiHashEnv, sessionEnv: source.sessionEnv }),
  decodeWebhook: (source, request) => decodeTelegramWebhook(source, request),
  resolvePaths: (source, resolve) => (source.desktopExport !== undefined ? { ...source, desktopExport: resolve(source.desktopExport) } : source),
  aws: (source) => ({
    warnings: source.desktopExport !== undefined
      ? [`source "${source.id}" imports ${source.desktopExport}: on Lambda that file must be readable by the fetcher (e.g. an EFS mount), which these stacks do not create; import where the source's state lives`]
      : [],
  }),
});
