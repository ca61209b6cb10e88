import type { CredentialStore, StoredToken } from '../../../ports/index.ts';
import { defined, immediate, sql, type Db } from './database.ts';

interface TokenRow {
  key: string;
  access_token: string;
  refresh_token: string | null;
  expires_at: number | null;
  version: number;
  updated_at: number;
}

/**
 * CredentialStore of the local stack: static secrets from the process environment, token
 * pairs in the state database (a file only its owner can read, see openDatabase), each write
 * conditional on the version it replaces.
 */
export class SqliteCredentialStore implements CredentialStore {
  constructor(private readonly db: Db, private readonly env: Readonly<Record<string, string | undefined>>) {}

  secret(name: string): string | undefined {
    const value = this.env[name];
    return value === '' ? undefined : value;
  }

  async getToken(key: string): Promise<StoredToken | undefined> {
    const row = sql(this.db, 'SELECT * FROM tokens WHERE key = ?').get(key) as TokenRow | undefined;
    return row ? toToken(row) : undefined;
  }

  async putToken(input: { key: string; token: Pick<StoredToken, 'accessToken' | 'refreshToken' | 'expiresAt'>; expectVersion: number | undefined; now: number }): Promise<StoredToken | undefined> {
    return immediate(this.db, () => {
      const row = sql(this.db, 'SELECT * FROM tokens WHERE key = ?').get(input.key) as TokenRow | undefined;
      if ((row?.version ?? undefined) !== input.expectVersion) return undefined;
      const next: TokenRow = {
        key: input.key, access_token: input.token.accessToken, refresh_token: input.token.refreshToken ?? null,
        expires_at: input.token.expiresAt ?? null, version: (row?.version ?? 0) + 1, updated_at: input.now,
      };
      sql(this.db, `INSERT OR REPLACE INTO tokens (key, access_token, refresh_token, expires_at, version, updated_at)
        VALUES (@key, @access_token, @refresh_token, @expires_at, @version, @updated_at)`).run(next);
      return toToken(next);
    });
  }
}

function toToken(row: TokenRow): StoredToken {
  return defined<StoredToken>({
    accessToken: row.access_token, refreshToken: row.refresh_token, expiresAt: row.expires_at, version: row.version, updatedAt: row.updated_at,
  });
}
