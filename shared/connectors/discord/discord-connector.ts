/**
 * Discord connector: the guild channels and threads a bot can read, as `conversation` documents
 * (a channel-day or a message, and a thread; ./doc-ids.ts). Each message is a turn ("Alice: text"),
 * so a new message changes only the last chunk.
 *
 * A pass walks guilds, their readable channels and each channel's steps in id order
 * (./pass-cursor.ts): the channel's own messages after its high-water id (./channel-walk.ts), then
 * its active and archived threads (./thread-walk.ts). Every pull page is one step's page; the
 * cursor is saved after each. Edits and deletions: re-read for recent messages (`recheckMinutes`),
 * from the Gateway in the local runtime (./gateway-watch.ts), and by a full pass with reconcile every
 * `reconcileIntervalMinutes` — `list` is offered to the core only in runs whose pass is such a pass.
 */
import { ConfigError } from '../../core/errors.ts';
import type { Logger } from '../../core/deps.ts';
import type {
  Clock, Cursor, DocumentIssue, DocumentRef, FetchResult, Hints, ListedDocument, PullPage, PullWindow, RunStart, SourceConnector, SourceDocument,
} from '../../ports/index.ts';
import { ProviderNotFoundError, ProviderResponseError } from '../kit/errors.ts';
import { messagesStep, TailCache, type StepResult, type WalkContext } from './channel-walk.ts';
import { DiscordAccessError, DiscordApi, GATEWAY_MESSAGE_CONTENT, GATEWAY_MESSAGE_CONTENT_LIMITED } from './discord-api.ts';
import { parseDocId, type DocumentMode } from './doc-ids.ts';
import { DocumentReader } from './documents.ts';
import { PRIVATE_THREAD, THREAD_TYPES, readGuild, type GuildSnapshot, type IndexedChannel } from './guild-snapshot.ts';
import { decodePassCursor, encodePassCursor, startPass, type PassCursor, type Position, type Step } from './pass-cursor.ts';
import { compareSnowflakes, maxSnowflake } from './snowflakes.ts';
import { threadsStep } from './thread-walk.ts';

export interface DiscordConnectorOptions {
  readonly sourceId: string;
  /** Reads the bot token (on the first API call). */
  readonly token: () => string | undefined;
  readonly tokenEnv: string;
  readonly apiUrl: string;
  readonly guilds?: readonly string[] | undefined;
  readonly channels?: readonly string[] | undefined;
  readonly documentMode: DocumentMode;
  readonly timezone: string;
  readonly includeBotMessages: boolean;
  readonly includeThreads: boolean;
  readonly pageSize: number;
  readonly recheckMinutes: number;
  readonly reconcileIntervalMinutes: number;
  /** Offer `watch` (the Gateway) to the local runtime. */
  readonly watch: boolean;
  readonly retries: number;
  readonly maxRateLimitWaitMs: number;
  readonly requestTimeoutMs: number;
  readonly clock: Clock;
  readonly log: Logger;
}

type Located = { readonly snapshot: GuildSnapshot; readonly channel: IndexedChannel } | { readonly issue: string } | undefined;

/** Requests a pull may make without handing anything out before it returns a page (so the cursor is saved). */
const QUIET_REQUESTS_PER_PAGE = 50;

export class DiscordConnector implements SourceConnector {
  readonly sourceId: string;
  readonly api: DiscordApi;
  readonly watch?: (onHints: (hints: Hints) => void) => Promise<() => Promise<void>>;

  private readonly options: DiscordConnectorOptions;
  private readonly reader: DocumentReader;
  private readonly tails = new TailCache();
  private readonly configuredChannels: ReadonlySet<string> | undefined;
  private ready: Promise<string> | undefined;
  private runKey: string | undefined;
  /** In a run whose pass is not a full pass, the core is told not to reconcile (see reconcileAfterPass). */
  private runIsIncremental = false;
  private guildIds: { key: string; value: Promise<string[]> } | undefined;
  private readonly snapshots = new Map<string, { key: string; value: Promise<GuildSnapshot> }>();
  /** What a full pass seen from its first page handed out, for the reconcile right after it. */
  private listing: { snapshotAt: string; complete: boolean; docs: Map<string, string> } | undefined;

