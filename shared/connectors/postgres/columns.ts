/**
 * The check a Postgres source passes before its first statement: the relation and every
 * configured column exist, and the id (and group) columns' types tell which ids can be bound.
 */
import type pg from 'pg';
import { ConfigError, errorMessage } from '../../core/errors.ts';
import { anyText, checkReferencedColumns, columnsOf, integerText, relationKey, relationName, type Columns } from '../sql-table/columns.ts';
import type { PostgresSourceConfig } from './config.ts';
import { pgCode } from './errors.ts';
import type { PostgresPool } from './pool.ts';
import type { PostgresSql } from './sql.ts';

export type { Columns };

/** Types whose text form is checked before it is bound, so an id of the wrong shape is "not found", not an error. */
const INT_TYPES = new Map<number, bigint>([[21, 32767n], [23, 2147483647n], [20, 9223372036854775807n]]);
const UUID_TYPE = 2950;
const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/**
 * Probes the source's columns, so a typo fails with the key to fix instead of an SQL error on
 * every run.
 */
export async function checkColumns(
  sourceId: string,
  config: Pick<PostgresSourceConfig, 'table' | 'idColumn' | 'conversation'>,
  sql: PostgresSql,
  pool: PostgresPool,
): Promise<Columns> {
  const what = relationName(config);
  let fields: pg.FieldDef[];
  try {
    fields = await pool.fields(sql.probe());
  } catch (error) {
    const code = pgCode(error);
    if (code === '42P01' || code === '3F000') {
      throw new ConfigError(`source "${sourceId}": ${what} does not exist (${errorMessage(error)}); fix "table" in the source, or create it`);
    }
    if (code !== undefined && (code.startsWith('42') || code === '22P02')) {
      throw new ConfigError(`source "${sourceId}": ${what} is not valid SQL here: ${errorMessage(error)}; fix "${relationKey(config)}" in the source`);
    }
    throw pool.mapError(error);
  }
  const types = new Map(fields.map((f) => [f.name, f.dataTypeID]));
  checkReferencedColumns(sourceId, config, sql, fields.map((f) => f.name));
  return columnsOf(config, (column) => {
    const type = types.get(column);
    const max = type !== undefined ? INT_TYPES.get(type) : undefined;
    if (max !== undefined) return integerText(max);
    if (type === UUID_TYPE) return (text) => UUID.test(text);
    return anyText;
  });
}
