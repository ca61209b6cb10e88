import { ConfigError } from '../../core/errors.ts';
import { defineConnector, standardSecrets } from '../definition.ts';
import { sqliteSource } from './config.ts';
import { SqliteConnector } from './sqlite-connector.ts';

/** `sqlite`: a table, view or SELECT of a local SQLite file, opened read-only. See docs/sources/sqlite.md. */
export const sqliteConnector = defineConnector({
  kind: 'sqlite',
  schema: sqliteSource,
  docs: 'docs/sources/sqlite.md',
  summary: {
    indexes: 'a table or view of a local SQLite file another process writes (a bot\'s database), read-only: a document per row, or per conversation',
    nearRealTime: 'file watcher on the database and its WAL; webhook',
  },
  create: (source, context) => new SqliteConnector(source.id, { config: source, log: context.log }),
  secrets: (source) => standardSecrets(source, {}),
  resolvePaths: (source, resolve) => ({ ...source, path: resolve(source.path) }),
  // Deploying it cannot work: the file is on this machine, and SQLite's WAL cannot be shared over
  // a network filesystem (EFS) with a writer on another host. Synth stops with the fix.
  aws: (source) => {
    throw new ConfigError(`source "${source.id}" (kind "sqlite") reads ${source.path}, a file on this machine: AWS Lambda cannot reach it, `
      + 'and SQLite cannot be shared with its writer over a network filesystem. Leave it out of the config you deploy (sync it with '
      + '`tributary start` here), or have the bot write to a Postgres table (kind "postgres") or push its messages (kind "push")');
  },
});
