/**
 * The local runtime's push path: a Gateway connection (@discordjs/ws) whose message, thread and
 * channel events become coalesced hints (./gateway-hints.ts), so `tributary start` reads an edited
 * or deleted message's document within a second instead of at the next reconcile.
 *
 * - Intents GUILDS | GUILD_MESSAGES only: the events name what changed, and the connector reads the
 *   content over REST (whose MESSAGE_CONTENT check ran before this starts). Requesting the
 *   MESSAGE_CONTENT intent here would add nothing and could close the connection with 4014.
 * - @discordjs/ws resumes a dropped session and replays what it missed; a new session (after an
 *   invalidation) may have missed events, so it asks for a sync. Edits and deletions missed while
 *   nothing was connected reach the index with the next reconcile (docs/sources/discord.md).
 * - Session data lives in this watcher only (the library's default store is process-wide).
 */
import type { Logger } from '../../core/deps.ts';
import { errorMessage } from '../../core/errors.ts';
import type { Hints } from '../../ports/index.ts';
import type { DiscordApi } from './discord-api.ts';
import { GatewayHints, type HintFilter } from './gateway-hints.ts';

export interface GatewayWatchOptions extends HintFilter {
  readonly sourceId: string;
  readonly api: DiscordApi;
  readonly log: Logger;
  /** Events are coalesced this long into one hint. @default 200 ms */
  readonly debounceMs?: number;
}

/** Above this many ids a hint says "sync" instead. */
const MAX_HINT_IDS = 500;
const GUILDS = 1 << 0;
const GUILD_MESSAGES = 1 << 9;

export async function watchGateway(options: GatewayWatchOptions, onHints: (hints: Hints) => void): Promise<() => Promise<void>> {
  const { sourceId, log } = options;
  const { WebSocketManager, WebSocketShardEvents } = await import('@discordjs/ws');
  const rest = await options.api.rest();
  const sessions = new Map<number, unknown>();
  const manager = new WebSocketManager({
    token: options.api.token(), intents: GUILDS | GUILD_MESSAGES, rest,
    retrieveSessionInfo: (shard) => (sessions.get(shard) as never) ?? null,
    updateSessionInfo: (shard, info) => void (info ? sessions.set(shard, info) : sessions.delete(shard)),
  });
  const hints = new GatewayHints(options);
  const pending = new Set<string>();
  let sync = false;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let sessionsStarted = 0;

  const flush = (): void => {
    timer = undefined;
    if (stopped || (pending.size === 0 && !sync)) return;
    const ids = sync || pending.size > MAX_HINT_IDS ? [] : [...pending].sort();
    pending.clear();
    sync = false;
    try {
      onHints({ sourceId, ids });
    } catch (error) {
      // A failing consumer must not stop the watcher; the schedule catches up.
      log.warn('could not hand over Gateway hints', { sourceId, error: errorMessage(error) });
    }
  };
  const take = (hint: ReturnType<GatewayHints['hint']>): void => {
    if (hint === undefined) return;
    if (hint === 'sync') sync = true;
    else for (const id of hint.ids) pending.add(id);
    timer ??= setTimeout(flush, options.debounceMs ?? 200);
  };

  manager.on(WebSocketShardEvents.Dispatch, (payload) => {
    if (stopped) return;
    try {
      take(hints.hint(payload.t, (payload.d ?? {}) as Record<string, unknown>));
    } catch (error) {
      log.warn('could not read a Gateway event', { sourceId, event: payload.t, error: errorMessage(error) });
    }
  });
  manager.on(WebSocketShardEvents.Ready, () => {
    // Not the first session: events between the two were not replayed.
    if (++sessionsStarted > 1) take('sync');
  });
  manager.on(WebSocketShardEvents.Error, (error) => log.warn('Discord Gateway error; the connection is retried', { sourceId, error: errorMessage(error) }));
  manager.on(WebSocketShardEvents.Closed, (code) => log.info('Discord Gateway connection closed', { sourceId, code }));

  await manager.connect();
  log.info('following Discord edits and deletions on the Gateway', { sourceId });
  return async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    await manager.destroy({ code: 1000, reason: 'stopping' });
  };
}
