/**
 * The names a Slack document shows instead of ids: users' display names, channels' names (and
 * privacy), and the workspace URL that permalinks start with. Each lookup is kept `ttlMs`, so
 * a rename reaches the documents once the entry expires and the document is read again.
 */
import type { Clock } from '../../ports/index.ts';
import type { ChannelInfo } from './messages.ts';
import { ABSENT, SlackApiError, type SlackApi, type SlackUser } from './slack-api.ts';

interface CacheEntry<T> {
  readonly value: Promise<T>;
  readonly until: number;
}

export class SlackNames {
  private readonly users = new Map<string, CacheEntry<string | undefined>>();
  private readonly channelNames = new Map<string, CacheEntry<ChannelInfo | undefined>>();
  private workspaceUrl: Promise<string> | undefined;

  constructor(private readonly api: SlackApi, private readonly ttlMs: number, private readonly clock: Clock) {}

  userName(id: string): Promise<string | undefined> {
    return this.cached(this.users, id, async () => {
      try {
        return displayName(await this.api.userInfo(id));
      } catch (error) {
        if (error instanceof SlackApiError && (error.slackError === 'user_not_found' || error.slackError === 'user_not_visible')) return undefined;
        throw error;
      }
    });
  }

  channelInfo(id: string): Promise<ChannelInfo | undefined> {
    return this.cached(this.channelNames, id, async () => {
      try {
        const c = await this.api.channelInfo(id);
        return { id, name: c.name ?? id, isPrivate: c.is_private !== false || c.is_im === true || c.is_mpim === true };
      } catch (error) {
        if (error instanceof SlackApiError && ABSENT.has(error.slackError)) return undefined;
        throw error;
      }
    });
  }

  /** `https://<workspace>.slack.com/` from auth.test, read once (permalinks need it). */
  workspace(): Promise<string> {
    if (!this.workspaceUrl) {
      const url = this.api.authTest().then((r) => r.url ?? 'https://slack.com/');
      this.workspaceUrl = url;
      url.catch(() => {
        if (this.workspaceUrl === url) this.workspaceUrl = undefined;
      });
    }
    return this.workspaceUrl;
  }

  /** A promise per key until it expires; concurrent lookups share one request, failures are not kept. */
  private cached<T>(cache: Map<string, CacheEntry<T>>, key: string, load: () => Promise<T>): Promise<T> {
    const now = this.clock.now();
    const hit = cache.get(key);
    if (hit && hit.until > now) return hit.value;
    const value = load();
    const entry = { value, until: now + this.ttlMs };
    cache.set(key, entry);
    value.catch(() => {
      if (cache.get(key) === entry) cache.delete(key);
    });
    return value;
  }
}

function displayName(user: SlackUser): string | undefined {
  const candidates = [user.profile?.display_name, user.profile?.real_name, user.real_name, user.name];
  return candidates.find((n): n is string => typeof n === 'string' && n.trim() !== '')?.trim();
}
