import { defineConnector, standardSecrets } from '../definition.ts';
import { postgresSource } from './config.ts';
import { PostgresConnector } from './postgres-connector.ts';

/** `postgres`: a table, view or SELECT; a document per row or per conversation. See docs/sources/postgres.md. */
export const postgresConnector = defineConnector({
  kind: 'postgres',
  schema: postgresSource,
  docs: 'docs/sources/postgres.md',
  summary: {
    indexes: 'a table or view: a document per row, or per conversation of chat messages (grouped, ordered, optionally windowed)',
    nearRealTime: '`LISTEN` (trigger shown in the doc); webhook',
  },
  create: (source, context) => new PostgresConnector(source.id, {
    config: source, connectionStringEnv: source.connectionStringEnv,
    connectionString: () => context.secret(source.connectionStringEnv), log: context.log,
  }),
  secrets: (source) => standardSecrets(source, { connectionStringEnv: source.connectionStringEnv }),
});
