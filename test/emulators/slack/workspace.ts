/**
 * The emulated workspace: people, apps, integrations, channels and their messages, the seeding
 * controls tests call, and the read views (history/replies/events) Slack would answer with.
 * Message shapes come from shapes.ts (sources listed there); what this file adds is Slack's
 * behaviour around them:
 *
 * - Threads: a parent carries `thread_ts`, `reply_count`, `reply_users_count`, `latest_reply`,
 *   `reply_users`, `is_locked` (+ `subscribed` in Web API reads); replies carry `thread_ts` and
 *   `parent_user_id`. A reply's Events API delivery is a plain message with `thread_ts`
 *   (docs.slack.dev reference/events/message/message_replied, "Bug alert").
 * - Edits (chat.update): `message_changed`, `hidden: true`, `message` (new, with `edited {user,
 *   ts}`; `edited.ts` whole seconds) and `previous_message` — docs.slack.dev
 *   reference/events/message/message_changed and the captured edits quoted in samples.ts.
 * - Deleting a message without replies: `message_deleted` with `deleted_ts` and
 *   `previous_message`; it is gone from history (docs …/message_deleted; MercuryTechnologies/
 *   slack-web …/message_deleted.json).
 * - Deleting a parent that has replies: Slack keeps a tombstone and says so with a
 *   `message_changed` whose `message` is the tombstone — not `message_deleted` (a captured
 *   thread-root deletion quoted in samples.ts; 42wim/matterbridge#600). History and replies then
 *   return the tombstone first (hackclub/toriel#238; microsoft/vscode-github-triage-actions#78).
 *   The replies stay; Slack replays them as edits (42wim/matterbridge#1959): here each gets a
 *   `message_changed` and `parent_user_id` "USLACKBOT" (the tombstone's own parent_user_id) —
 *   inferred, no capture of those replayed events was found.
 * - Deleting the last reply under a tombstone removes the tombstone too: a second
 *   `message_deleted` whose `previous_message` is the tombstone with `reply_count: 0`,
 *   `latest_reply: "0000000000.000000"` (slack-edge/slack-edge#10, a captured event).
 * - Renaming a channel sends `channel_rename` and posts a `channel_name` message
 *   (docs …/events/channel_rename, …/events/message/channel_name).
 */

import { mulberry32 } from '../../../examples/generate-corpus.ts';
import { envelope } from './events.ts';
import {
  appMessage, asBroadcast, authorOf, channelJoin, channelLeave, channelName, channelPurpose, channelTopic, editorOf, fileObject,
  fileShareMessage, legacyBotMessage, meMessage, personMessage, richText, SLACKBOT, tombstone, webhookMessage, workflowMessage,
  type EmulatedApp, type EmulatedFile, type EmulatedIntegration, type ReplyOf, type Wire,
} from './shapes.ts';
import { compareTs, formatTs } from './util.ts';

export interface EmulatedUser {
  readonly id: string;
  readonly name: string;
  readonly realName?: string;
  readonly displayName?: string;
}

