import { installHistoryClientFactory } from '../../../shared/connectors/telegram/history-client.ts';
import { dayOfMs } from '../../../shared/connectors/kit/days.ts';
import { FakeTelegramClient, TelegramWorld } from '../../emulators/telegram.ts';
import { connectorFromConfig, type ContractHarness } from './harness.ts';

const BOB = 42;
const ENGINEERING = 1500000001;
const ENGINEERING_ID = '-1001500000001';
const DAY_MS = 86_400_000;

/**
 * The GramJS fake (GramJS's own paging code over a fake `invoke`), installed through the
 * connector's test seam: one supergroup, each contract document a message on its own day, so
 * each is one chat-day document. A private chat outside `chats` must never show up.
 */
export const telegramHarness: ContractHarness = {
  variants: [{
    name: 'supergroup chat-days',
    make: async () => {
      const base = Date.now() - 60 * DAY_MS;
      let clock = base - DAY_MS;
      const world = new TelegramWorld(() => clock);
      world.addUser({ id: BOB, firstName: 'Bob', lastName: 'Builder' });
      world.addChat({ id: ENGINEERING, kind: 'supergroup', title: 'Engineering', members: [BOB] });
      world.addChat({ id: BOB, kind: 'private', peer: BOB });
      world.post({ chat: BOB, from: BOB, text: 'a private chat the source is not configured for' });
      const fake = new FakeTelegramClient({ world, sleep: async () => undefined });
      const restore = installHistoryClientFactory(async () => {
        await fake.connect();
        return fake;
      });
      const connector = connectorFromConfig(
        { id: 'tg', kind: 'telegram', apiId: 1, chats: [ENGINEERING_ID], pageSize: 3, reconcile: true },
        { secret: (name) => ({ TELEGRAM_API_HASH: 'hash', TELEGRAM_SESSION: '1fake' })[name] },
      );
      restore();
      const at = (id: string): number => base + Number(/\d+/.exec(id)![0]) * DAY_MS;
      const posted = new Map<string, number>();
      return {
        connector,
        put: async (id, text) => {
          const existing = posted.get(id);
          clock = Math.max(clock, at(id));
          if (existing !== undefined) world.edit(ENGINEERING, existing, text);
          else posted.set(id, world.post({ chat: ENGINEERING, from: BOB, text, date: Math.floor(at(id) / 1000) }).id);
        },
        remove: async (id) => {
          world.remove(ENGINEERING, posted.get(id)!);
          posted.delete(id);
        },
        cleanup: async () => connector.close?.(),
        docId: (id) => `${ENGINEERING_ID}/${dayOfMs(at(id), 'UTC')}`,
        renderedText: (_id, text) => `Bob Builder: ${text.trim()}`,
      };
    },
  }],
};
