/**
 * The seed scenario through the real CLI: a bot's SQLite database holds 10,000 messages in 200
 * chats; `tributary sync` indexes them (one document per chat, and one per message); then the
 * bot — a separate process — commits 50 new messages (25 question/answer pairs in 25 chats),
 * and the next `sync` reads and embeds only those: exactly the chunks whose text is new, counted
 * from the run records (`sync --json`). Prints the numbers it measured.
 */
import Database from 'better-sqlite3';
import { countTokens } from 'gpt-tokenizer/encoding/cl100k_base';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wordsOf } from '../../shared/adapters/local/hashing-embedder.ts';
import { chunkDocument, TURN_SEPARATOR } from '../../shared/core/chunker.ts';
import { embeddingText } from '../../shared/core/chunking/chunk.ts';
import { MESSAGES_SCHEMA, runWriter, settle } from '../support/sqlite.ts';
import { byDocument, describeResult, exportRows, makeWorkspace, parseJson, runCli, type SyncSourceReport, type Workspace } from './support/cli.ts';

const MESSAGES = 10_000;
const CHATS = 200;
const NEW_PAIRS = 25;
const TIMEOUT = 900_000;

let ws: Workspace | undefined;
let db: Database.Database | undefined;
let dbPath = '';

beforeAll(async () => {
  ws = await makeWorkspace('sqlite-seed', {
    config: {
      sources: [
        {
          id: 'chat', kind: 'sqlite', path: './bot/bot.db', table: 'messages', idColumn: 'id', updatedAtColumn: 'updated_at',
          deletedColumn: 'deleted_at', textTemplate: '{{author}}: {{body}}', mode: 'conversation',
          conversation: { groupColumn: 'chat_id', orderColumn: 'sent_at' },
        },
        {
          id: 'rows', kind: 'sqlite', path: './bot/bot.db', table: 'messages', idColumn: 'id', updatedAtColumn: 'updated_at',
          deletedColumn: 'deleted_at', textTemplate: '{{author}}: {{body}}', pageSize: 1000,
        },
      ],
    },
  });
  await mkdir(join(ws.dir, 'bot'));
  dbPath = join(ws.dir, 'bot', 'bot.db');
  // 10,000 messages over the last 30 days (older than the 10-minute lookback), 50 per chat.
  db = new Database(dbPath);
  db.pragma('journal_mode = WAL');
  db.exec(MESSAGES_SCHEMA);
  const insert = db.prepare('INSERT INTO messages (chat_id, author, body, sent_at, updated_at) VALUES (?, ?, ?, ?, ?)');
  const start = Date.now() - 30 * 86_400_000;
  db.transaction(() => {
    for (let i = 0; i < MESSAGES; i++) {
      const at = new Date(start + i * 250_000).toISOString();
      const chat = i % CHATS;
      insert.run(`chat-${chat}`, i % 2 === 0 ? 'user' : 'bot', `message ${i} in chat ${chat} about the ${['release', 'invoice', 'outage', 'roadmap'][i % 4]} of week ${i % 52}`, at, at);
    }
  })();
}, 120_000);

afterAll(async () => {
  db?.close();
  await ws?.remove();
});

async function sync(): Promise<{ chat: SyncSourceReport; rows: SyncSourceReport; ms: number }> {
  const r = await runCli(ws!.dir, ['sync', '--json'], { timeoutMs: TIMEOUT });
  expect(r.code, describeResult(r)).toBe(0);
  const { sources } = parseJson<{ sources: SyncSourceReport[] }>(r);
  return { chat: sources.find((s) => s.id === 'chat')!, rows: sources.find((s) => s.id === 'rows')!, ms: r.durationMs };
}

/** Each chat's text as the source renders it (turns in sent order). */
function conversations(): Map<string, string> {
  const rows = db!.prepare('SELECT chat_id, author, body FROM messages WHERE deleted_at IS NULL ORDER BY chat_id, sent_at, id').all() as Array<{ chat_id: string; author: string; body: string }>;
  const out = new Map<string, string[]>();
  for (const r of rows) out.set(r.chat_id, [...(out.get(r.chat_id) ?? []), `${r.author}: ${r.body}`]);
  return new Map([...out].map(([k, turns]) => [k, turns.join(TURN_SEPARATOR)]));
}

// A conversation's title is its group (the chat id), embedded with each chunk as its context.
const chunksOf = (texts: Map<string, string>) => [...texts].flatMap(([chat, text]) => chunkDocument(text, 'conversation', {}, { title: chat }));

