/**
 * The Postgres connector driven by the real sync core (embedded DynamoDB, SQS, LanceDB, local
 * embedder) against a real PostgreSQL: 30,000 messages in 600 conversations (TRIBUTARY_SCALE_MESSAGES sets more) sync, and
 * appending one message re-embeds at most the last chunk of that one conversation; a row
 * edited while a run pages through the table is indexed by the next run.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresSource } from '../../shared/connectors/postgres/config.ts';
import { PostgresConnector } from '../../shared/connectors/postgres/postgres-connector.ts';
import { runFetch } from '../../shared/core/fetch-run.ts';
import type { FetchTask, SourceConnector } from '../../shared/ports/index.ts';
import { drainEmbedQueue } from '../support/drain.ts';
import { startServers, testPipeline, type EmbeddedServers, type TestPipeline } from '../support/embedded.ts';
import { startPostgres, type TestPostgres } from '../support/postgres.ts';

const OWNER = 'host:1:test';
// CI runs 30,000 messages; the figures in docs/sources/postgres.md were measured with
// TRIBUTARY_SCALE_MESSAGES=100000 (50 messages per conversation either way).
const MESSAGES = Number(process.env['TRIBUTARY_SCALE_MESSAGES'] ?? 30_000);
const CONVERSATIONS = Math.max(1, Math.round(MESSAGES / 50));

let pgServer: TestPostgres;
let servers: EmbeddedServers;

beforeAll(async () => {
  [pgServer, servers] = await Promise.all([startPostgres(), startServers()]);
});

afterAll(async () => {
  await servers?.close();
  await pgServer?.stop();
});

const task = (sourceId: string): FetchTask => ({ type: 'fetch', sourceId, trigger: 'cli', requestedAt: new Date().toISOString() });

/** One run as the local runtime does it, with the core's clock at the wall clock (the database's clock). */
async function sync(p: TestPipeline, sourceId: string) {
  p.clock.set(Date.now());
  const t0 = Date.now();
  const result = await runFetch(p.deps, task(sourceId), { owner: OWNER });
  const fetchMs = Date.now() - t0;
  await drainEmbedQueue(p.deps);
  const run = await p.state.getRun(sourceId, result.runId!);
  return { result, run: run!, fetchMs, drainMs: Date.now() - t0 - fetchMs };
}

/** Waits until the wall clock has passed the last write (a run's snapshot must be later than it). */
async function settle(): Promise<void> {
  const t = Date.now();
  while (Date.now() <= t) await new Promise((resolve) => setTimeout(resolve, 1));
}

async function setup(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`
      CREATE TABLE messages (
        id bigserial PRIMARY KEY, conversation_id text NOT NULL, author text NOT NULL, body text NOT NULL,
        sent_at timestamptz NOT NULL, deleted_at timestamptz, updated_at timestamptz NOT NULL DEFAULT now());
      CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at := now(); RETURN NEW; END $$;
      CREATE TRIGGER touch BEFORE UPDATE ON messages FOR EACH ROW EXECUTE FUNCTION touch();`);
  } finally {
    await client.end();
  }
}

function connectorFor(url: string, sourceId: string, overrides: Record<string, unknown> = {}): PostgresConnector {
  const config = postgresSource.parse({
    id: sourceId, kind: 'postgres', connectionStringEnv: 'PG_URL', table: 'messages', idColumn: 'id',
    updatedAtColumn: 'updated_at', deletedColumn: 'deleted_at', textTemplate: '{{author}}: {{body}}', mode: 'conversation',
    conversation: { groupColumn: 'conversation_id', orderColumn: 'sent_at' }, ...overrides,
  });
  return new PostgresConnector(sourceId, { config, connectionString: () => url });
}

