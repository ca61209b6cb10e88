/**
 * The SQL-table machinery the Postgres and SQLite sources share, with both dialects: every
 * statement takes its parameters once and in order (so `$n` and `?` take one parameter list),
 * every SQLite statement is valid SQL for every mode and window, each timestamp format reads,
 * bounds and orders the same instants, and the pure parts (cursor, documents, column check) say
 * what is wrong with the engine and the key named.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { TURN_SEPARATOR } from '../../shared/core/chunker.ts';
import { ConfigError } from '../../shared/core/errors.ts';
import { postgresSource } from '../../shared/connectors/postgres/config.ts';
import { postgresDialect } from '../../shared/connectors/postgres/sql.ts';
import { checkReferencedColumns } from '../../shared/connectors/sql-table/columns.ts';
import type { SqlDialect } from '../../shared/connectors/sql-table/dialect.ts';
import { conversationDocument, rowDocument } from '../../shared/connectors/sql-table/documents.ts';
import { parseCursor } from '../../shared/connectors/sql-table/page-cursor.ts';
import { A, TableSql, type SqlTableStatementsConfig } from '../../shared/connectors/sql-table/statements.ts';
import { sqliteSource } from '../../shared/connectors/sqlite/config.ts';
import { DIGEST_FUNCTION, quoteSqlite, sqliteDialect } from '../../shared/connectors/sqlite/dialect.ts';
import { TIMESTAMP_FORMATS, orderKey, updatedAtColumn, windowStart, type TimestampFormat } from '../../shared/connectors/sqlite/timestamps.ts';

const base = {
  id: 'chat', idColumn: 'id', updatedAtColumn: 'updated_at', textTemplate: '{{author}}: {{body}}', table: 'messages',
  deletedColumn: 'deleted_at', titleTemplate: '{{author}}', metadataColumns: ['chat_id'],
};
const conversation = (timeWindow?: string | number) => ({
  mode: 'conversation', conversation: { groupColumn: 'chat_id', orderColumn: 'sent_at', ...(timeWindow !== undefined ? { timeWindow } : {}) },
});
const MODES: Array<[string, Record<string, unknown>]> = [
  ['row', {}], ['conversation', conversation()], ['conversation by hour', conversation('hour')], ['conversation by week', conversation('week')],
  ['conversation by month', conversation('month')], ['conversation by 90 minutes', conversation(90)],
];

const sqlite = (format: TimestampFormat = 'auto', typed: readonly string[] = ['id', 'chat_id']): SqlDialect => sqliteDialect({
  updatedAtColumn: 'updated_at', updatedAtFormat: format, orderFormat: format, typedColumns: new Set(typed.map((c) => `src.${quoteSqlite(c)}`)),
});
const DIALECTS: Array<[string, SqlDialect, (raw: Record<string, unknown>) => SqlTableStatementsConfig]> = [
  ['Postgres', postgresDialect, (raw) => postgresSource.parse({ ...raw, kind: 'postgres', connectionStringEnv: 'DB' })],
  ['SQLite', sqlite(), (raw) => sqliteSource.parse({ ...raw, kind: 'sqlite', path: 'bot.db' })],
];

/** The statements of a config with the parameter count the connector passes to each. */
function statements(sql: TableSql): Array<[string, string, number]> {
  const out: Array<[string, string, number]> = [];
  for (const since of [false, true]) {
    for (const after of [false, true]) {
      const n = 2 + (since ? 1 : 0) + (after ? 2 : 0);
      out.push([`rowPage since=${since} after=${after}`, sql.rowPage({ since, after }), n]);
      out.push([`changedDocsPage since=${since} after=${after}`, sql.changedDocsPage({ since, after }), n]);
    }
  }
  out.push(['rowsById', sql.rowsById(), 1], ['rowList', sql.rowList(false), 1], ['rowList after', sql.rowList(true), 2]);
  out.push(['docVersions', sql.docVersions(), 2], ['docMessages', sql.docMessages(), 2]);
  out.push(['docList', sql.docList({ after: false }), 1], ['docList after', sql.docList({ after: true }), 2], ['docList group', sql.docList({ after: false, onlyGroup: true }), 1]);
  return out;
}

/** The bind parameters of a statement, in the order they appear. */
function placeholders(text: string): string[] {
  return [...text.matchAll(/\$(\d+)|\?/g)].map((m) => m[0]);
}