const line = (r: SyncSourceReport): string => `docsSeen ${r.docsSeen}, docsChanged ${r.docsChanged}, chunksEmbedded ${r.chunksEmbedded}, `
  + `embeddingCalls ${r.embeddingCalls}, tokensEmbedded ${r.tokensEmbedded}, vectorsUpserted ${r.vectorsUpserted}, ${r.durationMs} ms`;

describe('sqlite seed scenario', () => {
  it(`syncs ${MESSAGES.toLocaleString('en')} messages; after 50 new ones the next sync reads and embeds only those`, async () => {
    // Act 1: the initial sync.
    const before = conversations();
    const initial = await sync();

    // Assess 1: every chat and every message, exactly.
    expect(initial.chat).toMatchObject({ status: 'synced', docsChanged: CHATS, tasksFailed: 0, docsSkipped: 0 });
    expect(initial.rows).toMatchObject({ status: 'synced', docsChanged: MESSAGES, tasksFailed: 0, docsSkipped: 0 });
    const indexed = byDocument(await exportRows(ws!.dir, 'chat'));
    expect(indexed.size).toBe(CHATS);
    for (const [id, text] of before) expect(indexed.get(id)!.map((c) => c.text).join('\n'), id).toBe(text.replaceAll(TURN_SEPARATOR, '\n'));
    expect((await exportRows(ws!.dir, 'rows')).length).toBe(MESSAGES);

    // Act 2: the bot, another process, commits 50 new messages in 25 chats; then one sync.
    const writer = await runWriter({ path: dbPath, transactions: NEW_PAIRS, chats: NEW_PAIRS, prefix: 'fresh' });
    expect(writer).toMatchObject({ written: 2 * NEW_PAIRS, errors: [] });
    await settle();
    const after = conversations();
    const next = await sync();

    // Assess 2: only the 25 chats and 50 messages are read; only chunk texts never embedded are embedded.
    const known = new Set(chunksOf(before).map((c) => c.hash));
    const fresh = chunksOf(after).filter((c) => !known.has(c.hash));
    const rowTexts = (db!.prepare(`SELECT author || ': ' || body AS text FROM messages WHERE body LIKE 'fresh %'`).all() as Array<{ text: string }>).map((r) => r.text);
    const words = (texts: readonly string[]): number => texts.reduce((n, t) => n + wordsOf(t).length, 0);
    const bpe = (texts: readonly string[]): number => texts.reduce((n, t) => n + countTokens(t), 0);
    expect(fresh.length).toBeLessThanOrEqual(NEW_PAIRS * 2);
    expect(next.chat).toMatchObject({ docsSeen: NEW_PAIRS, docsChanged: NEW_PAIRS, docsDeleted: 0, chunksEmbedded: fresh.length, tokensEmbedded: words(fresh.map(embeddingText)) });
    expect(next.rows).toMatchObject({ docsSeen: 2 * NEW_PAIRS, docsChanged: 2 * NEW_PAIRS, docsDeleted: 0, chunksEmbedded: 2 * NEW_PAIRS, tokensEmbedded: words(rowTexts) });
    expect(next.chat.embeddingCalls).toBeLessThanOrEqual(1);
    expect(next.rows.embeddingCalls).toBeLessThanOrEqual(1);

    // And nothing after that.
    const idle = await sync();
    for (const r of [idle.chat, idle.rows]) expect(r).toMatchObject({ docsChanged: 0, chunksEmbedded: 0, embeddingCalls: 0, vectorsUpserted: 0, vectorsDeleted: 0 });

    console.log([
      `[sqlite seed] ${MESSAGES} messages in ${CHATS} chats; the same table as two sources (a document per chat, per message)`,
      `  initial sync (${initial.ms} ms for the CLI process): chat: ${line(initial.chat)}; rows: ${line(initial.rows)}`,
      `  after ${2 * NEW_PAIRS} new messages in ${NEW_PAIRS} chats (${next.ms} ms): chat: ${line(next.chat)}; rows: ${line(next.rows)}`,
      `  cl100k tokens of what was embedded (what OpenAI would bill): chat ${bpe(fresh.map(embeddingText))}, rows ${bpe(rowTexts)}`,
      `  idle sync (${idle.ms} ms): chat: ${line(idle.chat)}; rows: ${line(idle.rows)}`,
    ].join('\n'));
  }, TIMEOUT);
});