  constructor(options: DiscordConnectorOptions) {
    this.options = options;
    this.sourceId = options.sourceId;
    this.api = new DiscordApi({
      sourceId: options.sourceId, token: options.token, tokenEnv: options.tokenEnv, apiUrl: options.apiUrl,
      retries: options.retries, timeoutMs: options.requestTimeoutMs, maxRateLimitWaitMs: options.maxRateLimitWaitMs,
    });
    this.reader = new DocumentReader(this.api, {
      mode: options.documentMode, timezone: options.timezone, includeBotMessages: options.includeBotMessages, pageSize: options.pageSize,
    });
    this.configuredChannels = options.channels ? new Set(options.channels) : undefined;
    if (options.watch) {
      this.watch = async (onHints) => {
        await this.start();
        const { watchGateway } = await import('./gateway-watch.ts');
        return watchGateway({
          sourceId: this.sourceId, api: this.api, mode: options.documentMode, timezone: options.timezone,
          includeBotMessages: options.includeBotMessages, includeThreads: options.includeThreads,
          guilds: options.guilds, channels: this.configuredChannels, log: options.log,
        }, onHints);
      };
    }
  }

  beginRun(run: RunStart): void {
    this.runKey = run.runId;
    this.runIsIncremental = false;
    this.ready = undefined;
  }

  endRun(): void {
    this.runKey = undefined;
    this.runIsIncremental = false;
  }

  // ───────────────────────────── pull ─────────────────────────────

  async pull(cursor: Cursor | undefined, window: PullWindow): Promise<PullPage> {
    await this.start();
    const snapshotMs = Date.parse(window.snapshotAt);
    const sinceMs = window.since !== undefined && !window.full ? Date.parse(window.since) : snapshotMs;
    const ctx: WalkContext = {
      api: this.api, reader: this.reader, snapshotMs, tails: this.tails,
      boundMs: Math.min(sinceMs, snapshotMs - this.options.recheckMinutes * 60_000),
    };
    let pass: PassCursor;
    let at: Position | undefined;
    if (cursor === undefined) {
      pass = startPass(this.sourceId, window.resume, window, this.options.reconcileIntervalMinutes * 60_000);
      at = await this.advance(pass, window.snapshotAt, undefined);
      this.listing = pass.full ? { snapshotAt: window.snapshotAt, complete: false, docs: new Map() } : undefined;
    } else {
      pass = decodePassCursor(this.sourceId, cursor)!;
      at = pass.at;
      if (this.listing?.snapshotAt !== window.snapshotAt) this.listing = undefined;
    }
    if (this.runKey !== undefined && !pass.full) this.runIsIncremental = true;
    // A run with a full pass in it reconciles, even if a catch-up pass follows it.
    if (pass.full) this.runIsIncremental = false;

    const requestsAtStart = this.api.stats.requests;
    for (;;) {
      if (at === undefined) return this.lastPage(pass, window.snapshotAt);
      const snapshot = await this.snapshot(at.g, window.snapshotAt);
      const channel = snapshot.byId.get(at.c);
      let result: StepResult | undefined;
      let skipped: DocumentIssue[] = [];
      let leave = false;
      if (channel) {
        // Reading a channel records its fingerprint: a later change makes a pass read it whole again.
        if (pass.fp[channel.id] !== channel.fingerprint) pass = { ...pass, fp: { ...pass.fp, [channel.id]: channel.fingerprint } };
        try {
          result = at.s === 'messages' ? await messagesStep(ctx, snapshot, channel, at, pass.hw[at.c]) : await threadsStep(ctx, snapshot, channel, at);
        } catch (error) {
          if (!(error instanceof DiscordAccessError) && !(error instanceof ProviderNotFoundError)) throw error;
          // The channel became unreadable (or was deleted) mid-pass: skip the rest of it.
          if (error instanceof DiscordAccessError) {
            const issue = { id: `${channel.id}/`, reason: `#${channel.name}: ${error.message}` };
            pass = { ...pass, px: [...(pass.px ?? []).filter((p) => p.id !== issue.id), issue] };
            skipped = [{ ...issue, prefix: true }];
          }
          leave = true;
        }
      }
      if (result && at.s === 'messages' && result.next === undefined && result.top !== undefined) {
        pass = { ...pass, hw: { ...pass.hw, [at.c]: maxSnowflake(pass.hw[at.c], result.top)! } };
      }
      at = result?.next ?? await this.advance(pass, window.snapshotAt, at, leave);
      const refs = result?.refs ?? [];
      skipped = [...skipped, ...(result?.skipped ?? [])];
      if (this.listing) for (const ref of refs) this.listing.docs.set(ref.id, ref.version);
      if (refs.length > 0 || skipped.length > 0 || this.api.stats.requests - requestsAtStart >= QUIET_REQUESTS_PER_PAGE) {
        return { changed: refs, deleted: [], ...(skipped.length > 0 ? { skipped } : {}), next: encodePassCursor({ ...pass, ...(at ? { at } : {}) }), done: false };
      }
    }
  }

