/**
 * The Bot API over loopback HTTP (fastify), `http://127.0.0.1:<port>/bot<token>/<method>` in the
 * shape of https://api.telegram.org/bot<token>/<method>. Sources: core.telegram.org/bots/api and
 * the server, tdlib/telegram-bot-api (snapshot 01a3679, May 2026):
 *
 * - Transport: GET query or POST (JSON or urlencoded); method names are case-insensitive
 *   ("All methods in the Bot API are case-insensitive"). Answers `{ok:true,result[,description]}`
 *   or `{ok:false,error_code,description[,parameters]}` with the HTTP status = error_code.
 * - Tokens: malformed (no ':', leading '0', a '/', > 80 chars) → 401 "Unauthorized: invalid token
 *   specified" (ClientManager.cpp ~L76); well-formed but unknown → 401 "Unauthorized". Unknown
 *   method → 404 "Not Found: method not found" (Client.cpp ~L12664).
 * - 429: "Too Many Requests: retry after N" with `parameters.retry_after` (Client.cpp ~L61), here
 *   injected with `rateLimit()`; setWebhook with a URL more than once a second answers it for real
 *   (`next_allowed_set_webhook_time_`, ~L15734).
 * - setWebhook (~L15726, L15998): drop_pending_updates clears the queue first; "Bad Request:
 *   invalid webhook URL specified"; "Bad Request: secret token is too long" (> 256); "Bad Request:
 *   secret token contains unallowed characters" (outside A-Z a-z 0-9 _ -); an unchanged webhook
 *   answers "Webhook is already set"; success "Webhook was set"; url "" deletes. HTTP URLs and
 *   ports other than 80/88/443/8443 are refused with "Bad Request: bad webhook: An HTTPS URL must
 *   be provided for webhook" / "…: Webhook can be set up only on ports 80, 88, 443 or 8443"
 *   (WebhookActor.cpp ~L705) unless the server runs with --local, as this emulator does by
 *   default (`localMode`) so a loopback receiver can be used.
 * - deleteWebhook: "Webhook was deleted" / "Webhook is already deleted".
 * - getUpdates (~L15700, L16321): 409 "Conflict: can't use getUpdates method while webhook is
 *   active; use deleteWebhook to delete the webhook first"; offset confirms every update below it,
 *   a negative offset keeps only the last -offset; limit 1-100 (default 100); timeout 0-50 s long
 *   poll; a second poll ends the waiting one with 409 "Conflict: terminated by other getUpdates
 *   request; make sure that only one bot instance is running" (and setWebhook with "Conflict:
 *   terminated by setWebhook request"). allowed_updates applies to updates created afterwards.
 * - getChat → ChatFullInfo; "Bad Request: chat not found" for chats the bot is not in.
 * - What the Bot API does NOT deliver: deletions (there is no update for a deleted message in a
 *   chat; only `deleted_business_messages` for business accounts), history from before the bot
 *   joined, messages older than 24 h, the bot's own messages, messages of other bots ("bots will
 *   not be able to see messages from other bots regardless of mode", core.telegram.org/bots/faq),
 *   and in groups with privacy mode on (the default) anything but commands, @mentions of the bot,
 *   replies to the bot and service messages (core.telegram.org/bots/features#privacy-mode). There
 *   is no method to read a chat's history.
 */

import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { AddressInfo } from 'node:net';
import { botChat, botMessage, botUser } from './bot-shapes.ts';
import type { BotChatFullInfo, BotUpdate, UpdateKind, WebhookInfo } from './bot-types.ts';
import { UpdateQueue } from './webhook.ts';
import { botChatId, TelegramWorld, type ChatRecord, type StoredMessage, type WorldEvent } from './world.ts';

export interface BotApiOptions {
  /** Defaults to a token for `world.bot`. */
  readonly token?: string;
  readonly world?: TelegramWorld;
  /** Emulated clock (epoch ms) when no world is given. */
  readonly now?: () => number;
  /** Privacy mode (BotFather default on): groups deliver only commands/mentions/replies/service. */
  readonly privacyMode?: boolean;
  /** Accept http:// and any port for webhooks, as `telegram-bot-api --local` does. @default true */
  readonly localMode?: boolean;
  /** Real ms per emulated second of retry delay. @default 0 */
  readonly msPerSecond?: number;
  readonly random?: () => number;
  /** Deliver one queue per chat in parallel (the server's behaviour). @default true */
  readonly perChatOrder?: boolean;
  readonly firstUpdateId?: number;
  /** The server allows one setWebhook with a URL per second (else 429, retry after 1). @default 1000 */
  readonly setWebhookIntervalMs?: number;
}