describe('SQL-table statements', () => {
  it.each(DIALECTS)('%s: each statement takes its parameters once, in order, as many as the connector passes', (_, dialect, parse) => {
    for (const [mode, extra] of MODES) {
      // Prepare
      const sql = new TableSql(parse({ ...base, ...extra }), dialect);

      for (const [name, text, count] of statements(sql)) {
        // Act
        const found = placeholders(text);

        // Assess
        const expected = dialect === postgresDialect ? Array.from({ length: count }, (_, i) => `$${i + 1}`) : Array.from({ length: count }, () => '?');
        expect(found, `${mode} ${name}: ${text}`).toEqual(expected);
      }
    }
  });

  it('SQLite: every statement of every mode and timestamp format is valid SQL against a table of that shape', () => {
    // Prepare
    const db = new Database(':memory:');
    db.exec('CREATE TABLE messages (id INTEGER PRIMARY KEY, chat_id TEXT, author TEXT, body TEXT, sent_at, updated_at, deleted_at TEXT)');
    db.function(DIGEST_FUNCTION, { deterministic: true }, (text: unknown) => String(text));
    for (const format of TIMESTAMP_FORMATS) {
      for (const [mode, extra] of MODES) {
        const sql = new TableSql(sqliteSource.parse({ ...base, ...extra, kind: 'sqlite', path: 'bot.db' }), sqlite(format));

        // Act + Assess: SQLite compiles each (a wrong column, function or clause fails here).
        for (const [name, text] of statements(sql)) expect(() => db.prepare(text), `${format} ${mode} ${name}`).not.toThrow();
      }
    }
    db.close();
  });

  it('SQLite compares ids and groups of a column without a declared type as text, and of a typed column natively (its index applies)', () => {
    // Prepare
    const config = sqliteSource.parse({ ...base, ...conversation(), kind: 'sqlite', path: 'bot.db' });

    // Act
    const typed = new TableSql(config, sqlite('auto', ['id', 'chat_id']));
    const untyped = new TableSql(config, sqlite('auto', []));

    // Assess
    expect(typed.rowsById()).toContain('src."id" IN (SELECT value FROM json_each(?))');
    expect(untyped.rowsById()).toContain('CAST(src."id" AS TEXT) IN (SELECT value FROM json_each(?))');
    expect(untyped.docList({ after: true })).toContain('CAST(src."chat_id" AS TEXT) > ?');
  });

  it('SQLite reads the explicit numeric formats on the column itself, and auto on each value\'s own type', () => {
    // Prepare
    const config = sqliteSource.parse({ ...base, kind: 'sqlite', path: 'bot.db' });

    // Act
    const native = new TableSql(config, sqlite('unixMillis')).rowPage({ since: true, after: true });
    const auto = new TableSql(config, sqlite('auto')).rowPage({ since: true, after: true });

    // Assess
    expect(native).toContain('WHERE src."updated_at" < ? AND src."updated_at" >= ? AND (src."updated_at", src."id") > (?, ?)');
    expect(native).toContain(`src."updated_at" AS "${A.at}"`);
    expect(auto).toContain('CASE typeof(src."updated_at")');
    expect(auto).not.toContain(`AS "${A.at}"`);
  });
});

describe('SQLite timestamp formats', () => {
  const instants = ['2026-03-01T12:00:00.000Z', '2026-03-01T12:00:00.123Z', '2026-12-31T23:59:59.999Z'];
  /** One instant as a bot may store it, by format (auto reads them all). */
  const stored = (iso: string): Array<[TimestampFormat, unknown]> => {
    const ms = Date.parse(iso);
    return [
      ['text', iso], ['text', iso.replace('T', ' ').replace('Z', '')], ['text', iso.replace('Z', '+00:00')],
      ['text', new Date(ms + 2 * 3_600_000).toISOString().replace('Z', '+02:00')], ['text', `${iso.slice(0, 23)}456`],
      ['unixMillis', BigInt(ms)], ['unixSeconds', ms / 1000], ['julianDay', (ms + 210_866_760_000_000) / 86_400_000],
      ...(ms % 1000 === 0 ? [['unixSeconds', BigInt(ms / 1000)] as [TimestampFormat, unknown]] : []),
    ];
  };

  it('reads each stored form as its instant, inside [instant, instant + 1 ms) and outside [.., instant)', () => {
    const db = new Database(':memory:');
    for (const iso of instants) {
      for (const [format, value] of stored(iso)) {
        for (const read of [format, 'auto'] as const) {
          // Prepare
          const time = updatedAtColumn(read, 'updated_at');
          const key = time.key('@v');
          const bound = (at: string): unknown => {
            const b = time.bound(at);
            return typeof b === 'number' && Number.isSafeInteger(b) ? BigInt(b) : b;
          };

          // Act
          const row = db.prepare(`SELECT ${time.text(key)} AS text, ${key} >= @at AS fromIt, ${key} < @next AS beforeNext, ${key} < @at AS beforeIt`)
            .get({ v: value, at: bound(iso), next: bound(new Date(Date.parse(iso) + 1).toISOString()) }) as Record<string, unknown>;

          // Assess
          expect(row, `${String(value)} read as ${read}`).toEqual({ text: iso, fromIt: 1, beforeNext: 1, beforeIt: 0 });
        }
      }
    }
    db.close();
  });

  it('reads as nothing what is not a time, and says why', () => {
    // Prepare
    const db = new Database(':memory:');
    const cases: Array<[TimestampFormat, unknown]> = [['auto', 'soon'], ['auto', Buffer.from('x')], ['text', 1767261600], ['unixSeconds', '2026-03-01'], ['julianDay', 'yesterday']];

    for (const [format, value] of cases) {
      const time = updatedAtColumn(format, 'updated_at');

      // Act
      const row = db.prepare(`SELECT ${time.text(time.key('@v'))} AS text`).get({ v: value }) as { text: unknown };

      // Assess
      expect(row.text, `${String(value)} as ${format}`).toBeNull();
      expect(time.unreadable!(value)).toMatch(/^updatedAtColumn "updated_at" holds .+, which is not /);
    }
    expect(updatedAtColumn('auto', 'updated_at').unreadable!('soon')).toContain('holds "soon", which is not ISO-8601 text');
    expect(updatedAtColumn('unixSeconds', 'updated_at').unreadable!('x')).toContain('as updatedAtFormat "unixSeconds" says; fix the value, or set updatedAtFormat');
    db.close();
  });

  it('starts windows as Postgres does: the hour, the day, Monday, the first of the month, multiples of N minutes since 1970', () => {
    // Prepare: Wednesday 2026-03-04 13:47:12.5 UTC.
    const db = new Database(':memory:');
    const ms = Date.parse('2026-03-04T13:47:12.500Z');
    const expected: Array<[string | number, string]> = [
      ['hour', '2026-03-04T13:00Z'], ['day', '2026-03-04T00:00Z'], ['week', '2026-03-02T00:00Z'], ['month', '2026-03-01T00:00Z'],
      [90, new Date(Math.floor(ms / 5_400_000) * 5_400_000).toISOString().slice(0, 16) + 'Z'],
    ];
    for (const [window, start] of expected) {
      for (const [format, value] of [['auto', ms], ['unixMillis', ms], ['unixSeconds', ms / 1000], ['text', '2026-03-04 13:47:12.500'], ['julianDay', (ms + 210_866_760_000_000) / 86_400_000]] as const) {
        // Act
        const row = db.prepare(`SELECT ${windowStart(format, orderKey(format)('@v'), window as 'hour')} AS start`).get({ v: value }) as { start: string };

        // Assess
        expect(row.start, `${String(window)} of ${String(value)} (${format})`).toBe(start);
      }
    }
    db.close();
  });
});

