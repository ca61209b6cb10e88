/**
 * Who may see a Slack channel's documents, as Tributary principals: a public channel's are
 * `public` (anyone in the workspace can read it); a private channel's, a DM's and a group DM's
 * are their members, `user:<Slack user id>` (conversations.members, paged). Looked up once per
 * channel and kept `ttlMs`, like the names: a membership change reaches the documents once the
 * entry expires and the document is read again (its version covers the access list).
 */
import type { Clock } from '../../ports/index.ts';
import type { ChannelInfo } from './messages.ts';
import type { SlackApi } from './slack-api.ts';

/** Members per conversations.members request (Slack's documented maximum is 1000; 200 is its recommendation). */
const MEMBERS_PAGE = 200;

export class ChannelAccess {
  private readonly cache = new Map<string, { readonly value: Promise<string[]>; readonly until: number }>();

  constructor(private readonly api: SlackApi, private readonly ttlMs: number, private readonly clock: Clock) {}

  /** The principals of a channel; a channel whose privacy is unknown is taken as private. */
  principals(channel: ChannelInfo): Promise<string[]> {
    if (channel.isPrivate === false) return Promise.resolve(['public']);
    const now = this.clock.now();
    const hit = this.cache.get(channel.id);
    if (hit && hit.until > now) return hit.value;
    const value = this.members(channel.id);
    const entry = { value, until: now + this.ttlMs };
    this.cache.set(channel.id, entry);
    value.catch(() => {
      if (this.cache.get(channel.id) === entry) this.cache.delete(channel.id);
    });
    return value;
  }

  private async members(channel: string): Promise<string[]> {
    const ids = new Set<string>();
    let cursor: string | undefined;
    do {
      const page = await this.api.members(channel, cursor, MEMBERS_PAGE);
      for (const id of page.items) ids.add(`user:${id}`);
      cursor = page.next;
    } while (cursor !== undefined);
    return [...ids].sort();
  }
}
