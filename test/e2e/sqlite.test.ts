/**
 * A SQLite source through the real CLI (`tributary sync`, `tributary start` as child processes)
 * over a bot's database file in WAL mode, written by this test process and by a separate writer
 * process: the initial sync is exact; a new message re-embeds at most one chunk of its
 * conversation; an edit and a delete (found by reconcile) reach the index; a sync with nothing
 * to do embeds and writes nothing; a row whose timestamp cannot be read is skipped with its id
 * and reason; the index stays exact while another process writes during syncs; a misconfigured
 * source fails with the key to fix; and under `start` a commit is searchable through the file
 * watcher, with no scheduled run.
 */
import Database from 'better-sqlite3';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MESSAGES_SCHEMA, runWriter, settle } from '../support/sqlite.ts';
import {
  byDocument, describeResult, exportRows, killStragglers, lanceFiles, makeWorkspace, parseJson, runCli, spawnCli, waitFor,
  type SyncSourceReport, type Workspace,
} from './support/cli.ts';

const TIMEOUT = 180_000;
const CHATS = 12;
const PER_CHAT = 8;
const TOPICS = ['credential rotation', 'failover drills', 'billing exports'];

interface SearchResult { docId: string; sourceId: string; chunkIndex: number; text: string; score: number }
interface Status {
  sources: Array<{ id: string; running: boolean; lastRun: { status: string; trigger: string } | null }>;
  queues: { fetch: { visible: number; inFlight: number }; embed: { visible: number; inFlight: number } };
  deadLetters: unknown[];
}

let ws: Workspace | undefined;
let db: Database.Database | undefined;
let dbPath = '';

const chatId = (c: number): string => `chat-${String(c).padStart(2, '0')}`;

beforeAll(async () => {
  ws = await makeWorkspace('sqlite', {
    config: {
      sources: [
        {
          // The path is relative: it resolves against the config file's folder.
          id: 'chat', kind: 'sqlite', path: './bot/bot.db', table: 'messages', idColumn: 'id', updatedAtColumn: 'updated_at',
          deletedColumn: 'deleted_at', textTemplate: '{{author}}: {{body}}', mode: 'conversation',
          conversation: { groupColumn: 'chat_id', orderColumn: 'sent_at' }, pageSize: 5, lookbackSeconds: 1, schedule: 'rate(1 day)',
          chunking: { targetTokens: 40, maxTokens: 120 },
        },
        {
          id: 'rows', kind: 'sqlite', path: './bot/bot.db', table: 'messages', idColumn: 'id', updatedAtColumn: 'updated_at',
          deletedColumn: 'deleted_at', textTemplate: '{{author}}: {{body}}', pageSize: 50, lookbackSeconds: 1, schedule: 'rate(1 day)', watch: false,
        },
      ],
    },
  });
  await mkdir(join(ws.dir, 'bot'));
  dbPath = join(ws.dir, 'bot', 'bot.db');
  // The bot's database: WAL mode, the docs' schema and trigger, a history written days ago.
  db = new Database(dbPath);
  db.pragma('journal_mode = WAL');
  db.exec(MESSAGES_SCHEMA);
  const insert = db.prepare('INSERT INTO messages (chat_id, author, body, sent_at, updated_at) VALUES (?, ?, ?, ?, ?)');
  db.transaction(() => {
    for (let c = 1; c <= CHATS; c++) {
      for (let m = 1; m <= PER_CHAT; m++) {
        const at = new Date(Date.parse('2026-11-01T00:00:00Z') + (c * 100 + m) * 60_000).toISOString();
        insert.run(chatId(c), ['ana', 'ben'][m % 2], `conversation ${c} message ${m} about ${TOPICS[c % 3]}`, at, at);
      }
    }
  })();
}, 60_000);

afterAll(async () => {
  await killStragglers();
  db?.close();
  await ws?.remove();
});

/** What the index must hold for `chat`: each conversation's live messages, rendered, in sent order. */
function expectedConversations(): Map<string, string> {
  const rows = db!.prepare('SELECT chat_id, author, body FROM messages WHERE deleted_at IS NULL ORDER BY chat_id, sent_at, id').all() as Array<{ chat_id: string; author: string; body: string }>;
  const out = new Map<string, string[]>();
  for (const r of rows) out.set(r.chat_id, [...(out.get(r.chat_id) ?? []), `${r.author}: ${r.body}`]);
  return new Map([...out].map(([k, turns]) => [k, turns.join('\n')]));
}

