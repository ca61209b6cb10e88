/**
 * Index profiles through the real CLI: a chat database (a bot's SQLite file, conversation mode)
 * indexed under the four conversation strategies, each profile into its own LanceDB table with
 * its own ledger and checkpoint; a fifth profile added later is backfilled alone (the others make
 * no embedding call and write no vector); `status`, `search --profile`, `reset --profile` and
 * `sync --profile` act on one profile. Six CLI invocations.
 */
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MESSAGES_SCHEMA } from '../support/sqlite.ts';
import { describeResult, makeWorkspace, parseJson, runCli, type SyncSourceReport, type Workspace } from './support/cli.ts';

const CHATS = 12;
const PER_CHAT = 10;
const STRATEGIES = [
  { name: 'temporal', chunking: { strategy: 'temporal', gapMinutes: 30 } },
  { name: 'sliding', chunking: { strategy: 'sliding', windowTurns: 4, overlapTurns: 1 } },
  { name: 'token-aware', chunking: { strategy: 'token-aware', targetTokens: 64 } },
  { name: 'message', chunking: { strategy: 'message' } },
];

type ProfileCounters = Pick<SyncSourceReport, 'docsChanged' | 'chunksEmbedded' | 'embeddingCalls' | 'tokensEmbedded' | 'vectorsUpserted'>;
type Report = SyncSourceReport & { profiles: Record<string, ProfileCounters> };

let ws: Workspace | undefined;
const config = (profiles: unknown[]) => ({
  sources: [{
    id: 'chat', kind: 'sqlite', path: './bot/bot.db', table: 'messages', idColumn: 'id', updatedAtColumn: 'updated_at',
    deletedColumn: 'deleted_at', textTemplate: '[{{sent_at}}] {{author}}: {{body}}', mode: 'conversation',
    conversation: { groupColumn: 'chat_id', orderColumn: 'sent_at' }, profiles,
  }],
});

beforeAll(async () => {
  ws = await makeWorkspace('profiles', { config: config(STRATEGIES) });
  await mkdir(join(ws.dir, 'bot'));
  const db = new Database(join(ws.dir, 'bot', 'bot.db'));
  db.exec(MESSAGES_SCHEMA);
  const insert = db.prepare('INSERT INTO messages (chat_id, author, body, sent_at, updated_at) VALUES (?, ?, ?, ?, ?)');
  const start = Date.now() - 7 * 86_400_000;
  db.transaction(() => {
    for (let i = 0; i < CHATS * PER_CHAT; i++) {
      // Bursts of five messages a minute apart, an hour between bursts: temporal windows of five.
      const at = new Date(start + Math.floor(i / CHATS) * 60_000 + Math.floor(i / (CHATS * 5)) * 3_600_000).toISOString();
      insert.run(`chat-${i % CHATS}`, i % 2 === 0 ? 'user' : 'bot', `message ${i} about the ${['release', 'invoice', 'outage'][i % 3]} of week ${i % 7}`, at, at);
    }
  })();
  db.close();
});

afterAll(async () => {
  await ws?.remove();
});

async function cli(args: string[]): Promise<string> {
  const r = await runCli(ws!.dir, args, { timeoutMs: 120_000 });
  expect(r.code, describeResult(r)).toBe(0);
  return r.stdout;
}

const syncReport = async (args: string[] = []): Promise<Report> =>
  parseJson<{ sources: Report[] }>({ stdout: await cli(['sync', '--json', ...args]) } as never).sources[0]!;

describe('index profiles through the CLI', () => {
  it('syncs the four strategies into their own tables, backfills a fifth alone, and resets and re-syncs one profile', async () => {
    // Act 1: the four strategies.
    const first = await syncReport();

    console.log(`profiles, first sync: ${Object.entries(first.profiles).map(([n, p]) => `${n} ${p.vectorsUpserted} vectors, ${p.embeddingCalls} calls`).join('; ')}; ${first.durationMs} ms`);
    // Assess 1: every profile indexed every chat, each in its own table, chunked its own way.
    expect(first).toMatchObject({ status: 'synced', docsChanged: CHATS, tasksFailed: 0 });
    expect(Object.keys(first.profiles)).toEqual(STRATEGIES.map((s) => s.name));
    for (const s of STRATEGIES) {
      expect(first.profiles[s.name], s.name).toMatchObject({ docsChanged: CHATS });
      expect(existsSync(join(ws!.stateDir, 'lancedb', `chunks-chat-${s.name}.lance`)), s.name).toBe(true);
    }
    expect(first.profiles['message']!.vectorsUpserted).toBe(CHATS * PER_CHAT);
    expect(first.profiles['temporal']!.vectorsUpserted).toBe(CHATS * 2);
    expect(new Set(STRATEGIES.map((s) => first.profiles[s.name]!.vectorsUpserted)).size).toBeGreaterThan(2);

    // Act 2: a fifth profile (whole-turn packing, another model) added to the config.
    await ws!.writeConfig(config([...STRATEGIES, { name: 'packed', embedder: { model: 'hashing-b', dimensions: 256 } }]));
    const second = await syncReport();

    console.log(`profiles, fifth added: ${Object.entries(second.profiles).map(([n, p]) => `${n} ${p.embeddingCalls} calls, ${p.vectorsUpserted} writes`).join('; ')}`);
    // Assess 2: only the new profile embedded and wrote anything.
    for (const s of STRATEGIES) expect(second.profiles[s.name], s.name).toMatchObject({ docsChanged: 0, embeddingCalls: 0, vectorsUpserted: 0 });
    expect(second.profiles['packed']).toMatchObject({ docsChanged: CHATS });
    expect(second.profiles['packed']!.embeddingCalls).toBeGreaterThan(0);

    // Act 3: status, and a search of one profile.
    const status = JSON.parse(await cli(['status', '--json'])) as { sources: Array<{ profiles: Array<{ name: string; target: string; documents: number; dimensions: number }> }> };
    const search = JSON.parse(await cli(['search', 'invoice of week 3', '--profile', 'message', '--json'])) as { results: Array<{ text: string }> };

    // Assess 3
    expect(status.sources[0]!.profiles.map((p) => [p.name, p.target, p.documents])).toEqual(
      [...STRATEGIES.map((s) => [s.name, `chunks-chat-${s.name}`, CHATS]), ['packed', 'chunks-chat-packed', CHATS]],
    );
    expect(status.sources[0]!.profiles.find((p) => p.name === 'packed')!.dimensions).toBe(256);
    expect(search.results.length).toBeGreaterThan(0);
    for (const r of search.results) expect(r.text.split('\n')).toHaveLength(1);

    // Act 4: reset one profile, then sync only it.
    await cli(['reset', '--source', 'chat', '--profile', 'sliding', '--yes']);
    const resynced = await syncReport(['--profile', 'sliding']);

    // Assess 4: rebuilt from the embedding cache (no call), the others untouched.
    expect(Object.keys(resynced.profiles)).toEqual(['sliding']);
    expect(resynced.profiles['sliding']).toMatchObject({ docsChanged: CHATS, embeddingCalls: 0, vectorsUpserted: first.profiles['sliding']!.vectorsUpserted });
  }, 300_000);
});