export interface Channel {
  id: string;
  name: string;
  created: number;
  isPrivate: boolean;
  /** Whether the emulator's own bot user is a member. */
  member: boolean;
  archived: boolean;
  members: Set<string>;
  topic: string;
  purpose: string;
  messages: Map<string, Wire>;
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

/** Where a post goes: a channel, optionally a thread (`threadTs`), optionally broadcast to the channel. */
export interface Placement {
  readonly channel: string;
  readonly text: string;
  /** @default the emulator clock (unique, increasing) */
  readonly ts?: string;
  readonly threadTs?: string;
  /** With `threadTs`: "Also send to #channel" (`thread_broadcast`). */
  readonly broadcast?: boolean;
}

export interface Posted {
  readonly ts: string;
  /** The Events API payload Slack would deliver for this post. */
  readonly envelope: Record<string, unknown>;
}

export const TEAM_ID = 'T0EMULATOR';
export const OWN_APP: EmulatedApp = { appId: 'AEMULATOR', botId: 'BEMU', botUserId: 'UBOTEMU01', name: 'tributary' };
const DEFAULT_WEBHOOK: EmulatedIntegration = { botId: 'B0WEBHOOK1', appId: 'A0F7XDUAZ', name: 'incoming-webhook' };
const DEFAULT_WORKFLOW: EmulatedIntegration = { botId: 'B0WORKFLOW', appId: 'A0WORKFLOW', name: 'Standup workflow' };

export class SlackWorkspace {
  protected readonly users = new Map<string, EmulatedUser>();
  protected readonly apps = new Map<string, EmulatedApp>();
  /** Bots without a bot user (legacy integrations, webhooks, workflows), by bot id. */
  protected readonly integrations = new Map<string, EmulatedIntegration>();
  protected readonly channels = new Map<string, Channel>();
  /** Every Events API payload the seeded changes produced, oldest first (see {@link takeEvents}). */
  readonly events: Array<Record<string, unknown>> = [];
  protected limit: (RateLimitMode & { rng: () => number }) | undefined;
  protected readonly bursts = new Map<string, { count: number; retryAfterSeconds: number }>();
  protected readonly refusals: Array<{ method: string; error: string; when: (args: Readonly<Record<string, string>>) => boolean }> = [];
  private lastTsMicros = 0n;
  private eventSeq = 0;

  constructor(protected readonly now: () => number) {
    this.addApp(OWN_APP);
  }

  // ───────────────────────────── directory ─────────────────────────────

  addUser(user: EmulatedUser): void {
    this.users.set(user.id, user);
  }

  /** Renames a user's display name (what the connector shows). */
  setDisplayName(id: string, displayName: string): void {
    const user = this.users.get(id);
    if (!user) throw new Error(`no user ${id}`);
    this.users.set(id, { ...user, displayName });
  }

  /** An app installed in the workspace, with its bot user (users.info / bots.info answer both). */
  addApp(app: EmulatedApp): void {
    this.apps.set(app.appId, app);
  }

  addChannel(channel: { id: string; name: string; member?: boolean; isPrivate?: boolean; archived?: boolean; members?: readonly string[] }): void {
    const member = channel.member ?? true;
    this.channels.set(channel.id, {
      id: channel.id, name: channel.name, created: Math.floor(this.now() / 1000), isPrivate: channel.isPrivate ?? false,
      member, archived: channel.archived ?? false, topic: '', purpose: '', messages: new Map(),
      members: new Set([...(channel.members ?? []), ...(member ? [OWN_APP.botUserId] : [])]),
    });
  }

  // ───────────────────────────── posters ─────────────────────────────

  /**
   * Backwards-compatible post: a person (`user`), or with `botId` a legacy integration's
   * `bot_message` (which has no `user`: passing both is a shape Slack never sends, so it throws).
   */
  post(input: Placement & { user?: string; botId?: string; username?: string }): Posted {
    if (input.botId !== undefined) {
      if (input.user !== undefined) throw new Error('a bot_message has no user: use postAsApp for an app posting with its bot token, or drop `user`');
      return this.postLegacyBot({ ...input, botId: input.botId, username: input.username ?? 'bot' });
    }
    if (input.user === undefined) throw new Error('post needs a `user` (or use postAsApp / postLegacyBot / postWebhook / postWorkflow)');
    return this.postAsUser({ ...input, user: input.user });
  }

  /** A person's message (or reply): `user`, no subtype, no bot fields. */
  postAsUser(input: Placement & { user: string }): Posted {
    return this.place(input, (ts, reply) => personMessage({ user: input.user, text: input.text, ts, team: TEAM_ID, ...(reply ? { reply } : {}) }));
  }

  /** An app posting with its bot token (default: the emulator's own app): bot_id, app_id, bot_profile, user, no subtype. */
  postAsApp(input: Placement & { app?: string | EmulatedApp }): Posted {
    const app = this.app(input.app);
    return this.place(input, (ts, reply) => appMessage({ app, text: input.text, ts, team: TEAM_ID, ...(reply ? { reply } : {}) }));
  }

  /** A legacy custom integration ("bot"): subtype bot_message, bot_id, username, no user. */
  postLegacyBot(input: Placement & { botId: string; username: string; icons?: Record<string, string> }): Posted {
    this.integrations.set(input.botId, this.integrations.get(input.botId) ?? { botId: input.botId, name: input.username });
    return this.place(input, (ts, reply) => legacyBotMessage({ ...input, ts, ...(reply ? { reply } : {}) }));
  }

