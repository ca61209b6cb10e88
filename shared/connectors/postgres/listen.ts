/**
 * Near-real-time hints from Postgres: LISTEN on a channel a trigger `pg_notify`s, on a
 * dedicated connection, with notifications coalesced into hints.
 */
import pg from 'pg';
import { TransientError, errorMessage } from '../../core/errors.ts';
import type { Hints } from '../../ports/index.ts';
import type { PostgresPool, PostgresPoolOptions } from './pool.ts';

/** Above this many ids a LISTEN hint says "something changed" (`ids: []`) instead. */
const MAX_HINT_IDS = 500;

export interface ListenOptions {
  /** Coalesces LISTEN notifications this long before sending one hint. @default 200 ms */
  readonly hintDebounceMs?: number;
  /** Reconnect delays of the LISTEN connection: doubling from min to max. @default 250 ms – 30 s */
  readonly reconnectMinMs?: number;
  readonly reconnectMaxMs?: number;
}

/** What to LISTEN on, for which source. */
export interface ListenTarget {
  readonly sourceId: string;
  readonly channel: string;
  /** Conversation documents are time windows: a group id alone names none of them. */
  readonly windowed: boolean;
  /** The source's pool: the LISTEN connection takes its settings and its error mapping. */
  readonly pool: PostgresPool;
}

/**
 * LISTENs on `listen.channel` on a dedicated connection and turns notifications into hints:
 * the payload is a document id, JSON `{"id": …}` / `{"ids": […]}`, or empty ("something
 * changed"). Bursts are coalesced. A lost connection is re-opened with backoff, followed by a
 * "something changed" hint (notifications sent meanwhile are lost).
 */
export async function listen(
  target: ListenTarget,
  options: ListenOptions & Pick<PostgresPoolOptions, 'log'>,
  onHints: (hints: Hints) => void,
): Promise<() => Promise<void>> {
  const { sourceId, channel, pool } = target;
  const debounceMs = options.hintDebounceMs ?? 200;
  const minDelay = options.reconnectMinMs ?? 250;
  const maxDelay = options.reconnectMaxMs ?? 30_000;
  let stopped = false;
  let client: pg.Client | undefined;
  let reconnectTimer: NodeJS.Timeout | undefined;
  let flushTimer: NodeJS.Timeout | undefined;
  let delay = minDelay;
  const pending = new Set<string>();
  let somethingChanged = false;

  const flush = (): void => {
    flushTimer = undefined;
    if (stopped || (pending.size === 0 && !somethingChanged)) return;
    const ids = somethingChanged || pending.size > MAX_HINT_IDS ? [] : [...pending].sort();
    pending.clear();
    somethingChanged = false;
    try {
      onHints({ sourceId, ids });
    } catch {
      // A failing consumer must not stop the listener; the schedule catches up.
    }
  };
  const hint = (ids: readonly string[] | 'all'): void => {
    if (ids === 'all') somethingChanged = true;
    else for (const id of ids) pending.add(id);
    flushTimer ??= setTimeout(flush, debounceMs);
  };

  const connect = async (): Promise<void> => {
    const next = new pg.Client(pool.clientConfig());
    // Errors after connecting (server restart, network) end up here, then in 'end'.
    next.on('error', (error) => options.log?.warn('LISTEN connection failed; reconnecting', { sourceId, error: errorMessage(error) }));
    next.on('notification', (message) => {
      if (stopped || message.channel !== channel) return;
      hint(hintIds(message.payload ?? '', target.windowed));
    });
    next.on('end', () => {
      if (stopped || client !== next) return;
      client = undefined;
      scheduleReconnect();
    });
    await next.connect();
    try {
      await next.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    } catch (error) {
      await next.end().catch(() => undefined);
      throw error;
    }
    if (stopped) {
      await next.end().catch(() => undefined);
      return;
    }
    client = next;
  };
  const scheduleReconnect = (): void => {
    if (stopped || reconnectTimer !== undefined) return;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined;
      connect().then(() => {
        delay = minDelay;
        // Whatever was notified while nobody listened is lost: ask for an incremental sync.
        hint('all');
      }, (error: unknown) => {
        options.log?.warn('LISTEN reconnect failed; retrying', { sourceId, error: errorMessage(error), retryInMs: delay });
        delay = Math.min(maxDelay, delay * 2);
        scheduleReconnect();
      });
    }, delay);
  };

  try {
    await connect();
  } catch (error) {
    const mapped = pool.mapError(error);
    if (!(mapped instanceof TransientError)) throw mapped;
    // The database is down or unreachable right now: keep trying in the background, as after a drop.
    options.log?.warn('LISTEN connection failed; retrying', { sourceId, error: mapped.message, retryInMs: delay });
    scheduleReconnect();
  }
  return async () => {
    if (stopped) return;
    stopped = true;
    if (reconnectTimer !== undefined) clearTimeout(reconnectTimer);
    if (flushTimer !== undefined) clearTimeout(flushTimer);
    pending.clear();
    const current = client;
    client = undefined;
    await current?.end().catch(() => undefined);
  };
}

/** The document ids a notification payload names, or 'all' ("something changed"). */
function hintIds(payload: string, windowed: boolean): readonly string[] | 'all' {
  const text = payload.trim();
  if (text === '') return 'all';
  let ids: string[];
  if (text.startsWith('{')) {
    try {
      const parsed = JSON.parse(text) as { id?: unknown; ids?: unknown };
      const raw = Array.isArray(parsed.ids) ? parsed.ids : parsed.id !== undefined && parsed.id !== null ? [parsed.id] : [];
      ids = raw.filter((v) => typeof v === 'string' || typeof v === 'number').map(String);
    } catch {
      return 'all';
    }
  } else {
    ids = [text];
  }
  if (ids.length === 0) return 'all';
  // With time windows a group id alone does not name a document: sync incrementally instead.
  if (windowed && ids.some((id) => !id.includes('/'))) return 'all';
  return ids;
}
