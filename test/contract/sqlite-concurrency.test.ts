/**
 * The SQLite connector beside the process that owns the database: a separate writer process
 * (test/support/sqlite-writer.mjs, committing without waiting for any lock) writes while the
 * connector pages, fetches and lists — the writer is never blocked, the reader sees only whole
 * transactions, the file stays intact — and the watcher turns the writer's commits (not the
 * connector's own reads) into coalesced hints.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sqliteSource } from '../../shared/connectors/sqlite/config.ts';
import { SqliteConnector } from '../../shared/connectors/sqlite/sqlite-connector.ts';
import type { Hints } from '../../shared/ports/index.ts';
import { MESSAGES_SCHEMA, runWriter, testFolder, type TestFolder } from '../support/sqlite.ts';
import { collect, newWindow, pullPass } from './source-connector.contract.ts';

let folder: TestFolder;
let files = 0;
const opened: SqliteConnector[] = [];

beforeAll(async () => {
  folder = await testFolder();
});

afterEach(async () => {
  for (const c of opened.splice(0)) await c.close();
});

afterAll(async () => {
  await folder.remove();
});

/** A database with the docs' messages table, created and closed by the test: the writer process owns it from here. */
function newDatabase(): string {
  const name = `c-${++files}.db`;
  folder.open(name, MESSAGES_SCHEMA).close();
  return join(folder.dir, name);
}

function connector(path: string, options: { hintDebounceMs?: number } = {}): SqliteConnector {
  const config = sqliteSource.parse({
    id: 'bot', kind: 'sqlite', path, table: 'messages', idColumn: 'id', updatedAtColumn: 'updated_at', textTemplate: '{{author}}: {{body}}',
    mode: 'conversation', conversation: { groupColumn: 'chat_id', orderColumn: 'sent_at' }, pageSize: 2,
  });
  const c = new SqliteConnector('bot', { config, ...options });
  opened.push(c);
  return c;
}

/** The question numbers of a document's turns whose answer is missing (a transaction seen in half). */
function halfTransactions(text: string): string[] {
  const turns = text.split('\u001e');
  const questions = turns.filter((t) => t.startsWith('user: ')).map((t) => t.replace(/^user: .* question /, ''));
  const answers = new Set(turns.filter((t) => t.startsWith('bot: ')).map((t) => t.replace(/^bot: .* answer /, '')));
  return questions.filter((n) => !answers.has(n));
}

describe('SqliteConnector beside a writer process', () => {
  it('reads while another process commits: the writer never waits, every read holds whole transactions, the file stays intact', async () => {
    // Prepare
    const path = newDatabase();
    const bot = connector(path);
    await bot.pull(undefined, newWindow());

    // Act: 400 transactions of two messages in 8 chats, while the connector reads in a loop.
    const writer = runWriter({ path, transactions: 400, chats: 8, pauseMs: 2 });
    let done = false;
    void writer.finally(() => { done = true; });
    let rounds = 0;
    const torn: string[] = [];
    while (!done || rounds === 0) {
      const pass = await pullPass(bot, newWindow());
      const fetched = await bot.fetch(pass.refs.map((r) => r.id));
      await collect(bot.list!());
      for (const doc of fetched.documents) torn.push(...halfTransactions(doc.text).map((n) => `${doc.id}#${n}`));
      rounds++;
      // SQLite calls are synchronous: let the event loop see the writer's exit.
      await new Promise((resolve) => setImmediate(resolve));
    }
    const report = await writer;
    const final = await bot.fetch((await collect(bot.list!())).map((d) => d.id));

    // Assess
    expect(report.errors).toEqual([]);
    expect(report.written).toBe(800);
    expect(report.maxCommitMs).toBeLessThan(1_000);
    expect(rounds).toBeGreaterThan(1);
    expect(torn).toEqual([]);
    expect(final.documents.map((d) => d.text.split('\u001e').length).reduce((a, b) => a + b, 0)).toBe(800);
    const check = new Database(path, { readonly: true });
    expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
    check.close();
  }, 120_000);

  it('watches the file: a commit by the writer becomes one hint, a burst one or two, the connector\'s own reads none', async () => {
    // Prepare
    const path = newDatabase();
    const bot = connector(path, { hintDebounceMs: 100 });
    const hints: Array<Hints & { at: number }> = [];
    const stop = await bot.watch((h) => hints.push({ ...h, at: Date.now() }));
    const waitForHints = async (count: number, ms: number): Promise<void> => {
      const deadline = Date.now() + ms;
      while (hints.length < count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    };

    try {
      // Act + Assess: one commit.
      const started = Date.now();
      await runWriter({ path, transactions: 1 });
      await waitForHints(1, 5_000);
      expect(hints.map(({ sourceId, ids }) => ({ sourceId, ids }))).toEqual([{ sourceId: 'bot', ids: [] }]);
      expect(hints[0]!.at - started).toBeLessThan(3_000);

      // A burst of 50 commits: coalesced.
      await new Promise((resolve) => setTimeout(resolve, 300));
      hints.length = 0;
      await runWriter({ path, transactions: 50 });
      await waitForHints(1, 5_000);
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(hints.length).toBeGreaterThanOrEqual(1);
      expect(hints.length).toBeLessThanOrEqual(2);

      // The connector's own reads write nothing the watcher sees.
      hints.length = 0;
      await pullPass(bot, newWindow());
      await bot.fetch(['chat-0']);
      await collect(bot.list!());
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(hints).toEqual([]);
    } finally {
      await stop();
    }

    // Stopped: a commit gives no hint.
    await runWriter({ path, transactions: 1 });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(hints).toEqual([]);
  }, 60_000);
});
