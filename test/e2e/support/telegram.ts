/**
 * A workspace for driving a `telegram` source through the real CLI: a config, a logged world
 * the child's GramJS fake replays (./telegram-world.ts), the requests each run made of it, and
 * `sync --json` / `export` runs through the wrapper entry point (./telegram-cli.mjs).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  makeWorkspace, parseExport, runOk, spawnCli, syncReport, type CliResult, type ExportRow, type RunningCli, type SyncSourceReport, type Workspace,
} from './cli.ts';
import { LoggedWorld } from './telegram-world.ts';

export const TELEGRAM_CLI = fileURLToPath(new URL('./telegram-cli.mjs', import.meta.url));
/** Looks like a StringSession; never to appear in any output or file the CLI writes. */
export const SESSION = '1BAAOMTQ5LjE1NC4xNjcuOTEAUE2eSessionThatMustNeverLeak0123456789abcdef';
export const API_HASH = 'e2e-api-hash-0123456789abcdef';

/**
 * A fixed-offset zone (`Etc/GMT…`) in which it is about 18:00 now: the Telegram end-to-end
 * worlds are dated relative to the real clock (the CLI's passes are), and days taken in this zone
 * never split "today" at midnight, whatever time the tests run.
 */
export function eveningZone(now = Date.now()): string {
  const utcHour = new Date(now).getUTCHours();
  let offset = (18 - utcHour + 24) % 24;
  if (offset > 14) offset -= 24;
  // Etc/GMT signs are inverted: Etc/GMT-5 is UTC+5.
  return offset === 0 ? 'Etc/GMT' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
}

/** One request the fake answered, or (method getMessages) how many messages a getMessages returned. */
export interface FakeCallLine {
  readonly method: string;
  readonly request?: string;
  readonly args?: Record<string, unknown>;
  readonly returned?: number;
}

export class TelegramCliWorkspace {
  readonly log: LoggedWorld;
  readonly outputs: CliResult[] = [];
  private callsRead = 0;

  private constructor(readonly ws: Workspace, start: number) {
    this.log = new LoggedWorld(join(ws.dir, 'world.jsonl'), start);
  }

  static async create(name: string, start: number, source: Record<string, unknown> = {}): Promise<TelegramCliWorkspace> {
    const ws = await makeWorkspace(name, { config: {} });
    const workspace = new TelegramCliWorkspace(ws, start);
    await workspace.configure(source);
    return workspace;
  }

  get world(): LoggedWorld['world'] {
    return this.log.world;
  }

  get callsPath(): string {
    return join(this.ws.dir, 'calls.jsonl');
  }

  async configure(source: Record<string, unknown>): Promise<void> {
    await this.ws.writeConfig({ sources: [{ id: 'tg', kind: 'telegram', apiId: 12345, schedule: 'rate(1 day)', ...source }] });
  }

  env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      TELEGRAM_API_HASH: API_HASH, TELEGRAM_SESSION: SESSION, TRIBUTARY_TEST_TELEGRAM_SESSION: SESSION,
      TRIBUTARY_TEST_TELEGRAM_WORLD: this.log.path, TRIBUTARY_TEST_TELEGRAM_CALLS: this.callsPath, ...extra,
    };
  }

  async run(args: readonly string[]): Promise<CliResult> {
    const result = await runOk(this.ws.dir, args, { bin: TELEGRAM_CLI, env: this.env() });
    this.outputs.push(result);
    return result;
  }

  spawn(args: readonly string[], extraEnv: Record<string, string> = {}): RunningCli {
    return spawnCli(this.ws.dir, args, { bin: TELEGRAM_CLI, env: this.env(extraEnv), timeoutMs: 240_000 });
  }

  /** `sync --json`, with the requests the run made of the fake. */
  async sync(extra: readonly string[] = []): Promise<{ report: SyncSourceReport; calls: FakeCallLine[] }> {
    const result = await this.run(['sync', '--json', ...extra]);
    return { report: syncReport(result, 'tg'), calls: this.newCalls() };
  }

  async rows(): Promise<ExportRow[]> {
    return parseExport((await this.run(['export', '--source', 'tg'])).stdout);
  }

  /** Requests logged since the last call of this method. */
  newCalls(): FakeCallLine[] {
    if (!existsSync(this.callsPath)) return [];
    const lines = readFileSync(this.callsPath, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as FakeCallLine);
    const fresh = lines.slice(this.callsRead);
    this.callsRead = lines.length;
    return fresh;
  }

  remove(): Promise<void> {
    return this.ws.remove();
  }
}

/** GetHistory requests among `calls`, and the messages getMessages returned in all. */
export function historyStats(calls: readonly FakeCallLine[]): { getHistory: number; byIds: number; dialogs: number; messagesRead: number } {
  return {
    getHistory: calls.filter((c) => c.request === 'messages.GetHistory').length,
    byIds: calls.filter((c) => c.request === 'channels.GetMessages' || c.request === 'messages.GetMessages').length,
    dialogs: calls.filter((c) => c.request === 'messages.GetDialogs').length,
    messagesRead: calls.reduce((n, c) => n + (c.returned ?? 0), 0),
  };
}
