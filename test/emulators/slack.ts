import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mulberry32 } from '../../examples/generate-corpus.ts';

/**
 * Loopback emulator of the Slack Web API methods the Slack connector calls, written from
 * Slack's published method reference:
 *
 * - `POST /api/<method>`, arguments as `application/x-www-form-urlencoded` or JSON (what
 *   `@slack/web-api` sends); the token as `Authorization: Bearer …` or a `token` argument.
 *   A wrong or missing token answers `{ok:false, error:"invalid_auth"}` / `not_authed`.
 * - Every answer is HTTP 200 with `{ok:true,…}` or `{ok:false,error}`, except rate limiting:
 *   HTTP 429, `Retry-After: <seconds>`, body `{ok:false,error:"ratelimited"}`.
 * - Cursor pagination: `limit` (default 100; history/replies at most 999, lists at most 1000),
 *   `cursor`, and `response_metadata.next_cursor` ("" on the last page); history also
 *   answers `has_more`. A cursor this server did not issue is `invalid_cursor`.
 * - `auth.test`, `users.conversations` (the bot's channels; `types`, `exclude_archived`),
 *   `conversations.list`, `conversations.history` (`oldest`/`latest`/`inclusive`, newest
 *   first, top-level messages and thread broadcasts only, parents carrying `reply_count`,
 *   `latest_reply`, `thread_ts`), `conversations.replies` (`ts` of a parent or any reply: the
 *   whole thread, parent first), `conversations.info`, `users.info`.
 * - Errors: `channel_not_found`, `not_in_channel` (the bot is not a member), `thread_not_found`,
 *   `user_not_found`, `invalid_cursor`, `unknown_method`.
 * - Deleting a parent that has replies leaves Slack's tombstone (`subtype: "tombstone"`).
 *
 * Test controls (in process): users and channels, post/edit/delete messages with realistic ts
 * values (each returns the Events API envelope Slack would send), rename a channel, rate
 * limiting (`rateLimit`: a seeded share of calls, or `failNext` for a burst), call counters.
 * {@link signSlackRequest} signs an Events API request the way Slack does (v0).
 */

export interface EmulatedUser {
  readonly id: string;
  readonly name: string;
  readonly realName?: string;
  readonly displayName?: string;
}

interface StoredMessage {
  type: 'message';
  ts: string;
  user?: string;
  bot_id?: string;
  username?: string;
  subtype?: string;
  text: string;
  thread_ts?: string;
  edited?: { user: string; ts: string };
}

interface Channel {
  id: string;
  name: string;
  created: number;
  isPrivate: boolean;
  member: boolean;
  archived: boolean;
  messages: Map<string, StoredMessage>;
}

export interface RateLimitMode {
  /** Share of calls (0..1) answered 429, drawn from a seeded generator. */
  readonly share: number;
  /** `Retry-After` seconds sent with each 429. @default 0 */
  readonly retryAfterSeconds?: number;
  /** Only these methods are limited. @default all */
  readonly methods?: readonly string[];
  /** @default 1 */
  readonly seed?: number;
}

export interface SlackEmulatorOptions {
  /** The bot token the server accepts. @default 'xoxb-emulator' */
  readonly token?: string;
  /** Clock for new message ts values (epoch ms). @default Date.now */
  readonly now?: () => number;
}

/** One request as the server saw it. */
export interface RecordedCall {
  readonly method: string;
  readonly args: Readonly<Record<string, string>>;
  readonly status: number;
  readonly at: number;
}

const TEAM_ID = 'T0EMULATOR';
const BOT_USER = 'UBOTEMU01';

export class SlackEmulator {
  readonly token: string;
  /** Base URL to give the client (`slackApiUrl` / the source's `apiUrl`). */
  url = '';
  readonly calls: RecordedCall[] = [];
  private readonly users = new Map<string, EmulatedUser>();
  private readonly channels = new Map<string, Channel>();
  private readonly now: () => number;
  private lastTsMicros = 0n;
  private eventSeq = 0;
  private limit: (RateLimitMode & { rng: () => number }) | undefined;
  private readonly bursts = new Map<string, { count: number; retryAfterSeconds: number }>();
  private readonly refusals: Array<{ method: string; error: string; when: (args: Readonly<Record<string, string>>) => boolean }> = [];
  private readonly server = createServer((req, res) => void this.handle(req, res));

