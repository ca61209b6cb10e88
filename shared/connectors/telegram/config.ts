import { z } from 'zod';
import { envName, sourceBase } from '../../config/source-base.ts';
import { isTimeZone } from '../kit/days.ts';

/** A marked chat id, the form the Bot API and GramJS use: users as is, basic groups `-<id>`, supergroups and channels `-100<id>`. */
const chatId = z.union([z.number().int(), z.string()]).transform((v) => String(v)).refine((v) => /^-?[1-9]\d{0,15}$/.test(v), {
  message: 'must be a marked chat id such as -1001234567890 (supergroups and channels), -123456789 (basic groups) or 123456789 (private chats), not a @username or a t.me link: the bot\'s getChat or GramJS\'s getPeerId gives it',
});

/**
 * `"kind": "telegram"`: the chats a user account sees, read through GramJS (MTProto), hinted by
 * a bot's webhook, optionally backfilled from a Telegram Desktop export. Every key and its
 * default is documented in docs/sources/telegram.md.
 */
export const telegramSource = z.strictObject({
  ...sourceBase,
  kind: z.literal('telegram'),
  /** api_id of the app registered at my.telegram.org (an identifier, not a secret). */
  apiId: z.unknown().transform((value, ctx) => {
    if (typeof value === 'number' && Number.isInteger(value) && value > 0) return value;
    ctx.addIssue({
      code: 'custom',
      message: `${value === undefined ? 'is required' : 'must be a positive integer'}: the api_id of your app, shown at https://my.telegram.org → API development tools (a number, not a string; its api_hash goes in the variable apiHashEnv names)`,
    });
    return z.NEVER;
  }),
  /** Environment variable holding that app's api_hash. */
  apiHashEnv: envName.default('TELEGRAM_API_HASH'),
  /** Environment variable holding the account's GramJS StringSession: a full-account credential. */
  sessionEnv: envName.default('TELEGRAM_SESSION'),
  /** Marked ids of the chats to index; default: every dialog of the account. */
  chats: z.array(chatId).min(1, { message: 'must name at least one chat, or be left out to index every dialog' }).optional(),
  /** IANA time zone whose midnight separates the days of documents. */
  timezone: z.string().refine(isTimeZone, { message: 'must be an IANA time zone such as "UTC" or "Europe/Berlin"' }).default('UTC'),
  /** Incremental passes read the messages of the last this many hours again: edits and deletions there are seen. */
  editWindowHours: z.number().int().min(0).max(24 * 30).default(48),
  /** Messages per getHistory request (Telegram returns at most 100). */
  pageSize: z.number().int().min(1).max(100, { message: 'must be at most 100: Telegram returns at most 100 messages per messages.getHistory' }).default(100),
  /** Offer a slim listing (every chat read whole) so each completed pass reconciles deletions. Costly: off by default. */
  reconcile: z.boolean().default(false),
  /** A Telegram Desktop JSON export (result.json) to import once, relative to the config file. */
  desktopExport: z.string().min(1).optional(),
  /** FLOOD_WAIT up to this many seconds is slept through; a longer one ends the run (a later run resumes). */
  floodSleepThresholdSeconds: z.number().int().min(0).max(600).default(60),
  /** GramJS connection attempts. */
  connectionRetries: z.number().int().min(1).max(20).default(5),
});

export type TelegramSourceConfig = z.output<typeof telegramSource>;
