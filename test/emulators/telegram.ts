/**
 * Test doubles for a Telegram connector, built from Telegram's and GramJS's own docs and source —
 * not from our code. All three read one seed, `TelegramWorld` (./telegram/world.ts), so the same
 * conversation can be seen as a bot, as a user account and as an export:
 *
 * - ./telegram/bot-server.ts     Bot API over loopback HTTP (fastify): getMe, setWebhook,
 *                                deleteWebhook, getWebhookInfo, getUpdates, getChat; errors and
 *                                429s worded as tdlib/telegram-bot-api words them.
 * - ./telegram/webhook.ts        update queue (24 h after the message date), webhook delivery per
 *                                chat in update_id order, retries with the server's backoff.
 * - ./telegram/bot-shapes.ts     Message objects of every kind the Bot API docs show.
 * - ./telegram/gramjs-fake.ts    FakeTelegramClient: GramJS's own getMessages/iterMessages/
 *                                getDialogs/getEntity code over a fake `invoke`
 *                                (./telegram/mtproto-server.ts), returning real `Api` instances
 *                                (./telegram/mtproto-shapes.ts); FLOOD_WAIT as errors.FloodWaitError.
 * - ./telegram/export.ts         Telegram Desktop result.json (one chat, or the whole account).
 * - ./telegram/samples.ts        key orders of captured real exports.
 *
 * What Telegram does NOT give (and the doubles don't either): the Bot API has no history method
 * and no deletion updates (outside business accounts), drops updates after 24 h, and in groups
 * with privacy mode shows bots only commands, mentions, replies and service messages; MTProto
 * reports deletions only as updates (UpdateDeleteMessages names no chat), so a sync must
 * reconcile with getMessages({ids}) (missing → undefined).
 */

export { BotApiEmulator, type BotApiOptions, type BotCall } from './telegram/bot-server.ts';
export { CHANNEL_BOT, GROUP_ANONYMOUS_BOT, SERVICE_NOTIFICATIONS, botMessage } from './telegram/bot-shapes.ts';
export type * from './telegram/bot-types.ts';
export { UpdateQueue, type DeliveryAttempt } from './telegram/webhook.ts';
export { FakeTelegramClient, type FakeCall, type FakeTelegramClientOptions, type TelegramHistoryClient } from './telegram/gramjs-fake.ts';
export { MtprotoServer } from './telegram/mtproto-server.ts';
export { accessHash, apiChat, apiEntities, apiMessage, apiPeer, apiUser } from './telegram/mtproto-shapes.ts';
export { ABOUT_CHATS, ABOUT_EXPORT, exportAccount, exportChat, exportType, serialize, textParts, type ExportOptions } from './telegram/export.ts';
export { CAPTURED_EXPORT_KEYS } from './telegram/samples.ts';
export {
  botChatId, span, TelegramWorld, type ChatKind, type ChatRecord, type Entity, type EntityType, type Forward, type Media, type Person,
  type PostInput, type Quote, type Service, type StoredMessage, type WorldEvent,
} from './telegram/world.ts';
