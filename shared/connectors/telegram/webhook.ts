/**
 * Bot API webhooks → Tributary hints. A bot that is a member of the chats (an admin, or with
 * privacy mode off, to see every message of a group) is given `setWebhook(url:
 * https://<host>/webhooks/<source id>, secret_token: <the secret>)`; Telegram then POSTs each
 * Update as JSON with `X-Telegram-Bot-Api-Secret-Token: <secret_token>` (core.telegram.org/bots/api#setwebhook).
 *
 * - The token is compared in constant time; missing or different → 401 (Telegram retries a
 *   non-2xx, which is right for a misconfigured secret and harmless for a forgery).
 * - `message`, `edited_message`, `channel_post`, `edited_channel_post` in a group, supergroup or
 *   channel → a hint naming the document the message belongs to: `<chat id>/<day of its date>`,
 *   or `<chat id>/topic-<message_thread_id>/<day>` for a forum topic message. The bot's chat id is
 *   the marked id the account uses too; its `message_id` is not the account's in basic groups,
 *   which is why hints name documents by chat and day, and the targeted run reads that day
 *   through MTProto, never the update's content.
 * - Service messages (joins, titles, pins, topics), private chats (the account cannot read a
 *   bot's private chats, except its own with the bot, which the schedule covers), chats outside
 *   `chats`, and every other update type → 200, ignored.
 * - `update_id` is the delivery id: a redelivery (Telegram retries until 24 h after the message)
 *   is answered 200 and publishes nothing.
 */

import { HttpError } from '../../core/errors.ts';
import type { WebhookAnswer, WebhookRequest } from '../../ports/index.ts';
import { dayOfMs } from '../kit/days.ts';
import { headerOf, verifyToken } from '../kit/webhook-verify.ts';
import { docIdOf, isMarkedId } from './ids.ts';

export const TELEGRAM_SECRET_HEADER = 'x-telegram-bot-api-secret-token';

/** What the decoder needs from the source's config. */
export interface TelegramWebhookSettings {
  readonly id: string;
  readonly timezone: string;
  readonly chats?: readonly string[] | undefined;
}

/** Telegram keeps (and retries) an update until 24 h after the message's date: remember a little longer. */
const RETRY_MEMORY_MS = 25 * 3_600_000;

const MESSAGE_KINDS = ['message', 'edited_message', 'channel_post', 'edited_channel_post'] as const;

/** Content a message may carry; a message with none of these is a service message. */
const CONTENT_FIELDS = ['text', 'caption', 'photo', 'document', 'voice', 'video', 'video_note', 'audio', 'animation', 'sticker', 'poll', 'contact', 'location', 'venue'];

/** Verifies a Bot API webhook request and decodes it; throws HttpError (401 secret, 400 malformed). */
export function decodeTelegramWebhook(settings: TelegramWebhookSettings, request: WebhookRequest): WebhookAnswer {
  verifyToken({ header: TELEGRAM_SECRET_HEADER, given: headerOf(request.headers, TELEGRAM_SECRET_HEADER), expected: request.secret, deliveryId: '' });
  const update = parseObject(request.body);
  const updateId = update['update_id'];
  if (typeof updateId !== 'number' || !Number.isInteger(updateId)) throw new HttpError(400, 'an Update needs an integer "update_id" (core.telegram.org/bots/api#update)');
  const kind = MESSAGE_KINDS.find((k) => update[k] !== undefined);
  if (!kind) return ignored(`update ${Object.keys(update).filter((k) => k !== 'update_id').join(',') || 'without content'}`);
  const message = update[kind];
  if (typeof message !== 'object' || message === null || Array.isArray(message)) throw new HttpError(400, `"${kind}" must be a Message object`);
  const docId = documentOf(settings, message as Record<string, unknown>);
  if (docId === undefined) return ignored(`${kind} ${describe(message as Record<string, unknown>)}`);
  return {
    statusCode: 200, body: { ok: true, ids: 1 }, hints: { sourceId: settings.id, ids: [docId] },
    delivery: { id: `update:${updateId}`, ttlMs: RETRY_MEMORY_MS, replay: { statusCode: 200, body: { ok: true, duplicate: true } } },
  };
}

/** The document a message belongs to, or undefined when it names none this source indexes. */
export function documentOf(settings: TelegramWebhookSettings, message: Record<string, unknown>): string | undefined {
  const chat = message['chat'] as { id?: unknown; type?: unknown } | undefined;
  const date = message['date'];
  if (typeof chat?.id !== 'number' || typeof date !== 'number') throw new HttpError(400, 'a Message needs "chat.id" and "date" numbers');
  if (chat.type === 'private') return undefined;
  const id = String(chat.id);
  if (!isMarkedId(id) || (settings.chats && !settings.chats.includes(id))) return undefined;
  if (!CONTENT_FIELDS.some((f) => message[f] !== undefined)) return undefined;
  const thread = message['is_topic_message'] === true ? message['message_thread_id'] : undefined;
  const day = dayOfMs(date * 1000, settings.timezone);
  return docIdOf({ chat: id, day, ...(typeof thread === 'number' ? { topic: thread } : {}) });
}

function ignored(what: string): WebhookAnswer {
  return { statusCode: 200, body: { ok: true, ignored: what } };
}

function describe(message: Record<string, unknown>): string {
  const chat = message['chat'] as { type?: unknown } | undefined;
  return `in a ${String(chat?.type ?? 'unknown')} chat`;
}

function parseObject(body: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new HttpError(400, 'body is not valid JSON (Bot API webhooks send an Update as JSON)');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new HttpError(400, 'body must be a JSON object (an Update)');
  return parsed as Record<string, unknown>;
}
