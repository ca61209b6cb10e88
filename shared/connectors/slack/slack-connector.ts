/**
 * Slack connector: the channels a bot can read, as `conversation` documents — one per thread
 * (`<channel>/<thread_ts>`; a message without replies is a thread of one) or one per channel
 * and calendar day (`<channel>/<YYYY-MM-DD>`). Each message is a turn ("Alice: text"), so a
 * new reply changes only the last chunk.
 *
 * A pass walks the channels in id order; each page is one conversations.history page
 * (newest first, bounded by the pass window) and the cursor is `{channel, next}`. Threads
 * with replies are read with conversations.replies so a document's version covers every
 * message in it. Edits and deletions of messages older than the window are not visible in
 * history: they arrive as Events API hints (see ./events.ts), or with `sync --full`, or with
 * `reconcile: true`.
 */

import { ConfigError, TributaryError, errorMessage } from '../../core/errors.ts';
import type { Logger } from '../../core/deps.ts';
import type {
  Clock, Cursor, DocumentIssue, DocumentRef, FetchResult, ListedDocument, PullPage, PullWindow, SourceConnector, SourceDocument,
} from '../../ports/index.ts';
import {
  buildDocument, compareTs, dayBoundsMs, dayId, dayOf, isContent, msToTs, normaliseTs, parseDocId, referencedIds,
  threadId, tsBefore, type DocKey, type DocumentMode, type NameLookup, type SlackMessage, type ThreadMessages,
} from './messages.ts';
import { ChannelAccess } from './channel-access.ts';
import { isTopLevel, pickRoots, type PickedRoot } from './history-picks.ts';
import { SlackNames } from './names.ts';
import { ABSENT, SlackApi, SlackApiError, type RetryPolicy } from './slack-api.ts';

export interface SlackConnectorOptions {
  readonly sourceId: string;
  /** Reads the bot token (called on the first API call). */
  readonly token: () => string | undefined;
  /** @default 'SLACK_BOT_TOKEN' (named in error messages) */
  readonly tokenEnv?: string;
  /** Channel ids; default: every channel the bot is a member of. */
  readonly channels?: readonly string[] | undefined;
  /** @default 'thread' */
  readonly documentMode?: DocumentMode;
  /** IANA zone for channel-day documents. @default 'UTC' */
  readonly timezone?: string;
  /** @default 'https://slack.com/api/' */
  readonly apiUrl?: string;
  /** @default false */
  readonly includeBotMessages?: boolean;
  /** Messages per history/replies request. @default 200 */
  readonly pageSize?: number;
  /** @default 7 */
  readonly threadLookbackDays?: number;
  /** Provide `list()` (a whole-workspace listing) for reconcile and audit. @default false */
  readonly reconcile?: boolean;
  /** @default { retries: 10, minDelayMs: 1000, maxDelayMs: 60000 } */
  readonly retry?: RetryPolicy;
  /** @default 3 */
  readonly maxConcurrency?: number;
  /** @default 30000 */
  readonly requestTimeoutMs?: number;
  /** @default 3600 */
  readonly nameCacheSeconds?: number;
  readonly clock?: Clock;
  readonly log?: Logger;
}

/** Position of a pass: the channel being read and Slack's cursor within it. */
interface SlackCursor {
  /** Channel id the next page comes from (channels are walked in id order). */
  readonly channel?: string;
  /** Slack's next_cursor within that channel; absent: from its newest message. */
  readonly next?: string;
  /** channel-day mode: the day emitted last (history is newest first, so a day can straddle two pages). */
  readonly lastDay?: string;
}

const DEFAULT_RETRY: RetryPolicy = { retries: 10, minDelayMs: 1000, maxDelayMs: 60_000 };
const DAY_MS = 86_400_000;
const silent: Logger = { info() {}, warn() {}, error() {} };

