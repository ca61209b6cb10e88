import { z } from 'zod';
import { envName, sourceBase } from '../../config/source-base.ts';
import { isTimeZone } from '../kit/days.ts';

/**
 * `"kind": "slack"`: the channels a bot token can read, as conversation documents.
 * Every key and its default is documented in docs/sources/slack.md.
 */
export const slackSource = z.strictObject({
  ...sourceBase,
  kind: z.literal('slack'),
  /** Environment variable holding the bot token (xoxb-…). */
  tokenEnv: envName.default('SLACK_BOT_TOKEN'),
  /** Channel ids to index; default: every channel the bot is a member of (users.conversations). */
  channels: z.array(z.string().regex(/^[CGD][A-Z0-9]{2,}$/, {
    message: 'must be a Slack conversation id such as "C0123ABCD" (not a #name: copy the id from the channel details)',
  })).min(1).optional(),
  /** One document per thread (a message without replies is a thread of one), or per channel and calendar day. */
  documentMode: z.enum(['thread', 'channel-day']).default('thread'),
  /** IANA time zone that delimits the days of `channel-day` documents. */
  timezone: z.string().refine(isTimeZone, { message: 'must be an IANA time zone such as "UTC" or "Europe/Berlin"' }).default('UTC'),
  /** Slack Web API base URL; tests point it at a loopback emulator. */
  apiUrl: z.string().url().default('https://slack.com/api/'),
  /** Index messages posted by bots and integrations too. */
  includeBotMessages: z.boolean().default(false),
  /** Messages per conversations.history / conversations.replies request (Slack allows up to 999; 200 is its recommendation). */
  pageSize: z.number().int().min(1).max(999).default(200),
  /** Incremental passes re-scan this many days before the window for threads that got new replies or edits. */
  threadLookbackDays: z.number().int().min(0).max(90).default(7),
  /**
   * Provide a slim listing (every channel's whole history, plus every thread's replies) so each
   * completed pass reconciles deletions and `audit` compares against Slack. Costly on big
   * workspaces: off by default, deletions then arrive through Events API hints.
   */
  reconcile: z.boolean().default(false),
  /** Rate-limited (429) and failed requests are retried this often, waiting at least Slack's Retry-After. */
  maxRetries: z.number().int().min(0).max(30).default(10),
  /** Backoff between retries: exponential from `retryMinDelayMs`, capped at `retryMaxDelayMs`, with jitter. */
  retryMinDelayMs: z.number().int().min(0).max(600_000).default(1000),
  retryMaxDelayMs: z.number().int().min(0).max(600_000).default(60_000),
  /** Requests in flight at once per connector. */
  maxConcurrency: z.number().int().min(1).max(50).default(3),
  /** Per-request timeout. */
  requestTimeoutMs: z.number().int().min(1000).max(300_000).default(30_000),
  /** How long resolved user and channel names are cached. */
  nameCacheSeconds: z.number().int().min(0).max(7 * 86_400).default(3600),
}).refine((s) => s.retryMaxDelayMs >= s.retryMinDelayMs, { message: 'retryMaxDelayMs must be at least retryMinDelayMs', path: ['retryMaxDelayMs'] });

export type SlackSourceConfig = z.output<typeof slackSource>;
