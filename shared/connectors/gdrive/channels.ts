/**
 * Keeps one changes.watch channel open for a source with `push.address`, in step with the
 * config, from durable state: the channel's id, resource id, expiration, address and a
 * fingerprint of its token live in the credential store under `channelKey(source)` (the local
 * database; `CRED#gdrive-channel:<id>` in the state table on AWS). Two paths call `keep`:
 *
 * - every fetch run, from the connector's `beginRun`, with the schedule interval as horizon: on
 *   AWS the source's EventBridge schedule is then what renews the channel, with no process that
 *   lives between runs;
 * - locally also `tributary start`'s `watch` (`runTimer`), which renews at the exact moment.
 *
 * `keep(horizon)` opens a channel when none is live, renews one that expires within
 * `renewBeforeMinutes` + `horizon` (or whose address or token no longer matches the config), and
 * stops the stored one once the new one is stored; without `push` (or its address) it stops
 * the stored channel. Why the credential store and not the cursor: the channel must outlive
 * passes (a full pass, `reset` and an expired token replace the cursor, and only pages write
 * it) and be kept by the run that holds the lease as well as by `start`'s timer, which holds no
 * lease; the store's write is conditional on the version read, so of two keepers that opened
 * a channel at once the one that loses the write stops its own channel: none leaks.
 *
 * Time comes from the injectable clock and timers from `schedule`, so a test renews without waiting.
 */
import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ConfigError, errorMessage } from '../../core/errors.ts';
import type { Logger } from '../../core/deps.ts';
import type { Clock, CredentialStore } from '../../ports/index.ts';
import type { GDriveSourceConfig } from './config.ts';
import type { DriveApi, OpenChannel } from './drive-api.ts';
import { channelPrefix, channelToken } from './webhooks.ts';

export type Schedule = (run: () => void, delayMs: number) => { cancel(): void };

export const realSchedule: Schedule = (run, delayMs) => {
  const timer = setTimeout(run, Math.min(delayMs, 2_147_000_000));
  timer.unref?.();
  return { cancel: () => clearTimeout(timer) };
};

/** Retry a failed renewal of the local timer this soon. */
const RETRY_MS = 60_000;
/** Conditional writes lost in a row before a keeper gives up until the next run. */
const MAX_ATTEMPTS = 3;

/** The credential-store key of a source's channel state (named by the definition's `tokens`). */
export function channelKey(source: { readonly id: string }): string {
  return `gdrive-channel:${source.id}`;
}

const storedChannel = z.strictObject({
  id: z.string().min(1),
  resourceId: z.string().min(1),
  /** Epoch ms, as Drive granted it (at most what was asked). */
  expiration: z.number(),
  address: z.string(),
  /** sha256 of the channel token, cut: a rotated webhook secret makes the channel renew. */
  tokenHash: z.string(),
});
const channelState = z.strictObject({ channel: storedChannel.nullable() });
export type StoredChannel = z.output<typeof storedChannel>;

interface State { readonly version: number | undefined; readonly channel: StoredChannel | undefined }

export interface ChannelKeeperOptions {
  readonly source: GDriveSourceConfig;
  readonly api: Pick<DriveApi, 'watch' | 'stopChannel' | 'startPageToken'>;
  readonly credentials: CredentialStore;
  readonly secret: (envName: string) => string | undefined;
  readonly clock: Clock;
  readonly log: Logger;
}

