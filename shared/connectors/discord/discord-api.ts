/**
 * The Discord REST v10 calls the connector makes, over @discordjs/rest — which keeps Discord's
 * per-route rate-limit buckets (from `X-RateLimit-Bucket`, per top-level resource), the global
 * 50 requests per second, and waits out 429s by `Retry-After` / `retry_after` — with every failure
 * mapped onto the project's error hierarchy:
 *
 * | Discord answers | error | the core |
 * |---|---|---|
 * | 401 | ProviderAuthError (the fix: the token variable) | fails the run, no retry |
 * | 403 50001 Missing Access / 50013 Missing Permissions | DiscordAccessError | that channel or document is skipped |
 * | 404 (10003 Unknown Channel, 10008 Unknown Message, …) | ProviderNotFoundError | the document is gone |
 * | other 4xx | ProviderRequestError with Discord's message | fails the run |
 * | 5xx / timeout after `retries`, a network failure | TransientError | the run stops after its last saved page; retried |
 * | a 429 asking for more than `maxRateLimitWaitMs` | TransientError naming the wait | as above |
 *
 * The client is loaded and built on first use (definitions are imported by every Lambda bundle).
 * The token is read then, never logged, and sent only to `apiUrl`.
 */
import type { REST as RestClient } from '@discordjs/rest';
import { z } from 'zod';
import { ConfigError, TransientError, errorMessage } from '../../core/errors.ts';
import { ProviderAuthError, ProviderNotFoundError, ProviderRequestError, ProviderResponseError, type ProviderErrorDetails } from '../kit/errors.ts';
import {
  applicationSchema, channelSchema, currentUserSchema, guildSchema, memberSchema, messageSchema, partialGuildSchema,
  threadListSchema, threadMemberSchema, type DiscordChannel, type DiscordGuild, type DiscordMember, type DiscordMessage,
} from './wire.ts';
import { compareSnowflakes } from './snowflakes.ts';

/** 403 for one channel or message: the bot may not see it (its documents are skipped, not deleted). */
export class DiscordAccessError extends ProviderRequestError {
  readonly code: number | undefined;
  constructor(message: string, details: ProviderErrorDetails & { code?: number }) {
    super(message, details);
    this.code = details.code;
  }
}

export interface DiscordApiOptions {
  readonly sourceId: string;
  readonly token: () => string | undefined;
  readonly tokenEnv: string;
  /** Without the version: `https://discord.com/api`. */
  readonly apiUrl: string;
  /** Retries of a 5xx or a timeout. */
  readonly retries: number;
  readonly timeoutMs: number;
  /** A 429 asking for a longer wait fails the request instead. */
  readonly maxRateLimitWaitMs: number;
}

/** What the application's flags say about the MESSAGE_CONTENT privileged intent (docs: Application Flags). */
export const GATEWAY_MESSAGE_CONTENT = 1 << 18;
export const GATEWAY_MESSAGE_CONTENT_LIMITED = 1 << 19;

type Query = Readonly<Record<string, string | undefined>>;

export class DiscordApi {
  /** Requests sent, messages received and rate limits met: for tests and logs. */
  readonly stats = { requests: 0, messages: 0, rateLimited: 0 };
  private client: Promise<RestClient> | undefined;

  constructor(private readonly options: DiscordApiOptions) {}

  /** The REST client itself, for the Gateway manager (it reads `GET /gateway/bot` through it). */
  rest(): Promise<RestClient> {
    if (!this.client) {
      const client = this.build();
      this.client = client;
      client.catch(() => {
        if (this.client === client) this.client = undefined;
      });
    }
    return this.client;
  }

  /** The token, or a ConfigError naming the variable and the fix. */
  token(): string {
    const token = this.options.token()?.trim();
    if (!token) {
      throw new ConfigError(
        `Discord source "${this.options.sourceId}": environment variable ${this.options.tokenEnv} is not set — put the bot token in it `
        + '(Developer Portal → your application → Bot → Reset Token); on AWS, map it in aws.secrets',
        { sourceId: this.options.sourceId, env: this.options.tokenEnv },
      );
    }
    return token.replace(/^Bot\s+/i, '');
  }