describe('Postgres source through the sync core', () => {
  it(`syncs ${MESSAGES.toLocaleString('en')} messages in ${CONVERSATIONS.toLocaleString('en')} conversations; one appended message re-embeds at most one chunk`, async () => {
    // Prepare: 50 messages per conversation, bulk-inserted in one statement.
    const url = await pgServer.createDatabase('scale');
    await setup(url);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const started = Date.now();
    await client.query(`
      INSERT INTO messages (conversation_id, author, body, sent_at)
      SELECT 'conv-' || lpad((g % ${CONVERSATIONS})::text, 4, '0'),
             (ARRAY['ana', 'ben', 'chen', 'dara'])[1 + g % 4],
             'message ' || g || ' on ' || (ARRAY['rotating credentials', 'the failover drill', 'index drift', 'the billing export'])[1 + (g / 7) % 4]
               || ' ref ' || substr(md5(g::text), 1, 12),
             timestamptz '2026-01-01' + g * interval '1 second'
      FROM generate_series(1, ${MESSAGES}) g`);
    const insertedMs = Date.now() - started;
    await settle();
    const connector = connectorFor(url, 'chat');
    // Time spent inside the connector (SQL and rendering), to tell it apart from the core's work.
    let connectorMs = 0;
    const timed = async <T>(work: Promise<T>): Promise<T> => {
      const t = Date.now();
      try {
        return await work;
      } finally {
        connectorMs += Date.now() - t;
      }
    };
    const measured: SourceConnector = {
      sourceId: 'chat',
      pull: (cursor, window) => timed(connector.pull(cursor, window)),
      fetch: (ids) => timed(connector.fetch(ids)),
      async *list() {
        const t = Date.now();
        const all = [];
        for await (const doc of connector.list()) all.push(doc);
        connectorMs += Date.now() - t;
        yield* all;
      },
    };
    const p = await testPipeline(servers, [{ connector: measured, settings: { chunking: { targetTokens: 300, maxTokens: 800 } } }]);

    try {
      // Act 1: the initial sync.
      const t0 = Date.now();
      const initial = await sync(p, 'chat');
      const initialMs = Date.now() - t0;
      const initialConnectorMs = connectorMs;

      // Assess 1
      expect(initial.result.status).toBe('completed');
      expect(initial.run.docsChanged).toBe(CONVERSATIONS);
      expect(initial.run.tasksFailed).toBe(0);
      expect((await p.vectors.listIds('chat#')).length).toBe(initial.run.vectorsUpserted);

      // Act 2: one message appended to one conversation.
      await client.query(`INSERT INTO messages (conversation_id, author, body, sent_at) VALUES ('conv-0042', 'ana', 'a brand new zebracorn message', timestamptz '2026-06-01')`);
      await settle();
      const t1 = Date.now();
      const append = await sync(p, 'chat');
      const appendMs = Date.now() - t1;

      // Assess 2: only that conversation changed, and at most its last chunk was embedded and written.
      expect(append.run.docsChanged).toBe(1);
      expect(append.run.docsDeleted).toBe(0);
      expect(append.run.chunksEmbedded).toBeLessThanOrEqual(1);
      expect(append.run.vectorsUpserted).toBeLessThanOrEqual(1);
      const hits = await p.vectors.scan('chat#');
      const withNew = hits.filter((h) => String(h.metadata['text']).includes('zebracorn'));
      expect(withNew.map((h) => h.metadata['docId'])).toEqual(['conv-0042']);
      const chunksOf42 = hits.filter((h) => h.metadata['docId'] === 'conv-0042').map((h) => Number(h.metadata['chunkIndex']));
      expect(Number(withNew[0]!.metadata['chunkIndex'])).toBe(Math.max(...chunksOf42));

      const t2 = Date.now();
      let listed = 0;
      for await (const doc of connector.list()) listed += doc.version === '' ? 0 : 1;
      const listMs = Date.now() - t2;
      expect(listed).toBe(CONVERSATIONS);
      console.info(`[postgres scale] insert ${MESSAGES} rows: ${insertedMs} ms; initial sync of ${CONVERSATIONS} conversations: ${initialMs} ms `
        + `(fetch run ${initial.fetchMs} ms of which connector ${initialConnectorMs} ms, embed tasks ${initial.drainMs} ms; ${initial.run.pages} pages, ${initial.run.chunksEmbedded} chunks embedded, `
        + `${initial.run.vectorsUpserted} vectors); sync after one append: ${appendMs} ms (fetch run ${append.fetchMs} ms; `
        + `${append.run.chunksEmbedded} chunk embedded, ${append.run.vectorsUpserted} vector written); list(): ${listMs} ms`);
    } finally {
      await client.end();
      await connector.close();
      await p.close();
    }
  }, 180_000);

  it('a row edited while a run pages through the table is indexed by the next run', async () => {
    // Prepare: 30 rows (row mode, pages of 10); an edit lands right after the run's first page.
    const url = await pgServer.createDatabase('midrun');
    await setup(url);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`INSERT INTO messages (conversation_id, author, body, sent_at)
      SELECT 'c', 'ana', 'original ' || g, now() FROM generate_series(1, 30) g`);
    await settle();
    const inner = connectorFor(url, 'rows', { mode: 'row', conversation: undefined, pageSize: 10 });
    let pulls = 0;
    // Edits row 25 (not reached yet) and row 2 (already handed out) once the first page is out.
    // No `list`: the reconcile that ends a run would catch the edits too, and this test is about
    // what the windows alone guarantee.
    const editing: SourceConnector = {
      sourceId: 'rows',
      fetch: (ids) => inner.fetch(ids),
      async pull(cursor, window) {
        const page = await inner.pull(cursor, window);
        if (++pulls === 1) await client.query(`UPDATE messages SET body = 'edited mid-run ' || id WHERE id IN (2, 25)`);
        return page;
      },
    };
    const p = await testPipeline(servers, [{ connector: editing, settings: { lookbackMs: 0 } }]);
    const textOf = async (id: string): Promise<string | undefined> => {
      const rows = await p.vectors.scan(`rows#`);
      return rows.filter((r) => r.metadata['docId'] === id).map((r) => String(r.metadata['text'])).join('\n') || undefined;
    };

    try {
      // Act
      await sync(p, 'rows');
      const afterFirst = [await textOf('2'), await textOf('25')];
      await settle();
      const second = await sync(p, 'rows');

      // Assess: the first run indexed row 2 as it read it, and left row 25 (changed after its
      // snapshot) to the next run, which brings both edits in.
      expect(afterFirst).toEqual(['ana: original 2', undefined]);
      expect(second.run.docsChanged).toBe(2);
      expect((await p.vectors.listIds('rows#')).length).toBe(30);
      expect(await textOf('2')).toBe('ana: edited mid-run 2');
      expect(await textOf('25')).toBe('ana: edited mid-run 25');
    } finally {
      await client.end();
      await inner.close();
      await p.close();
    }
  });
});
