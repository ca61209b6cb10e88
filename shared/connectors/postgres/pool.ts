/**
 * The Postgres connector's connections: one `pg` pool per source (`poolMax` connections,
 * read-only sessions in UTC with a statement timeout), and the settings a dedicated
 * connection (LISTEN) shares with it.
 */
import pg from 'pg';
import { ConfigError, errorMessage } from '../../core/errors.ts';
import type { Logger } from '../../core/deps.ts';
import type { PostgresSourceConfig } from './config.ts';
import { mapPostgresError } from './errors.ts';

export interface PostgresPoolOptions {
  readonly config: Pick<PostgresSourceConfig, 'statementTimeoutMs' | 'poolMax'>;
  /** The connection string, read when the connector first connects (a secret). */
  readonly connectionString: () => string | undefined;
  /** Names the environment variable in errors. */
  readonly connectionStringEnv?: string;
  readonly log?: Pick<Logger, 'warn'>;
}

/** The pool of one source, opened on first use; every failure comes out as a Tributary error. */
export class PostgresPool {
  private pool: pg.Pool | undefined;

  constructor(
    private readonly sourceId: string,
    private readonly options: PostgresPoolOptions,
  ) {}

  /** Settings of every connection to the source's database; throws when the connection string is not set. */
  clientConfig(): pg.ClientConfig {
    const connectionString = this.options.connectionString();
    if (connectionString === undefined || connectionString === '') {
      const env = this.options.connectionStringEnv ?? 'the connectionStringEnv variable';
      throw new ConfigError(`source "${this.sourceId}": environment variable ${env} (connectionStringEnv) is not set; set it to the database URL, e.g. postgres://user:password@host:5432/db`);
    }
    return {
      connectionString,
      application_name: `tributary:${this.sourceId}`,
      // Timestamps are read and written as UTC text; the timeout stops a runaway statement.
      options: `-c TimeZone=UTC -c statement_timeout=${this.options.config.statementTimeoutMs}`,
      connectionTimeoutMillis: 15_000,
    };
  }

  /** A client of the pool for a transaction; the caller releases it. */
  async connect(): Promise<pg.PoolClient> {
    try {
      return await this.getPool().connect();
    } catch (error) {
      throw this.mapError(error);
    }
  }

  /**
   * Runs one statement with the extended protocol, which refuses a second statement: a
   * `query` with a stacked `; DROP …` (or a `; SET … READ WRITE; COMMIT; …`) fails to parse
   * instead of running.
   */
  async query(text: string, params: unknown[]): Promise<pg.QueryResult<Record<string, unknown>>> {
    try {
      return await this.getPool().query<Record<string, unknown>>(extended(text, params));
    } catch (error) {
      throw this.mapError(error);
    }
  }

  /** The fields of a statement's result, run as {@link query} does; a failure is left unmapped for the caller to explain. */
  async fields(text: string): Promise<pg.FieldDef[]> {
    return (await this.getPool().query(extended(text, []))).fields;
  }

  mapError(error: unknown): Error {
    return mapPostgresError(error, this.sourceId, this.options.connectionStringEnv);
  }

  /** Ends the pool; the next query opens a new one. */
  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await pool?.end();
  }

  private getPool(): pg.Pool {
    if (!this.pool) {
      const config = this.clientConfig();
      const pool = new pg.Pool({
        ...config,
        // Every transaction of the pool is read-only: a source only reads, whatever its query says.
        options: `${config.options ?? ''} -c default_transaction_read_only=on`.trim(),
        max: this.options.config.poolMax,
        idleTimeoutMillis: 30_000,
        // The CLI exits once its work is done, without waiting for idle connections.
        allowExitOnIdle: true,
      });
      // An idle connection that dies (server restart) must not crash the process; the next query reconnects.
      pool.on('error', (error) => this.options.log?.warn('idle Postgres connection failed', { sourceId: this.sourceId, error: errorMessage(error) }));
      this.pool = pool;
    }
    return this.pool;
  }
}

/**
 * A query sent with the extended protocol even without parameters (node-postgres' `queryMode`,
 * which @types/pg does not list): one statement, never several.
 */
function extended(text: string, values: unknown[]): pg.QueryConfig {
  return { text, values, queryMode: 'extended' } as pg.QueryConfig;
}
