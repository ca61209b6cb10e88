import type { Logger } from '../deps.ts';
import { errorMessage } from '../errors.ts';
import type { AlertChannel, AlertMessage, Clock, IncidentLog } from '../../ports/index.ts';

export interface AnnounceDeps {
  readonly incidents: IncidentLog;
  readonly clock: Clock;
  readonly log: Logger;
}

/** The IncidentLog scope of a source's incidents (`pipeline` for alarms of no source). */
export const incidentScope = (sourceId: string): string => `alert:${sourceId}`;

export interface IncidentOptions {
  /** An incident still open after this long is announced again. */
  readonly repeatMs: number;
  /** Names the incident within its source. @default the condition */
  readonly key?: string;
}

/** What one announcement did. */
export type Announced = 'sent' | 'already-open' | 'not-open' | 'failed' | 'no-channel';

/**
 * Announces that a condition began, once per incident: the first caller to open the incident
 * sends to every channel; the rest (the next check, another process, a redelivered alarm)
 * find it open. When every channel fails, the incident is closed again so the next check
 * retries; when some succeed, it stays open (a retry would repeat it where it arrived).
 */
export async function announceFiring(
  deps: AnnounceDeps, channels: readonly AlertChannel[],
  alert: Omit<AlertMessage, 'state' | 'at'>, options: IncidentOptions,
): Promise<Announced> {
  if (channels.length === 0) return 'no-channel';
  const now = deps.clock.now();
  const key = { scope: incidentScope(alert.sourceId), key: options.key ?? alert.condition };
  if (!await deps.incidents.openIncident({ ...key, now, repeatMs: options.repeatMs })) return 'already-open';
  const sent = await sendAll(deps, channels, { ...alert, state: 'firing', at: now });
  if (sent > 0) return 'sent';
  await deps.incidents.closeIncident({ ...key, repeatMs: options.repeatMs }).catch(() => undefined);
  return 'failed';
}

/** Announces that a condition ended, once: only the caller that closes an open incident sends. */
export async function announceRecovery(
  deps: AnnounceDeps, channels: readonly AlertChannel[],
  alert: Omit<AlertMessage, 'state' | 'at' | 'since'>, options: IncidentOptions,
): Promise<Announced> {
  const closed = await deps.incidents.closeIncident({ scope: incidentScope(alert.sourceId), key: options.key ?? alert.condition, repeatMs: options.repeatMs });
  if (!closed) return 'not-open';
  if (channels.length === 0) return 'no-channel';
  // A recovery that fails to send is not retried: the condition is over either way.
  return await sendAll(deps, channels, { ...alert, state: 'recovered', since: closed.openedAt, at: deps.clock.now() }) > 0 ? 'sent' : 'failed';
}

async function sendAll(deps: AnnounceDeps, channels: readonly AlertChannel[], message: AlertMessage): Promise<number> {
  const results = await Promise.allSettled(channels.map((c) => c.send(message)));
  results.forEach((r, i) => {
    if (r.status === 'rejected') {
      deps.log.error('could not send an alert', { channel: channels[i]?.name, sourceId: message.sourceId, condition: message.condition, error: errorMessage(r.reason) });
    }
  });
  return results.filter((r) => r.status === 'fulfilled').length;
}
