/**
 * The check a Postgres source passes before its first statement: the relation and every
 * configured column exist, and the id (and group) columns' types tell which ids can be bound.
 */
import type pg from 'pg';
import { ConfigError, errorMessage } from '../../core/errors.ts';
import type { PostgresSourceConfig } from './config.ts';
import { pgCode } from './errors.ts';
import type { PostgresPool } from './pool.ts';
import type { PostgresSql } from './sql.ts';

/** Types whose text form is checked before it is bound, so an id of the wrong shape is "not found", not an error. */
const INT_TYPES = new Map<number, bigint>([[21, 32767n], [23, 2147483647n], [20, 9223372036854775807n]]);
const UUID_TYPE = 2950;
const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

export interface Columns {
  /** Accepts the text of a value the column can hold. */
  readonly idValid: (text: string) => boolean;
  readonly groupValid: (text: string) => boolean;
}

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
  const what = config.table !== undefined ? `table "${config.table}"` : 'query';
  let fields: pg.FieldDef[];
  try {
    fields = await pool.fields(sql.probe());
  } catch (error) {
    const code = pgCode(error);
    if (code === '42P01' || code === '3F000') {
      throw new ConfigError(`source "${sourceId}": ${what} does not exist (${errorMessage(error)}); fix "table" in the source, or create it`);
    }
    if (code !== undefined && (code.startsWith('42') || code === '22P02')) {
      throw new ConfigError(`source "${sourceId}": ${what} is not valid SQL here: ${errorMessage(error)}; fix "${config.table !== undefined ? 'table' : 'query'}" in the source`);
    }
    throw pool.mapError(error);
  }
  const types = new Map(fields.map((f) => [f.name, f.dataTypeID]));
  const names = fields.map((f) => f.name);
  for (const { key, column } of sql.referencedColumns()) {
    if (!types.has(column)) {
      throw new ConfigError(
        `source "${sourceId}": ${key} names column "${column}", which ${what} does not have; its columns are: ${names.join(', ') || '(none)'}. Fix "${key}" in the source.`,
      );
    }
  }
  const validator = (column: string): ((text: string) => boolean) => {
    const type = types.get(column);
    const max = type !== undefined ? INT_TYPES.get(type) : undefined;
    if (max !== undefined) {
      return (text) => /^-?\d{1,19}$/.test(text) && BigInt(text) <= max && BigInt(text) >= -max - 1n;
    }
    if (type === UUID_TYPE) return (text) => UUID.test(text);
    return (text) => text !== '' && !text.includes('\0');
  };
  return {
    idValid: validator(config.idColumn),
    groupValid: config.conversation ? validator(config.conversation.groupColumn) : () => false,
  };
}
