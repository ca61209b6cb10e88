/**
 * The Web API over loopback HTTP. Sources, method by method (docs.slack.dev/reference/methods/<m>
 * for each, and the field sets of slackapi/java-slack-sdk json-logs/samples/api/<m>.json):
 *
 * - Transport: `POST /api/<method>`, form or JSON arguments, token as `Authorization: Bearer` or
 *   `token`. Every answer is HTTP 200 `{ok:true,…}` / `{ok:false,error}` except rate limiting:
 *   HTTP 429, `Retry-After: <seconds>`, `{ok:false,error:"ratelimited"}`
 *   (https://docs.slack.dev/apis/web-api/rate-limits). Missing token: `not_authed`; wrong token:
 *   `invalid_auth`; a scope the token lacks: `missing_scope` with `needed` and `provided`, and
 *   the granted scopes in `x-oauth-scopes` (https://docs.slack.dev/apis/web-api/#responses).
 * - auth.test: url, team, user, team_id, user_id, bot_id, is_enterprise_install.
 * - conversations.history: newest first, top-level messages and thread broadcasts only (replies
 *   are read with conversations.replies), `oldest`/`latest`/`inclusive`, `limit` (default 100, at
 *   most 999), `has_more`, `pin_count`, `response_metadata.next_cursor`; `channel_not_found`
 *   (unknown, or private and the bot is not in it), `not_in_channel` (public, bot not a member).
 * - conversations.replies: `ts` of the parent or of any reply gives the whole thread, parent
 *   first; `thread_not_found` for an unknown ts.
 * - conversations.list / users.conversations (the bot's channels): `types`, `exclude_archived`,
 *   cursor pagination (at most 1000). conversations.info, conversations.members.
 * - users.info / users.list: people; app bot users (`is_bot: true`, `profile.bot_id`,
 *   `profile.api_app_id`); Slackbot (USLACKBOT, `is_bot: false`); `user_not_found`.
 *   MercuryTechnologies/slack-web tests/golden/ListRsp/with_bots.json.
 * - bots.info: `bot {id, deleted, name, updated, app_id, user_id (apps only), icons}`;
 *   `bot_not_found`. team.info: `team {id, name, domain, email_domain, icon, …}`.
 */

import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { botProfile, SLACKBOT, type Wire } from './shapes.ts';
import { compareTs, isTrue, paginate, parseArgs, SlackError } from './util.ts';
import { OWN_APP, SlackWorkspace, TEAM_ID, type Channel } from './workspace.ts';

export interface SlackEmulatorOptions {
  /** The bot token the server accepts. @default 'xoxb-emulator' */
  readonly token?: string;
  /** Clock for new message ts values (epoch ms). @default Date.now */
  readonly now?: () => number;
  /** Scopes granted to the token; a call needing another answers `missing_scope`. @default all */
  readonly scopes?: readonly string[];
}

/** One request as the server saw it. */
export interface RecordedCall {
  readonly method: string;
  readonly args: Readonly<Record<string, string>>;
  readonly status: number;
  readonly at: number;
}

export class SlackEmulator extends SlackWorkspace {
  readonly token: string;
  /** Base URL to give the client (`slackApiUrl` / the source's `apiUrl`). */
  url = '';
  readonly calls: RecordedCall[] = [];
  private scopes: readonly string[] | undefined;
  private readonly server = createServer((req, res) => void this.handle(req, res));

