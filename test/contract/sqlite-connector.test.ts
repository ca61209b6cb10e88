/**
 * The SQLite connector against real SQLite files (WAL mode, written by the test, read by the
 * connector's own read-only connection): what only this source owes beyond the contract —
 * keyset paging through shared timestamps, edits during a pass, soft deletes, every timestamp
 * format a bot writes, unreadable values skipped with the reason, conversation versions and
 * windows, ids of no declared type, and configuration errors that name the key to fix.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chunkDocument } from '../../shared/core/chunker.ts';
import { ConfigError } from '../../shared/core/errors.ts';
import { sqliteSource } from '../../shared/connectors/sqlite/config.ts';
import { SqliteConnector } from '../../shared/connectors/sqlite/sqlite-connector.ts';
import type { PullWindow } from '../../shared/ports/index.ts';
import { MESSAGES_SCHEMA, settle, testFolder, type TestFolder } from '../support/sqlite.ts';
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

/** A fresh database file with `schema` (default: the docs' messages table), open for writing. */
function newDatabase(schema = MESSAGES_SCHEMA): { db: Database.Database; path: string } {
  const name = `t-${++files}.db`;
  return { db: folder.open(name, schema), path: join(folder.dir, name) };
}

/** A connector over `path` from a config as a user writes it (validated by the schema). */
function connector(path: string, overrides: Record<string, unknown> = {}, options: { listBatch?: number } = {}): SqliteConnector {
  const config = sqliteSource.parse({
    id: 'bot', kind: 'sqlite', path, table: 'messages', idColumn: 'id', updatedAtColumn: 'updated_at', deletedColumn: 'deleted_at',
    textTemplate: '{{author}}: {{body}}', pageSize: 3, ...overrides,
  });
  const c = new SqliteConnector('bot', { config, ...options });
  opened.push(c);
  return c;
}

const conversationConfig = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  mode: 'conversation', conversation: { groupColumn: 'chat_id', orderColumn: 'sent_at', ...extra },
});

/** The next incremental window after `previous` (lookback 0: exactly what changed since). */
function nextWindow(previous: PullWindow): PullWindow {
  return { ...newWindow(), full: false, since: previous.snapshotAt };
}

const insert = (db: Database.Database, chat: string, body: string, sentAt?: string): number => Number(db.prepare(
  `INSERT INTO messages (chat_id, author, body, sent_at) VALUES (?, 'cy', ?, COALESCE(?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))`,
).run(chat, body, sentAt ?? null).lastInsertRowid);

