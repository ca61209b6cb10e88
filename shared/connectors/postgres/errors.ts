/**
 * Postgres failures as Tributary errors: a wrong column, credential or database name is a
 * {@link ConfigError} naming what to fix; a failure worth a retry is a {@link TransientError}.
 */
import pg from 'pg';
import { ConfigError, TransientError, TributaryError, errorMessage } from '../../core/errors.ts';

/** The SQLSTATE of an error the server sent; undefined for connection-level failures. */
export function pgCode(error: unknown): string | undefined {
  return error instanceof pg.DatabaseError ? error.code : undefined;
}

/** A Tributary error passes through; a driver or server error is mapped by its SQLSTATE. */
export function mapPostgresError(error: unknown, sourceId: string, connectionStringEnv: string | undefined): Error {
  if (error instanceof TributaryError) return error;
  const code = pgCode(error);
  const message = `source "${sourceId}": Postgres: ${errorMessage(error)}`;
  if (code === '42703') return new ConfigError(`${message}; check the column names in the source`);
  if (code === '28P01' || code === '28000') {
    return new ConfigError(`${message}; check the credentials in ${connectionStringEnv ?? 'the connection string'}`);
  }
  if (code === '3D000') return new ConfigError(`${message}; check the database name in ${connectionStringEnv ?? 'the connection string'}`);
  // Connection failures, shutdowns, serialization failures, timeouts, lock waits: worth a retry.
  if (code === undefined || /^(08|53|57|40|55P03)/.test(code)) return new TransientError(message, { cause: error });
  return new TributaryError(message, { cause: error });
}