  // ───────────────────────────── fetch ─────────────────────────────

  async fetch(ids: readonly string[]): Promise<FetchResult> {
    await this.start();
    const key = this.runKey ?? `t${Math.floor(this.options.clock.now() / 30_000)}`;
    const located = new Map<string, Promise<Located>>();
    const documents: SourceDocument[] = [];
    const skipped: DocumentIssue[] = [];
    for (const id of [...new Set(ids)]) {
      const doc = parseDocId(id, this.options.documentMode);
      if (!doc) continue;
      const channelId = doc.kind === 'thread' ? doc.parent : doc.channel;
      if (!located.has(channelId)) located.set(channelId, this.locate(channelId, key));
      const where = await located.get(channelId)!;
      if (where === undefined) continue;
      if ('issue' in where) {
        skipped.push({ id, reason: where.issue });
        continue;
      }
      const { snapshot, channel } = where;
      try {
        const read = doc.kind === 'day' ? await this.reader.dayDocument(snapshot, channel, doc.day)
          : doc.kind === 'message' ? await this.reader.messageDocument(snapshot, channel, doc.message)
            : await this.thread(snapshot, channel, doc.thread, skipped, id);
        if (read) documents.push(read);
      } catch (error) {
        if (error instanceof ProviderNotFoundError) continue;
        if (error instanceof DiscordAccessError || error instanceof ProviderResponseError) skipped.push({ id, reason: error.message });
        else throw error;
      }
    }
    return { documents, skipped };
  }

  /**
   * The guild snapshot and channel a document's channel belongs to: from a snapshot this run has
   * read, else from the channel itself (one request names its guild). Undefined: the channel is
   * gone or not part of the source; an issue: it exists but cannot be read now.
   */
  private async locate(channelId: string, key: string): Promise<Located> {
    for (const entry of this.snapshots.values()) {
      if (entry.key !== key) continue;
      const channel = (await entry.value).byId.get(channelId);
      if (channel) return { snapshot: await entry.value, channel };
    }
    let info;
    try {
      info = await this.api.channel(channelId);
    } catch (error) {
      if (!(error instanceof DiscordAccessError)) throw error;
      // A listed channel is skipped until access returns; any other the bot cannot see is not part of the source.
      return this.configuredChannels?.has(channelId)
        ? { issue: `the bot cannot see channel ${channelId} (${error.message}): give its role View Channel and Read Message History there` }
        : undefined;
    }
    if (!info?.guild_id || (this.options.guilds && !this.options.guilds.includes(info.guild_id))) return undefined;
    const snapshot = await this.snapshot(info.guild_id, key);
    const channel = snapshot.byId.get(channelId);
    if (channel) return { snapshot, channel };
    const issue = snapshot.skipped.find((i) => i.id === `${channelId}/`);
    return issue ? { issue: issue.reason } : undefined;
  }