  private constructor(options: SlackEmulatorOptions) {
    this.token = options.token ?? 'xoxb-emulator';
    this.now = options.now ?? (() => Date.now());
  }

  static async start(options: SlackEmulatorOptions = {}): Promise<SlackEmulator> {
    const emulator = new SlackEmulator(options);
    await new Promise<void>((resolve) => emulator.server.listen(0, '127.0.0.1', () => resolve()));
    const { port } = emulator.server.address() as AddressInfo;
    emulator.url = `http://127.0.0.1:${port}/api/`;
    return emulator;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ───────────────────────────── controls ─────────────────────────────

  addUser(user: EmulatedUser): void {
    this.users.set(user.id, user);
  }

  /** Renames a user's display name (what the connector shows). */
  setDisplayName(id: string, displayName: string): void {
    const user = this.users.get(id);
    if (!user) throw new Error(`no user ${id}`);
    this.users.set(id, { ...user, displayName });
  }

  addChannel(channel: { id: string; name: string; member?: boolean; isPrivate?: boolean; archived?: boolean }): void {
    this.channels.set(channel.id, {
      id: channel.id, name: channel.name, created: Math.floor(this.now() / 1000), isPrivate: channel.isPrivate ?? false,
      member: channel.member ?? true, archived: channel.archived ?? false, messages: new Map(),
    });
  }

  /**
   * Posts a message (a reply when `threadTs` is given) and returns its ts and the `message`
   * event Slack would deliver. `ts` defaults to the emulator clock (unique, increasing).
   */
  post(input: { channel: string; user?: string; text: string; ts?: string; threadTs?: string; botId?: string; username?: string; broadcast?: boolean }): { ts: string; envelope: Record<string, unknown> } {
    const channel = this.channel(input.channel);
    const ts = input.ts ?? this.nextTs();
    if (channel.messages.has(ts)) throw new Error(`ts ${ts} already used in ${input.channel}`);
    if (input.threadTs !== undefined && !channel.messages.has(input.threadTs)) throw new Error(`no thread ${input.threadTs} in ${input.channel}`);
    const message: StoredMessage = {
      type: 'message', ts, text: input.text,
      ...(input.user !== undefined ? { user: input.user } : {}),
      ...(input.botId !== undefined ? { bot_id: input.botId, subtype: 'bot_message', username: input.username ?? 'bot' } : {}),
      ...(input.threadTs !== undefined ? { thread_ts: input.threadTs } : {}),
      ...(input.broadcast ? { subtype: 'thread_broadcast' } : {}),
    };
    channel.messages.set(ts, message);
    return { ts, envelope: this.envelope({ ...message, channel: channel.id, channel_type: 'channel', event_ts: ts }) };
  }

  /** chat.update: new text, `edited` stamped; returns the `message_changed` event. */
  edit(channelId: string, ts: string, text: string): Record<string, unknown> {
    const channel = this.channel(channelId);
    const message = channel.messages.get(ts);
    if (!message) throw new Error(`no message ${ts} in ${channelId}`);
    const previous = { ...message };
    const editTs = this.nextTs();
    message.text = text;
    message.edited = { user: message.user ?? BOT_USER, ts: editTs };
    return this.envelope({
      type: 'message', subtype: 'message_changed', hidden: true, channel: channelId, ts: editTs, event_ts: editTs,
      channel_type: 'channel', message: { ...message }, previous_message: previous,
    });
  }

  /** chat.delete: a parent with replies becomes a tombstone; returns the `message_deleted` event. */
  remove(channelId: string, ts: string): Record<string, unknown> {
    const channel = this.channel(channelId);
    const message = channel.messages.get(ts);
    if (!message) throw new Error(`no message ${ts} in ${channelId}`);
    const hasReplies = [...channel.messages.values()].some((m) => m.thread_ts === ts && m.ts !== ts);
    if (hasReplies && (message.thread_ts === undefined || message.thread_ts === ts)) {
      channel.messages.set(ts, { type: 'message', ts, subtype: 'tombstone', text: 'This message was deleted.', user: 'USLACKBOT', thread_ts: ts });
    } else {
      channel.messages.delete(ts);
    }
    const eventTs = this.nextTs();
    return this.envelope({
      type: 'message', subtype: 'message_deleted', hidden: true, channel: channelId, ts: eventTs, event_ts: eventTs,
      deleted_ts: ts, channel_type: 'channel', previous_message: { ...message },
    });
  }

  /** conversations.rename; returns the `channel_rename` event. */
  rename(channelId: string, name: string): Record<string, unknown> {
    const channel = this.channel(channelId);
    channel.name = name;
    return this.envelope({ type: 'channel_rename', channel: { id: channelId, name, created: channel.created }, event_ts: this.nextTs() });
  }

  /** Answers a share of calls with 429 `ratelimited` (undefined: stop). */
  rateLimit(mode: RateLimitMode | undefined): void {
    this.limit = mode ? { ...mode, rng: mulberry32(mode.seed ?? 1) } : undefined;
  }

  /** The next `count` calls of `method` get 429 with this Retry-After. */
  failNext(method: string, count: number, retryAfterSeconds = 0): void {
    this.bursts.set(method, { count, retryAfterSeconds });
  }

  /** Answers calls of `method` whose arguments match `when` with `{ok:false, error}` (until `clearRefusals`). */
  refuse(method: string, error: string, when: (args: Readonly<Record<string, string>>) => boolean = () => true): void {
    this.refusals.push({ method, error, when });
  }

  clearRefusals(): void {
    this.refusals.length = 0;
  }

  /** Calls of `method` so far (any status). */
  count(method: string, status?: number): number {
    return this.calls.filter((c) => c.method === method && (status === undefined || c.status === status)).length;
  }

  /** Messages a channel holds now (tombstones excluded), oldest first. */
  messages(channelId: string): Array<{ ts: string; text: string; threadTs?: string }> {
    return [...this.channel(channelId).messages.values()]
      .filter((m) => m.subtype !== 'tombstone').sort((a, b) => compareTs(a.ts, b.ts))
      .map((m) => ({ ts: m.ts, text: m.text, ...(m.thread_ts !== undefined ? { threadTs: m.thread_ts } : {}) }));
  }

  // ───────────────────────────── HTTP ─────────────────────────────

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0] ?? '';
    const args = parseArgs(raw, req.headers['content-type'] ?? '', req.url ?? '');
    const send = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      this.calls.push({ method, args, status, at: Date.now() });
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(JSON.stringify(body));
    };
    const burst = this.bursts.get(method);
    if (burst && burst.count > 0) {
      burst.count -= 1;
      send(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(burst.retryAfterSeconds) });
      return;
    }
    const limit = this.limit;
    if (limit && (!limit.methods || limit.methods.includes(method)) && limit.rng() < limit.share) {
      send(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(limit.retryAfterSeconds ?? 0) });
      return;
    }
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const token = bearer ?? args['token'];
    if (!token) return send(200, { ok: false, error: 'not_authed' });
    if (token !== this.token) return send(200, { ok: false, error: 'invalid_auth' });
    const refusal = this.refusals.find((r) => r.method === method && r.when(args));
    if (refusal) return send(200, { ok: false, error: refusal.error });
    try {
      send(200, { ok: true, ...this.dispatch(method, args) });
    } catch (error) {
      if (error instanceof SlackError) send(200, { ok: false, error: error.code });
      else send(200, { ok: false, error: 'internal_error', detail: String(error) });
    }
  }

  private dispatch(method: string, args: Record<string, string>): Record<string, unknown> {
    switch (method) {
      case 'auth.test':
        return { url: 'https://emulated.slack.com/', team: 'Emulated', user: 'tributary', team_id: TEAM_ID, user_id: BOT_USER, bot_id: 'BEMU' };
      case 'users.conversations':
      case 'conversations.list': {
        const types = (args['types'] ?? 'public_channel').split(',');
        const excludeArchived = args['exclude_archived'] === 'true' || args['exclude_archived'] === '1';
        const all = [...this.channels.values()]
          .filter((c) => method === 'conversations.list' || c.member)
          .filter((c) => types.includes(c.isPrivate ? 'private_channel' : 'public_channel'))
          .filter((c) => !excludeArchived || !c.archived)
          .sort((a, b) => (a.id < b.id ? -1 : 1));
        const { items, next } = paginate(all, args, 1000, 100);
        return { channels: items.map((c) => this.channelObject(c)), response_metadata: { next_cursor: next } };
      }
      case 'conversations.info':
        return { channel: this.channelObject(this.readable(args['channel'], false)) };
      case 'users.info': {
        const user = this.users.get(args['user'] ?? '');
        if (!user) throw new SlackError('user_not_found');
        return {
          user: {
            id: user.id, team_id: TEAM_ID, name: user.name, deleted: false, real_name: user.realName ?? user.name,
            profile: { real_name: user.realName ?? user.name, display_name: user.displayName ?? '' },
          },
        };
      }
      case 'conversations.history': {
        const channel = this.readable(args['channel'], true);
        const inclusive = args['inclusive'] === 'true' || args['inclusive'] === '1';
        const oldest = args['oldest'] ?? '0';
        const latest = args['latest'];
        const inRange = (ts: string): boolean => {
          const lo = compareTs(ts, oldest);
          const hi = latest === undefined ? -1 : compareTs(ts, latest);
          return (inclusive ? lo >= 0 : lo > 0) && (inclusive ? hi <= 0 : hi < 0);
        };
        const top = [...channel.messages.values()]
          .filter((m) => m.thread_ts === undefined || m.thread_ts === m.ts || m.subtype === 'thread_broadcast')
          .filter((m) => inRange(m.ts))
          .sort((a, b) => compareTs(b.ts, a.ts));
        const { items, next } = paginate(top, args, 999, 100);
        return {
          messages: items.map((m) => this.withThreadInfo(channel, m)), has_more: next !== '',
          pin_count: 0, response_metadata: { next_cursor: next },
        };
      }
      case 'conversations.replies': {
        const channel = this.readable(args['channel'], true);
        const found = channel.messages.get(args['ts'] ?? '');
        if (!found) throw new SlackError('thread_not_found');
        const root = found.thread_ts ?? found.ts;
        const thread = [...channel.messages.values()]
          .filter((m) => m.ts === root || (m.thread_ts === root))
          .sort((a, b) => compareTs(a.ts, b.ts));
        const { items, next } = paginate(thread, args, 999, 10);
        return { messages: items.map((m) => this.withThreadInfo(channel, m)), has_more: next !== '', response_metadata: { next_cursor: next } };
      }
      default:
        throw new SlackError('unknown_method');
    }
  }

  // ───────────────────────────── internals ─────────────────────────────

  private channel(id: string): Channel {
    const channel = this.channels.get(id);
    if (!channel) throw new Error(`no channel ${id}`);
    return channel;
  }

  /** The channel if the bot may read it (history needs membership; info does not). */
  private readable(id: string | undefined, needMember: boolean): Channel {
    const channel = id === undefined ? undefined : this.channels.get(id);
    if (!channel || (channel.isPrivate && !channel.member)) throw new SlackError('channel_not_found');
    if (needMember && !channel.member) throw new SlackError('not_in_channel');
    return channel;
  }

  private channelObject(c: Channel): Record<string, unknown> {
    return {
      id: c.id, name: c.name, name_normalized: c.name, created: c.created, is_channel: !c.isPrivate, is_group: false,
      is_private: c.isPrivate, is_archived: c.archived, is_member: c.member, is_mpim: false, is_im: false,
    };
  }

  /** A parent with replies carries the thread fields history and replies show. */
  private withThreadInfo(channel: Channel, m: StoredMessage): Record<string, unknown> {
    const replies = [...channel.messages.values()].filter((r) => r.thread_ts === m.ts && r.ts !== m.ts);
    if (replies.length === 0 || (m.thread_ts !== undefined && m.thread_ts !== m.ts)) return { ...m };
    const latest = replies.map((r) => r.ts).sort(compareTs).at(-1)!;
    return {
      ...m, thread_ts: m.ts, reply_count: replies.length, reply_users_count: new Set(replies.map((r) => r.user)).size,
      reply_users: [...new Set(replies.map((r) => r.user).filter(Boolean))], latest_reply: latest,
    };
  }

  private nextTs(): string {
    const micros = BigInt(Math.floor(this.now())) * 1000n;
    this.lastTsMicros = micros > this.lastTsMicros ? micros : this.lastTsMicros + 1n;
    return `${this.lastTsMicros / 1_000_000n}.${String(this.lastTsMicros % 1_000_000n).padStart(6, '0')}`;
  }

  private envelope(event: Record<string, unknown>): Record<string, unknown> {
    this.eventSeq += 1;
    return {
      token: 'verification-token-unused', team_id: TEAM_ID, api_app_id: 'AEMULATOR', event, type: 'event_callback',
      event_id: `Ev${String(this.eventSeq).padStart(8, '0')}`, event_time: Math.floor(this.now() / 1000),
      authorizations: [{ team_id: TEAM_ID, user_id: BOT_USER, is_bot: true, is_enterprise_install: false }],
    };
  }
}