export interface BotCall {
  readonly method: string;
  readonly args: Readonly<Record<string, unknown>>;
  readonly status: number;
}

class BotError extends Error {
  constructor(readonly code: number, readonly description: string, readonly parameters?: { retry_after: number }) {
    super(description);
  }
}

const ALL_KINDS: readonly UpdateKind[] = ['message', 'edited_message', 'channel_post', 'edited_channel_post'];

export class BotApiEmulator {
  /** Base URL; the Bot API root is `${url}/bot${token}/`. */
  url = '';
  readonly world: TelegramWorld;
  readonly token: string;
  readonly calls: BotCall[] = [];
  readonly queue: UpdateQueue;
  private readonly server: FastifyInstance;
  private readonly privacyMode: boolean;
  private readonly localMode: boolean;
  private nextUpdateId: number;
  private allowed: readonly string[] = ALL_KINDS;
  private limits: Array<{ method: string | undefined; count: number; retryAfter: number }> = [];
  private poll: { cancel: (e: BotError) => void } | undefined;
  private nextSetWebhookAt = 0;
  private readonly setWebhookIntervalMs: number;

  private constructor(options: BotApiOptions) {
    this.world = options.world ?? new TelegramWorld(options.now ?? (() => Date.now()));
    this.token = options.token ?? `${this.world.bot.id}:AAHemulatedTokenForTests_0123456789ab`;
    this.privacyMode = options.privacyMode ?? true;
    this.localMode = options.localMode ?? true;
    this.nextUpdateId = options.firstUpdateId ?? 254106301;
    this.setWebhookIntervalMs = options.setWebhookIntervalMs ?? 1000;
    this.queue = new UpdateQueue({
      unixNow: () => this.world.unixNow(), msPerSecond: options.msPerSecond ?? 0, random: options.random ?? Math.random,
      perChatOrder: options.perChatOrder ?? true,
    });
    this.world.onEvent((e) => this.onWorld(e));
    this.server = Fastify();
    this.server.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });
    this.server.all('/*', (req, reply) => this.handle(req, reply));
  }

  static async start(options: BotApiOptions = {}): Promise<BotApiEmulator> {
    const emulator = new BotApiEmulator(options);
    await emulator.server.listen({ port: 0, host: '127.0.0.1' });
    emulator.url = `http://127.0.0.1:${(emulator.server.server.address() as AddressInfo).port}`;
    return emulator;
  }

  /** `${url}/bot${token}/` — what a client takes as its API root. */
  get apiRoot(): string {
    return `${this.url}/bot${this.token}/`;
  }

  async close(): Promise<void> {
    this.poll?.cancel(new BotError(409, 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running'));
    await this.queue.stop();
    await this.server.close();
  }

  /** The next `count` calls (of `method`, or any) answer 429 with `retry_after`. */
  rateLimit(count: number, retryAfter: number, method?: string): void {
    this.limits.push({ method: method?.toLowerCase(), count, retryAfter });
  }

  /** Resolves when every pending update was delivered (or expired) to the webhook. */
  async flushWebhook(): Promise<void> {
    await this.queue.idle();
  }

  count(method: string): number {
    return this.calls.filter((c) => c.method === method.toLowerCase()).length;
  }

  // ───────────────────────────── updates ─────────────────────────────

  private onWorld(e: WorldEvent): void {
    if (e.kind === 'delete') return; // the Bot API has no update for a deleted message
    const { chat, message } = e;
    if (!this.visible(chat, message)) return;
    const edited = e.kind === 'edit';
    const kind: UpdateKind = chat.kind === 'channel' ? (edited ? 'edited_channel_post' : 'channel_post') : edited ? 'edited_message' : 'message';
    if (!this.allowed.includes(kind)) return;
    const date = message.editDate ?? message.date;
    if (date <= this.world.unixNow() - 86400) return;
    const update: BotUpdate = { update_id: this.nextUpdateId++, [kind]: botMessage(this.world, chat, message) };
    this.queue.push(update, kind, botChatId(chat), date);
  }

  private visible(chat: ChatRecord, m: StoredMessage): boolean {
    if (!chat.botMember || !m.botSaw || m.service?.kind === 'created') return false;
    if (m.sender.kind === 'user') {
      if (m.sender.userId === this.world.bot.id && !m.service) return false;
      if (m.sender.userId !== this.world.bot.id && this.world.person(m.sender.userId).isBot) return false;
    }
    if ((chat.kind === 'group' || chat.kind === 'supergroup') && this.privacyMode && !chat.botIsAdmin) {
      const username = `@${this.world.bot.username ?? ''}`.toLowerCase();
      const command = m.entities.some((x) => x.type === 'bot_command');
      const mention = m.entities.some((x) => x.type === 'mention' && m.text.slice(x.offset, x.offset + x.length).toLowerCase() === username);
      const replied = m.replyTo ? chat.messages.get(m.replyTo.messageId) : undefined;
      const replyToBot = replied?.sender.kind === 'user' && replied.sender.userId === this.world.bot.id;
      return Boolean(m.service) || command || mention || replyToBot;
    }
    return true;
  }

  // ───────────────────────────── HTTP ─────────────────────────────

  private async handle(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const match = /^\/bot([^/]*)\/([A-Za-z]+)$/.exec(req.url.split('?')[0] ?? '');
    const args: Record<string, unknown> = { ...(req.query as Record<string, unknown>), ...(typeof req.body === 'object' && req.body ? (req.body as Record<string, unknown>) : {}) };
    const method = (match?.[2] ?? '').toLowerCase();
    const send = (status: number, body: unknown): void => {
      this.calls.push({ method, args, status });
      void reply.code(status).header('content-type', 'application/json').send(JSON.stringify(body));
    };
    try {
      if (!match) throw new BotError(404, 'Not Found');
      const token = decodeURIComponent(match[1]!);
      if (token === '' || token[0] === '0' || token.length > 80 || !token.includes(':')) throw new BotError(401, 'Unauthorized: invalid token specified');
      if (token !== this.token) throw new BotError(401, 'Unauthorized');
      const limit = this.limits.find((l) => l.count > 0 && (l.method === undefined || l.method === method));
      if (limit) {
        limit.count -= 1;
        throw new BotError(429, `Too Many Requests: retry after ${limit.retryAfter}`, { retry_after: limit.retryAfter });
      }
      const { result, description } = await this.dispatch(method, args);
      send(200, { ok: true, result, ...(description ? { description } : {}) });
    } catch (error) {
      if (!(error instanceof BotError)) throw error;
      send(error.code, { ok: false, error_code: error.code, description: error.description, ...(error.parameters ? { parameters: error.parameters } : {}) });
    }
  }

  private async dispatch(method: string, args: Record<string, unknown>): Promise<{ result: unknown; description?: string }> {
    switch (method) {
      case 'getme':
        return {
          result: {
            ...botUser(this.world.bot), can_join_groups: true, can_read_all_group_messages: !this.privacyMode,
            supports_inline_queries: false, can_connect_to_business: false, has_main_web_app: false,
          },
        };
      case 'setwebhook':
      case 'deletewebhook':
        return this.setWebhook(method, args);
      case 'getwebhookinfo':
        return { result: this.webhookInfo() };
      case 'getupdates':
        return { result: await this.getUpdates(args) };
      case 'getchat':
        return { result: this.chatInfo(args['chat_id']) };
      default:
        throw new BotError(404, 'Not Found: method not found');
    }
  }

  private setWebhook(method: string, args: Record<string, unknown>): { result: true; description: string } {
    const url = method === 'setwebhook' ? String(args['url'] ?? '') : '';
    const secret = url ? String(args['secret_token'] ?? '') : '';
    const maxConnections = url ? Math.min(100, Math.max(1, Number(args['max_connections'] ?? 40) || 40)) : 0;
    const drop = isTrue(args['drop_pending_updates']);
    if (url) {
      if (Date.now() < this.nextSetWebhookAt) throw new BotError(429, 'Too Many Requests: retry after 1', { retry_after: 1 });
      this.nextSetWebhookAt = Date.now() + this.setWebhookIntervalMs;
    }
    const current = this.queue.webhookConfig;
    this.updateAllowed(args['allowed_updates']);
    if ((current?.url ?? '') === url && (current?.secretToken ?? '') === secret && (current?.maxConnections ?? 0) === maxConnections && !drop) {
      return { result: true, description: url ? 'Webhook is already set' : 'Webhook is already deleted' };
    }
    if (drop) this.queue.clear();
    if (!url) {
      this.queue.setWebhook(undefined);
      return { result: true, description: current ? 'Webhook was deleted' : 'Webhook is already deleted' };
    }
    let parsed: URL;
    try {
      parsed = new URL(/^[a-z]+:\/\//i.test(url) ? url : `https://${url}`);
    } catch {
      throw new BotError(400, 'Bad Request: invalid webhook URL specified');
    }
    if (secret.length > 256) throw new BotError(400, 'Bad Request: secret token is too long');
    if (!/^[A-Za-z0-9_-]*$/.test(secret)) throw new BotError(400, 'Bad Request: secret token contains unallowed characters');
    if (!this.localMode) {
      if (parsed.protocol !== 'https:') throw new BotError(400, 'Bad Request: bad webhook: An HTTPS URL must be provided for webhook');
      if (!['', '80', '88', '443', '8443'].includes(parsed.port)) throw new BotError(400, 'Bad Request: bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443');
    }
    this.poll?.cancel(new BotError(409, 'Conflict: terminated by setWebhook request'));
    this.queue.setWebhook({ url: parsed.toString(), secretToken: secret, maxConnections });
    return { result: true, description: 'Webhook was set' };
  }

  private webhookInfo(): WebhookInfo {
    const hook = this.queue.webhookConfig;
    return {
      url: hook?.url ?? '', has_custom_certificate: false, pending_update_count: this.queue.live().length,
      ...(this.queue.lastErrorDate !== undefined ? { last_error_date: this.queue.lastErrorDate, last_error_message: this.queue.lastErrorMessage! } : {}),
      ...(hook ? { max_connections: hook.maxConnections, ip_address: '127.0.0.1' } : {}),
      ...(this.allowed !== ALL_KINDS ? { allowed_updates: [...this.allowed] } : {}),
    };
  }

  private async getUpdates(args: Record<string, unknown>): Promise<BotUpdate[]> {
    if (this.queue.webhookConfig) {
      throw new BotError(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
    }
    const offset = Math.trunc(Number(args['offset'] ?? 0)) || 0;
    const limit = Math.min(100, Math.max(1, Math.trunc(Number(args['limit'] ?? 100)) || 100));
    const timeout = Math.min(50, Math.max(0, Math.trunc(Number(args['timeout'] ?? 0)) || 0));
    this.updateAllowed(args['allowed_updates']);
    const take = (): BotUpdate[] => {
      const live = this.queue.live();
      if (offset < 0) live.splice(0, Math.max(0, live.length + offset));
      else if (offset > 0) this.queue.forgetBefore(offset);
      return this.queue.live().slice(0, limit).map((q) => q.update);
    };
    this.poll?.cancel(new BotError(409, 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running'));
    let found = take();
    if (found.length > 0 || timeout === 0) return found;
    const deadline = Date.now() + timeout * 1000;
    let cancelled: BotError | undefined;
    const me = { cancel: (e: BotError) => { cancelled = e; this.queue.notify(); } };
    this.poll = me;
    try {
      while (found.length === 0 && Date.now() < deadline && !cancelled) {
        await this.queue.nextChange(deadline - Date.now());
        if (!cancelled) found = take();
      }
    } finally {
      if (this.poll === me) this.poll = undefined;
    }
    if (cancelled) throw cancelled;
    return found;
  }

  private updateAllowed(value: unknown): void {
    if (value === undefined || value === null || value === '') return;
    const list = (typeof value === 'string' ? JSON.parse(value) : value) as string[];
    this.allowed = list.length === 0 ? ALL_KINDS : list;
  }

  private chatInfo(chatId: unknown): BotChatFullInfo {
    const wanted = String(chatId ?? '');
    const chat = [...this.world.chats.values()].find((c) => c.botMember && (String(botChatId(c.kind === 'private' ? { id: this.world.me.id, kind: 'private' } : c)) === wanted || (c.username && `@${c.username}`.toLowerCase() === wanted.toLowerCase())));
    if (!chat) throw new BotError(400, 'Bad Request: chat not found');
    const pinned = [...chat.messages.values()].reverse().find((m) => m.service?.kind === 'pinned_message');
    const pinnedTarget = pinned?.service?.kind === 'pinned_message' ? chat.messages.get(pinned.service.messageId) : undefined;
    return {
      ...botChat(this.world, chat), accent_color_id: chat.id % 7, max_reaction_count: 11,
      accepted_gift_types: { unlimited_gifts: false, limited_gifts: false, unique_gifts: false, premium_subscription: false },
      ...(pinnedTarget && pinnedTarget.botSaw ? { pinned_message: botMessage(this.world, chat, pinnedTarget) } : {}),
    };
  }
}

function isTrue(value: unknown): boolean {
  return value === true || value === 'true' || value === '1' || value === 1;
}