describe('SqliteConnector: row mode', () => {
  it('pages through 50 rows sharing one updated_at across page boundaries, each exactly once', async () => {
    // Prepare: 5 rows before, 50 written by one statement (SQLite's 'now' is one instant per statement), 5 after.
    const { db, path } = newDatabase();
    const many = (from: number, to: number, word: string): void => {
      db.prepare(`WITH RECURSIVE g(n) AS (SELECT ? UNION ALL SELECT n + 1 FROM g WHERE n < ?)
        INSERT INTO messages (id, chat_id, author, body) SELECT n, 'c', 'ann', ? || n FROM g`).run(from, to, word);
    };
    many(1, 5, 'early ');
    await settle();
    many(100, 149, 'same ');
    await settle();
    many(200, 204, 'late ');
    await settle();
    expect(db.prepare('SELECT count(DISTINCT updated_at) AS n FROM messages WHERE id BETWEEN 100 AND 149').get()).toEqual({ n: 1 });

    // Act
    const pass = await pullPass(connector(path, { pageSize: 7 }), newWindow());

    // Assess
    const ids = pass.refs.map((r) => Number(r.id));
    expect(ids).toHaveLength(60);
    expect(new Set(ids).size).toBe(60);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });

  it('a row edited during a pass is read, with its new text, by the next pass', async () => {
    // Prepare
    const { db, path } = newDatabase();
    for (let i = 0; i < 6; i++) insert(db, 'c', `message ${i}`);
    await settle();
    const bot = connector(path);
    const window = newWindow();
    const first = await bot.pull(undefined, window);

    // Act: row 1, already handed out, is edited mid-pass (the trigger moves updated_at past snapshotAt).
    db.prepare(`UPDATE messages SET body = 'edited' WHERE id = 1`).run();
    await settle();
    const rest = await pullPass(bot, window, first.next);
    const next = await pullPass(bot, nextWindow(window));

    // Assess
    expect([...first.changed, ...rest.refs].map((r) => r.id)).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(next.refs.map((r) => r.id)).toEqual(['1']);
    expect((await bot.fetch(['1'])).documents[0]?.text).toBe('cy: edited');
  });

  it('reports a soft-deleted row as deleted, and leaves it out of fetch and list', async () => {
    // Prepare
    const { db, path } = newDatabase();
    insert(db, 'c', 'keep');
    insert(db, 'c', 'drop');
    await settle();
    const bot = connector(path);
    const window = newWindow();
    await pullPass(bot, window);

    // Act
    db.prepare(`UPDATE messages SET deleted_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = 2`).run();
    await settle();
    const next = await bot.pull(undefined, nextWindow(window));

    // Assess
    expect(next.deleted).toEqual(['2']);
    expect(next.changed).toEqual([]);
    expect((await bot.fetch(['1', '2'])).documents.map((d) => d.id)).toEqual(['1']);
    expect((await collect(bot.list!())).map((d) => d.id)).toEqual(['1']);
  });

  it('renders title, url and metadata; integers beyond 2^53 keep every digit; a query reads as a view', async () => {
    // Prepare: a Discord-style snowflake author id.
    const { db, path } = newDatabase(`${MESSAGES_SCHEMA}; ALTER TABLE messages ADD COLUMN author_id INTEGER; ALTER TABLE messages ADD COLUMN score REAL;`);
    db.prepare(`INSERT INTO messages (id, chat_id, author, body, author_id, score) VALUES (1, 'general', 'ann', 'hello', ?, 0.5)`).run(1234567890123456789n);
    await settle();
    const bot = connector(path, {
      table: undefined, query: `SELECT m.*, upper(m.chat_id) AS room FROM messages m`, titleTemplate: '#{{room}}',
      urlTemplate: 'https://chat.example/{{chat_id}}/{{id}}', textTemplate: '{{author}} ({{author_id}}): {{body}}', metadataColumns: ['author_id', 'score', 'room'],
    });

    // Act
    const [doc] = (await bot.fetch(['1'])).documents;

    // Assess
    expect(doc).toMatchObject({
      id: '1', title: '#GENERAL', url: 'https://chat.example/general/1', text: 'ann (1234567890123456789): hello',
      metadata: { author_id: '1234567890123456789', score: 0.5, room: 'GENERAL' },
    });
  });

  it('pages and lists ids of no declared type (an expression in `query`) by their text, across listing batches', async () => {
    // Prepare: `id + 0` has no declared type, so SQLite would never equal it to a text bind value.
    const { db, path } = newDatabase();
    for (let i = 0; i < 12; i++) insert(db, 'c', `m${i}`);
    await settle();
    const bot = connector(path, { table: undefined, query: 'SELECT id + 0 AS id, author, body, updated_at, deleted_at FROM messages' }, { listBatch: 5 });

    // Act
    const pass = await pullPass(bot, newWindow());
    const listed = await collect(bot.list!());
    const fetched = await bot.fetch(['3', '11', '99', 'x']);

    // Assess
    expect(pass.refs).toHaveLength(12);
    expect(listed.map((d) => d.id).sort()).toEqual(pass.refs.map((r) => r.id).sort());
    expect(fetched.documents.map((d) => d.id)).toEqual(['11', '3']);
  });

  it('skips a row whose updated_at cannot be read, with its id and the reason, and reads the rest', async () => {
    // Prepare
    const { db, path } = newDatabase();
    insert(db, 'c', 'one');
    db.prepare(`INSERT INTO messages (id, chat_id, author, body, updated_at) VALUES (2, 'c', 'bo', 'two', 'soon')`).run();
    insert(db, 'c', 'three');
    await settle();
    const bot = connector(path);

    // Act
    const pass = await pullPass(bot, newWindow());
    const listed = await collect(bot.list!());
    const fetched = await bot.fetch(listed.map((d) => d.id));

    // Assess: no window holds it; reconcile lists it, and its fetch says why it is not indexed.
    expect(pass.refs.map((r) => r.id)).toEqual(['1', '3']);
    expect(listed.map((d) => d.id)).toEqual(['1', '2', '3']);
    expect(fetched.documents.map((d) => d.id)).toEqual(['1', '3']);
    expect(fetched.skipped).toEqual([{
      id: '2', reason: expect.stringContaining('row cannot be turned into a document: updatedAtColumn "updated_at" holds "soon", which is not ISO-8601 text'),
    }]);
  });
});

