/**
 * The Slack Web API calls the connector makes, through the official `@slack/web-api` client,
 * with its errors mapped onto Tributary's hierarchy. Rate limits: the client retries a 429
 * after the Retry-After Slack sends (and pauses its whole request queue meanwhile, so calls
 * in flight back off together), on top of a bounded exponential backoff.
 */

import { ErrorCode, LogLevel, WebClient, WebClientEvent } from '@slack/web-api';
import type { Logger as SlackLogger } from '@slack/web-api';
import type { Logger } from '../../core/deps.ts';
import { ConfigError, CursorExpiredError, TransientError, TributaryError, errorMessage } from '../../core/errors.ts';
import type { SlackMessage } from './messages.ts';

/** A Slack method answered `{ ok: false, error }`. */
export class SlackApiError extends TributaryError {
  readonly slackError: string;
  constructor(sourceId: string, method: string, slackError: string, hint?: string) {
    super(`Slack source "${sourceId}": ${method} failed with "${slackError}"${hint ? ` — ${hint}` : ''}`, {
      retryable: RETRYABLE.has(slackError), context: { sourceId, method, slackError },
    });
    this.slackError = slackError;
  }
}

/** Slack errors worth retrying: its own hiccups. */
const RETRYABLE = new Set(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

/** Slack errors that mean "this id does not exist (for this bot)": fetch leaves the id out. */
export const ABSENT = new Set(['channel_not_found', 'not_in_channel', 'thread_not_found', 'message_not_found', 'is_archived']);

/** What to do about errors that are configuration problems. */
function hintFor(error: string, tokenEnv: string): string | undefined {
  switch (error) {
    case 'invalid_auth': case 'not_authed': case 'token_revoked': case 'token_expired': case 'account_inactive':
      return `the bot token in ${tokenEnv} was rejected; set ${tokenEnv} to a valid bot token (xoxb-…)`;
    case 'missing_scope':
      return 'add the bot scopes channels:history, groups:history, channels:read, groups:read and users:read to the Slack app and reinstall it';
    case 'not_in_channel':
      return 'invite the bot to the channel (/invite @<bot name>), or remove the channel from `channels`';
    case 'channel_not_found':
      return 'check the channel id in `channels` (and that the bot can see the channel)';
    default:
      return undefined;
  }
}

export interface RetryPolicy {
  readonly retries: number;
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
}

export interface SlackApiOptions {
  readonly sourceId: string;
  /** Reads the token when the first call is made (a missing secret fails the run, not the process). */
  readonly token: () => string | undefined;
  readonly tokenEnv: string;
  readonly apiUrl: string;
  readonly retry: RetryPolicy;
  readonly maxConcurrency: number;
  readonly timeoutMs: number;
  readonly log: Logger;
}

interface Page<T> {
  readonly items: T[];
  readonly next?: string;
}

export interface SlackUser {
  readonly id: string;
  readonly name?: string;
  readonly real_name?: string;
  readonly deleted?: boolean;
  readonly profile?: { readonly display_name?: string; readonly real_name?: string };
}

export interface SlackChannel {
  readonly id: string;
  readonly name?: string;
  readonly is_archived?: boolean;
  readonly is_private?: boolean;
  readonly is_im?: boolean;
  readonly is_mpim?: boolean;
}

/** Thin typed wrapper over WebClient.apiCall. */
export class SlackApi {
  private client: WebClient | undefined;
  /** 429 answers received (each was waited out and retried). */
  rateLimited = 0;

  constructor(private readonly options: SlackApiOptions) {}

  async authTest(): Promise<{ url?: string; team?: string }> {
    const r = await this.call('auth.test', {});
    return { ...(typeof r['url'] === 'string' ? { url: r['url'] } : {}), ...(typeof r['team'] === 'string' ? { team: r['team'] } : {}) };
  }

  /** One page of the channels the bot is a member of. */
  async memberChannels(cursor: string | undefined, limit: number): Promise<Page<SlackChannel>> {
    const r = await this.call('users.conversations', {
      types: 'public_channel,private_channel', exclude_archived: true, limit, ...(cursor ? { cursor } : {}),
    });
    return { items: (r['channels'] as SlackChannel[] | undefined) ?? [], ...nextOf(r) };
  }

  async history(args: { channel: string; cursor?: string | undefined; limit: number; oldest?: string | undefined; latest?: string | undefined; inclusive?: boolean }): Promise<Page<SlackMessage>> {
    const r = await this.call('conversations.history', {
      channel: args.channel, limit: args.limit,
      ...(args.cursor ? { cursor: args.cursor } : {}), ...(args.oldest ? { oldest: args.oldest } : {}),
      ...(args.latest ? { latest: args.latest } : {}), ...(args.inclusive ? { inclusive: true } : {}),
    });
    return { items: (r['messages'] as SlackMessage[] | undefined) ?? [], ...nextOf(r) };
  }

  async replies(args: { channel: string; ts: string; cursor?: string | undefined; limit: number }): Promise<Page<SlackMessage>> {
    const r = await this.call('conversations.replies', {
      channel: args.channel, ts: args.ts, limit: args.limit, ...(args.cursor ? { cursor: args.cursor } : {}),
    });
    return { items: (r['messages'] as SlackMessage[] | undefined) ?? [], ...nextOf(r) };
  }

  async channelInfo(channel: string): Promise<SlackChannel> {
    const r = await this.call('conversations.info', { channel });
    return r['channel'] as SlackChannel;
  }

  /** One page of a conversation's member ids (conversations.members). */
  async members(channel: string, cursor: string | undefined, limit: number): Promise<Page<string>> {
    const r = await this.call('conversations.members', { channel, limit, ...(cursor ? { cursor } : {}) });
    return { items: ((r['members'] as unknown[] | undefined) ?? []).filter((m): m is string => typeof m === 'string'), ...nextOf(r) };
  }

  async userInfo(user: string): Promise<SlackUser> {
    const r = await this.call('users.info', { user });
    return r['user'] as SlackUser;
  }

  private web(): WebClient {
    if (this.client) return this.client;
    const token = this.options.token();
    if (!token) {
      throw new ConfigError(
        `Slack source "${this.options.sourceId}": tokenEnv names the environment variable ${this.options.tokenEnv}, which is not set: export ${this.options.tokenEnv}=xoxb-…`,
      );
    }
    const { retry } = this.options;
    this.client = new WebClient(token, {
      slackApiUrl: this.options.apiUrl,
      // 429s are retried after Retry-After (never rejected outright), within a bounded policy.
      rejectRateLimitedCalls: false,
      retryConfig: { retries: retry.retries, factor: 2, minTimeout: retry.minDelayMs, maxTimeout: retry.maxDelayMs, randomize: retry.minDelayMs > 0 },
      maxRequestConcurrency: this.options.maxConcurrency,
      timeout: this.options.timeoutMs,
      logger: quietLogger(this.options.log, this.options.sourceId),
      logLevel: LogLevel.WARN,
    });
    this.client.on(WebClientEvent.RATE_LIMITED, (retryAfter: number, request: { url?: string }) => {
      this.rateLimited += 1;
      this.options.log.info('Slack rate limit: waiting before retrying', {
        sourceId: this.options.sourceId, retryAfterSeconds: retryAfter, url: request.url,
      });
    });
    return this.client;
  }

  private async call(method: string, args: Record<string, unknown>): Promise<Record<string, unknown>> {
    const web = this.web();
    try {
      return (await web.apiCall(method, args)) as unknown as Record<string, unknown>;
    } catch (error) {
      throw this.mapError(method, error);
    }
  }

  private mapError(method: string, error: unknown): Error {
    const code = (error as { code?: unknown }).code;
    const sourceId = this.options.sourceId;
    if (code === ErrorCode.PlatformError) {
      const slackError = String((error as { data?: { error?: unknown } }).data?.error ?? 'unknown_error');
      if (slackError === 'invalid_cursor') return new CursorExpiredError(sourceId, { cause: error });
      return new SlackApiError(sourceId, method, slackError, hintFor(slackError, this.options.tokenEnv));
    }
    if (code === ErrorCode.RateLimitedError || code === ErrorCode.RequestError || code === ErrorCode.HTTPError) {
      return new TransientError(`Slack source "${sourceId}": ${method} failed after retries: ${errorMessage(error)}`, { cause: error, context: { sourceId, method } });
    }
    // p-retry gives up with the last attempt's error (e.g. "A rate limit was exceeded").
    return new TransientError(`Slack source "${sourceId}": ${method} failed: ${errorMessage(error)}`, { cause: error, context: { sourceId, method } });
  }
}

function nextOf(r: Record<string, unknown>): { next?: string } {
  const next = (r['response_metadata'] as { next_cursor?: unknown } | undefined)?.next_cursor;
  return typeof next === 'string' && next !== '' ? { next } : {};
}

/** The client's logger, routed to ours: debug/info dropped (rate limits are logged from the event). */
function quietLogger(log: Logger, sourceId: string): SlackLogger {
  let level = LogLevel.WARN;
  const text = (msg: unknown[]): string => msg.map((m) => (typeof m === 'string' ? m : errorMessage(m))).join(' ');
  return {
    debug: () => undefined,
    info: () => undefined,
    warn: (...msg: unknown[]) => log.warn('Slack client', { sourceId, message: text(msg) }),
    error: (...msg: unknown[]) => log.error('Slack client', { sourceId, message: text(msg) }),
    setLevel: (l: LogLevel) => { level = l; },
    getLevel: () => level,
    setName: () => undefined,
  };
}
