import { dayOfMs } from '../../../shared/connectors/kit/days.ts';
import { DiscordEmulator } from '../../emulators/discord.ts';
import { discordConnector, firstIdAt, seedGuild } from '../discord-fixtures.ts';
import type { ContractHarness } from './harness.ts';

/** The loopback Discord emulator, one guild per fixture, in both document modes. */
export const discordHarness: ContractHarness = {
  variants: (['channel-day', 'message'] as const).map((mode) => ({
    name: mode,
    make: async () => {
      const emu = await DiscordEmulator.start();
      const g = seedGuild(emu);
      // A message in a channel the bot cannot see must never show up.
      emu.post({ channel: g.secret, author: g.alice, content: 'hidden', at: Date.now() - 3_600_000 });
      const base = Date.now() - 60 * 86_400_000;
      // Contract ids map to fixed times: a minute apart (messages), or a day apart (channel-days).
      const atOf = (id: string): number => base + Number(/\d+/.exec(id)![0]) * (mode === 'message' ? 60_000 : 86_400_000);
      const posted = new Map<string, string>();
      return {
        connector: discordConnector(emu, { documentMode: mode, pageSize: 3 }),
        put: async (id, text) => {
          const existing = posted.get(id);
          if (existing) emu.edit(g.general, existing, { content: text });
          else posted.set(id, emu.post({ channel: g.general, author: g.alice, content: text, at: atOf(id) }).id);
        },
        remove: async (id) => {
          emu.remove(g.general, posted.get(id)!);
          posted.delete(id);
        },
        cleanup: () => emu.close(),
        docId: (id) => `${g.general}/${mode === 'message' ? firstIdAt(atOf(id)) : dayOfMs(atOf(id), 'UTC')}`,
        renderedText: (_id, text) => `Alice: ${text.trim()}`,
      };
    },
  })),
};
