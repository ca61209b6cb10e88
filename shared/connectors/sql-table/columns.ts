/**
 * The check every SQL-table source passes before its first statement: every configured column
 * exists, named with the key to fix; and which ids (and groups) the columns can hold, so an id
 * of the wrong shape is "not found" instead of an error. Each engine probes its own columns.
 */
import { ConfigError } from '../../core/errors.ts';
import type { SqlTableConfig } from './config.ts';
import type { TableSql } from './statements.ts';

export interface Columns {
  /** Accepts the text of a value the id column can hold. */
  readonly idValid: (text: string) => boolean;
  readonly groupValid: (text: string) => boolean;
}

/** `table "public.messages"`, or `query`: what messages call the relation. */
export function relationName(config: Pick<SqlTableConfig, 'table'>): string {
  return config.table !== undefined ? `table "${config.table}"` : 'query';
}

/** The key a relation that cannot be read is fixed at. */
export function relationKey(config: Pick<SqlTableConfig, 'table'>): 'table' | 'query' {
  return config.table !== undefined ? 'table' : 'query';
}

/**
 * Throws a ConfigError naming the first key whose column the relation lacks, with the columns
 * it has, so a typo fails once with its fix instead of an SQL error on every run.
 */
export function checkReferencedColumns(sourceId: string, config: Pick<SqlTableConfig, 'table'>, sql: TableSql, names: readonly string[]): void {
  const have = new Set(names);
  for (const { key, column } of sql.referencedColumns()) {
    if (!have.has(column)) {
      throw new ConfigError(
        `source "${sourceId}": ${key} names column "${column}", which ${relationName(config)} does not have; its columns are: ${names.join(', ') || '(none)'}. Fix "${key}" in the source.`,
      );
    }
  }
}

/** The id and group checks of a source, from a check per column. */
export function columnsOf(config: Pick<SqlTableConfig, 'idColumn' | 'conversation'>, validator: (column: string) => (text: string) => boolean): Columns {
  return {
    idValid: validator(config.idColumn),
    groupValid: config.conversation ? validator(config.conversation.groupColumn) : () => false,
  };
}

/** Any text but the empty one and one with NUL: what a text column's value may be. */
export const anyText = (text: string): boolean => text !== '' && !text.includes('\0');

/** The text of a 64-bit integer within `[-max - 1, max]`. */
export function integerText(max: bigint): (text: string) => boolean {
  return (text) => /^-?\d{1,19}$/.test(text) && BigInt(text) <= max && BigInt(text) >= -max - 1n;
}
