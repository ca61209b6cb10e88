/**
 * The Discord guild the Discord connector suites share (against the loopback emulator): Alice
 * and Bob in one guild with #general and #random, a #secret the bot cannot see, and a connector
 * built the way the wiring builds it.
 */
import { PermissionFlagsBits as P } from 'discord-api-types/v10';
import type { DiscordConnector } from '../../shared/connectors/discord/discord-connector.ts';
import type { SourceConnector } from '../../shared/ports/index.ts';
import { DISCORD_EPOCH, type DiscordEmulator } from '../emulators/discord.ts';
import { connectorFromConfig } from './harnesses/harness.ts';

export interface DiscordGuild {
  readonly guild: string;
  readonly alice: string;
  readonly bob: string;
  readonly general: string;
  readonly random: string;
  readonly secret: string;
}

export function seedGuild(emu: DiscordEmulator, at = Date.now() - 90 * 86_400_000): DiscordGuild {
  const alice = emu.addUser({ username: 'alice', globalName: 'Alice' }).id;
  const bob = emu.addUser({ username: 'bob', globalName: 'Bob' }).id;
  const guild = emu.addGuild({ name: 'Tributary', at }).id;
  for (const user of [alice, bob]) emu.addMember(guild, user, { at });
  const general = emu.addChannel({ guild, name: 'general', at }).id;
  const random = emu.addChannel({ guild, name: 'random', at }).id;
  const secret = emu.addChannel({
    guild, name: 'secret', at,
    overwrites: [{ id: guild, type: 'role', deny: [P.ViewChannel] }, { id: alice, type: 'member', allow: [P.ViewChannel] }],
  }).id;
  return { guild, alice, bob, general, random, secret };
}

/** The id the emulator mints for the first message sent at `ms` (worker 1, process 0, increment 0). */
export function firstIdAt(ms: number): string {
  return ((BigInt(Math.floor(ms) - DISCORD_EPOCH) << 22n) | (1n << 17n)).toString();
}

/** A connector of `emu` from a config as a user writes it (defaults filled by the schema). */
export function discordConnector(emu: DiscordEmulator, config: Record<string, unknown> = {}): DiscordConnector & SourceConnector {
  return connectorFromConfig({
    id: 'discord', kind: 'discord', apiUrl: emu.api, tokenEnv: 'DISCORD_BOT_TOKEN', watch: false, ...config,
  }, { secret: (name) => (name === 'DISCORD_BOT_TOKEN' ? emu.token : undefined) }) as DiscordConnector & SourceConnector;
}