class SlackError extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

function compareTs(a: string, b: string): number {
  const [as = '0', af = '0'] = a.split('.');
  const [bs = '0', bf = '0'] = b.split('.');
  const x = BigInt(as) * 1_000_000n + BigInt(af.padEnd(6, '0').slice(0, 6));
  const y = BigInt(bs) * 1_000_000n + BigInt(bf.padEnd(6, '0').slice(0, 6));
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Offset-based cursors, opaque like Slack's (base64 of "offset:<n>"). */
function paginate<T>(all: readonly T[], args: Record<string, string>, max: number, fallback: number): { items: T[]; next: string } {
  const limit = Math.min(max, Math.max(1, Number(args['limit'] ?? fallback) || fallback));
  let offset = 0;
  if (args['cursor']) {
    const decoded = /^offset:(\d+)$/.exec(Buffer.from(args['cursor'], 'base64').toString('utf8'));
    if (!decoded) throw new SlackError('invalid_cursor');
    offset = Number(decoded[1]);
  }
  const items = all.slice(offset, offset + limit);
  const end = offset + items.length;
  return { items, next: end < all.length ? Buffer.from(`offset:${end}`).toString('base64') : '' };
}

function parseArgs(raw: string, contentType: string, url: string): Record<string, string> {
  const args: Record<string, string> = {};
  const query = url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
  for (const [k, v] of new URLSearchParams(query)) args[k] = v;
  if (contentType.includes('application/json') && raw.trim() !== '') {
    for (const [k, v] of Object.entries(JSON.parse(raw) as Record<string, unknown>)) args[k] = typeof v === 'string' ? v : JSON.stringify(v);
  } else {
    for (const [k, v] of new URLSearchParams(raw)) args[k] = v;
  }
  return args;
}

/** Headers of an Events API request signed the way Slack signs it (v0). */
export function signSlackRequest(secret: string, body: string, timestampSeconds: number): Record<string, string> {
  const signature = createHmac('sha256', secret).update(`v0:${timestampSeconds}:${body}`, 'utf8').digest('hex');
  return {
    'content-type': 'application/json',
    'x-slack-request-timestamp': String(timestampSeconds),
    'x-slack-signature': `v0=${signature}`,
  };
}

/** The `url_verification` request Slack sends when a Request URL is saved. */
export function urlVerification(challenge: string): Record<string, unknown> {
  return { token: 'verification-token-unused', challenge, type: 'url_verification' };
}
