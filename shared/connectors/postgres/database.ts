/**
 * A Postgres source's database as the SQL-table port: statements through the source's pool,
 * snapshots in one REPEATABLE READ READ ONLY transaction.
 */
import type { Row, SqlTableDatabase, SqlTablePlan } from '../sql-table/database.ts';
import { checkColumns } from './columns.ts';
import type { PostgresSourceConfig } from './config.ts';
import type { PostgresPool } from './pool.ts';
import { PostgresSql } from './sql.ts';

export class PostgresDatabase implements SqlTableDatabase {
  readonly sql: PostgresSql;

  constructor(
    private readonly sourceId: string,
    private readonly config: Pick<PostgresSourceConfig, 'table' | 'idColumn' | 'conversation'> & ConstructorParameters<typeof PostgresSql>[0],
    readonly pool: PostgresPool,
  ) {
    this.sql = new PostgresSql(config);
  }

  async prepare(): Promise<SqlTablePlan> {
    return { sql: this.sql, columns: await checkColumns(this.sourceId, this.config, this.sql, this.pool) };
  }

  async query(text: string, params: readonly unknown[]): Promise<Row[]> {
    return (await this.pool.query(text, [...params])).rows;
  }

  async snapshot<T>(work: (query: (text: string, params: readonly unknown[]) => Promise<Row[]>) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const result = await work(async (text, params) => (await client.query<Row>(text, [...params])).rows);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw this.pool.mapError(error);
    } finally {
      client.release();
    }
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