describe('SQL-table cursor, documents and column check', () => {
  it('refuses a cursor of another shape, naming the engine', () => {
    expect(parseCursor(undefined, 'bot', 'SQLite')).toBeUndefined();
    expect(parseCursor({}, 'bot', 'SQLite')).toBeUndefined();
    expect(parseCursor({ ts: '1', key: '2' }, 'bot', 'SQLite')).toEqual({ ts: '1', key: '2' });
    expect(() => parseCursor({ ts: 1 }, 'bot', 'SQLite')).toThrow(/source "bot": SQLite cursor must look like \{"ts": "…", "key": "…"\}/);
  });

  it('renders a row, and a conversation with the turns\' own separator replaced and a warning kept', () => {
    // Prepare
    const templates = { textTemplate: '{{author}}: {{body}}', titleTemplate: undefined, urlTemplate: 'https://x.example/{{chat}}', metadataColumns: ['chat'] };
    const turns = [{ [A.group]: 'c 1', author: 'ann', body: `one${TURN_SEPARATOR}two`, chat: 'c 1' }, { [A.group]: 'c 1', author: 'bob', body: 'three', chat: 'c 1' }];

    // Act
    const row = rowDocument(templates, { [A.id]: '7', [A.ts]: '2026-03-01T12:00:00.123456Z', author: 'ann', body: 'hi', chat: 'c 1' });
    const doc = conversationDocument(templates, 'c 1', turns, { [A.ts]: '2026-03-01T12:00:00.000Z', [A.count]: 2, [A.hash]: 'abcdef0123456789ff' }, 'message 9: unreadable');

    // Assess
    expect(row).toMatchObject({ id: '7', version: '2026-03-01T12:00:00.123456Z', updatedAt: '2026-03-01T12:00:00.123Z', text: 'ann: hi', url: 'https://x.example/c%201', format: 'text' });
    expect(doc).toMatchObject({
      id: 'c 1', version: '2026-03-01T12:00:00.000Z#2#abcdef0123456789', text: `ann: one two${TURN_SEPARATOR}bob: three`, title: 'c 1',
      warning: 'message 9: unreadable', metadata: { chat: 'c 1', conversation: 'c 1' },
    });
  });

  it('names the key whose column the relation lacks, and the columns it has', () => {
    // Prepare
    const sql = new TableSql(sqliteSource.parse({ ...base, kind: 'sqlite', path: 'bot.db' }), sqlite());

    // Act
    const check = (): void => checkReferencedColumns('bot', { table: 'messages' }, sql, ['id', 'author', 'body', 'updated_at', 'deleted_at', 'chat']);

    // Assess
    expect(check).toThrow(ConfigError);
    expect(check).toThrow('source "bot": metadataColumns names column "chat_id", which table "messages" does not have; its columns are: id, author, body, updated_at, deleted_at, chat. Fix "metadataColumns" in the source.');
  });
});