/** Slack errors about the token or the app, not one conversation: they fail the source. */
const SOURCE_WIDE = new Set([
  'invalid_auth', 'not_authed', 'token_revoked', 'token_expired', 'account_inactive', 'missing_scope', 'no_permission',
  'not_allowed_token_type', 'team_access_not_granted', 'ekm_access_denied', 'access_denied', 'org_login_required',
]);

/**
 * Why one document (or channel) cannot be read, or undefined when the error concerns the whole
 * source and must fail the run: the token, the app's scopes, Slack being unavailable (retryable).
 */
function documentProblem(error: unknown): string | undefined {
  if (error instanceof SlackApiError) return error.retryable || SOURCE_WIDE.has(error.slackError) ? undefined : error.message;
  if (error instanceof TributaryError) return undefined;
  // Not from the API: something in this document's messages the rendering could not take.
  return `could not be rendered: ${errorMessage(error)}`;
}

export class SlackConnector implements SourceConnector {
  readonly sourceId: string;
  /** Present only with `reconcile: true`: the core reconciles (and audits) against it. */
  readonly list?: () => AsyncIterable<ListedDocument>;
  /** The API client; exposed for counters (rate limits seen). */
  readonly api: SlackApi;

  private readonly mode: DocumentMode;
  private readonly timezone: string;
  private readonly includeBots: boolean;
  private readonly pageSize: number;
  private readonly lookbackMs: number;
  private readonly nameTtlMs: number;
  private readonly configuredChannels: readonly string[] | undefined;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly names: SlackNames;
  private readonly access: ChannelAccess;
  /** The channel list of the pass in progress, read once per snapshot. */
  private channelList: { readonly snapshotAt: string; readonly ids: Promise<string[]> } | undefined;

  constructor(options: SlackConnectorOptions) {
    this.sourceId = options.sourceId;
    this.mode = options.documentMode ?? 'thread';
    this.timezone = options.timezone ?? 'UTC';
    this.includeBots = options.includeBotMessages ?? false;
    this.pageSize = options.pageSize ?? 200;
    this.lookbackMs = (options.threadLookbackDays ?? 7) * DAY_MS;
    this.nameTtlMs = (options.nameCacheSeconds ?? 3600) * 1000;
    this.configuredChannels = options.channels ? [...new Set(options.channels)].sort() : undefined;
    this.clock = options.clock ?? { now: () => Date.now() };
    this.log = options.log ?? silent;
    if (!Number.isInteger(this.pageSize) || this.pageSize < 1 || this.pageSize > 999) {
      throw new ConfigError(`Slack source "${this.sourceId}": pageSize must be an integer from 1 to 999, got ${this.pageSize}`);
    }
    this.api = new SlackApi({
      sourceId: options.sourceId, token: options.token, tokenEnv: options.tokenEnv ?? 'SLACK_BOT_TOKEN',
      apiUrl: options.apiUrl ?? 'https://slack.com/api/', retry: options.retry ?? DEFAULT_RETRY,
      maxConcurrency: options.maxConcurrency ?? 3, timeoutMs: options.requestTimeoutMs ?? 30_000, log: this.log,
    });
    if (options.reconcile === true) this.list = () => this.listAll();
    this.names = new SlackNames(this.api, this.nameTtlMs, this.clock);
    this.access = new ChannelAccess(this.api, this.nameTtlMs, this.clock);
  }

