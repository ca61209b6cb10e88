/**
 * SQLite connector: a table, view or SELECT of a SQLite file another process writes (a bot's
 * own database) as a Tributary source — one document per row, or one per conversation.
 *
 * Pull, fetch and list are the SQL-table connector's (../sql-table/connector.ts, where windows
 * and keysets are explained) over one read-only connection; this adds the file watcher. The
 * writer sets `updatedAtColumn` on every insert and update (see the docs for the trigger).
 */
import type { Logger } from '../../core/deps.ts';
import type { Hints } from '../../ports/index.ts';
import { SqlTableConnector } from '../sql-table/connector.ts';
import { SqliteDatabase, type SqliteDatabaseConfig } from './database.ts';
import { watchDatabase } from './watcher.ts';

export interface SqliteConnectorOptions {
  readonly config: SqliteDatabaseConfig;
  readonly log?: Pick<Logger, 'warn'>;
  /** Coalesces file events this long before sending one hint. @default 300 ms */
  readonly hintDebounceMs?: number;
  /** Ids per listing query. @default 10,000 */
  readonly listBatch?: number;
}

/** A SQLite table, view or query as a {@link SourceConnector}, with a watcher on the file. */
export class SqliteConnector extends SqlTableConnector {
  private readonly path: string;
  private readonly hintDebounceMs: number;

  constructor(sourceId: string, options: SqliteConnectorOptions) {
    super(sourceId, {
      config: options.config, database: new SqliteDatabase(sourceId, options.config),
      log: options.log, listBatch: options.listBatch,
    });
    this.path = options.config.path;
    this.hintDebounceMs = options.hintDebounceMs ?? 300;
  }

  /** Hints "something changed" about a second after a write to the file; `start` runs them as incremental syncs. */
  async watch(onHints: (hints: Hints) => void): Promise<() => Promise<void>> {
    // A misconfigured source fails here, with the key to fix, instead of watching in vain.
    await this.validated();
    return watchDatabase({ sourceId: this.sourceId, path: this.path, debounceMs: this.hintDebounceMs }, onHints);
  }
}