  /** An incoming webhook post: subtype bot_message, bot_id, bot_profile, username/icons overrides, no user. */
  postWebhook(input: Omit<Placement, 'threadTs' | 'broadcast'> & { hook?: EmulatedIntegration; username?: string; icons?: Record<string, string>; attachments?: Wire[] }): Posted {
    const hook = input.hook ?? DEFAULT_WEBHOOK;
    this.integrations.set(hook.botId, hook);
    return this.place(input, (ts) => webhookMessage({ ...input, hook, ts, team: TEAM_ID }));
  }

  /** A Workflow Builder post: subtype bot_message, bot_id, app_id, username = the workflow's name, no user. */
  postWorkflow(input: Omit<Placement, 'threadTs' | 'broadcast'> & { workflow?: EmulatedIntegration }): Posted {
    const workflow = input.workflow ?? DEFAULT_WORKFLOW;
    this.integrations.set(workflow.botId, workflow);
    return this.place(input, (ts) => workflowMessage({ workflow, text: input.text, ts }));
  }

  /** A person sharing a file (subtype file_share, files[]). */
  shareFile(input: Omit<Placement, 'broadcast'> & { user: string; file?: Partial<EmulatedFile> }): Posted {
    return this.place(input, (ts, reply) => {
      const file = { id: `F${ts.replace('.', '').slice(-9)}`, name: 'notes.txt', ...input.file };
      const files = [fileObject(file, input.user, TEAM_ID, Math.floor(Number(ts)))];
      return fileShareMessage({ user: input.user, text: input.text, ts, team: TEAM_ID, files, ...(reply ? { reply } : {}) });
    });
  }

  /** `/me` message. */
  meMessage(input: Omit<Placement, 'threadTs' | 'broadcast'> & { user: string }): Posted {
    return this.place(input, (ts) => meMessage({ user: input.user, text: input.text, ts }));
  }

  /** A member joins (the bot's own user id makes the bot a member). */
  join(input: { channel: string; user: string; inviter?: string; ts?: string }): Posted {
    const channel = this.channel(input.channel);
    channel.members.add(input.user);
    if (input.user === OWN_APP.botUserId) channel.member = true;
    return this.place(input, (ts) => channelJoin({ user: input.user, ts, ...(input.inviter ? { inviter: input.inviter } : {}) }));
  }

  leave(input: { channel: string; user: string; ts?: string }): Posted {
    const posted = this.place(input, (ts) => channelLeave({ user: input.user, ts }));
    const channel = this.channel(input.channel);
    channel.members.delete(input.user);
    if (input.user === OWN_APP.botUserId) channel.member = false;
    return posted;
  }

  setTopic(input: { channel: string; user: string; topic: string; ts?: string }): Posted {
    this.channel(input.channel).topic = input.topic;
    return this.place(input, (ts) => channelTopic({ ...input, ts }));
  }

  setPurpose(input: { channel: string; user: string; purpose: string; ts?: string }): Posted {
    this.channel(input.channel).purpose = input.purpose;
    return this.place(input, (ts) => channelPurpose({ ...input, ts }));
  }

  /** conversations.rename: returns the `channel_rename` event; also posts the `channel_name` message. */
  rename(channelId: string, name: string, user: string = OWN_APP.botUserId): Record<string, unknown> {
    const channel = this.channel(channelId);
    const oldName = channel.name;
    channel.name = name;
    const renamed = this.emit({ type: 'channel_rename', channel: { id: channelId, name, created: channel.created }, event_ts: this.nextTs() });
    this.place({ channel: channelId }, (ts) => channelName({ user, oldName, name, ts }));
    return renamed;
  }

  // ───────────────────────────── edits and deletions ─────────────────────────────