export class ChannelKeeper {
  /** Serialises the keeper's own calls (a run and the timer in one process). */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: ChannelKeeperOptions) {}

  /** The channel as stored now (tests and logs). */
  async stored(): Promise<StoredChannel | undefined> {
    return (await this.read()).channel;
  }

  /** Brings the stored channel in line with the config; returns the live one (undefined: none is wanted). */
  keep(horizonMs: number): Promise<StoredChannel | undefined> {
    return this.serial(() => this.keepNow(horizonMs));
  }

  /** Stops the stored channel and forgets it. */
  stop(): Promise<void> {
    return this.serial(async () => {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
        const state = await this.read();
        if (!state.channel) return;
        if (await this.write(state.version, null)) return this.stopQuietly(state.channel);
      }
    });
  }

  /**
   * `tributary start`'s timer: keeps the channel now, then again `renewBeforeMinutes` before
   * each expiration (a failure: again after a minute). Returns the stop function, which stops
   * the timer and the channel.
   */
  async runTimer(schedule: Schedule): Promise<() => Promise<void>> {
    let timer: { cancel(): void } | undefined;
    let stopped = false;
    const renewBefore = (this.options.source.push?.renewBeforeMinutes ?? 0) * 60_000;
    const arm = (channel: StoredChannel | undefined, delayMs?: number): void => {
      if (stopped || (channel === undefined && delayMs === undefined)) return;
      timer = schedule(() => {
        this.keep(0).then((next) => arm(next), (error: unknown) => {
          this.options.log.warn('gdrive.channel.renew_failed', { sourceId: this.options.source.id, error: errorMessage(error) });
          arm(undefined, RETRY_MS);
        });
      }, Math.max(0, delayMs ?? channel!.expiration - renewBefore - this.options.clock.now()));
    };
    const first = await this.keep(0);
    if (!first) this.options.log.warn('gdrive.channel.no_address', { sourceId: this.options.source.id, fix: 'set push.address to the public URL of POST /webhooks/<id>' });
    arm(first);
    return async () => {
      stopped = true;
      timer?.cancel();
      await this.stop();
    };
  }

  private async keepNow(horizonMs: number): Promise<StoredChannel | undefined> {
    const { source, clock } = this.options;
    const address = source.push?.address;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      const state = await this.read();
      const current = state.channel;
      if (!source.push || address === undefined) {
        if (!current) return undefined;
        // Push turned off (or its address removed): the channel goes on the first run that sees it.
        if (await this.write(state.version, null)) {
          await this.stopQuietly(current);
          return undefined;
        }
        continue;
      }
      const secret = this.secret();
      if (current && current.address === address && current.tokenHash === fingerprint(channelToken(secret, current.id))
        && current.expiration - clock.now() > source.push.renewBeforeMinutes * 60_000 + horizonMs) return current;
      const opened = await this.open(address, secret, source.push.channelHours);
      if (await this.write(state.version, opened)) {
        this.options.log.info('gdrive.channel.opened', { sourceId: source.id, channelId: opened.id, expiration: new Date(opened.expiration).toISOString(), replaces: current?.id });
        if (current) await this.stopQuietly(current);
        return opened;
      }
      // Another keeper stored a channel meanwhile: ours goes, theirs is judged on the next turn.
      await this.stopQuietly(opened);
    }
    return (await this.read()).channel;
  }

  private async open(address: string, secret: string, channelHours: number): Promise<StoredChannel> {
    const { source, api, clock } = this.options;
    const id = `${channelPrefix(source.id)}${randomUUID()}`;
    const token = channelToken(secret, id);
    const opened: OpenChannel = await api.watch({
      id, address, token, expiration: clock.now() + channelHours * 3_600_000, pageToken: await api.startPageToken(),
    });
    return { id: opened.id, resourceId: opened.resourceId, expiration: opened.expiration, address, tokenHash: fingerprint(token) };
  }

  private async read(): Promise<State> {
    const stored = await this.options.credentials.getToken(channelKey(this.options.source));
    if (!stored) return { version: undefined, channel: undefined };
    let data: unknown;
    try {
      data = JSON.parse(stored.accessToken);
    } catch {
      data = undefined;
    }
    const parsed = channelState.safeParse(data);
    if (!parsed.success) {
      // Unreadable state names no channel we could stop; the next write replaces it.
      this.options.log.warn('gdrive.channel.state_unreadable', { sourceId: this.options.source.id, version: stored.version });
      return { version: stored.version, channel: undefined };
    }
    return { version: stored.version, channel: parsed.data.channel ?? undefined };
  }

  /** One conditional write at the version read; false when another keeper wrote first. */
  private async write(version: number | undefined, channel: StoredChannel | null): Promise<boolean> {
    const written = await this.options.credentials.putToken({
      key: channelKey(this.options.source), expectVersion: version, now: this.options.clock.now(),
      token: { accessToken: JSON.stringify({ channel }), ...(channel ? { expiresAt: channel.expiration } : {}) },
    });
    return written !== undefined;
  }

  private async stopQuietly(channel: Pick<StoredChannel, 'id' | 'resourceId'>): Promise<void> {
    try {
      await this.options.api.stopChannel(channel.id, channel.resourceId);
      this.options.log.info('gdrive.channel.stopped', { sourceId: this.options.source.id, channelId: channel.id });
    } catch (error) {
      // An expired or already stopped channel is gone either way; any other lapses at its expiration.
      this.options.log.warn('gdrive.channel.stop_failed', { sourceId: this.options.source.id, channelId: channel.id, error: errorMessage(error) });
    }
  }

  private secret(): string {
    const env = this.options.source.webhook?.secretEnv;
    const value = env === undefined ? undefined : this.options.secret(env);
    if (!value) throw new ConfigError(`source "${this.options.source.id}" has push but no webhook secret in ${env ?? 'webhook.secretEnv'}: set it (the channel token is made from it; on AWS the fetcher reads it too)`);
    return value;
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

function fingerprint(token: string): string {
  return createHash('sha256').update(token).digest('base64url').slice(0, 16);
}