describe('SqliteConnector: timestamp formats', () => {
  it('auto reads TEXT, INTEGER seconds and milliseconds, and REAL julian days and seconds in one column, each as its instant', async () => {
    // Prepare: one instant per row, each stored another way.
    const { db, path } = newDatabase(`CREATE TABLE messages (id INTEGER PRIMARY KEY, author TEXT, body TEXT, updated_at, deleted_at)`);
    const ms = Date.parse('2026-03-01T12:00:00.250Z');
    const forms: unknown[] = ['2026-03-01T12:00:00.250Z', '2026-03-01 12:00:00.250', '2026-03-01T14:00:00.250+02:00', BigInt(ms), ms / 1000,
      (ms + 210_866_760_000_000) / 86_400_000, BigInt(Math.floor(ms / 1000))];
    forms.forEach((value, i) => db.prepare(`INSERT INTO messages VALUES (?, 'ann', ?, ?, NULL)`).run(i + 1, `form ${i}`, value));
    const bot = connector(path);
    const before = { snapshotAt: '2026-03-01T12:00:00.000Z', full: true };
    const window = { snapshotAt: '2026-03-01T12:00:00.251Z', full: false, since: '2026-03-01T12:00:00.000Z' };

    // Act
    const pass = await pullPass(bot, window);
    const none = await pullPass(bot, before);

    // Assess
    expect(pass.refs.map((r) => [r.id, r.version])).toEqual([
      ['7', '2026-03-01T12:00:00.000Z'],
      ...[1, 2, 3, 4, 5, 6].map((id) => [String(id), '2026-03-01T12:00:00.250Z']),
    ]);
    expect(none.refs).toEqual([]);
  });

  it('explicit numeric formats compare the column itself and resume exactly from a cursor holding the stored value', async () => {
    // Prepare: REAL unix seconds with microseconds, as Python's time.time() writes them.
    const { db, path } = newDatabase(`CREATE TABLE messages (id INTEGER PRIMARY KEY, author TEXT, body TEXT, updated_at REAL, deleted_at)`);
    const t0 = Date.now() / 1000 - 60;
    for (let i = 0; i < 8; i++) db.prepare(`INSERT INTO messages VALUES (?, 'ann', ?, ?, NULL)`).run(i + 1, `m${i}`, t0 + i * 0.000_001);
    const bot = connector(path, { updatedAtFormat: 'unixSeconds' });
    const window = newWindow();

    // Act
    const first = await bot.pull(undefined, window);
    const saved = JSON.parse(JSON.stringify(first.next)) as Record<string, string>;
    const rest = await pullPass(bot, window, saved);

    // Assess: microseconds apart, yet none skipped or repeated at the page boundary.
    expect(Number(saved['ts'])).toBe(t0 + 2 * 0.000_001);
    expect([...first.changed, ...rest.refs].map((r) => r.id)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8']);
  });

  it.each([
    ['unixSeconds', () => Date.now(), /earliest value of updatedAtColumn "updated_at" reads as .* in the future|no value of updatedAtColumn "updated_at" reads as a time.*look like unix milliseconds: set "updatedAtFormat" to "unixMillis"/],
    ['unixMillis', () => Math.floor(Date.now() / 1000), /latest value of updatedAtColumn "updated_at" reads as 1970-.* before 1990: they look like unix seconds: set updatedAtFormat to "unixSeconds"/],
    ['auto', () => 'yes', /no value of updatedAtColumn "updated_at" reads as a time with updatedAtFormat "auto" \(e\.g\. "yes"\)/],
    ['text', () => Date.now(), /no value of updatedAtColumn "updated_at" reads as a time with updatedAtFormat "text"/],
  ])('a column that does not hold %s times fails the source with the key and the fix', async (format, value, message) => {
    // Prepare
    const { db, path } = newDatabase(`CREATE TABLE messages (id INTEGER PRIMARY KEY, author TEXT, body TEXT, updated_at, deleted_at)`);
    for (let i = 0; i < 3; i++) db.prepare(`INSERT INTO messages VALUES (?, 'ann', 'x', ?, NULL)`).run(i + 1, value());

    // Act
    const error = await connector(path, { updatedAtFormat: format }).pull(undefined, newWindow()).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    expect(String(error)).toMatch(message);
  });
});

describe('SqliteConnector: conversation mode', () => {
  it('renders turns in sent order and changes the version on append, edit, soft and hard delete only', async () => {
    // Prepare
    const { db, path } = newDatabase();
    for (const [i, body] of ['hello', 'how do I rotate keys?', 'see the runbook'].entries()) insert(db, 'c1', body, `2026-03-01T10:0${i}:00Z`);
    insert(db, 'c2', 'other conversation');
    await settle();
    const bot = connector(path, conversationConfig());
    const version = async (): Promise<string> => (await bot.fetch(['c1'])).documents[0]!.version;
    const v0 = await version();
    const [doc] = (await bot.fetch(['c1'])).documents;

    // Act + Assess, step by step.
    expect(doc!.text.split('\u001e')).toEqual(['cy: hello', 'cy: how do I rotate keys?', 'cy: see the runbook']);
    expect(await version()).toBe(v0);
    const added = insert(db, 'c1', 'thanks');
    await settle();
    const v1 = await version();
    expect(v1).not.toBe(v0);
    db.prepare(`UPDATE messages SET body = 'thanks!' WHERE id = ?`).run(added);
    await settle();
    const v2 = await version();
    expect(v2).not.toBe(v1);
    db.prepare(`UPDATE messages SET deleted_at = 'now' WHERE id = ?`).run(added);
    await settle();
    const v3 = await version();
    expect(v3).not.toBe(v2);
    db.prepare(`DELETE FROM messages WHERE chat_id = 'c1' AND body = 'hello'`).run();
    const v4 = await version();
    expect(v4).not.toBe(v3);
    expect((await bot.fetch(['c1'])).documents[0]!.text.split('\u001e')).toEqual(['cy: how do I rotate keys?', 'cy: see the runbook']);
  });

  it('pulls a conversation once however many of its messages changed; one with no live message is deleted', async () => {
    // Prepare
    const { db, path } = newDatabase();
    for (let i = 0; i < 5; i++) insert(db, 'busy', `m${i}`);
    insert(db, 'quiet', 'only');
    await settle();
    const bot = connector(path, conversationConfig());
    const window = newWindow();
    await pullPass(bot, window);

    // Act
    db.prepare(`UPDATE messages SET body = body || '!' WHERE chat_id = 'busy'`).run();
    db.prepare(`UPDATE messages SET deleted_at = 'now' WHERE chat_id = 'quiet'`).run();
    await settle();
    const next = await bot.pull(undefined, nextWindow(window));

    // Assess
    expect(next.changed.map((r) => r.id)).toEqual(['busy']);
    expect(next.deleted).toEqual(['quiet']);
  });

  it('splits a conversation into one document per day of an INTEGER unix-seconds order column', async () => {
    // Prepare
    const { db, path } = newDatabase(`${MESSAGES_SCHEMA}; ALTER TABLE messages ADD COLUMN sent INTEGER;`);
    const day = (d: number, h: number): number => Date.UTC(2026, 2, d, h) / 1000;
    for (const [d, h] of [[1, 9], [1, 17], [2, 8]]) db.prepare(`INSERT INTO messages (chat_id, author, body, sent) VALUES ('ops', 'cy', ?, ?)`).run(`day ${d} hour ${h}`, day(d!, h!));
    await settle();
    const bot = connector(path, conversationConfig({ orderColumn: 'sent', orderFormat: 'unixSeconds', timeWindow: 'day' }));

    // Act
    const ids = (await pullPass(bot, newWindow())).refs.map((r) => r.id).sort();
    const [first] = (await bot.fetch(['ops/2026-03-01T00:00Z'])).documents;

    // Assess
    expect(ids).toEqual(['ops/2026-03-01T00:00Z', 'ops/2026-03-02T00:00Z']);
    expect(first!.text.split('\u001e')).toEqual(['cy: day 1 hour 9', 'cy: day 1 hour 17']);
    expect(first!.metadata).toMatchObject({ conversation: 'ops', window: '2026-03-01T00:00Z' });
  });

  it('appending a message to a long conversation changes only its last chunk', async () => {
    // Prepare
    const { db, path } = newDatabase();
    for (let i = 0; i < 60; i++) insert(db, 'long', `message number ${i} says something about the weekly deployment checklist and its owners`);
    await settle();
    const bot = connector(path, conversationConfig());
    const chunks = async () => chunkDocument((await bot.fetch(['long'])).documents[0]!.text, 'conversation', { targetTokens: 120, maxTokens: 400 });
    const before = await chunks();

    // Act
    insert(db, 'long', 'and one more message at the end');
    await settle();
    const after = await chunks();

    // Assess: the one chunk not known before is the last (the last one changed, or one was added).
    const known = new Set(before.map((c) => c.hash));
    expect(before.length).toBeGreaterThan(3);
    expect(after.filter((c) => !known.has(c.hash)).map((c) => c.index)).toEqual([after.length - 1]);
  });

  it('indexes a conversation with a message whose updated_at cannot be read, warning which message', async () => {
    // Prepare
    const { db, path } = newDatabase();
    insert(db, 'c', 'fine');
    db.prepare(`INSERT INTO messages (id, chat_id, author, body, updated_at) VALUES (77, 'c', 'cy', 'odd', 'later')`).run();
    await settle();
    const bot = connector(path, conversationConfig());

    // Act
    const [doc] = (await bot.fetch(['c'])).documents;

    // Assess
    expect(doc!.text.split('\u001e')).toEqual(['cy: fine', 'cy: odd']);
    expect(doc!.warning).toMatch(/^message 77: updatedAtColumn "updated_at" holds "later", which is not ISO-8601 text/);
  });

  it('keeps a stray text in a numeric updated_at out of the conversation\'s version and of the source\'s checks', async () => {
    // Prepare: unix milliseconds, and one message the bot stamped with a text.
    const { db, path } = newDatabase(`CREATE TABLE messages (id INTEGER PRIMARY KEY, chat_id TEXT, author TEXT, body TEXT, sent_at INTEGER, updated_at INTEGER, deleted_at)`);
    const now = Date.now() - 1_000;
    db.prepare(`INSERT INTO messages VALUES (1, 'c', 'cy', 'one', ?, ?, NULL), (2, 'c', 'cy', 'two', ?, 'yesterday', NULL)`).run(now, now, now + 1);
    const bot = connector(path, { updatedAtFormat: 'unixMillis', ...conversationConfig({ orderFormat: 'unixMillis' }) });

    // Act
    const [doc] = (await bot.fetch(['c'])).documents;
    const [ref] = (await pullPass(bot, newWindow())).refs;

    // Assess
    expect(doc!.updatedAt).toBe(new Date(now).toISOString());
    expect(doc!.version).toMatch(new RegExp(`^${new Date(now).toISOString()}#2#`));
    expect(ref!.version).toBe(doc!.version);
    expect(doc!.warning).toMatch(/^message 2: updatedAtColumn "updated_at" holds "yesterday", which is not a number of unix milliseconds/);
  });

  it('lists whole conversations across listing batches', async () => {
    // Prepare: 7 conversations of 1–3 messages, listed 4 rows at a time.
    const { db, path } = newDatabase();
    for (let c = 0; c < 7; c++) for (let m = 0; m <= c % 3; m++) insert(db, `chat-${c}`, `m${m}`);
    await settle();
    const bot = connector(path, conversationConfig(), { listBatch: 4 });

    // Act
    const listed = await collect(bot.list!());
    const pulled = (await pullPass(bot, newWindow())).refs;

    // Assess
    expect(listed.map(({ id, version }) => ({ id, version })).sort((a, b) => a.id.localeCompare(b.id)))
      .toEqual(pulled.map(({ id, version }) => ({ id, version })).sort((a, b) => a.id.localeCompare(b.id)));
    expect(listed).toHaveLength(7);
  });
});

describe('SqliteConnector: configuration errors', () => {
  const errorOf = (c: SqliteConnector): Promise<unknown> => c.pull(undefined, newWindow()).catch((e: unknown) => e);

  it('names the path when the file is missing, a folder, or not a SQLite database', async () => {
    // Prepare
    await mkdir(join(folder.dir, 'a-folder'), { recursive: true });
    await writeFile(join(folder.dir, 'notes.txt'), 'Meeting notes: this file is plain text, not a database at all.\n');

    // Act
    const missing = await errorOf(connector(join(folder.dir, 'nope.db')));
    const isFolder = await errorOf(connector(join(folder.dir, 'a-folder')));
    const notDb = await errorOf(connector(join(folder.dir, 'notes.txt')));

    // Assess
    for (const error of [missing, isFolder, notDb]) expect(error).toBeInstanceOf(ConfigError);
    expect(String(missing)).toMatch(/path ".*nope\.db" does not exist; fix "path" in the source/);
    expect(String(isFolder)).toMatch(/path ".*a-folder" is not a file; fix "path"/);
    expect(String(notDb)).toMatch(/path ".*notes\.txt" is not a SQLite database \(file is not a database\); fix "path"/);
  });

  it('names the table when it is missing, the key when a column is, and the query when it is not valid SQL', async () => {
    // Prepare
    const { path } = newDatabase();

    // Act
    const noTable = await errorOf(connector(path, { table: 'chat_log' }));
    const noColumn = await errorOf(connector(path, { updatedAtColumn: 'modified_at' }));
    const badQuery = await errorOf(connector(path, { table: undefined, query: 'SELEC id FROM messages' }));

    // Assess
    expect(String(noTable)).toMatch(/source "bot": table "chat_log" does not exist in ".*" \(no such table: chat_log\); fix "table" in the source/);
    expect(String(noColumn)).toContain('source "bot": updatedAtColumn names column "modified_at", which table "messages" does not have; its columns are: id, chat_id, author, body, sent_at, deleted_at, updated_at. Fix "updatedAtColumn" in the source.');
    expect(String(badQuery)).toMatch(/source "bot": query is not valid SQL here: .*syntax error.*; fix "query" in the source/);
    for (const error of [noTable, noColumn, badQuery]) expect(error).toBeInstanceOf(ConfigError);
  });
});

describe('SqliteConnector: reads only', () => {
  it('leaves the database file byte for byte as it was, after passes, fetches and listings', async () => {
    // Prepare: the writer closes (its checkpoint leaves everything in the main file).
    const { db, path } = newDatabase();
    for (let i = 0; i < 20; i++) insert(db, `c${i % 4}`, `m${i}`);
    db.close();
    const digest = async (): Promise<string> => createHash('sha256').update(await readFile(path)).digest('hex');
    const before = await digest();

    // Act
    for (const extra of [{}, conversationConfig()]) {
      const bot = connector(path, extra);
      const pass = await pullPass(bot, newWindow());
      await bot.fetch(pass.refs.map((r) => r.id));
      await collect(bot.list!());
      await bot.close();
    }

    // Assess
    expect(await digest()).toBe(before);
  });
});