  /** chat.update: new text, `edited` stamped; returns the `message_changed` event. */
  edit(channelId: string, ts: string, text: string): Record<string, unknown> {
    const channel = this.channel(channelId);
    const message = this.message(channel, ts);
    const previous = this.view(channel, message, 'nested');
    const editTs = this.nextTs();
    const updated: Wire = {
      ...message, text, ...(message['blocks'] !== undefined ? { blocks: richText(text, editTs) } : {}),
      edited: { user: editorOf(message), ts: `${editTs.split('.')[0]}.000000` },
    };
    channel.messages.set(ts, updated);
    const teams = message['client_msg_id'] !== undefined ? { source_team: TEAM_ID, user_team: TEAM_ID } : {};
    return this.changed(channel, { ...this.view(channel, updated, 'nested'), ...teams }, previous, editTs);
  }

  /**
   * chat.delete. Returns the first event: `message_deleted`, or for a parent with replies the
   * `message_changed` that turns it into a tombstone. Further events land in {@link events}.
   */
  remove(channelId: string, ts: string): Record<string, unknown> {
    const channel = this.channel(channelId);
    const message = this.message(channel, ts);
    const previous = this.view(channel, message, 'nested');
    const topLevel = message['thread_ts'] === undefined || message['thread_ts'] === ts;
    const replies = topLevel ? this.replies(channel, ts) : [];
    if (replies.length > 0 && message['subtype'] !== 'tombstone') {
      channel.messages.set(ts, tombstone(ts));
      const { parent_user_id: _p, ...stone } = this.view(channel, channel.messages.get(ts)!, 'nested');
      const first = this.changed(channel, stone, previous, this.nextTs());
      for (const reply of replies) {
        const before = this.view(channel, reply, 'nested');
        const after = { ...reply, parent_user_id: SLACKBOT };
        channel.messages.set(reply['ts'] as string, after);
        this.changed(channel, this.view(channel, after, 'nested'), before, this.nextTs());
      }
      return first;
    }
    channel.messages.delete(ts);
    const first = this.deleted(channel, ts, previous);
    const parentTs = message['thread_ts'] as string | undefined;
    const parent = !topLevel && parentTs !== undefined ? channel.messages.get(parentTs) : undefined;
    if (parent?.['subtype'] === 'tombstone' && this.replies(channel, parentTs!).length === 0) {
      const stone = this.view(channel, parent, 'history');
      channel.messages.delete(parentTs!);
      this.deleted(channel, parentTs!, stone);
    }
    return first;
  }

  // ───────────────────────────── test controls ─────────────────────────────

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

  /** Removes and returns the Events API payloads produced so far. */
  takeEvents(): Array<Record<string, unknown>> {
    return this.events.splice(0);
  }

  /** Messages a channel holds now (tombstones excluded), oldest first. */
  messages(channelId: string): Array<{ ts: string; text: string; threadTs?: string }> {
    return [...this.channel(channelId).messages.values()]
      .filter((m) => m['subtype'] !== 'tombstone').sort((a, b) => compareTs(a['ts'] as string, b['ts'] as string))
      .map((m) => ({ ts: m['ts'] as string, text: m['text'] as string, ...(m['thread_ts'] !== undefined ? { threadTs: m['thread_ts'] as string } : {}) }));
  }

  // ───────────────────────────── read views ─────────────────────────────

  /** The replies of a parent, oldest first. */
  protected replies(channel: Channel, parentTs: string): Wire[] {
    return [...channel.messages.values()]
      .filter((m) => m['thread_ts'] === parentTs && m['ts'] !== parentTs)
      .sort((a, b) => compareTs(a['ts'] as string, b['ts'] as string));
  }

