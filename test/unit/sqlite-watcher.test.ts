/**
 * The SQLite source's file watcher: every commit another process makes becomes a hint, and
 * reading the database (this source's own connections opening, reading and closing) makes none,
 * so a sync does not wake itself.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { watchDatabase } from '../../shared/connectors/sqlite/watcher.ts';
import { MESSAGES_SCHEMA, runWriter, testFolder, type TestFolder } from '../support/sqlite.ts';

const DEBOUNCE_MS = 50;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('watchDatabase', () => {
  let folder: TestFolder;
  let path: string;
  let hints = 0;
  let stop: () => Promise<void>;

  beforeAll(async () => {
    folder = await testFolder('tributary-watcher-');
    path = join(folder.dir, 'bot.db');
    folder.open('bot.db', MESSAGES_SCHEMA); // the bot's own connection stays open, as in a running bot
    await runWriter({ path, transactions: 3, prefix: 'warm' });
    stop = await watchDatabase({ sourceId: 'chat', path, debounceMs: DEBOUNCE_MS }, () => { hints++; });
  });
  afterAll(async () => {
    await stop();
    await folder.remove();
  });

  const waitForHint = async (after: number, timeoutMs: number): Promise<boolean> => {
    const until = Date.now() + timeoutMs;
    while (hints === after && Date.now() < until) await sleep(10);
    return hints > after;
  };

  it('turns every commit of another process into a hint', { timeout: 30_000 }, async () => {
    // Before the fix about one commit in three was missed: chokidar's 5 ms throttle dropped the
    // write's events behind an earlier event that had not moved the mtime.
    const missed: number[] = [];
    for (let round = 0; round < 12; round++) {
      await sleep(DEBOUNCE_MS * 2);
      const before = hints;
      await runWriter({ path, transactions: 1, prefix: `round ${round}` });
      if (!(await waitForHint(before, 3_000))) missed.push(round);
    }
    expect(missed).toEqual([]);
  });

  it('gives no hint for reads, by open connections or by ones opened and closed', async () => {
    await sleep(DEBOUNCE_MS * 3);
    const before = hints;
    const reader = new Database(path, { readonly: true, fileMustExist: true });
    for (let i = 0; i < 5; i++) {
      reader.prepare('SELECT * FROM messages').all();
      const once = new Database(path, { readonly: true, fileMustExist: true });
      once.prepare('SELECT count(*) FROM messages').get();
      once.close();
      await sleep(20);
    }
    reader.close();
    expect(await waitForHint(before, DEBOUNCE_MS * 6)).toBe(false);
  });
});
