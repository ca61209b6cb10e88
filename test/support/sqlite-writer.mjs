// A bot writing its SQLite database, as a separate process: WAL mode, each transaction one
// question and its answer in one chat, committed without waiting for any lock (timeout 0), so
// a reader that blocked the writer would show up as an error here.
//
// node test/support/sqlite-writer.mjs '{"path": "...", "transactions": 100, "chats": 5, "pauseMs": 2, "prefix": "w"}'
// Prints one JSON line when done: { written, errors, maxCommitMs }.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';

const options = JSON.parse(process.argv[2] ?? '{}');
const db = new Database(options.path, { timeout: 0 });
db.pragma('journal_mode = WAL');
const insert = db.prepare(`INSERT INTO messages (chat_id, author, body) VALUES (?, ?, ?)`);
const pair = db.transaction((chat, n) => {
  insert.run(chat, 'user', `${options.prefix ?? 'w'} question ${n}`);
  insert.run(chat, 'bot', `${options.prefix ?? 'w'} answer ${n}`);
});
const errors = [];
let written = 0;
let maxCommitMs = 0;
for (let n = 0; n < (options.transactions ?? 1); n++) {
  const started = performance.now();
  try {
    pair(`chat-${n % (options.chats ?? 1)}`, n);
    written += 2;
  } catch (error) {
    errors.push(`${error.code ?? ''} ${error.message}`);
  }
  maxCommitMs = Math.max(maxCommitMs, performance.now() - started);
  if (options.pauseMs) await sleep(options.pauseMs);
}
db.close();
process.stdout.write(`${JSON.stringify({ written, errors, maxCommitMs })}\n`);
