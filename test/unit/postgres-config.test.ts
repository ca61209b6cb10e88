/**
 * The `postgres` source kind's configuration and the SQL/template building behind it: what the
 * schema rejects (with the key and the fix), that only quoted identifiers reach SQL text, and
 * how templates render values.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config/load.ts';
import { postgresSource } from '../../shared/connectors/postgres/config.ts';
import { PostgresSql, metadataOf, renderTemplate, templateColumns } from '../../shared/connectors/postgres/sql.ts';

const base = {
  id: 'chat', kind: 'postgres', connectionStringEnv: 'CHAT_DATABASE_URL', table: 'public.messages',
  idColumn: 'id', updatedAtColumn: 'updated_at', textTemplate: '{{author}}: {{body}}',
};

/** The one-line messages parseConfig reports for a config with this single source. */
function errorsOf(source: Record<string, unknown>): string {
  try {
    parseConfig({ sources: [source] });
  } catch (error) {
    return String(error);
  }
  return '';
}

describe('postgres source configuration', () => {
  it('fills in the defaults', () => {
    // Prepare + Act
    const parsed = postgresSource.parse(base);

    // Assess
    expect(parsed).toMatchObject({
      mode: 'row', pageSize: 200, metadataColumns: [], poolMax: 4, statementTimeoutMs: 60_000, watch: true,
      schedule: 'rate(15 minutes)', lookbackSeconds: 600,
    });
  });

  it('accepts the source through the top-level config union', () => {
    // Prepare + Act
    const config = parseConfig({ sources: [{ ...base, mode: 'conversation', conversation: { groupColumn: 'channel', orderColumn: 'sent_at', timeWindow: 'day' } }] });

    // Assess
    expect(config.sources[0]).toMatchObject({ kind: 'postgres', conversation: { timeWindow: 'day' } });
  });

  it.each([
    [{ table: undefined }, /sources\[0\]\.table: set exactly one of "table".*and "query"/],
    [{ query: 'SELECT 1' }, /sources\[0\]\.table: set exactly one/],
    [{ table: undefined, query: 'SELECT * FROM m;' }, /sources\[0\]\.query: must be one SELECT without a trailing ";"/],
    [{ table: 'messages; DROP TABLE x' }, /sources\[0\]\.table: must be a table or view name/],
    [{ idColumn: 'id"; --' }, /sources\[0\]\.idColumn: must be a column name/],
    [{ textTemplate: '{{author}}: {{body text}}' }, /sources\[0\]\.textTemplate: placeholder "\{\{body text\}\}" must name a column/],
    [{ mode: 'conversation' }, /sources\[0\]\.conversation: mode "conversation" needs/],
    [{ conversation: { groupColumn: 'c', orderColumn: 's' } }, /sources\[0\]\.mode: "conversation" is set/],
    [{ mode: 'conversation', conversation: { groupColumn: 'c', orderColumn: 's', timeWindow: 'fortnight' } }, /sources\[0\]\.conversation\.timeWindow/],
    [{ connectionString: 'postgres://u:p@h/db' }, /sources\[0\]\.connectionString: unknown key/],
    [{ connectionStringEnv: 'postgres://u:p@h/db' }, /sources\[0\]\.connectionStringEnv: must name an environment variable/],
    [{ listen: { channel: 'bad channel' } }, /sources\[0\]\.listen\.channel: must be a column name/],
  ])('rejects %j naming the key', (change, message) => {
    // Prepare
    const source = { ...base, ...change };

    // Act
    const errors = errorsOf(source);

    // Assess
    expect(errors).toMatch(message);
  });
});

describe('postgres SQL building', () => {
  const config = postgresSource.parse({ ...base, deletedColumn: 'deleted_at', titleTemplate: '{{subject}}', metadataColumns: ['channel', 'author'] });

  it('quotes every identifier and binds every value', () => {
    // Prepare
    const sql = new PostgresSql(config);

    // Act
    const page = sql.rowPage({ since: true, after: true });

    // Assess
    expect(page).toContain('FROM "public"."messages" AS src');
    expect(page).toContain('src."updated_at" < $1 AND src."updated_at" >= $2 AND (src."updated_at", src."id") > ($3, $4)');
    expect(page).toContain('ORDER BY src."updated_at", src."id" LIMIT $5');
    expect(page).toContain('(src."deleted_at" IS NULL OR src."deleted_at"::text = \'false\')');
    expect(page).toMatch(/src\."author", src\."body", src\."subject", src\."channel"/);
  });

  it('keys conversation documents by group, or by group and window start', () => {
    // Prepare
    const conv = (timeWindow?: string | number) => new PostgresSql(postgresSource.parse({
      ...base, mode: 'conversation', conversation: { groupColumn: 'channel', orderColumn: 'sent_at', ...(timeWindow !== undefined ? { timeWindow } : {}) },
    }));

    // Act + Assess
    expect(conv().docKey).toBe('src."channel"::text');
    expect(conv('week').docKey).toContain(`date_trunc('week', src."sent_at")`);
    expect(conv(90).docKey).toContain('floor(extract(epoch FROM src."sent_at") / 5400) * 5400');
  });

  it('lists the columns every key refers to, for validation', () => {
    // Prepare
    const sql = new PostgresSql(config);

    // Act
    const refs = sql.referencedColumns();

    // Assess
    expect(refs).toEqual(expect.arrayContaining([
      { key: 'idColumn', column: 'id' }, { key: 'deletedColumn', column: 'deleted_at' },
      { key: 'textTemplate', column: 'body' }, { key: 'titleTemplate', column: 'subject' }, { key: 'metadataColumns', column: 'channel' },
    ]));
  });
});

describe('postgres templates', () => {
  it('renders values: null as empty, dates as ISO-8601, objects as JSON; URL templates encode', () => {
    // Prepare
    const row = { author: 'ana', body: null, at: new Date('2026-01-02T03:04:05.000Z'), tags: ['a', 'b'], n: 3 };

    // Act
    const text = renderTemplate('{{ author }} ({{at}}, {{n}}) {{tags}}: {{body}}', row);
    const url = renderTemplate('https://x.example/{{author}}/{{q}}', { author: 'a b/c', q: '?' }, encodeURIComponent);

    // Assess
    expect(text).toBe('ana (2026-01-02T03:04:05.000Z, 3) ["a","b"]: ');
    expect(url).toBe('https://x.example/a%20b%2Fc/%3F');
    expect(templateColumns('{{a}} {{ b }} {{a}}')).toEqual(['a', 'b']);
  });

  it('keeps scalar metadata and turns the rest into text, leaving out nulls', () => {
    // Prepare + Act
    const metadata = metadataOf(['a', 'b', 'c', 'd'], { a: 'x', b: 2, c: null, d: new Date(0) });

    // Assess
    expect(metadata).toEqual({ a: 'x', b: 2, d: '1970-01-01T00:00:00.000Z' });
  });
});