  /**
   * One conversations.history page of one channel, within `[since − threadLookbackDays, snapshotAt)`.
   * Picked from it (./history-picks.ts): messages posted in the window, older parents whose
   * thread got a reply or whose text was edited within it, and threads whose broadcast reply was
   * posted or edited within it. Pages that pick nothing are skipped within the call.
   */
  async pull(cursor: Cursor | undefined, window: PullWindow): Promise<PullPage> {
    const channels = await this.channelsFor(window.snapshotAt);
    let position = parseCursor(cursor);
    const sinceMs = window.since !== undefined && !window.full ? Date.parse(window.since) : undefined;
    const sinceTs = sinceMs !== undefined ? msToTs(sinceMs) : undefined;
    const oldest = sinceMs !== undefined ? msToTs(Math.max(0, sinceMs - this.lookbackMs)) : undefined;
    const latest = msToTs(Date.parse(window.snapshotAt));
    for (;;) {
      // The saved channel may have left the list since: continue with the next id after it.
      const index = position.channel === undefined ? 0 : channels.findIndex((c) => c >= position.channel!);
      const channel = index === -1 ? undefined : channels[index];
      if (channel === undefined) return { changed: [], deleted: [], next: { channel: '~' }, done: true };
      const resume = channel === position.channel ? position : {};
      const nextChannel = channels[index + 1];
      let page;
      try {
        page = await this.api.history({ channel, cursor: resume.next, limit: this.pageSize, oldest, latest });
      } catch (error) {
        const problem = documentProblem(error);
        if (problem === undefined) throw error;
        // This channel cannot be read (the bot was removed, say): skip it, keep its documents.
        const skipped: DocumentIssue[] = [{ id: `${channel}/`, prefix: true, reason: problem }];
        const done = nextChannel === undefined;
        return { changed: [], deleted: [], skipped, next: (done ? { channel: '~' } : { channel: nextChannel }) as Cursor, done };
      }
      const picked = pickRoots(page.items, sinceTs, oldest);
      const { refs, lastDay, skipped } = await this.refsOf(channel, picked, resume.lastDay);
      const next: SlackCursor = page.next !== undefined
        ? { channel, next: page.next, ...(lastDay !== undefined ? { lastDay } : {}) }
        : nextChannel !== undefined ? { channel: nextChannel } : { channel: '~' };
      const done = page.next === undefined && nextChannel === undefined;
      if (refs.length > 0 || skipped.length > 0 || done) {
        return { changed: refs, deleted: [], next: next as Cursor, done, ...(skipped.length > 0 ? { skipped } : {}) };
      }
      position = next;
    }
  }

  /**
   * Current documents by id; ids of the other mode, unknown channels, deleted threads and empty
   * days are absent; a document Slack will not give (or that cannot be rendered) is skipped.
   */
  async fetch(ids: readonly string[]): Promise<FetchResult> {
    const documents: SourceDocument[] = [];
    const skipped: DocumentIssue[] = [];
    for (const id of [...new Set(ids)]) {
      const key = parseDocId(id, this.mode);
      if (!key || (this.configuredChannels && !this.configuredChannels.includes(key.channel))) continue;
      try {
        const doc = key.mode === 'thread' ? await this.threadDocument(key) : await this.dayDocument(key);
        if (doc) documents.push(doc);
      } catch (error) {
        if (error instanceof SlackApiError && ABSENT.has(error.slackError)) continue;
        const problem = documentProblem(error);
        if (problem === undefined) throw error;
        skipped.push({ id, reason: problem });
      }
    }
    return { documents, skipped };
  }

  // ───────────────────────────── pass internals ─────────────────────────────