  private constructor(options: SlackEmulatorOptions) {
    super(options.now ?? (() => Date.now()));
    this.token = options.token ?? 'xoxb-emulator';
    this.scopes = options.scopes;
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

  /** Grants exactly these scopes from now on (undefined: all). */
  setScopes(scopes: readonly string[] | undefined): void {
    this.scopes = scopes;
  }

  /** Calls of `method` so far (any status). */
  count(method: string, status?: number): number {
    return this.calls.filter((c) => c.method === method && (status === undefined || c.status === status)).length;
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
      return send(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(burst.retryAfterSeconds) });
    }
    const limit = this.limit;
    if (limit && (!limit.methods || limit.methods.includes(method)) && limit.rng() < limit.share) {
      return send(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(limit.retryAfterSeconds ?? 0) });
    }
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const token = bearer ?? args['token'];
    if (!token) return send(200, { ok: false, error: 'not_authed' });
    if (token !== this.token) return send(200, { ok: false, error: 'invalid_auth' });
    const scopeHeader: Record<string, string> = this.scopes ? { 'x-oauth-scopes': this.scopes.join(',') } : {};
    const refusal = this.refusals.find((r) => r.method === method && r.when(args));
    if (refusal) return send(200, { ok: false, error: refusal.error }, scopeHeader);
    try {
      send(200, { ok: true, ...this.dispatch(method, args) }, scopeHeader);
    } catch (error) {
      if (error instanceof SlackError) send(200, { ok: false, error: error.code, ...error.extra }, scopeHeader);
      else send(200, { ok: false, error: 'internal_error', detail: String(error) });
    }
  }

  private dispatch(method: string, args: Record<string, string>): Record<string, unknown> {
    switch (method) {
      case 'auth.test':
        return { url: 'https://emulated.slack.com/', team: 'Emulated', user: OWN_APP.name, team_id: TEAM_ID, user_id: OWN_APP.botUserId, bot_id: OWN_APP.botId, is_enterprise_install: false };
      case 'users.conversations':
      case 'conversations.list': {
        const types = (args['types'] ?? 'public_channel').split(',');
        for (const type of types) this.need(type === 'private_channel' ? 'groups:read' : 'channels:read');
        const all = [...this.channels.values()]
          .filter((c) => method === 'conversations.list' || c.member)
          .filter((c) => types.includes(c.isPrivate ? 'private_channel' : 'public_channel'))
          .filter((c) => !isTrue(args['exclude_archived']) || !c.archived)
          .sort((a, b) => (a.id < b.id ? -1 : 1));
        const { items, next } = paginate(all, args, 1000, 100);
        return { channels: items.map((c) => this.channelObject(c)), response_metadata: { next_cursor: next } };
      }
      case 'conversations.info':
        return { channel: this.channelObject(this.readable(args['channel'], false, 'read')) };
      case 'conversations.members': {
        const channel = this.readable(args['channel'], false, 'read');
        const { items, next } = paginate([...channel.members].sort(), args, 1000, 100);
        return { members: items, response_metadata: { next_cursor: next } };
      }
      case 'users.info': {
        this.need('users:read');
        return { user: this.userObject(args['user'] ?? '') };
      }
      case 'users.list': {
        this.need('users:read');
        const ids = [...this.users.keys(), ...[...this.apps.values()].map((a) => a.botUserId), SLACKBOT];
        const members = [...new Set(ids)].map((id) => this.userObject(id));
        const { items, next } = Number(args['limit'] ?? 0) > 0 ? paginate(members, args, 1000, 0) : { items: members, next: '' };
        return { members: items, cache_ts: Math.floor(this.now() / 1000), response_metadata: { next_cursor: next } };
      }
      case 'bots.info': {
        this.need('users:read');
        return { bot: this.botObject(args['bot'] ?? '') };
      }
      case 'team.info':
        this.need('team:read');
        return {
          team: {
            id: TEAM_ID, name: 'Emulated', url: 'https://emulated.slack.com/', domain: 'emulated', email_domain: '', is_verified: false,
            icon: { image_34: 'https://a.slack-edge.com/80588/img/avatars-teams/ava_0001-34.png', image_default: true },
          },
        };
      case 'conversations.history':
        return this.history(args);
      case 'conversations.replies': {
        const channel = this.readable(args['channel'], true, 'history');
        const found = channel.messages.get(args['ts'] ?? '');
        if (!found) throw new SlackError('thread_not_found');
        const root = (found['thread_ts'] as string | undefined) ?? (found['ts'] as string);
        const parent = channel.messages.get(root);
        const thread = [...(parent ? [parent] : []), ...this.replies(channel, root)];
        const { items, next } = paginate(thread, args, 999, 10);
        return { messages: items.map((m) => this.view(channel, m, 'history')), has_more: next !== '', response_metadata: { next_cursor: next } };
      }
      default:
        throw new SlackError('unknown_method');
    }
  }

  private history(args: Record<string, string>): Record<string, unknown> {
    const channel = this.readable(args['channel'], true, 'history');
    const inclusive = isTrue(args['inclusive']);
    const oldest = args['oldest'] ?? '0';
    const latest = args['latest'];
    const inRange = (ts: string): boolean => {
      const lo = compareTs(ts, oldest);
      const hi = latest === undefined ? -1 : compareTs(ts, latest);
      return (inclusive ? lo >= 0 : lo > 0) && (inclusive ? hi <= 0 : hi < 0);
    };
    const top = [...channel.messages.values()]
      .filter((m) => m['thread_ts'] === undefined || m['thread_ts'] === m['ts'] || m['subtype'] === 'thread_broadcast')
      .filter((m) => inRange(m['ts'] as string))
      .sort((a, b) => compareTs(b['ts'] as string, a['ts'] as string));
    const { items, next } = paginate(top, args, 999, 100);
    return {
      messages: items.map((m) => this.view(channel, m, 'history')), has_more: next !== '',
      pin_count: 0, response_metadata: { next_cursor: next },
    };
  }

  // ───────────────────────────── internals ─────────────────────────────

  private need(scope: string): void {
    if (this.scopes && !this.scopes.includes(scope)) throw new SlackError('missing_scope', { needed: scope, provided: this.scopes.join(',') });
  }

  /** The channel if the bot may read it (history needs membership; info does not). */
  private readable(id: string | undefined, needMember: boolean, access: 'read' | 'history'): Channel {
    const channel = id === undefined ? undefined : this.channels.get(id);
    this.need(`${channel?.isPrivate ? 'groups' : 'channels'}:${access}`);
    if (!channel || (channel.isPrivate && !channel.member)) throw new SlackError('channel_not_found');
    if (needMember && !channel.member) throw new SlackError('not_in_channel');
    return channel;
  }

  private channelObject(c: Channel): Record<string, unknown> {
    const creator = [...c.members][0] ?? OWN_APP.botUserId;
    return {
      id: c.id, name: c.name, name_normalized: c.name, created: c.created, creator, is_channel: !c.isPrivate, is_group: false,
      is_private: c.isPrivate, is_archived: c.archived, is_general: false, is_member: c.member, is_mpim: false, is_im: false,
      is_shared: false, is_ext_shared: false, is_org_shared: false,
      topic: { value: c.topic, creator: c.topic ? creator : '', last_set: 0 },
      purpose: { value: c.purpose, creator: c.purpose ? creator : '', last_set: 0 },
    };
  }

  private userObject(id: string): Record<string, unknown> {
    const flags = { is_admin: false, is_owner: false, is_primary_owner: false, is_restricted: false, is_ultra_restricted: false };
    const updated = 1502138686;
    const person = this.users.get(id);
    if (person) {
      const realName = person.realName ?? person.name;
      const displayName = person.displayName ?? '';
      return {
        id, team_id: TEAM_ID, name: person.name, deleted: false, color: '9f69e7', real_name: realName, tz: 'UTC', tz_label: 'Coordinated Universal Time', tz_offset: 0,
        profile: { real_name: realName, real_name_normalized: realName, display_name: displayName, display_name_normalized: displayName, team: TEAM_ID },
        ...flags, is_bot: false, is_app_user: false, updated,
      };
    }
    const app = [...this.apps.values()].find((a) => a.botUserId === id);
    if (app) {
      return {
        id, team_id: TEAM_ID, name: app.name.toLowerCase().replace(/\s+/g, '_'), deleted: false, color: '757575', real_name: app.name,
        profile: { real_name: app.name, real_name_normalized: app.name, display_name: '', display_name_normalized: '', bot_id: app.botId, api_app_id: app.appId, always_active: true, team: TEAM_ID },
        ...flags, is_bot: true, is_app_user: false, updated,
      };
    }
    if (id === SLACKBOT) {
      return {
        id, team_id: TEAM_ID, name: 'slackbot', deleted: false, color: '757575', real_name: 'Slackbot',
        profile: { real_name: 'Slackbot', real_name_normalized: 'Slackbot', display_name: 'Slackbot', display_name_normalized: 'Slackbot', always_active: true, team: TEAM_ID },
        ...flags, is_bot: false, is_app_user: false, updated: 0,
      };
    }
    throw new SlackError('user_not_found');
  }

  private botObject(botId: string): Wire {
    const app = [...this.apps.values()].find((a) => a.botId === botId);
    if (app) {
      const { team_id: _team, ...profile } = botProfile(app, TEAM_ID);
      return { ...profile, user_id: app.botUserId };
    }
    const integration = this.integrations.get(botId);
    if (!integration) throw new SlackError('bot_not_found');
    return {
      id: botId, deleted: false, name: integration.name, updated: 1446819626, ...(integration.appId !== undefined ? { app_id: integration.appId } : {}),
      icons: { image_36: 'https://a.slack-edge.com/80588/img/services/bots_36.png', image_48: 'https://a.slack-edge.com/80588/img/services/bots_48.png', image_72: 'https://a.slack-edge.com/80588/img/services/bots_72.png' },
    };
  }
}
