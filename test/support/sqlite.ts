/**
 * SQLite databases for tests, written the way a bot writes its own: a file in WAL mode, opened
 * read-write by the test (the writer), read by the connector through its own read-only
 * connection. Schemas and triggers are the ones docs/sources/sqlite.md tells users to add.
 */
import Database from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A `messages` table whose `updated_at` (ISO-8601 text, ms) a trigger sets on every insert and update. */
export const MESSAGES_SCHEMA = `
  CREATE TABLE messages (
    id INTEGER PRIMARY KEY, chat_id TEXT NOT NULL, author TEXT NOT NULL, body TEXT NOT NULL,
    sent_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')), deleted_at TEXT,
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')));
  CREATE INDEX messages_chat ON messages (chat_id, sent_at);
  CREATE TRIGGER messages_touch AFTER UPDATE ON messages FOR EACH ROW WHEN NEW.updated_at IS OLD.updated_at
  BEGIN
    UPDATE messages SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = NEW.id;
  END;`;

/** A folder for database files; `remove` deletes it. */
export interface TestFolder {
  readonly dir: string;
  /** A new database file in WAL mode with `schema`, open for writing. */
  open(name: string, schema?: string): Database.Database;
  remove(): Promise<void>;
}

export async function testFolder(prefix = 'tributary-sqlite-'): Promise<TestFolder> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const open: Database.Database[] = [];
  return {
    dir,
    open(name, schema) {
      const db = new Database(join(dir, name));
      db.pragma('journal_mode = WAL');
      if (schema) db.exec(schema);
      open.push(db);
      return db;
    },
    async remove() {
      for (const db of open.splice(0)) if (db.open) db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Waits until the wall clock has passed the last write, so a window taken now includes it (`ts < snapshotAt`). */
export async function settle(): Promise<void> {
  const t = Date.now();
  while (Date.now() <= t) await new Promise((resolve) => setTimeout(resolve, 1));
}

/** What a writer process reports when it is done. */
export interface WriterReport {
  readonly written: number;
  readonly errors: readonly string[];
  readonly maxCommitMs: number;
}

export interface WriterOptions {
  readonly path: string;
  /** Transactions, each a question and its answer in one chat. */
  readonly transactions: number;
  readonly chats?: number;
  readonly pauseMs?: number;
  /** Starts the message texts (`<prefix> question <n>`). */
  readonly prefix?: string;
}

/** Runs test/support/sqlite-writer.mjs, a separate process writing the `messages` table, to completion. */
export function runWriter(options: WriterOptions): Promise<WriterReport> {
  const script = fileURLToPath(new URL('./sqlite-writer.mjs', import.meta.url));
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [script, JSON.stringify(options)], { timeout: 120_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`writer failed: ${error.message}\n${stderr}`));
      else resolve(JSON.parse(stdout) as WriterReport);
    });
  });
}
