/**
 * Loaded in a `tributary` child process by ./telegram-cli.mjs before the CLI: installs, through
 * the connector's test seam (installHistoryClientFactory), the GramJS fake over the world the
 * test logs at TRIBUTARY_TEST_TELEGRAM_WORLD, following new operations before every call, so a
 * long-running `tributary start` sees messages posted after it started. Every request the fake
 * answers is appended to TRIBUTARY_TEST_TELEGRAM_CALLS (JSON lines), for the test to count. The
 * session the connector passes is checked against TRIBUTARY_TEST_TELEGRAM_SESSION.
 */
import { appendFileSync } from 'node:fs';
import { installHistoryClientFactory, type TelegramHistoryClient } from '../../../shared/connectors/telegram/history-client.ts';
import { FakeTelegramClient, TelegramWorld } from '../../emulators/telegram.ts';
import { follower } from './telegram-world.ts';

const worldPath = process.env['TRIBUTARY_TEST_TELEGRAM_WORLD'];
const callsPath = process.env['TRIBUTARY_TEST_TELEGRAM_CALLS'];
const session = process.env['TRIBUTARY_TEST_TELEGRAM_SESSION'];

if (worldPath) {
  let clock = 0;
  const world = new TelegramWorld(() => clock);
  const follow = follower(worldPath, world, (ms) => {
    clock = ms;
  });
  const fake = new FakeTelegramClient({ world, now: () => clock, sleep: async () => undefined });
  let logged = 0;
  /** Follows the log, runs the call, and records what the fake was asked. */
  const around = <T>(method: string, run: () => Promise<T>): Promise<T> => {
    follow();
    return run().finally(() => {
      const calls = fake.calls.slice(logged);
      logged = fake.calls.length;
      if (callsPath && calls.length > 0) {
        appendFileSync(callsPath, calls.map((c) => `${JSON.stringify({ method, request: c.request, args: c.args, outcome: c.outcome })}\n`).join(''));
      }
    });
  };
  const client: TelegramHistoryClient = {
    connect: () => fake.connect(),
    disconnect: () => fake.disconnect(),
    // The connector asks for the account itself (getMe()), never for its input peer.
    getMe: (() => around('getMe', () => fake.getMe(false))) as TelegramHistoryClient['getMe'],
    getDialogs: (params) => around('getDialogs', () => fake.getDialogs(params)),
    getMessages: (entity, params) => around('getMessages', async () => {
      const result = await fake.getMessages(entity, params);
      if (callsPath) appendFileSync(callsPath, `${JSON.stringify({ method: 'getMessages', returned: result.filter((m) => m !== undefined).length })}\n`);
      return result;
    }),
  };
  installHistoryClientFactory(async (settings) => {
    if (session !== undefined && settings.session !== session) throw new Error('the connector passed another session than the environment holds');
    await fake.connect();
    return client;
  });
}
