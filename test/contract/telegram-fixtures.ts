/**
 * The Telegram world and connector the Telegram connector suites share: three people, a forum
 * supergroup, a channel with signatures, a basic group, a private supergroup and a private chat,
 * read through the GramJS fake (GramJS's own getMessages/getDialogs code over a fake `invoke`)
 * installed with the connector's test seam; and passes driven the way the core drives them
 * (a full first pass, then incremental ones resuming from the cursor the last one ended with).
 */
import type { ConnectorContext } from '../../shared/connectors/definition.ts';
import type { TelegramConnector } from '../../shared/connectors/telegram/telegram-connector.ts';
import { installHistoryClientFactory, type TelegramHistoryClient } from '../../shared/connectors/telegram/history-client.ts';
import type { Cursor, DocumentRef, PullWindow, SourceDocument } from '../../shared/ports/index.ts';
import { FakeTelegramClient, TelegramWorld } from '../emulators/telegram.ts';
import { connectorFromConfig } from './harnesses/harness.ts';
import { pullPass } from './source-connector.contract.ts';

export const BOB = 42;
export const CAROL = 43;
export const FORUM = 1500000001;
export const NEWS = 1600000001;
export const FAMILY = 900001;
export const CREW = 1700000001;
export const FORUM_ID = '-1001500000001';
export const NEWS_ID = '-1001600000001';
export const FAMILY_ID = '-900001';
export const CREW_ID = '-1001700000001';
export const BOB_ID = '42';
export const SECRETS: Readonly<Record<string, string>> = { TELEGRAM_API_HASH: 'api-hash-for-tests', TELEGRAM_SESSION: '1SessionStringThatMustNeverBeLogged' };

export class TelegramFixture {
  clock: number;
  readonly world: TelegramWorld;
  readonly fake: FakeTelegramClient;
  /** What the connector's client was built with (the test seam's argument). */
  readonly built: Array<{ session: string; apiHash: string }> = [];
  private feed: Cursor | undefined;
  /** Messages every getMessages so far handed back (what Telegram sent). */
  messagesRead = 0;

  constructor(start = '2026-03-02T09:00:00Z', options: { client?: (fake: FakeTelegramClient) => TelegramHistoryClient } = {}) {
    this.clock = Date.parse(start);
    this.world = new TelegramWorld(() => this.clock);
    this.fake = new FakeTelegramClient({ world: this.world, now: () => this.clock, sleep: async () => undefined });
    this.client = options.client ?? ((fake) => fake);
  }

  private readonly client: (fake: FakeTelegramClient) => TelegramHistoryClient;

  /** People and chats: Bob and Carol; a forum (bot admin), a channel, a basic group, a private supergroup, Bob's private chat. */
  seed(): this {
    const w = this.world;
    w.addUser({ id: BOB, firstName: 'Bob', lastName: 'Builder', username: 'bob_builder' });
    w.addUser({ id: CAROL, firstName: 'Carol' });
    w.addChat({ id: FORUM, kind: 'supergroup', title: 'Engineering', username: 'eng_team', forum: true, members: [BOB, CAROL], bot: true, botIsAdmin: true });
    w.addChat({ id: NEWS, kind: 'channel', title: 'Announcements', username: 'tributary_news', signatures: true, bot: true, botIsAdmin: true });
    w.addChat({ id: FAMILY, kind: 'group', title: 'Family', members: [BOB], bot: true });
    w.addChat({ id: CREW, kind: 'supergroup', title: 'Crew', members: [CAROL] });
    w.addChat({ id: BOB, kind: 'private', peer: BOB });
    return this;
  }

  private counting(client: TelegramHistoryClient): TelegramHistoryClient {
    return new Proxy(client, {
      get: (target, prop, receiver) => {
        if (prop !== 'getMessages') return Reflect.get(target, prop, receiver) as unknown;
        return async (...args: Parameters<TelegramHistoryClient['getMessages']>) => {
          const list = await target.getMessages(...args);
          this.messagesRead += list.filter((m) => m !== undefined).length;
          return list;
        };
      },
    });
  }

  tick(seconds: number): void {
    this.clock += seconds * 1000;
  }

  /** A connector built by the registry's schema and the definition, its client the fake. */
  connector(config: Record<string, unknown> = {}, context: Partial<ConnectorContext> = {}): TelegramConnector {
    const restore = installHistoryClientFactory(async (settings) => {
      this.built.push({ session: settings.session, apiHash: settings.apiHash });
      await this.fake.connect();
      return this.counting(this.client(this.fake));
    });
    try {
      return connectorFromConfig({ id: 'tg', kind: 'telegram', apiId: 12345, ...config }, { secret: (name) => SECRETS[name], ...context }) as TelegramConnector;
    } finally {
      restore();
    }
  }

  /** One pass as the core runs it: full the first time (or when asked), then incremental from the last pass's final cursor. */
  async pass(connector: TelegramConnector, options: { full?: boolean } = {}): Promise<PassResult> {
    const full = options.full === true || this.feed === undefined;
    const window: PullWindow = {
      snapshotAt: new Date(this.clock).toISOString(), full,
      ...(!full ? { since: new Date(this.clock - 3_600_000).toISOString(), resume: this.feed! } : {}),
    };
    const before = this.fake.calls.length;
    const read = this.messagesRead;
    // As the core does when a run takes the lease.
    connector.beginRun({ runId: window.snapshotAt, trigger: 'cli', targeted: false });
    const result = await pullPass(connector, window);
    this.feed = result.cursor;
    const calls = this.fake.calls.slice(before);
    return {
      ...result, window, docs: result.refs.map((r) => r.document!), calls, messagesRead: this.messagesRead - read,
      history: calls.filter((c) => c.request === 'messages.GetHistory' || c.request === 'channels.GetMessages' || c.request === 'messages.GetMessages').length,
    };
  }

  /** Forgets the last pass's cursor (a `reset`). */
  forget(): void {
    this.feed = undefined;
  }

  get lastFeed(): Cursor | undefined {
    return this.feed;
  }
}

export interface PassResult {
  readonly refs: DocumentRef[];
  readonly docs: SourceDocument[];
  readonly skipped: Array<{ id: string; reason: string; prefix?: boolean }>;
  readonly pages: number;
  readonly cursor: Cursor | undefined;
  readonly window: PullWindow;
  readonly calls: FakeTelegramClient['calls'];
  /** Messages Telegram handed back during the pass. */
  readonly messagesRead: number;
  /** Requests that read messages (history pages and by-id reads). */
  readonly history: number;
}

/** A document's turns. */
export const turnsOf = (doc: SourceDocument | undefined): string[] => (doc?.text ?? '').split('\u001e').filter((t) => t !== '');

export const byId = (docs: readonly SourceDocument[]): Map<string, SourceDocument> => new Map(docs.map((d) => [d.id, d]));
