import { z } from 'zod';
import { envName, sourceBase } from '../../config/source-base.ts';
import { checkSqlTable, conversation, identifier, sqlTableFields } from '../sql-table/config.ts';

/*
 * Configuration of a `postgres` source: a table or view of rows (or of chat messages grouped
 * into conversations) kept in step with the index. See docs/sources/postgres.md. The keys it
 * shares with the other SQL-table kinds are in ../sql-table/config.ts.
 */

export const postgresSource = z.strictObject({
  ...sourceBase,
  kind: z.literal('postgres'),
  /** Environment variable holding the connection string (postgres://user:pass@host:5432/db?sslmode=require). */
  connectionStringEnv: envName,
  ...sqlTableFields(conversation),
  /** Near-real-time hints: the channel a trigger `pg_notify`s (see the docs). */
  listen: z.strictObject({ channel: identifier }).optional(),
  /** `start` LISTENs on `listen.channel` (needs `listen`); false keeps only schedule and webhook. */
  watch: z.boolean().default(true),
  /** Connections the source's pool may open (the LISTEN connection is extra). */
  poolMax: z.number().int().min(1).max(100).default(4),
  /** Statements running longer are cancelled (and the run retried). */
  statementTimeoutMs: z.number().int().min(100).max(3_600_000).default(60_000),
}).superRefine(checkSqlTable);

export type PostgresSourceConfig = z.output<typeof postgresSource>;
