/**
 * The one place that constructs GramJS: a `TelegramClient` logged in with the account's
 * `StringSession`, connected, its authorization checked, its log routed to Tributary's logger
 * (GramJS prints to stdout by default, which would corrupt `sync --json`). Loaded lazily by
 * ./history-client.ts, so functions that never read history (the webhook, the watchdog) never
 * evaluate GramJS.
 *
 * The session string is a full-account credential: it is passed to GramJS and nowhere else;
 * no message, log line or error built here contains it.
 */

import { Logger as GramJsLogger, TelegramClient } from 'telegram';
import { LogLevel } from 'telegram/extensions/Logger.js';
import { StringSession } from 'telegram/sessions/index.js';
import { ConfigError, TributaryError } from '../../core/errors.ts';
import type { Logger } from '../../core/deps.ts';
import { telegramFailure } from './errors.ts';
import type { HistoryClientSettings, TelegramHistoryClient } from './history-client.ts';

/** GramJS's logger, speaking through ours: warnings and errors only, never to stdout. */
class ForwardingLogger extends GramJsLogger {
  constructor(private readonly target: Logger) {
    super(LogLevel.WARN);
  }

  override log(level: LogLevel, message: string): void {
    if (level === LogLevel.ERROR) this.target.error(`GramJS: ${message}`);
    else if (level === LogLevel.WARN) this.target.warn(`GramJS: ${message}`);
  }
}

/** A GramJS StringSession from the secret, or a ConfigError that names the variable (never the value). */
export function parseSession(session: string, sessionEnv: string): StringSession {
  try {
    return new StringSession(session.trim());
  } catch {
    throw new ConfigError(
      `${sessionEnv} does not hold a GramJS StringSession (it must start with "1" and be the base64 string client.session.save() returns): log in as shown in docs/sources/telegram.md ("The session") and store the new string`,
    );
  }
}

/** Connects GramJS as the account the session belongs to. */
export async function connectGramJs(settings: HistoryClientSettings): Promise<TelegramHistoryClient> {
  const session = parseSession(settings.session, settings.sessionEnv);
  const client = new TelegramClient(session, settings.apiId, settings.apiHash, {
    connectionRetries: settings.connectionRetries,
    floodSleepThreshold: settings.floodSleepThreshold,
    baseLogger: new ForwardingLogger(settings.log),
  });
  try {
    await client.connect();
    if (!(await client.checkAuthorization())) {
      throw new TributaryError(
        `Telegram source "${settings.sourceId}": the session in ${settings.sessionEnv} is not logged in (logged out, or revoked under Settings → Devices): log in again as shown in docs/sources/telegram.md ("The session")`,
      );
    }
  } catch (error) {
    await client.disconnect().catch(() => undefined);
    throw error instanceof TributaryError ? error : telegramFailure(settings.sourceId, settings.sessionEnv, error, 'connect');
  }
  return client;
}
