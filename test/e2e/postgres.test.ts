/**
 * A Postgres source through the real CLI (`tributary sync`, `tributary start` as child
 * processes) against a real PostgreSQL started here: initial sync, an edit, soft deletes, a hard
 * delete found by reconcile, and — with the LISTEN trigger installed and a once-a-day schedule —
 * an INSERT that becomes searchable without any scheduled run.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type TestPostgres } from '../support/postgres.ts';
import {
  byDocument, describeResult, exportRows, killStragglers, makeWorkspace, parseJson, runCli, spawnCli, syncJson, waitFor,
  type Workspace,
} from './support/cli.ts';

const TIMEOUT = 180_000;
const CONVERSATIONS = 12;
const PER_CONVERSATION = 8;

interface SearchResponse {
  results: Array<{ docId: string; sourceId: string; chunkIndex: number; text: string; score: number }>;
}

interface Status {
  sources: Array<{ id: string; documents: number; lagSeconds: number | null; running: boolean; lastRun: { status: string; trigger: string } | null }>;
  queues: { fetch: { visible: number; inFlight: number }; embed: { visible: number; inFlight: number } };
  deadLetters: unknown[];
}

let server: TestPostgres | undefined;
let db: pg.Client | undefined;
let ws: Workspace | undefined;
let env: Record<string, string> = {};

beforeAll(async () => {
  server = await startPostgres();
  const url = await server.createDatabase('e2e');
  env = { CHAT_DATABASE_URL: url };
  // The CLI children inherit it (syncJson and exportRows pass no env of their own).
  process.env['CHAT_DATABASE_URL'] = url;
  db = new pg.Client({ connectionString: url });
  await db.connect();
  // The schema and both triggers exactly as docs/sources/postgres.md tells users to install them.
  await db.query(`
    CREATE TABLE messages (
      id bigserial PRIMARY KEY, conversation_id text NOT NULL, author text NOT NULL, body text NOT NULL,
      sent_at timestamptz NOT NULL DEFAULT now(), deleted_at timestamptz,
      updated_at timestamptz NOT NULL DEFAULT now());
    CREATE INDEX messages_changes ON messages (updated_at, id);
    CREATE INDEX messages_conversation ON messages (conversation_id, sent_at);

    CREATE OR REPLACE FUNCTION tributary_touch() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      NEW.updated_at := now();
      RETURN NEW;
    END $$;
    CREATE TRIGGER messages_touch BEFORE INSERT OR UPDATE ON messages
      FOR EACH ROW EXECUTE FUNCTION tributary_touch();

    CREATE OR REPLACE FUNCTION tributary_notify() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify(TG_ARGV[0],
        (CASE WHEN TG_OP = 'DELETE' THEN to_jsonb(OLD) ELSE to_jsonb(NEW) END) ->> TG_ARGV[1]);
      RETURN NULL;
    END $$;
    CREATE TRIGGER messages_notify AFTER INSERT OR UPDATE OR DELETE ON messages
      FOR EACH ROW EXECUTE FUNCTION tributary_notify('tributary_chat', 'conversation_id');`);
  await db.query(`
    INSERT INTO messages (conversation_id, author, body, sent_at)
    SELECT 'conv-' || lpad(c::text, 2, '0'), (ARRAY['ana', 'ben'])[1 + m % 2],
           'conversation ' || c || ' message ' || m || ' about ' || (ARRAY['credential rotation', 'failover drills', 'billing exports'])[1 + c % 3],
           timestamptz '2026-02-01' + (c * 100 + m) * interval '1 minute'
    FROM generate_series(1, ${CONVERSATIONS}) c, generate_series(1, ${PER_CONVERSATION}) m`);
  ws = await makeWorkspace('postgres', {
    config: {
      sources: [{
        id: 'chat', kind: 'postgres', connectionStringEnv: 'CHAT_DATABASE_URL', table: 'public.messages',
        idColumn: 'id', updatedAtColumn: 'updated_at', deletedColumn: 'deleted_at', textTemplate: '{{author}}: {{body}}',
        mode: 'conversation', conversation: { groupColumn: 'conversation_id', orderColumn: 'sent_at' },
        listen: { channel: 'tributary_chat' }, schedule: 'rate(1 day)', pageSize: 5, lookbackSeconds: 5,
      }],
    },
  });
}, 60_000);

afterAll(async () => {
  delete process.env['CHAT_DATABASE_URL'];
  await killStragglers();
  await db?.end();
  await server?.stop();
  await ws?.remove();
});

/** Waits until the wall clock has passed the last write, so the next run's snapshot is later than it. */
async function settle(): Promise<void> {
  const t = Date.now();
  while (Date.now() <= t) await new Promise((resolve) => setTimeout(resolve, 1));
}

async function search(dir: string, query: string): Promise<SearchResponse['results']> {
  const r = await runCli(dir, ['search', query, '--json', '--top', '3'], { env });
  expect(r.code, describeResult(r)).toBe(0);
  const parsed = parseJson<SearchResponse | SearchResponse['results']>(r);
  return Array.isArray(parsed) ? parsed : parsed.results;
}