  /**
   * A stored message as Slack shows it: parents gain their thread fields (`subscribed` only in
   * Web API reads), broadcasts gain `root`; an event's top-level message also gains channel,
   * event_ts and channel_type ('nested': as inside message_changed/message_deleted/root).
   */
  protected view(channel: Channel, m: Wire, as: 'history' | 'nested' | 'event'): Wire {
    const ts = m['ts'] as string;
    let out: Wire = { ...m };
    const topLevel = m['thread_ts'] === undefined || m['thread_ts'] === ts;
    const replies = topLevel ? this.replies(channel, ts) : [];
    if (topLevel && (replies.length > 0 || m['subtype'] === 'tombstone')) {
      const users = [...new Set(replies.map(authorOf))];
      out = {
        ...out, thread_ts: ts, reply_count: replies.length, reply_users_count: users.length,
        latest_reply: replies.at(-1)?.['ts'] ?? '0000000000.000000', reply_users: users, is_locked: false,
        ...(as === 'history' ? { subscribed: false } : {}),
      };
    }
    if (m['subtype'] === 'thread_broadcast') {
      const parent = channel.messages.get(m['thread_ts'] as string);
      if (parent) out = { ...out, root: this.view(channel, parent, 'nested') };
    }
    if (as === 'event') out = { ...out, channel: channel.id, event_ts: ts, channel_type: channel.isPrivate ? 'group' : 'channel' };
    return out;
  }

  // ───────────────────────────── internals ─────────────────────────────

  protected channel(id: string): Channel {
    const channel = this.channels.get(id);
    if (!channel) throw new Error(`no channel ${id}`);
    return channel;
  }

  private message(channel: Channel, ts: string): Wire {
    const message = channel.messages.get(ts);
    if (!message) throw new Error(`no message ${ts} in ${channel.id}`);
    return message;
  }

  protected app(ref: string | EmulatedApp | undefined): EmulatedApp {
    if (ref === undefined) return OWN_APP;
    if (typeof ref !== 'string') {
      if (!this.apps.has(ref.appId)) this.addApp(ref);
      return ref;
    }
    const app = this.apps.get(ref);
    if (!app) throw new Error(`no app ${ref} (addApp it first)`);
    return app;
  }

  /** Stores a new message (validating ts and thread) and emits the event Slack would deliver. */
  private place(input: { channel: string; ts?: string; threadTs?: string; broadcast?: boolean }, make: (ts: string, reply?: ReplyOf) => Wire): Posted {
    const channel = this.channel(input.channel);
    const ts = input.ts ?? this.nextTs();
    if (channel.messages.has(ts)) throw new Error(`ts ${ts} already used in ${input.channel}`);
    let reply: ReplyOf | undefined;
    if (input.threadTs !== undefined) {
      const parent = channel.messages.get(input.threadTs);
      if (!parent) throw new Error(`no thread ${input.threadTs} in ${input.channel}`);
      if (parent['thread_ts'] !== undefined && parent['thread_ts'] !== input.threadTs) throw new Error(`${input.threadTs} is a reply: reply to its parent instead`);
      reply = { threadTs: input.threadTs, parentUserId: authorOf(parent) };
    }
    const made = make(ts, reply);
    const message = input.broadcast && reply ? asBroadcast(made) : made;
    channel.messages.set(ts, message);
    return { ts, envelope: this.emit(this.view(channel, message, 'event')) };
  }

  private changed(channel: Channel, message: Wire, previous: Wire, ts: string): Record<string, unknown> {
    return this.emit({
      type: 'message', subtype: 'message_changed', message, previous_message: previous, channel: channel.id, hidden: true,
      ts, event_ts: ts, channel_type: channel.isPrivate ? 'group' : 'channel',
    });
  }

  private deleted(channel: Channel, deletedTs: string, previous: Wire): Record<string, unknown> {
    const ts = this.nextTs();
    return this.emit({
      type: 'message', subtype: 'message_deleted', hidden: true, channel: channel.id, previous_message: previous, deleted_ts: deletedTs,
      ts, event_ts: ts, channel_type: channel.isPrivate ? 'group' : 'channel',
    });
  }

  private emit(event: Record<string, unknown>): Record<string, unknown> {
    this.eventSeq += 1;
    const payload = envelope(event, {
      teamId: TEAM_ID, appId: OWN_APP.appId, botUserId: OWN_APP.botUserId,
      eventId: `Ev${String(this.eventSeq).padStart(9, '0')}`, eventTime: Math.floor(this.now() / 1000),
    });
    this.events.push(payload);
    return payload;
  }

  protected nextTs(): string {
    const micros = BigInt(Math.floor(this.now())) * 1000n;
    this.lastTsMicros = micros > this.lastTsMicros ? micros : this.lastTsMicros + 1n;
    return formatTs(this.lastTsMicros);
  }
}