  private async thread(snapshot: GuildSnapshot, parent: IndexedChannel, threadId: string, skipped: DocumentIssue[], id: string): Promise<SourceDocument | undefined> {
    if (!this.options.includeThreads) return undefined;
    let thread;
    try {
      thread = await this.api.channel(threadId);
    } catch (error) {
      if (!(error instanceof DiscordAccessError)) throw error;
      skipped.push({ id, reason: `${error.message} — the bot may not read this thread (a private thread it has not joined, or one in a channel it lost)` });
      return undefined;
    }
    if (!thread || !THREAD_TYPES.has(thread.type) || thread.parent_id !== parent.id) return undefined;
    if (thread.type === PRIVATE_THREAD && thread.member === undefined && !parent.botManagesThreads) {
      skipped.push({ id, reason: 'a private thread the bot has not joined: add the bot to the thread, or give it Manage Threads in the channel' });
      return undefined;
    }
    return this.reader.threadDocument(snapshot, thread);
  }

  // ───────────────────────────── list ─────────────────────────────

  /** Every document's id and version: what the full pass just handed out, or a full pass read now. */
  /**
   * The slim listing: a full read of the guilds (outside runs, for audit), or what the full pass
   * that just completed handed out. The core asks for it only after full passes, every
   * `reconcileIntervalMinutes` (see reconcileAfterPass), not after every incremental pass.
   */
  list(pass?: { readonly snapshotAt: string }): AsyncIterable<ListedDocument> {
    return this.listAll(pass);
  }

  /** A run whose pass was incremental reads no history for a reconcile. */
  reconcileAfterPass(): boolean {
    return !this.runIsIncremental;
  }

  private async *listAll(pass?: { readonly snapshotAt: string }): AsyncIterable<ListedDocument> {
    const seen = this.listing;
    if (pass && seen?.complete && seen.snapshotAt === pass.snapshotAt) {
      for (const [id, version] of seen.docs) yield { id, version };
      return;
    }
    const window: PullWindow = { snapshotAt: new Date(this.options.clock.now()).toISOString(), full: true };
    const listed = new Set<string>();
    let cursor: Cursor | undefined;
    for (;;) {
      const page = await this.pull(cursor, window);
      for (const ref of page.changed as readonly DocumentRef[]) {
        if (listed.has(ref.id)) continue;
        listed.add(ref.id);
        yield { id: ref.id, version: ref.version };
      }
      if (page.done) return;
      cursor = page.next;
    }
  }

  // ───────────────────────────── the walk ─────────────────────────────

  /** The bot's id, once the application is known to have the MESSAGE_CONTENT intent (once per run). */
  private start(): Promise<string> {
    if (!this.ready) {
      const ready = (async () => {
        const app = await this.api.application();
        if ((app.flags & (GATEWAY_MESSAGE_CONTENT | GATEWAY_MESSAGE_CONTENT_LIMITED)) === 0) {
          throw new ConfigError(
            `Discord source "${this.sourceId}": the bot's application does not have the Message Content intent, so Discord sends every message `
            + 'with empty content (except DMs and messages that mention the bot) and nothing useful could be indexed — turn it on: Developer Portal → '
            + 'your application → Bot → Privileged Gateway Intents → MESSAGE CONTENT INTENT (an app in 100 or more servers needs Discord\'s approval first)',
            { sourceId: this.sourceId },
          );
        }
        return app.botId ?? await this.api.currentUserId();
      })();
      this.ready = ready;
      ready.catch(() => {
        if (this.ready === ready) this.ready = undefined;
      });
    }
    return this.ready;
  }

  private guilds(key: string): Promise<string[]> {
    if (this.guildIds?.key !== key) {
      const configured = this.options.guilds;
      const value = configured ? Promise.resolve([...new Set(configured)]) : this.api.guildIds();
      this.guildIds = { key, value: value.then((ids) => [...ids].sort(compareSnowflakes)) };
      const entry = this.guildIds;
      entry.value.catch(() => {
        if (this.guildIds === entry) this.guildIds = undefined;
      });
    }
    return this.guildIds.value;
  }

