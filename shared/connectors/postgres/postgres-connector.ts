/**
 * Postgres connector: a table, view or SELECT as a Tributary source — one document per row, or
 * one per conversation (messages grouped by a column, optionally split into time windows).
 *
 * Pull, fetch and list are the SQL-table connector's (../sql-table/connector.ts, where the
 * windows and keysets are explained) over a `pg` pool; this adds LISTEN hints. The database
 * sets `updatedAtColumn` on every insert and update (a trigger, see the docs).
 */
import type { Hints } from '../../ports/index.ts';
import { SqlTableConnector } from '../sql-table/connector.ts';
import type { PostgresSourceConfig } from './config.ts';
import { PostgresDatabase } from './database.ts';
import { listen, type ListenOptions } from './listen.ts';
import { PostgresPool, type PostgresPoolOptions } from './pool.ts';

export type PostgresConnectorConfig = Omit<PostgresSourceConfig, 'schedule' | 'webhook' | 'lookbackSeconds' | 'maxDeleteShare'
  | 'deleteGuardMin' | 'freshnessSloMinutes' | 'chunking' | 'kind' | 'connectionStringEnv' | 'watch'>;

export interface PostgresConnectorOptions extends PostgresPoolOptions, ListenOptions {
  readonly config: PostgresConnectorConfig;
  /** Ids per listing query. @default 10,000 */
  readonly listBatch?: number;
}

/**
 * A Postgres table, view or query as a {@link SourceConnector}.
 *
 * One `pg` pool per source (`poolMax` connections, sessions in UTC with a statement timeout);
 * `watch` holds one more connection for LISTEN.
 */
export class PostgresConnector extends SqlTableConnector {
  /** Present when `listen` is configured: the runtime watches only sources that can be watched. */
  readonly watch?: (onHints: (hints: Hints) => void) => Promise<() => Promise<void>>;

  constructor(sourceId: string, options: PostgresConnectorOptions) {
    const pool = new PostgresPool(sourceId, options);
    super(sourceId, {
      config: options.config, database: new PostgresDatabase(sourceId, options.config, pool),
      log: options.log, listBatch: options.listBatch,
    });
    const channel = options.config.listen?.channel;
    if (channel !== undefined) {
      const windowed = options.config.mode === 'conversation' && options.config.conversation?.timeWindow !== undefined;
      this.watch = async (onHints) => {
        await this.validated();
        return listen({ sourceId, channel, windowed, pool }, options, onHints);
      };
    }
  }
}
