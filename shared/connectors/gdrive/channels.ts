/**
 * Keeps one changes.watch channel open for a source with `push`, renewed before it expires:
 * a new channel is opened `renewBeforeMinutes` before the current one's expiration, and the old
 * one is stopped only once the new one is live (two channels may overlap for a moment: the
 * webhook's replay memory and the hint coalescing absorb the duplicate notifications).
 *
 * Locally `tributary start` runs this through the connector's `watch`; the returned stop function
 * stops the channel (on shutdown, or when the source is removed from the config and the process
 * restarts). On AWS no process lives long enough: see docs/sources/gdrive.md.
 *
 * Time comes from the injectable clock and timers come from `schedule`, so a test renews a
 * channel without waiting.
 */
import { randomUUID } from 'node:crypto';
import { ConfigError, errorMessage } from '../../core/errors.ts';
import type { Logger } from '../../core/deps.ts';
import type { Clock } from '../../ports/index.ts';
import type { GDriveSourceConfig } from './config.ts';
import type { DriveApi, OpenChannel } from './drive-api.ts';
import { channelPrefix, channelToken } from './webhooks.ts';

export type Schedule = (run: () => void, delayMs: number) => { cancel(): void };

export const realSchedule: Schedule = (run, delayMs) => {
  const timer = setTimeout(run, Math.min(delayMs, 2_147_000_000));
  timer.unref?.();
  return { cancel: () => clearTimeout(timer) };
};

/** Retry a failed renewal this soon. */
const RETRY_MS = 60_000;

export interface ChannelKeeperOptions {
  readonly source: GDriveSourceConfig & { readonly push: NonNullable<GDriveSourceConfig['push']> };
  readonly api: DriveApi;
  readonly secret: (envName: string) => string | undefined;
  readonly clock: Clock;
  readonly log: Logger;
  readonly schedule: Schedule;
}

export class ChannelKeeper {
  private current: OpenChannel | undefined;
  private timer: { cancel(): void } | undefined;
  private stopped = false;

  constructor(private readonly options: ChannelKeeperOptions) {}

  /** The live channel (tests and logs). */
  get channel(): OpenChannel | undefined {
    return this.current;
  }

  /** Opens the first channel and schedules its renewal. */
  async start(): Promise<void> {
    await this.renew();
  }

  /** Opens a new channel, then stops the previous one, then schedules the next renewal. */
  async renew(): Promise<void> {
    if (this.stopped) return;
    const { source, api, clock } = this.options;
    const previous = this.current;
    const id = `${channelPrefix(source.id)}${randomUUID()}`;
    const opened = await api.watch({
      id, address: source.push.address, token: channelToken(this.secret(), id),
      expiration: clock.now() + source.push.channelHours * 3_600_000, pageToken: await api.startPageToken(),
    });
    this.current = opened;
    this.options.log.info('gdrive.channel.opened', { sourceId: source.id, channelId: opened.id, expiration: new Date(opened.expiration).toISOString() });
    if (previous) await this.stopQuietly(previous);
    this.scheduleRenewal(opened.expiration - source.push.renewBeforeMinutes * 60_000 - clock.now());
  }

  /** Stops the renewal timer and the live channel. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    if (this.current) await this.stopQuietly(this.current);
    this.current = undefined;
  }

  private scheduleRenewal(delayMs: number): void {
    this.timer?.cancel();
    this.timer = this.options.schedule(() => {
      this.renew().catch((error: unknown) => {
        this.options.log.warn('gdrive.channel.renew_failed', { sourceId: this.options.source.id, error: errorMessage(error) });
        this.scheduleRenewal(RETRY_MS);
      });
    }, Math.max(0, delayMs));
  }

  private async stopQuietly(channel: OpenChannel): Promise<void> {
    try {
      await this.options.api.stopChannel(channel.id, channel.resourceId);
    } catch (error) {
      // An expired or already stopped channel is gone either way.
      this.options.log.warn('gdrive.channel.stop_failed', { sourceId: this.options.source.id, channelId: channel.id, error: errorMessage(error) });
    }
  }

  private secret(): string {
    const env = this.options.source.webhook?.secretEnv;
    const value = env === undefined ? undefined : this.options.secret(env);
    if (!value) throw new ConfigError(`source "${this.options.source.id}" has push but no webhook secret in ${env ?? 'webhook.secretEnv'}: set it (the channel token is made from it)`);
    return value;
  }
}