  private snapshot(guildId: string, key: string): Promise<GuildSnapshot> {
    const hit = this.snapshots.get(guildId);
    if (hit?.key === key) return hit.value;
    const value = this.start().then((botId) => readGuild(this.api, guildId, {
      botId, channels: this.configuredChannels, includeThreads: this.options.includeThreads,
    })).catch((error: unknown) => {
      if (this.options.guilds && (error instanceof DiscordAccessError || error instanceof ProviderNotFoundError)) {
        throw new ConfigError(`Discord source "${this.sourceId}": the bot cannot read server ${guildId} listed in guilds (${(error as Error).message}) — invite the bot to it, or remove the id from guilds`);
      }
      throw error;
    });
    const entry = { key, value };
    this.snapshots.set(guildId, entry);
    value.catch(() => {
      if (this.snapshots.get(guildId) === entry) this.snapshots.delete(guildId);
    });
    return value;
  }

  /** The steps of a channel, in order. */
  private stepsOf(channel: IndexedChannel): Step[] {
    return [...(channel.hasMessages ? ['messages' as const] : []), ...(this.options.includeThreads ? (['active', 'public', 'private'] as const) : [])];
  }

  /** The position after `from` (undefined: the pass's first): the next step, or with `leave` the next channel, or guild. */
  private async advance(pass: PassCursor, snapshotAt: string, from: Position | undefined, leave = false): Promise<Position | undefined> {
    const guilds = await this.guilds(snapshotAt);
    for (const guildId of guilds) {
      if (from && compareSnowflakes(guildId, from.g) < 0) continue;
      const snapshot = await this.snapshot(guildId, snapshotAt);
      for (const channel of snapshot.channels) {
        const sameGuild = from !== undefined && guildId === from.g;
        if (sameGuild && compareSnowflakes(channel.id, from.c) < 0) continue;
        const steps = this.stepsOf(channel);
        const here = sameGuild && channel.id === from.c;
        if (here && leave) continue;
        const next = here ? steps[steps.indexOf(from.s) + 1] : steps[0];
        if (next === undefined) continue;
        const all = here ? from.all : pass.full || pass.fp[channel.id] !== channel.fingerprint;
        return { g: guildId, c: channel.id, s: next, all };
      }
    }
    return undefined;
  }

  /** The pass's last page: channels it could not read, and `hw`/`fp` kept to the channels that still exist. */
  private async lastPage(pass: PassCursor, snapshotAt: string): Promise<PullPage> {
    const snapshots = await Promise.all((await this.guilds(snapshotAt)).map((g) => this.snapshot(g, snapshotAt)));
    const live = new Set(snapshots.flatMap((s) => s.channels.map((c) => c.id)));
    const issues = new Map<string, DocumentIssue>();
    for (const issue of [...snapshots.flatMap((s) => s.skipped), ...(pass.px ?? []).map((p) => ({ ...p, prefix: true }))]) issues.set(issue.id, issue);
    for (const id of this.configuredChannels ?? []) {
      if (!live.has(id) && !issues.has(`${id}/`)) {
        issues.set(`${id}/`, { id: `${id}/`, prefix: true, reason: `channel ${id} (in channels) is in no server the bot is in, or is not a text, announcement, forum or media channel` });
      }
    }
    const keep = (map: Record<string, string>): Record<string, string> => Object.fromEntries(Object.entries(map).filter(([id]) => live.has(id)));
    if (this.listing?.snapshotAt === snapshotAt) this.listing.complete = true;
    const { at: _at, px: _px, ...rest } = pass;
    return {
      changed: [], deleted: [], ...(issues.size > 0 ? { skipped: [...issues.values()] } : {}),
      next: encodePassCursor({ ...rest, hw: keep(pass.hw), fp: keep(pass.fp) }), done: true,
    };
  }
}