/** What the index holds for `chat`: each document's chunks, in order, joined. */
async function indexedConversations(): Promise<Map<string, string>> {
  const docs = byDocument(await exportRows(ws!.dir, 'chat'));
  return new Map([...docs].sort(([a], [b]) => a.localeCompare(b)).map(([id, chunks]) => [id, chunks.map((c) => c.text).join('\n')]));
}

async function indexedRows(): Promise<Map<string, string>> {
  return new Map((await exportRows(ws!.dir, 'rows')).map((r) => [r.docId, r.text]));
}

function expectedRows(): Map<string, string> {
  const rows = db!.prepare(`SELECT id, author, body FROM messages WHERE deleted_at IS NULL AND updated_at <> 'whenever' ORDER BY id`).all() as Array<{ id: number; author: string; body: string }>;
  return new Map(rows.map((r) => [String(r.id), `${r.author}: ${r.body}`]));
}

/** One `sync --json`, with the report of each source. */
async function sync(): Promise<{ chat: SyncSourceReport; rows: SyncSourceReport }> {
  const r = await runCli(ws!.dir, ['sync', '--json']);
  expect(r.code, describeResult(r)).toBe(0);
  const { sources } = parseJson<{ sources: SyncSourceReport[] }>(r);
  return { chat: sources.find((s) => s.id === 'chat')!, rows: sources.find((s) => s.id === 'rows')! };
}

async function search(query: string): Promise<SearchResult[]> {
  const r = await runCli(ws!.dir, ['search', query, '--json', '--top', '3']);
  expect(r.code, describeResult(r)).toBe(0);
  const parsed = parseJson<{ results: SearchResult[] } | SearchResult[]>(r);
  return Array.isArray(parsed) ? parsed : parsed.results;
}

const nothingDone = { docsChanged: 0, docsDeleted: 0, chunksEmbedded: 0, embeddingCalls: 0, tokensEmbedded: 0, vectorsUpserted: 0, vectorsDeleted: 0 };