  /** Documents for the thread roots one history page picked. */
  private async refsOf(channel: string, picked: readonly PickedRoot[], lastDay: string | undefined): Promise<{ refs: DocumentRef[]; skipped: DocumentIssue[]; lastDay?: string }> {
    const refs: DocumentRef[] = [];
    const skipped: DocumentIssue[] = [];
    /** One document's failure is its own: reported, while the rest of the page goes on. */
    const isolated = async (id: string, read: () => Promise<SourceDocument | undefined>): Promise<SourceDocument | undefined> => {
      try {
        return await read();
      } catch (error) {
        const problem = documentProblem(error);
        if (problem === undefined) throw error;
        skipped.push({ id, reason: problem });
        return undefined;
      }
    };
    if (this.mode === 'thread') {
      // In parallel: the client's request queue bounds the calls in flight (maxConcurrency).
      const docs = await Promise.all(picked.map(({ ts, message }) => isolated(threadId(channel, ts), async () => {
        const key: DocKey = { mode: 'thread', channel, ts };
        // A message without replies is its own document: no extra call.
        const threads = message === undefined || (message.reply_count ?? 0) > 0
          ? await this.threadMessages(channel, ts).catch(absentAsUndefined)
          : [{ parent: message, replies: [] }];
        return threads ? this.render(key, threads) : undefined;
      })));
      for (const doc of docs) if (doc) refs.push({ id: doc.id, version: doc.version, document: doc });
      return { refs, skipped };
    }
    // channel-day: every day the page touches, read whole. A day may straddle pages: emit it
    // once, tracking the last day of the page's own messages (newest first, so monotonic).
    const days: string[] = [];
    for (const { ts } of picked.filter((p) => p.message !== undefined)) {
      const day = dayOf(ts, this.timezone);
      if (day !== lastDay && !days.includes(day)) days.push(day);
    }
    const last = days.at(-1) ?? lastDay;
    // Days named only by a broadcast reply (its parent not on this page).
    for (const { ts } of picked.filter((p) => p.message === undefined)) {
      const day = dayOf(ts, this.timezone);
      if (day !== lastDay && !days.includes(day)) days.push(day);
    }
    const docs = await Promise.all(days.map((day) => isolated(dayId(channel, day), () => this.dayDocument({ mode: 'channel-day', channel, day }))));
    for (const doc of docs) if (doc) refs.push({ id: doc.id, version: doc.version, document: doc });
    return { refs, skipped, ...(last !== undefined ? { lastDay: last } : {}) };
  }

  /** Every document id and version: a full pass, kept slim. */
  private async *listAll(): AsyncIterable<ListedDocument> {
    const window: PullWindow = { snapshotAt: new Date(this.clock.now()).toISOString(), full: true };
    let cursor: Cursor | undefined;
    for (;;) {
      const page = await this.pull(cursor, window);
      for (const ref of page.changed) yield { id: ref.id, version: ref.version };
      if (page.done) return;
      cursor = page.next;
    }
  }

  /** Sorted channel ids for the pass: the configured list, or the bot's memberships. */
  private channelsFor(snapshotAt: string): Promise<string[]> {
    if (this.configuredChannels) return Promise.resolve([...this.configuredChannels]);
    if (this.channelList?.snapshotAt !== snapshotAt) {
      const ids = this.memberChannels();
      this.channelList = { snapshotAt, ids };
      ids.catch(() => {
        if (this.channelList?.ids === ids) this.channelList = undefined;
      });
    }
    return this.channelList.ids;
  }