describe('postgres source end to end', () => {
  it('syncs, edits, soft and hard deletes through `tributary sync`', async () => {
    const dir = ws!.dir;

    // Initial sync: one document per conversation, turns in order.
    const initial = await syncJson(dir, [], 'chat');
    expect(initial).toMatchObject({ status: 'synced', docsChanged: CONVERSATIONS, tasksFailed: 0 });
    const docs = byDocument(await exportRows(dir, 'chat'));
    expect([...docs.keys()].sort()).toEqual(Array.from({ length: CONVERSATIONS }, (_, i) => `conv-${String(i + 1).padStart(2, '0')}`));
    expect(docs.get('conv-03')!.map((r) => r.text).join('\n')).toMatch(/^ben: conversation 3 message 1 about [a-z ]+\nana: conversation 3 message 2/);

    // Nothing changed: nothing to do.
    expect(await syncJson(dir, [], 'chat')).toMatchObject({ docsChanged: 0, docsDeleted: 0, chunksEmbedded: 0 });

    // An edit: one conversation re-indexed, searchable by its new word.
    await db!.query(`UPDATE messages SET body = 'we settled on the quokka rollout plan' WHERE conversation_id = 'conv-05' AND body LIKE '% message 4 %'`);
    await settle();
    expect(await syncJson(dir, [], 'chat')).toMatchObject({ docsChanged: 1, docsDeleted: 0 });
    expect((await search(dir, 'quokka rollout'))[0]).toMatchObject({ docId: 'conv-05', sourceId: 'chat' });

    // Soft deletes: one message (its conversation is re-rendered without it), one whole conversation.
    await db!.query(`UPDATE messages SET deleted_at = now() WHERE conversation_id = 'conv-05' AND body LIKE '%quokka%'`);
    await db!.query(`UPDATE messages SET deleted_at = now() WHERE conversation_id = 'conv-06'`);
    await settle();
    expect(await syncJson(dir, [], 'chat')).toMatchObject({ docsChanged: 1, docsDeleted: 1 });
    const afterSoft = byDocument(await exportRows(dir, 'chat'));
    expect(afterSoft.has('conv-06')).toBe(false);
    expect(afterSoft.get('conv-05')!.map((r) => r.text).join('\n')).not.toContain('quokka');

    // A hard delete leaves no row to see in any window: reconcile finds it.
    await db!.query(`DELETE FROM messages WHERE conversation_id = 'conv-07'`);
    await settle();
    expect(await syncJson(dir, [], 'chat')).toMatchObject({ docsChanged: 0, docsDeleted: 1 });
    const afterHard = byDocument(await exportRows(dir, 'chat'));
    expect(afterHard.has('conv-07')).toBe(false);
    expect(afterHard.size).toBe(CONVERSATIONS - 2);

    const audit = await runCli(dir, ['audit', '--json'], { env });
    expect(audit.code, describeResult(audit)).toBe(0);
  }, TIMEOUT);

  it('makes an INSERT searchable through LISTEN, with no scheduled run', async () => {
    const dir = ws!.dir;
    const running = spawnCli(dir, ['start', '--port', '0'], { env, timeoutMs: TIMEOUT });
    const base = await waitFor('the status page URL on stdout', () => {
      if (running.child.exitCode !== null) throw new Error(`start exited early:\n${running.stdout()}\n${running.stderr()}`);
      return /Console \(status, runs, actions, search\): (https?:\/\/\S+?)\/?$/m.exec(running.stdout())?.[1];
    }, { timeoutMs: 60_000 });
    const status = async (): Promise<Status> => (await (await fetch(`${base}/status`)).json()) as Status;
    // The start-up sync (the schedule's first tick) has finished and nothing is queued.
    await waitFor('the start-up sync', async () => {
      const s = await status();
      const src = s.sources[0]!;
      return !src.running && src.lastRun?.status === 'succeeded'
        && s.queues.fetch.visible + s.queues.fetch.inFlight + s.queues.embed.visible + s.queues.embed.inFlight === 0;
    }, { timeoutMs: 60_000, intervalMs: 200 });

    // Act: a new message in an existing conversation and a new conversation, written by the app.
    await db!.query(`INSERT INTO messages (conversation_id, author, body) VALUES
      ('conv-02', 'ana', 'the wombat migration finished overnight'),
      ('conv-99', 'ben', 'kickoff for the narwhal launch')`);

    // Assess: both are searchable; the run that brought them was a hint, not the schedule.
    const search = async (q: string): Promise<SearchResponse['results']> =>
      ((await (await fetch(`${base}/search?q=${encodeURIComponent(q)}&top=3`)).json()) as SearchResponse).results;
    const wombat = await waitFor('the new message at the top of the search results', async () => {
      const results = await search('wombat migration');
      return results[0]?.docId === 'conv-02' ? results : undefined;
    }, { timeoutMs: 20_000, intervalMs: 200 });
    expect(wombat[0]!.text).toContain('ana: the wombat migration finished overnight');
    await waitFor('the new conversation in search', async () => (await search('narwhal launch'))[0]?.docId === 'conv-99', { timeoutMs: 20_000, intervalMs: 200 });
    const s = await status();
    expect(s.sources[0]!.lastRun?.trigger).toBe('watch');
    expect(s.deadLetters).toEqual([]);

    // A hard delete is hinted too (the trigger fires on DELETE): gone without a scheduled run.
    await db!.query(`DELETE FROM messages WHERE conversation_id = 'conv-99'`);
    await waitFor('the deleted conversation to leave the index', async () => (await search('narwhal launch')).every((r) => r.docId !== 'conv-99'), { timeoutMs: 20_000, intervalMs: 200 });

    running.child.kill('SIGTERM');
    const stopped = await running.exited;
    expect(stopped.code, describeResult(stopped)).toBe(0);
  }, TIMEOUT);
});