describe('sqlite source end to end', () => {
  it('syncs exactly; a new message re-embeds at most one chunk; an edit and deletes reach the index; no change does nothing', async () => {
    // Initial sync: one document per conversation and per row, exactly the table.
    const initial = await sync();
    expect(initial.chat).toMatchObject({ status: 'synced', docsChanged: CHATS, tasksFailed: 0, docsSkipped: 0 });
    expect(initial.rows).toMatchObject({ status: 'synced', docsChanged: CHATS * PER_CHAT, tasksFailed: 0 });
    expect(await indexedConversations()).toEqual(expectedConversations());
    expect(await indexedRows()).toEqual(expectedRows());
    expect((await indexedConversations()).get('chat-03')).toMatch(/^ben: conversation 3 message 1 about credential rotation\nana: conversation 3 message 2/);

    // Nothing changed: no embedding call, no vector written (LanceDB's files do not grow).
    const files = await lanceFiles(ws!.stateDir);
    const idle = await sync();
    expect(idle.chat).toMatchObject(nothingDone);
    expect(idle.rows).toMatchObject(nothingDone);
    expect(await lanceFiles(ws!.stateDir)).toBe(files);

    // A new message in a conversation of several chunks: that conversation, at most its last chunk.
    const before = byDocument(await exportRows(ws!.dir, 'chat')).get('chat-03')!.length;
    expect(before).toBeGreaterThan(1);
    db!.prepare(`INSERT INTO messages (chat_id, author, body) VALUES ('chat-03', 'ana', 'the wombat migration finished overnight')`).run();
    await settle();
    const appended = await sync();
    expect(appended.chat).toMatchObject({ docsChanged: 1, docsDeleted: 0 });
    expect(appended.chat.chunksEmbedded).toBeLessThanOrEqual(1);
    expect(appended.chat.embeddingCalls).toBeLessThanOrEqual(1);
    expect(appended.rows).toMatchObject({ docsChanged: 1, chunksEmbedded: 1 });
    expect((await search('wombat migration')).map((r) => `${r.sourceId}:${r.docId}`)).toContain('chat:chat-03');

    // An edit: one conversation re-indexed, searchable by its new word.
    db!.prepare(`UPDATE messages SET body = 'we settled on the quokka rollout plan' WHERE chat_id = 'chat-05' AND body LIKE '% message 4 %'`).run();
    await settle();
    const edited = await sync();
    expect(edited.chat).toMatchObject({ docsChanged: 1, docsDeleted: 0 });
    expect(edited.rows).toMatchObject({ docsChanged: 1, docsDeleted: 0 });
    expect((await search('quokka rollout')).map((r) => `${r.sourceId}:${r.docId}`)).toContain('chat:chat-05');

    // Hard deletes leave nothing to see in any window: reconcile finds them.
    db!.prepare(`DELETE FROM messages WHERE chat_id = 'chat-06' AND body LIKE '% message 2 %'`).run();
    db!.prepare(`DELETE FROM messages WHERE chat_id = 'chat-07'`).run();
    // A soft delete arrives through the window.
    db!.prepare(`UPDATE messages SET deleted_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE chat_id = 'chat-08' AND body LIKE '% message 8 %'`).run();
    await settle();
    const deleted = await sync();
    expect(deleted.chat).toMatchObject({ docsDeleted: 1, tasksFailed: 0 });
    expect(deleted.rows).toMatchObject({ docsDeleted: PER_CHAT + 2 });
    const after = await indexedConversations();
    expect(after.has('chat-07')).toBe(false);
    expect(after).toEqual(expectedConversations());
    expect(await indexedRows()).toEqual(expectedRows());

    const audit = await runCli(ws!.dir, ['audit', '--json']);
    expect(audit.code, describeResult(audit)).toBe(0);
  }, TIMEOUT);

  it('skips a row whose updated_at cannot be read, with its id and the reason, and indexes it once it is fixed', async () => {
    // Prepare: the bot wrote a value no format reads.
    const id = Number(db!.prepare(`INSERT INTO messages (chat_id, author, body, updated_at) VALUES ('chat-09', 'ben', 'a row with a broken clock', 'whenever')`).run().lastInsertRowid);
    await settle();

    // Act
    const broken = await sync();

    // Assess: the source syncs; the row is skipped with its id and the reason; its conversation is indexed with a warning.
    expect(broken.rows.status).toBe('synced');
    expect(broken.rows.skipped).toEqual([{ id: String(id), reason: expect.stringContaining('updatedAtColumn "updated_at" holds "whenever", which is not ISO-8601 text') }]);
    expect(broken.chat.status).toBe('synced');
    expect(broken.chat.warnings).toEqual([{ id: 'chat-09', reason: expect.stringContaining(`message ${id}: updatedAtColumn "updated_at" holds "whenever"`) }]);
    expect(await indexedRows()).toEqual(expectedRows());

    // Fixed: the next sync indexes it and the skip is gone.
    db!.prepare(`UPDATE messages SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?`).run(id);
    await settle();
    const fixed = await sync();
    expect(fixed.rows).toMatchObject({ docsSkipped: 0, skipped: [] });
    expect((await indexedRows()).get(String(id))).toBe('ben: a row with a broken clock');
    expect(await indexedConversations()).toEqual(expectedConversations());
  }, TIMEOUT);

  it('keeps the index exact while another process writes during the syncs', async () => {
    // Act: a writer process commits 300 question/answer pairs while two syncs run.
    const writer = runWriter({ path: dbPath, transactions: 300, chats: 4, pauseMs: 5, prefix: 'live' });
    const during = [await sync(), await sync()];
    const report = await writer;
    await settle();
    const last = await sync();

    // Assess: the writer never waited or failed; every sync succeeded; the index is the table.
    expect(report).toMatchObject({ written: 600, errors: [] });
    expect(report.maxCommitMs).toBeLessThan(1_000);
    for (const { chat, rows } of [...during, last]) {
      expect(chat).toMatchObject({ status: 'synced', tasksFailed: 0 });
      expect(rows).toMatchObject({ status: 'synced', tasksFailed: 0 });
    }
    expect(await indexedConversations()).toEqual(expectedConversations());
    expect(await indexedRows()).toEqual(expectedRows());
    const check = new Database(dbPath, { readonly: true });
    expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
    check.close();
  }, TIMEOUT);

  it('fails a misconfigured source with the key to fix: a missing file, a file that is not SQLite, a missing table, a missing column', async () => {
    // Prepare: four sources, each wrong in one way, next to the working database.
    const source = (id: string, extra: Record<string, unknown>): Record<string, unknown> => ({
      id, kind: 'sqlite', path: './bot/bot.db', table: 'messages', idColumn: 'id', updatedAtColumn: 'updated_at', textTemplate: '{{author}}: {{body}}', ...extra,
    });
    const bad = await makeWorkspace('sqlite-bad', {
      config: { sources: [source('missing', { path: './bot/nope.db' }), source('notdb', { path: './notes.md' }), source('table', { table: 'chat_log' }), source('column', { updatedAtColumn: 'modified_at' })] },
    });
    try {
      await mkdir(join(bad.dir, 'bot'));
      await writeFile(join(bad.dir, 'notes.md'), '# Notes\n\nPlain text, not a database.\n');
      const copy = new Database(join(bad.dir, 'bot', 'bot.db'));
      copy.exec(MESSAGES_SCHEMA);
      copy.close();

      // Act
      const r = await runCli(bad.dir, ['sync', '--json']);

      // Assess
      expect(r.code, describeResult(r)).not.toBe(0);
      const errors = new Map(parseJson<{ sources: SyncSourceReport[] }>(r).sources.map((s) => [s.id, `${s.status}: ${s.error ?? ''}`]));
      expect(errors.get('missing')).toMatch(new RegExp(`^failed: source "missing": path ".*/bot/nope\\.db" does not exist; fix "path" in the source`));
      expect(errors.get('notdb')).toMatch(/^failed: source "notdb": path ".*notes\.md" is not a SQLite database \(file is not a database\); fix "path"/);
      expect(errors.get('table')).toMatch(/^failed: source "table": table "chat_log" does not exist in ".*bot\.db" \(no such table: chat_log\); fix "table"/);
      expect(errors.get('column')).toMatch(/^failed: source "column": updatedAtColumn names column "modified_at", which table "messages" does not have; its columns are: id, chat_id, .*Fix "updatedAtColumn"/);
    } finally {
      await bad.remove();
    }
  }, TIMEOUT);

  it('makes a commit searchable through the file watcher under `tributary start`, with no scheduled run', { timeout: TIMEOUT }, async () => {
    const running = spawnCli(ws!.dir, ['start', '--port', '0'], { timeoutMs: TIMEOUT });
    const base = await waitFor('the status page URL on stdout', () => {
      if (running.child.exitCode !== null) throw new Error(`start exited early:\n${running.stdout()}\n${running.stderr()}`);
      return /Console \(status, runs, actions, search\): (https?:\/\/\S+?)\/?$/m.exec(running.stdout())?.[1];
    }, { timeoutMs: 60_000 });
    const status = async (): Promise<Status> => (await (await fetch(`${base}/status`)).json()) as Status;
    // The start-up sync (the schedule's first tick) has finished and nothing is queued.
    await waitFor('the start-up sync', async () => {
      const s = await status();
      const queued = s.queues.fetch.visible + s.queues.fetch.inFlight + s.queues.embed.visible + s.queues.embed.inFlight;
      return s.sources.every((src) => !src.running && src.lastRun?.status === 'succeeded') && queued === 0;
    }, { timeoutMs: 60_000, intervalMs: 200 });

    // Act: the bot (another process) commits a question and its answer.
    await runWriter({ path: dbPath, transactions: 1, chats: 1, prefix: 'narwhal launch' });

    // Assess: searchable; the run that brought it was the watcher's hint, not the schedule.
    // The row source indexes the same words, and in hybrid mode its many "live question" rows can
    // outrank the new chunk for a while; this test is about the watcher, so it asks the vectors alone.
    const found = await waitFor('the new message in the top search results', async () => {
      const { results } = (await (await fetch(`${base}/search?q=${encodeURIComponent('narwhal launch question')}&top=3&mode=vector`)).json()) as { results: SearchResult[] };
      return results.find((r) => r.sourceId === 'chat' && r.text.includes('narwhal launch question 0'));
    }, { timeoutMs: 20_000, intervalMs: 200 }).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}\n--- start stdout\n${running.stdout().slice(-4000)}\n--- stderr\n${running.stderr().slice(-4000)}`);
    });
    expect(found.docId).toBe('chat-0');
    const s = await status();
    expect(s.sources.find((src) => src.id === 'chat')!.lastRun?.trigger).toBe('watch');
    expect(s.deadLetters).toEqual([]);

    running.child.kill('SIGTERM');
    const stopped = await running.exited;
    expect(stopped.code, describeResult(stopped)).toBe(0);
  });
});