  private async memberChannels(): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.api.memberChannels(cursor, 200);
      for (const c of page.items) if (!c.is_archived) ids.push(c.id);
      cursor = page.next;
    } while (cursor !== undefined);
    return [...new Set(ids)].sort();
  }

  // ───────────────────────────── documents ─────────────────────────────

  private async threadDocument(key: Extract<DocKey, { mode: 'thread' }>): Promise<SourceDocument | undefined> {
    const threads = await this.threadMessages(key.channel, key.ts);
    return threads ? this.render(key, threads) : undefined;
  }

  /** A thread's parent and replies, in ts order; undefined when `ts` is not a thread root. */
  private async threadMessages(channel: string, ts: string): Promise<ThreadMessages[] | undefined> {
    const messages: SlackMessage[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.api.replies({ channel, ts, cursor, limit: this.pageSize });
      messages.push(...page.items);
      cursor = page.next;
    } while (cursor !== undefined);
    const parent = messages.find((m) => m.ts === ts);
    // A reply's ts names no document: only a root (no thread_ts, or its own) does.
    if (!parent || (parent.thread_ts !== undefined && parent.thread_ts !== parent.ts)) return undefined;
    const replies = messages.filter((m) => m.ts !== ts && (m.thread_ts === undefined || m.thread_ts === ts)).sort((a, b) => compareTs(a.ts, b.ts));
    return [{ parent, replies: dedupe(replies) }];
  }

  /** A channel-day: its top-level messages (local day of the zone), each followed by its thread's replies. */
  private async dayDocument(key: Extract<DocKey, { mode: 'channel-day' }>): Promise<SourceDocument | undefined> {
    const { start, end } = dayBoundsMs(key.day, this.timezone);
    const top: SlackMessage[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.api.history({
        channel: key.channel, cursor, limit: this.pageSize, oldest: msToTs(start), latest: tsBefore(msToTs(end)), inclusive: true,
      });
      top.push(...page.items.filter(isTopLevel));
      cursor = page.next;
    } while (cursor !== undefined);
    const parents = dedupe(top).sort((a, b) => compareTs(a.ts, b.ts)).filter((p) => dayOf(p.ts, this.timezone) === key.day);
    const threads = await Promise.all(parents.map(async (parent): Promise<ThreadMessages> => {
      if ((parent.reply_count ?? 0) === 0) return { parent, replies: [] };
      // Deleted between the two calls: the parent alone.
      const thread = await this.threadMessages(key.channel, parent.ts).catch(absentAsUndefined);
      return thread?.[0] ?? { parent, replies: [] };
    }));
    return this.render(key, threads);
  }

  private async render(key: DocKey, threads: readonly ThreadMessages[]): Promise<SourceDocument | undefined> {
    const all = threads.flatMap((t) => [t.parent, ...t.replies]).filter((m) => isContent(m, this.includeBots));
    if (all.length === 0) return undefined;
    const userIds = new Set<string>();
    const channelIds = new Set<string>([key.channel]);
    for (const m of all) {
      const refs = referencedIds(m);
      refs.users.forEach((u) => userIds.add(u));
      refs.channels.forEach((c) => channelIds.add(c));
    }
    const [users, channels, workspaceUrl] = await Promise.all([
      Promise.all([...userIds].map(async (id) => [id, await this.names.userName(id)] as const)),
      Promise.all([...channelIds].map(async (id) => [id, await this.names.channelInfo(id)] as const)),
      this.names.workspace(),
    ]);
    const userMap = new Map(users);
    const channelMap = new Map(channels);
    const names: NameLookup = { user: (id) => userMap.get(id), channel: (id) => channelMap.get(id)?.name };
    const channel = channelMap.get(key.channel) ?? { id: key.channel, name: key.channel };
    const access = await this.access.principals(channel);
    return buildDocument(key, channel, threads, this.includeBots, { names, timezone: this.timezone, workspaceUrl, access });
  }
}

// ───────────────────────────── helpers ─────────────────────────────

/** A thread deleted between listing and reading it: no document (the next pass or a hint settles it). */
function absentAsUndefined(error: unknown): undefined {
  if (error instanceof SlackApiError && ABSENT.has(error.slackError)) return undefined;
  throw error;
}

function dedupe(messages: readonly SlackMessage[]): SlackMessage[] {
  const seen = new Set<string>();
  return messages.filter((m) => {
    const ts = normaliseTs(m.ts) ?? m.ts;
    if (seen.has(ts)) return false;
    seen.add(ts);
    return true;
  });
}

function parseCursor(cursor: Cursor | undefined): SlackCursor {
  if (cursor === undefined) return {};
  const { channel, next, lastDay } = cursor as Record<string, unknown>;
  if ((channel !== undefined && typeof channel !== 'string') || (next !== undefined && typeof next !== 'string')
    || (lastDay !== undefined && typeof lastDay !== 'string')) {
    throw new Error(`Slack cursor must look like { "channel": "C…", "next": "<slack cursor>" }, got ${JSON.stringify(cursor)}`);
  }
  return {
    ...(channel !== undefined ? { channel } : {}), ...(next !== undefined ? { next } : {}), ...(lastDay !== undefined ? { lastDay } : {}),
  };
}

export { threadId, dayId };
