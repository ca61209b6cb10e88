import { z } from 'zod';
import { envName, sourceBase } from '../../config/source-base.ts';
import { isTimeZone } from '../kit/days.ts';

const snowflake = (what: string) => z.string().regex(/^\d{17,20}$/, {
  message: `must be a Discord ${what} id (a snowflake such as "1178012787457400832": enable Developer Mode in Discord's settings, then right-click the ${what} → Copy ID)`,
});

/**
 * `"kind": "discord"`: the guild channels and threads a bot can read, as conversation
 * documents. Every key and its default is documented in docs/sources/discord.md.
 */
export const discordSource = z.strictObject({
  ...sourceBase,
  kind: z.literal('discord'),
  /** Environment variable holding the bot token (Developer Portal → Bot → Token). */
  tokenEnv: envName.default('DISCORD_BOT_TOKEN'),
  /** Guild (server) ids to index; default: every guild the bot is in. */
  guilds: z.array(snowflake('server')).min(1).optional(),
  /** Channel ids (text, announcement, forum or media channels) to index, with their threads; default: every channel the bot can read. */
  channels: z.array(snowflake('channel')).min(1).optional(),
  /**
   * A channel's own messages: one document per channel and calendar day, or one per top-level
   * message (as Slack's thread mode makes a message without replies a thread of one). Threads are
   * always documents of their own.
   */
  documentMode: z.enum(['channel-day', 'message']).default('channel-day'),
  /** IANA time zone whose midnight separates the days of `channel-day` documents. */
  timezone: z.string().refine(isTimeZone, { message: 'must be an IANA time zone such as "UTC" or "Europe/Berlin"' }).default('UTC'),
  /** Index messages posted by bots, apps and webhooks too. */
  includeBotMessages: z.boolean().default(false),
  /** Index threads (public, announcement, forum posts, and private threads the bot may read). */
  includeThreads: z.boolean().default(true),
  /** Discord REST base URL, without the version; tests point it at a loopback emulator. */
  apiUrl: z.string().url().default('https://discord.com/api'),
  /** Messages per request (Discord allows 1–100). */
  pageSize: z.number().int().min(1).max(100).default(100),
  /**
   * Incremental passes re-read every channel's and thread's messages of this many last minutes,
   * so recent edits and deletions reach the index without the Gateway (on AWS). 0: never.
   */
  recheckMinutes: z.number().int().min(0).max(7 * 1440).default(60),
  /**
   * A pass re-reads everything and reconciles (deletes what Discord no longer has) once this many
   * minutes have passed since the last such pass. 0: every pass.
   */
  reconcileIntervalMinutes: z.number().int().min(0).max(30 * 1440).default(1440),
  /** Local runtime (`tributary start`): follow edits and deletions on the Gateway. */
  watch: z.boolean().default(true),
  /** Retries of a request that failed with a 5xx or timed out (429s are always waited out, up to `maxRateLimitWaitMs`). */
  maxRetries: z.number().int().min(0).max(20).default(3),
  /** A rate limit asking for a longer wait than this fails the request (the run stops after its last saved page) instead of pinning a worker. */
  maxRateLimitWaitMs: z.number().int().min(0).max(3_600_000).default(60_000),
  /** Per request. */
  requestTimeoutMs: z.number().int().min(1000).max(300_000).default(15_000),
});

export type DiscordSourceConfig = z.output<typeof discordSource>;