  // ───────────────────────────── calls ─────────────────────────────

  async application(): Promise<{ id: string; flags: number; botId: string | undefined }> {
    const app = await this.get('/applications/@me', applicationSchema);
    return { id: app.id, flags: app.flags, botId: app.bot?.id };
  }

  async currentUserId(): Promise<string> {
    return (await this.get('/users/@me', currentUserSchema)).id;
  }

  /** Every guild the bot is in, ascending ids (200 per page, `after`). */
  async guildIds(): Promise<string[]> {
    const ids: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await this.get('/users/@me/guilds', arrayOf(partialGuildSchema), { limit: '200', after });
      ids.push(...page.map((g) => g.id));
      if (page.length < 200) return ids;
      after = page.reduce((max, g) => (compareSnowflakes(g.id, max) > 0 ? g.id : max), page[0]!.id);
    }
  }

  guild(guildId: string): Promise<DiscordGuild> {
    return this.get(`/guilds/${guildId}`, guildSchema);
  }

  channels(guildId: string): Promise<DiscordChannel[]> {
    return this.get(`/guilds/${guildId}/channels`, arrayOf(channelSchema));
  }

  /** A guild member; undefined when the user is not in the guild (404 10007 Unknown Member). */
  async member(guildId: string, userId: string): Promise<DiscordMember | undefined> {
    return absentAsUndefined(this.get(`/guilds/${guildId}/members/${userId}`, memberSchema));
  }

  /** The guild's active threads; each the bot joined carries its `member` (Discord lists those apart, in `members`). */
  async activeThreads(guildId: string): Promise<DiscordChannel[]> {
    return withMembers(await this.get(`/guilds/${guildId}/threads/active`, threadListSchema));
  }

  /**
   * One page of a channel's archived threads: `public` and `private` by archive time descending
   * (`before` an ISO time), `joined` (private threads the bot is in) by id descending (`before` an id).
   */
  async archivedThreads(channelId: string, kind: 'public' | 'private' | 'joined', before: string | undefined, limit: number): Promise<{ threads: DiscordChannel[]; hasMore: boolean }> {
    const path: `/${string}` = kind === 'joined' ? `/channels/${channelId}/users/@me/threads/archived/private` : `/channels/${channelId}/threads/archived/${kind}`;
    const page = await this.get(path, threadListSchema, { before, limit: String(Math.max(2, limit)) });
    return { threads: withMembers(page), hasMore: page.has_more === true };
  }

  /**
   * A private thread's members' user ids, all at once (API v10 pages this list only with
   * `with_member`); undefined when Discord refuses (it needs the GUILD_MEMBERS intent).
   */
  async threadMembers(threadId: string): Promise<string[] | undefined> {
    try {
      const members = await this.get(`/channels/${threadId}/thread-members`, arrayOf(threadMemberSchema));
      return members.map((m) => m.user_id).filter((u): u is string => u !== undefined);
    } catch (error) {
      if (error instanceof DiscordAccessError || error instanceof ProviderNotFoundError) return undefined;
      throw error;
    }
  }

  /** The channel, or undefined when Discord no longer has it (404 10003). */
  channel(channelId: string): Promise<DiscordChannel | undefined> {
    return absentAsUndefined(this.get(`/channels/${channelId}`, channelSchema));
  }

  /** Up to `limit` messages right after `after`, oldest first (Discord answers newest first). */
  async messagesAfter(channelId: string, after: string, limit: number): Promise<DiscordMessage[]> {
    const page = await this.get(`/channels/${channelId}/messages`, arrayOf(messageSchema), { after, limit: String(limit) });
    this.stats.messages += page.length;
    return page.sort((a, b) => compareSnowflakes(a.id, b.id));
  }

  /** One message, or undefined when it was deleted (404 10008). */
  async message(channelId: string, messageId: string): Promise<DiscordMessage | undefined> {
    const message = await absentAsUndefined(this.get(`/channels/${channelId}/messages/${messageId}`, messageSchema));
    if (message) this.stats.messages += 1;
    return message;
  }

  // ───────────────────────────── transport ─────────────────────────────

  private async get<S extends z.ZodType>(path: `/${string}`, schema: S, query: Query = {}): Promise<z.output<S>> {
    const rest = await this.rest();
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, value);
    const details = { sourceId: this.options.sourceId, provider: 'Discord', method: 'GET', path };
    this.stats.requests += 1;
    let body: unknown;
    try {
      body = await rest.get(path, { query: params });
    } catch (error) {
      throw await this.mapError(error, details);
    }
    const parsed = schema.safeParse(body);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    throw new ProviderResponseError(
      `Discord source "${this.options.sourceId}": GET ${path} answered with an unexpected body (${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'})`,
      { ...details, status: 200 },
    );
  }

  private async mapError(error: unknown, details: ProviderErrorDetails): Promise<Error> {
    const { DiscordAPIError, HTTPError, RateLimitError } = await import('@discordjs/rest');
    const where = `Discord source "${this.options.sourceId}": GET ${details.path}`;
    if (error instanceof DiscordAPIError) {
      const code = typeof error.code === 'number' ? error.code : undefined;
      const raw = error.rawError as { message?: string; error?: string };
      const said = `${raw.message ?? raw.error ?? error.message}${code !== undefined && code !== 0 ? ` (${code})` : ''}`;
      const at = { ...details, status: error.status, cause: error };
      if (error.status === 401) {
        return new ProviderAuthError(`${where} was refused: ${said} — check that ${this.options.tokenEnv} holds the bot token (Developer Portal → your application → Bot → Reset Token)`, at);
      }
      if (error.status === 403) return new DiscordAccessError(`${where} was refused: ${said}`, { ...at, ...(code !== undefined ? { code } : {}) });
      if (error.status === 404) return new ProviderNotFoundError(`${where}: ${said}`, at);
      if (error.status >= 500 || error.status === 408) return new TransientError(`${where} failed with ${error.status}: ${said}`, { cause: error, context: { ...details } });
      return new ProviderRequestError(`${where} was refused (${error.status}): ${said}`, at);
    }
    if (error instanceof RateLimitError) {
      return new TransientError(
        `${where}: Discord asked to wait ${Math.round(error.retryAfter / 1000)} s (${error.scope} rate limit), more than maxRateLimitWaitMs ${this.options.maxRateLimitWaitMs} ms; a later run resumes`,
        { cause: error, context: { ...details, retryAfterMs: error.retryAfter } },
      );
    }
    if (error instanceof HTTPError) return new TransientError(`${where} failed with ${error.status} after ${this.options.retries} retries`, { cause: error, context: { ...details } });
    if (error instanceof ConfigError) return error;
    return new TransientError(`${where} failed: ${errorMessage(error)}`, { cause: error, context: { ...details } });
  }

  private async build(): Promise<RestClient> {
    const token = this.token();
    const { REST, RESTEvents } = await import('@discordjs/rest');
    const maxWait = this.options.maxRateLimitWaitMs;
    const rest = new REST({
      api: this.options.apiUrl.replace(/\/+$/, ''), version: '10', retries: this.options.retries, timeout: this.options.timeoutMs,
      // Waits up to the cap are slept through by the library (per bucket); a longer one fails the request.
      rejectOnRateLimit: (limit) => limit.retryAfter > maxWait,
    }).setToken(token);
    rest.on(RESTEvents.RateLimited, () => {
      this.stats.rateLimited += 1;
    });
    return rest;
  }
}

function withMembers(list: z.output<typeof threadListSchema>): DiscordChannel[] {
  const joined = new Map(list.members.filter((m) => m.id !== undefined).map((m) => [m.id!, m]));
  return list.threads.map((t) => (t.member === undefined && joined.has(t.id) ? { ...t, member: joined.get(t.id)! } : t));
}

function arrayOf<S extends z.ZodType>(schema: S): z.ZodArray<S> {
  return z.array(schema);
}

async function absentAsUndefined<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof ProviderNotFoundError) return undefined;
    throw error;
  }
}
