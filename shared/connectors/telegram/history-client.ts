/**
 * The narrow slice of GramJS's `TelegramClient` the Telegram connector reads history through,
 * and where a connector gets one. MTProto is an encrypted binary protocol to Telegram's data
 * centres: it cannot be emulated on loopback the way an HTTP API can. So the connector talks
 * only to this interface; production builds the real client in ./gramjs-client.ts (the one file
 * that constructs GramJS), and tests install a fake of the same interface made of GramJS's own
 * `Api` classes and paging code (test/emulators/telegram/gramjs-fake.ts).
 */

import type { TelegramClient } from 'telegram';
import type { Logger } from '../../core/deps.ts';

/**
 * What a history sync calls. The real `TelegramClient` and the test fake both satisfy it; every
 * method is GramJS's own (`getMessages` pages with `limit`/`offsetId`/`offsetDate`/`ids`,
 * `getDialogs` fills the entity cache a fresh session needs before it can resolve a channel).
 */
export type TelegramHistoryClient = Pick<TelegramClient, 'connect' | 'disconnect' | 'getMe' | 'getDialogs' | 'getMessages'>;

/** What building a client needs: the app's credentials, the account's session, and GramJS's knobs. */
export interface HistoryClientSettings {
  readonly sourceId: string;
  /** api_id from my.telegram.org (not a secret). */
  readonly apiId: number;
  readonly apiHash: string;
  /** A GramJS StringSession: full access to the account. Never logged, never put in a message. */
  readonly session: string;
  /** The variable the session came from, for messages. */
  readonly sessionEnv: string;
  /** FLOOD_WAIT up to this many seconds is slept through by GramJS; a longer one is thrown. */
  readonly floodSleepThreshold: number;
  readonly connectionRetries: number;
  readonly log: Logger;
}

/** Builds and connects a client. */
export type HistoryClientFactory = (settings: HistoryClientSettings) => Promise<TelegramHistoryClient>;

/** The production factory: imported lazily so bundles that never read history never load GramJS. */
const gramJs: HistoryClientFactory = async (settings) => (await import('./gramjs-client.ts')).connectGramJs(settings);

let installed: HistoryClientFactory | undefined;

/**
 * **Test seam.** Makes every Telegram connector created afterwards in this process get its
 * client from `factory` instead of connecting GramJS to Telegram; returns a function that puts
 * the previous factory back. It exists because MTProto has no URL a test could point at (the
 * way Slack's tests set `apiUrl`): tests install a fake built from GramJS's own code, and the
 * CLI end-to-end tests install it in the child process through a wrapper entry point
 * (test/e2e/support/telegram-cli.mjs). Nothing in the product calls it; a connector captures the
 * factory when it is created, so installing one never affects a connector already running.
 */
export function installHistoryClientFactory(factory: HistoryClientFactory): () => void {
  const previous = installed;
  installed = factory;
  return () => {
    installed = previous;
  };
}

/** The factory a connector created now uses: GramJS, unless a test installed one. */
export function currentHistoryClientFactory(): HistoryClientFactory {
  return installed ?? gramJs;
}
